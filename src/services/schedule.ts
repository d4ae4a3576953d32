import { sql, type Kysely } from 'kysely';
import type { Ctx } from './context.ts';
import type { CheckTarget } from '../domain/checks.ts';
import type { Database, MonitorRow } from '../storage/schema.ts';

/** A monitor this process has claimed for one check, with what the check needs. */
export interface ClaimedMonitor extends CheckTarget {
  id: number;
  uuid: string;
  /** The slot this check is for. */
  due: number;
  projectId: number;
  regions: string[];
  /** A status change is pending confirmation. */
  confirming: boolean;
}

/** The columns a check needs, as selected from monitors. */
export const TARGET_COLUMNS = [
  'id', 'uuid', 'protocol', 'url', 'port', 'http_method', 'request_headers', 'request_body', 'follow_redirects',
  'expected_status_code', 'required_keyword', 'timeout', 'dns_record_type', 'dns_nameserver', 'dns_expected_answer',
] as const;

type TargetRow = Pick<MonitorRow, Exclude<(typeof TARGET_COLUMNS)[number], 'id'>> & { id: number };

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
 * The claim lasts until its check's timeout has passed (`claim_until`); the transaction that
 * stores the result ends it. A claim that lapsed unended (its node died mid-check) is taken over
 * by the next claim while its slot lasts, and dropped once the slot is over: a slot is checked
 * late rather than lost, and never after the next one is due.
 */
export async function claimDueMonitors(ctx: Ctx, horizon: number, limit: number, now = ctx.clock()): Promise<ClaimedMonitor[]> {
  if (limit <= 0) return [];
  const h = sql`CAST(${horizon} AS BIGINT)`;
  const n = sql`CAST(${now} AS BIGINT)`;
  const due = sql`next_check_at <= ${h}`;
  // next slot strictly after max(due, horizon): base − ((base − phase) mod F) + F
  const base = sql`(CASE WHEN next_check_at > ${h} THEN next_check_at ELSE ${h} END)`;
  const f = sql`(check_frequency * 1000)`;
  const slotOver = sql`(next_check_at IS NULL OR ${n} >= last_due_at + ${f})`;
  const hold = sql`timeout * 1000 + ${CLAIM_MARGIN_MS}`;
  const rows = await ctx.store.db
    .updateTable('monitors')
    .set({
      last_due_at: sql`CASE WHEN ${due} THEN next_check_at ELSE last_due_at END`,
      next_check_at: sql`CASE WHEN ${due} THEN ${base} - ((${base} - check_phase) % ${f}) + ${f} ELSE next_check_at END`,
      claim_until: sql`CASE WHEN ${due} THEN (CASE WHEN next_check_at > ${n} THEN next_check_at ELSE ${n} END) + ${hold}
        WHEN ${slotOver} THEN NULL ELSE ${n} + ${hold} END`,
    })
    .where(sql<boolean>`id IN (SELECT id FROM (SELECT id FROM monitors WHERE ${due} ORDER BY next_check_at LIMIT ${limit}) AS due
      UNION ALL SELECT id FROM (SELECT id FROM monitors WHERE claim_until <= ${n} LIMIT ${limit}) AS lapsed)`)
    .where(sql<boolean>`(${due} OR claim_until <= ${n})`)
    .returning([...TARGET_COLUMNS, 'last_due_at', 'claim_until', 'project_id', 'regions', 'confirming'])
    .execute();
  return rows.filter((r) => r.claim_until !== null).map((r) => ({
    ...checkTargetOf(r),
    due: r.last_due_at!,
    projectId: r.project_id,
    regions: JSON.parse(r.regions) as string[],
    confirming: r.confirming !== null,
  }));
}

/**
 * Ends claims whose slot needs no more checking: its result is stored (in that transaction), or
 * the built-in probe does not check it. A claim of a later slot is left alone.
 */
export async function endClaims(db: Kysely<Database>, claims: { id: number; due: number }[]): Promise<void> {
  claims = [...claims].sort((a, b) => a.id - b.id); // rows lock in one order on every node
  for (let i = 0; i < claims.length; i += 400) {
    const pairs = claims.slice(i, i + 400).map((c) => sql`(CAST(${c.id} AS BIGINT), CAST(${c.due} AS BIGINT))`);
    await sql`UPDATE monitors SET claim_until = NULL
      WHERE claim_until IS NOT NULL AND (id, last_due_at) IN (VALUES ${sql.join(pairs)})`.execute(db);
  }
}

/**
 * Gives back claims whose checks never started (shutdown): each lapses now, so the next claim,
 * on any node, takes it over while its slot lasts.
 */
export async function releaseClaims(ctx: Ctx, claims: ClaimedMonitor[]): Promise<void> {
  const now = ctx.clock();
  for (const c of claims) {
    await ctx.store.db.updateTable('monitors').set({ claim_until: now })
      .where('id', '=', c.id).where('last_due_at', '=', c.due).where('claim_until', 'is not', null)
      .execute();
  }
}
