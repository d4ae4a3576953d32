import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import {
  Kysely,
  PostgresDialect,
  SqliteDialect,
  CompiledQuery,
  sql,
  type DatabaseConnection,
  type Dialect as KyselyDialect,
  type Driver,
  type Transaction,
} from 'kysely';
import type { Database } from './schema.ts';
import { renderMigration, type Migration } from './migrations.ts';
import { migrations } from './migration-list.ts';
import { retryWhileLocked } from './lock-wait.ts';

export type Dialect = 'sqlite' | 'postgres';

/** The one store: a kysely instance over SQLite or PostgreSQL. */
export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  ping(): Promise<void>;
  close(): Promise<void>;
  /**
   * Makes transactions that pass the same key run one after the other: a transaction-scoped
   * advisory lock on PostgreSQL; nothing on SQLite, whose writers are serialised already.
   */
  serialize(trx: Transaction<Database>, key: number): Promise<void>;
  /**
   * The query with the rows it reads locked until its transaction ends (FOR UPDATE on
   * PostgreSQL; on SQLite, whose writers are serialised already, the query as it is).
   */
  lockRows<Q extends { forUpdate(): Q }>(query: Q): Q;
  /**
   * `n` new ids for check_results rows, ascending, never given before. On SQLite that table has
   * no rowid to number its rows (migration 024): they come from a counter row, which writers,
   * serialised there already, take in turn; on PostgreSQL from the column's identity sequence.
   */
  checkResultIds(db: Kysely<Database>, n: number): Promise<number[]>;
  /**
   * SQLite only: runs a read at once when no transaction is open on the connection (so it
   * sees exactly what a queued kysely read would), skipping kysely's connection queue.
   * With `cached`, the rows of an identical earlier read are reused while no connection (this
   * one, the CLI, another process) has committed a write since; callers must not mutate them.
   * Returns undefined when the caller must go through kysely.
   */
  readNow?<R>(sql: string, parameters: readonly unknown[], cached?: boolean): R[] | undefined;
  /**
   * SQLite only: a number that changes as soon as any connection (this one, the CLI, another
   * process) has committed a write, the check behind readNow's cache, for callers that keep
   * their own. Undefined while a transaction is open on this connection.
   */
  generation?(): number | undefined;
  /**
   * PostgreSQL only: pins this store to the database as it is now, for the requests of one
   * event-loop turn, and reads `rider` (a query whose one parameter is an array) for every value
   * they asked, in one statement with `pg_current_snapshot()`, sent after the turn (the key of
   * each request comes with the pin). The pinned store's generation() says "nothing committed
   * since", like SQLite's, and its cached reads (cachedRows, keepRows) are exact for a request
   * that began before the call: a commit anywhere changes the snapshot, and a write of this
   * process since the pin turns them off. Resolves with the pinned store and the rider's rows.
   */
  pinWith?(rider: CompiledQuery): (value: string) => Promise<{ store: Store; rows: Record<string, unknown>[] }>;
  /** A pinned store's rows of an identical cached read at its generation, or undefined. */
  cachedRows?<R>(sql: string, parameters: readonly unknown[]): R[] | undefined;
  /** Keeps the rows of a cached read that missed, for later requests of the same generation. */
  keepRows?(sql: string, parameters: readonly unknown[], rows: readonly unknown[]): void;
  /**
   * Sends each payload to every listen() of `channel` on every node of this database, once the
   * transaction of `db` commits (at once outside a transaction; never after a rollback): NOTIFY
   * on PostgreSQL, in the process on SQLite (whose writers are this process). Payloads stay
   * under 7,500 bytes.
   */
  notify(db: Kysely<Database>, channel: string, payloads: string[]): Promise<void>;
  /**
   * Hands every payload notified on `channel` (by any node) to `onPayload`, and calls `onGap`
   * when some may have been missed (PostgreSQL: the listening connection was lost and is back).
   * Resolves once listening, with the function that stops.
   */
  listen(channel: string, onPayload: (payload: string) => void, onGap?: () => void): Promise<() => void>;
}

export interface StoreOptions {
  databaseUrl: string | null;
  dataDir: string;
  poolSize?: number;
  /** The migrations to apply: every one, but for the tests of one migration, which stop before it. */
  migrations?: Migration[];
  /** Told once when start-up waits for a database another process keeps locked (SQLite). */
  onLockWait?: () => void;
}

// int8 (counts, BIGINT columns) as JS numbers: every value we store fits in 2^53.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

export class StoreError extends Error {}

/**
 * The database as a whole refused (locked past the busy timeout, disk full or read-only,
 * unreachable, shutting down), as opposed to a bad query: answer 503 and retry later.
 */
export function databaseUnavailable(err: unknown): string | null {
  const code = String((err as { code?: unknown })?.code ?? '');
  if (/^SQLITE_(BUSY|LOCKED)/.test(code)) return 'the database is locked by another process';
  if (/^SQLITE_FULL/.test(code) || code === 'ENOSPC') return 'the disk of the database is full';
  if (/^SQLITE_(IOERR|READONLY|CANTOPEN)/.test(code)) return 'the database file cannot be written';
  if (/^(08|53|57)/.test(code) || /^E[A-Z]+$/.test(code)) return 'the database cannot be reached';
  if (/Connection terminated|timeout exceeded when trying to connect/i.test((err as Error)?.message ?? ''))
    return 'the database cannot be reached';
  return null;
}

/**
 * Counts connections in use and waited for, so close() can let queries under way finish
 * (background writes such as last_used_at or a retention batch) before destroying the driver.
 */
function tracked(
  dialect: KyselyDialect,
  busy: { n: number },
  ends: { committed?(): void; rolledBack?(): void; executing?(query: CompiledQuery): void } = {},
): KyselyDialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createDriver() {
      const d = dialect.createDriver();
      const bound = (name: keyof Driver) => (d[name] as ((...a: unknown[]) => unknown) | undefined)?.bind(d);
      const wrapper = Object.fromEntries(
        (
          [
            'init',
            'beginTransaction',
            'commitTransaction',
            'rollbackTransaction',
            'savepoint',
            'rollbackToSavepoint',
            'releaseSavepoint',
            'destroy',
          ] as const
        )
          .filter((m) => d[m])
          .map((m) => [m, bound(m)]),
      ) as unknown as Driver;
      // SQLite ends a transaction itself on some errors (SQLITE_FULL, SQLITE_IOERR, …): the ROLLBACK
      // that follows would then fail and hide the error that caused it (a full disk must be 503).
      const rollback = bound('rollbackTransaction') as Driver['rollbackTransaction'];
      wrapper.rollbackTransaction = async (c) => {
        ends.rolledBack?.();
        try {
          await rollback(c);
        } catch (err) {
          if (!/no transaction is active/.test(String((err as Error)?.message))) throw err;
        }
      };
      const commit = bound('commitTransaction') as Driver['commitTransaction'];
      wrapper.commitTransaction = async (c) => {
        await commit(c);
        ends.committed?.();
      };
      const seen = new WeakSet<DatabaseConnection>();
      wrapper.acquireConnection = async () => {
        busy.n++;
        try {
          const connection = await d.acquireConnection();
          if (ends.executing && !seen.has(connection)) {
            seen.add(connection);
            const execute = connection.executeQuery.bind(connection);
            connection.executeQuery = (query) => {
              ends.executing!(query);
              return execute(query);
            };
          }
          return connection;
        } catch (err) {
          busy.n--;
          throw err;
        }
      };
      wrapper.releaseConnection = async (c) => {
        try {
          await d.releaseConnection(c);
        } finally {
          busy.n--;
        }
      };
      return wrapper;
    },
  };
}

/** Waits (at most `ms`) until no connection has been in use for a few event-loop turns. */
async function quiesce(busy: { n: number }, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  for (let quiet = 0; quiet < 3 && Date.now() < end; ) {
    await new Promise((r) => setImmediate(r));
    if (busy.n === 0) quiet++;
    else {
      quiet = 0;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

/** What SQLite's read cache (Store.readNow) keeps at most: one read's rows, and all of them. */
export const READ_CACHE_ENTRY_BYTES = 1024 * 1024;
export const READ_CACHE_BYTES = 64 * 1024 * 1024;

/** About how much memory rows hold (strings by length, other values 8 bytes), counted up to `limit`. */
export function rowBytes(rows: readonly unknown[], limit = Infinity): number {
  let bytes = 0;
  for (const row of rows) {
    bytes += 64;
    for (const v of Object.values(row as Record<string, unknown>)) bytes += typeof v === 'string' ? v.length : 8;
    if (bytes > limit) break;
  }
  return bytes;
}

/**
 * Rows of identical reads (same SQL, same parameters), each kept with the generation it was read
 * at and served only at that generation. Bounded in bytes, not only in number: a read of large
 * rows (monitors with their bodies and headers) is served but not kept, and the cache starts
 * over when full.
 */
function readCache() {
  const cache = new Map<string, Map<string, { generation: number; rows: unknown[]; bytes: number }>>();
  let cachedBytes = 0;
  return {
    get<R>(text: string, parameters: readonly unknown[], generation: number): R[] | undefined {
      const hit = cache.get(text)?.get(JSON.stringify(parameters));
      return hit && hit.generation === generation ? (hit.rows as R[]) : undefined;
    },
    keep(text: string, parameters: readonly unknown[], generation: number, rows: readonly unknown[]) {
      const bytes = rows.length ? rowBytes(rows, READ_CACHE_ENTRY_BYTES) : 0;
      if (!rows.length || bytes > READ_CACHE_ENTRY_BYTES) return;
      const args = JSON.stringify(parameters);
      let byArgs = cache.get(text);
      if (!byArgs) cache.set(text, (byArgs = new Map()));
      if (byArgs.size >= 10_000 || cachedBytes + bytes > READ_CACHE_BYTES) {
        cache.clear();
        cache.set(text, (byArgs = new Map()));
        cachedBytes = 0;
      }
      cachedBytes += bytes - (byArgs.get(args)?.bytes ?? 0);
      byArgs.set(args, { generation, rows: rows as unknown[], bytes });
    },
  };
}

/** Who listens to which channel, in this process. */
function listenerSet() {
  const byChannel = new Map<string, Set<{ onPayload: (payload: string) => void; onGap?: () => void }>>();
  return {
    byChannel,
    add(channel: string, onPayload: (payload: string) => void, onGap?: () => void): () => void {
      let set = byChannel.get(channel);
      if (!set) byChannel.set(channel, (set = new Set()));
      const entry = { onPayload, onGap };
      set.add(entry);
      return () => {
        set.delete(entry);
        if (set.size === 0 && byChannel.get(channel) === set) byChannel.delete(channel);
      };
    },
    dispatch(channel: string, payload: string) {
      for (const l of byChannel.get(channel) ?? []) {
        try {
          l.onPayload(payload);
        } catch {} // a listener's bug never reaches the writer
      }
    },
    gap() {
      for (const set of byChannel.values()) for (const l of set) l.onGap?.();
    },
  };
}

/** The SQLite database file inside VIGIL_DATA_DIR. */
export const sqliteFile = (dataDir: string) => path.join(dataDir, 'vigil.db');

export async function openStore(opts: StoreOptions): Promise<Store> {
  const store = opts.databaseUrl ? await openPostgres(opts) : openSqlite(opts);
  await retryWhileLocked(() => migrate(store, opts.migrations ?? migrations), { onWait: opts.onLockWait });
  return store;
}

function openSqlite(opts: StoreOptions): Store {
  try {
    fs.mkdirSync(opts.dataDir, { recursive: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST')
      throw new StoreError(`VIGIL_DATA_DIR ${opts.dataDir} is a file, not a folder`);
    throw new StoreError(`VIGIL_DATA_DIR ${opts.dataDir} cannot be created: ${(err as Error).message}`);
  }
  try {
    // SQLite needs to create its -wal and -shm files beside the database.
    fs.accessSync(opts.dataDir, fs.constants.R_OK | fs.constants.W_OK | fs.constants.X_OK);
  } catch {
    throw new StoreError(
      `VIGIL_DATA_DIR ${opts.dataDir} is not readable and writable by this user (uid ${process.getuid?.() ?? '?'})`,
    );
  }
  const file = sqliteFile(opts.dataDir);
  let raw: SQLite.Database;
  try {
    raw = new SQLite(file);
    raw.pragma('journal_mode = WAL');
    raw.pragma('busy_timeout = 5000');
    raw.pragma('synchronous = NORMAL');
    raw.pragma('foreign_keys = ON');
  } catch (err) {
    throw new StoreError(`cannot open the SQLite database ${file} in VIGIL_DATA_DIR: ${(err as Error).message}`);
  }
  // kysely prepares every query anew; reusing statements by SQL text saves most of the cost.
  const statements = new Map<string, SQLite.Statement>();
  // Writes on this connection; PRAGMA data_version counts those of every other connection.
  let ownWrites = 0;
  const database = {
    prepare(text: string) {
      // Every transaction here writes: take the write lock at BEGIN, so a concurrent writer
      // (the CLI, a second worker) makes it wait (busy_timeout) instead of failing on upgrade.
      if (text === 'begin') text = 'BEGIN IMMEDIATE';
      let st = statements.get(text);
      if (!st) {
        st = raw.prepare(text);
        if (statements.size < 2000) statements.set(text, st);
      }
      // kysely prepares right before it runs: count the write before it happens.
      if (!st.readonly) ownWrites++;
      return st;
    },
    close: () => raw.close(),
  };
  const busy = { n: 0 };
  // Notifications of the open transaction (one connection: one at a time) go out when it commits.
  const listeners = listenerSet();
  let held: [string, string][] = [];
  const deliver = (list: [string, string][]) => {
    if (list.length)
      setImmediate(() => {
        for (const [channel, payload] of list) listeners.dispatch(channel, payload);
      });
  };
  const ends = {
    committed() {
      deliver(held);
      held = [];
    },
    rolledBack() {
      held = [];
    },
  };
  const db = new Kysely<Database>({ dialect: tracked(new SqliteDialect({ database }), busy, ends) });
  const dataVersion = raw.prepare('PRAGMA data_version').pluck();
  // Other connections' commits are looked up once per synchronous run: the reads of one run
  // (an API request's key and resource on SQLite) see one snapshot, and pay for one check.
  let seenVersion: number | null = null;
  const forget = () => {
    seenVersion = null;
  };
  const versionNow = () => {
    if (seenVersion === null) {
      seenVersion = dataVersion.get() as number;
      queueMicrotask(forget);
    }
    return seenVersion;
  };
  // One number for "nothing committed since": bumped when data_version or our own writes moved.
  let generation = 0;
  let lastVersion: number | null = null;
  let lastWrites = 0;
  const generationNow = () => {
    const version = versionNow();
    if (version !== lastVersion || ownWrites !== lastWrites) {
      generation++;
      lastVersion = version;
      lastWrites = ownWrites;
    }
    return generation;
  };
  const cache = readCache();
  // A read of a real table: SELECT 1 alone would not touch the database file.
  let ping: SQLite.Statement | null = null;
  return {
    db,
    dialect: 'sqlite',
    readNow<R>(text: string, parameters: readonly unknown[], cached = false) {
      if (raw.inTransaction) return undefined;
      if (!cached) return database.prepare(text).all(parameters) as R[];
      const current = generationNow();
      const hit = cache.get<R>(text, parameters, current);
      if (hit) return hit;
      const rows = database.prepare(text).all(parameters) as R[];
      cache.keep(text, parameters, current, rows);
      return rows;
    },
    generation: () => (raw.inTransaction ? undefined : generationNow()),
    async notify(on, channel, payloads) {
      if (!listeners.byChannel.has(channel)) return; // nobody in this process: nobody at all
      const list = payloads.map((p): [string, string] => [channel, p]);
      if (on.isTransaction) held.push(...list);
      else deliver(list);
    },
    async listen(channel, onPayload, onGap) {
      return listeners.add(channel, onPayload, onGap);
    },
    async serialize() {},
    lockRows: (query) => query,
    async checkResultIds(on, n) {
      if (n <= 0) return [];
      const last = (
        await sql<{
          last_id: number;
        }>`UPDATE id_sequences SET last_id = last_id + ${n} WHERE name = 'check_results' RETURNING last_id`.execute(on)
      ).rows[0].last_id;
      return Array.from({ length: n }, (_, i) => last - n + 1 + i);
    },
    async ping() {
      (ping ??= raw.prepare('SELECT id FROM schema_migrations LIMIT 1')).get();
    },
    async close() {
      await quiesce(busy);
      await db.destroy();
    },
  };
}

async function openPostgres(opts: StoreOptions): Promise<Store> {
  const pool = new pg.Pool({
    connectionString: opts.databaseUrl!,
    max: opts.poolSize ?? 10,
    // A server that accepts and never answers (a dead proxy, a black-holed route) fails the
    // query instead of hanging it; the next query tries a new connection.
    connectionTimeoutMillis: 10_000,
  });
  pool.on('error', () => {}); // idle client errors surface on the next query instead
  // A connection lost while checked out (the database restarted, a proxy cut it) emits 'error'
  // on its client, which would crash the process: its query fails instead, and the pool drops it.
  pool.on('connect', (client) => client.on('error', () => {}));
  try {
    (await pool.connect()).release();
  } catch (err) {
    await pool.end().catch(() => {});
    throw new StoreError(`cannot connect to DATABASE_URL: ${(err as Error).message}`);
  }
  const busy = { n: 0 };
  // Statements this process sent that may write (all but plain reads): a pinned store's cache
  // turns off once one is sent, so a request reads its own writes.
  let writes = 0;
  const executing = (query: CompiledQuery) => {
    const kind = query.query.kind;
    if (kind !== 'SelectQueryNode' && !(kind === 'RawNode' && /^\s*select\b/i.test(query.sql))) writes++;
  };
  const db = new Kysely<Database>({ dialect: tracked(new PostgresDialect({ pool }), busy, { executing }) });
  // Channels are per database; schemas sharing one (the tests' fresh schemas) get channels of their own.
  const schema = (await sql<{ s: string }>`SELECT current_schema() AS s`.execute(db)).rows[0]?.s ?? 'public';
  const suffix = schema === 'public' ? '' : `_${createHash('sha256').update(schema).digest('hex').slice(0, 12)}`;
  const channelName = (channel: string) => {
    if (!/^[a-z_]{1,40}$/.test(channel)) throw new StoreError(`bad channel name ${channel}`);
    return channel + suffix;
  };
  const listener = pgListener(opts.databaseUrl!);
  // The snapshot names every transaction committed so far (xmin:xmax:in-progress list): equal
  // text, equal data. Each new text gets a new generation.
  const cache = readCache();
  let generation = 0;
  let lastSnapshot = '';
  let lastPinned: { generation: number; writes: number; store: Store } | null = null;
  // Callers that ask in the same turn of the event loop share one statement, sent after that
  // turn: each of them began before it was sent, so what it returns holds for each of them.
  function batcher(rider: CompiledQuery) {
    const text = `SELECT s.snapshot AS "__snapshot", r.* FROM (SELECT pg_current_snapshot()::text AS snapshot) s LEFT JOIN (${rider.sql}) r ON true`;
    let pending: { values: Set<string>; done: Promise<{ store: Store; rows: Record<string, unknown>[] }> } | null =
      null;
    return (value: string) => {
      if (!pending) {
        const values = new Set<string>();
        const done = new Promise<{ store: Store; rows: Record<string, unknown>[] }>((resolve, reject) =>
          setImmediate(() => {
            pending = null;
            db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(text, [[...values]])).then(({ rows }) => {
              const snapshot = String(rows[0].__snapshot);
              if (snapshot !== lastSnapshot) {
                lastSnapshot = snapshot;
                generation++;
              }
              resolve({ store: pinned(generation), rows });
            }, reject);
          }),
        );
        pending = { values, done };
      }
      pending.values.add(value);
      return pending.done;
    };
  }
  const pinned = (at: number): Store => {
    if (lastPinned?.generation === at && lastPinned.writes === writes) return lastPinned.store;
    const since = writes;
    const view: Store = Object.create(store);
    view.generation = () => (writes === since ? at : undefined);
    view.cachedRows = <R>(text: string, parameters: readonly unknown[]) =>
      writes === since ? cache.get<R>(text, parameters, at) : undefined;
    view.keepRows = (text, parameters, rows) => {
      if (writes === since) cache.keep(text, parameters, at, rows);
    };
    lastPinned = { generation: at, writes: since, store: view };
    return view;
  };
  const store: Store = {
    db,
    dialect: 'postgres',
    pinWith: (rider) => batcher(rider),
    async notify(on, channel, payloads) {
      if (payloads.length)
        await sql`SELECT pg_notify(${channelName(channel)}, p) FROM unnest(${payloads}::text[]) AS p`.execute(on);
    },
    listen: (channel, onPayload, onGap) => listener.listen(channelName(channel), onPayload, onGap),
    async serialize(trx, key) {
      await sql`SELECT pg_advisory_xact_lock(${key})`.execute(trx);
    },
    lockRows: (query) => query.forUpdate(),
    async checkResultIds(on, n) {
      if (n <= 0) return [];
      const { rows } = await sql<{
        id: number;
      }>`SELECT nextval(pg_get_serial_sequence('check_results', 'id')) AS id FROM generate_series(1, ${n})`.execute(on);
      return rows.map((r) => r.id).sort((a, b) => a - b);
    },
    async ping() {
      await sql`SELECT id FROM schema_migrations LIMIT 1`.execute(db);
    },
    async close() {
      await listener.close();
      await quiesce(busy);
      await db.destroy();
    },
  };
  return store;
}

/**
 * The connection of this node that LISTENs (outside the pool: a pooled one would be handed to
 * queries). Opened at the first listen(); when lost it connects again, backing off up to 10 s,
 * listens again and tells the listeners that payloads may have been missed.
 */
function pgListener(url: string) {
  const listeners = listenerSet();
  let client: pg.Client | null = null;
  let connecting: Promise<void> | null = null;
  let retryMs = 500;
  let retry: NodeJS.Timeout | null = null;
  let closed = false;
  const ident = (channel: string) => `"${channel}"`; // names checked by channelName

  async function connect(): Promise<void> {
    const c = new pg.Client({ connectionString: url, keepAlive: true, connectionTimeoutMillis: 10_000 });
    c.on('notification', (m) => listeners.dispatch(m.channel, m.payload ?? ''));
    c.on('error', () => lost(c));
    c.on('end', () => lost(c));
    await c.connect();
    try {
      for (const channel of listeners.byChannel.keys()) await c.query(`LISTEN ${ident(channel)}`);
    } catch (err) {
      await c.end().catch(() => {});
      throw err;
    }
    client = c;
    retryMs = 500;
  }
  function lost(c: pg.Client) {
    if (client !== c) return;
    client = null;
    c.end().catch(() => {});
    if (!closed) reconnectLater();
  }
  function reconnectLater() {
    if (retry || closed) return;
    retry = setTimeout(() => {
      retry = null;
      connecting ??= connect()
        .then(() => listeners.gap())
        .catch(() => {
          retryMs = Math.min(retryMs * 2, 10_000);
          reconnectLater();
        })
        .finally(() => {
          connecting = null;
        });
    }, retryMs);
  }
  return {
    async listen(channel: string, onPayload: (payload: string) => void, onGap?: () => void): Promise<() => void> {
      if (closed) throw new StoreError('the store is closed');
      const fresh = !listeners.byChannel.has(channel);
      const stop = listeners.add(channel, onPayload, onGap);
      try {
        while (!client) {
          connecting ??= connect().finally(() => {
            connecting = null;
          });
          await connecting;
        }
        if (fresh) await client.query(`LISTEN ${ident(channel)}`);
      } catch (err) {
        stop();
        throw err;
      }
      return stop;
    },
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      await connecting?.catch(() => {});
      const c = client;
      client = null;
      await c?.end().catch(() => {});
    },
  };
}

/** Applies pending migrations once, safely when several nodes start together. */
async function migrate(store: Store, migrations: Migration[]): Promise<void> {
  const { db, dialect } = store;
  await db.transaction().execute(async (trx) => {
    if (dialect === 'postgres') await sql`SELECT pg_advisory_xact_lock(727274)`.execute(trx);
    await sql`CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)`.execute(
      trx,
    );
    const done = new Set((await trx.selectFrom('schema_migrations').select('id').execute()).map((r) => r.id));
    for (const m of migrations) {
      if (done.has(m.id)) continue;
      for (const stmt of renderMigration(`${m.sql};\n${m.only?.[dialect] ?? ''}`, dialect))
        await sql.raw(stmt).execute(trx);
      await m.after?.(trx);
      await trx.insertInto('schema_migrations').values({ id: m.id, applied_at: Date.now() }).execute();
    }
  });
}
