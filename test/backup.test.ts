import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { dialect, freshDatabase, runCli, snapshot, startHarness, type Harness } from './harness.ts';
import { openContext } from '../src/main.ts';
import { loadConfig } from '../src/config.ts';
import { createSession, createUser } from '../src/services/users.ts';
import { createProject, listProjects } from '../src/services/projects.ts';
import { backupSqlite, restoreSqlite } from '../src/storage/backup.ts';
import { StoreError } from '../src/storage/store.ts';
import { recordResults } from '../src/services/results.ts';
import type { Ctx } from '../src/services/context.ts';

const sqliteOnly = dialect === 'postgres' ? 'vigil backup copies SQLite; PostgreSQL has pg_dump (tested below)' : false;
const quiet = { info() {}, warn() {}, error() {} };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-backup-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Rows in every table, made through the API where it can make them. */
async function fill(h: Harness) {
  const req = async (method: string, p: string, body?: unknown) => {
    const res = await h.request(method, p, { body });
    assert.ok(res.status < 300, `${method} ${p}: ${res.status} ${res.text}`);
    return res.body;
  };
  const monitor = await req('POST', '/v1/monitors', {
    name: 'site',
    url: 'https://example.org',
    regions: ['london', 'paris'],
    request_headers: [{ name: 'X-A', value: 'b' }],
  });
  await req('POST', '/v2/outages', {
    monitorUuid: monitor.uuid,
    startDate: '2026-03-01T11:00:00Z',
    statusCode: 500,
    description: 'down',
    outageType: 'manual',
  });
  const hc = (
    await req('POST', '/v2/healthchecks', {
      name: 'cron',
      cron: '30 2 * * *',
      timezone: 'Europe/Berlin',
      grace_period_value: 5,
      grace_period_type: 'minutes',
    })
  ).healthcheck;
  assert.equal((await fetch(`${h.url}/ping/${hc.uuid}`, { method: 'POST', body: 'backup done ✓' })).status, 200);
  const incident = await req('POST', '/v3/incidents', {
    title: { en: 'Slow', fr: 'Lent' },
    text: { en: 'Looking' },
    affectedComponents: [monitor.uuid],
  });
  await req('POST', `/v3/incidents/${incident.uuid}/updates`, {
    text: { en: 'Fixed' },
    type: 'resolved',
    date: '2026-03-01T12:00:00Z',
  });
  await req('POST', '/v1/maintenance-windows', {
    name: 'upgrade',
    start_date: '2030-01-01T00:00:00Z',
    end_date: '2030-01-01T01:00:00Z',
    monitors: [monitor.uuid],
  });
  const page = (
    await req('POST', '/v2/statuspages', {
      name: 'Acme',
      password: 'secret pass',
      sections: [{ name: { en: 'Web' }, services: [{ monitor_uuid: monitor.uuid }] }],
    })
  ).statuspage;
  await req('POST', `/v2/statuspages/${page.uuid}/subscribers`, { type: 'email', email: 'ann@example.org' });
  // What the API does not make: check results (the engine's), dashboard users and sessions.
  const id = (
    await h.ctx.store.db.selectFrom('monitors').select('id').where('uuid', '=', monitor.uuid).executeTakeFirstOrThrow()
  ).id;
  const at = Date.now() - 60_000;
  await recordResults(
    h.ctx,
    [0, 1, 2].map((i) => ({
      monitorId: id,
      at: at + i * 1000,
      location: 'local',
      ok: i !== 1,
      statusCode: i === 1 ? 503 : 200,
      totalMs: 40 + i,
      dnsMs: 1,
      connectMs: 2,
      tlsMs: 3,
      ttfbMs: 30,
      error: i === 1 ? 'expected 2xx, got 503' : null,
    })),
  );
  const user = await createUser(h.ctx, { email: 'owner@example.org', password: 'a long password' });
  await createSession(
    h.ctx,
    (await h.ctx.store.db.selectFrom('users').select('id').where('uuid', '=', user.uuid).executeTakeFirstOrThrow()).id,
  );
  return monitor.uuid as string;
}

/** Tables the code of migrations 001–007 made; each must hold rows before the backup. */
const FILLED = [
  'api_keys',
  'audit_log',
  'check_results',
  'check_rollups',
  'healthcheck_pings',
  'healthchecks',
  'incident_monitors',
  'incident_updates',
  'incidents',
  'maintenance_monitors',
  'maintenance_windows',
  'monitors',
  'outages',
  'project_members',
  'projects',
  'schema_migrations',
  'sessions',
  'status_page_subscribers',
  'status_pages',
  'users',
];

const auditRows = async (ctx: Ctx) =>
  (await sql<Record<string, unknown>>`SELECT * FROM audit_log ORDER BY id`.execute(ctx.store.db)).rows;

describe('vigil backup and vigil restore (SQLite)', { skip: sqliteOnly }, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.stop();
  });

  test('a backup taken while the server writes restores into a fresh data folder with every table equal', async (t) => {
    await fill(h);
    const counts = await snapshot(h.ctx);
    for (const t of FILLED.filter((x) => x !== 'audit_log'))
      assert.ok(counts[t]?.length > 0, `${t} has rows before the backup`);
    assert.ok((await auditRows(h.ctx)).length > 0);
    const empty = Object.keys(counts).filter((t) => counts[t].length === 0);
    if (empty.length) t.diagnostic(`tables without rows (no API makes them yet): ${empty.join(', ')}`);

    // API writes keep coming while the CLI copies the database.
    const file = path.join(tmp, 'online.db');
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        const res = await h.request('POST', '/v1/monitors', {
          body: { name: `during ${written}`, url: 'https://example.org', paused: true },
        });
        assert.equal(res.status, 201);
        written++;
      }
    })();
    const backup = await h.cli(['backup', file]);
    writing = false;
    await writer;
    assert.equal(backup.code, 0, backup.stderr);
    assert.match(backup.stdout, /^Backed up .*vigil\.db to .*online\.db \(\d+ bytes, \d+ migrations\)\.\n$/);
    assert.ok(written > 0, 'writes ran during the backup');
    const copy = new SQLite(file, { readonly: true });
    assert.equal(copy.pragma('integrity_check', { simple: true }), 'ok');
    assert.equal(copy.pragma('journal_mode', { simple: true }), 'delete', 'the backup is one self-contained file');
    copy.close();

    const fresh = await freshDatabase(); // SQLite here: an empty temp folder
    try {
      const target = path.join(fresh.dataDir, 'new-folder');
      const restore = await runCli(['restore', file], { VIGIL_DATA_DIR: target });
      assert.equal(restore.code, 0, restore.stderr);
      assert.match(restore.stdout, /^Restored .*online\.db into .*new-folder\/vigil\.db\.\n$/);
      const restored = await openContext(loadConfig({ VIGIL_DATA_DIR: target }), quiet);
      try {
        const [source, copied] = [await snapshot(h.ctx), await snapshot(restored)];
        assert.deepEqual(Object.keys(copied), Object.keys(source));
        for (const t of Object.keys(source)) {
          if (t === 'monitors' || t === 'sqlite_sequence') continue; // the writer's monitors, checked below
          assert.deepEqual(copied[t], source[t], t);
        }
        // The copy is one moment of the writes: every monitor from before it, a prefix of the writer's, nothing made up.
        const names = (rows: unknown[]) => rows.map((r) => JSON.parse(r as string).name as string);
        assert.ok(copied.monitors.every((m) => source.monitors.includes(m)));
        const during = names(copied.monitors)
          .filter((n) => n.startsWith('during '))
          .map((n) => Number(n.slice(7)))
          .sort((a, b) => a - b);
        assert.deepEqual(
          during,
          during.map((_, i) => i),
        );
        assert.equal(
          names(copied.monitors).filter((n) => !n.startsWith('during ')).length,
          names(source.monitors).filter((n) => !n.startsWith('during ')).length,
        );
        assert.deepEqual(await auditRows(restored), await auditRows(h.ctx));
      } finally {
        await restored.store.close();
      }
    } finally {
      await fresh.drop();
    }
  });

  test('restore refuses while a server has the database open, and changes nothing', async () => {
    const file = path.join(tmp, 'refused.db');
    assert.equal((await h.cli(['backup', file])).code, 0);
    const before = await snapshot(h.ctx);
    const res = await h.cli(['restore', file]);
    assert.equal(res.code, 1);
    assert.match(
      res.stderr,
      /^vigil: .*vigil\.db is in use: stop vigil serve \(and every worker\) before restoring\n$/,
    );
    assert.deepEqual(
      fs.readdirSync(h.db.dataDir).filter((f) => /bak|restoring/.test(f)),
      [],
    );
    assert.deepEqual(await snapshot(h.ctx), before);
  });

  test('restore over a stopped database keeps the old one as .bak; the restored data is what the server then reads', async () => {
    const file = path.join(tmp, 'keep.db');
    const db = await freshDatabase();
    try {
      const config = loadConfig(db.env);
      const ctx = await openContext(config, quiet);
      await createProject(ctx, 'Before backup');
      await backupSqlite(config.dataDir, file);
      await createProject(ctx, 'After backup');
      await ctx.store.close();
      const res = await runCli(['restore', file], db.env);
      assert.equal(res.code, 0, res.stderr);
      const kept = fs.readdirSync(db.dataDir).filter((f) => f.endsWith('.bak'));
      assert.equal(kept.length, 1);
      assert.match(res.stdout, new RegExp(`the previous database is kept as .*${kept[0].replace(/\./g, '\\.')}`));
      const restored = await openContext(config, quiet);
      assert.deepEqual(
        (await listProjects(restored)).map((p) => p.name),
        ['Before backup'],
      );
      await restored.store.close();
      const old = new SQLite(path.join(db.dataDir, kept[0]), { readonly: true });
      assert.deepEqual(old.prepare('SELECT name FROM projects ORDER BY name').pluck().all(), [
        'After backup',
        'Before backup',
      ]);
      old.close();
    } finally {
      await db.drop();
    }
  });

  test('backup refuses to overwrite a file; restore refuses files that are not Vigil databases, each with one line', async () => {
    const existing = path.join(tmp, 'exists.db');
    fs.writeFileSync(existing, 'keep me');
    const over = await h.cli(['backup', existing]);
    assert.equal(over.code, 1);
    assert.equal(over.stderr, `vigil: ${existing} already exists; remove it or choose another name\n`);
    assert.equal(fs.readFileSync(existing, 'utf8'), 'keep me');

    const other = path.join(tmp, 'other.db');
    const o = new SQLite(other);
    o.exec('CREATE TABLE t (x)');
    o.close();
    const db = await freshDatabase();
    try {
      const cli = await runCli(['restore', other], db.env);
      assert.equal(cli.code, 1);
      assert.equal(cli.stderr, `vigil: ${other} is not a Vigil database (no schema_migrations table)\n`);
      const cases: [string, RegExp][] = [
        [existing, /exists\.db is not an SQLite database$/],
        [path.join(tmp, 'missing.db'), /missing\.db cannot be opened/],
      ];
      for (const [file, message] of cases)
        assert.throws(
          () => restoreSqlite(db.dataDir, file),
          (err: Error) => err instanceof StoreError && message.test(err.message),
        );
      const newer = path.join(tmp, 'newer.db');
      await backupSqlite(h.db.dataDir, newer);
      const n = new SQLite(newer);
      n.prepare('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)').run('999_from_the_future', Date.now());
      n.close();
      assert.throws(
        () => restoreSqlite(db.dataDir, newer),
        /newer\.db was made by a newer Vigil \(migration 999_from_the_future\); upgrade Vigil first/,
      );
      assert.deepEqual(fs.readdirSync(db.dataDir), [], 'nothing written');
    } finally {
      await db.drop();
    }
  });
});

describe('vigil backup and vigil restore (PostgreSQL)', () => {
  test('with DATABASE_URL both answer one line with the pg_dump or pg_restore command, which names $DATABASE_URL and never prints the password', async () => {
    const url = 'postgres://vigil:s3cr%40t-pw@db.example:5432/vigil';
    const backup = await runCli(['backup', 'vigil.dump'], { DATABASE_URL: url });
    assert.equal(backup.code, 1);
    assert.equal(
      backup.stderr,
      `vigil: vigil backup copies SQLite databases only; with PostgreSQL (postgres://vigil:***@db.example:5432/vigil) run: pg_dump --format=custom --file='vigil.dump' "$DATABASE_URL"\n`,
    );
    const restore = await runCli(['restore', 'vigil.dump'], { DATABASE_URL: url });
    assert.equal(restore.code, 1);
    assert.equal(
      restore.stderr,
      `vigil: vigil restore copies SQLite databases only; with PostgreSQL (postgres://vigil:***@db.example:5432/vigil) run: pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" 'vigil.dump'\n`,
    );
    for (const out of [backup, restore])
      assert.doesNotMatch(out.stdout + out.stderr, /s3cr/, 'no part of the password');
  });
});
