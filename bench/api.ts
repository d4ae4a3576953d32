// Benchmark of the API on loopback: the server runs in its own process (as `vigil serve`),
// this process generates the load. Usage: npm run bench:api [-- --seconds 10 --connections 32]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { hasWrk, load, printTable, wrk } from './load.ts';
import { freshDatabase, runCli } from '../test/harness.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, connections: { type: 'string', default: '32' }, only: { type: 'string' } } });
const seconds = Number(values.seconds);
const connections = Number(values.connections);

const db = await freshDatabase();
const port = 20000 + Math.floor(Math.random() * 20000);
const env = { ...db.env, VIGIL_PORT: String(port), VIGIL_HOST: '127.0.0.1', VIGIL_LOG_LEVEL: 'warn', VIGIL_RATE_LIMIT_PER_HOUR: '0' };
const server = spawn(process.execPath, [...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : []), path.resolve(import.meta.dirname, '../bin/vigil.js'), 'serve'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
const base = `http://127.0.0.1:${port}`;
try {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {}
    if (i > 100) throw new Error('server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  const project = JSON.parse((await runCli(['projects', 'list', '--json'], env)).stdout)[0];
  const key = JSON.parse((await runCli(['keys', 'create', '--project', project.uuid, '--name', 'bench', '--permission', 'read_write', '--json'], env)).stdout).key;
  const auth = { authorization: `Bearer ${key}` };
  let uuid = '';
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`${base}/v1/monitors`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ name: `m${i}`, url: `http://127.0.0.1:9/${i}`, paused: true }) });
    uuid = (await res.json()).uuid;
  }
  const useWrk = hasWrk();
  const measure = (url: string, o: { seconds: number; connections: number; headers?: Record<string, string> }) => (useWrk ? Promise.resolve(wrk(url, o)) : load(url, o));
  await measure(`${base}/healthz`, { seconds: 2, connections }); // warm-up
  const rows = [];
  const cases: [string, string, Record<string, string> | undefined][] = [
    ['GET /healthz', `${base}/healthz`, undefined],
    ['GET /v1/monitors/{uuid} (auth)', `${base}/v1/monitors/${uuid}`, auth],
    ['GET /v1/monitors (100 monitors)', `${base}/v1/monitors`, auth],
  ];
  let healthz = 0;
  for (const [name, url, headers] of cases.filter(([n]) => !values.only || n.includes(values.only!))) {
    const r = await measure(url, { seconds, connections, headers });
    if (!healthz) healthz = r.rps;
    rows.push({ endpoint: name, 'req/s': Math.round(r.rps), 'vs healthz': `${Math.round((100 * r.rps) / healthz)} %`, 'p50 ms': r.p50.toFixed(2), 'p99 ms': r.p99.toFixed(2), errors: r.errors });
  }
  console.log(`\nVigil API on loopback, ${db.env.DATABASE_URL ? 'PostgreSQL' : 'SQLite'}, load from ${useWrk ? 'wrk' : 'Node http (install wrk for a lighter client)'}, ${connections} connections, ${seconds} s each, ${os.cpus().length} × ${os.cpus()[0].model}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`);
  printTable(rows);
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  await db.drop();
  fs.rmSync(db.dataDir, { recursive: true, force: true });
}
