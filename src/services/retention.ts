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

/**
 * Deletes what has outlived its retention, in bounded batches so a large backlog never holds
 * the database for long. Returns the rows deleted; call again while it returns a full count.
 */
export async function pruneOnce(ctx: Ctx, policy: RetentionPolicy, maxBatches = 20): Promise<number> {
  const now = ctx.clock();
  const db = ctx.store.db;
  let deleted = 0;
  for (let i = 0; i < maxBatches; i++) {
    // Oldest rows have the lowest ids, so this scan stops after BATCH matches.
    const res = await db
      .deleteFrom('check_results')
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('check_results')
          .select('id')
          .where('at', '<', now - policy.rawDays * DAY)
          .orderBy('id')
          .limit(BATCH),
      )
      .executeTakeFirst();
    const n = Number(res.numDeletedRows);
    deleted += n;
    if (n < BATCH) break;
  }
  for (const [granularity, days] of [
    ['hour', policy.hourlyDays],
    ['day', policy.dailyDays],
  ] as const) {
    const cutoff = now - days * DAY;
    // One bucket (one hour or day, every monitor) at a time: bounded by the number of monitors.
    for (let i = 0; i < maxBatches; i++) {
      const oldest = await db
        .selectFrom('check_rollups')
        .select((eb) => eb.fn.min('bucket').as('b'))
        .where('granularity', '=', granularity)
        .executeTakeFirst();
      const b = oldest?.b == null ? null : Number(oldest.b);
      if (b === null || b >= cutoff) break;
      const res = await db
        .deleteFrom('check_rollups')
        .where('granularity', '=', granularity)
        .where('bucket', '=', b)
        .executeTakeFirst();
      deleted += Number(res.numDeletedRows);
    }
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
