// Scale-out benchmark (issue 7): the same offered load — N HTTP monitors every F s on loopback
// targets — checked by (a) one node on SQLite, (b) one node with its built-in probe on PostgreSQL,
// (c) two nodes and two `vigil probe` processes on PostgreSQL, one after the other in one run.
// Everything is measured from outside the Vigil processes: results and lag from the database
// (lag = start − the slot on the monitor's grid), CPU from /proc. Usage:
//   npm run bench:scale -- --monitors 2000 --interval 10 --seconds 40 [--setups a,b,c]
// PostgreSQL: VIGIL_TEST_DATABASE_URL (default postgres://vigil:vigil@127.0.0.1:5432/vigil_test).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { printTable, httpMonitorRow } from './load.ts';
import { closedPort } from '../test/support/targets.ts';
import { openStore, type Store } from '../src/storage/store.ts';
import { createProject } from '../src/services/projects.ts';
import { createProbe } from '../src/services/probes.ts';
import { firstCheckAt } from '../src/domain/schedule.ts';

const { values } = parseArgs({
  options: {
    monitors: { type: 'string', default: '2000' },
    interval: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '40' },
    targets: { type: 'string', default: '4' },
    setups: { type: 'string', default: 'a,b,c' },
  },
});
const N = Number(values.monitors);
const F = Number(values.interval);
const SECONDS = Number(values.seconds);
const BIN = path.resolve(import.meta.dirname, '../bin/vigil.js');
process.env.VIGIL_TEST_DATABASE_URL ||= 'postgres://vigil:vigil@127.0.0.1:5432/vigil_test';
const { freshDatabase } = await import('../test/harness.ts');
const quiet = { info() {}, warn() {}, error() {} };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const targetProc = spawn(process.execPath, [path.resolve(import.meta.dirname, 'target-server.js'), values.targets!], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const ports: number[] = JSON.parse(
  await new Promise<string>((r) => readline.createInterface({ input: targetProc.stdout! }).once('line', r)),
);

function procCpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(stat[11]) + Number(stat[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

async function dbBytes(store: Store, dataDir: string): Promise<number> {
  if (store.dialect === 'sqlite') {
    await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(store.db);
    return fs.statSync(path.join(dataDir, 'vigil.db')).size;
  }
  const r = await sql<{
    b: number;
  }>`SELECT sum(pg_total_relation_size(quote_ident(table_name)))::bigint AS b FROM information_schema.tables WHERE table_schema = current_schema()`.execute(
    store.db,
  );
  return Number(r.rows[0].b);
}

interface Setup {
  name: string;
  postgres: boolean;
  nodes: number;
  probes: string[];
}

async function measure(setup: Setup): Promise<Record<string, string | number>> {
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  let dataDir: string;
  if (setup.postgres) {
    const db = await freshDatabase();
    env = db.env;
    drop = () => db.drop();
    dataDir = db.dataDir;
  } else {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-'));
    env = { VIGIL_DATA_DIR: dataDir };
    drop = async () => fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const store = await openStore({ databaseUrl: env.DATABASE_URL ?? null, dataDir });
  const ctx = { store, clock: Date.now, log: quiet };
  const project = await createProject(ctx, 'bench');
  // Each monitor has one region, so every setup runs N/F checks per second: a region with no
  // probe (virginia) for the built-in probe, else the probes' regions in turn.
  const regions = setup.probes.length ? setup.probes : ['virginia'];
  const start = Date.now() + 6000;
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
          regions: JSON.stringify([regions[j % regions.length]]),
          frequency: F,
          createdAt: start,
          firstCheckAt: first,
        }),
      );
    }
    await store.db
      .insertInto('monitors')
      .values(rows as never)
      .execute();
  }
  const bytes0 = await dbBytes(store, dataDir);
  const procs: ChildProcess[] = [];
  const urls: string[] = [];
  for (let i = 0; i < setup.nodes; i++) {
    const port = await closedPort();
    procs.push(
      spawn(process.execPath, [BIN, 'serve'], {
        env: {
          ...process.env,
          ...env,
          VIGIL_ROLE: 'all',
          VIGIL_PORT: String(port),
          VIGIL_HOST: '127.0.0.1',
          VIGIL_LOG_LEVEL: 'warn',
          VIGIL_CHECK_CONCURRENCY: '5000',
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      }),
    );
    urls.push(`http://127.0.0.1:${port}`);
  }
  for (const url of urls) {
    for (;;) {
      try {
        if ((await fetch(`${url}/healthz`)).ok) break;
      } catch {}
      await sleep(100);
    }
  }
  for (const [i, region] of setup.probes.entries()) {
    const p = await createProbe(ctx, { projectUuid: project.uuid, region, actor: 'bench' });
    procs.push(
      spawn(
        process.execPath,
        [
          BIN,
          'probe',
          '--server',
          urls[i % urls.length],
          '--token',
          p.token,
          '--region',
          region,
          '--concurrency',
          '2000',
        ],
        {
          env: { ...process.env, VIGIL_LOG_LEVEL: 'warn' },
          stdio: ['ignore', 'ignore', 'inherit'],
        },
      ),
    );
  }
  // Start-up and the probes' first leases, then the measured window from a whole second.
  await sleep(Math.max(0, start + 2000 - Date.now()));
  const cpu0 = procs.map((p) => procCpuMs(p.pid!));
  const t0 = Date.now();
  await sleep(SECONDS * 1000);
  const t1 = Date.now();
  const cpu1 = procs.map((p) => procCpuMs(p.pid!));
  await sleep(3000); // checks of the window still in flight are posted
  for (const p of procs) p.kill('SIGTERM');
  await Promise.all(procs.map((p) => (p.exitCode !== null ? null : new Promise((r) => p.once('exit', r)))));

  const Fm = F * 1000;
  const rows = (
    await sql<{
      id: number;
      loc: string;
      at: number;
      phase: number;
    }>`SELECT r.monitor_id AS id, r.location AS loc, r.at AS at, m.check_phase AS phase FROM check_results r JOIN monitors m ON m.id = r.monitor_id WHERE r.at >= ${t0 - Fm} AND r.at < ${t1 + Fm}`.execute(
      store.db,
    )
  ).rows;
  // A check belongs to the latest slot due at or before its start (a timer may fire a hair early).
  const checks = rows
    .map((r) => {
      const slot = Math.floor((Number(r.at) - Number(r.phase) + 50) / Fm) * Fm + Number(r.phase);
      return { key: `${r.id}|${r.loc}|${slot}`, slot, lag: Math.max(0, Number(r.at) - slot) };
    })
    .filter((c) => c.slot >= t0 && c.slot < t1);
  const lags = checks.map((c) => c.lag).sort((a, b) => a - b);
  const q = (p: number) => lags[Math.min(lags.length - 1, Math.floor(p * lags.length))] ?? NaN;
  const phases = (await sql<{ phase: number }>`SELECT check_phase AS phase FROM monitors`.execute(store.db)).rows.map(
    (r) => Number(r.phase),
  );
  const slotsBefore = (t: number, phase: number) => Math.floor((t - 1 - phase) / Fm);
  const expected = phases.reduce((a, p) => a + slotsBefore(t1, p) - slotsBefore(t0, p), 0);
  const duplicates = checks.length - new Set(checks.map((c) => c.key)).size;
  const total = Number((await sql<{ n: number }>`SELECT count(*) AS n FROM check_results`.execute(store.db)).rows[0].n);
  const failed = Number(
    (await sql<{ n: number }>`SELECT count(*) AS n FROM check_results WHERE ok = 0`.execute(store.db)).rows[0].n,
  );
  const bytes1 = await dbBytes(store, dataDir);
  const nodeCpu = cpu1.slice(0, setup.nodes).reduce((a, c, i) => a + c - cpu0[i], 0);
  const probeCpu = cpu1.slice(setup.nodes).reduce((a, c, i) => a + c - cpu0[setup.nodes + i], 0);
  await store.close();
  await drop();
  return {
    setup: setup.name,
    'checks/s offered': (N / F).toFixed(0),
    'checks/s done': (checks.length / ((t1 - t0) / 1000)).toFixed(1),
    'lag p50 ms': q(0.5).toFixed(0),
    'lag p99 ms': q(0.99).toFixed(0),
    missed: Math.max(0, expected - checks.length + duplicates),
    duplicated: duplicates,
    failed,
    'node CPU ms/check': (nodeCpu / checks.length).toFixed(2),
    'probe CPU ms/check': setup.probes.length ? (probeCpu / checks.length).toFixed(2) : '-',
    'DB bytes/result': ((bytes1 - bytes0) / total).toFixed(0),
  };
}

const setups: Setup[] = [
  { name: '(a) SQLite, 1 node', postgres: false, nodes: 1, probes: [] },
  { name: '(b) PostgreSQL, 1 node + built-in probe', postgres: true, nodes: 1, probes: [] },
  { name: '(c) PostgreSQL, 2 nodes + 2 probes', postgres: true, nodes: 2, probes: ['frankfurt', 'london'] },
];
const out = [];
for (const s of setups.filter((x) => values.setups!.split(',').includes(x.name[1]))) {
  process.stderr.write(`${s.name}…\n`);
  out.push(await measure(s));
}
console.log(
  `\nVigil scale-out, ${N} HTTP monitors every ${F} s on ${ports.length} loopback targets, ${SECONDS} s measured per setup; ${os.cpus().length} × ${os.cpus()[0].model}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`,
);
printTable(out);
targetProc.kill();
