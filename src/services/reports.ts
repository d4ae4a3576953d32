import { NotFoundError, ValidationError } from '../domain/errors.ts';
import { summarizeOutages, slaPercent, type OutageSummary } from '../domain/reports.ts';
import { DAY } from '../domain/rollups.ts';
import type { ActorCtx } from './context.ts';
import { outageIntervalsByMonitor } from './outages.ts';

export interface MonitorReport {
  uuid: string;
  name: string;
  protocol: string;
  sla: number;
  summary: OutageSummary;
}

export interface Period {
  from: number;
  to: number;
}

/** from/to as given (ISO 8601), defaulting to the last 7 days. */
/** Report windows a client may name instead of `from` (the Python SDK sends them as `period`). */
export const REPORT_PERIODS = { '1h': 3_600_000, '24h': DAY, '7d': 7 * DAY, '30d': 30 * DAY, '90d': 90 * DAY } as const;

export function parsePeriod(now: number, from?: string, to?: string, period?: keyof typeof REPORT_PERIODS): Period {
  const parse = (s: string | undefined, name: string, def: number) => {
    if (s === undefined || s === '') return def;
    const t = Date.parse(s);
    if (Number.isNaN(t)) throw new ValidationError(`${name} must be an ISO 8601 date-time`);
    return t;
  };
  const end = parse(to, 'to', now);
  const start = parse(from, 'from', end - (period ? REPORT_PERIODS[period] : 7 * DAY));
  if (start >= end) throw new ValidationError('from must be before to');
  return { from: start, to: end };
}

/** Reports of the project's active (not paused) monitors, or of one of them. */
export async function monitorReports(ctx: ActorCtx, period: Period, uuid?: string): Promise<MonitorReport[]> {
  let q = ctx.store.db
    .selectFrom('monitors')
    .select(['id', 'uuid', 'name', 'protocol'])
    .where('project_id', '=', ctx.actor.projectId)
    .where('paused', '=', 0);
  if (uuid !== undefined) q = q.where('uuid', '=', uuid);
  const monitors = await q.orderBy('id').execute();
  if (uuid !== undefined && monitors.length === 0) throw new NotFoundError('Monitor');
  return reportsOf(ctx, monitors, period);
}

/** Monitors reported on at a time by monitorReportPages. */
export const REPORT_PAGE = 500;

/**
 * The reports of every active monitor, in id order, a page at a time: 10,000 monitors read,
 * summarized and written at once held the event loop for over half a second.
 */
export async function* monitorReportPages(
  ctx: ActorCtx,
  period: Period,
  pageSize = REPORT_PAGE,
): AsyncGenerator<MonitorReport[]> {
  for (let after = 0; ; ) {
    const monitors = await ctx.store.db
      .selectFrom('monitors')
      .select(['id', 'uuid', 'name', 'protocol'])
      .where('project_id', '=', ctx.actor.projectId)
      .where('paused', '=', 0)
      .where('id', '>', after)
      .orderBy('id')
      .limit(pageSize)
      .execute();
    if (monitors.length === 0) return;
    yield await reportsOf(ctx, monitors, period);
    if (monitors.length < pageSize) return;
    after = monitors[monitors.length - 1].id;
  }
}

async function reportsOf(
  ctx: ActorCtx,
  monitors: { id: number; uuid: string; name: string; protocol: string }[],
  period: Period,
): Promise<MonitorReport[]> {
  // Each monitor's outages, grouped as they are read (a filter per monitor is quadratic at 10,000 monitors).
  const intervals = await outageIntervalsByMonitor(
    ctx,
    monitors.map((m) => m.id),
    period.from,
    period.to,
  );
  const now = ctx.clock();
  return monitors.map((m) => {
    const summary = summarizeOutages(intervals.get(m.id) ?? [], period.from, period.to, now);
    return {
      uuid: m.uuid,
      name: m.name,
      protocol: m.protocol,
      sla: slaPercent(summary.totalDowntime, period.from, Math.min(period.to, Math.max(now, period.from + 1))),
      summary,
    };
  });
}
