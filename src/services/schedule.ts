import { sql } from 'kysely';
import type { Ctx } from './context.ts';
import type { CheckTarget } from '../domain/checks.ts';
import type { MonitorRow } from '../storage/schema.ts';

/** A monitor this process has claimed for one check, with what the check needs. */
export interface ClaimedMonitor extends CheckTarget {
  id: number;
  uuid: string;
  /** The slot this check is for. */
  due: number;
  /** The slot the claim moved next_check_at to (what a release must find there). */
  claimedNext: number;
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
 * Claims monitors due by `horizon` by moving their next_check_at to the following slot of
 * their grid, in one conditional UPDATE: a row another scheduler already moved no longer
 * matches `next_check_at <= horizon`, so each slot is claimed exactly once, on one node or many.
 */
export async function claimDueMonitors(ctx: Ctx, horizon: number, limit: number): Promise<ClaimedMonitor[]> {
  if (limit <= 0) return [];
  const h = sql`CAST(${horizon} AS BIGINT)`;
  // next slot strictly after max(due, horizon): base − ((base − phase) mod F) + F
  const base = sql`(CASE WHEN next_check_at > ${h} THEN next_check_at ELSE ${h} END)`;
  const f = sql`(check_frequency * 1000)`;
  const rows = await ctx.store.db
    .updateTable('monitors')
    .set({
      last_due_at: sql`next_check_at`,
      next_check_at: sql`${base} - ((${base} - check_phase) % ${f}) + ${f}`,
    })
    .where('id', 'in', (eb) =>
      eb.selectFrom('monitors').select('id').where('next_check_at', '<=', horizon).orderBy('next_check_at').limit(limit))
    .where('next_check_at', '<=', horizon)
    .returning([...TARGET_COLUMNS, 'last_due_at', 'next_check_at', 'project_id', 'regions', 'confirming'])
    .execute();
  return rows.map((r) => ({
    ...checkTargetOf(r),
    due: r.last_due_at!,
    claimedNext: r.next_check_at!,
    projectId: r.project_id,
    regions: JSON.parse(r.regions) as string[],
    confirming: r.confirming !== null,
  }));
}

/**
 * Gives back claims whose checks never started (shutdown): each monitor's next_check_at
 * returns to the claimed slot, unless something else has moved it since.
 */
export async function releaseClaims(ctx: Ctx, claims: ClaimedMonitor[]): Promise<void> {
  for (const c of claims) {
    await ctx.store.db
      .updateTable('monitors')
      .set({ next_check_at: c.due })
      .where('id', '=', c.id)
      .where('next_check_at', '=', c.claimedNext)
      .execute();
  }
}
