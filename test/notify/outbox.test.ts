import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startHarness, type Harness } from '../harness.ts';
import { openStore } from '../../src/storage/store.ts';
import {
  goDown,
  goUp,
  monitorId,
  outbox,
  startReceiver,
  testDispatcher,
  verifyWebhook,
  type Receiver,
} from '../support/alerting.ts';

let h: Harness;
let rx: Receiver;
// A clock the tests move by hand: backoff, Retry-After and give-up are checked without waiting.
let now = Date.parse('2026-03-01T12:00:00Z');
before(async () => {
  h = await startHarness({ clock: () => now });
  rx = await startReceiver();
});
after(async () => {
  await h.stop();
  await rx.close();
});

let hook: { uuid: string; secret: string };
beforeEach(async () => {
  // Rows left pending by an earlier test would take this test's scripted answers.
  await h.ctx.store.db.updateTable('notifications').set({ next_attempt_at: null }).execute();
  await h.ctx.store.db.updateTable('outages').set({ next_alert_at: null }).execute();
  rx.received.length = 0;
  rx.script();
  // Each test gets its own channel and default policy, so earlier ones cannot interfere.
  const res = await h.request('POST', '/v1/integrations', {
    body: { name: 'hook', type: 'webhook', settings: { url: `${rx.url}/hook` } },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  hook = { uuid: res.body.uuid, secret: res.body.secret };
  const p = await h.request('POST', '/v1/escalation-policies', {
    body: { name: 'default', isDefault: true, steps: [{ delayMinutes: 0, integrations: [hook.uuid] }] },
  });
  assert.equal(p.status, 201, JSON.stringify(p.body));
});

async function downMonitor(name = 'api') {
  const m = (
    await h.request('POST', '/v1/monitors', { body: { name, url: 'https://api.example/health', paused: true } })
  ).body;
  const id = await monitorId(h, m.uuid);
  return { uuid: m.uuid as string, id };
}

const rowsOf = async (channelUuid: string) => {
  const c = await h.ctx.store.db
    .selectFrom('notification_channels')
    .select('id')
    .where('uuid', '=', channelUuid)
    .executeTakeFirstOrThrow();
  return (await outbox(h.ctx)).filter((r) => r.channel_id === c.id);
};

describe('the outbox', () => {
  test('SECURITY 26: a confirmed DOWN writes its alert in the same transaction: when the outbox write fails, no outage opens either', async () => {
    const m = await downMonitor();
    await sql`ALTER TABLE notifications RENAME TO notifications_away`.execute(h.ctx.store.db);
    try {
      await assert.rejects(goDown(h.ctx, m.id, now));
    } finally {
      await sql`ALTER TABLE notifications_away RENAME TO notifications`.execute(h.ctx.store.db);
    }
    const outages = () => h.ctx.store.db.selectFrom('outages').selectAll().where('monitor_id', '=', m.id).execute();
    assert.equal((await outages()).length, 0, 'the transition rolled back with its outbox row');
    assert.equal(
      (await h.ctx.store.db.selectFrom('monitors').select('status').where('id', '=', m.id).executeTakeFirstOrThrow())
        .status,
      'up',
    );

    await goDown(h.ctx, m.id, now + 2000);
    const [o] = await outages();
    const rows = await rowsOf(hook.uuid);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].outage_id, o.id);
    assert.equal(rows[0].event, 'outage.down');
    assert.equal(rows[0].next_attempt_at, now, 'due at once');
  });

  test('SECURITY 26: a failing channel never loses the alert: 5xx answers are retried with backoff and the same webhook-id until delivered', async () => {
    const m = await downMonitor();
    await goDown(h.ctx, m.id, now);
    rx.script({ status: 500 }, { status: 503 });
    const d = testDispatcher(h.ctx, { backoffBaseMs: 10_000 });
    const start = now;
    try {
      assert.equal(await d.runOnce(), 1);
      let [row] = await rowsOf(hook.uuid);
      assert.equal(row.delivered_at, null);
      assert.equal(row.next_attempt_at, start + 5_000, 'first backoff: half of 10 s + jitter (0 here)');
      assert.match(row.last_status!, /HTTP 500/);
      assert.equal(await d.runOnce(), 0, 'not due yet');
      now = start + 5_000;
      await d.runOnce();
      [row] = await rowsOf(hook.uuid);
      assert.equal(row.next_attempt_at, now + 10_000, 'second backoff doubles');
      now += 10_000;
      await d.runOnce();
      [row] = await rowsOf(hook.uuid);
      assert.equal(row.delivered_at, now);
      assert.equal(row.next_attempt_at, null);
      assert.equal(Number(row.attempts), 3);
      assert.equal(rx.received.length, 3);
      assert.deepEqual(
        new Set(rx.received.map((r) => r.headers['webhook-id'])),
        new Set([row.uuid]),
        'one webhook-id across retries',
      );
      for (const r of rx.received) assert.ok(verifyWebhook(hook.secret, r.headers, r.body), 'each attempt is signed');
      assert.equal(
        rx.received[2].headers['webhook-timestamp'],
        String(Math.floor(now / 1000)),
        "the timestamp is the attempt's",
      );
    } finally {
      await d.stop();
    }
  });

  test('429 and 503 with Retry-After wait as told (seconds or an HTTP date)', async () => {
    const m = await downMonitor();
    await goDown(h.ctx, m.id, now);
    rx.script(
      { status: 429, headers: { 'retry-after': '120' } },
      { status: 503, headers: { 'retry-after': new Date(now + 600_000).toUTCString() } },
    );
    const d = testDispatcher(h.ctx);
    await d.runOnce();
    let [row] = await rowsOf(hook.uuid);
    assert.equal(row.next_attempt_at, now + 120_000);
    now += 120_000;
    await d.runOnce();
    [row] = await rowsOf(hook.uuid);
    assert.equal(row.next_attempt_at, now + 480_000, 'until the date given');
    now += 480_000;
    await d.runOnce();
    assert.notEqual((await rowsOf(hook.uuid))[0].delivered_at, null);
  });

  test('a row still failing after the bounded time is given up, with the reason recorded', async () => {
    const m = await downMonitor();
    await goDown(h.ctx, m.id, now);
    rx.script(...Array.from({ length: 50 }, () => ({ status: 502 })));
    const d = testDispatcher(h.ctx, { giveUpAfterMs: 3_600_000, backoffBaseMs: 60_000, backoffMaxMs: 1_200_000 });
    const start = now;
    for (let i = 0; i < 50; i++) {
      await d.runOnce();
      const [row] = await rowsOf(hook.uuid);
      if (row.next_attempt_at === null) break;
      now = row.next_attempt_at;
    }
    const [row] = await rowsOf(hook.uuid);
    assert.equal(row.delivered_at, null);
    assert.ok(row.gave_up_at !== null && row.gave_up_at <= start + 3_600_000);
    assert.match(row.give_up_reason!, /^gave up after \d+ attempts over \d+ min; last: HTTP 502/);
    const o = (
      await h.request(
        'GET',
        `/v2/outages/${(await h.ctx.store.db.selectFrom('outages').select('uuid').where('monitor_id', '=', m.id).executeTakeFirstOrThrow()).uuid}`,
      )
    ).body.outage;
    assert.equal(o.alertedChannels.length, 1);
    assert.equal(o.alertedChannels[0].status, 'failed');
    assert.match(o.alertedChannels[0].error, /gave up/);
  });

  test('a timeout is retried', async () => {
    const m = await downMonitor();
    await goDown(h.ctx, m.id, now);
    rx.script('hang');
    const d = testDispatcher(h.ctx, { timeoutMs: 300 });
    await d.runOnce();
    const [row] = await rowsOf(hook.uuid);
    assert.equal(row.delivered_at, null);
    assert.notEqual(row.next_attempt_at, null);
    assert.match(row.last_status!, /timeout/);
  });

  test('410 Gone gives up and disables the channel: later alerts skip it until it is enabled again', async () => {
    const m = await downMonitor();
    await goDown(h.ctx, m.id, now);
    rx.script({ status: 410, body: 'gone' });
    const d = testDispatcher(h.ctx);
    await d.runOnce();
    const [row] = await rowsOf(hook.uuid);
    assert.notEqual(row.gave_up_at, null);
    const c = (await h.request('GET', `/v1/integrations/${hook.uuid}`)).body;
    assert.equal(c.enabled, false);
    assert.match(c.disabledReason, /HTTP 410/);
    const m2 = await downMonitor('second');
    await goDown(h.ctx, m2.id, now);
    assert.equal((await rowsOf(hook.uuid)).length, 1, 'a disabled channel gets no new rows');
    assert.equal(
      (await h.request('POST', `/v1/integrations/${hook.uuid}/test`)).status,
      422,
      'no test message to a disabled channel',
    );
    const enabled = await h.request('PUT', `/v1/integrations/${hook.uuid}`, { body: { enabled: true } });
    assert.equal(enabled.body.enabled, true);
    assert.equal(enabled.body.disabledReason, null);
  });

  test('a recovery waits for its alert to the same channel: it is never delivered first', async () => {
    const m = await downMonitor();
    await goDown(h.ctx, m.id, now);
    rx.script({ status: 500 });
    const d = testDispatcher(h.ctx, { backoffBaseMs: 60_000 });
    await d.runOnce();
    await goUp(h.ctx, m.id, now + 5000);
    const rows = await rowsOf(hook.uuid);
    assert.deepEqual(
      rows.map((r) => r.event),
      ['outage.down', 'outage.up'],
    );
    await d.runOnce();
    assert.equal(rx.received.length, 1, 'the UP waits while the DOWN is pending');
    now += 60_000;
    await d.runOnce();
    assert.deepEqual(
      rx.received.map((r) => r.json.type),
      ['outage.down', 'outage.down', 'outage.up'],
    );
  });

  test('SECURITY 26: two dispatchers on one database deliver each row exactly once', async () => {
    const n = 40;
    for (let i = 0; i < n; i++)
      assert.equal((await h.request('POST', `/v1/integrations/${hook.uuid}/test`)).status, 202);
    const second = await openStore({ databaseUrl: h.db.env.DATABASE_URL ?? null, dataDir: h.db.dataDir, poolSize: 4 });
    try {
      const a = testDispatcher(h.ctx, { workerId: 'a', batch: 7 });
      const b = testDispatcher({ ...h.ctx, store: second }, { workerId: 'b', batch: 7 });
      const [da, db] = await Promise.all([a.runOnce(), b.runOnce()]);
      assert.equal(da + db, n);
      const ids = rx.received.map((r) => r.headers['webhook-id']);
      assert.equal(ids.length, n);
      assert.equal(new Set(ids).size, n, 'no row sent twice');
      const rows = await rowsOf(hook.uuid);
      assert.ok(rows.every((r) => r.delivered_at !== null && Number(r.attempts) === 1));
    } finally {
      await second.close();
    }
  });
});
