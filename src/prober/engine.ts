import type { Config } from '../config.ts';
import type { Ctx } from '../services/context.ts';
import { sweepOverdueHealthchecks } from '../services/healthchecks.ts';
import { runCheck } from './probe.ts';
import { startScheduler, type Scheduler, type SchedulerOptions } from './scheduler.ts';
import { createDispatcher } from '../notify/dispatcher.ts';

const HEARTBEAT_SWEEP_MS = 1000;

/**
 * The built-in probe: one scheduler that checks every due monitor once per interval from this
 * server's location, covering all the monitor's regions that no live dedicated probe serves
 * (a monitor every region of which a live probe serves is skipped: services/probes.ts), plus the sweep that turns overdue
 * heartbeat checks down, and the notification dispatcher (escalation walk and outbox delivery).
 */
export function startEngine(ctx: Ctx, config: Config, extra: Partial<SchedulerOptions> = {}): Scheduler {
  const scheduler = startScheduler(ctx, {
    location: config.region,
    probeLiveMs: config.probeLiveSeconds * 1000,
    concurrency: config.checkConcurrency,
    retention: { rawDays: config.rawRetentionDays, hourlyDays: config.hourlyRetentionDays, dailyDays: config.rollupRetentionDays, outboxDays: config.outboxRetentionDays },
    check: (m, signal) => runCheck(m, { signal, policy: config.targetPolicy, ca: config.tlsCa ?? undefined }),
    ...extra,
  });
  let sweeping: Promise<unknown> | null = null;
  const sweep = () => {
    if (sweeping) return;
    sweeping = sweepOverdueHealthchecks(ctx)
      .catch((err) => ctx.log.error({ err }, 'heartbeat sweep failed'))
      .finally(() => { sweeping = null; });
  };
  sweep(); // overdue heartbeats turn down right after a restart
  const timer = setInterval(sweep, HEARTBEAT_SWEEP_MS);
  const dispatcher = createDispatcher(ctx, {
    publicUrl: config.publicUrl, policy: config.targetPolicy, ca: config.tlsCa, smtpUrl: config.smtpUrl, smtpFrom: config.smtpFrom,
    timeoutMs: config.notifyTimeoutMs, giveUpAfterMs: config.notifyGiveUpMs,
  });
  return {
    stats: scheduler.stats,
    async stop() {
      clearInterval(timer);
      await sweeping;
      await dispatcher.stop();
      await scheduler.stop();
    },
  };
}
