/**
 * GET /metrics for Prometheus: off unless VIGIL_METRICS_TOKEN is set. The token sees every
 * project and this process; an API key of either permission sees its own project only. Names follow the community
 * Hyperping exporter (develeap/hyperping-exporter) where the meaning is the same.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import { createAuthenticator } from '../../services/api-keys.ts';
import type { Ctx } from '../../services/context.ts';
import { metricsSnapshot, type MetricsSnapshot } from '../../services/metrics.ts';
import { checkLag } from '../../prober/scheduler.ts';
import { checkWorkersLive } from '../../prober/check-workers.ts';
import { UNAUTHORIZED } from '../errors.ts';
import { bearerToken } from '../auth.ts';
import { createFailureThrottle } from '../../domain/throttle.ts';
import { CONTENT_TYPE, familyText, type Family, type Sample } from '../prometheus.ts';
import { sendPieces } from '../json-array.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

const bool = (b: boolean) => (b ? 1 : 0);

/** Samples made as the text is written, not before its first piece: 10,000 monitors in 18 regions are 180,000 per family. */
function lazy<T>(items: readonly T[], sample: (item: T) => Sample | Sample[] | null): Iterable<Sample> {
  return {
    *[Symbol.iterator]() {
      for (const item of items) {
        const s = sample(item);
        if (Array.isArray(s)) yield* s;
        else if (s) yield s;
      }
    },
  };
}

/** The metric families of one snapshot (the process families are added by the route). */
export function vigilFamilies(s: MetricsSnapshot): Family[] {
  const monitorLabels = (m: MetricsSnapshot['monitors'][number]) => ({
    uuid: m.uuid,
    name: m.name,
    protocol: m.protocol,
    project: m.project,
  });
  const perRegion = (pick: (c: { checks: number; failures: number }) => number) =>
    lazy(s.monitors, (m) =>
      m.counts.map((c) => ({ labels: { ...monitorLabels(m), region: c.location }, value: pick(c) })),
    );
  const perMonitor = (value: (m: MetricsSnapshot['monitors'][number]) => number | null) =>
    lazy(s.monitors, (m) => {
      const v = value(m);
      return v === null ? null : { labels: monitorLabels(m), value: v };
    });
  return [
    {
      name: 'hyperping_monitor_up',
      type: 'gauge',
      help: '1 if the monitor is up, 0 if down (paused monitors are left out).',
      samples: perMonitor((m) => (m.paused ? null : bool(m.up))),
    },
    {
      name: 'hyperping_monitor_paused',
      type: 'gauge',
      help: '1 if the monitor is paused, 0 if active.',
      samples: perMonitor((m) => bool(m.paused)),
    },
    {
      name: 'hyperping_monitor_check_interval_seconds',
      type: 'gauge',
      help: 'Seconds between checks.',
      samples: perMonitor((m) => m.checkFrequency),
    },
    {
      name: 'hyperping_monitor_ssl_expiration_days',
      type: 'gauge',
      help: 'Days until the TLS certificate expires (monitors whose certificate was read).',
      samples: perMonitor((m) => m.sslDays),
    },
    {
      name: 'hyperping_monitor_outage_active',
      type: 'gauge',
      help: '1 while the monitor has an open outage.',
      samples: perMonitor((m) => bool(m.outageActive)),
    },
    {
      name: 'vigil_monitor_last_response_time_seconds',
      type: 'gauge',
      help: 'Response time of the newest timed check.',
      samples: perMonitor((m) => (m.lastResponseMs === null ? null : m.lastResponseMs / 1000)),
    },
    {
      name: 'vigil_monitor_checks_total',
      type: 'counter',
      help: 'Checks recorded per location, from the daily rollups since the UTC day this process started.',
      samples: perRegion((c) => c.checks),
    },
    {
      name: 'vigil_monitor_check_failures_total',
      type: 'counter',
      help: 'Failed checks per location, from the daily rollups since the UTC day this process started.',
      samples: perRegion((c) => c.failures),
    },
    {
      name: 'hyperping_monitors',
      type: 'gauge',
      help: 'Monitors of the project.',
      samples: s.projects.map((p) => ({ labels: { project: p.uuid }, value: p.monitors })),
    },
    {
      name: 'hyperping_healthcheck_up',
      type: 'gauge',
      help: '1 if the heartbeat check is up, 0 if down (paused checks are left out).',
      samples: lazy(s.healthchecks, (h) =>
        h.paused ? null : { labels: { uuid: h.uuid, name: h.name, project: h.project }, value: bool(h.up) },
      ),
    },
    {
      name: 'hyperping_healthcheck_paused',
      type: 'gauge',
      help: '1 if the heartbeat check is paused.',
      samples: lazy(s.healthchecks, (h) => ({
        labels: { uuid: h.uuid, name: h.name, project: h.project },
        value: bool(h.paused),
      })),
    },
    {
      name: 'hyperping_healthchecks',
      type: 'gauge',
      help: 'Heartbeat checks of the project.',
      samples: s.projects.map((p) => ({ labels: { project: p.uuid }, value: p.healthchecks })),
    },
    {
      name: 'vigil_outbox_pending',
      type: 'gauge',
      help: 'Notifications waiting in the outbox for delivery, retries included.',
      samples: [{ value: s.outbox.pending }],
    },
    {
      name: 'vigil_outbox_oldest_pending_seconds',
      type: 'gauge',
      help: 'Age of the oldest notification waiting in the outbox (0 when none).',
      samples: [{ value: s.outbox.oldestPendingSeconds }],
    },
    {
      name: 'hyperping_tenant_active_outages',
      type: 'gauge',
      help: 'Open outages of the project (monitors, heartbeat checks and manual ones).',
      samples: s.projects.map((p) => ({ labels: { project: p.uuid }, value: p.openOutages })),
    },
  ];
}

/** Scheduler lag and process health: this process only. */
function processFamilies(delay: ReturnType<typeof monitorEventLoopDelay>): Family[] {
  const cpu = process.cpuUsage();
  const lags = [...checkLag.entries()].sort(([a], [b]) => a.localeCompare(b));
  const families: Family[] = [
    {
      name: 'vigil_check_lag_seconds',
      type: 'summary',
      help: 'How late checks started after their due time, per location, since this process started (checks run by this process).',
      samples: lags.flatMap(([region, l]) => [
        { suffix: '_sum', labels: { region }, value: l.sumSeconds },
        { suffix: '_count', labels: { region }, value: l.count },
      ]),
    },
    {
      name: 'vigil_check_lag_last_seconds',
      type: 'gauge',
      help: 'How late the last check of the location started.',
      samples: lags.map(([region, l]) => ({ labels: { region }, value: l.lastSeconds })),
    },
    {
      name: 'vigil_check_worker_threads',
      type: 'gauge',
      help: 'Threads of this process running checks now (VIGIL_CHECK_WORKERS; 0: checks run on the main thread).',
      samples: [{ value: checkWorkersLive.count }],
    },
    {
      name: 'process_resident_memory_bytes',
      type: 'gauge',
      help: 'Resident memory size in bytes.',
      samples: [{ value: process.memoryUsage.rss() }],
    },
    {
      name: 'process_cpu_seconds_total',
      type: 'counter',
      help: 'User and system CPU time spent in seconds.',
      samples: [{ value: (cpu.user + cpu.system) / 1e6 }],
    },
    {
      name: 'process_start_time_seconds',
      type: 'gauge',
      help: 'Start time of the process since the Unix epoch in seconds.',
      samples: [{ value: Math.round(Date.now() / 1000 - process.uptime()) }],
    },
    {
      name: 'nodejs_eventloop_lag_seconds',
      type: 'gauge',
      help: 'Mean event loop delay since the previous scrape (perf_hooks.monitorEventLoopDelay).',
      samples: [{ value: Number.isNaN(delay.mean) ? 0 : delay.mean / 1e9 }],
    },
    {
      name: 'nodejs_eventloop_lag_p99_seconds',
      type: 'gauge',
      help: '99th percentile of the event loop delay since the previous scrape.',
      samples: [{ value: delay.percentile(99) / 1e9 }],
    },
  ];
  delay.reset();
  return families;
}

export interface MetricsOptions {
  ctx: Ctx;
  token: string;
  authFailuresPerMinute: number;
}

export default async function metricsRoutes(app: FastifyInstance, opts: MetricsOptions) {
  const { ctx } = opts;
  const token = digest(opts.token);
  const authenticate = createAuthenticator(ctx);
  const throttle = createFailureThrottle(opts.authFailuresPerMinute, ctx.clock);
  // Counters add the daily rollups from the day this server started (services/metrics.ts).
  const countedSince = ctx.clock();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  app.addHook('onClose', async () => delay.disable());

  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    const wait = throttle.blockedFor(req.ip);
    if (wait > 0)
      return reply
        .code(429)
        .header('Retry-After', String(wait))
        .send({ message: 'Too many failed authentication attempts; try again later' });
    const bearer = bearerToken(req);
    // The token is the operator's: every project plus this process. A key sees its own project.
    const operator = bearer !== null && timingSafeEqual(digest(bearer), token);
    let projectId: number | undefined;
    if (!operator) {
      const actor = bearer !== null ? await authenticate(bearer) : null;
      if (!actor) {
        throttle.fail(req.ip);
        return reply.code(401).header('WWW-Authenticate', 'Bearer').send(UNAUTHORIZED);
      }
      projectId = actor.projectId;
    }
    const families = vigilFamilies(await metricsSnapshot(ctx, { projectId, countedSince }));
    if (operator) families.push(...processFamilies(delay));
    return sendPieces(
      reply.header('Content-Type', CONTENT_TYPE).header('Cache-Control', 'no-store'),
      familyText(families),
    );
  });
}
