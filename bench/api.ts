// Benchmark of the API on loopback: the server runs in its own process (as `vigil serve`),
// this process generates the load. Usage: npm run bench:api [-- --seconds 10 --connections 32 --rounds 3]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { hasWrk, load, printTable, wrk } from './load.ts';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { freshDatabase, runCli } from '../test/harness.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    rounds: { type: 'string', default: '3' },
    only: { type: 'string' },
    'writes-per-second': { type: 'string', default: '0' },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const rounds = Number(values.rounds);

const db = await freshDatabase();
const port = 20000 + Math.floor(Math.random() * 20000);
const env = {
  ...db.env,
  VIGIL_PORT: String(port),
  VIGIL_HOST: '127.0.0.1',
  VIGIL_LOG_LEVEL: 'warn',
  VIGIL_RATE_LIMIT_PER_HOUR: '0',
};
const server = spawn(
  process.execPath,
  [
    ...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : []),
    ...(process.env.BENCH_GC ? ['--trace-gc'] : []),
    ...(process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(' ') : []),
    path.resolve(import.meta.dirname, '../bin/vigil.js'),
    'serve',
  ],
  { env: { ...process.env, ...env }, stdio: ['ignore', process.env.BENCH_GC ? 'inherit' : 'pipe', 'inherit'] },
);
const base = `http://127.0.0.1:${port}`;
let stopWrites: (() => Promise<void>) | undefined;

/** Commits `perSecond` one-row updates a second from this process, every 10 ms, until stopped. */
async function backgroundWrites(perSecond: number): Promise<() => Promise<void>> {
  const text =
    'UPDATE schema_migrations SET applied_at = applied_at + 1 WHERE id = (SELECT MIN(id) FROM schema_migrations)';
  let write: () => Promise<unknown>;
  let close: () => Promise<unknown>;
  if (db.env.DATABASE_URL) {
    const c = new pg.Client({ connectionString: db.env.DATABASE_URL });
    await c.connect();
    write = () => c.query(text);
    close = () => c.end();
  } else {
    const file = new SQLite(path.join(db.dataDir, 'vigil.db'));
    file.pragma('busy_timeout = 5000');
    const st = file.prepare(text);
    write = async () => st.run();
    close = async () => file.close();
  }
  let owed = 0;
  let busy: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    owed += perSecond / 100;
    busy = busy.then(async () => {
      for (; owed >= 1; owed--) await write();
    });
  }, 10);
  return async () => {
    clearInterval(timer);
    await busy;
    await close();
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
  const project = JSON.parse((await runCli(['projects', 'list', '--json'], env)).stdout)[0];
  const key = JSON.parse(
    (
      await runCli(
        ['keys', 'create', '--project', project.uuid, '--name', 'bench', '--permission', 'read_write', '--json'],
        env,
      )
    ).stdout,
  ).key;
  const auth = { authorization: `Bearer ${key}` };
  let uuid = '';
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`${base}/v1/monitors`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `m${i}`, url: `http://127.0.0.1:9/${i}`, paused: true }),
    });
    uuid = (await res.json()).uuid;
  }
  // Writes by another process while the cases run, as a checking engine or a second node makes
  // them: each commits, so the read caches (SQLite data_version, PostgreSQL's snapshot) move on.
  const writesPerSecond = Number(values['writes-per-second']);
  if (writesPerSecond > 0) stopWrites = await backgroundWrites(writesPerSecond);
  const useWrk = hasWrk();
  const measure = (url: string, o: { seconds: number; connections: number; headers?: Record<string, string> }) =>
    useWrk ? Promise.resolve(wrk(url, o)) : load(url, o);
  await measure(`${base}/healthz`, { seconds: 2, connections }); // warm-up
  const rows = [];
  const cases: [string, string, Record<string, string> | undefined][] = [
    ['GET /healthz', `${base}/healthz`, undefined],
    ['GET /v1/monitors/{uuid} (auth)', `${base}/v1/monitors/${uuid}`, auth],
    ['GET /v1/monitors (100 monitors)', `${base}/v1/monitors`, auth],
  ];
  // CPU time of the server process (user + system, from /proc), per request served.
  const cpuMs = () => {
    const f = fs.readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // clock ticks of 10 ms
  };
  // Shared machines drift: the cases run in turn, `rounds` times, and each figure is the
  // median over rounds; "vs healthz" is the median of each round's ratio to that round's /healthz.
  const chosen = cases.filter(([n]) => !values.only || n.includes(values.only!));
  const runs = new Map<
    string,
    { rps: number; ratio: number; p50: number; p99: number; cpuUs: number; errors: number }[]
  >();
  for (let round = 0; round < rounds; round++) {
    let healthz = 0;
    for (const [name, url, headers] of chosen) {
      const cpu0 = cpuMs();
      const r = await measure(url, { seconds, connections, headers });
      if (!healthz) healthz = r.rps;
      const list = runs.get(name) ?? runs.set(name, []).get(name)!;
      list.push({ ...r, ratio: r.rps / healthz, cpuUs: ((cpuMs() - cpu0) * 1000) / r.requests });
    }
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  for (const [name, list] of runs) {
    const m = (f: (r: (typeof list)[number]) => number) => median(list.map(f));
    rows.push({
      endpoint: name,
      'req/s': Math.round(m((r) => r.rps)),
      'vs healthz': `${Math.round(100 * m((r) => r.ratio))} %`,
      'p50 ms': m((r) => r.p50).toFixed(2),
      'p99 ms': m((r) => r.p99).toFixed(2),
      'server CPU µs/req': Math.round(m((r) => r.cpuUs)),
      errors: list.reduce((a, r) => a + r.errors, 0),
    });
  }
  console.log(
    `\nVigil API on loopback, ${db.env.DATABASE_URL ? 'PostgreSQL' : 'SQLite'}, load from ${useWrk ? 'wrk' : 'Node http (install wrk for a lighter client)'}, ${connections} connections, ${seconds} s each, ${writesPerSecond} writes/s by another process, median of ${rounds} rounds, ${os.cpus().length} × ${os.cpus()[0].model}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`,
  );
  printTable(rows);
} finally {
  await stopWrites?.();
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  await db.drop();
  fs.rmSync(db.dataDir, { recursive: true, force: true });
}
