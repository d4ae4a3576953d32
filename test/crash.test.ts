// SECURITY 27: kill -9 of a real `vigil serve` under API, ping and check-result writes loses no
// write that was answered 2xx, replays no check, and the SQLite file stays intact. Both databases.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { client, freshDatabase, runCli, type Db } from './harness.ts';
import { openContext } from '../src/main.ts';
import { loadConfig } from '../src/config.ts';
import { openStore } from '../src/storage/store.ts';
import { serveProcess } from './support/serve.ts';

const ROUNDS = 3;
const CLIENTS = 12;
const quiet = { info() {}, warn() {}, error() {} };

let db: Db;
// The monitors' target: a loopback server that always answers 200.
const target = http.createServer((_req, res) => res.end('ok'));
after(async () => {
  await db?.drop();
  target.closeAllConnections();
  await new Promise((r) => target.close(r));
});

describe('SECURITY 27: crash safety', () => {
  test('SECURITY 27: SQLite runs in WAL mode with a busy timeout', {
    skip: !!process.env.VIGIL_TEST_DATABASE_URL && 'SQLite only',
  }, async () => {
    const d = await freshDatabase();
    try {
      const store = await openStore({ databaseUrl: null, dataDir: d.dataDir });
      const one = async (q: string) => Object.values((await sql.raw(q).execute(store.db)).rows[0] as object)[0];
      assert.equal(await one('PRAGMA journal_mode'), 'wal');
      assert.ok(Number(await one('PRAGMA busy_timeout')) >= 1000);
      await store.close();
    } finally {
      await d.drop();
    }
  });

  test(`SECURITY 27: kill -9 under API, ping and check writes, ${ROUNDS} times: every write answered 2xx is there afterwards, no check is replayed, integrity_check is ok`, async (t) => {
    db = await freshDatabase();
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    const targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}/`;
    // Every acknowledged ping is looked for afterwards: keep them all (a healthcheck keeps 100 by
    // default, and each new process may take another minute's worth).
    const env = {
      ...db.env,
      VIGIL_HOST: '127.0.0.1',
      VIGIL_PORT: '0',
      VIGIL_LOG_LEVEL: 'info',
      VIGIL_ROLE: 'all',
      VIGIL_RATE_LIMIT_PER_HOUR: '0',
      VIGIL_PING_HISTORY: '10000',
    };
    const project = JSON.parse((await runCli(['projects', 'create', '--name', 'crash', '--json'], env)).stdout);
    const key = JSON.parse(
      (
        await runCli(
          ['keys', 'create', '--project', project.uuid, '--name', 'load', '--permission', 'read_write', '--json'],
          env,
        )
      ).stdout,
    ).key;
    const acked = { monitors: new Set<string>(), renames: new Map<string, string[]>(), pings: new Set<string>() };
    let token = '';
    let attempted = 0;
    let checks = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const started = Date.now();
      const { child, url } = await serveProcess(env);
      const exited = new Promise((r) => child.once('exit', r));
      const c = client(url, key);
      if (!token) {
        token = (
          await c.request('POST', '/v2/healthchecks', {
            body: {
              name: 'load',
              period_value: 1,
              period_type: 'days',
              grace_period_value: 1,
              grace_period_type: 'days',
            },
          })
        ).body.healthcheck.uuid;
        // Monitors the engine checks every 10 s, all made overdue by an hour below.
        for (let i = 0; i < 50; i++)
          assert.equal(
            (
              await c.request('POST', '/v1/monitors', {
                body: { name: `checked ${i}`, url: targetUrl, check_frequency: 10 },
              })
            ).status,
            201,
          );
      }
      let alive = true;
      // Each client creates a monitor, renames it, and pings, until the process dies under it.
      const clients = Array.from({ length: CLIENTS }, async (_, i) => {
        let mine: string | null = null;
        for (let n = 0; alive; n++) {
          const tag = `r${round}c${i}n${n}`;
          attempted++;
          try {
            if (!mine || n % 3 === 0) {
              const res = await c.request('POST', '/v1/monitors', {
                body: { name: tag, url: 'https://example.org', paused: true },
              });
              if (res.status === 201) acked.monitors.add((mine = res.body.uuid));
            } else if (n % 3 === 1) {
              const res = await c.request('PUT', `/v1/monitors/${mine}`, { body: { name: tag } });
              if (res.status === 200) acked.renames.set(mine, [...(acked.renames.get(mine) ?? []), tag]);
            } else {
              const res = await fetch(`${url}/ping/${token}`, { method: 'POST', body: tag });
              if (res.status === 200) acked.pings.add(tag);
            }
          } catch {
            return; // the connection died with the process: this write's fate is unknown
          }
        }
      });
      await new Promise((r) => setTimeout(r, 500 + Math.random() * 1000));
      child.kill('SIGKILL');
      await exited;
      const killed = Date.now();
      alive = false;
      await Promise.all(clients);

      // The process is gone; read what it left behind.
      if (!db.env.DATABASE_URL) {
        const raw = new SQLite(path.join(db.dataDir, 'vigil.db'));
        assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok', `round ${round}`);
        raw.close();
      }
      const ctx = await openContext(loadConfig(db.env), quiet);
      try {
        const monitors = new Map(
          (await ctx.store.db.selectFrom('monitors').select(['uuid', 'name']).execute()).map((m) => [m.uuid, m.name]),
        );
        for (const uuid of acked.monitors)
          assert.ok(monitors.has(uuid), `round ${round}: acknowledged monitor ${uuid} is missing`);
        for (const [uuid, names] of acked.renames) {
          // The last acknowledged rename, or a later one whose answer was lost in the crash.
          const name = monitors.get(uuid)!;
          const [, r, c2, n] = /^r(\d+)c(\d+)n(\d+)$/.exec(name)!.map(Number);
          const [, lr, lc, ln] = /^r(\d+)c(\d+)n(\d+)$/.exec(names.at(-1)!)!.map(Number);
          assert.ok(
            c2 === lc && (r > lr || (r === lr && n >= ln)),
            `round ${round}: ${uuid} is "${name}", acknowledged "${names.at(-1)}"`,
          );
        }
        const bodies = new Set(
          (await ctx.store.db.selectFrom('healthcheck_pings').select('body').execute()).map((p) => p.body),
        );
        for (const tag of acked.pings)
          assert.ok(bodies.has(tag), `round ${round}: acknowledged ping ${tag} is missing`);
        // An hour overdue is 360 missed slots: each monitor runs once, then on its 10 s grid.
        const results = await ctx.store.db
          .selectFrom('check_results')
          .select(['monitor_id'])
          .where('at', '>=', started)
          .where('at', '<=', killed)
          .execute();
        const perMonitor = new Map<number, number>();
        for (const r of results) perMonitor.set(r.monitor_id, (perMonitor.get(r.monitor_id) ?? 0) + 1);
        const most = Math.ceil((killed - started) / 10_000) + 1;
        for (const [id, n] of perMonitor)
          assert.ok(n <= most, `round ${round}: monitor ${id} ran ${n} times in ${killed - started} ms (a replay)`);
        checks += results.length;
        await ctx.store.db
          .updateTable('monitors')
          .set({ next_check_at: Date.now() - 3_600_000 })
          .where('name', 'like', 'checked %')
          .execute();
      } finally {
        await ctx.store.close();
      }
    }
    t.diagnostic(
      `${attempted} writes attempted, ${acked.monitors.size} monitors, ${[...acked.renames.values()].reduce((a, r) => a + r.length, 0)} renames and ${acked.pings.size} pings acknowledged, all present after ${ROUNDS} kill -9; ${checks} check results, none replayed`,
    );
    assert.ok(acked.monitors.size > CLIENTS && acked.pings.size > 0 && checks > 0, 'the load really wrote');
  });
});
