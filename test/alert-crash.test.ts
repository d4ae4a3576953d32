// SECURITY 26 under repeated kill -9: outage alerts are written to the outbox with the state
// change and delivered at least once. A real `vigil serve` is killed four times while it delivers
// to a slow webhook receiver; afterwards every alert has arrived (none lost), with one webhook-id
// per alert (no new alert for the same event), and an id arrives again only when a kill fell
// between its two arrivals (the documented at-least-once duplicate, same id and same body).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { client, freshDatabase, type Db, sleep } from './harness.ts';
import { closedPort } from './support/targets.ts';
import { loadConfig } from '../src/config.ts';
import { openContext } from '../src/main.ts';
import { createProject } from '../src/services/projects.ts';
import { createApiKey } from '../src/services/api-keys.ts';

const BIN = path.resolve(import.meta.dirname, '../bin/vigil.js');
const KILLS = 4;
const quiet = { info() {}, warn() {}, error() {} };

let db: Db | null = null;
let child: ChildProcess | null = null;
// The receiver answers each webhook after 200–900 ms, so kills often land mid-delivery.
const arrivals: { id: string; body: string; at: number }[] = [];
const receiver = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    arrivals.push({ id: String(req.headers['webhook-id']), body: Buffer.concat(chunks).toString(), at: Date.now() });
    setTimeout(() => res.writeHead(200).end('{}'), 200 + Math.random() * 700);
  });
});
after(async () => {
  child?.kill('SIGKILL');
  receiver.closeAllConnections();
  await new Promise((r) => receiver.close(r));
  await db?.drop();
});

test(`SECURITY 26: kill -9 ${KILLS} times during alert delivery: every alert is delivered, each with one webhook-id, and an id repeats only across a kill`, async (t) => {
  db = await freshDatabase();
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const port = await closedPort();
  // A 3 s send timeout makes the delivery lease 8 s: a killed server's rows are free again soon.
  const env = {
    ...db.env,
    VIGIL_PORT: String(port),
    VIGIL_HOST: '127.0.0.1',
    VIGIL_LOG_LEVEL: 'silent',
    VIGIL_ROLE: 'all',
    VIGIL_NOTIFY_TIMEOUT: '3',
    VIGIL_RATE_LIMIT_PER_HOUR: '0',
  };
  const ctx = await openContext(loadConfig(env), quiet);
  const project = await createProject(ctx, 'Killed during delivery');
  const key = (
    await createApiKey(ctx, { projectUuid: project.uuid, name: 'rw', permission: 'read_write', actor: 'test' })
  ).key;
  const api = client(`http://127.0.0.1:${port}`, key);

  const serve = async () => {
    child = spawn(process.execPath, [BIN, 'serve'], { env: { ...process.env, ...env }, stdio: 'ignore' });
    const end = Date.now() + 60_000;
    for (;;) {
      try {
        if ((await api.request('GET', '/healthz')).status === 200) return;
      } catch {}
      if (Date.now() > end || child.exitCode !== null) throw new Error('vigil serve did not start');
      await sleep(100);
    }
  };
  const kills: number[] = [];
  const kill = async () => {
    const c = child!;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await gone;
    kills.push(Date.now());
  };

  await serve();
  const hook = await api.request('POST', '/v1/integrations', {
    body: { name: 'hook', type: 'webhook', settings: { url: hookUrl } },
  });
  assert.equal(hook.status, 201, hook.text);
  const policy = (
    await api.request('POST', '/v1/escalation-policies', {
      body: { name: 'now', steps: [{ delayMinutes: 0, integrations: [hook.body.uuid] }] },
    })
  ).body.uuid;
  const outages: string[] = [];
  // Each round makes new alerts (outages opened, earlier ones resolved), then kills the server while it delivers.
  for (let round = 0; round < KILLS; round++) {
    for (let i = 0; i < 5; i++) {
      const m = await api.request('POST', '/v1/monitors', {
        body: { name: `r${round} m${i}`, url: 'https://shop.example', paused: true },
      });
      const o = await api.request('POST', '/v2/outages', {
        body: {
          monitorUuid: m.body.uuid,
          startDate: new Date().toISOString(),
          statusCode: 503,
          description: `r${round} down`,
          outageType: 'manual',
          escalationPolicyUuid: policy,
        },
      });
      assert.equal(o.status, 201, o.text);
      outages.push(o.body.outage.uuid);
    }
    for (const uuid of outages.slice(round * 5 - 5, round * 5 - 2)) {
      if (round > 0) assert.equal((await api.request('POST', `/v2/outages/${uuid}/resolve`)).status, 200);
    }
    await sleep(300 + Math.random() * 1500);
    await kill();
    await serve();
  }

  // Left running: every alert in the outbox ends delivered.
  const end = Date.now() + 120_000;
  let rows: { uuid: string; event: string; delivered_at: number | null; gave_up_at: number | null }[] = [];
  for (;;) {
    rows = await ctx.store.db
      .selectFrom('notifications')
      .select(['uuid', 'event', 'delivered_at', 'gave_up_at'])
      .execute();
    if (rows.length && rows.every((r) => r.delivered_at !== null)) break;
    if (Date.now() > end)
      assert.fail(`undelivered after 120 s: ${JSON.stringify(rows.filter((r) => r.delivered_at === null))}`);
    await sleep(250);
  }
  child!.kill('SIGTERM');
  await new Promise((r) => child!.once('exit', r));
  child = null;
  await ctx.store.close();

  const downs = rows.filter((r) => r.event === 'outage.down').length;
  const ups = rows.filter((r) => r.event === 'outage.up').length;
  assert.equal(downs, KILLS * 5, 'one DOWN alert per outage');
  assert.equal(ups, (KILLS - 1) * 3, 'one UP alert per resolved outage');
  const byId = new Map<string, { body: string; at: number }[]>();
  for (const a of arrivals) byId.set(a.id, [...(byId.get(a.id) ?? []), a]);
  // None lost, none invented.
  for (const r of rows) assert.ok(byId.has(r.uuid), `alert ${r.uuid} (${r.event}) never arrived`);
  assert.deepEqual(
    [...byId.keys()].sort(),
    rows.map((r) => r.uuid).sort(),
    'every webhook-id that arrived is one alert of the outbox',
  );
  // A repeat is the same message, and only across a kill.
  let repeats = 0;
  for (const [id, list] of byId) {
    for (let i = 1; i < list.length; i++) {
      repeats++;
      assert.equal(list[i].body, list[0].body, `${id}: a repeat carries the same body`);
      assert.ok(
        kills.some((k) => k >= list[i - 1].at && k <= list[i].at),
        `${id} arrived twice without a kill in between`,
      );
    }
  }
  t.diagnostic(
    `${rows.length} alerts (${downs} down, ${ups} up), ${arrivals.length} arrivals, ${repeats} repeats across ${KILLS} kills`,
  );
});
