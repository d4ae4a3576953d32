// Migrations whose values SQL cannot compute on both databases alike run code after their SQL
// (Migration.after): rows made before migration 017 get their public ids and domains, pages
// with a hostname before 018 get a token for its proof. Migration 024 rebuilds the results and
// rollups (SQLite) or their keys (PostgreSQL) under a database that holds them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { freshDatabase, startHarness, type Harness } from './harness.ts';
import { sql } from 'kysely';
import { migration } from '../src/storage/migrations/017_expiry_alerts.ts';
import { migration as hostnameProof } from '../src/storage/migrations/018_hostname_proof.ts';
import { migrations } from '../src/storage/migration-list.ts';
import { openStore, type Store } from '../src/storage/store.ts';
import { createProject } from '../src/services/projects.ts';
import { createMonitor } from '../src/services/monitors.ts';
import { recordResults } from '../src/services/results.ts';
import { checkLogs } from '../src/services/insights.ts';
import { pruneOnce } from '../src/services/retention.ts';
import { DAY, HOUR, bucketStart } from '../src/domain/rollups.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.stop();
});

test('migration 017 gives older healthchecks a public id and older monitors their registrable domain (and IP version 6 for an IPv6 address)', async () => {
  const hc = (
    await h.request('POST', '/v2/healthchecks', {
      body: { name: 'old', period_value: 1, period_type: 'hours', grace_period_value: 1, grace_period_type: 'hours' },
    })
  ).body.healthcheck;
  const shop = (
    await h.request('POST', '/v1/monitors', {
      body: { name: 'shop', url: 'https://www.shop.example.co.uk/health', paused: true },
    })
  ).body;
  const v6 = (
    await h.request('POST', '/v1/monitors', { body: { name: 'v6', url: 'http://[2001:db8::1]/', paused: true } })
  ).body;
  const { db } = h.ctx.store;
  // As they were before the migration.
  await db.updateTable('healthchecks').set({ public_uuid: null }).execute();
  await db.updateTable('monitors').set({ domain: null, ip_version: 4 }).execute();
  await db.transaction().execute((trx) => migration.after!(trx));
  const row = await db
    .selectFrom('healthchecks')
    .select('public_uuid')
    .where('uuid', '=', hc.uuid)
    .executeTakeFirstOrThrow();
  assert.match(row.public_uuid ?? '', /^hc_[A-Za-z0-9]{24}$/);
  assert.notEqual(row.public_uuid!.slice(3), hc.uuid.slice(4), 'a fresh id, never derived from the ping token');
  const monitors = await db.selectFrom('monitors').select(['uuid', 'domain', 'ip_version']).orderBy('id').execute();
  assert.deepEqual(
    monitors.map((m) => [m.uuid, m.domain, m.ip_version]),
    [
      [shop.uuid, 'example.co.uk', 4],
      [v6.uuid, null, 6],
    ],
  );
});

test('migration 018 turns custom hostnames set before it into claims: not served until proven, each with its token', async () => {
  const sp = (await h.request('POST', '/v2/statuspages', { body: { name: 'Old page', subdomain: 'old-page' } })).body
    .statuspage;
  const { db } = h.ctx.store;
  // As it was before the migration: a served hostname, no claim.
  await db
    .updateTable('status_pages')
    .set({ hostname: 'status.old.example.com', hostname_claim: null, hostname_token: null })
    .where('uuid', '=', sp.uuid)
    .execute();
  const updates = hostnameProof.sql
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('UPDATE'));
  assert.equal(updates.length, 2);
  await db.transaction().execute(async (trx) => {
    for (const u of updates) await sql.raw(u).execute(trx);
    await hostnameProof.after!(trx);
  });
  const row = await db
    .selectFrom('status_pages')
    .select(['hostname', 'hostname_claim', 'hostname_token', 'hostname_claimed_at'])
    .where('uuid', '=', sp.uuid)
    .executeTakeFirstOrThrow();
  assert.equal(row.hostname, null);
  assert.equal(row.hostname_claim, 'status.old.example.com');
  assert.match(row.hostname_token ?? '', /^[A-Za-z0-9]{32}$/);
  assert.ok(row.hostname_claimed_at! > 0);
  const read = (await h.request('GET', `/v2/statuspages/${sp.uuid}`)).body.statuspage;
  assert.equal(read.hostname, 'status.old.example.com');
  assert.equal(read.url, 'old-page.hyperping.app');
  assert.equal(read.hostname_verification.value, `vigil-verification=${row.hostname_token}`);
});

test('migration 024 keeps results and rollups, keys them by monitor, numbers new results after old ids', async () => {
  const db = await freshDatabase();
  const opts = { databaseUrl: db.env.DATABASE_URL ?? null, dataDir: db.dataDir };
  const upTo = migrations.findIndex((m) => m.id === '024_compact_results');
  assert.ok(upTo > 0);
  const log = { info() {}, warn() {}, error() {} };
  const now = Date.now();
  let store: Store = await openStore({ ...opts, migrations: migrations.slice(0, upTo) });
  const ctx = (s: Store) => ({ store: s, clock: () => now, log });
  const project = await createProject(ctx(store), 'before 024');
  const actor = (s: Store) => ({
    ...ctx(s),
    actor: { projectId: project.id, projectUuid: project.uuid, permission: 'read_write' as const, keyId: null },
  });
  const web = await createMonitor(actor(store), { name: 'web', url: 'https://web.example.org/', paused: true });
  const api = await createMonitor(actor(store), { name: 'api', url: 'https://api.example.org/', paused: true });
  const ids = new Map<string, number>();
  for (const m of [web, api])
    ids.set(
      m.uuid,
      (await store.db.selectFrom('monitors').select('id').where('uuid', '=', m.uuid).executeTakeFirstOrThrow()).id,
    );
  const [w, a] = [ids.get(web.uuid)!, ids.get(api.uuid)!];
  // As the old table took them: ids from the database, one of a week ago, a failure, a row deleted.
  const old = (monitor_id: number, at: number, ok: boolean, location: string) => ({
    monitor_id,
    at,
    location,
    ok: ok ? 1 : 0,
    status_code: ok ? 200 : 503,
    total_ms: ok ? 120 : null,
    dns_ms: ok ? 3 : null,
    connect_ms: ok ? 7 : null,
    tls_ms: ok ? 21 : null,
    ttfb_ms: ok ? 80 : null,
    error: ok ? null : 'expected 2xx, got 503',
  });
  await store.db
    .insertInto('check_results')
    .values([
      old(w, now - 8 * DAY, true, 'london'),
      old(w, now - 120_000, true, 'london'),
      old(a, now - 90_000, true, 'frankfurt'),
      old(w, now - 60_000, false, 'frankfurt'),
      old(w, now - 60_000, true, 'london'),
      old(a, now - 30_000, true, 'frankfurt'),
    ] as never)
    .execute();
  const lastOld = (
    await store.db.selectFrom('check_results').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow()
  ).id;
  await store.db.deleteFrom('check_results').where('id', '=', lastOld).execute();
  const rollup = (monitor_id: number, granularity: 'hour' | 'day', bucket: number, checks: number) => ({
    monitor_id,
    granularity,
    bucket,
    location: 'london',
    checks,
    failures: 1,
    sum_ms: 120 * (checks - 1),
    min_ms: 120,
    max_ms: 120,
    h0: 0,
    h1: 0,
    h2: 0,
    h3: checks - 1,
    h4: 0,
    h5: 0,
    h6: 0,
    h7: 0,
    h8: 0,
    h9: 0,
    h10: 0,
    h11: 0,
  });
  await store.db
    .insertInto('check_rollups')
    .values([
      rollup(w, 'hour', bucketStart(now, HOUR), 3),
      rollup(w, 'hour', bucketStart(now - 40 * DAY, HOUR), 2),
      rollup(w, 'day', bucketStart(now, DAY), 3),
      rollup(a, 'day', bucketStart(now - 10 * DAY, DAY), 5),
    ])
    .execute();
  const results = (s: Store) => s.db.selectFrom('check_results').selectAll().orderBy('id').execute();
  const rollups = (s: Store) =>
    s.db
      .selectFrom('check_rollups')
      .selectAll()
      .orderBy('monitor_id')
      .orderBy('granularity')
      .orderBy('bucket')
      .execute();
  const before = { results: await results(store), rollups: await rollups(store) };
  assert.equal(before.results.length, 5);
  await store.close();

  store = await openStore(opts);
  try {
    assert.deepEqual(await results(store), before.results, 'every result, with its id');
    assert.deepEqual(await rollups(store), before.rollups, 'every rollup');
    const indexes =
      store.dialect === 'sqlite'
        ? (
            await sql<{
              name: string;
            }>`SELECT name FROM sqlite_master
              WHERE type = 'index' AND tbl_name IN ('check_results', 'check_rollups')`.execute(store.db)
          ).rows
        : (
            await sql<{
              name: string;
            }>`SELECT indexname AS name FROM pg_indexes
              WHERE schemaname = current_schema() AND tablename IN ('check_results', 'check_rollups')`.execute(store.db)
          ).rows;
    const expected =
      store.dialect === 'sqlite'
        ? ['check_results_failures'] // the keys are the tables themselves (WITHOUT ROWID)
        : ['check_results_failures', 'check_results_pkey', 'check_rollups_pkey'];
    assert.deepEqual(indexes.map((i) => i.name).sort(), expected);

    // Reads by monitor: newest first, ties by id; failures counted from their own index.
    const logs = await checkLogs(actor(store), web.uuid, { page: 0, limit: 10 });
    assert.equal(logs.total, 4);
    assert.deepEqual(
      logs.checks.map((c) => [c.at, c.location, c.ok]),
      [
        [now - 60_000, 'london', 1],
        [now - 60_000, 'frankfurt', 0],
        [now - 120_000, 'london', 1],
        [now - 8 * DAY, 'london', 1],
      ],
    );
    assert.equal((await checkLogs(actor(store), web.uuid, { page: 0, limit: 10, levels: ['error'] })).total, 1);

    // New results follow every id the old table gave, the deleted one's included.
    const timings = { statusCode: 200, dnsMs: null, connectMs: null, tlsMs: null, ttfbMs: null, error: null };
    await recordResults(ctx(store), [
      { monitorId: a, at: now - 10_000, location: 'frankfurt', ok: true, totalMs: 99, ...timings },
      { monitorId: w, at: now - 5_000, location: 'london', ok: true, totalMs: 98, ...timings },
    ]);
    const fresh = (await results(store)).filter((r) => r.at >= now - 10_000);
    assert.equal(fresh.length, 2);
    assert.ok(fresh.every((r) => r.id > lastOld));
    assert.equal(new Set((await results(store)).map((r) => r.id)).size, 7);

    // Retention finds old rows by monitor: the result of 8 days ago, the hourly rollup of 40.
    const deleted = await pruneOnce(ctx(store), { rawDays: 7, hourlyDays: 30, dailyDays: 400 });
    assert.equal(deleted, 2);
    assert.equal((await results(store)).length, 6);
    const left = (await rollups(store)).map((r) => `${r.monitor_id} ${r.granularity} ${r.bucket}`);
    assert.ok(!left.includes(`${w} hour ${bucketStart(now - 40 * DAY, HOUR)}`));
    for (const kept of [`${w} hour ${bucketStart(now, HOUR)}`, `${a} day ${bucketStart(now - 10 * DAY, DAY)}`])
      assert.ok(left.includes(kept), kept);
  } finally {
    await store.close();
    await db.drop();
  }
});
