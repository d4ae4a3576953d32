// The live dashboard across nodes (PostgreSQL): node A, a `vigil serve` worker in a process of
// its own, checks a loopback target and stores the results; node B, another `vigil serve`
// process (API and dashboard, no engine), serves the page's stream. What A stores reaches B's
// stream through LISTEN/NOTIFY: each check, the status turning down, the outage opening; never
// another project's.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { freshDatabase, PG_URL, waitFor, type Db } from './harness.ts';
import { startHttp, type Running } from './support/targets.ts';
import { serveProcess } from './support/serve.ts';
import { FormClient } from './support/browser-client.ts';
import { ADMIN, actorOf } from './support/dashboard-session.ts';
import { openStream, type SseStream } from './support/sse.ts';
import { loadConfig } from '../src/config.ts';
import { openContext } from '../src/main.ts';
import { createProject } from '../src/services/projects.ts';
import { createMonitor } from '../src/services/monitors.ts';
import { createUser } from '../src/services/users.ts';
import { phaseOf } from '../src/domain/schedule.ts';
import type { Ctx } from '../src/services/context.ts';

const BIN = path.resolve(import.meta.dirname, '../bin/vigil.js');
const quiet = { info() {}, warn() {}, error() {} };
let db: Db | null = null;
let ctx: Ctx | null = null;
let target: Running | null = null;
const children: ChildProcess[] = [];
const streams: SseStream[] = [];
after(async () => {
  for (const s of streams) s.close();
  for (const c of children) c.kill('SIGKILL');
  await target?.close();
  await ctx?.store.close();
  await db?.drop();
});

test("a result stored by node A reaches the live stream served by node B, the outage it opens too; each project's stream hears only its own", {
  skip: !PG_URL && 'PostgreSQL only: several nodes share one database only on PostgreSQL (set VIGIL_TEST_DATABASE_URL)',
  timeout: 90_000,
}, async () => {
  db = await freshDatabase();
  let status = 200;
  target = await startHttp((_req, res) => res.writeHead(status, { 'content-type': 'text/plain' }).end('ok'));
  const env = {
    ...db.env,
    VIGIL_HOST: '127.0.0.1',
    VIGIL_PORT: '0',
    VIGIL_LOG_LEVEL: 'warn',
    VIGIL_AUTH_FAILURES_PER_MINUTE: '0',
  };
  ctx = await openContext(loadConfig(env), quiet);
  const project = await createProject(ctx, 'Live');
  const other = await createProject(ctx, 'Elsewhere');
  await createUser(ctx, ADMIN); // the first user owns both
  const monitor = await createMonitor(actorOf(ctx, project), {
    name: 'Target',
    url: `${target.url}/health`,
    check_frequency: 60,
    timeout: 5,
  });
  const foreign = await createMonitor(actorOf(ctx, other), {
    name: 'Foreign',
    url: `${target.url}/other`,
    check_frequency: 60,
    timeout: 5,
  });
  // Not yet due: node A starts checking once the streams are open.
  await ctx.store.db
    .updateTable('monitors')
    .set({ next_check_at: Date.now() + 3_600_000 })
    .execute();

  const b = await serveProcess({ ...env, VIGIL_ROLE: 'api', VIGIL_LOG_LEVEL: 'info' }); // it says where it listens at info
  children.push(b.child);
  const browser = new FormClient(b.url);
  assert.equal((await browser.submit('/app/login', '/app/login', ADMIN)).status, 303);
  const cookie = { cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
  const live = await openStream(
    `${b.url}/app/projects/${project.uuid}/live?monitors=${monitor.uuid}&outages=1`,
    cookie,
  );
  const elsewhere = await openStream(
    `${b.url}/app/projects/${other.uuid}/live?monitors=${foreign.uuid}&outages=1`,
    cookie,
  );
  streams.push(live, elsewhere);
  assert.equal(live.status, 200);
  assert.equal(elsewhere.status, 200);

  const a = spawn(process.execPath, [BIN, 'serve'], {
    env: { ...process.env, ...env, VIGIL_ROLE: 'worker' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(a);
  let aLog = '';
  a.stderr!.on('data', (d) => {
    aLog += d;
  });
  const due = Date.now() + 1500;
  await ctx.store.db
    .updateTable('monitors')
    .set({ next_check_at: due, check_phase: phaseOf(due, 60) })
    .where('id', 'in', [monitor.id, foreign.id])
    .execute();

  const first = await live
    .next((d) => d.monitors?.some((m: any) => m.id === monitor.uuid), 20_000)
    .catch((err) => {
      throw new Error(`${err.message}\nnode A: ${aLog}`);
    });
  const check = first.monitors[0].checks[0];
  assert.equal(first.monitors[0].state, 'up');
  assert.equal(check.ok, true);
  assert.equal(check.location, 'local');
  const stored = await ctx.store.db
    .selectFrom('check_results')
    .select(['at', 'total_ms'])
    .where('monitor_id', '=', monitor.id)
    .executeTakeFirstOrThrow();
  assert.equal(check.at, Number(stored.at), 'the check node A stored');
  assert.equal(check.ms, Number(stored.total_ms));

  // The target fails: node A's check and its immediate recheck turn the monitor down and open an outage.
  status = 503;
  const next = Date.now() + 500;
  await ctx.store.db
    .updateTable('monitors')
    .set({ next_check_at: next, check_phase: phaseOf(next, 60) })
    .where('id', '=', monitor.id)
    .execute();
  const down = await live.next((d) => d.monitors?.some((m: any) => m.state === 'down'), 20_000);
  assert.ok(down.monitors[0].checks.every((c: any) => !c.ok));
  const opened = await live.next((d) => d.outages?.some((o: any) => o.open), 10_000);
  const outage = await waitFor(
    () => ctx!.store.db.selectFrom('outages').select('uuid').where('monitor_id', '=', monitor.id).executeTakeFirst(),
    'the outage row',
  );
  assert.equal(opened.outages[0].id, outage.uuid);
  assert.equal(opened.outages[0].subject, monitor.uuid);

  // Each project's stream carries its own monitor only (the foreign one was checked too).
  await elsewhere.next((d) => d.monitors?.some((m: any) => m.id === foreign.uuid), 10_000);
  assert.ok(!JSON.stringify(elsewhere.messages).includes(monitor.uuid), JSON.stringify(elsewhere.messages));
  assert.ok(!JSON.stringify(elsewhere.messages).includes(outage.uuid));
  assert.ok(!JSON.stringify(live.messages).includes(foreign.uuid), JSON.stringify(live.messages));
});
