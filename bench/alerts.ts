// Alert latency benchmark: N HTTP monitors on a loopback target, checked by `vigil serve` (worker
// role) in its own process, alerting one webhook through the project's default policy. At one
// moment the target starts answering 503 for every monitor; the time from then to each monitor's
// first webhook received is measured here, outside the server. Usage:
//   npm run bench:alerts -- --monitors 500 --interval 30
// Goal (issue 6): p99 under one check interval plus 3 s.
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { printTable, httpMonitorRow } from './load.ts';
import { freshDatabase } from '../test/harness.ts';
import { openStore } from '../src/storage/store.ts';
import { createProject } from '../src/services/projects.ts';
import { createIntegration } from '../src/services/integrations.ts';
import { createPolicy } from '../src/services/escalation-policies.ts';
import { firstCheckAt } from '../src/domain/schedule.ts';

const { values } = parseArgs({
  options: { monitors: { type: 'string', default: '500' }, interval: { type: 'string', default: '30' } },
});
const N = Number(values.monitors);
const F = Number(values.interval);
const BIN = path.resolve(import.meta.dirname, '../bin/vigil.js');

const listen = async (server: http.Server) => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
};

let downSince: number | null = null;
const target = http.createServer((_req, res) => {
  res.writeHead(downSince === null ? 200 : 503, { 'content-length': '2' });
  res.end('ok');
});
const firstAlert = new Map<string, number>();
const receiver = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const at = Date.now();
    try {
      const event = JSON.parse(Buffer.concat(chunks).toString());
      if (event.type === 'outage.down' && !firstAlert.has(event.data.check.uuid))
        firstAlert.set(event.data.check.uuid, at);
    } catch {}
    res.writeHead(200).end();
  });
});
const targetPort = await listen(target);
const receiverPort = await listen(receiver);

const db = await freshDatabase();
const store = await openStore({ databaseUrl: db.env.DATABASE_URL ?? null, dataDir: db.dataDir });
const log = { info() {}, warn() {}, error() {} };
const project = await createProject({ store, clock: Date.now, log }, 'bench');
const actx = {
  store,
  clock: Date.now,
  log,
  actor: { projectId: project.id, projectUuid: project.uuid, permission: 'read_write' as const, keyId: null },
};
const hook = await createIntegration(actx, {
  name: 'bench',
  type: 'webhook',
  settings: { url: `http://127.0.0.1:${receiverPort}/hook` },
});
await createPolicy(actx, { name: 'bench', isDefault: true, steps: [{ delayMinutes: 0, integrations: [hook.uuid] }] });

// Monitors go straight into the database (spread over the interval, as the API would place them).
const start = Date.now() + 3000;
for (let i = 0; i < N; i += 1000) {
  const rows = [];
  for (let j = i; j < Math.min(N, i + 1000); j++) {
    const first = firstCheckAt(start, F, j / N);
    rows.push(
      httpMonitorRow({
        uuid: `mon_alert${String(j).padStart(9, '0')}`,
        projectId: project.id,
        name: `m${j}`,
        url: `http://127.0.0.1:${targetPort}/${j}`,
        regions: '["london"]',
        frequency: F,
        createdAt: start,
        firstCheckAt: first,
      }),
    );
  }
  await store.db.insertInto('monitors').values(rows).execute();
}

const worker = spawn(process.execPath, [BIN, 'serve'], {
  env: { ...process.env, ...db.env, VIGIL_ROLE: 'worker', VIGIL_LOG_LEVEL: 'warn', VIGIL_CHECK_CONCURRENCY: '5000' },
  stdio: ['ignore', 'ignore', 'inherit'],
});
// Every monitor checks up once before the target goes down.
await new Promise((r) => setTimeout(r, (F + 5) * 1000));
downSince = Date.now();
const deadline = downSince + (2 * F + 30) * 1000;
while (firstAlert.size < N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
worker.kill('SIGTERM');
await new Promise((r) => worker.once('exit', r));

const lat = [...firstAlert.values()].map((t) => (t - downSince!) / 1000).sort((a, b) => a - b);
const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? NaN;
console.log(
  `\nVigil alert latency, ${store.dialect}, ${N} HTTP monitors every ${F} s, one webhook channel; ${os.cpus().length} × ${os.cpus()[0].model}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`,
);
printTable([
  {
    monitors: N,
    alerted: firstAlert.size,
    'p50 s': q(0.5).toFixed(2),
    'p99 s': q(0.99).toFixed(2),
    'max s': (lat.at(-1) ?? NaN).toFixed(2),
    [`goal p99 < ${F + 3} s`]: q(0.99) < F + 3 && firstAlert.size === N ? 'met' : 'not met',
  },
]);

target.close();
receiver.close();
await store.close();
await db.drop();
