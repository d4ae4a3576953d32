import type { CheckTarget } from '../domain/checks.ts';
import type { Logger } from '../services/context.ts';
import type { ProbeResult } from '../services/probes.ts';
import type { CheckOutcome } from './scheduler.ts';

/**
 * `vigil probe`: a regional probe worker that needs only outbound HTTP(S) to the server. It
 * registers, leases its region's due checks in batches, runs each on its due time with the
 * built-in probe's check code, and posts the results in batches. Results stay queued until the
 * server acknowledges them; a retried post carries the same lease ids, which the server stores
 * once, so network loss neither drops nor duplicates a result.
 */
export interface ProbeWorkerOptions {
  server: string;
  token: string;
  region: string;
  /** Runs one check; the same runCheck as the built-in probe. */
  check: (target: CheckTarget, signal: AbortSignal) => Promise<CheckOutcome>;
  log: Logger;
  concurrency?: number;
  pollMs?: number;
  flushMs?: number;
  /** First retry delay after a network error; doubles up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** A request that has not answered in this long counts as a network error. */
  requestTimeoutMs?: number;
  fetch?: typeof fetch;
}

export interface ProbeWorker {
  stats: {
    leased: number;
    checked: number;
    posted: number;
    recorded: number;
    ignored: number;
    networkErrors: number;
    queued: number;
  };
  /** Resolves once registered; rejects if the token is refused. */
  ready: Promise<void>;
  /** Resolves when the worker ends: stopped, or its token refused. */
  done: Promise<'stopped' | 'refused'>;
  stop(): Promise<void>;
}

export class ProbeRefusedError extends Error {}

type Leased = { leaseId: string; due: number; monitorUuid: string; check: CheckTarget };

export function startProbeWorker(opts: ProbeWorkerOptions): ProbeWorker {
  const base = opts.server.replace(/\/+$/, '');
  const doFetch = opts.fetch ?? fetch;
  const concurrency = opts.concurrency ?? 200;
  const pollMs = opts.pollMs ?? 1000;
  const flushMs = opts.flushMs ?? 250;
  const backoffStart = opts.backoffMs ?? 500;
  const maxBackoff = opts.maxBackoffMs ?? 30_000;
  const requestTimeoutMs = opts.requestTimeoutMs ?? 15_000;
  const stats = { leased: 0, checked: 0, posted: 0, recorded: 0, ignored: 0, networkErrors: 0, queued: 0 };
  const controllers = new Set<AbortController>();
  const timers = new Set<NodeJS.Timeout>();
  let queue: ProbeResult[] = [];
  let pending = 0; // leased, not finished
  let running = 0; // started, not finished
  let stopped = false;
  let heartbeatMs = 30_000;
  let lastContact = 0;
  let backoff = 0; // ms to wait before the next request after a network error
  let faulted = false; // a call failed: deliver the queued results before the next lease
  let retryAt = 0;
  let settle!: (how: 'stopped' | 'refused') => void;
  const done = new Promise<'stopped' | 'refused'>((r) => {
    settle = r;
  });

  /** One request; network errors and 5xx throw (retried with backoff), 401 ends the worker. */
  async function call<T>(path: string, body: unknown): Promise<T> {
    const res = await doFetch(`${base}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${opts.token}`,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(requestTimeoutMs),
    });
    const text = await res.text();
    if (res.status === 401)
      throw new ProbeRefusedError('the server refused the probe token (wrong, revoked or deleted)');
    if (res.status >= 500 || res.status === 429) throw new Error(`server answered ${res.status}`);
    if (res.status >= 400) throw new ProbeRefusedError(`server answered ${res.status}: ${text.slice(0, 200)}`);
    lastContact = Date.now();
    return JSON.parse(text) as T;
  }

  function failed(err: unknown, what: string) {
    if (err instanceof ProbeRefusedError) {
      opts.log.error({ err: err.message }, `probe ${what} refused; stopping`);
      stopped = true;
      cleanup();
      settle('refused');
      return;
    }
    stats.networkErrors++;
    faulted = true;
    backoff = backoff ? Math.min(maxBackoff, backoff * 2) : backoffStart;
    retryAt = Date.now() + backoff;
    opts.log.warn({ err: (err as Error).message, retryInMs: backoff }, `probe ${what} failed; retrying`);
  }
  const canCall = () => !stopped && Date.now() >= retryAt;
  const succeeded = () => {
    backoff = 0;
    retryAt = 0;
  };

  function run(l: Leased) {
    if (stopped) {
      pending--;
      return;
    }
    const ac = new AbortController();
    controllers.add(ac);
    running++;
    const at = Date.now();
    opts
      .check(l.check, ac.signal)
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
      .then((o) => {
        controllers.delete(ac);
        pending--;
        running--;
        stats.checked++;
        if (ac.signal.aborted) return; // abandoned at stop: the lease expires and another probe takes it over
        queue.push({
          leaseId: l.leaseId,
          at,
          ok: o.ok,
          statusCode: o.statusCode,
          totalMs: o.totalMs,
          dnsMs: o.dnsMs,
          connectMs: o.connectMs,
          tlsMs: o.tlsMs,
          ttfbMs: o.ttfbMs,
          error: o.error,
          sslExpiresAt: o.sslExpiresAt ?? null,
          sslFingerprint: o.sslFingerprint ?? null,
        });
        stats.queued = queue.length;
      });
  }

  let leasing = false;
  async function lease() {
    if (leasing || !canCall() || !registered) return;
    leasing = true;
    try {
      // Results first after a network fault: a queued result's lease may have expired. The server
      // still takes it while the lease is this probe's, but a lease call would first hand the
      // expired slot out again and the target would be checked twice for one stored result.
      // (Otherwise leases and posts run side by side: a lease never waits for a post.)
      if (faulted && queue.length > 0) {
        await flush();
        if (!canCall()) return;
      }
      faulted = false;
      // Concurrency bounds the checks running; leased ones wait at most pollMs + 500 ms for their
      // due time. A full batch (or `more`) means more is due: lease again at once, up to 20 batches a poll.
      for (let batches = 0; batches < 20 && !stopped; batches++) {
        const room = Math.min(500, concurrency - running);
        if (room <= 0) {
          if (Date.now() - lastContact >= heartbeatMs) await call('/v1/probe/heartbeat', { region: opts.region });
          return;
        }
        const res = await call<{ leases: Leased[]; more?: boolean; serverTime: number }>('/v1/probe/lease', {
          limit: room,
          lookaheadMs: pollMs + 500,
        });
        succeeded();
        stats.leased += res.leases.length;
        // Due times are the server's clock: start each after the same delay the server sees.
        const skew = Date.now() - res.serverTime;
        for (const l of res.leases) {
          pending++;
          const delay = l.due + skew - Date.now();
          if (delay <= 0) run(l);
          else {
            const t = setTimeout(() => {
              timers.delete(t);
              run(l);
            }, delay);
            timers.add(t);
          }
        }
        if (res.leases.length < room && !res.more) return; // `more`: the server cut the batch by size
      }
    } catch (err) {
      failed(err, 'lease');
    } finally {
      leasing = false;
    }
  }

  let flushing: Promise<void> | null = null;
  function flush(): Promise<void> {
    if (flushing) return flushing;
    if (queue.length === 0 || !canCall()) return Promise.resolve();
    const batch = queue.slice(0, 500);
    flushing = (async () => {
      try {
        const out = await call<{ recorded: number; ignored: number }>('/v1/probe/results', { results: batch });
        succeeded();
        // Acknowledged (stored now, or already stored by an earlier try): forget them.
        queue = queue.slice(batch.length);
        stats.posted += batch.length;
        stats.recorded += out.recorded;
        stats.ignored += out.ignored;
      } catch (err) {
        failed(err, 'result post');
      } finally {
        stats.queued = queue.length;
        flushing = null;
      }
    })();
    return flushing;
  }

  let registered = false;
  async function register(): Promise<void> {
    while (!stopped) {
      try {
        const res = await call<{ heartbeatSeconds: number }>('/v1/probe/register', { region: opts.region });
        heartbeatMs = res.heartbeatSeconds * 1000;
        succeeded();
        registered = true;
        opts.log.info({ region: opts.region, server: base }, 'probe registered');
        return;
      } catch (err) {
        failed(err, 'registration');
        if (err instanceof ProbeRefusedError) throw err;
        await new Promise((r) => setTimeout(r, Math.max(0, retryAt - Date.now())));
      }
    }
  }

  const pollTimer = setInterval(() => void lease(), pollMs);
  const flushTimer = setInterval(() => void flush(), flushMs);
  function cleanup() {
    clearInterval(pollTimer);
    clearInterval(flushTimer);
    for (const t of timers) clearTimeout(t);
    pending -= timers.size;
    timers.clear();
  }
  const ready = register().then(() => lease());
  ready.catch(() => {});

  return {
    stats,
    ready,
    done,
    async stop() {
      if (!stopped) {
        stopped = true;
        cleanup(); // unstarted leases expire on the server and are taken over
      }
      const deadline = Date.now() + 5000;
      while (pending > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const ac of controllers) ac.abort();
      // Last chance to deliver what was checked.
      for (let i = 0; i < 3 && queue.length; i++) {
        retryAt = 0;
        stopped = false; // canCall
        await flush();
        stopped = true;
      }
      settle('stopped');
    },
  };
}
