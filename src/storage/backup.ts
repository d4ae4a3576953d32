import fs from 'node:fs';
import SQLite from 'better-sqlite3';
import { migrations } from './migration-list.ts';
import { StoreError, sqliteFile } from './store.ts';

/** The one-line answer for PostgreSQL: its own tools do this better than Vigil could. */
export function postgresGuidance(action: 'backup' | 'restore', file: string, databaseUrl: string): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  // The command names the variable, not its value: the password never reaches a terminal or a log.
  const target = `(${maskDatabaseUrl(databaseUrl)})`;
  return action === 'backup'
    ? `vigil backup copies SQLite databases only; with PostgreSQL ${target} run: pg_dump --format=custom --file=${q(file)} "$DATABASE_URL"`
    : `vigil restore copies SQLite databases only; with PostgreSQL ${target} run: pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" ${q(file)}`;
}

/** DATABASE_URL with its password replaced by ***, for messages. */
export function maskDatabaseUrl(databaseUrl: string): string {
  try {
    const u = new URL(databaseUrl);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'DATABASE_URL';
  }
}

/** Opens `file` and checks that it is a Vigil database this version understands; returns its migrations. */
function checkVigilDatabase(file: string): string[] {
  let db: SQLite.Database;
  try {
    db = new SQLite(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new StoreError(`${file} cannot be opened: ${(err as Error).message}`);
  }
  try {
    let applied: string[];
    try {
      applied = db.prepare('SELECT id FROM schema_migrations ORDER BY id').pluck().all() as string[];
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_NOTADB')
        throw new StoreError(`${file} is not an SQLite database`);
      throw new StoreError(`${file} is not a Vigil database (no schema_migrations table)`);
    }
    const known = new Set(migrations.map((m) => m.id));
    const unknown = applied.filter((id) => !known.has(id));
    if (unknown.length)
      throw new StoreError(`${file} was made by a newer Vigil (migration ${unknown[0]}); upgrade Vigil first`);
    const check = db.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new StoreError(`${file} fails PRAGMA integrity_check: ${check}`);
    return applied;
  } finally {
    db.close();
  }
}

/**
 * Online copy of the live database with SQLite's backup API: safe while `vigil serve` writes
 * (the copy is one consistent snapshot). Written beside FILE first, renamed when complete.
 */
export async function backupSqlite(
  dataDir: string,
  file: string,
): Promise<{ source: string; bytes: number; migrations: number }> {
  const source = sqliteFile(dataDir);
  if (!fs.existsSync(source)) throw new StoreError(`no database at ${source} (check VIGIL_DATA_DIR)`);
  if (fs.existsSync(file)) throw new StoreError(`${file} already exists; remove it or choose another name`);
  const partial = `${file}.partial`;
  const db = new SQLite(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    await db.backup(partial);
  } catch (err) {
    fs.rmSync(partial, { force: true });
    throw new StoreError(`backup to ${file} failed: ${(err as Error).message}`);
  } finally {
    db.close();
  }
  // A backup is one self-contained file: no -wal beside it to forget.
  const copy = new SQLite(partial);
  copy.pragma('journal_mode = DELETE');
  copy.close();
  const applied = checkVigilDatabase(partial);
  fs.renameSync(partial, file);
  return { source, bytes: fs.statSync(file).size, migrations: applied.length };
}

/**
 * True when another process (a server, a worker, a CLI command) has the database open: every
 * SQLite connection to a WAL database holds a shared lock on its -shm file while it is open, so
 * exclusive locking mode cannot be entered until they are all gone.
 */
function inUse(file: string): boolean {
  const db = new SQLite(file, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 0');
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
    // Fold the -wal into the file, so the copy kept as .bak is whole on its own.
    db.pragma('wal_checkpoint(TRUNCATE)');
    return false;
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_BUSY') return true;
    throw new StoreError(`cannot open ${file}: ${(err as Error).message}`);
  } finally {
    db.close();
  }
}

/**
 * Replaces the database in `dataDir` with the backup FILE, only while no process has the
 * current one open. The current file is kept beside it as vigil.db.<time>.bak.
 */
export function restoreSqlite(
  dataDir: string,
  file: string,
  now = new Date(),
): { target: string; kept: string | null; migrations: number } {
  const applied = checkVigilDatabase(file);
  const target = sqliteFile(dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  const incoming = `${target}.restoring`;
  fs.copyFileSync(file, incoming);
  let kept: string | null = null;
  if (fs.existsSync(target)) {
    if (inUse(target)) {
      fs.rmSync(incoming, { force: true });
      throw new StoreError(`${target} is in use: stop vigil serve (and every worker) before restoring`);
    }
    kept = `${target}.${now.toISOString().replace(/[:.]/g, '-')}.bak`;
    fs.renameSync(target, kept);
  }
  // A -wal or -shm left beside the old file must never be applied to the restored one.
  for (const suffix of ['-wal', '-shm', '-journal']) fs.rmSync(target + suffix, { force: true });
  fs.renameSync(incoming, target);
  return { target, kept, migrations: applied.length };
}
