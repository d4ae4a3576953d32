// Issue 18: `vigil serve` runs its checks in VIGIL_CHECK_WORKERS threads (more than one core)
// while claims and results stay on the main thread. Real processes and loopback targets; the
// pool's restart is driven with a thread entry that dies on its first message.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { client, freshDatabase, runCli, sleep, waitFor, type Db } from './harness.ts';
import { startHttp, type Running } from './support/targets.ts';
import { serveProcess } from './support/serve.ts';
import { loadConfig } from '../src/config.ts';
import { checkWorkersLive, startCheckWorkers } from '../src/prober/check-workers.ts';
import type { ClaimedMonitor } from '../src/services/schedule.ts';

const BIN = path.resolve(import.meta.dirname, '../bin/vigil.js');
const cleanups: (() => unknown)[] = [];
after(async () => {
  for (const f of cleanups.reverse()) await f();
});

const TOKEN = 'metrics-token-0123456789';

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  assert.ok(m, `${name} in /metrics`);
  return Number(m[1]);
}

test('VIGIL_CHECK_WORKERS=2: `vigil serve` checks in two threads, stores each check it makes with its timings, says 2 in /metrics, and stops on SIGTERM with exit 0 and no error logged', {
  timeout: 90_000,
}, async () => {
  const db: Db = await freshDatabase();
  cleanups.push(() => db.drop());
  const hits = new Map<string, number>();
  const target: Running = await startHttp((req, res) => {
    hits.set(req.url!, (hits.get(req.url!) ?? 0) + 1);
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  cleanups.push(() => target.close());
  const env = {
    ...db.env,
    VIGIL_HOST: '127.0.0.1',
    VIGIL_PORT: '0',
    VIGIL_ROLE: 'all',
    VIGIL_LOG_LEVEL: 'info',
    VIGIL_CHECK_WORKERS: '2',
    VIGIL_METRICS_TOKEN: TOKEN,
  };
  const project = JSON.parse((await runCli(['projects', 'create', '--name', 'threads', '--json'], env)).stdout);
  const key = JSON.parse(
    (
      await runCli(
        ['keys', 'create', '--project', project.uuid, '--name', 'rw', '--permission', 'read_write', '--json'],
        env,
      )
    ).stdout,
  ).key;
  const s = await serveProcess(env);
  const exited = new Promise<number | null>((r) => s.child.once('exit', (code) => r(code)));
  cleanups.push(() => s.child.kill('SIGKILL'));
  assert.equal(
    await waitFor(async () => (await metric(s.url, 'vigil_check_worker_threads')) === 2, 'two threads'),
    true,
  );

  const api = client(s.url, key);
  const uuids: string[] = [];
  for (let i = 0; i < 8; i++) {
    const res = await api.request('POST', '/v1/monitors', {
      body: { name: `m${i}`, url: `${target.url}/m${i}`, check_frequency: 60 },
    });
    assert.equal(res.status, 201, res.text);
    uuids.push(res.body.uuid);
  }
  // A new monitor is checked at once (and its first slot on its grid may follow within the minute).
  const { openStore } = await import('../src/storage/store.ts');
  const store = await openStore({ databaseUrl: db.env.DATABASE_URL ?? null, dataDir: db.env.VIGIL_DATA_DIR });
  cleanups.push(() => store.close());
  const results = () =>
    store.db
      .selectFrom('check_results')
      .innerJoin('monitors', 'monitors.id', 'check_results.monitor_id')
      .select([
        'monitors.uuid',
        'monitors.url',
        'check_results.ok',
        'check_results.total_ms',
        'check_results.connect_ms',
      ])
      .execute();
  await waitFor(async () => new Set((await results()).map((r) => r.uuid)).size === 8, 'a check of each monitor');
  await sleep(1000); // results of checks under way are stored by now
  const rows = await results();
  for (const r of rows) {
    assert.equal(r.ok, 1);
    assert.ok(Number(r.total_ms) > 0 && r.connect_ms !== null, 'timings measured in the thread');
  }
  // Every request the target saw is one stored result, and the other way round.
  for (const uuid of uuids) {
    const mine = rows.filter((r) => r.uuid === uuid);
    assert.equal(hits.get(new URL(mine[0].url).pathname), mine.length, `${uuid}: requests = results`);
  }

  s.child.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.doesNotMatch(s.log(), /"level":(50|60)/, 'nothing logged as an error');
});

test('VIGIL_CHECK_WORKERS=0 keeps the checks on the main thread (/metrics: 0); a bad value stops start-up with one line naming it', {
  timeout: 60_000,
}, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-threads-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const env = {
    VIGIL_DATA_DIR: dir,
    VIGIL_HOST: '127.0.0.1',
    VIGIL_PORT: '0',
    VIGIL_ROLE: 'all',
    VIGIL_CHECK_WORKERS: '0',
    VIGIL_METRICS_TOKEN: TOKEN,
  };
  const s = await serveProcess(env);
  cleanups.push(() => s.child.kill('SIGKILL'));
  assert.equal(await metric(s.url, 'vigil_check_worker_threads'), 0);
  s.child.kill('SIGTERM');

  for (const bad of ['two', '-1', '65']) {
    const r = spawnSync(process.execPath, [BIN, 'serve'], {
      env: { ...process.env, ...env, VIGIL_CHECK_WORKERS: bad },
      encoding: 'utf8',
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^vigil: VIGIL_CHECK_WORKERS must be (a whole number|between 0 and 64)/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('a check thread that dies: its check in flight runs again on the main thread (stored as the real outcome, not a failure), and the thread is started again after a second', {
  timeout: 30_000,
}, async () => {
  let requests = 0;
  const target = await startHttp((_req, res) => {
    requests++;
    res.writeHead(200).end('ok');
  });
  cleanups.push(() => target.close());
  const marker = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-dying-')), 'died');
  process.env.VIGIL_TEST_DYING_MARKER = marker;
  const logged: { obj: unknown; msg?: string }[] = [];
  const log = { info() {}, warn() {}, error: (obj: unknown, msg?: string) => logged.push({ obj, msg }) };
  const config = loadConfig({});
  const pool = startCheckWorkers(
    { store: null as never, clock: Date.now, log },
    1,
    { policy: config.targetPolicy, ca: null },
    new URL('./support/dying-check-thread.ts', import.meta.url),
  );
  cleanups.push(() => pool.stop());
  const monitor = (id: number): ClaimedMonitor => ({
    id,
    uuid: `mon_${id}`,
    protocol: 'http',
    url: `${target.url}/${id}`,
    port: null,
    http_method: 'GET',
    request_headers: null,
    request_body: '',
    follow_redirects: true,
    expected_status_code: '2xx',
    required_keyword: null,
    timeout: 5,
    dns_record_type: null,
    dns_nameserver: null,
    dns_expected_answer: null,
    ip_version: 4,
    due: Date.now(),
    held: true,
    projectId: 1,
    regions: [],
    confirming: false,
  });
  await waitFor(async () => checkWorkersLive.count === 1, 'the thread to start');

  const first = await pool.check(monitor(1), new AbortController().signal);
  assert.equal(first.ok, true, `the real outcome: ${first.error}`);
  assert.equal(first.statusCode, 200);
  assert.equal(requests, 1, 'checked once, on the main thread (the thread died before it)');
  assert.ok(fs.existsSync(marker), 'the first thread died on its first message');
  assert.deepEqual(
    logged.map((l) => l.msg),
    ['check worker thread exited; restarting it'],
  );
  assert.deepEqual((logged[0].obj as { rerun: number; restartInMs: number }).rerun, 1);

  await waitFor(async () => checkWorkersLive.count === 1, 'the thread to be started again', 5000);
  const second = await pool.check(monitor(2), new AbortController().signal);
  assert.equal(second.ok, true);
  assert.equal(requests, 2);
  assert.equal(fs.readFileSync(marker, 'utf8'), 'checked', 'the second thread ran the check');

  await pool.stop();
  assert.equal(checkWorkersLive.count, 0, 'no thread left after stop');
});
