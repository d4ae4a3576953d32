import type { Compilable, CompiledQuery, Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';
import type { Dialect, Store } from './store.ts';

interface Entry {
  compiled: CompiledQuery;
  slots: number[];
}

/**
 * A hot query built once per dialect with kysely, then run with new arguments, skipping the
 * builder and compiler (about 25 µs a call). The builder receives sentinel arguments; their
 * positions in the compiled parameter list are where the real arguments go. With `cached`,
 * SQLite reuses an identical read's rows until any connection writes (Store.readNow), and so
 * does a pinned PostgreSQL store (Store.pinWith) while the database is as it was when pinned.
 */
export function prepared<A extends unknown[], R>(
  build: (db: Kysely<Database>, ...args: A) => Compilable<R>,
  opts: { cached?: boolean } = {},
) {
  const byDialect = new Map<Dialect, Entry>();
  function entry(dialect: Dialect, db: Kysely<Database>, args: A): Entry {
    let e = byDialect.get(dialect);
    if (!e) {
      const sentinels = args.map((_, i) => `\u0000arg${i}\u0000`) as A;
      const compiled = build(db, ...sentinels).compile();
      e = { compiled, slots: compiled.parameters.map((p) => sentinels.indexOf(p as never)) };
      byDialect.set(dialect, e);
    }
    return e;
  }
  const parameters = ({ compiled, slots }: Entry, args: A) =>
    compiled.parameters.map((p, i) => (slots[i] >= 0 ? args[slots[i]] : p));
  function bind(dialect: Dialect, db: Kysely<Database>, args: A): CompiledQuery<R> {
    const e = entry(dialect, db, args);
    return { ...e.compiled, parameters: parameters(e, args) } as CompiledQuery<R>;
  }
  const run = async (store: Store, ...args: A): Promise<R[]> => {
    const q = bind(store.dialect, store.db, args);
    const now = store.readNow?.<R>(q.sql, q.parameters, opts.cached);
    if (now) return now;
    if (!opts.cached || !store.cachedRows) return (await store.db.executeQuery<R>(q)).rows;
    const kept = store.cachedRows<R>(q.sql, q.parameters);
    if (kept) return kept;
    const { rows } = await store.db.executeQuery<R>(q);
    store.keepRows!(q.sql, q.parameters, rows);
    return rows;
  };
  /**
   * The rows at once, without a promise, where the store can (Store.readNow, or a pinned
   * PostgreSQL store's kept rows of a cached read); else undefined.
   */
  run.now = (store: Store, ...args: A): R[] | undefined => {
    if (!store.readNow && !(opts.cached && store.cachedRows)) return undefined;
    const e = entry(store.dialect, store.db, args);
    if (store.readNow) return store.readNow<R>(e.compiled.sql, parameters(e, args), opts.cached);
    return store.cachedRows!<R>(e.compiled.sql, parameters(e, args));
  };
  /** The same query inside a transaction. */
  run.in = async (trx: Transaction<Database>, dialect: Dialect, ...args: A): Promise<R[]> =>
    (await trx.executeQuery<R>(bind(dialect, trx, args))).rows;
  return run;
}
