/**
 * Read-only analyses over outages, raw check results and rollups (the MCP tools' use cases):
 * uptime, response times, MTTR/MTTA, recent alerts, check logs, anomalies, outage timelines.
 * Windows default to the last 30 days and are read on the injected clock.
 */
import { sql } from 'kysely';
import { NotFoundError, ValidationError } from '../domain/errors.ts';
import {
  checkFigures,
  findAnomalies,
  periodAfter,
  periodIndex,
  periodsOf,
  type Anomaly,
  type Resolution,
} from '../domain/insights.ts';
import { slaPercent, summarizeOutages } from '../domain/reports.ts';
import { DAY, HISTOGRAM_COLUMNS, percentileFromHistogram } from '../domain/rollups.ts';
import { yieldToLoop, type ActorCtx } from './context.ts';
import { getMonitor, monitorOutlines, monitorRegions, type Monitor, type MonitorOutline } from './monitors.ts';
import { getOutage, outageIntervalsByMonitor, type Outage } from './outages.ts';
import { parsePeriod, type Period } from './reports.ts';

export const DEFAULT_WINDOW_DAYS = 30;

/** from/to as given (ISO 8601); without `from`, the 30 days before `to` (default now). */
export function windowOf(now: number, from?: string, to?: string): Period {
  if (from !== undefined && from !== '') return parsePeriod(now, from, to);
  const end = parsePeriod(now, undefined, to).to;
  return { from: end - DEFAULT_WINDOW_DAYS * DAY, to: end };
}

export interface WindowQuery {
  period: Period;
  monitorUuids?: string[];
  resolution?: Resolution;
}

interface ScopedMonitor {
  id: number;
  uuid: string;
  name: string;
  protocol: string;
}

/** The project's monitors, or the listed ones (an unknown uuid is refused, never hinted at). */
async function monitorsInScope(ctx: ActorCtx, uuids?: string[]): Promise<ScopedMonitor[]> {
  const all = await monitorOutlines(ctx);
  const pick = (m: MonitorOutline): ScopedMonitor => ({ id: m.id, uuid: m.uuid, name: m.name, protocol: m.protocol });
  if (!uuids || uuids.length === 0) return all.map(pick);
  const byUuid = new Map(all.map((m) => [m.uuid, m]));
  return [...new Set(uuids)].map((u) => {
    const m = byUuid.get(u);
    if (!m) throw new ValidationError(`Monitor ${u} in monitor_uuids does not exist`);
    return pick(m);
  });
}

const mean = (xs: number[]) => (xs.length ? Math.round(xs.reduce((a, b) => a + b, 0) / xs.length) : 0);

/** Items grouped by a key, each group in the items' order: one pass instead of a filter per monitor. */
function groupBy<T>(items: readonly T[], key: (t: T) => number | null): Map<number | null, T[]> {
  const out = new Map<number | null, T[]>();
  for (const t of items) {
    const k = key(t);
    const list = out.get(k);
    if (list) list.push(t);
    else out.set(k, [t]);
  }
  return out;
}
const round2 = (x: number) => Math.round(x * 100) / 100;

/** Uptime per monitor and per period, from outage history (as the reports compute SLA). */
export async function uptime(ctx: ActorCtx, q: WindowQuery) {
  const now = ctx.clock();
  const { from, to } = q.period;
  const end = Math.min(to, now);
  const monitors = await monitorsInScope(ctx, q.monitorUuids);
  const periods = end > from ? periodsOf(from, end, q.resolution ?? 'day') : [];
  checkFigures(
    monitors.length * periods.length,
    `${monitors.length} monitors × ${periods.length} periods`,
    ', or choose a coarser resolution or a shorter window',
  );
  const intervals = await outageIntervalsByMonitor(
    ctx,
    monitors.map((m) => m.id),
    from,
    to,
  );
  // Each period as the window clips it: [a, b).
  const clipped = periods.map((p) => ({ a: Math.max(p.start, from), b: Math.min(p.end, end) }));
  const resolvedSeconds: number[] = [];
  const entries = monitors.map((m) => {
    const mine = intervals.get(m.id) ?? [];
    const s = summarizeOutages(mine, from, to, now);
    for (const d of s.details) if (d.end !== null && d.end <= to) resolvedSeconds.push(d.seconds);
    // Downtime per period, each outage added to the periods it overlaps (as summarizeOutages
    // clips and rounds it), instead of summarising every outage for every period.
    const down = new Array<number>(periods.length).fill(0);
    for (const o of mine) {
      const oEnd = o.end ?? now;
      for (let i = periodAfter(periods, Math.max(o.start, from)); i < periods.length && clipped[i].a < oEnd; i++) {
        const seconds = Math.round((Math.min(oEnd, clipped[i].b) - Math.max(o.start, clipped[i].a)) / 1000);
        if (seconds > 0) down[i] += seconds;
      }
    }
    const uptimePeriods = periods.map((p, i) => ({
      date: p.label,
      uptime: slaPercent(down[i], clipped[i].a, clipped[i].b),
    }));
    return {
      uuid: m.uuid,
      name: m.name,
      protocol: m.protocol,
      uptimePeriods,
      averageUptime: slaPercent(s.totalDowntime, from, Math.max(end, from + 1)),
      outageCount: s.count,
      totalDowntime: s.totalDowntime,
      mttr: s.mttr,
      longestOutage: s.longestOutage,
    };
  });
  const periodAverages = periods.map((p, i) => ({
    date: p.label,
    uptime: entries.length ? round2(entries.reduce((a, e) => a + e.uptimePeriods[i].uptime, 0) / entries.length) : 100,
  }));
  const average = entries.length ? round2(entries.reduce((a, e) => a + e.averageUptime, 0) / entries.length) : 100;
  return {
    monitors: entries,
    periodAverages,
    totalOutages: entries.reduce((a, e) => a + e.outageCount, 0),
    totalOutagesLength: entries.reduce((a, e) => a + e.totalDowntime, 0),
    MTTR: mean(resolvedSeconds),
    averageUptime: `${average}%`,
  };
}

/** Acknowledged outages started in the window: seconds from start to acknowledgement. */
async function acknowledgements(ctx: ActorCtx, monitorIds: number[], period: Period) {
  const out: { monitorId: number; seconds: number }[] = [];
  for (let i = 0; i < monitorIds.length; i += 500) {
    if (i > 0) await yieldToLoop(); // 500 monitors a statement, the event loop turning between
    const rows = await ctx.store.db
      .selectFrom('outages')
      .select(['monitor_id', 'started_at', 'acknowledged_at'])
      .where(sql<number>`+project_id`, '=', ctx.actor.projectId) // found by monitor (outages_monitor), as outageIntervals
      .where('monitor_id', 'in', monitorIds.slice(i, i + 500))
      .where('acknowledged_at', 'is not', null)
      .where('started_at', '>=', period.from)
      .where('started_at', '<=', period.to)
      .execute();
    for (const r of rows)
      out.push({
        monitorId: r.monitor_id!,
        seconds: Math.max(0, Math.round((r.acknowledged_at! - r.started_at) / 1000)),
      });
  }
  return out;
}

/** Mean time to acknowledge, per monitor that has acknowledged outages in the window. */
export async function mtta(ctx: ActorCtx, q: WindowQuery) {
  const monitors = await monitorsInScope(ctx, q.monitorUuids);
  const acks = await acknowledgements(
    ctx,
    monitors.map((m) => m.id),
    q.period,
  );
  const acksOf = groupBy(acks, (a) => a.monitorId);
  const entries = monitors
    .map((m) => {
      const mine = (acksOf.get(m.id) ?? []).map((a) => a.seconds);
      return { uuid: m.uuid, name: m.name, protocol: m.protocol, acknowledged: mine.length, mtta: mean(mine) };
    })
    .filter((e) => e.acknowledged > 0);
  return { monitors: entries, totalAcknowledged: acks.length, mtta: mean(acks.map((a) => a.seconds)) };
}

/** Mean time to resolve, per monitor that had outages in the window. */
export async function mttr(ctx: ActorCtx, q: WindowQuery) {
  const now = ctx.clock();
  const { from, to } = q.period;
  const monitors = await monitorsInScope(ctx, q.monitorUuids);
  const ids = monitors.map((m) => m.id);
  const intervals = await outageIntervalsByMonitor(ctx, ids, from, to);
  const acks = await acknowledgements(ctx, ids, q.period);
  const acksOf = groupBy(acks, (a) => a.monitorId);
  const resolved: number[] = [];
  const entries = monitors
    .map((m) => {
      const s = summarizeOutages(intervals.get(m.id) ?? [], from, to, now);
      for (const d of s.details) if (d.end !== null && d.end <= to) resolved.push(d.seconds);
      const mineAcks = (acksOf.get(m.id) ?? []).map((a) => a.seconds);
      return {
        uuid: m.uuid,
        name: m.name,
        protocol: m.protocol,
        outageCount: s.count,
        totalDowntime: s.totalDowntime,
        mttr: s.mttr,
        mtta: mean(mineAcks),
        longestOutage: s.longestOutage,
      };
    })
    .filter((e) => e.outageCount > 0);
  return {
    monitors: entries,
    totalOutages: entries.reduce((a, e) => a + e.outageCount, 0),
    totalOutagesLength: entries.reduce((a, e) => a + e.totalDowntime, 0),
    mttr: mean(resolved),
    mtta: mean(acks.map((a) => a.seconds)),
  };
}

interface Acc {
  timed: number;
  sum: number;
  hist: number[];
}
/**
 * Monitors whose rollups are read per statement: 5 monitors' hours in 18 regions are 2,160
 * rows, each a lookup in the table (about 10 µs on SQLite): 100 held the loop for half a second.
 */
const ROLLUP_CHUNK = 5;

const newAcc = (): Acc => ({ timed: 0, sum: 0, hist: HISTOGRAM_COLUMNS.map(() => 0) });
const avgOf = (a: Acc | undefined) => (a?.timed ? Math.round(a.sum / a.timed) : null);

/**
 * Response times of successful checks from the rollups (hourly rows for an hourly view, daily
 * rows otherwise): averages overall, per period, per monitor and per location, and a p95
 * estimated from the latency histogram (the upper bound of the bucket holding it).
 */
export async function responseTimes(ctx: ActorCtx, q: WindowQuery) {
  const res = q.resolution ?? 'day';
  const { from, to } = q.period;
  const monitors = await monitorsInScope(ctx, q.monitorUuids);
  const periods = periodsOf(from, to, res);
  const regions = await monitorRegions(
    ctx,
    monitors.map((m) => m.id),
  );
  let inRegions = 0;
  for (const r of regions.values()) inRegions += r.length;
  checkFigures(monitors.length + inRegions, `${monitors.length} monitors in ${inRegions} regions in all`);
  const total = newAcc();
  const byPeriod = new Map<string, Acc>();
  const byMonitor = new Map<number, { all: Acc; regions: Map<string, Acc> }>();
  const add = (a: Acc, hist: number[], sum: number) => {
    a.sum += sum;
    hist.forEach((n, i) => {
      a.hist[i] += n;
      a.timed += n;
    });
  };
  // A chunk of monitors' rollups at a time (an hour in 18 regions is 18 rows a monitor), the
  // event loop turning between chunks.
  for (let c = 0; c < monitors.length; c += ROLLUP_CHUNK) {
    if (c > 0) await yieldToLoop();
    const rows = await ctx.store.db
      .selectFrom('check_rollups')
      .select(['monitor_id', 'bucket', 'location', 'sum_ms', ...HISTOGRAM_COLUMNS])
      .where(
        'monitor_id',
        'in',
        monitors.slice(c, c + ROLLUP_CHUNK).map((m) => m.id),
      )
      .where('granularity', '=', res === 'hour' ? 'hour' : 'day')
      .where('bucket', '>=', periods.length ? periods[0].start : from)
      .where('bucket', '<', to)
      .execute();
    for (const r of rows) {
      const hist = HISTOGRAM_COLUMNS.map((col) => Number(r[col]));
      const sum = Number(r.sum_ms);
      const i = periodIndex(periods, Number(r.bucket));
      if (i < 0) continue;
      const p = periods[i];
      add(total, hist, sum);
      if (!byPeriod.has(p.label)) byPeriod.set(p.label, newAcc());
      add(byPeriod.get(p.label)!, hist, sum);
      let m = byMonitor.get(Number(r.monitor_id));
      if (!m) byMonitor.set(Number(r.monitor_id), (m = { all: newAcc(), regions: new Map() }));
      add(m.all, hist, sum);
      if (!m.regions.has(r.location)) m.regions.set(r.location, newAcc());
      add(m.regions.get(r.location)!, hist, sum);
    }
  }
  return {
    timeGroups: periods.flatMap((p) => {
      const a = byPeriod.get(p.label);
      return a?.timed ? [{ time: p.label, avgResponseTime: avgOf(a)!, count: a.timed }] : [];
    }),
    avgResponseTime: avgOf(total),
    p95ResponseTime: percentileFromHistogram(total.hist, 0.95),
    monitors: monitors.map((m) => {
      const acc = byMonitor.get(m.id);
      const byRegion: Record<string, number | null> = {};
      for (const region of regions.get(m.id) ?? []) byRegion[region] = null;
      for (const [loc, a] of acc?.regions ?? []) byRegion[loc] = avgOf(a);
      return {
        uuid: m.uuid,
        name: m.name,
        protocol: m.protocol,
        avgResponseTime: avgOf(acc?.all),
        avgResponseTimeByRegion: byRegion,
        count: acc?.all.timed ?? 0,
      };
    }),
  };
}

export interface AlertRow {
  outageUuid: string;
  subjectUuid: string | null;
  subjectName: string | null;
  status: 'down' | 'up';
  at: number;
  acknowledgedBy: string | null;
  resolvedAt: number | null;
}

/** Maximum rawAlerts returned (the counts cover every alert of the window). */
export const MAX_RAW_ALERTS = 1000;

/**
 * The down/up transitions Vigil detected in the window: an automatic outage's start is a down
 * alert, its end an up alert (monitors and heartbeat checks). Counted per period.
 */
export async function recentAlerts(ctx: ActorCtx, q: WindowQuery) {
  const { from, to } = q.period;
  const periods = periodsOf(from, to, q.resolution ?? 'day');
  const db = ctx.store.db;
  const ids =
    q.monitorUuids && q.monitorUuids.length > 0 ? (await monitorsInScope(ctx, q.monitorUuids)).map((m) => m.id) : null;
  const automatic = () =>
    db
      .selectFrom('outages')
      .where('outages.project_id', '=', ctx.actor.projectId)
      .where('outages.outage_type', '=', 'automatic')
      .$if(ids !== null, (w) => w.where('outages.monitor_id', 'in', ids!));
  const inWindow = (at: number | null): at is number => at !== null && at >= from && at < to;
  // Counted from start and end times alone, a chunk at a time with the event loop turning
  // between chunks (a project may hold 100,000 outages in the window); only the newest
  // MAX_RAW_ALERTS are read in full.
  const counts = new Array<number>(periods.length).fill(0);
  let downAlerts = 0;
  let upAlerts = 0;
  // The newest MAX_RAW_ALERTS alerts, newest first; ties as the outages were created, a down before its up.
  let newest: { id: number; at: number; status: 'down' | 'up' }[] = [];
  const keepNewest = () => {
    newest.sort((a, b) => b.at - a.at || a.id - b.id || (a.status === 'down' ? -1 : 1));
    newest = newest.slice(0, MAX_RAW_ALERTS);
  };
  for (let after = 0; ; ) {
    const rows = await automatic()
      .select(['outages.id', 'outages.started_at', 'outages.ended_at'])
      .where('outages.id', '>', after)
      .where((eb) =>
        eb.or([
          eb.and([eb('outages.started_at', '>=', from), eb('outages.started_at', '<', to)]),
          eb.and([eb('outages.ended_at', '>=', from), eb('outages.ended_at', '<', to)]),
        ]),
      )
      .orderBy('outages.id')
      .limit(ALERT_CHUNK)
      .execute();
    const count = (at: number) => {
      const i = periodIndex(periods, at);
      if (i >= 0) counts[i]++;
    };
    for (const r of rows) {
      if (inWindow(r.started_at)) {
        downAlerts++;
        count(r.started_at);
        newest.push({ id: r.id, at: r.started_at, status: 'down' });
      }
      if (inWindow(r.ended_at)) {
        upAlerts++;
        count(r.ended_at);
        newest.push({ id: r.id, at: r.ended_at, status: 'up' });
      }
    }
    if (newest.length > 4 * MAX_RAW_ALERTS) keepNewest();
    if (rows.length < ALERT_CHUNK) break;
    after = rows[rows.length - 1].id;
    await yieldToLoop();
  }
  keepNewest();
  const picked = newest;
  const details = new Map<number, AlertDetail>();
  const wanted = [...new Set(picked.map((p) => p.id))];
  for (let i = 0; i < wanted.length; i += 500) {
    const rows = await db
      .selectFrom('outages')
      .leftJoin('monitors', 'monitors.id', 'outages.monitor_id')
      .leftJoin('healthchecks', 'healthchecks.id', 'outages.healthcheck_id')
      .select([
        'outages.id',
        'outages.uuid',
        'outages.ended_at',
        'outages.acknowledged_by',
        'monitors.uuid as m_uuid',
        'monitors.name as m_name',
        'healthchecks.uuid as h_uuid',
        'healthchecks.name as h_name',
      ])
      .where('outages.id', 'in', wanted.slice(i, i + 500))
      .execute();
    for (const r of rows) {
      details.set(r.id, {
        outageUuid: r.uuid,
        subjectUuid: r.m_uuid ?? r.h_uuid,
        subjectName: r.m_name ?? r.h_name,
        acknowledgedBy: r.acknowledged_by ? ((JSON.parse(r.acknowledged_by).name as string) ?? null) : null,
        resolvedAt: r.ended_at,
      });
    }
  }
  return {
    timeGroups: periods.map((p, i) => ({ time: p.label, count: counts[i] })),
    totalAlerts: downAlerts + upAlerts,
    downAlerts,
    upAlerts,
    rawAlerts: picked.flatMap((p): AlertRow[] => {
      const d = details.get(p.id);
      return d ? [{ ...d, status: p.status, at: p.at }] : [];
    }),
  };
}

type AlertDetail = Omit<AlertRow, 'status' | 'at'>;

/** Outages read at a time when the alerts of a window are counted. */
const ALERT_CHUNK = 10_000;

const CHECK_COLUMNS = [
  'id',
  'at',
  'location',
  'ok',
  'status_code',
  'total_ms',
  'dns_ms',
  'connect_ms',
  'tls_ms',
  'ttfb_ms',
  'error',
] as const;

/** One page of a monitor's raw check results, newest first; level info = passed, error = failed. */
export async function checkLogs(ctx: ActorCtx, uuid: string, f: { page: number; limit: number; levels?: string[] }) {
  const m = await getMonitor(ctx, uuid);
  const levels = f.levels?.length ? f.levels : ['info', 'warn', 'error'];
  const oks = [...(levels.includes('info') ? [1] : []), ...(levels.includes('error') ? [0] : [])];
  if (oks.length === 0) return { monitor: m, total: 0, checks: [] };
  // Counted from keys: every result of the monitor (the key range of check_results), its failures
  // (check_results_failures, migration 021), passes as the difference; a week of results in 18
  // regions is a million rows, which the filter on `ok` would read one by one.
  const all = ctx.store.db.selectFrom('check_results').where('monitor_id', '=', m.id);
  const count = async (q: typeof all) =>
    Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const q = oks.length === 2 ? all : all.where('ok', '=', oks[0]);
  const total =
    oks.length === 2
      ? await count(all)
      : oks[0] === 0
        ? await count(q)
        : (await count(all)) - (await count(all.where('ok', '=', 0)));
  const checks = await q
    .select(CHECK_COLUMNS)
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(f.limit)
    .offset(f.page * f.limit)
    .execute();
  return { monitor: m, total, checks };
}

/** Raw checks looked at for anomalies: the last day, at most this many. */
export const ANOMALY_WINDOW_MS = DAY;
export const ANOMALY_MAX_CHECKS = 10_000;

/** Failed checks and latency spikes of a monitor's last day of raw results (domain/insights.ts). */
export async function monitorAnomalies(
  ctx: ActorCtx,
  uuid: string,
): Promise<{ monitor: Monitor; from: number; to: number; checked: number; p95: number | null; anomalies: Anomaly[] }> {
  const m = await getMonitor(ctx, uuid);
  const to = ctx.clock();
  const from = to - ANOMALY_WINDOW_MS;
  const rows = await ctx.store.db
    .selectFrom('check_results')
    .select(['id', 'at', 'ok', 'total_ms', 'location', 'status_code', 'error'])
    .where('monitor_id', '=', m.id)
    .where('at', '>=', from)
    .orderBy('at', 'desc')
    .limit(ANOMALY_MAX_CHECKS)
    .execute();
  const samples = rows.map((r) => ({
    id: Number(r.id),
    at: Number(r.at),
    ok: r.ok === 1,
    totalMs: r.total_ms,
    location: r.location,
    statusCode: r.status_code,
    error: r.error,
  }));
  return { monitor: m, from, to, checked: samples.length, ...findAnomalies(samples) };
}

/** Check results this long before an outage's start and after its end belong to its timeline. */
export const TIMELINE_MARGIN_MS = 10 * 60_000;
export const TIMELINE_MAX_CHECKS = 500;

/** An outage with the raw check results of its monitor around it (oldest first). */
export async function outageTimeline(ctx: ActorCtx, uuid: string) {
  const outage = await getOutage(ctx, uuid);
  const end = (outage.ended_at ?? ctx.clock()) + TIMELINE_MARGIN_MS;
  const checks =
    outage.monitor_id === null
      ? []
      : await ctx.store.db
          .selectFrom('check_results')
          .select(CHECK_COLUMNS)
          .where('monitor_id', '=', outage.monitor_id)
          .where('at', '>=', outage.started_at - TIMELINE_MARGIN_MS)
          .where('at', '<=', end)
          .orderBy('at')
          .orderBy('id')
          .limit(TIMELINE_MAX_CHECKS)
          .execute();
  return { outage, checks };
}

/** One page (20, newest first) of one monitor's outages. */
export async function monitorOutages(
  ctx: ActorCtx,
  monitorUuid: string,
  f: { page: number; perPage: number; status: 'all' | 'ongoing' | 'resolved' },
) {
  const m = await getMonitor(ctx, monitorUuid);
  const base = ctx.store.db
    .selectFrom('outages')
    .where('project_id', '=', ctx.actor.projectId)
    .where('monitor_id', '=', m.id);
  let q = base;
  if (f.status === 'ongoing') q = q.where('ended_at', 'is', null);
  if (f.status === 'resolved') q = q.where('ended_at', 'is not', null);
  const [{ total }] = await q.select((eb) => eb.fn.countAll<number>().as('total')).execute();
  const [{ ongoing }] = await base
    .where('ended_at', 'is', null)
    .select((eb) => eb.fn.countAll<number>().as('ongoing'))
    .execute();
  const uuids = await q
    .select('uuid')
    .orderBy('id', 'desc')
    .limit(f.perPage)
    .offset(f.page * f.perPage)
    .execute();
  const outages: Outage[] = [];
  for (const { uuid } of uuids) {
    try {
      outages.push(await getOutage(ctx, uuid));
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err; // deleted meanwhile
    }
  }
  return { outages, total: Number(total), ongoingCount: Number(ongoing) };
}

/** Counts of the project's monitors by state; a monitor is up from creation, so none is unknown. */
export async function statusSummary(ctx: ActorCtx) {
  const monitors = await monitorOutlines(ctx);
  const active = monitors.filter((m) => !m.paused);
  const down = active.filter((m) => m.status === 'down');
  const paused = monitors.filter((m) => m.paused);
  return {
    total: monitors.length,
    up: active.length - down.length,
    down: down.length,
    paused: paused.length,
    unknown: 0,
    down_monitors: down.map((m) => m.uuid),
    paused_monitors: paused.map((m) => m.uuid),
  };
}
