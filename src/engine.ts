import type { Config } from './config.ts';
import type { Ctx } from './services/context.ts';
import { sweepOverdueHealthchecks } from './services/healthchecks.ts';
import { runCheck } from './prober/probe.ts';
import { startScheduler, type Scheduler, type SchedulerOptions } from './prober/scheduler.ts';
import { startCheckWorkers } from './prober/check-workers.ts';
import { createDispatcher } from './notify/dispatcher.ts';
import { applyDomainExpiry, refreshDomains } from './services/domains.ts';
import { createRdap } from './prober/rdap.ts';
import { proveDueHostnames } from './services/hostnames.ts';
import { createTxtLookup } from './prober/txt.ts';

const HEARTBEAT_SWEEP_MS = 1000;
// Due domains are looked for this often; days left and notices are brought up to date every minute.
const DOMAIN_WATCH_MS = 10_000;
const DOMAIN_APPLY_MS = 60_000;
// Custom hostname claims due for a proof lookup are looked for this often.
const HOSTNAME_WATCH_MS = 5000;

/**
 * The worker half of `vigil serve` (composed beside main.ts, above the prober and the notifier
 * it starts). The built-in probe: one scheduler that checks every due monitor once per interval from this
 * server's location, covering all the monitor's regions that no live dedicated probe serves
 * (a monitor every region of which a live probe serves is skipped: services/probes.ts), plus the sweep that turns overdue
 * heartbeat checks down, the domain expiry and custom hostname proof lookups, and the notification dispatcher (escalation walk and outbox delivery).
 */
export function startEngine(ctx: Ctx, config: Config, extra: Partial<SchedulerOptions> = {}): Scheduler {
  // Checks run in VIGIL_CHECK_WORKERS threads (more cores); claims and results stay on this one.
  const workers =
    config.checkWorkers > 0 && !extra.check
      ? startCheckWorkers(ctx, config.checkWorkers, { policy: config.targetPolicy, ca: config.tlsCa })
      : null;
  const scheduler = startScheduler(ctx, {
    location: config.region,
    probeLiveMs: config.probeLiveSeconds * 1000,
    concurrency: config.checkConcurrency,
    retention: {
      rawDays: config.rawRetentionDays,
      hourlyDays: config.hourlyRetentionDays,
      dailyDays: config.rollupRetentionDays,
      outboxDays: config.outboxRetentionDays,
    },
    check:
      workers?.check ??
      ((m, signal) => runCheck(m, { signal, policy: config.targetPolicy, ca: config.tlsCa ?? undefined })),
    ...extra,
  });
  let sweeping: Promise<unknown> | null = null;
  const sweep = () => {
    if (sweeping) return;
    sweeping = sweepOverdueHealthchecks(ctx)
      .catch((err) => ctx.log.error({ err }, 'heartbeat sweep failed'))
      .finally(() => {
        sweeping = null;
      });
  };
  sweep(); // overdue heartbeats turn down right after a restart
  const timer = setInterval(sweep, HEARTBEAT_SWEEP_MS);
  const rdap = config.rdapBootstrapUrl ? createRdap({ bootstrapUrl: config.rdapBootstrapUrl, clock: ctx.clock }) : null;
  let watching: Promise<unknown> | null = null;
  let applied = 0;
  const watchDomains = () => {
    if (watching || !rdap) return;
    watching = (async () => {
      // A lookup applies what it found at once (refreshDomains); otherwise once a minute.
      if ((await refreshDomains(ctx, rdap)) > 0) applied = ctx.clock();
      else if (ctx.clock() - applied >= DOMAIN_APPLY_MS) {
        await applyDomainExpiry(ctx);
        applied = ctx.clock();
      }
    })()
      .catch((err) => ctx.log.error({ err }, 'domain expiry watch failed'))
      .finally(() => {
        watching = null;
      });
  };
  const domainTimer = setInterval(watchDomains, DOMAIN_WATCH_MS);
  const firstWatch = setTimeout(watchDomains, 1000);
  const txt = createTxtLookup(config.dnsServers);
  let proving: Promise<unknown> | null = null;
  const watchHostnames = () => {
    if (proving) return;
    proving = proveDueHostnames(ctx, txt)
      .catch((err) => ctx.log.error({ err }, 'hostname proof lookups failed'))
      .finally(() => {
        proving = null;
      });
  };
  const hostnameTimer = setInterval(watchHostnames, HOSTNAME_WATCH_MS);
  const dispatcher = createDispatcher(ctx, {
    publicUrl: config.publicUrl,
    policy: config.targetPolicy,
    ca: config.tlsCa,
    smtpUrl: config.smtpUrl,
    smtpFrom: config.smtpFrom,
    timeoutMs: config.notifyTimeoutMs,
    giveUpAfterMs: config.notifyGiveUpMs,
  });
  return {
    stats: scheduler.stats,
    async stop() {
      clearInterval(timer);
      clearInterval(domainTimer);
      clearTimeout(firstWatch);
      clearInterval(hostnameTimer);
      await sweeping;
      await watching;
      await proving;
      await dispatcher.stop();
      await scheduler.stop();
      await workers?.stop();
    },
  };
}
