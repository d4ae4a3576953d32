import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { client, freshDatabase, type Db } from '../harness.ts';
import { closedPort } from '../support/targets.ts';
import { startReceiver, verifyWebhook, type Receiver } from '../support/alerting.ts';
import { loadConfig } from '../../src/config.ts';
import { openContext } from '../../src/main.ts';
import { createProject } from '../../src/services/projects.ts';
import { createApiKey } from '../../src/services/api-keys.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/vigil.js');

let db: Db;
let rx: Receiver;
let env: Record<string, string>;
let child: ChildProcess | null = null;
let key = '';

before(async () => {
  db = await freshDatabase();
  rx = await startReceiver();
  const port = await closedPort();
  // A 3 s send timeout makes the delivery lease 8 s: a killed worker's row is free again soon after.
  env = {
    ...db.env,
    VIGIL_PORT: String(port),
    VIGIL_HOST: '127.0.0.1',
    VIGIL_LOG_LEVEL: 'silent',
    VIGIL_ROLE: 'all',
    VIGIL_NOTIFY_TIMEOUT: '3',
    VIGIL_PUBLIC_URL: 'https://vigil.example',
  };
  const ctx = await openContext(loadConfig(env), { info() {}, warn() {}, error() {} });
  const project = await createProject(ctx, 'Killed');
  key = (await createApiKey(ctx, { projectUuid: project.uuid, name: 'rw', permission: 'read_write', actor: 'test' }))
    .key;
  await ctx.store.close();
});
after(async () => {
  child?.kill('SIGKILL');
  await rx.close();
  await db.drop();
});

async function serve(): Promise<ChildProcess> {
  const c = spawn(process.execPath, [BIN, 'serve'], { env: { ...process.env, ...env }, stdio: 'ignore' });
  const api = client(`http://127.0.0.1:${env.VIGIL_PORT}`, key);
  const end = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await api.request('GET', '/healthz')).status === 200) return c;
    } catch {}
    if (Date.now() > end || c.exitCode !== null) throw new Error('vigil serve did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const exited = (c: ChildProcess) =>
  new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once('exit', r)));

describe('delivery survives kill -9', () => {
  test('SECURITY 26: a server killed while delivering delivers after its restart, with the same webhook-id', async () => {
    child = await serve();
    const api = client(`http://127.0.0.1:${env.VIGIL_PORT}`, key);
    const hook = await api.request('POST', '/v1/integrations', {
      body: { name: 'hook', type: 'webhook', settings: { url: `${rx.url}/hook` } },
    });
    assert.equal(hook.status, 201, hook.text);
    const policy = await api.request('POST', '/v1/escalation-policies', {
      body: { name: 'now', steps: [{ delayMinutes: 0, integrations: [hook.body.uuid] }] },
    });
    const m = await api.request('POST', '/v1/monitors', {
      body: { name: 'Shop', url: 'https://shop.example', paused: true },
    });
    rx.script('hang'); // the first delivery is received and never answered
    const outage = await api.request('POST', '/v2/outages', {
      body: {
        monitorUuid: m.body.uuid,
        startDate: new Date().toISOString(),
        statusCode: 503,
        description: 'shop down',
        outageType: 'manual',
        escalationPolicyUuid: policy.body.uuid,
      },
    });
    assert.equal(outage.status, 201, outage.text);

    const [first] = await rx.waitFor(1, 30_000);
    child.kill('SIGKILL');
    await exited(child);
    assert.equal(first.json.type, 'outage.down');

    child = await serve();
    const [, second] = await rx.waitFor(2, 60_000);
    assert.equal(second.headers['webhook-id'], first.headers['webhook-id'], 'the same idempotency id');
    assert.equal(second.body, first.body, 'the same event');
    assert.ok(verifyWebhook(hook.body.secret, second.headers, second.body));
    const end = Date.now() + 30_000;
    let channels: any[] = [];
    while (Date.now() < end) {
      channels = (await api.request('GET', `/v2/outages/${outage.body.outage.uuid}`)).body.outage.alertedChannels;
      if (channels[0]?.status === 'delivered') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(channels.length, 1);
    assert.equal(channels[0].status, 'delivered');
    assert.equal(channels[0].attempts, 2);
    assert.equal(channels[0].webhookId, first.headers['webhook-id']);
    child.kill('SIGTERM');
    await exited(child);
    child = null;
  });
});
