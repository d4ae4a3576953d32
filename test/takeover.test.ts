// Issue 7: a node killed -9 in the middle of a check loses nothing. Its claim on the slot lapses
// once the check's timeout and a margin have passed, and another `vigil serve` process on the
// same database checks that slot, late but in it, and stores it once. Both databases.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { client, freshDatabase, runCli, type Db, waitFor } from './harness.ts';
import { startHttp, type Running } from './support/targets.ts';
import { serveProcess } from './support/serve.ts';
import { openContext } from '../src/main.ts';
import { loadConfig } from '../src/config.ts';
import { CLAIM_MARGIN_MS } from '../src/services/schedule.ts';
import { phaseOf } from '../src/domain/schedule.ts';
import type { Ctx } from '../src/services/context.ts';

const quiet = { info() {}, warn() {}, error() {} };
let db: Db | null = null;
let ctx: Ctx | null = null;
let target: Running | null = null;
const kill: (() => void)[] = [];
after(async () => {
  for (const k of kill) k();
  await target?.close();
  await ctx?.store.close();
  await db?.drop();
});

test('a node killed -9 mid-check: its claim lapses after the timeout and another node checks the slot once, late but in its slot', {
  timeout: 90_000,
}, async () => {
  db = await freshDatabase();
  // The first request hangs (the node dies with it open); later ones answer at once.
  const requests: number[] = [];
  let hung: ServerResponse | null = null;
  target = await startHttp((_req, res) => {
    requests.push(Date.now());
    if (requests.length === 1) hung = res;
    else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  const env = { ...db.env, VIGIL_HOST: '127.0.0.1', VIGIL_PORT: '0', VIGIL_LOG_LEVEL: 'info', VIGIL_ROLE: 'all' };
  const project = JSON.parse((await runCli(['projects', 'create', '--name', 'takeover', '--json'], env)).stdout);
  const key = JSON.parse(
    (
      await runCli(
        ['keys', 'create', '--project', project.uuid, '--name', 'rw', '--permission', 'read_write', '--json'],
        env,
      )
    ).stdout,
  ).key;
  ctx = await openContext(loadConfig(env), quiet);

  const a = await serveProcess(env);
  kill.push(() => a.child.kill('SIGKILL'));
  const res = await client(a.url, key).request('POST', '/v1/monitors', {
    body: { name: 'held', url: target.url, check_frequency: 60, timeout: 3 },
  });
  assert.equal(res.status, 201, res.text);
  const id = (
    await ctx.store.db.selectFrom('monitors').select('id').where('uuid', '=', res.body.uuid).executeTakeFirstOrThrow()
  ).id;
  // A slot due in a second, on the monitor's grid: the next one is a minute later.
  const due = Date.now() + 1000;
  await ctx.store.db
    .updateTable('monitors')
    .set({ next_check_at: due, check_phase: phaseOf(due, 60) })
    .where('id', '=', id)
    .execute();

  await waitFor(async () => requests.length === 1, 'node a to start the check', 10_000);
  const claim = await ctx.store.db
    .selectFrom('monitors')
    .select(['last_due_at', 'claim_until'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  assert.equal(Number(claim.last_due_at), due, 'node a holds the slot');
  assert.equal(Number(claim.claim_until), due + 3000 + CLAIM_MARGIN_MS, 'until the timeout and the margin have passed');
  const exited = new Promise((r) => a.child.once('exit', r));
  a.child.kill('SIGKILL');
  await exited;
  assert.ok(hung, 'the first check was in flight when node a died');

  const b = await serveProcess(env);
  kill.push(() => b.child.kill('SIGKILL'));
  const rows = await waitFor(
    async () => {
      const r = await ctx!.store.db
        .selectFrom('check_results')
        .select(['at', 'location', 'ok'])
        .where('monitor_id', '=', id)
        .execute();
      return r.length > 0 && r;
    },
    'node b to take the slot over',
    30_000,
  );
  await new Promise((r) => setTimeout(r, 1500)); // anything further would show now
  assert.equal(
    (await ctx.store.db.selectFrom('check_results').select('id').where('monitor_id', '=', id).execute()).length,
    1,
    'the slot was stored once',
  );
  const at = Number(rows[0].at);
  assert.equal(rows[0].location, 'local');
  assert.equal(rows[0].ok, 1);
  assert.ok(
    at >= due + 3000 + CLAIM_MARGIN_MS && at < due + 60_000,
    `taken over after the claim lapsed, within the slot: ${at - due} ms after it was due`,
  );
  assert.equal(requests.length, 2, "the target saw the dead node's check and the takeover");
  const after = await ctx.store.db
    .selectFrom('monitors')
    .select(['claim_until', 'next_check_at'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  assert.equal(after.claim_until, null, 'the stored result ended the claim');
  assert.equal(Number(after.next_check_at), due + 60_000, 'the next slot is on the grid');

  const stopped = new Promise<number | null>((r) => b.child.once('exit', (code) => r(code)));
  b.child.kill('SIGTERM');
  assert.equal(await stopped, 0);
});
