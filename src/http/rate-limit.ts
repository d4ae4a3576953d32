import { createHash } from 'node:crypto';

const WINDOW_S = 3600;

/**
 * Fixed one-hour window per key, in process memory. Emits the IETF draft-8 headers that the
 * hosted API sends (api-contract §1.8).
 */
export function createRateLimiter(limit: number, clock: () => number) {
  const windows = new Map<string, { start: number; used: number; pk?: string }>();
  const policyName = `"${limit}-in-1hr"`;
  let lastSweep = clock();

  function sweep(now: number) {
    if (now - lastSweep < 60_000) return;
    lastSweep = now;
    for (const [k, w] of windows) if (now - w.start >= WINDOW_S * 1000) windows.delete(k);
  }

  return {
    enabled: limit > 0,
    limit,
    /** Counts `n` requests (all or none); returns the headers and whether they are over quota. */
    consume(partition: string, n = 1): { headers: Record<string, string>; limited: boolean; retryAfter: number } {
      const now = clock();
      sweep(now);
      let w = windows.get(partition);
      if (!w || now - w.start >= WINDOW_S * 1000) {
        w = { start: now, used: 0 };
        windows.set(partition, w);
      }
      const limited = w.used + n > limit;
      if (!limited) w.used += n;
      const reset = Math.max(1, Math.ceil((w.start + WINDOW_S * 1000 - now) / 1000));
      w.pk ??= createHash('sha256').update(partition).digest().subarray(0, 12).toString('base64');
      const pk = w.pk;
      return {
        headers: {
          RateLimit: `${policyName}; r=${limit - w.used}; t=${reset}`,
          'RateLimit-Policy': `${policyName}; q=${limit}; w=${WINDOW_S}; pk=:${pk}:`,
        },
        limited,
        retryAfter: reset,
      };
    },
  };
}

/**
 * Failed authentications per client address per window (a minute for API keys; the dashboard
 * uses 15 minutes per email and address); over the limit the client waits.
 */
export function createFailureThrottle(limit: number, clock: () => number, windowMs = 60_000) {
  const failures = new Map<string, { start: number; count: number }>();
  return {
    /** Seconds the client must wait, or 0. */
    blockedFor(client: string): number {
      if (limit <= 0) return 0;
      const f = failures.get(client);
      const now = clock();
      if (!f || now - f.start >= windowMs) return 0;
      return f.count >= limit ? Math.ceil((f.start + windowMs - now) / 1000) : 0;
    },
    fail(client: string): void {
      if (limit <= 0) return;
      const now = clock();
      const f = failures.get(client);
      if (!f || now - f.start >= windowMs) {
        if (failures.size > 100_000) failures.clear();
        failures.set(client, { start: now, count: 1 });
      } else f.count++;
    },
    reset(client: string): void {
      failures.delete(client);
    },
  };
}

/**
 * At most `limit` events per key in each window (a minute by default), in process memory: for
 * heartbeat pings per token. take() counts one and answers the seconds to wait when over.
 */
export function createWindowThrottle(limit: number, clock: () => number, windowMs = 60_000) {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    enabled: limit > 0,
    take(key: string): number {
      if (limit <= 0) return 0;
      const now = clock();
      let w = windows.get(key);
      if (!w || now - w.start >= windowMs) {
        if (windows.size > 100_000) windows.clear();
        w = { start: now, count: 0 };
        windows.set(key, w);
      }
      if (w.count >= limit) return Math.max(1, Math.ceil((w.start + windowMs - now) / 1000));
      w.count++;
      return 0;
    },
  };
}
