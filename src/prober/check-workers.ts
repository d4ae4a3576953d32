import { Worker } from 'node:worker_threads';
import type { TargetPolicy } from '../egress/policy.ts';
import type { CheckTarget } from '../domain/checks.ts';
import type { Ctx } from '../services/context.ts';
import type { ClaimedMonitor } from '../services/schedule.ts';
import { runCheck } from './probe.ts';
import type { CheckOutcome } from './scheduler.ts';

/** What a check thread is given at start. */
export interface CheckWorkerData {
  policy: TargetPolicy;
  ca: Buffer | null;
}
/** To a thread: checks to start (id, target) and ids to abort. */
export interface CheckWork {
  start: [number, CheckTarget][];
  abort: number[];
}
/** From a thread: one check's outcome. */
export type CheckReply = [number, CheckOutcome];

export interface CheckWorkers {
  /** The scheduler's `check`: runs in the thread with the fewest checks in flight. */
  check(m: ClaimedMonitor, signal: AbortSignal): Promise<CheckOutcome>;
  stop(): Promise<void>;
}

/** Threads running now, for GET /metrics (this process). */
export const checkWorkersLive = { count: 0 };

// A thread that died is started again after 1 s, then 2, 4 … up to 30 s while it keeps dying;
// one that ran a minute starts over from 1 s.
const FIRST_RESTART_MS = 1000;
const MAX_RESTART_MS = 30_000;
const STEADY_MS = 60_000;
// A check unanswered this long past its own timeout means its thread hangs: it is replaced.
const HANG_MARGIN_MS = 10_000;

// Run from src/ (tests, benchmarks: tsx) rather than the compiled dist/: threads load tsx first.
const FROM_SOURCE = import.meta.url.endsWith('.ts');

interface Pending {
  m: ClaimedMonitor;
  signal: AbortSignal;
  resolve(o: CheckOutcome): void;
  deadline: number;
}

interface Slot {
  index: number;
  worker: Worker | null;
  pending: Map<number, Pending>;
  outbox: CheckWork | null;
  startedAt: number;
  restartMs: number;
  restart: NodeJS.Timeout | null;
}

/**
 * Runs the built-in probe's checks in `n` worker threads (VIGIL_CHECK_WORKERS), so that a busy
 * server uses more than one core while the database stays with one writer: the scheduler, its
 * claims and the results stay on the main thread. A thread that dies is restarted with backoff;
 * its checks in flight, and any check while no thread is up, run on the main thread instead.
 * Threads end with the process, so none outlives a server killed -9.
 */
export function startCheckWorkers(
  ctx: Ctx,
  n: number,
  data: CheckWorkerData,
  entry = new URL(`./check-thread.${FROM_SOURCE ? 'ts' : 'js'}`, import.meta.url),
): CheckWorkers {
  let nextId = 1;
  let stopped = false;
  const local = (m: ClaimedMonitor, signal: AbortSignal) =>
    runCheck(m, { signal, policy: data.policy, ca: data.ca ?? undefined });

  const slots: Slot[] = Array.from({ length: n }, (_, index) => ({
    index,
    worker: null,
    pending: new Map(),
    outbox: null,
    startedAt: 0,
    restartMs: FIRST_RESTART_MS,
    restart: null,
  }));

  function spawn(slot: Slot) {
    slot.restart = null;
    if (stopped) return;
    const worker = FROM_SOURCE
      ? new Worker(
          `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})` +
            `.then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`,
          { eval: true, workerData: data },
        )
      : new Worker(entry, { workerData: data });
    slot.worker = worker;
    slot.startedAt = Date.now();
    checkWorkersLive.count++;
    worker.on('message', (replies: CheckReply[]) => {
      for (const [id, outcome] of replies) {
        const p = slot.pending.get(id);
        slot.pending.delete(id);
        p?.resolve(outcome);
      }
    });
    worker.on('error', (err) => ctx.log.error({ err, worker: slot.index }, 'check worker thread failed'));
    worker.once('exit', (code) => {
      checkWorkersLive.count--;
      slot.worker = null;
      slot.outbox = null;
      // Its checks in flight are run again here: a dead thread is no reason for a failed check.
      const orphaned = [...slot.pending.values()];
      slot.pending.clear();
      for (const p of orphaned) (stopped ? Promise.resolve({ ...ABORTED }) : local(p.m, p.signal)).then(p.resolve);
      if (stopped) return;
      if (Date.now() - slot.startedAt >= STEADY_MS) slot.restartMs = FIRST_RESTART_MS;
      ctx.log.error(
        { worker: slot.index, code, rerun: orphaned.length, restartInMs: slot.restartMs },
        'check worker thread exited; restarting it',
      );
      slot.restart = setTimeout(() => spawn(slot), slot.restartMs);
      slot.restartMs = Math.min(slot.restartMs * 2, MAX_RESTART_MS);
    });
  }
  for (const slot of slots) spawn(slot);

  function send(slot: Slot, work: (w: CheckWork) => void) {
    if (!slot.outbox) {
      const box: CheckWork = { start: [], abort: [] };
      slot.outbox = box;
      // The checks started in one turn (timers due together) go in one message.
      setImmediate(() => {
        if (slot.outbox === box) slot.outbox = null;
        slot.worker?.postMessage(box);
      });
    }
    work(slot.outbox);
  }

  const watchdog = setInterval(() => {
    const now = Date.now();
    for (const slot of slots) {
      for (const p of slot.pending.values()) {
        if (p.deadline < now) {
          ctx.log.error({ worker: slot.index, monitor: p.m.uuid }, 'check worker thread stopped answering');
          void slot.worker?.terminate();
          break;
        }
      }
    }
  }, 5000);
  watchdog.unref();

  return {
    check(m, signal) {
      let slot: Slot | null = null;
      for (const s of slots) if (s.worker && (!slot || s.pending.size < slot.pending.size)) slot = s;
      if (!slot || stopped) return local(m, signal);
      const chosen = slot;
      const id = nextId++;
      return new Promise<CheckOutcome>((resolve) => {
        const done = (o: CheckOutcome) => {
          signal.removeEventListener('abort', onAbort);
          resolve(o);
        };
        const onAbort = () => {
          if (!chosen.pending.delete(id)) return;
          send(chosen, (w) => w.abort.push(id));
          done({ ...ABORTED });
        };
        chosen.pending.set(id, { m, signal, resolve: done, deadline: Date.now() + m.timeout * 1000 + HANG_MARGIN_MS });
        signal.addEventListener('abort', onAbort, { once: true });
        send(chosen, (w) => w.start.push([id, m]));
      });
    },
    async stop() {
      stopped = true;
      clearInterval(watchdog);
      for (const slot of slots) if (slot.restart) clearTimeout(slot.restart);
      // The scheduler has let its checks finish or abandoned them; what is left runs nowhere.
      await Promise.all(slots.map((s) => s.worker?.terminate()));
    },
  };
}

const ABORTED: CheckOutcome = {
  ok: false,
  statusCode: null,
  totalMs: null,
  dnsMs: null,
  connectMs: null,
  tlsMs: null,
  ttfbMs: null,
  error: 'aborted',
};
