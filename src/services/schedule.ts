import { sql, type Kysely, type RawBuilder, type Selectable } from 'kysely';
import type { Ctx } from './context.ts';
import type { CheckTarget } from '../domain/checks.ts';
import type { Database, MonitorRow } from '../storage/schema.ts';

/** A monitor this process has claimed for one check, with what the check needs. */
export interface ClaimedMonitor extends CheckTarget {
  id: number;
  uuid: string;
  /** The slot this check is for. */
  due: number;
  /** The claim lapses (and is taken over) unless the result is stored in time. */
  held: boolean;
  projectId: number;
  regions: string[];
  /** A status change is pending confirmation. */
  confirming: boolean;
}

/** The columns a check needs, as selected from monitors. */
export const TARGET_COLUMNS = [
  'id',
  'uuid',
  'protocol',
  'url',
  'port',
  'http_method',
  'request_headers',
  'request_body',
  'follow_redirects',
  'expected_status_code',
  'required_keyword',
  'timeout',
  'dns_record_type',
  'dns_nameserver',
  'dns_expected_answer',
  'ip_version',
] as const;

type TargetRow = Pick<Selectable<MonitorRow>, (typeof TARGET_COLUMNS)[number]>;

export function checkTargetOf(r: TargetRow): CheckTarget & { id: number; uuid: string } {
  return {
    id: r.id,
    uuid: r.uuid,
    protocol: r.protocol as CheckTarget['protocol'],
    url: r.url,
    port: r.port,
    http_method: r.http_method,
    request_headers: r.request_headers ? JSON.parse(r.request_headers) : null,
    request_body: r.request_body,
    follow_redirects: r.follow_redirects === 1,
    expected_status_code: r.expected_status_code,
    required_keyword: r.required_keyword,
    timeout: r.timeout,
    dns_record_type: r.dns_record_type,
    dns_nameserver: r.dns_nameserver,
    dns_expected_answer: r.dns_expected_answer,
    ip_version: r.ip_version === 6 ? 6 : 4,
  };
}

/**
 * How long past its check's timeout a claim holds: time to store the result (the flush interval
 * and the commit). A node busier than that may see its slot taken over and checked twice.
 */
export const CLAIM_MARGIN_MS = 2000;

/**
 * Claims monitors due by `horizon` by moving their next_check_at to the following slot of
 * their grid, in one conditional UPDATE: a row another scheduler already moved no longer
 * matches `next_check_at <= horizon`, so each slot is claimed exactly once, on one node or many.
 * The claim is held until its check's timeout has passed (`claim_until`); the transaction that
 * stores the result ends it. A held claim that lapsed unended (its node died mid-check) is taken
 * over by a second UPDATE of the same tick (a probe of the partial index on claim_until: folded
 * into the first as a UNION, PostgreSQL planned the claim badly) while its slot lasts, and
 * dropped once the slot is over: a slot is
 * checked late rather than lost, and never after the next one is due. Claims of `unheld`
 * projects (those with live regional probes) start unheld: most of their slots are the probes'
 * and need no write beyond the claim; the caller holds the ones the built-in probe checks.
 */
export async function claimDueMonitors(
  ctx: Ctx,
  horizon: number,
  limit: number,
  now = ctx.clock(),
  unheld: number[] = [],
): Promise<ClaimedMonitor[]> {
  if (limit <= 0) return [];
  const h = sql`CAST(${horizon} AS BIGINT)`;
  const n = sql`CAST(${now} AS BIGINT)`;
  // next slot strictly after max(due, horizon): base − ((base − phase) mod F) + F
  const base = sql`(CASE WHEN next_check_at > ${h} THEN next_check_at ELSE ${h} END)`;
  const f = sql`(check_frequency * 1000)`;
  const slotOver = sql`(next_check_at IS NULL OR ${n} >= last_due_at + ${f})`;
  const held = unheld.length
    ? sql`(CASE WHEN project_id IN (${sql.join(unheld)}) THEN NULL ELSE ${holdUntil(n, sql`next_check_at`)} END)`
    : holdUntil(n, sql`next_check_at`);
  const returning = [...TARGET_COLUMNS, 'last_due_at', 'claim_until', 'project_id', 'regions', 'confirming'] as const;
  const claimed = await ctx.store.db
    .updateTable('monitors')
    .set({
      last_due_at: sql`next_check_at`,
      next_check_at: sql`${base} - ((${base} - check_phase) % ${f}) + ${f}`,
      claim_until: sql`${held}`,
    })
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('monitors')
        .select('id')
        .where('next_check_at', '<=', horizon)
        .orderBy('next_check_at')
        .limit(limit),
    )
    .where('next_check_at', '<=', horizon)
    .returning(returning)
    .execute();
  // Lapsed claims (an index probe that finds nothing while every node is alive).
  const lapsed = await ctx.store.db
    .updateTable('monitors')
    .set({
      last_due_at: sql`CASE WHEN ${slotOver} THEN NULL ELSE last_due_at END`,
      claim_until: sql`CASE WHEN ${slotOver} THEN NULL ELSE ${holdUntil(n, n)} END`,
    })
    .where('id', 'in', (eb) => eb.selectFrom('monitors').select('id').where('claim_until', '<=', now).limit(limit))
    .where('claim_until', '<=', now)
    .returning(returning)
    .execute();
  return [...claimed, ...lapsed]
    .filter((r) => r.last_due_at !== null) // a lapsed claim whose slot is over, or of a paused monitor: dropped
    .map((r) => ({
      ...checkTargetOf(r),
      due: r.last_due_at!,
      held: r.claim_until !== null,
      projectId: r.project_id,
      regions: JSON.parse(r.regions) as string[],
      confirming: r.confirming !== null,
    }));
}

/** A claim holds from its slot (or now, if later) for the check's timeout and the margin. */
const holdUntil = (now: RawBuilder<unknown>, slot: RawBuilder<unknown>) =>
  sql`(CASE WHEN ${slot} > ${now} THEN ${slot} ELSE ${now} END) + timeout * 1000 + ${CLAIM_MARGIN_MS}`;

/** Holds unheld claims the built-in probe is about to check (see claimDueMonitors). */
export async function holdClaims(ctx: Ctx, claims: ClaimedMonitor[], now = ctx.clock()): Promise<void> {
  const n = sql`CAST(${now} AS BIGINT)`;
  await updateClaims(ctx.store.db, claims, holdUntil(n, sql`last_due_at`));
}

async function updateClaims(
  db: Kysely<Database>,
  claims: { id: number; due: number }[],
  until: RawBuilder<unknown> | null,
): Promise<void> {
  claims = [...claims].sort((a, b) => a.id - b.id); // rows lock in one order on every node
  for (let i = 0; i < claims.length; i += 400) {
    const pairs = claims.slice(i, i + 400).map((c) => sql`(CAST(${c.id} AS BIGINT), CAST(${c.due} AS BIGINT))`);
    await sql`UPDATE monitors SET claim_until = ${until}
      WHERE claim_until IS ${until ? sql`NULL` : sql`NOT NULL`} AND (id, last_due_at) IN (VALUES ${sql.join(pairs)})`.execute(
      db,
    );
  }
}

/** Ends claims whose result is stored (in that transaction): nobody takes them over. */
export async function endClaims(db: Kysely<Database>, claims: { id: number; due: number }[]): Promise<void> {
  await updateClaims(db, claims, null);
}

/**
 * Gives back claims whose checks never started (shutdown): each lapses now, so the next claim,
 * on any node, takes it over while its slot lasts.
 */
export async function releaseClaims(ctx: Ctx, claims: ClaimedMonitor[]): Promise<void> {
  const now = ctx.clock();
  for (const c of claims) {
    await ctx.store.db
      .updateTable('monitors')
      .set({ claim_until: now })
      .where('id', '=', c.id)
      .where('last_due_at', '=', c.due)
      .where('claim_until', 'is not', null)
      .execute();
  }
}
