// Live dashboard benchmark: N HTTP monitors every S seconds on loopback targets, checked and
// stored by `vigil serve` in its own process, first with no page open, then with P monitors
// pages loaded and their live streams open (P people, one page each: page i of the list, its
// 50 monitors), then with none again. Measured from outside the server: its CPU from /proc, and
// for every check that reached an open stream, the delay from the check's end (its start + its
// response time) to the message's arrival, which covers the scheduler's batching, the storing
// transaction, the NOTIFY (PostgreSQL) or the in-process hand-over (SQLite), and the stream's
// coalescing. The two phases alternate for a few rounds (the shared machine's load moves).
// LIVE_PROFILE=<folder> makes the server write a CPU profile there.
// Usage:
//   npm run bench:live -- --monitors 10000 --interval 30 --pages 50 --seconds 60 --rounds 2
// (VIGIL_TEST_DATABASE_URL=postgres://… for PostgreSQL)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { printTable, httpMonitorRow } from './load.ts';
import { freshDatabase } from '../test/harness.ts';
import { closedPort } from '../test/support/targets.ts';
import { FormClient } from '../test/support/browser-client.ts';
import { openStream, type SseStream } from '../test/support/sse.ts';
import { openStore } from '../src/storage/store.ts';
import { createProject } from '../src/services/projects.ts';
import { addProjectMember, createUser } from '../src/services/users.ts';

const { values } = parseArgs({
  options: {
    monitors: { type: 'string', default: '10000' },
    interval: { type: 'string', default: '30' },
    pages: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '60' },
    rounds: { type: 'string', default: '2' },
    targets: { type: 'string', default: '4' },
  },
});
const N = Number(values.monitors);
const F = Number(values.interval);
const PAGES = Number(values.pages);
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const BIN = path.resolve(import.meta.dirname, '../bin/vigil.js');
const PASSWORD = 'correct horse battery';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const db = await freshDatabase();
const store = await openStore({ databaseUrl: db.env.DATABASE_URL ?? null, dataDir: db.dataDir });
const ctx = { store, clock: Date.now, log: { info() {}, warn() {}, error() {} } };

const targetProc = spawn(process.execPath, [path.resolve(import.meta.dirname, 'target-server.js'), values.targets!], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
process.on('exit', () => targetProc.kill()); // also when the benchmark fails
const ports: number[] = JSON.parse(
  await new Promise<string>((r) => readline.createInterface({ input: targetProc.stdout! }).once('line', r)),
);

// Monitors go straight into the database, their checks spread evenly over the interval in an
// order unrelated to their names (as gridPhase spreads created monitors), so the 50 monitors of
// one page are checked at 50 moments of the interval.
const project = await createProject(ctx, 'bench');
const start = Date.now() + 5000;
const spread = (j: number) => ((j * 7919) % N) / N; // 7919 is prime: a permutation of 0…N−1 unless N is a multiple of it
for (let i = 0; i < N; i += 1000) {
  const rows = [];
  for (let j = i; j < Math.min(N, i + 1000); j++) {
    const first = start + Math.floor(spread(j) * F * 1000);
    rows.push(
      httpMonitorRow({
        uuid: `mon_live${String(j).padStart(9, '0')}`,
        projectId: project.id,
        name: `m${String(j).padStart(6, '0')}`,
        url: `http://127.0.0.1:${ports[j % ports.length]}/${j}`,
        regions: JSON.stringify(['london']),
        frequency: F,
        createdAt: start,
        firstCheckAt: first,
      }),
    );
  }
  await store.db.insertInto('monitors').values(rows).execute();
}
// One person per open page (a user may hold 10 streams).
const users: string[] = [];
for (let i = 0; i < PAGES; i++) {
  const email = `viewer${i}@example.org`;
  const u = await createUser(ctx, { email, password: PASSWORD });
  if (!u.owns.includes(project.uuid)) await addProjectMember(ctx, project.id, u.id, 'member');
  users.push(email);
}

const port = await closedPort();
const base = `http://127.0.0.1:${port}`;
const server = spawn(
  process.execPath,
  [...(process.env.LIVE_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.LIVE_PROFILE}`] : []), BIN, 'serve'],
  {
    env: {
      ...process.env,
      ...db.env,
      VIGIL_HOST: '127.0.0.1',
      VIGIL_PORT: String(port),
      VIGIL_ROLE: 'all',
      VIGIL_LOG_LEVEL: 'warn',
      VIGIL_CHECK_CONCURRENCY: '5000',
      VIGIL_AUTH_FAILURES_PER_MINUTE: '0',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  },
);
process.on('exit', () => server.kill());
for (;;) {
  try {
    if ((await fetch(`${base}/healthz`)).ok) break;
  } catch {}
  if (server.exitCode !== null) throw new Error('vigil serve exited');
  await sleep(100);
}

function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(stat[11]) + Number(stat[12])) * 1000) / 100;
}
async function checksPerSecond(from: number, to: number): Promise<number> {
  const r = await store.db
    .selectFrom('check_results')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('at', '>=', from)
    .where('at', '<', to)
    .executeTakeFirstOrThrow();
  return Number(r.n) / ((to - from) / 1000);
}

// Warm-up: every monitor checks once, the scheduler settles.
await sleep(Math.max(0, start - Date.now()) + F * 1000 + 5000);

const rows: Record<string, string | number>[] = [];
const totals = new Map<string, { cpu: number; ms: number; checks: number; messages: number; delays: number[] }>();
const quantile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))].toFixed(0) : '-';

function row(
  name: string,
  t: { cpu: number; ms: number; checks: number; messages: number; delays: number[] },
  open: boolean,
) {
  const delays = t.delays.slice().sort((a, b) => a - b);
  rows.push({
    phase: name,
    'checks/s stored': (t.checks / (t.ms / 1000)).toFixed(0),
    'server CPU ms/s': (t.cpu / (t.ms / 1000)).toFixed(0),
    'messages/s (all pages)': open ? (t.messages / (t.ms / 1000)).toFixed(1) : '-',
    'checks shown': open ? delays.length : '-',
    'delay p50 ms': quantile(delays, 0.5),
    'delay p95 ms': quantile(delays, 0.95),
    'delay p99 ms': quantile(delays, 0.99),
    'delay max ms': delays.length ? delays.at(-1)!.toFixed(0) : '-',
  });
}

/** One measured phase: the server's CPU, the checks stored, and what reached the open pages. */
async function phase(name: string, kind: string, streams: SseStream[] = [], delays: number[] = []) {
  delays.length = 0;
  const m0 = streams.reduce((a, s) => a + s.messages.length, 0);
  const c0 = cpuMs(server.pid!);
  const t0 = Date.now();
  await sleep(SECONDS * 1000);
  const t1 = Date.now();
  const c1 = cpuMs(server.pid!);
  const t = {
    cpu: c1 - c0,
    ms: t1 - t0,
    checks: (await checksPerSecond(t0, t1)) * ((t1 - t0) / 1000),
    messages: streams.reduce((a, s) => a + s.messages.length, 0) - m0,
    delays: delays.slice(),
  };
  row(name, t, streams.length > 0);
  const sum = totals.get(kind) ?? { cpu: 0, ms: 0, checks: 0, messages: 0, delays: [] };
  totals.set(kind, {
    cpu: sum.cpu + t.cpu,
    ms: sum.ms + t.ms,
    checks: sum.checks + t.checks,
    messages: sum.messages + t.messages,
    delays: sum.delays.concat(t.delays),
  });
}

/** P people sign in, each loads page i of the list (its own 50 monitors) and keeps its stream open. */
async function openPages(delays: number[], loadMs: number[]): Promise<SseStream[]> {
  const streams: SseStream[] = [];
  for (let i = 0; i < PAGES; i++) {
    const b = new FormClient(base);
    const signed = await b.submit('/app/login', '/app/login', { email: users[i], password: PASSWORD });
    if (signed.status !== 303) throw new Error(`sign-in: ${signed.status}`);
    const t = performance.now();
    const page = await b.get(`/app/projects/${project.uuid}/monitors?page=${(i % Math.ceil(N / 50)) + 1}`);
    loadMs.push(performance.now() - t);
    const live = /data-live="([^"]+)"/.exec(page.text)?.[1]?.replace(/&amp;/g, '&');
    if (page.status !== 200 || !live) throw new Error(`monitors page ${i + 1}: ${page.status}`);
    const cookie = [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const s = await openStream(base + live, { cookie }, (data, at) => {
      for (const m of data.monitors ?? [])
        for (const c of m.checks) if (c.ok && c.ms != null) delays.push(at - (c.at + c.ms));
    });
    if (s.status !== 200) throw new Error(`stream ${i + 1}: ${s.status}`);
    streams.push(s);
  }
  return streams;
}

const loadMs: number[] = [];
let openingCpu = 0;
async function withPages(r: number) {
  const delays: number[] = [];
  const c0 = cpuMs(server.pid!);
  const streams = await openPages(delays, loadMs);
  openingCpu += cpuMs(server.pid!) - c0;
  await phase(`round ${r}: ${PAGES} pages open`, 'with', streams, delays);
  for (const s of streams) s.close();
  await sleep(1000);
}
// Rounds alternate the order (without, with; with, without; …): the cost of a check creeps up
// as the tables grow, and would otherwise count against whichever phase always comes second.
for (let r = 1; r <= ROUNDS; r++) {
  if (r % 2) {
    await phase(`round ${r}: no page open`, 'without');
    await withPages(r);
  } else {
    await withPages(r);
    await phase(`round ${r}: no page open`, 'without');
  }
}
row('all rounds: no page open', totals.get('without')!, false);
row(`all rounds: ${PAGES} pages open`, totals.get('with')!, true);
const per = (k: string) => totals.get(k)!.cpu / totals.get(k)!.ms;

loadMs.sort((a, b) => a - b);
const cpu = os.cpus();
console.log(
  `\nVigil live dashboard, ${store.dialect}, ${N} HTTP monitors every ${F} s on ${ports.length} loopback targets, ${PAGES} monitors pages (50 monitors each) with their live streams, ${ROUNDS} rounds of ${SECONDS} s per phase; ${cpu.length} × ${cpu[0].model}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}\n`,
);
printTable(rows);
const change = (per('with') / per('without') - 1) * 100;
console.log(
  `\nServer CPU with the pages open against none: ${change >= 0 ? '+' : '−'}${Math.abs(change).toFixed(1)} %. Opening them (sign-in, monitors page, stream) took ${(openingCpu / ROUNDS).toFixed(0)} ms of server CPU per round; page load median ${loadMs[Math.floor(loadMs.length / 2)].toFixed(0)} ms, max ${loadMs.at(-1)!.toFixed(0)} ms.`,
);

server.kill('SIGTERM');
await new Promise((r) => server.once('exit', r));
targetProc.kill();
await store.close();
await db.drop();
