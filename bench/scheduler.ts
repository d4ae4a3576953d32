// Scheduler benchmark: N HTTP monitors on loopback targets, checked by `vigil serve` (worker
// role) in its own process; everything is measured from outside that process (its /proc
// counters and the database). Usage:
//   npm run bench:scheduler -- --monitors 30000 --interval 30 --seconds 300
//   [--workers W] [--check-workers K] [--cpu-prof DIR]
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { printTable, httpMonitorRow } from './load.ts';
import { freshDatabase } from '../test/harness.ts';
import { openStore } from '../src/storage/store.ts';
import { createProject } from '../src/services/projects.ts';
import { firstCheckAt } from '../src/domain/schedule.ts';
import { REGIONS } from '../src/domain/monitors.ts';

const { values } = parseArgs({
  options: {
    monitors: { type: 'string', default: '1000' },
    interval: { type: 'string', default: '30' },
    seconds: { type: 'string', default: '60' },
    targets: { type: 'string', default: '4' },
    restart: { type: 'string', default: '10' },
    workers: { type: 'string', default: '1' },
    'cpu-prof': { type: 'string' },
    // VIGIL_CHECK_WORKERS of each worker process; unset: its default (CPUs − 1, at most 3)
    'check-workers': { type: 'string' },
  },
});
const N = Number(values.monitors);
const F = Number(values.interval);
const SECONDS = Number(values.seconds);
const BIN = path.resolve(import.meta.dirname, '../bin/vigil.js');

const db = await freshDatabase();
const store = await openStore({ databaseUrl: db.env.DATABASE_URL ?? null, dataDir: db.dataDir });
const ctx = { store, clock: Date.now, log: { info() {}, warn() {}, error() {} } };

const targetProc = spawn(process.execPath, [path.resolve(import.meta.dirname, 'target-server.js'), values.targets!], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const ports: number[] = JSON.parse(
  await new Promise<string>((r) => readline.createInterface({ input: targetProc.stdout! }).once('line', r)),
);

// Monitors go straight into the database (the API would take minutes for 30,000).
const project = await createProject(ctx, 'bench');
const start = Date.now() + 3000;
for (let i = 0; i < N; i += 1000) {
  const rows = [];
  for (let j = i; j < Math.min(N, i + 1000); j++) {
    const first = firstCheckAt(start, F, j / N);
    rows.push(
      httpMonitorRow({
        uuid: `mon_bench${String(j).padStart(9, '0')}`,
        projectId: project.id,
        name: `m${j}`,
        url: `http://127.0.0.1:${ports[j % ports.length]}/${j}`,
        regions: JSON.stringify(REGIONS),
        frequency: F,
        createdAt: start,
        firstCheckAt: first,
      }),
    );
  }
  await store.db.insertInto('monitors').values(rows).execute();
}

async function dbBytes(): Promise<number> {
  if (store.dialect === 'sqlite') {
    await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(store.db);
    return fs.statSync(path.join(db.dataDir, 'vigil.db')).size;
  }
  const r = await sql<{
    b: number;
  }>`SELECT sum(pg_total_relation_size(quote_ident(table_name)))::bigint AS b FROM information_schema.tables WHERE table_schema = current_schema()`.execute(
    store.db,
  );
  return Number(r.rows[0].b);
}

// Bytes per table and per index (SQLite: its b-trees and free pages), to show where growth goes.
async function relationBytes(): Promise<Map<string, number>> {
  const r =
    store.dialect === 'sqlite'
      ? await sql<{
          t: string;
          b: number;
        }>`SELECT name AS t, sum(pgsize) AS b FROM dbstat GROUP BY name
          UNION ALL SELECT '(free pages)',
            (SELECT freelist_count FROM pragma_freelist_count) * (SELECT page_size FROM pragma_page_size)`.execute(
          store.db,
        )
      : await sql<{
          t: string;
          b: number;
        }>`SELECT c.relname AS t, pg_table_size(c.oid)::bigint AS b FROM pg_class c
          WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'i')`.execute(store.db);
  return new Map(r.rows.map((x) => [x.t, Number(x.b)]));
}

// Each worker's log (warnings and errors) goes to a file; errors and unexpected exits are counted.
const logs = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-logs-'));
let crashes = 0;
let stopping = false;
function startWorker(_: unknown, i: number): ChildProcess {
  const env = {
    ...process.env,
    ...db.env,
    VIGIL_ROLE: 'worker',
    VIGIL_LOG_LEVEL: 'warn',
    VIGIL_CHECK_CONCURRENCY: '5000',
    ...(values['check-workers'] === undefined ? {} : { VIGIL_CHECK_WORKERS: values['check-workers'] }),
  };
  const prof = values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(values['cpu-prof'])}`] : [];
  const log = fs.openSync(path.join(logs, `worker-${i}.log`), 'a');
  const child = spawn(process.execPath, [...prof, BIN, 'serve'], { env, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  child.once('exit', (code, signal) => {
    if (!stopping) {
      crashes++;
      console.error(`worker ${i} exited (${signal ?? code}) during the run: see ${logs}/worker-${i}.log`);
    }
  });
  return child;
}
const errorsLogged = () =>
  fs
    .readdirSync(logs)
    .map((f) => fs.readFileSync(path.join(logs, f), 'utf8'))
    .join('')
    .split('\n')
    .filter((l) => /"level":(50|60)|Error/.test(l)).length;

function procStats(pid: number | undefined) {
  if (!pid || !fs.existsSync(`/proc/${pid}/stat`)) return { cpuMs: 0, rss: 0 };
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(stat[11]) + Number(stat[12]);
  const rss = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
  return { cpuMs: (ticks * 1000) / 100, rss };
}

const bytes0 = await dbBytes();
const tables0 = await relationBytes();
const workers = Array.from({ length: Number(values.workers) }, startWorker);
await new Promise((r) => setTimeout(r, 2500)); // start-up, before the first slot
const cpu0 = workers.map((w) => procStats(w.pid!).cpuMs);
const t0 = Date.now();
let maxRss = 0;
const sampler = setInterval(() => {
  for (const w of workers) maxRss = Math.max(maxRss, procStats(w.pid!).rss);
}, 1000);
await new Promise((r) => setTimeout(r, SECONDS * 1000));
const t1 = Date.now();
const cpu1 = workers.map((w) => procStats(w.pid!).cpuMs);
clearInterval(sampler);

// Restart: stop the workers, wait, start again, and time until every monitor has checked.
stopping = true;
const stopped = (w: ChildProcess) =>
  w.exitCode !== null || w.signalCode !== null ? null : new Promise((r) => w.once('exit', r));
for (const w of workers) w.kill('SIGTERM');
await Promise.all(workers.map(stopped));
stopping = false;
const down = Number(values.restart);
await new Promise((r) => setTimeout(r, down * 1000));
const restartAt = Date.now();
const again = workers.map(startWorker);
let everyMonitorAfter = NaN;
for (;;) {
  const r = await sql<{
    n: number;
  }>`SELECT count(DISTINCT monitor_id) AS n FROM check_results WHERE at >= ${restartAt}`.execute(store.db);
  if (Number(r.rows[0].n) >= N) {
    everyMonitorAfter = (Date.now() - restartAt) / 1000;
    break;
  }
  if (Date.now() - restartAt > (F + 30) * 1000) break;
  await new Promise((res) => setTimeout(res, 250));
}
stopping = true;
for (const w of again) w.kill('SIGTERM');
await Promise.all(again.map(stopped));

// Everything below is read from the database: lag = start − its slot on the monitor's grid.
const rows = (
  await sql<{
    at: number;
    phase: number;
  }>`SELECT r.at AS at, m.check_phase AS phase FROM check_results r JOIN monitors m ON m.id = r.monitor_id WHERE r.at >= ${t0 - F * 500} AND r.at < ${t1 + F * 500}`.execute(
    store.db,
  )
).rows;
const Fm = F * 1000;
// signed lag: a timer may fire a millisecond early
const withLag = rows
  .map((r) => {
    let lag = (((Number(r.at) - Number(r.phase)) % Fm) + Fm) % Fm;
    if (lag > Fm / 2) lag -= Fm;
    return { slot: Number(r.at) - lag, lag };
  })
  .filter((r) => r.slot >= t0 && r.slot < t1);
const lags = withLag.map((r) => r.lag).sort((a, b) => a - b);
const phases = (await sql<{ phase: number }>`SELECT check_phase AS phase FROM monitors`.execute(store.db)).rows.map(
  (r) => Number(r.phase),
);
const slotsBefore = (t: number, phase: number) => Math.floor((t - 1 - phase) / Fm);
const expected = phases.reduce((a, p) => a + slotsBefore(t1, p) - slotsBefore(t0, p), 0);
const q = (p: number) => lags[Math.min(lags.length - 1, Math.floor(p * lags.length))] ?? NaN;
const failures = Number(
  (await sql<{ n: number }>`SELECT count(*) AS n FROM check_results WHERE ok = 0`.execute(store.db)).rows[0].n,
);
const totalResults = Number(
  (await sql<{ n: number }>`SELECT count(*) AS n FROM check_results`.execute(store.db)).rows[0].n,
);
const bytes1 = await dbBytes();
const tables1 = await relationBytes();
const errors = errorsLogged();
const cpu = cpu1.reduce((a, c, i) => a + c - cpu0[i], 0);

console.log(
  `\nVigil scheduler, ${store.dialect}, ${N} HTTP monitors every ${F} s on ${ports.length} loopback targets, ${SECONDS} s, ${values.workers} worker process(es), VIGIL_CHECK_WORKERS ${values['check-workers'] ?? 'default'}; ${os.cpus().length} × ${os.cpus()[0].model}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`,
);
printTable([
  {
    monitors: N,
    'checks/s expected': (N / F).toFixed(0),
    'checks/s achieved': (withLag.length / ((t1 - t0) / 1000)).toFixed(0),
    'lag p50 ms': q(0.5).toFixed(0),
    'lag p99 ms': q(0.99).toFixed(0),
    'lag max ms': (lags.at(-1) ?? NaN).toFixed(0),
    'missed checks': Math.max(0, expected - withLag.length),
    'failed checks': failures,
    'result rows': totalResults,
    'bytes/result': ((bytes1 - bytes0) / totalResults).toFixed(0),
    'max RSS MB': (maxRss / 1048576).toFixed(0),
    'CPU ms/check': (cpu / withLag.length).toFixed(3),
    'errors logged': errors,
    'worker crashes': crashes,
    [`all checked again after ${down} s down`]: Number.isNaN(everyMonitorAfter)
      ? 'no'
      : `${everyMonitorAfter.toFixed(1)} s`,
  },
]);

const growth = [...tables1]
  .map(([t, b]) => ({ relation: t, bytes: b - (tables0.get(t) ?? 0) }))
  .filter((g) => g.bytes !== 0)
  .sort((a, b) => b.bytes - a.bytes);
console.log('\nGrowth by table and index:\n');
printTable(
  growth.map((g) => ({
    'table or index': g.relation,
    'KB grown': (g.bytes / 1024).toFixed(0),
    'bytes/result': (g.bytes / totalResults).toFixed(1),
  })),
);

targetProc.kill();
if (errors === 0 && crashes === 0) fs.rmSync(logs, { recursive: true, force: true });
else console.log(`worker logs: ${logs}`);
await store.close();
await db.drop();
