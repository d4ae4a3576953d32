/** SQLite answered "locked": another process held the write lock past the busy timeout. */
export function isLocked(err: unknown): boolean {
  return /^SQLITE_(BUSY|LOCKED)/.test(String((err as { code?: unknown })?.code ?? ''));
}

/** How long start-up waits for a database another process keeps locked (its migration, say). */
export const START_LOCK_WAIT_MS = 10 * 60_000;

/**
 * Runs `fn` again while the database is locked by another process, for at most `maxMs`
 * (each try already waits the busy timeout); `onWait` is told once. For start-up work, which
 * has nothing to fall back on: nodes started beside one that migrates a large database wait
 * for it instead of exiting with "database is locked".
 */
export async function retryWhileLocked<T>(
  fn: () => Promise<T>,
  opts: { maxMs?: number; onWait?: () => void } = {},
): Promise<T> {
  const end = Date.now() + (opts.maxMs ?? START_LOCK_WAIT_MS);
  let told = false;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (!isLocked(err) || Date.now() >= end) throw err;
      if (!told) opts.onWait?.();
      told = true;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
