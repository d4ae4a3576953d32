// 200 concurrent API clients on loopback against `vigil serve` in its own process, each with its
// own keep-alive connection and one request in flight: 60 % GET a monitor, 20 % PUT (rename) a
// monitor, 10 % GET /v2/outages, 10 % GET /v3/incidents. Zero errors are required (exit 1
// otherwise); p50/p90/p99 are printed per kind and overall, after a 3 s warm-up.
// Usage: npm run bench:load [-- --seconds 60 --clients 200]   (PostgreSQL: VIGIL_TEST_DATABASE_URL=postgres://…)
import { spawn } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { printTable } from './load.ts';
import { freshDatabase, runCli } from '../test/harness.ts';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '60' }, clients: { type: 'string', default: '200' } },
});
const seconds = Number(values.seconds);
const clients = Number(values.clients);

const db = await freshDatabase();
const port = 20000 + Math.floor(Math.random() * 20000);
// The per-key quota (800/hour) would turn this load into 429s within a second: it is off here.
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
    path.resolve(import.meta.dirname, '../bin/vigil.js'),
    'serve',
  ],
  {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  },
);
const base = `http://127.0.0.1:${port}`;
let failed = true;
try {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {}
    if (i > 300) throw new Error('server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  const project = JSON.parse((await runCli(['projects', 'list', '--json'], env)).stdout)[0];
  const key = JSON.parse(
    (
      await runCli(
        ['keys', 'create', '--project', project.uuid, '--name', 'load', '--permission', 'read_write', '--json'],
        env,
      )
    ).stdout,
  ).key;
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const uuids: string[] = [];
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`${base}/v1/monitors`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: `m${i}`, url: `http://127.0.0.1:9/${i}`, paused: true }),
    });
    uuids.push((await res.json()).uuid);
  }
  for (let i = 0; i < 20; i++)
    await fetch(`${base}/v3/incidents`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ title: { en: `incident ${i}` } }),
    });

  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const kinds = ['GET /v1/monitors/{uuid}', 'PUT /v1/monitors/{uuid}', 'GET /v2/outages', 'GET /v3/incidents'] as const;
  const latencies = new Map<string, number[]>(kinds.map((k) => [k, []]));
  const errors = { status: 0, socket: 0, slow: 0 };
  let n = 0;
  const one = (): Promise<void> => {
    const r = Math.random() * 100;
    const uuid = uuids[Math.floor(Math.random() * uuids.length)];
    const [kind, method, p] =
      r < 60
        ? [kinds[0], 'GET', `/v1/monitors/${uuid}`]
        : r < 80
          ? [kinds[1], 'PUT', `/v1/monitors/${uuid}`]
          : r < 90
            ? [kinds[2], 'GET', '/v2/outages']
            : [kinds[3], 'GET', '/v3/incidents'];
    const t0 = performance.now();
    return new Promise((resolve) => {
      const req = http.request(base + p, { method, headers, agent, timeout: 10_000 }, (res) => {
        res.resume();
        res.on('end', () => {
          const ms = performance.now() - t0;
          if (res.statusCode! >= 300) errors.status++;
          if (ms >= 10_000) errors.slow++;
          latencies.get(kind)!.push(ms);
          resolve();
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        errors.socket++;
        resolve();
      });
      req.end(method === 'PUT' ? JSON.stringify({ name: `renamed ${n++}` }) : undefined);
    });
  };
  const run = async (s: number) => {
    const end = performance.now() + s * 1000;
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (performance.now() < end) await one();
      }),
    );
  };
  // Warm-up (connections opened, code compiled), not counted.
  await run(3);
  for (const v of latencies.values()) v.length = 0;
  Object.assign(errors, { status: 0, socket: 0, slow: 0 });
  const t0 = performance.now();
  await run(seconds);
  const elapsed = (performance.now() - t0) / 1000;
  agent.destroy();
  const healthy = (await fetch(`${base}/healthz`)).status === 200;

  const q = (v: number[], p: number) =>
    v.length ? v[Math.min(v.length - 1, Math.floor(p * v.length))].toFixed(1) : '-';
  const row = (name: string, v: number[]) => {
    v.sort((a, b) => a - b);
    return {
      requests: name,
      count: v.length,
      'req/s': Math.round(v.length / elapsed),
      'p50 ms': q(v, 0.5),
      'p90 ms': q(v, 0.9),
      'p99 ms': q(v, 0.99),
      'max ms': v.length ? v.at(-1)!.toFixed(0) : '-',
    };
  };
  const all = [...latencies.values()].flat();
  console.log(
    `\nVigil API on loopback, ${db.env.DATABASE_URL ? 'PostgreSQL' : 'SQLite'}: ${clients} concurrent clients for ${seconds} s, ${os.cpus().length} × ${os.cpus()[0].model}, Node ${process.version}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}, ${new Date().toISOString().slice(0, 10)}\n`,
  );
  printTable([...kinds.map((k) => row(k, latencies.get(k)!)), row('all', all)]);
  console.log(
    `\nerrors: ${errors.status} non-2xx, ${errors.socket} socket errors or timeouts, ${errors.slow} slower than 10 s; /healthz afterwards: ${healthy ? 200 : 'down'}`,
  );
  failed = errors.status + errors.socket + errors.slow > 0 || !healthy || all.length === 0;
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  await db.drop();
}
process.exit(failed ? 1 : 0);
