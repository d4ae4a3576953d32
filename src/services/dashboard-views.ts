import { sql, type Expression, type SqlBool } from 'kysely';
import { DAY, HISTOGRAM_COLUMNS, HOUR, bucketStart } from '../domain/rollups.ts';
import type { ActorCtx } from './context.ts';
import { listIntegrations } from './integrations.ts';
import { listPolicies, memberEmails } from './escalation-policies.ts';
import { listStatusPages } from './statuspages.ts';
import { probeRegions } from './probes.ts';
import type { Incident } from './incidents.ts';

/**
 * Read models of the dashboard's screens: what one page shows, in one call from its handler.
 * Each screen costs a fixed number of queries whatever the size of the project: the monitor
 * list reads one page of monitors and then the rollups and last results of that page only, in
 * batches; a monitor picker lists every monitor only up to PICKER_LIMIT.
 */

export const MONITORS_PER_PAGE = 50;
export const SPARK_HOURS = 24;
/** Checks shown as beats: in each row of the list, and on the monitor's page. */
export const LIST_BEATS = 30;
export const PAGE_BEATS = 90;
export const STATUS_FILTERS = ['all', 'up', 'down', 'pending', 'paused'] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];
/** `pending`: not paused, and no result stored yet (never "up" before it was checked). */
export type MonitorState = 'up' | 'down' | 'pending' | 'paused';

/** One stored check as a beat of the bar: when, from where, passed or failed, and its response time. */
export interface Beat {
  at: number;
  ok: boolean;
  /** null for a failure, or when not measured. */
  ms: number | null;
  location: string;
}

export interface MonitorListRow {
  id: number;
  uuid: string;
  name: string;
  url: string;
  protocol: string;
  port: number | null;
  regions: string[];
  state: MonitorState;
  lastMs: number | null;
  lastAt: number | null;
  lastOk: boolean | null;
  /** Share of successful checks in the last SPARK_HOURS hours; null without checks. */
  uptime24h: number | null;
  /** Mean response time (ms) per hour, oldest first; null where no timed check ran. */
  hours: (number | null)[];
  /** The latest LIST_BEATS checks, oldest first. */
  beats: Beat[];
}

export interface MonitorListPage {
  rows: MonitorListRow[];
  /** Monitors matching the search, by state (the status filter's counts). */
  counts: Record<StatusFilter, number>;
  page: number;
  pages: number;
  firstHour: number;
  /** Regions a live regional probe of the project serves now (domain/quorum.ts checkLocations). */
  probed: string[];
}

/** The list's orders (?sort=): state (down, pending, up, paused), name, last response time, 24 h uptime. */
export const MONITOR_SORTS = ['status', 'name', 'response', 'uptime'] as const;
export type MonitorSort = (typeof MONITOR_SORTS)[number];
export type SortDir = 'asc' | 'desc';

// Samples are the histogram counts: only successful checks with a timing add to sum_ms.
const SAMPLES = sql<number>`${sql.join(
  HISTOGRAM_COLUMNS.map((c) => sql.ref(c)),
  sql` + `,
)}`;

const likeTerm = (s: string) => `%${s.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function searchWhere(search: string): Expression<SqlBool> {
  const term = likeTerm(search);
  return sql<SqlBool>`(lower(m.name) LIKE ${term} ESCAPE '\\' OR lower(m.url) LIKE ${term} ESCAPE '\\')`;
}

// Whether a monitor (of table alias `a`) has any stored result (one probe of its key, monitor_id first).
const checkedOf = (a: string) =>
  sql<SqlBool>`EXISTS (SELECT 1 FROM check_results c WHERE c.monitor_id = ${sql.ref(`${a}.id`)})`;
const CHECKED = checkedOf('m');

function stateWhere(status: StatusFilter): Expression<SqlBool> | null {
  if (status === 'paused') return sql<SqlBool>`m.paused = 1`;
  if (status === 'pending') return sql<SqlBool>`m.paused = 0 AND NOT ${CHECKED}`;
  if (status === 'up' || status === 'down') return sql<SqlBool>`m.paused = 0 AND m.status = ${status} AND ${CHECKED}`;
  return null;
}

/**
 * What the list shows of its monitors' past, in one statement (a page costs the same few
 * queries whatever it shows): their hourly rollups since `firstHour` (`kind` 'hour': checks,
 * failures, summed and sampled times as a to d), and each one's latest LIST_BEATS checks (`kind`
 * 'check': ok and time as a and b; one index probe per monitor). `ids` are the caller's project's.
 */
function pageHistory(ctx: ActorCtx, ids: number[], firstHour: number) {
  if (ids.length === 0) return Promise.resolve([]);
  const db = ctx.store.db;
  const none = sql<number | null>`NULL`;
  const hours = db
    .selectFrom('check_rollups')
    .select([
      sql<string>`'hour'`.as('kind'),
      'monitor_id',
      'bucket as at',
      (eb) => eb.fn.sum<number>('checks').as('a'),
      (eb) => eb.fn.sum<number | null>('failures').as('b'),
      (eb) => eb.fn.sum<number | null>('sum_ms').as('c'),
      (eb) => eb.fn.sum<number | null>(SAMPLES).as('d'),
      sql<string | null>`NULL`.as('location'),
    ])
    .where('granularity', '=', 'hour')
    .where('monitor_id', 'in', ids)
    .where('bucket', '>=', firstHour)
    .groupBy(['monitor_id', 'bucket']);
  const latest = (id: number) =>
    db
      .selectFrom((eb) =>
        eb
          .selectFrom('check_results')
          .select(['monitor_id', 'at', 'ok', 'total_ms', 'location'])
          .where('monitor_id', '=', id)
          .orderBy('at', 'desc')
          .orderBy('id', 'desc')
          .limit(LIST_BEATS)
          .as('r'),
      )
      .select([
        sql<string>`'check'`.as('kind'),
        'r.monitor_id',
        'r.at',
        'r.ok as a',
        'r.total_ms as b',
        none.as('c'),
        none.as('d'),
        'r.location',
      ]);
  return ids.reduce((q, id) => q.unionAll(latest(id)), hours).execute();
}

/**
 * ORDER BY of the list for table alias `a`, the same for the page's ids and its rows. Monitors
 * without a figure (never checked, last check failed, no checks in 24 h) come last either way;
 * ties go by name.
 */
function listOrder(a: string, sort: MonitorSort, dir: SortDir, firstHour: number) {
  const col = (c: string) => sql.ref(`${a}.${c}`);
  const d = sql.raw(dir === 'desc' ? 'DESC' : 'ASC');
  const byName = [
    sql`lower(${col('name')}) ${sort === 'name' ? d : sql.raw('ASC')}`,
    sql`${col('id')} ${sort === 'name' ? d : sql.raw('ASC')}`,
  ];
  const nullsLast = (v: ReturnType<typeof sql>) => [sql`CASE WHEN ${v} IS NULL THEN 1 ELSE 0 END`, sql`${v} ${d}`];
  if (sort === 'status') {
    return [
      sql`CASE WHEN ${col('paused')} = 1 THEN 3 WHEN NOT ${checkedOf(a)} THEN 1 WHEN ${col('status')} = 'down' THEN 0 ELSE 2 END ${d}`,
      ...byName,
    ];
  }
  if (sort === 'response') {
    return [
      ...nullsLast(
        sql`(SELECT CASE WHEN r.ok = 1 THEN r.total_ms END FROM check_results r WHERE r.monitor_id = ${col('id')} ORDER BY r.at DESC LIMIT 1)`,
      ),
      ...byName,
    ];
  }
  if (sort === 'uptime') {
    return [
      ...nullsLast(sql`(SELECT 1.0 * (SUM(u.checks) - SUM(u.failures)) / NULLIF(SUM(u.checks), 0) FROM check_rollups u
      WHERE u.monitor_id = ${col('id')} AND u.granularity = 'hour' AND u.bucket >= ${firstHour})`),
      ...byName,
    ];
  }
  return byName;
}

/**
 * One page of the project's monitors in the order asked (by name unless told), with what the
 * list shows of each, and the regions live probes serve: four queries whatever the project's size
 * (counts, live probes, the page's rows, and their rollups and latest checks together).
 */
export async function monitorListPage(
  ctx: ActorCtx,
  q: {
    search: string;
    status: StatusFilter;
    page: number;
    perPage?: number;
    sort?: MonitorSort;
    dir?: SortDir;
    probeLiveMs: number;
  },
): Promise<MonitorListPage> {
  const db = ctx.store.db;
  const perPage = q.perPage ?? MONITORS_PER_PAGE;
  const sort = q.sort ?? 'name';
  const dir = q.dir ?? 'asc';
  const search = q.search.trim();
  const now = ctx.clock();
  const firstHour = bucketStart(now, HOUR) - (SPARK_HOURS - 1) * HOUR;
  let base = db.selectFrom('monitors as m').where('m.project_id', '=', ctx.actor.projectId);
  if (search) base = base.where(searchWhere(search));

  const checked = sql<number>`CASE WHEN ${CHECKED} THEN 1 ELSE 0 END`;
  const [groups, probes] = await Promise.all([
    base
      .select(['m.paused', 'm.status', checked.as('checked'), (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy(['m.paused', 'm.status', checked])
      .execute(),
    probeRegions(ctx, q.probeLiveMs),
  ]);
  const counts: Record<StatusFilter, number> = { all: 0, up: 0, down: 0, pending: 0, paused: 0 };
  for (const g of groups) {
    const n = Number(g.n);
    counts.all += n;
    counts[g.paused ? 'paused' : Number(g.checked) === 0 ? 'pending' : g.status === 'down' ? 'down' : 'up'] += n;
  }
  const pages = Math.max(1, Math.ceil(counts[q.status] / perPage));
  const page = Math.min(Math.max(1, q.page), pages);

  const filter = stateWhere(q.status);
  // The page's ids are chosen first (from the name index alone when nothing filters or sorts
  // otherwise), then only those rows are read: PostgreSQL would otherwise evaluate the
  // sort's subqueries for every row the OFFSET skips.
  let ids = (filter ? base.where(filter) : base).select('m.id');
  for (const o of listOrder('m', sort, dir, firstHour)) ids = ids.orderBy(o);
  let pageRows = db
    .selectFrom('monitors as p')
    .select(['p.id', 'p.uuid', 'p.name', 'p.url', 'p.protocol', 'p.port', 'p.regions', 'p.status', 'p.paused'])
    .where('p.id', 'in', ids.limit(perPage).offset((page - 1) * perPage));
  for (const o of listOrder('p', sort, dir, firstHour)) pageRows = pageRows.orderBy(o);
  const rows = (await pageRows.execute()) as unknown as ListSqlRow[];

  const byId = new Map<number, MonitorListRow>();
  const out = rows.map((r) => {
    const row: MonitorListRow = {
      id: Number(r.id),
      uuid: r.uuid,
      name: r.name,
      url: r.url,
      protocol: r.protocol,
      port: r.port,
      regions: JSON.parse(r.regions),
      state: 'pending',
      lastMs: null,
      lastAt: null,
      lastOk: null,
      uptime24h: null,
      hours: new Array(SPARK_HOURS).fill(null),
      beats: [],
    };
    byId.set(row.id, row);
    return row;
  });
  const totals = new Map<number, [number, number]>();
  for (const h of await pageHistory(ctx, [...byId.keys()], firstHour)) {
    const id = Number(h.monitor_id);
    const row = byId.get(id)!;
    if (h.kind === 'check') {
      const ok = Number(h.a) === 1;
      row.beats.push({ at: Number(h.at), ok, ms: ok ? num(h.b) : null, location: String(h.location) });
      continue;
    }
    const i = Math.floor((Number(h.at) - firstHour) / HOUR);
    if (i < 0 || i >= SPARK_HOURS) continue;
    if (Number(h.d) > 0) row.hours[i] = Math.round(Number(h.c) / Number(h.d));
    const t = totals.get(id) ?? [0, 0];
    t[0] += Number(h.a);
    t[1] += Number(h.b);
    totals.set(id, t);
  }
  for (const [id, [checks, failures]] of totals) if (checks > 0) byId.get(id)!.uptime24h = (checks - failures) / checks;
  // The latest check gives the last response, and says whether the monitor was ever checked.
  for (const [i, row] of out.entries()) {
    row.beats.sort((x, y) => x.at - y.at);
    const last = row.beats.at(-1);
    const r = rows[i];
    row.state = r.paused ? 'paused' : !last ? 'pending' : r.status === 'down' ? 'down' : 'up';
    row.lastMs = last?.ms ?? null;
    row.lastAt = last?.at ?? null;
    row.lastOk = last ? last.ok : null;
  }
  return { rows: out, counts, page, pages, firstHour, probed: probes.filter((p) => p.live).map((p) => p.region) };
}

interface ListSqlRow {
  id: number;
  uuid: string;
  name: string;
  url: string;
  protocol: string;
  port: number | null;
  regions: string;
  status: string;
  paused: number;
}

// ---- the monitor page ----

export const UPTIME_WINDOWS = [
  { key: '24h', label: '24 hours', granularity: 'hour', buckets: 24 },
  { key: '7d', label: '7 days', granularity: 'hour', buckets: 7 * 24 },
  { key: '30d', label: '30 days', granularity: 'day', buckets: 30 },
  { key: '90d', label: '90 days', granularity: 'day', buckets: 90 },
] as const;

export interface UptimeFigure {
  key: string;
  label: string;
  checks: number;
  failures: number;
  /** null without checks in the window. */
  ratio: number | null;
}

/**
 * Uptime over the windows of UPTIME_WINDOWS in one query: hourly rollups for the short ones
 * (the current hour counts), daily rollups (UTC days, today included) for the long ones.
 */
export async function monitorUptime(ctx: ActorCtx, monitorId: number): Promise<UptimeFigure[]> {
  const now = ctx.clock();
  const starts = UPTIME_WINDOWS.map((w) => {
    const size = w.granularity === 'hour' ? HOUR : DAY;
    return bucketStart(now, size) - (w.buckets - 1) * size;
  });
  const hourFrom = Math.min(...starts.filter((_, i) => UPTIME_WINDOWS[i].granularity === 'hour'));
  const dayFrom = Math.min(...starts.filter((_, i) => UPTIME_WINDOWS[i].granularity === 'day'));
  const sums = UPTIME_WINDOWS.flatMap((w, i) => {
    const inside = sql`granularity = ${w.granularity} AND bucket >= ${starts[i]}`;
    return [
      sql<number>`SUM(CASE WHEN ${inside} THEN checks ELSE 0 END)`.as(`c${i}`),
      sql<number>`SUM(CASE WHEN ${inside} THEN failures ELSE 0 END)`.as(`f${i}`),
    ];
  });
  const row = (await ctx.store.db
    .selectFrom('check_rollups')
    .select(sums)
    .where('monitor_id', '=', monitorId)
    .where((eb) =>
      eb.or([
        eb.and([eb('granularity', '=', 'hour'), eb('bucket', '>=', hourFrom)]),
        eb.and([eb('granularity', '=', 'day'), eb('bucket', '>=', dayFrom)]),
      ]),
    )
    .executeTakeFirst()) as Record<string, number | null> | undefined;
  return UPTIME_WINDOWS.map((w, i) => {
    const checks = Number(row?.[`c${i}`] ?? 0);
    const failures = Number(row?.[`f${i}`] ?? 0);
    return { key: w.key, label: w.label, checks, failures, ratio: checks > 0 ? (checks - failures) / checks : null };
  });
}

export const CHART_PERIODS = {
  '1h': { label: '1 hour', span: HOUR, slots: 60 },
  '24h': { label: '24 hours', span: DAY, slots: 96 },
  '7d': { label: '7 days', span: 7 * DAY, slots: 168 },
  '30d': { label: '30 days', span: 30 * DAY, slots: 180 },
} as const;
export type ChartPeriod = keyof typeof CHART_PERIODS;

/** Mean timings of the checks in one slot of a chart (phases null when not measured). */
export interface SlotFigure {
  count: number;
  total: number;
  dns: number | null;
  connect: number | null;
  tls: number | null;
  ttfb: number | null;
}

export interface ResponseSeries {
  period: ChartPeriod;
  from: number;
  to: number;
  slotMs: number;
  /** 'raw': check results with phases; 'hourly': rollup means, phases unavailable. */
  source: 'raw' | 'hourly';
  /** One series per location the checks ran from, by name. */
  locations: { location: string; slots: (SlotFigure | null)[] }[];
}

const num = (v: unknown) => (v == null ? null : Number(v));

/**
 * Response times of one monitor over a period, per location, averaged into slots. Periods within
 * the raw retention read check results (with the DNS/connect/TLS/first-byte phases); longer
 * ones read hourly rollup totals, where the phases were never kept.
 */
export async function responseSeries(
  ctx: ActorCtx,
  monitorId: number,
  period: ChartPeriod,
  rawRetentionDays: number,
): Promise<ResponseSeries> {
  const p = CHART_PERIODS[period];
  const slotMs = p.span / p.slots;
  const to = bucketStart(ctx.clock(), slotMs) + slotMs;
  const from = to - p.span;
  const source = p.span <= rawRetentionDays * DAY ? 'raw' : 'hourly';
  const series = new Map<string, (SlotFigure | null)[]>();
  const put = (location: string, slot: number, f: SlotFigure) => {
    if (slot < 0 || slot >= p.slots) return;
    let list = series.get(location);
    if (!list) series.set(location, (list = new Array(p.slots).fill(null)));
    list[slot] = f;
  };
  const db = ctx.store.db;
  const slotOf = (col: 'at' | 'bucket') => sql<number>`(${sql.ref(col)} - ${sql.lit(from)}) / ${sql.lit(slotMs)}`;
  if (source === 'raw') {
    const rows = await db
      .selectFrom('check_results')
      .select([
        'location',
        slotOf('at').as('slot'),
        (eb) => eb.fn.countAll<number>().as('n'),
        (eb) => eb.fn.avg<number>('total_ms').as('total'),
        (eb) => eb.fn.avg<number>('dns_ms').as('dns'),
        (eb) => eb.fn.avg<number>('connect_ms').as('connect'),
        (eb) => eb.fn.avg<number>('tls_ms').as('tls'),
        (eb) => eb.fn.avg<number>('ttfb_ms').as('ttfb'),
      ])
      .where('monitor_id', '=', monitorId)
      .where('at', '>=', from)
      .where('at', '<', to)
      .where('ok', '=', 1)
      .where('total_ms', 'is not', null)
      .groupBy(['location', 'slot'])
      .execute();
    for (const r of rows) {
      put(r.location, Math.floor(Number(r.slot)), {
        count: Number(r.n),
        total: Number(r.total),
        dns: num(r.dns),
        connect: num(r.connect),
        tls: num(r.tls),
        ttfb: num(r.ttfb),
      });
    }
  } else {
    const rows = await db
      .selectFrom('check_rollups')
      .select([
        'location',
        slotOf('bucket').as('slot'),
        (eb) => eb.fn.sum<number>('sum_ms').as('sum_ms'),
        (eb) => eb.fn.sum<number>(SAMPLES).as('samples'),
      ])
      .where('monitor_id', '=', monitorId)
      .where('granularity', '=', 'hour')
      .where('bucket', '>=', from)
      .where('bucket', '<', to)
      .groupBy(['location', 'slot'])
      .execute();
    for (const r of rows) {
      const n = Number(r.samples);
      if (n > 0)
        put(r.location, Math.floor(Number(r.slot)), {
          count: n,
          total: Number(r.sum_ms) / n,
          dns: null,
          connect: null,
          tls: null,
          ttfb: null,
        });
    }
  }
  const locations = [...series.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([location, slots]) => ({ location, slots }));
  return { period, from, to, slotMs, source, locations };
}

export interface CheckRow {
  at: number;
  location: string;
  ok: boolean;
  statusCode: number | null;
  totalMs: number | null;
  error: string | null;
}

export async function recentChecks(ctx: ActorCtx, monitorId: number, limit = 20): Promise<CheckRow[]> {
  const rows = await ctx.store.db
    .selectFrom('check_results')
    .select(['at', 'location', 'ok', 'status_code', 'total_ms', 'error'])
    .where('monitor_id', '=', monitorId)
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    at: Number(r.at),
    location: r.location,
    ok: r.ok === 1,
    statusCode: r.status_code,
    totalMs: num(r.total_ms),
    error: r.error,
  }));
}

export interface MonitorOutageRow {
  uuid: string;
  startedAt: number;
  endedAt: number | null;
  statusCode: number;
  description: string;
  acknowledgedAt: number | null;
}

/** The monitor's latest outages, newest first, and how many it has in all. */
export async function latestOutages(
  ctx: ActorCtx,
  monitorId: number,
  limit = 10,
): Promise<{ outages: MonitorOutageRow[]; total: number }> {
  const base = ctx.store.db
    .selectFrom('outages')
    .where('project_id', '=', ctx.actor.projectId)
    .where('monitor_id', '=', monitorId);
  const [[{ total }], rows] = await Promise.all([
    base.select((eb) => eb.fn.countAll<number>().as('total')).execute(),
    base
      .select(['uuid', 'started_at', 'ended_at', 'status_code', 'description', 'acknowledged_at'])
      .orderBy('started_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute(),
  ]);
  return {
    total: Number(total),
    outages: rows.map((r) => ({
      uuid: r.uuid,
      startedAt: Number(r.started_at),
      endedAt: num(r.ended_at),
      statusCode: r.status_code,
      description: r.description,
      acknowledgedAt: num(r.acknowledged_at),
    })),
  };
}

/**
 * What the monitor page shows below the monitor: uptime, response times over `period`, the
 * latest checks (20 in the table, PAGE_BEATS as beats: one query) and outages, and the regions live probes serve (where its checks run).
 */
export async function monitorActivity(
  ctx: ActorCtx,
  monitorId: number,
  period: ChartPeriod,
  rawRetentionDays: number,
  probeLiveMs: number,
) {
  const [uptime, series, recent, outages, probes] = await Promise.all([
    monitorUptime(ctx, monitorId),
    responseSeries(ctx, monitorId, period, rawRetentionDays),
    recentChecks(ctx, monitorId, PAGE_BEATS),
    latestOutages(ctx, monitorId, 10),
    probeRegions(ctx, probeLiveMs),
  ]);
  const beats: Beat[] = recent
    .map((c) => ({ at: c.at, ok: c.ok, ms: c.ok ? c.totalMs : null, location: c.location }))
    .reverse();
  return {
    uptime,
    series,
    checks: recent.slice(0, 20),
    beats,
    outages,
    probed: probes.filter((p) => p.live).map((p) => p.region),
  };
}

/** Names of some of the project's monitors by uuid (others are left out). */
export async function monitorNames(ctx: ActorCtx, uuids: string[]): Promise<Map<string, string>> {
  if (uuids.length === 0) return new Map();
  const rows = await ctx.store.db
    .selectFrom('monitors')
    .select(['uuid', 'name'])
    .where('project_id', '=', ctx.actor.projectId)
    .where('uuid', 'in', uuids.slice(0, 500))
    .execute();
  return new Map(rows.map((r) => [r.uuid, r.name]));
}

export interface MonitorChoice {
  uuid: string;
  name: string;
  url: string;
}

/** The project's monitors by name (the first `limit`), for the forms that choose monitors (not heartbeat checks). */
export async function monitorChoices(ctx: ActorCtx, limit?: number): Promise<MonitorChoice[]> {
  let q = ctx.store.db
    .selectFrom('monitors')
    .select(['uuid', 'name', 'url'])
    .where('project_id', '=', ctx.actor.projectId)
    .orderBy(sql`lower(name)`)
    .orderBy('id');
  if (limit !== undefined) q = q.limit(limit);
  return q.execute();
}

/** Some monitors of the project, in the order of `uuids` (unknown ones left out). */
export async function monitorChoicesOf(ctx: ActorCtx, uuids: string[]): Promise<MonitorChoice[]> {
  if (uuids.length === 0) return [];
  const rows = await ctx.store.db
    .selectFrom('monitors')
    .select(['uuid', 'name', 'url'])
    .where('project_id', '=', ctx.actor.projectId)
    .where('uuid', 'in', uuids.slice(0, 500))
    .execute();
  const byUuid = new Map(rows.map((r) => [r.uuid, r]));
  return uuids.flatMap((u) => byUuid.get(u) ?? []);
}

/** The first `limit` monitors whose name contains `search` (any case), by name. */
export async function searchMonitorChoices(ctx: ActorCtx, search: string, limit: number): Promise<MonitorChoice[]> {
  return ctx.store.db
    .selectFrom('monitors')
    .select(['uuid', 'name', 'url'])
    .where('project_id', '=', ctx.actor.projectId)
    .where(sql<SqlBool>`lower(name) LIKE ${likeTerm(search)} ESCAPE '\\'`)
    .orderBy(sql`lower(name)`)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Past this many monitors a picker lists the chosen ones and a search box, not every monitor. */
export const PICKER_LIMIT = 200;
/** A picker's search shows at most this many matches. */
export const PICKER_MATCHES = 50;

/** One monitor picker of a form: its field, the monitors chosen in it, and the text of its search box. */
export interface PickerAsk {
  name: string;
  chosen: string[];
  search: string;
}

/** What one picker offers: its monitors, and at scale its search box's value and match count. */
export interface PickerList {
  monitors: MonitorChoice[];
  search?: { value: string; matches: number | null };
}

/**
 * The monitors each picker of a form lists: every monitor of the project when it has at most
 * PICKER_LIMIT; past that, each picker's chosen monitors, then the matches of its search.
 */
export async function monitorPickers(ctx: ActorCtx, asks: PickerAsk[]): Promise<Map<string, PickerList>> {
  const first = await monitorChoices(ctx, PICKER_LIMIT + 1);
  const all = first.length > PICKER_LIMIT ? null : first;
  const lists = new Map<string, PickerList>();
  await Promise.all(
    asks.map(async (ask) => {
      lists.set(ask.name, all ? { monitors: all } : await searchedPicker(ctx, ask));
    }),
  );
  return lists;
}

async function searchedPicker(ctx: ActorCtx, ask: PickerAsk): Promise<PickerList> {
  const [picked, found] = await Promise.all([
    monitorChoicesOf(ctx, ask.chosen),
    ask.search ? searchMonitorChoices(ctx, ask.search, PICKER_MATCHES) : null,
  ]);
  const known = new Set(picked.map((m) => m.uuid));
  return {
    monitors: [...picked, ...(found ?? []).filter((m) => !known.has(m.uuid))],
    search: { value: ask.search, matches: found ? found.length : null },
  };
}

/** The project's status pages by name and uuid (the first 200), for the forms that choose some. */
async function statusPageNames(ctx: ActorCtx): Promise<{ uuid: string; name: string }[]> {
  return (await listStatusPages(ctx, { page: 0, perPage: 200 })).pages.map((x) => ({
    uuid: x.row.uuid,
    name: x.row.name,
  }));
}

/** The choices of the incident and maintenance forms: the status pages, and the monitor pickers. */
export async function monitorAndStatusPageChoices(ctx: ActorCtx, asks: PickerAsk[]) {
  const [statusPages, pickers] = await Promise.all([statusPageNames(ctx), monitorPickers(ctx, asks)]);
  return { statusPages, pickers };
}

/** The choices of the outage form: the monitor picker, and the escalation policies. */
export async function outageFormChoices(ctx: ActorCtx, asks: PickerAsk[]) {
  const [pickers, policies] = await Promise.all([monitorPickers(ctx, asks), listPolicies(ctx)]);
  return { pickers, policies };
}

/** What the incident page names besides the incident: its monitors and the project's status pages. */
export async function incidentLinks(ctx: ActorCtx, incident: Incident) {
  const [names, statusPages] = await Promise.all([
    monitorNames(ctx, incident.affectedComponents),
    statusPageNames(ctx),
  ]);
  return { monitorNames: names, statusPages };
}

/** The alerting overview: the project's channels and escalation policies. */
export async function alertingOverview(ctx: ActorCtx) {
  const [channels, policies] = await Promise.all([listIntegrations(ctx), listPolicies(ctx)]);
  return { channels, policies };
}

/**
 * What a new channel's form offers while the project has no channel yet: to alert on all its
 * monitors through the default policy (named here when there is one). Null once it has a channel.
 */
export async function firstChannelOffer(ctx: ActorCtx): Promise<{ defaultPolicy: string | null } | null> {
  const db = ctx.store.db;
  const [channel, policy] = await Promise.all([
    db
      .selectFrom('notification_channels')
      .select('id')
      .where('project_id', '=', ctx.actor.projectId)
      .limit(1)
      .executeTakeFirst(),
    db
      .selectFrom('escalation_policies')
      .select('name')
      .where('project_id', '=', ctx.actor.projectId)
      .where('is_default', '=', 1)
      .executeTakeFirst(),
  ]);
  return channel ? null : { defaultPolicy: policy?.name ?? null };
}

/** The choices of the escalation policy form: the channels, and the members' emails. */
export async function policyFormChoices(ctx: ActorCtx) {
  const [channels, members] = await Promise.all([listIntegrations(ctx), memberEmails(ctx)]);
  return { channels, members };
}

/**
 * Whether the project has monitors or heartbeat checks but nothing would alert anyone about them:
 * no escalation policy in use (the project default, or one a check links) has a step with an
 * enabled channel, or an email while mail is set up (VIGIL_SMTP_URL).
 */
export async function alertsNobody(ctx: ActorCtx): Promise<boolean> {
  const db = ctx.store.db;
  const projectId = ctx.actor.projectId;
  const checks = await db
    .selectFrom('monitors')
    .select('id')
    .where('project_id', '=', projectId)
    .union(db.selectFrom('healthchecks').select('id').where('project_id', '=', projectId))
    .limit(1)
    .execute();
  if (checks.length === 0) return false;
  const linked = db
    .selectFrom('monitors')
    .select('escalation_policy_id')
    .where('project_id', '=', projectId)
    .where('escalation_policy_id', 'is not', null)
    .union(
      db
        .selectFrom('healthchecks')
        .select('escalation_policy_id')
        .where('project_id', '=', projectId)
        .where('escalation_policy_id', 'is not', null),
    );
  const policies = await db
    .selectFrom('escalation_policies')
    .select('steps')
    .where('project_id', '=', projectId)
    .where((eb) => eb.or([eb('is_default', '=', 1), eb('id', 'in', linked)]))
    .execute();
  const enabled = new Set(
    (
      await db
        .selectFrom('notification_channels')
        .select('uuid')
        .where('project_id', '=', projectId)
        .where('disabled_at', 'is', null)
        .execute()
    ).map((c) => c.uuid),
  );
  const reaches = (step: { integrations?: string[]; emails?: string[] }) =>
    (step.integrations ?? []).some((u) => enabled.has(u)) ||
    (ctx.emailEnabled === true && (step.emails ?? []).length > 0);
  return !policies.some((p) => (JSON.parse(p.steps) as { integrations?: string[]; emails?: string[] }[]).some(reaches));
}
