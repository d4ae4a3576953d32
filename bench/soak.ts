// Soak: a real `vigil serve` (API and checks in one process) runs HTTP monitors against a loopback
// target, heartbeat pings and API traffic together for N minutes, and prints at intervals its RSS,
// event-loop lag p99 (from GET /metrics), the SQLite WAL size and check start drift (measured at
// the target: arrival − the monitor's grid slot). Usage:
//   npm run soak -- --minutes 15 [--monitors 200] [--every 60]
// VIGIL_TEST_DATABASE_URL=postgres://… soaks on PostgreSQL (a fresh schema; no WAL column).
// test/soak.test.ts runs a short one and asserts bounds on the rows.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { client, freshDatabase } from '../test/harness.ts';
import { startHttp } from '../test/support/targets.ts';
import { openStore } from '../src/storage/store.ts';
import { createProject } from '../src/services/projects.ts';
import { createApiKey } from '../src/services/api-keys.ts';

const BIN = path.resolve(import.meta.dirname, '../bin/vigil.js');
const METRICS_TOKEN = 'soak-metrics-token-0123456789';
const FREQUENCY = 10; // seconds between checks of every monitor

export interface SoakOptions {
  minutes: number;
  monitors: number;
  /** Seconds between printed rows. */
  everyS: number;
  /** Seconds between /metrics scrapes (the lag p99 of a row is the worst scrape in it). */
  scrapeS?: number;
  healthchecks?: number;
  apiClients?: number;
}

export interface SoakRow {
  /** Seconds since the server started. */
  at: number;
  rssMb: number;
  lagP99Ms: number;
  /** SQLite only; null on PostgreSQL. */
  walMb: number | null;
  driftP50Ms: number;
  driftP99Ms: number;
  driftMaxMs: number;
  checks: number;
  pings: number;
  api: number;
  errors: number;
}

export interface SoakResult {
  rows: SoakRow[];
  dialect: 'sqlite' | 'postgres';
  errors: string[];
  /** Exit code of the server after SIGTERM, what it wrote to stderr, and its log lines from SIGTERM on. */
  exitCode: number | null;
  stderr: string;
  shutdownLog: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quantile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;

function metric(text: string, name: string): number {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

export async function runSoak(opts: SoakOptions, onRow: (row: SoakRow) => void = () => {}): Promise<SoakResult> {
  const scrapeMs = (opts.scrapeS ?? 5) * 1000;
  const errors: string[] = [];
  const fail = (what: string) => {
    if (errors.length < 50) errors.push(what);
  };

  // The target: /m/<i> always answers 200 and records when each check arrived; /flap/<i> goes
  // down and up every 90 s so outages open and close during the soak.
  const arrivals: { i: number; at: number }[] = [];
  const t0 = Date.now();
  const target = await startHttp((req, res) => {
    const m = /^\/(m|flap)\/(\d+)$/.exec(req.url ?? '');
    if (m?.[1] === 'm') arrivals.push({ i: Number(m[2]), at: Date.now() });
    const down = m?.[1] === 'flap' && Math.floor((Date.now() - t0) / 90_000) % 2 === 1;
    res.writeHead(down ? 503 : 200, { 'content-length': '2' }).end('ok');
  });

  const db = await freshDatabase(); // PostgreSQL when VIGIL_TEST_DATABASE_URL is set
  const setup = await openStore({ databaseUrl: db.env.DATABASE_URL ?? null, dataDir: db.dataDir });
  const log = { info() {}, warn() {}, error() {} };
  const sctx = { store: setup, clock: Date.now, log };
  const project = await createProject(sctx, 'soak');
  const key = (
    await createApiKey(sctx, { projectUuid: project.uuid, name: 'soak', permission: 'read_write', actor: 'soak' })
  ).key;
  await setup.close();

  const env = {
    ...process.env,
    ...db.env,
    VIGIL_HOST: '127.0.0.1',
    VIGIL_PORT: '0',
    VIGIL_ROLE: 'all',
    VIGIL_LOG_LEVEL: 'info',
    VIGIL_RATE_LIMIT_PER_HOUR: '0',
    VIGIL_METRICS_TOKEN: METRICS_TOKEN,
  };
  const child: ChildProcess = spawn(process.execPath, [BIN, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let stderr = '';
  let shutdownLog: string | null = null;
  child.stdout!.on('data', (c) => {
    if (out.length < 100_000) out += c;
    if (shutdownLog !== null) shutdownLog += c;
  });
  child.stderr!.on('data', (c) => {
    stderr += c;
  });
  const orphan = () => child.kill('SIGKILL'); // never leave the server behind if the soak dies
  process.once('exit', orphan);
  const exited = new Promise<number | null>((r) =>
    child.once('exit', (code) => {
      process.off('exit', orphan);
      r(code);
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const end = Date.now() + 30_000;
    const look = () => {
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]);
      else if (child.exitCode !== null || Date.now() > end)
        reject(new Error(`vigil serve did not start: ${out}${stderr}`));
      else setTimeout(look, 25);
    };
    look();
  });
  const started = Date.now();
  const api = client(url, key);

  // Monitors and heartbeat checks through the API, as a user would make them.
  const uuids: string[] = [];
  for (let i = 0; i < opts.monitors; i++) {
    const r = await api.request('POST', '/v1/monitors', {
      body: { name: `soak ${i}`, url: `${target.url}/m/${i}`, check_frequency: FREQUENCY },
    });
    if (r.status !== 201) throw new Error(`POST /v1/monitors: ${r.status} ${r.text}`);
    uuids.push(r.body.uuid);
  }
  for (let i = 0; i < 5; i++) {
    await api.request('POST', '/v1/monitors', {
      body: { name: `flap ${i}`, url: `${target.url}/flap/${i}`, check_frequency: FREQUENCY },
    });
  }
  const edited = (
    await api.request('POST', '/v1/monitors', { body: { name: 'edited', url: 'https://example.org', paused: true } })
  ).body.uuid;
  const tokens: string[] = [];
  for (let i = 0; i < (opts.healthchecks ?? 20); i++) {
    const r = await api.request('POST', '/v2/healthchecks', {
      body: {
        name: `cron ${i}`,
        period_value: 30,
        period_type: 'seconds',
        grace_period_value: 30,
        grace_period_type: 'seconds',
      },
    });
    if (r.status !== 201) throw new Error(`POST /v2/healthchecks: ${r.status} ${r.text}`);
    tokens.push(r.body.healthcheck.uuid);
  }
  // Each monitor's grid phase (start of its slots modulo the frequency), to measure drift.
  const phases = await readPhases(db.env.DATABASE_URL ?? null, db.dataDir, uuids);

  const counters = { pings: 0, api: 0, errors: 0 };
  let running = true;
  const agent = new http.Agent({ keepAlive: true });
  const ping = (token: string, body: string) =>
    new Promise<number>((resolve) => {
      const req = http.request(`${url}/ping/${token}`, { method: 'POST', agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', () => resolve(0));
      req.end(body);
    });
  const pinger = (async () => {
    for (let n = 0; running; n++) {
      const status = await ping(tokens[n % tokens.length], `run ${n}`);
      if (status === 200) counters.pings++;
      else {
        counters.errors++;
        fail(`ping: ${status}`);
      }
      await sleep(200);
    }
  })();
  const apiClients = Array.from({ length: opts.apiClients ?? 4 }, async (_, c) => {
    for (let n = 0; running; n++) {
      const calls: [string, string, unknown?][] = [
        ['GET', '/v1/monitors'],
        ['GET', `/v1/monitors/${uuids[n % uuids.length]}`],
        ['PUT', `/v1/monitors/${edited}`, { name: `edited ${c}.${n}` }],
        ['GET', '/v2/outages'],
        ['GET', `/v2/healthchecks/${tokens[n % tokens.length]}`],
      ];
      const [method, p, body] = calls[n % calls.length];
      try {
        const r = await api.request(method, p, { body });
        if (r.status >= 200 && r.status < 300) counters.api++;
        else {
          counters.errors++;
          fail(`${method} ${p}: ${r.status} ${r.text.slice(0, 200)}`);
        }
      } catch (err) {
        counters.errors++;
        fail(`${method} ${p}: ${(err as Error).message}`);
      }
      await sleep(100);
    }
  });

  const wal = path.join(db.dataDir, 'vigil.db-wal');
  const rows: SoakRow[] = [];
  const end = started + opts.minutes * 60_000;
  let worstLag = 0;
  let nextRow = Date.now() + opts.everyS * 1000;
  let seen = 0;
  while (Date.now() < end && child.exitCode === null) {
    await sleep(Math.min(scrapeMs, Math.max(0, end - Date.now())));
    let text = '';
    try {
      const r = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      text = await r.text();
      if (r.status !== 200) throw new Error(`status ${r.status}`);
    } catch (err) {
      counters.errors++;
      fail(`GET /metrics: ${(err as Error).message}`);
      continue;
    }
    worstLag = Math.max(worstLag, metric(text, 'nodejs_eventloop_lag_p99_seconds') * 1000);
    if (Date.now() < nextRow && Date.now() < end) continue;
    nextRow += opts.everyS * 1000;
    // Drift of the checks that arrived since the last row: how long after its grid slot.
    const fresh = arrivals.slice(seen);
    seen = arrivals.length;
    // A timer may fire a millisecond before its slot: offsets past half the period are early.
    const F = FREQUENCY * 1000;
    const drift = fresh
      .map(({ i, at }) => {
        const late = (((at - phases[i]) % F) + F) % F;
        return late > F / 2 ? late - F : late;
      })
      .sort((a, b) => a - b);
    const row: SoakRow = {
      at: Math.round((Date.now() - started) / 1000),
      rssMb: metric(text, 'process_resident_memory_bytes') / 2 ** 20,
      lagP99Ms: worstLag,
      walMb: db.env.DATABASE_URL ? null : (fs.existsSync(wal) ? fs.statSync(wal).size : 0) / 2 ** 20,
      driftP50Ms: quantile(drift, 0.5),
      driftP99Ms: quantile(drift, 0.99),
      driftMaxMs: drift.at(-1) ?? NaN,
      checks: fresh.length,
      ...counters,
    };
    counters.pings = counters.api = counters.errors = 0;
    worstLag = 0;
    rows.push(row);
    onRow(row);
  }
  running = false;
  await Promise.all([pinger, ...apiClients]);
  agent.destroy();
  if (child.exitCode !== null) fail(`vigil serve died: ${stderr.slice(-2000)}`);
  shutdownLog = '';
  child.kill('SIGTERM');
  const exitCode = await exited;
  await target.close();
  await db.drop();
  return { rows, dialect: db.env.DATABASE_URL ? 'postgres' : 'sqlite', errors, exitCode, stderr, shutdownLog };
}

async function readPhases(databaseUrl: string | null, dataDir: string, uuids: string[]): Promise<number[]> {
  const store = await openStore({ databaseUrl, dataDir });
  try {
    const rows = await store.db
      .selectFrom('monitors')
      .select(['uuid', 'check_phase'])
      .where('uuid', 'in', uuids)
      .execute();
    const byUuid = new Map(rows.map((r) => [r.uuid, Number(r.check_phase)]));
    return uuids.map((u) => byUuid.get(u)!);
  } finally {
    await store.close();
  }
}

export function formatRow(r: SoakRow): Record<string, string | number> {
  const mm = `${Math.floor(r.at / 60)}:${String(r.at % 60).padStart(2, '0')}`;
  return {
    time: mm,
    'RSS MB': r.rssMb.toFixed(0),
    'loop lag p99 ms': r.lagP99Ms.toFixed(1),
    'WAL MB': r.walMb === null ? '-' : r.walMb.toFixed(1),
    'drift p50 ms': r.driftP50Ms.toFixed(0),
    'drift p99 ms': r.driftP99Ms.toFixed(0),
    'drift max ms': r.driftMaxMs.toFixed(0),
    checks: r.checks,
    pings: r.pings,
    'API requests': r.api,
    errors: r.errors,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '10' },
      monitors: { type: 'string', default: '200' },
      every: { type: 'string' },
    },
  });
  const minutes = Number(values.minutes);
  if (!(minutes > 0)) throw new Error('--minutes must be a positive number');
  const everyS = Number(values.every ?? Math.max(15, Math.round((minutes * 60) / 15)));
  const databaseUrl = process.env.VIGIL_TEST_DATABASE_URL || null;
  console.log(
    `Vigil soak, ${databaseUrl ? 'PostgreSQL' : 'SQLite'}: ${values.monitors} HTTP monitors every ${FREQUENCY} s + 5 flapping, 20 heartbeat checks pinged 5/s, 4 API clients; ${minutes} min; ${os.cpus().length} × ${os.cpus()[0].model}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`,
  );
  let headed = false;
  const result = await runSoak({ minutes, monitors: Number(values.monitors), everyS }, (row) => {
    // One line per row, as it comes; the header once, with widths fixed by the header.
    const cells = formatRow(row);
    const cols = Object.keys(cells);
    const w = cols.map((c) => Math.max(c.length, 6));
    if (!headed) {
      headed = true;
      console.log(`| ${cols.map((c, i) => c.padEnd(w[i])).join(' | ')} |`);
      console.log(`|${w.map((x) => '-'.repeat(x + 2)).join('|')}|`);
    }
    console.log(`| ${cols.map((c, i) => String(cells[c]).padEnd(w[i])).join(' | ')} |`);
  });
  if (result.errors.length) console.log(`\nerrors:\n  ${result.errors.join('\n  ')}`);
  console.log(`\nserver exit code after SIGTERM: ${result.exitCode}`);
  process.exit(result.errors.length || result.exitCode !== 0 ? 1 : 0);
}
