import { sql, type Kysely, type Transaction } from 'kysely';
import { newId } from '../domain/ids.ts';
import type { Ctx } from './context.ts';
import type { Database } from '../storage/schema.ts';

/** A message to deliver: to a channel, or to a person (recipient) by email. */
export interface NewNotification {
  project_id: number;
  channel_id: number | null;
  kind: string;
  recipient: string | null;
  outage_id: number | null;
  step: number | null;
  event: string;
  payload: unknown;
}

/**
 * Writes outbox rows, due at once; returns their uuids (the webhook-ids). Callers pass the
 * transaction of the change that causes the messages, so they exist if and only if it commits.
 */
export async function enqueue(
  trx: Transaction<Database> | Kysely<Database>,
  rows: NewNotification[],
  now: number,
): Promise<string[]> {
  const values = rows.map((r) => ({
    ...r,
    uuid: newId('msg', 24),
    payload: JSON.stringify(r.payload),
    created_at: now,
    next_attempt_at: now,
  }));
  for (let i = 0; i < values.length; i += 100)
    await trx
      .insertInto('notifications')
      .values(values.slice(i, i + 100))
      .execute();
  return values.map((v) => v.uuid);
}

/** An outbox row claimed by one dispatcher, with its channel as it is now. */
export interface Claimed {
  id: number;
  uuid: string;
  kind: string;
  recipient: string | null;
  event: string;
  payload: unknown;
  attempts: number;
  created_at: number;
  channel: {
    id: number;
    uuid: string;
    name: string;
    config: Record<string, string | string[]>;
    secret: string | null;
    disabledReason: string | null;
  } | null;
}

/**
 * Claims up to `limit` due rows for `worker` until now + leaseMs, each by a conditional update
 * that succeeds for one worker only (both databases, any number of nodes). A row waits while an
 * earlier row of the same outage and channel is pending, so a recovery never overtakes its alert.
 */
export async function claimDue(ctx: Ctx, worker: string, leaseMs: number, limit: number): Promise<Claimed[]> {
  const now = ctx.clock();
  const { db } = ctx.store;
  const candidates = await db
    .selectFrom('notifications as n')
    .select('n.id')
    .where('n.next_attempt_at', '<=', now)
    .where((eb) => eb.or([eb('n.claimed_until', 'is', null), eb('n.claimed_until', '<', now)]))
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('notifications as p')
            .select(sql`1`.as('one'))
            .whereRef('p.outage_id', '=', 'n.outage_id')
            .whereRef('p.channel_id', '=', 'n.channel_id')
            .whereRef('p.id', '<', 'n.id')
            .where('p.next_attempt_at', 'is not', null),
        ),
      ),
    )
    .orderBy('n.next_attempt_at')
    .orderBy('n.id')
    .limit(limit)
    .execute();
  const claimed: number[] = [];
  for (const { id } of candidates) {
    const res = await db
      .updateTable('notifications')
      .set((eb) => ({
        claimed_by: worker,
        claimed_until: now + leaseMs,
        attempts: eb('attempts', '+', 1),
        last_attempt_at: now,
      }))
      .where('id', '=', id)
      .where('next_attempt_at', 'is not', null)
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 1) claimed.push(id);
  }
  if (claimed.length === 0) return [];
  const rows = await db
    .selectFrom('notifications as n')
    .leftJoin('notification_channels as c', 'c.id', 'n.channel_id')
    .select([
      'n.id',
      'n.uuid',
      'n.kind',
      'n.recipient',
      'n.event',
      'n.payload',
      'n.attempts',
      'n.created_at',
      'n.claimed_by',
      'c.id as c_id',
      'c.uuid as c_uuid',
      'c.name as c_name',
      'c.config as c_config',
      'c.secret as c_secret',
      'c.disabled_at as c_disabled_at',
      'c.disabled_reason as c_reason',
    ])
    .where('n.id', 'in', claimed)
    .orderBy('n.id')
    .execute();
  return rows
    .filter((r) => r.claimed_by === worker)
    .map((r) => ({
      id: r.id,
      uuid: r.uuid,
      kind: r.kind,
      recipient: r.recipient,
      event: r.event,
      payload: JSON.parse(r.payload),
      attempts: Number(r.attempts),
      created_at: r.created_at,
      channel:
        r.c_id === null
          ? null
          : {
              id: r.c_id,
              uuid: r.c_uuid!,
              name: r.c_name!,
              config: JSON.parse(r.c_config!),
              secret: r.c_secret,
              disabledReason: r.c_disabled_at === null ? null : (r.c_reason ?? 'disabled'),
            },
    }));
}

export type Completion =
  | { kind: 'delivered'; status: string }
  | { kind: 'retry'; status: string; at: number }
  | { kind: 'gave_up'; status: string; reason: string; disableChannel?: { id: number; reason: string } };

/** Records an attempt's outcome, unless the lease was lost meanwhile (then the new holder decides). */
export async function completeDelivery(ctx: Ctx, id: number, worker: string, c: Completion): Promise<boolean> {
  const now = ctx.clock();
  return ctx.store.db.transaction().execute(async (trx) => {
    const status = c.status.slice(0, 500);
    const set =
      c.kind === 'delivered'
        ? { delivered_at: now, next_attempt_at: null, last_status: status }
        : c.kind === 'retry'
          ? { next_attempt_at: c.at, last_status: status }
          : { gave_up_at: now, give_up_reason: c.reason.slice(0, 500), next_attempt_at: null, last_status: status };
    const res = await trx
      .updateTable('notifications')
      .set({ ...set, claimed_by: null, claimed_until: null })
      .where('id', '=', id)
      .where('claimed_by', '=', worker)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return false;
    if (c.kind === 'gave_up' && c.disableChannel) {
      await trx
        .updateTable('notification_channels')
        .set({ disabled_at: now, disabled_reason: c.disableChannel.reason.slice(0, 500), updated_at: now })
        .where('id', '=', c.disableChannel.id)
        .where('disabled_at', 'is', null)
        .execute();
    }
    return true;
  });
}
