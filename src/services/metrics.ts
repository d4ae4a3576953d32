/** What GET /metrics reports about monitors, heartbeats and outages: one read of the database. */
import { DAY, bucketStart } from '../domain/rollups.ts';
import { yieldToLoop, type Ctx } from './context.ts';

export interface MonitorSnapshot {
  uuid: string;
  name: string;
  protocol: string;
  project: string;
  paused: boolean;
  up: boolean;
  checkFrequency: number;
  sslDays: number | null;
  outageActive: boolean;
  /** The last measured response time, in ms. */
  lastResponseMs: number | null;
  /** Checks and failures per location since `countedSince`, from the daily rollups. */
  counts: { location: string; checks: number; failures: number }[];
}

export interface MetricsSnapshot {
  projects: { uuid: string; monitors: number; healthchecks: number; openOutages: number }[];
  monitors: MonitorSnapshot[];
  healthchecks: { uuid: string; name: string; project: string; paused: boolean; up: boolean }[];
  /** Outbox rows waiting for delivery (retries included) and the age of the oldest, in seconds (0 when none). */
  outbox: { pending: number; oldestPendingSeconds: number };
}

/** Monitors read at a time by metricsSnapshot. */
export const SNAPSHOT_PAGE = 500;

interface MonitorRow {
  id: number;
  uuid: string;
  name: string;
  protocol: string;
  project_id: number;
  paused: number;
  check_frequency: number;
  last_ms: number | null;
}
interface CountRow {
  monitor_id: number;
  location: string;
  checks: number;
  failures: number;
}

/**
 * The state of every monitor and heartbeat check, of one project or of all of them. Check
 * counts add up the daily rollups from the UTC day `countedSince` falls in, so they only grow
 * while one process serves them (counters), whichever node ran the checks.
 */
export async function metricsSnapshot(
  ctx: Ctx,
  opts: { projectId?: number; countedSince: number; page?: number },
): Promise<MetricsSnapshot> {
  const db = ctx.store.db;
  const one = opts.projectId !== undefined;
  const pid = opts.projectId ?? 0;
  const projects = await db
    .selectFrom('projects')
    .select(['id', 'uuid'])
    .$if(one, (q) => q.where('id', '=', pid))
    .orderBy('id')
    .execute();
  const projectUuid = new Map(projects.map((p) => [Number(p.id), p.uuid]));

  // Read SNAPSHOT_PAGE monitors at a time, the loop turning between reads: each monitor's
  // newest result and its rollups, for 10,000 monitors in one read, held the loop for 100 ms and more.
  const monitorRows: MonitorRow[] = [];
  const countRows: CountRow[] = [];
  for (let after = 0; ; ) {
    if (after > 0) await yieldToLoop();
    // The last response time comes from the newest timed result (the table's key, monitor_id and at first).
    const page = await db
      .selectFrom('monitors')
      .select((eb) => [
        'id',
        'uuid',
        'name',
        'protocol',
        'project_id',
        'paused',
        'check_frequency',
        eb
          .selectFrom('check_results')
          .select('total_ms')
          .whereRef('check_results.monitor_id', '=', 'monitors.id')
          .where('total_ms', 'is not', null)
          .orderBy('at', 'desc')
          .limit(1)
          .as('last_ms'),
      ])
      .$if(one, (q) => q.where('project_id', '=', pid))
      .where('id', '>', after)
      .orderBy('id')
      .limit(opts.page ?? SNAPSHOT_PAGE)
      .execute();
    if (page.length === 0) break;
    const last = page[page.length - 1].id;
    monitorRows.push(...page);
    countRows.push(
      ...(await db
        .selectFrom('check_rollups')
        .innerJoin('monitors', 'monitors.id', 'check_rollups.monitor_id')
        .select((eb) => [
          'check_rollups.monitor_id',
          'check_rollups.location',
          eb.fn.sum<number>('check_rollups.checks').as('checks'),
          eb.fn.sum<number>('check_rollups.failures').as('failures'),
        ])
        // The ids themselves, not their range: SQLite then seeks each monitor's day rollups in the
        // primary key instead of reading every day rollup since countedSince for each page.
        .where(
          'check_rollups.monitor_id',
          'in',
          page.map((m) => m.id),
        )
        .where('check_rollups.granularity', '=', 'day')
        .where('check_rollups.bucket', '>=', bucketStart(opts.countedSince, DAY))
        .$if(one, (q) => q.where('monitors.project_id', '=', pid))
        .groupBy(['check_rollups.monitor_id', 'check_rollups.location'])
        .execute()),
    );
    if (page.length < (opts.page ?? SNAPSHOT_PAGE)) break;
    after = last;
  }
  // status and ssl_expiration come from an index (migration 018): on SQLite they follow a
  // monitor's request body and headers in its row, which the read above never reaches.
  const down = new Set(
    (
      await db
        .selectFrom('monitors')
        .select('id')
        .where('status', '=', 'down')
        .$if(one, (q) => q.where('project_id', '=', pid))
        .execute()
    ).map((r) => Number(r.id)),
  );
  const ssl = new Map(
    (
      await db
        .selectFrom('monitors')
        .select(['id', 'ssl_expiration'])
        .where('ssl_expiration', 'is not', null)
        .$if(one, (q) => q.where('project_id', '=', pid))
        .execute()
    ).map((r) => [Number(r.id), r.ssl_expiration]),
  );
  const openRows = await db
    .selectFrom('outages')
    .select(['project_id', 'monitor_id'])
    .where('ended_at', 'is', null)
    .$if(one, (q) => q.where('project_id', '=', pid))
    .execute();
  const hcRows = await db
    .selectFrom('healthchecks')
    .select(['uuid', 'name', 'project_id', 'paused', 'is_down'])
    .$if(one, (q) => q.where('project_id', '=', pid))
    .orderBy('id')
    .execute();

  const pendingRow = await db
    .selectFrom('notifications')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('created_at').as('oldest')])
    .where('next_attempt_at', 'is not', null)
    .$if(one, (q) => q.where('project_id', '=', pid))
    .executeTakeFirst();
  const oldest = pendingRow?.oldest == null ? null : Number(pendingRow.oldest);

  const open = new Set(openRows.map((o) => Number(o.monitor_id)));
  const counts = new Map<number, MonitorSnapshot['counts']>();
  for (const r of countRows) {
    const id = Number(r.monitor_id);
    if (!counts.has(id)) counts.set(id, []);
    counts.get(id)!.push({ location: r.location, checks: Number(r.checks), failures: Number(r.failures) });
  }
  const monitors = monitorRows.map(
    (m): MonitorSnapshot => ({
      uuid: m.uuid,
      name: m.name,
      protocol: m.protocol,
      project: projectUuid.get(Number(m.project_id)) ?? '',
      paused: m.paused === 1,
      up: !down.has(Number(m.id)),
      checkFrequency: m.check_frequency,
      sslDays: ssl.get(Number(m.id)) ?? null,
      outageActive: open.has(Number(m.id)),
      lastResponseMs: m.last_ms === null || m.last_ms === undefined ? null : Number(m.last_ms),
      counts: (counts.get(Number(m.id)) ?? []).sort((a, b) => a.location.localeCompare(b.location)),
    }),
  );
  const healthchecks = hcRows.map((h) => ({
    uuid: h.uuid,
    name: h.name,
    project: projectUuid.get(Number(h.project_id)) ?? '',
    paused: h.paused === 1,
    up: h.is_down !== 1,
  }));
  return {
    projects: projects.map((p) => ({
      uuid: p.uuid,
      monitors: monitorRows.filter((m) => Number(m.project_id) === Number(p.id)).length,
      healthchecks: hcRows.filter((h) => Number(h.project_id) === Number(p.id)).length,
      openOutages: openRows.filter((o) => Number(o.project_id) === Number(p.id)).length,
    })),
    monitors,
    healthchecks,
    outbox: {
      pending: Number(pendingRow?.n ?? 0),
      oldestPendingSeconds: oldest === null ? 0 : Math.max(0, (ctx.clock() - oldest) / 1000),
    },
  };
}
