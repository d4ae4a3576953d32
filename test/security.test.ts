// SECURITY.md items that no other test file proves (the README's "Security and reliability"
// section maps every item to its tests).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { client, freshDatabase, runCli, startHarness, type Harness } from './harness.ts';
import { KEY_PATTERN, generateApiKey, hashApiKey } from '../src/domain/api-keys.ts';
import { createApiKey, createAuthenticator } from '../src/services/api-keys.ts';
import { createProject } from '../src/services/projects.ts';
import { createUser } from '../src/services/users.ts';
import { loadConfig } from '../src/config.ts';
import { startEngine } from '../src/engine.ts';
import type { Ctx } from '../src/services/context.ts';

const UNAUTH = '{"error":"Invalid or missing API key"}';
const BIN = path.resolve(import.meta.dirname, '../bin/vigil.js');

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.stop();
});

/** Every row of every table as text (audit rows included), for searching. */
async function everyRow(ctx: Ctx): Promise<string> {
  const tables =
    ctx.store.dialect === 'sqlite'
      ? (await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table'`.execute(ctx.store.db)).rows
      : (
          await sql<{
            name: string;
          }>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()`.execute(
            ctx.store.db,
          )
        ).rows;
  let out = '';
  for (const { name } of tables)
    out += JSON.stringify((await sql`SELECT * FROM ${sql.table(name)}`.execute(ctx.store.db)).rows);
  return out;
}

describe('keys and authentication', () => {
  test('SECURITY 1: keys are sk_ + 32 characters of [A-Za-z0-9] (190 bits) from crypto.randomBytes; malformed tokens are refused before any query', async () => {
    const keys = Array.from({ length: 2000 }, generateApiKey);
    for (const k of keys) assert.match(k, KEY_PATTERN);
    assert.equal(new Set(keys).size, keys.length);
    assert.ok(32 * Math.log2(62) >= 190);
    const ids = fs.readFileSync(path.resolve(import.meta.dirname, '../src/domain/ids.ts'), 'utf8');
    assert.match(ids, /from 'node:crypto'/);
    assert.doesNotMatch(ids, /Math\.random/);
    // A store that fails on any use: malformed tokens must be answered without it.
    const untouchable = new Proxy(
      {},
      {
        get(_t, prop) {
          throw new Error(`the store was used (${String(prop)})`);
        },
      },
    );
    const authenticate = createAuthenticator({ store: untouchable as Ctx['store'], clock: Date.now, log: h.ctx.log });
    for (const token of [
      '',
      'sk_',
      'sk_short',
      `sk_${'A'.repeat(27)}`,
      `pk_${'A'.repeat(32)}`,
      `sk_${'A'.repeat(31)}!`,
      `sk_${'A'.repeat(200)}`,
      `sk_${'é'.repeat(32)}`,
    ]) {
      assert.equal(await authenticate(token), null, token);
    }
  });

  test('SECURITY 2, 3: after creating and using a key, no byte of it is in the database file, its -wal, any table, or the server logs', async () => {
    const db = await freshDatabase();
    const env = { ...db.env, VIGIL_HOST: '127.0.0.1', VIGIL_PORT: '0', VIGIL_LOG_LEVEL: 'trace', VIGIL_ROLE: 'api' };
    const project = JSON.parse((await runCli(['projects', 'create', '--name', 'logs', '--json'], env)).stdout);
    const created = JSON.parse(
      (
        await runCli(
          ['keys', 'create', '--project', project.uuid, '--name', 'k', '--permission', 'read_write', '--json'],
          env,
        )
      ).stdout,
    );
    const ro = JSON.parse(
      (
        await runCli(
          ['keys', 'create', '--project', project.uuid, '--name', 'r', '--permission', 'read_only', '--json'],
          env,
        )
      ).stdout,
    );
    const key: string = created.key;
    const server = spawn(process.execPath, [BIN, 'serve'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let logs = '';
    server.stdout.on('data', (c) => {
      logs += c;
    });
    server.stderr.on('data', (c) => {
      logs += c;
    });
    try {
      const base = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`server did not start: ${logs}`)), 30_000);
        const look = () => {
          const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(logs);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]);
          } else setTimeout(look, 50);
        };
        look();
      });
      const c = client(base, key);
      assert.equal((await c.request('GET', '/v1/monitors')).status, 200);
      assert.equal(
        (await c.request('POST', '/v1/monitors', { body: { name: 'x', url: 'https://example.org', paused: true } }))
          .status,
        201,
      );
      assert.equal((await c.request('POST', '/v1/monitors', { body: { check_frequency: 7 } })).status, 422);
      assert.equal((await c.request('POST', '/v1/monitors', { raw: '{bad' })).status, 400);
      assert.equal((await c.request('DELETE', '/v1/monitors/mon_AAAAAAAAAAAAAA', { key: ro.key })).status, 403);
      assert.equal((await c.request('GET', `/v1/monitors?api_key=${key}`, { key: null })).status, 401);
      assert.equal((await c.request('GET', `/v1/nothing/${key}`)).status, 404);
      const listed = await runCli(['keys', 'list', '--project', project.uuid, '--json'], env);
      assert.ok(listed.stdout.includes(created.masked) && !listed.stdout.includes(key));
      // While the server runs, the -wal holds the recent writes.
      const { openContext } = await import('../src/main.ts');
      const ctx = await openContext(loadConfig(env), { info() {}, warn() {}, error() {} });
      try {
        const rows = await everyRow(ctx);
        for (const secret of [key, key.slice(3), ro.key]) assert.ok(!rows.includes(secret), 'no table holds the key');
        assert.ok(rows.includes(hashApiKey(key)), 'the hash is what is stored');
      } finally {
        await ctx.store.close();
      }
      if (!db.env.DATABASE_URL) {
        const files = fs.readdirSync(db.dataDir);
        assert.ok(files.includes('vigil.db-wal'), files.join(' '));
        for (const f of files) {
          const bytes = fs.readFileSync(path.join(db.dataDir, f));
          for (const secret of [key, key.slice(3), ro.key]) assert.equal(bytes.indexOf(secret), -1, `${f} holds a key`);
        }
      }
    } finally {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
      await db.drop();
    }
    assert.ok(logs.length > 0 && logs.includes('"level":'), 'trace logs were written');
    assert.ok(!logs.includes(key.slice(3)) && !logs.includes(ro.key.slice(3)), 'the logs hold no key');
  });

  test('SECURITY 4: a key in a cookie, in another header, or of a deleted project gets the same 401 bytes', async () => {
    // Vigil has no project deletion yet; the row goes as a future deletion would take it (keys cascade).
    const doomed = await createProject(h.ctx, 'to delete');
    const k = await createApiKey(h.ctx, {
      projectUuid: doomed.uuid,
      name: 'doomed',
      permission: 'read_write',
      actor: 'test',
    });
    await h.ctx.store.db.deleteFrom('projects').where('id', '=', doomed.id).execute();
    const cases: [string, Record<string, string>][] = [
      ['deleted project', { authorization: `Bearer ${k.key}` }],
      ['cookie', { cookie: `api_key=${h.rw}; token=${h.rw}; authorization=Bearer%20${h.rw}` }],
      ['X-API-Key', { 'x-api-key': h.rw }],
      ['Api-Key', { 'api-key': h.rw }],
      ['Token scheme', { authorization: `Token ${h.rw}` }],
      ['Proxy-Authorization', { 'proxy-authorization': `Bearer ${h.rw}` }],
    ];
    for (const [name, headers] of cases) {
      for (const [method, p] of [
        ['GET', '/v1/monitors'],
        ['POST', '/v1/monitors'],
        ['GET', '/v2/outages'],
      ]) {
        const res = await h.request(method, p, {
          key: null,
          headers,
          body: method === 'POST' ? { name: 'x', url: 'https://example.org' } : undefined,
        });
        assert.equal(res.status, 401, `${name} ${method} ${p}`);
        assert.equal(res.text, UNAUTH, name);
        assert.equal(res.headers.get('www-authenticate'), 'Bearer', name);
      }
    }
  });

  test('SECURITY 9: a key is verified by its SHA-256 through a unique index, with no slow password hash (500 verifications well under 5 s)', async () => {
    if (h.ctx.store.dialect === 'sqlite') {
      const plan = (
        await sql<{
          detail: string;
        }>`EXPLAIN QUERY PLAN SELECT id FROM api_keys WHERE key_hash = ${hashApiKey(h.rw)}`.execute(h.ctx.store.db)
      ).rows;
      assert.match(plan.map((r) => r.detail).join(' '), /USING (COVERING )?INDEX/);
    } else {
      const indexes = (
        await sql<{
          indexdef: string;
        }>`SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'api_keys'`.execute(
          h.ctx.store.db,
        )
      ).rows;
      assert.ok(
        indexes.some((i) => /UNIQUE INDEX .*\(key_hash\)/.test(i.indexdef)),
        JSON.stringify(indexes),
      );
    }
    const authenticate = createAuthenticator(h.ctx);
    const t0 = performance.now();
    for (let i = 0; i < 500; i++) assert.ok(await authenticate(h.rw));
    const ms = performance.now() - t0;
    // scrypt or bcrypt at their usual cost take 30–100 ms each: 500 of them would take 15 s or more.
    assert.ok(ms < 5000, `${ms.toFixed(0)} ms for 500 verifications`);
  });

  test('SECURITY 12: dashboard passwords are stored only as scrypt hashes (N=16384, 16-byte salt)', async () => {
    const password = 'correct horse battery staple';
    const u = await createUser(h.ctx, { email: `sec12-${Date.now()}@example.org`, password });
    const row = await h.ctx.store.db
      .selectFrom('users')
      .selectAll()
      .where('uuid', '=', u.uuid)
      .executeTakeFirstOrThrow();
    assert.match(row.password_hash, /^scrypt\$16384\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    assert.ok(!(await everyRow(h.ctx)).includes(password));
  });

  test('SECURITY 14: failed authentications throttle that address only; other addresses and the key quota are untouched', async () => {
    const rl = await startHarness({
      env: { VIGIL_AUTH_FAILURES_PER_MINUTE: '3', VIGIL_RATE_LIMIT_PER_HOUR: '10', VIGIL_TRUST_PROXY: 'true' },
    });
    try {
      const from = (ip: string) => ({ 'x-forwarded-for': ip });
      for (let i = 0; i < 3; i++)
        assert.equal(
          (
            await rl.request('GET', '/v1/monitors', {
              key: 'sk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
              headers: from('10.0.0.1'),
            })
          ).status,
          401,
        );
      const blocked = await rl.request('GET', '/v1/monitors', { key: rl.rw, headers: from('10.0.0.1') });
      assert.equal(blocked.status, 429);
      assert.match(blocked.headers.get('retry-after')!, /^\d+$/);
      assert.equal(typeof blocked.body.message, 'string');
      assert.equal(
        (await rl.request('GET', '/v1/monitors', { key: null, headers: from('10.0.0.2') })).status,
        401,
        'another address still gets 401, not 429',
      );
      const ok = await rl.request('GET', '/v1/monitors', { key: rl.rw, headers: from('10.0.0.2') });
      assert.equal(ok.status, 200);
      assert.match(ok.headers.get('ratelimit')!, /; r=9;/, 'only this request used the quota');
    } finally {
      await rl.stop();
    }
  });
});

describe('input', () => {
  test('SECURITY 20: ids, uuids, timestamps, hashes and another project cannot be set through any create route', async () => {
    const monitor = (
      await h.request('POST', '/v1/monitors', { body: { name: 'owner', url: 'https://example.org', paused: true } })
    ).body.uuid;
    const page = (await h.request('POST', '/v2/statuspages', { body: { name: 'owned' } })).body.statuspage.uuid;
    const creates: [string, Record<string, unknown>][] = [
      ['/v1/monitors', { name: 'm', url: 'https://example.org', paused: true }],
      [
        '/v2/outages',
        {
          monitorUuid: monitor,
          startDate: '2026-03-01T11:00:00Z',
          statusCode: 500,
          description: 'd',
          outageType: 'manual',
        },
      ],
      [
        '/v2/healthchecks',
        { name: 'h', period_value: 60, period_type: 'seconds', grace_period_value: 60, grace_period_type: 'seconds' },
      ],
      ['/v3/incidents', { title: { en: 'i' } }],
      [
        '/v1/maintenance-windows',
        { name: 'w', start_date: '2030-01-01T00:00:00Z', end_date: '2030-01-01T01:00:00Z', monitors: [monitor] },
      ],
      ['/v2/statuspages', { name: 's' }],
      [`/v2/statuspages/${page}/subscribers`, { type: 'email' }],
    ];
    const otherId = (
      await h.ctx.store.db
        .selectFrom('projects')
        .select('id')
        .where('uuid', '=', h.other.uuid)
        .executeTakeFirstOrThrow()
    ).id;
    const owned = {
      id: 424242,
      uuid: 'zzz_AAAAAAAAAAAAAA',
      project_id: otherId,
      projectId: otherId,
      project_uuid: h.other.uuid,
      created_at: 946684800000,
      createdAt: '2000-01-01T00:00:00Z',
      updated_at: 946684800000,
      updatedAt: '2000-01-01T00:00:00Z',
      key_hash: 'f'.repeat(64),
      password_hash: 'scrypt$1$x$y',
      token_hash: 'f'.repeat(64),
      state_version: 99,
    };
    const theirs = client(h.url, h.other.rw);
    for (const [p, body] of creates) {
      for (const extra of [owned, { ...owned, projectUuid: h.other.uuid }]) {
        const email = p.endsWith('/subscribers')
          ? { email: `sec20-${Math.random().toString(36).slice(2)}@example.org` }
          : {};
        const res = await h.request('POST', p, { body: { ...body, ...email, ...extra } });
        if ('projectUuid' in extra && res.status === 422) continue; // refused outright is fine too
        assert.equal(res.status, 201, `${p}: ${res.text}`);
        for (const sent of [
          '424242',
          'zzz_AAAAAAAAAAAAAA',
          h.other.uuid,
          '2000-01-01',
          '946684800',
          'ffffffffffffffff',
          'scrypt$1',
        ]) {
          assert.ok(!res.text.includes(sent), `${p} echoed ${sent}: ${res.text}`);
        }
      }
    }
    // Nothing landed in the other project.
    for (const p of ['/v1/monitors', '/v2/healthchecks', '/v3/incidents']) {
      const list = await theirs.request('GET', p);
      assert.ok(!list.text.includes('"m"') && !list.text.includes('"h"'), p);
    }
    const rows = await h.ctx.store.db
      .selectFrom('monitors')
      .select(['id', 'project_id', 'created_at'])
      .where('name', '=', 'm')
      .execute();
    assert.ok(
      rows.length >= 1 &&
        rows.every((r) => r.id !== 424242 && r.project_id === h.project.id && r.created_at > Date.now() - 600_000),
    );
  });
});

describe('reliability across restarts', () => {
  let e: Harness;
  const status = 503;
  const target = http.createServer((_req, res) => {
    res.writeHead(status);
    res.end();
  });
  let url = '';
  before(async () => {
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(target.address() as AddressInfo).port}/`;
    e = await startHarness({ env: { VIGIL_ROLE: 'all' } });
  });
  after(async () => {
    await e.stop();
    target.closeAllConnections();
    await new Promise((r) => target.close(r));
  });
  const waitFor = async (fn: () => Promise<boolean>, what: string) => {
    for (const end = Date.now() + 15_000; !(await fn()); ) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  test('SECURITY 24: a monitor that was down before a restart stays down with its one outage; checks due in 30 days or a 365-day heartbeat never fire early', async () => {
    const made = await e.request('POST', '/v1/monitors', {
      body: { name: 'down', url, check_frequency: 600, timeout: 2 },
    });
    assert.equal(made.status, 201);
    const m = await e.ctx.store.db
      .selectFrom('monitors')
      .select('id')
      .where('uuid', '=', made.body.uuid)
      .executeTakeFirstOrThrow();
    const row = () =>
      e.ctx.store.db.selectFrom('monitors').selectAll().where('id', '=', m.id).executeTakeFirstOrThrow();
    const results = async () =>
      (await e.ctx.store.db.selectFrom('check_results').select('id').where('monitor_id', '=', m.id).execute()).length;
    const outages = async () =>
      (await e.ctx.store.db.selectFrom('outages').select('id').where('monitor_id', '=', m.id).execute()).length;
    const due = (at: number) =>
      e.ctx.store.db.updateTable('monitors').set({ next_check_at: at }).where('id', '=', m.id).execute();
    await due(Date.now());
    await waitFor(async () => (await row()).status === 'down', 'down');
    assert.equal(await outages(), 1);

    // Restart: a new engine over the same database, the monitor overdue and still failing.
    await e.running.engine!.stop();
    const config = loadConfig({ ...e.db.env, VIGIL_ROLE: 'all' });
    const engine = startEngine(e.ctx, config);
    try {
      const before = await results();
      await due(Date.now() - 3_600_000);
      await waitFor(async () => (await results()) >= before + 1, 'the check after the restart');
      await due(Date.now());
      await waitFor(async () => (await results()) >= before + 2, 'one more check');
      assert.equal((await row()).status, 'down');
      assert.equal(await outages(), 1, 'no second outage (no second DOWN) for a monitor already down');

      // Node fires timers longer than 2^31-1 ms (24.8 days) at once; due times live in the database instead.
      const later = await e.request('POST', '/v1/monitors', { body: { name: 'monthly', url, check_frequency: 86400 } });
      const laterId = (
        await e.ctx.store.db
          .selectFrom('monitors')
          .select('id')
          .where('uuid', '=', later.body.uuid)
          .executeTakeFirstOrThrow()
      ).id;
      await e.ctx.store.db
        .updateTable('monitors')
        .set({ next_check_at: Date.now() + 30 * 86_400_000 })
        .where('id', '=', laterId)
        .execute();
      const hc = (
        await e.request('POST', '/v2/healthchecks', {
          body: {
            name: 'yearly',
            period_value: 365,
            period_type: 'days',
            grace_period_value: 365,
            grace_period_type: 'days',
          },
        })
      ).body.healthcheck;
      assert.equal((await fetch(`${e.url}/ping/${hc.uuid}`)).status, 200);
      await new Promise((r) => setTimeout(r, 2500)); // engine ticks and heartbeat sweeps
      assert.equal(
        (await e.ctx.store.db.selectFrom('check_results').select('id').where('monitor_id', '=', laterId).execute())
          .length,
        0,
      );
      const hcRow = await e.ctx.store.db
        .selectFrom('healthchecks')
        .selectAll()
        .where('uuid', '=', hc.uuid)
        .executeTakeFirstOrThrow();
      assert.equal(hcRow.is_down, 0);
      assert.ok(hcRow.alert_at! > Date.now() + 700 * 86_400_000);
    } finally {
      await engine.stop();
    }
  });
});
