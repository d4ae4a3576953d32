import type { Transaction } from 'kysely';
import type { Database } from './schema.ts';
import type { Store } from './store.ts';

/**
 * Applies a group of items in one transaction. `answerNow(i, value)` settles an item that wrote
 * nothing before the commit; every other item settles with its result after the commit.
 */
export type ApplyGroup<I, O> = (
  trx: Transaction<Database>,
  items: I[],
  answerNow: (i: number, value: O) => void,
) => Promise<O[]>;

interface Waiting<I, O> {
  item: I;
  key: string;
  settled: boolean;
  resolve(value: O): void;
  reject(err: unknown): void;
}

/**
 * The database as a whole refused (locked past the busy timeout, full, unreachable): retrying
 * items one by one would only repeat the wait for each.
 */
function databaseUnavailable(err: unknown): boolean {
  const code = String((err as { code?: unknown })?.code ?? '');
  return (
    /^SQLITE_(BUSY|LOCKED|FULL|IOERR|READONLY|CANTOPEN)/.test(code) ||
    /^(08|53|57)/.test(code) ||
    /^E[A-Z]+$/.test(code)
  );
}

/**
 * Group commit: items submitted while a transaction runs wait for the next one, so a burst of
 * small writes shares one commit (the first item of a quiet period goes at once). A promise
 * resolves only after the commit that holds its item. When a group fails, its items are retried
 * one per transaction, so one bad item fails alone (not when the whole database is unavailable).
 *
 * With `keyOf`, PostgreSQL runs up to `inFlight` groups at once (SQLite, whose writers take
 * turns, one): a new group takes only items whose key no running group holds, so the items of a
 * key are applied one group after another, in the order submitted, and groups at once never wait
 * on each other's row locks.
 */
export function groupCommit<I, O>(
  store: Store,
  apply: ApplyGroup<I, O>,
  opts: { maxGroup?: number; keyOf?: (item: I) => string; inFlight?: number } = {},
): (item: I) => Promise<O> {
  const maxGroup = opts.maxGroup ?? 500;
  const keyOf = opts.keyOf ?? (() => '');
  const maxInFlight = store.dialect === 'postgres' && opts.keyOf ? (opts.inFlight ?? 2) : 1;
  let queue: Waiting<I, O>[] = [];
  let running = 0;
  let scheduled = false;
  /** The keys of the items in running groups. */
  const busy = new Set<string>();

  const settle = (w: Waiting<I, O>, value: O) => {
    if (w.settled) return;
    w.settled = true;
    w.resolve(value);
  };

  async function commit(group: Waiting<I, O>[]) {
    const results = await store.db.transaction().execute((trx) =>
      apply(
        trx,
        group.map((w) => w.item),
        (i, value) => settle(group[i], value),
      ),
    );
    for (const [i, w] of group.entries()) settle(w, results[i]);
  }

  async function run(group: Waiting<I, O>[]) {
    try {
      await commit(group);
    } catch (err) {
      const retry = group.length > 1 && !databaseUnavailable(err);
      for (const w of group) {
        if (w.settled) continue;
        if (retry) {
          try {
            await commit([w]);
            continue;
          } catch (e) {
            w.settled = true;
            w.reject(e);
            continue;
          }
        }
        w.settled = true;
        w.reject(err);
      }
    }
  }

  /** Starts groups while there is room and work no running group holds. */
  function start() {
    scheduled = false;
    while (running < maxInFlight && queue.length) {
      const group: Waiting<I, O>[] = [];
      const rest: Waiting<I, O>[] = [];
      for (const w of queue) {
        if (group.length < maxGroup && !busy.has(w.key)) group.push(w);
        else rest.push(w);
      }
      if (group.length === 0) return;
      queue = rest;
      const keys = new Set(group.map((w) => w.key));
      for (const k of keys) busy.add(k);
      running++;
      void run(group).finally(() => {
        for (const k of keys) busy.delete(k);
        running--;
        start();
      });
    }
  }

  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, key: keyOf(item), settled: false, resolve, reject });
      if (!scheduled && running < maxInFlight) {
        scheduled = true;
        setImmediate(start); // gathers the requests read in this turn of the event loop
      }
    });
}

// A statement's text depends on how many rows it carries, and the SQLite store keeps up to
// 2000 prepared texts: groups go in power-of-two sizes so a few texts serve every size.

/** Splits into chunks of power-of-two sizes, at most `max`: 13 rows go as 8 + 4 + 1. */
export function powerOfTwoChunks<T>(items: T[], max = 256): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; ) {
    let n = max;
    while (n > items.length - i) n >>= 1;
    chunks.push(items.slice(i, i + n));
    i += n;
  }
  return chunks;
}

/** Repeats the last item up to the next power of two, for lists where a repeat changes nothing (IN). */
export function padToPowerOfTwo<T>(items: T[]): T[] {
  if (items.length === 0) return items;
  let n = 1;
  while (n < items.length) n <<= 1;
  return items.concat(Array(n - items.length).fill(items[items.length - 1]));
}
