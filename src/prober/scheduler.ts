import { claimDueMonitors, holdClaims, releaseClaims, type ClaimedMonitor } from '../services/schedule.ts';
import { recordResults, type ObservedResult } from '../services/results.ts';
import { pruneOnce, type RetentionPolicy } from '../services/retention.ts';
import { liveProbeRegions } from '../services/probes.ts';
import { builtInChecks, DEFAULT_PROBE_LIVE_MS } from '../domain/probes.ts';
import type { Ctx } from '../services/context.ts';

export type CheckOutcome = Omit<ObservedResult, 'monitorId' | 'at' | 'location'>;

export interface SchedulerOptions {
  /** The location name results are labelled with (VIGIL_REGION). */
  location: string;
  /** Checks in flight at most; a slow target holds one slot, never the loop. */
  concurrency: number;
  /** Runs one check; must resolve (never reject) within the monitor's timeout. */
  check: (m: ClaimedMonitor, signal: AbortSignal) => Promise<CheckOutcome>;
  retention?: RetentionPolicy;
  tickMs?: number;
  /** Claim this far ahead and start each check on its exact due time. */
  lookaheadMs?: number;
  flushMs?: number;
  maxBatch?: number;
  /** On stop, how long running checks may finish before they are abandoned. */
  stopGraceMs?: number;
  /** A dedicated probe is live while heard from within this window; fully probe-served monitors are skipped. */
  probeLiveMs?: number;
  /** Observability hook (benchmarks): called as each check starts. */
  onStart?: (m: ClaimedMonitor, startedAt: number) => void;
  onRecorded?: (n: number) => void;
}

/**
 * How late checks start (start − due slot), per location, since this process started: read by
 * GET /metrics. Counting only; the loop never looks at it.
 */
export const checkLag = new Map<string, { count: number; sumSeconds: number; lastSeconds: number }>();

export interface Scheduler {
  stop(): Promise<void>;
  stats: { claimed: number; started: number; recorded: number; inFlight: number; flushes: number; flushErrors: number };
}

/**
 * The check loop: claim due monitors (a conditional UPDATE, safe with many schedulers on one
 * database), start each at its due time, collect results and write them in batches.
 */
export function startScheduler(ctx: Ctx, opts: SchedulerOptions): Scheduler {
  const tickMs = opts.tickMs ?? 200;
  const lookahead = opts.lookaheadMs ?? 500;
  const flushMs = opts.flushMs ?? 200;
  const maxBatch = opts.maxBatch ?? 2000;
  const stats = { claimed: 0, started: 0, recorded: 0, inFlight: 0, flushes: 0, flushErrors: 0 };
  const controllers = new Set<AbortController>();
  const timers = new Map<NodeJS.Timeout, ClaimedMonitor>();
  let pending = 0; // claimed, waiting for their due time
  let queue: ObservedResult[] = [];
  let flushing: Promise<void> | null = null;
  let stopped = false;
  let claiming = false;
  let lastPrune = 0;

  function run(m: ClaimedMonitor) {
    pending--;
    if (stopped) return;
    const ac = new AbortController();
    controllers.add(ac);
    const at = ctx.clock();
    stats.started++;
    stats.inFlight++;
    const lag = checkLag.get(opts.location) ?? { count: 0, sumSeconds: 0, lastSeconds: 0 };
    lag.lastSeconds = Math.max(0, at - m.due) / 1000;
    lag.count++;
    lag.sumSeconds += lag.lastSeconds;
    checkLag.set(opts.location, lag);
    opts.onStart?.(m, at);
    opts
      .check(m, ac.signal)
      .catch(
        (err): CheckOutcome => ({
          ok: false,
          statusCode: null,
          totalMs: null,
          dnsMs: null,
          connectMs: null,
          tlsMs: null,
          ttfbMs: null,
          error: `check error: ${(err as Error).message}`,
        }),
      )
      .then((outcome) => {
        controllers.delete(ac);
        stats.inFlight--;
        if (ac.signal.aborted) return; // abandoned at shutdown: its claim lapses and is taken over in its slot
        queue.push({ ...outcome, monitorId: m.id, at, location: opts.location, due: m.due });
        if (queue.length >= maxBatch) void flush();
      });
  }

  async function flush(): Promise<void> {
    if (flushing) return flushing;
    if (queue.length === 0) return;
    // At most maxBatch results per transaction: after a stall (a database locked by another
    // process) the backlog goes in bounded commits, never one write lock held for seconds.
    const batch = queue.length > maxBatch ? queue.slice(0, maxBatch) : queue;
    queue = batch === queue ? [] : queue.slice(maxBatch);
    flushing = (async () => {
      let ok = false;
      try {
        const out = await recordResults(ctx, batch, undefined, { probeLiveMs: opts.probeLiveMs });
        ok = true;
        stats.recorded += out.recorded;
        stats.flushes++;
        opts.onRecorded?.(out.recorded);
        if (out.rechecks.length) void tick(); // confirmations run at once
      } catch (err) {
        stats.flushErrors++;
        ctx.log.error({ err }, 'could not store check results; will retry');
        if (queue.length + batch.length < 200_000) queue = batch.concat(queue);
      } finally {
        flushing = null;
      }
      // The rest of a backlog follows at once (all of it at shutdown), unless this commit failed.
      if (ok && queue.length > 0 && (queue.length >= maxBatch || stopped)) await flush();
    })();
    return flushing;
  }

  async function tick(): Promise<void> {
    if (stopped || claiming) return;
    claiming = true;
    try {
      const now = ctx.clock();
      const room = opts.concurrency - stats.inFlight - pending;
      // Claimed slots of monitors whose every region a live probe serves are consumed unchecked;
      // the ones the built-in probe checks are held (a claim of a probe project starts unheld).
      const live = await liveProbeRegions(ctx, opts.probeLiveMs ?? DEFAULT_PROBE_LIVE_MS);
      const all = await claimDueMonitors(ctx, now + lookahead, Math.min(room, 5000), now, [...live.keys()]);
      const claimed = all.filter((m) => builtInChecks(m.regions, live.get(m.projectId)));
      const unheld = claimed.filter((m) => !m.held);
      if (unheld.length) await holdClaims(ctx, unheld, now);
      stats.claimed += claimed.length;
      for (const m of claimed) {
        pending++;
        const delay = m.due - ctx.clock();
        if (delay <= 0) run(m);
        else {
          const t = setTimeout(() => {
            timers.delete(t);
            run(m);
          }, delay);
          timers.set(t, m);
        }
      }
      if (opts.retention && now - lastPrune > 60_000) {
        lastPrune = now;
        pruneOnce(ctx, opts.retention).catch((err) => ctx.log.error({ err }, 'retention pass failed'));
      }
    } catch (err) {
      ctx.log.error({ err }, 'could not claim due checks');
    } finally {
      claiming = false;
    }
  }

  const tickTimer = setInterval(() => void tick(), tickMs);
  const flushTimer = setInterval(() => void flush(), flushMs);
  void tick();

  return {
    stats,
    async stop() {
      stopped = true;
      clearInterval(tickTimer);
      clearInterval(flushTimer);
      // Claims that have not started go back; running checks get a grace period to finish.
      const unstarted = [...timers.values()];
      for (const t of timers.keys()) clearTimeout(t);
      timers.clear();
      while (claiming) await new Promise((r) => setTimeout(r, 10));
      await releaseClaims(ctx, unstarted).catch((err) => ctx.log.warn({ err }, 'could not release claims'));
      const deadline = Date.now() + (opts.stopGraceMs ?? 5000);
      while (stats.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const ac of controllers) ac.abort();
      while (flushing) await flushing;
      await flush();
    },
  };
}
