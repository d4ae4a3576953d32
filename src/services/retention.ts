import { DAY } from '../domain/rollups.ts';
import type { Ctx } from './context.ts';
import { UNCONFIRMED_SUBSCRIBER_TTL_MS } from '../domain/statuspages.ts';

export interface RetentionPolicy {
  rawDays: number;
  hourlyDays: number;
  dailyDays: number;
  /** Delivered and given-up outbox rows (VIGIL_OUTBOX_RETENTION_DAYS); 30 when not given. */
  outboxDays?: number;
}

export const DEFAULT_OUTBOX_RETENTION_DAYS = 30;

const BATCH = 5000;
/** Monitors whose old rows one statement looks for: each one probe of its table's key. */
const MONITORS_PER_STEP = 500;

/**
 * Deletes what has outlived its retention, in bounded batches so a large backlog never holds
 * the database for long. Returns the rows deleted; call again while it returns a full count.
 */
export async function pruneOnce(ctx: Ctx, policy: RetentionPolicy, maxBatches = 20): Promise<number> {
  const now = ctx.clock();
  const db = ctx.store.db;
  // Results and rollups are keyed by monitor first (migration 024), with no index by age: old
  // rows are found a few hundred monitors at a time, each through the start of its key range.
  const oldRows = [
    (ids: number[]) =>
      db.deleteFrom('check_results').where(({ eb, refTuple, selectFrom }) =>
        eb(
          refTuple('monitor_id', 'at', 'id'),
          'in',
          selectFrom('check_results')
            .select(['monitor_id', 'at', 'id'])
            .where('monitor_id', 'in', ids)
            .where('at', '<', now - policy.rawDays * DAY)
            .limit(BATCH)
            .$asTuple('monitor_id', 'at', 'id'),
        ),
      ),
    ...(
      [
        ['hour', policy.hourlyDays],
        ['day', policy.dailyDays],
      ] as const
    ).map(
      ([granularity, days]) =>
        (ids: number[]) =>
          db.deleteFrom('check_rollups').where(({ eb, refTuple, selectFrom }) =>
            eb(
              refTuple('monitor_id', 'granularity', 'bucket', 'location'),
              'in',
              selectFrom('check_rollups')
                .select(['monitor_id', 'granularity', 'bucket', 'location'])
                .where('monitor_id', 'in', ids)
                .where('granularity', '=', granularity)
                .where('bucket', '<', now - days * DAY)
                .limit(BATCH)
                .$asTuple('monitor_id', 'granularity', 'bucket', 'location'),
            ),
          ),
    ),
  ];
  let deleted = 0;
  let full = 0;
  // Every monitor is visited each pass; full batches (a backlog) are what maxBatches bounds.
  for (let after = 0; full < maxBatches; ) {
    const ids = (
      await db
        .selectFrom('monitors')
        .select('id')
        .where('id', '>', after)
        .orderBy('id')
        .limit(MONITORS_PER_STEP)
        .execute()
    ).map((m) => m.id);
    if (ids.length === 0) break;
    for (const old of oldRows) {
      for (; full < maxBatches; full++) {
        const n = Number((await old(ids).executeTakeFirst()).numDeletedRows);
        deleted += n;
        if (n < BATCH) break;
      }
    }
    after = ids[ids.length - 1];
  }
  // Public subscriptions nobody confirmed (services/public-pages.ts): 48 hours, then gone.
  const unconfirmed = await db
    .deleteFrom('status_page_subscribers')
    .where('confirmed_at', 'is', null)
    .where('created_at', '<', now - UNCONFIRMED_SUBSCRIBER_TTL_MS)
    .executeTakeFirst();
  deleted += Number(unconfirmed.numDeletedRows);
  return deleted + (await pruneOutbox(ctx, policy.outboxDays ?? DEFAULT_OUTBOX_RETENTION_DAYS, maxBatches));
}

/**
 * Deletes outbox rows delivered or given up more than `days` ago, in bounded batches. Rows of an
 * outage still open stay: its recovery and acknowledgement go to the channels its DOWN rows name.
 */
export async function pruneOutbox(ctx: Ctx, days: number, maxBatches = 20): Promise<number> {
  const cutoff = ctx.clock() - days * DAY;
  const db = ctx.store.db;
  let deleted = 0;
  for (let i = 0; i < maxBatches; i++) {
    const res = await db
      .deleteFrom('notifications')
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('notifications as n')
          .leftJoin('outages as o', 'o.id', 'n.outage_id')
          .select('n.id')
          .where('n.next_attempt_at', 'is', null)
          .where((w) => w.or([w('n.delivered_at', '<', cutoff), w('n.gave_up_at', '<', cutoff)]))
          .where((w) => w.or([w('n.outage_id', 'is', null), w('o.ended_at', 'is not', null)]))
          .orderBy('n.id')
          .limit(BATCH),
      )
      .executeTakeFirst();
    const n = Number(res.numDeletedRows);
    deleted += n;
    if (n < BATCH) break;
  }
  return deleted;
}
