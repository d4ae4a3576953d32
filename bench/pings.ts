// Ping endpoint benchmark: `vigil serve` in its own process over a fresh database, N heartbeat
// checks, and a load process (bench/ping-load.ts) sending a mix of GET, POST, /start and /fail
// pings on loopback. Every ping carries a unique id; after each run the ids answered 2xx are
// looked up in healthcheck_pings, so "lost" is exact: answered 2xx but not stored.
// Usage: npm run bench:pings [-- --seconds 10 --connections 16,64,256 --checks 1000 --pg postgres://…]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { printTable } from './load.ts';
import type { LoadReport } from './ping-load.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '16,64,256' },
    checks: { type: 'string', default: '1000' },
    // PostgreSQL (--pg URL, or DATABASE_URL set): in a fresh schema, dropped at the end.
    pg: { type: 'string' },
  },
});
const pgUrl = values.pg || process.env.DATABASE_URL;
// The harness makes the fresh database; it reads VIGIL_TEST_DATABASE_URL when it loads.
if (pgUrl) process.env.VIGIL_TEST_DATABASE_URL = pgUrl;
const { freshDatabase } = await import('../test/harness.ts');
const { openStore } = await import('../src/storage/store.ts');
const { createProject } = await import('../src/services/projects.ts');
const { createHealthcheck } = await import('../src/services/healthchecks.ts');

const SECONDS = Number(values.seconds);
const LEVELS = values.connections!.split(',').map(Number);
const CHECKS = Number(values.checks);
const HERE = import.meta.dirname;

const db = await freshDatabase();
const store = await openStore({ databaseUrl: db.env.DATABASE_URL ?? null, dataDir: db.dataDir });
const ctx = { store, clock: Date.now, log: { info() {}, warn() {}, error() {} } };
const project = await createProject(ctx, 'bench');
const actor = {
  ...ctx,
  actor: { projectId: project.id, projectUuid: project.uuid, permission: 'read_write' as const, keyId: null },
};
const tokens: string[] = [];
for (let i = 0; i < CHECKS; i++) {
  const schedule =
    i % 4 === 0 ? { cron: '*/5 * * * *', timezone: 'Europe/Berlin' } : { period_value: 1, period_type: 'hours' };
  tokens.push(
    (
      await createHealthcheck(actor, {
        name: `job ${i}`,
        ...schedule,
        grace_period_value: 10,
        grace_period_type: 'minutes',
      })
    ).uuid,
  );
}

const port = 20000 + Math.floor(Math.random() * 20000);
// The endpoint's throughput, not its throttle; a history long enough that every ping answered 2xx can be found.
const env = {
  ...process.env,
  ...db.env,
  VIGIL_PORT: String(port),
  VIGIL_HOST: '127.0.0.1',
  VIGIL_LOG_LEVEL: 'warn',
  VIGIL_PING_RATE_PER_MINUTE: '0',
  VIGIL_PING_HISTORY: '10000',
};
const server = spawn(
  process.execPath,
  [
    ...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : []),
    path.resolve(HERE, '../bin/vigil.js'),
    'serve',
  ],
  { env, stdio: ['ignore', 'ignore', 'inherit'] },
);
const base = `http://127.0.0.1:${port}`;

function procStats(pid: number) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const rss = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
  return { cpuMs: ((Number(stat[11]) + Number(stat[12])) * 1000) / 100, rss };
}

async function maxPingId(): Promise<number> {
  const r = await sql<{ n: number | null }>`SELECT max(id) AS n FROM healthcheck_pings`.execute(store.db);
  return Number(r.rows[0].n ?? 0);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-pings-'));
async function run(tag: string, connections: number, seconds: number) {
  const out = path.join(tmp, `${tag}.acked`);
  const from = await maxPingId();
  const cpu0 = procStats(server.pid!).cpuMs;
  let maxRss = 0;
  const sampler = setInterval(() => {
    maxRss = Math.max(maxRss, procStats(server.pid!).rss);
  }, 500);
  const loader = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.resolve(HERE, 'ping-load.ts'),
      JSON.stringify({ port, tokens, connections, seconds, tag, out }),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let stdout = '';
  loader.stdout!.on('data', (c) => {
    stdout += c;
  });
  const code = await new Promise((r) => loader.once('exit', r));
  clearInterval(sampler);
  if (code !== 0) throw new Error(`load process exited with ${code}`);
  const report: LoadReport = JSON.parse(stdout);
  const cpu = procStats(server.pid!).cpuMs - cpu0;
  maxRss = Math.max(maxRss, procStats(server.pid!).rss);
  const stored = new Set(
    (
      await sql<{ ua: string }>`SELECT user_agent AS ua FROM healthcheck_pings WHERE id > ${from}`.execute(store.db)
    ).rows.map((r) => r.ua),
  );
  const acked = fs.readFileSync(out, 'utf8').split('\n').filter(Boolean);
  const lost = acked.filter((id) => !stored.has(id)).length;
  const ok = acked.length;
  return {
    connections,
    sent: report.sent,
    '2xx': ok,
    'other answers':
      Object.entries(report.statuses)
        .filter(([s]) => s[0] !== '2')
        .map(([s, n]) => `${n}×${s}`)
        .join(' ') || '0',
    'no answer': report.errors,
    'pings/s accepted': Math.round(ok / report.elapsed),
    'rows stored': stored.size,
    lost,
    'p50 ms': report.p50.toFixed(2),
    'p99 ms': report.p99.toFixed(2),
    'server CPU': `${Math.round((100 * cpu) / (report.elapsed * 1000))} %`,
    // On a shared machine the server may not get a whole core; this is what one core would do.
    'pings per CPU-s': Math.round(ok / (cpu / 1000)),
    'server RSS MB': (maxRss / 1048576).toFixed(0),
    'load CPU': `${Math.round((100 * report.cpuMs) / (report.elapsed * 1000))} %`,
  };
}

try {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {}
    if (i > 100) throw new Error('server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  await run('warmup', LEVELS[0], 2);
  const rows = [];
  for (const [i, c] of LEVELS.entries()) rows.push(await run(`r${i}`, c, SECONDS));
  console.log(
    `\nVigil ping endpoint on loopback, ${store.dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'}, ${CHECKS} checks, mix 60 % GET / 25 % POST with a 31-byte body / 10 % /start / 5 % /fail, ${SECONDS} s per row, load from bench/ping-load.ts in its own process; ${os.cpus().length} × ${os.cpus()[0].model}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`,
  );
  printTable(rows);
  // One request at a time on the idle server: an unknown token against a known one.
  const sequential = async (token: string, status: number) => {
    const ms: number[] = [];
    for (let i = 0; i < 300; i++) {
      const t0 = performance.now();
      const res = await fetch(`${base}/ping/${token}`);
      await res.text();
      if (res.status !== status) throw new Error(`/ping/${token} answered ${res.status}`);
      ms.push(performance.now() - t0);
    }
    ms.sort((a, b) => a - b);
    return `p50 ${ms[150].toFixed(2)} ms, p99 ${ms[297].toFixed(2)} ms`;
  };
  console.log(
    `\nOne at a time, idle server: unknown token → 404 ${await sequential('tok_AAAAAAAAAAAAAAAAAAAAAAAA', 404)}; known token → 200 ${await sequential(tokens[0], 200)}.`,
  );
  const lost = rows.reduce((a, r) => a + r.lost, 0);
  console.log(
    lost === 0
      ? '\nEvery ping answered 2xx is in healthcheck_pings.'
      : `\n${lost} pings answered 2xx are NOT in healthcheck_pings.`,
  );
  if (lost) process.exitCode = 1;
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  await store.close();
  await db.drop();
  fs.rmSync(tmp, { recursive: true, force: true });
}
