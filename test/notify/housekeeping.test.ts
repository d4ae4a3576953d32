import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../harness.ts';
import { goDown, goUp, monitorId, outbox, startReceiver, testDispatcher, type Receiver } from '../support/alerting.ts';
import { pruneOnce, pruneOutbox } from '../../src/services/retention.ts';
import { loadConfig } from '../../src/config.ts';

const DAY = 86_400_000;
const TOKEN = 'metrics-token-0123456789abcdef';
let h: Harness;
let rx: Receiver;
let refusing: Receiver;
// A clock the tests move by hand: retention and the oldest-pending age are exact.
let now = Date.parse('2026-03-01T12:00:00Z');
before(async () => {
  h = await startHarness({ clock: () => now, env: { VIGIL_METRICS_TOKEN: TOKEN } });
  rx = await startReceiver();
  refusing = await startReceiver();
});
after(async () => {
  await h.stop();
  await rx.close();
  await refusing.close();
});

let hook: string;
beforeEach(async () => {
  await h.ctx.store.db.deleteFrom('notifications').execute();
  await h.ctx.store.db.updateTable('outages').set({ next_alert_at: null }).execute();
  await h.ctx.store.db.updateTable('escalation_policies').set({ is_default: 0 }).execute();
  rx.received.length = 0;
  rx.script();
  const res = await h.request('POST', '/v1/integrations', {
    body: { name: 'hook', type: 'webhook', settings: { url: `${rx.url}/hook` } },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  hook = res.body.uuid;
  const p = await h.request('POST', '/v1/escalation-policies', {
    body: { name: 'default', isDefault: true, steps: [{ delayMinutes: 0, integrations: [hook] }] },
  });
  assert.equal(p.status, 201, JSON.stringify(p.body));
});

async function downMonitor(name: string) {
  const m = (
    await h.request('POST', '/v1/monitors', { body: { name, url: 'https://api.example/health', paused: true } })
  ).body;
  return monitorId(h, m.uuid);
}

async function deliverAll(opts: Parameters<typeof testDispatcher>[1] = {}) {
  const d = testDispatcher(h.ctx, opts);
  try {
    return await d.runOnce();
  } finally {
    await d.stop();
  }
}

describe('outbox retention', () => {
  test('delivered and given-up rows older than the retention are deleted; newer ones, pending ones and those of a still-open outage stay', async () => {
    const start = now;
    // A resolved outage: DOWN and UP delivered at `start`.
    const resolved = await downMonitor('resolved');
    await goDown(h.ctx, resolved, now);
    await goUp(h.ctx, resolved, now + 5000);
    // A given-up test message (its receiver refuses it for good).
    const refuser = await h.request('POST', '/v1/integrations', {
      body: { name: 'refuser', type: 'webhook', settings: { url: `${refusing.url}/no` } },
    });
    refusing.script({ status: 400 });
    assert.equal((await h.request('POST', `/v1/integrations/${refuser.body.uuid}/test`)).status, 202);
    // An outage that is still open, alerted at `start`.
    const open = await downMonitor('still down');
    await goDown(h.ctx, open, now);
    await deliverAll();
    const rows = await outbox(h.ctx);
    assert.equal(rows.length, 4);
    assert.equal(rows.filter((r) => r.delivered_at !== null).length, 3);
    assert.equal(rows.filter((r) => r.gave_up_at !== null).length, 1);

    // 20 days later a newer message is delivered, and one stays pending (its receiver fails).
    now = start + 20 * DAY;
    assert.equal((await h.request('POST', `/v1/integrations/${hook}/test`)).status, 202);
    await deliverAll();
    rx.script({ status: 503 });
    assert.equal((await h.request('POST', `/v1/integrations/${hook}/test`)).status, 202);
    await deliverAll();
    assert.equal((await outbox(h.ctx)).filter((r) => r.next_attempt_at !== null).length, 1, 'one retry pending');

    // Just under 30 days after the first deliveries nothing is old enough.
    now = start + 30 * DAY - 1;
    assert.equal(await pruneOutbox(h.ctx, 30), 0);
    now = start + 31 * DAY;
    await h.ctx.store.db
      .updateTable('notifications')
      .set({ next_attempt_at: now + DAY })
      .where('next_attempt_at', 'is not', null)
      .execute();
    // The engine's retention pass: the resolved outage's DOWN and UP and the given-up test go.
    await pruneOnce(h.ctx, { rawDays: 7, hourlyDays: 30, dailyDays: 400, outboxDays: 30 });
    const left = await outbox(h.ctx);
    const openOutage = await h.ctx.store.db
      .selectFrom('outages')
      .select('id')
      .where('monitor_id', '=', open)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      left.map((r) => [r.event, r.outage_id === null ? null : r.outage_id === openOutage.id ? 'open' : 'other']).sort(),
      [
        ['outage.down', 'open'],
        ['test', null],
        ['test', null],
      ].sort(),
    );

    // The open outage's DOWN row was kept, so its recovery still reaches the channel alerted.
    rx.received.length = 0;
    await goUp(h.ctx, open, now);
    await h.ctx.store.db
      .updateTable('notifications')
      .set({ next_attempt_at: now })
      .where('next_attempt_at', 'is not', null)
      .execute();
    await deliverAll();
    assert.deepEqual(rx.received.map((r) => r.json.type).sort(), ['outage.up', 'test']);

    // A shorter retention prunes sooner: at 7 days, the 20-day-old test message and, its outage
    // now resolved, the old DOWN row go; what was delivered just now stays.
    assert.equal(await pruneOutbox(h.ctx, 7), 2);
    assert.deepEqual((await outbox(h.ctx)).map((r) => r.event).sort(), ['outage.up', 'test']);
  });

  test('VIGIL_OUTBOX_RETENTION_DAYS: 30 by default; a value that is not a whole number of days from 1 stops start-up naming the variable', () => {
    assert.equal(loadConfig({}).outboxRetentionDays, 30);
    assert.equal(loadConfig({ VIGIL_OUTBOX_RETENTION_DAYS: '90' }).outboxRetentionDays, 90);
    for (const bad of ['0', '-1', 'ten', '1.5'])
      assert.throws(() => loadConfig({ VIGIL_OUTBOX_RETENTION_DAYS: bad }), /VIGIL_OUTBOX_RETENTION_DAYS/);
  });
});

describe('outbox depth in /metrics', () => {
  const gauge = (text: string, name: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    assert.ok(line, `${name} is exposed`);
    return Number(line.split(' ')[1]);
  };
  const scrape = async (key: string) => {
    const res = await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(res.status, 200);
    return res.text();
  };

  test('vigil_outbox_pending and vigil_outbox_oldest_pending_seconds count undelivered rows (retries included) and age the oldest', async () => {
    let text = await scrape(TOKEN);
    assert.match(text, /# TYPE vigil_outbox_pending gauge/);
    assert.match(text, /# TYPE vigil_outbox_oldest_pending_seconds gauge/);
    assert.equal(gauge(text, 'vigil_outbox_pending'), 0);
    assert.equal(gauge(text, 'vigil_outbox_oldest_pending_seconds'), 0);

    const start = now;
    await goDown(h.ctx, await downMonitor('queued'), now);
    now += 30_000;
    assert.equal((await h.request('POST', `/v1/integrations/${hook}/test`)).status, 202);
    now += 60_000;
    text = await scrape(TOKEN);
    assert.equal(gauge(text, 'vigil_outbox_pending'), 2);
    assert.equal(gauge(text, 'vigil_outbox_oldest_pending_seconds'), 90);
    // An API key sees its own project's outbox only.
    assert.equal(gauge(await scrape(h.rw), 'vigil_outbox_pending'), 2);
    assert.equal(gauge(await scrape(h.other.rw), 'vigil_outbox_pending'), 0);

    // A failed attempt stays pending (a retry); delivery empties the outbox.
    rx.script({ status: 500 }, { status: 200 });
    await deliverAll();
    text = await scrape(TOKEN);
    assert.equal(gauge(text, 'vigil_outbox_pending'), 1);
    assert.equal(gauge(text, 'vigil_outbox_oldest_pending_seconds'), (now - start) / 1000);
    await h.ctx.store.db
      .updateTable('notifications')
      .set({ next_attempt_at: now })
      .where('next_attempt_at', 'is not', null)
      .execute();
    await deliverAll();
    text = await scrape(TOKEN);
    assert.equal(gauge(text, 'vigil_outbox_pending'), 0);
    assert.equal(gauge(text, 'vigil_outbox_oldest_pending_seconds'), 0);
  });
});
