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
