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
