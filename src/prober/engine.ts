import type { Config } from '../config.ts';
import type { Ctx } from '../services/context.ts';
import { runCheck } from './probe.ts';
import { startScheduler, type Scheduler, type SchedulerOptions } from './scheduler.ts';

/**
 * The built-in probe: one scheduler that checks every due monitor once per interval from this
 * server's location, covering all the monitor's regions that no dedicated probe serves.
 * (Dedicated regional probes plug in at claimDueMonitors.)
 */
export function startEngine(ctx: Ctx, config: Config, extra: Partial<SchedulerOptions> = {}): Scheduler {
  return startScheduler(ctx, {
    location: config.region,
    concurrency: config.checkConcurrency,
    retention: { rawDays: config.rawRetentionDays, hourlyDays: config.hourlyRetentionDays, dailyDays: config.rollupRetentionDays },
    check: (m, signal) => runCheck(m, { signal, policy: config.targetPolicy, ca: config.tlsCa ?? undefined }),
    ...extra,
  });
}
