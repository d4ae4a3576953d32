import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Harness } from '../harness.ts';
import { csrfOf, textOf, type FormClient } from '../support/browser-client.ts';
import { ADMIN, dashboardProject, expect404, foreignProject, plain } from '../support/dashboard-session.ts';
import { createMonitor, type Monitor } from '../../src/services/monitors.ts';
import { getOutage, listOutages } from '../../src/services/outages.ts';
import type { ActorCtx } from '../../src/services/context.ts';

// Each describe has its own project: the first counts the manual outages it makes, the second lists
// every outage of its project.
describe('manual outages in the dashboard', () => {
  let h: Harness;
  let admin: FormClient;
  let actor: ActorCtx;
  let shop: Monitor;
  let api: Monitor;
  let at: (rest: string) => string;

  before(async () => {
    ({ h, admin, actor, at } = await dashboardProject());
    shop = await createMonitor(actor, { name: 'Shop', url: 'https://shop.example.org' });
    api = await createMonitor(actor, { name: 'API gateway', url: 'https://api.example.org' });
  });
  after(async () => {
    await h.stop();
  });

  test('outages: a manual outage is created from the dashboard; acknowledging records the signed-in user, a key records the key', async () => {
    const form = await admin.get(at('outages/new'));
    assert.equal(form.status, 200);
    assert.match(
      form.text,
      new RegExp(`<option value="${api.uuid}">API gateway</option>`),
      'the monitor is chosen by name',
    );
    const base = {
      _csrf: csrfOf(form.text),
      monitor: shop.uuid,
      starts: '2030-05-01T10:00',
      ends: '',
      status_code: '503',
      description: 'Payments provider down',
    };
    const noMonitor = await admin.post(at('outages'), { ...base, monitor: '' });
    assert.equal(noMonitor.status, 422);
    assert.ok(textOf(noMonitor.text, 'f-monitor-error'));
    const badCode = await admin.post(at('outages'), { ...base, status_code: '42' });
    assert.equal(textOf(badCode.text, 'f-status_code-error'), 'statusCode must be a whole number from 100 to 599');
    const noText = await admin.post(at('outages'), { ...base, description: '  ' });
    assert.equal(textOf(noText.text, 'f-description-error'), 'description must not be empty');
    const backwards = await admin.post(at('outages'), { ...base, ends: '2030-05-01T09:00' });
    assert.equal(textOf(backwards.text, 'f-ends-error'), 'endDate must not be before startDate');
    assert.equal((await listOutages(actor, { page: 0, perPage: 10, status: 'all', type: 'all' })).total, 0);

    const ok = await admin.post(at('outages'), base);
    assert.equal(ok.status, 303);
    const uuid = /outages\/(outage_[A-Za-z0-9]+)\?done=created$/.exec(ok.location!)![1];
    const o = await getOutage(actor, uuid);
    assert.deepEqual(
      [o.outage_type, o.status_code, o.description, o.started_at, o.ended_at],
      ['manual', 503, 'Payments provider down', Date.parse('2030-05-01T10:00:00Z'), null],
    );
    const wire = (await h.request('GET', `/v2/outages/${uuid}`)).body as {
      outage: { acknowledgedBy: unknown; monitor: { uuid: string } };
    };
    assert.equal(wire.outage.monitor.uuid, shop.uuid);
    assert.equal(wire.outage.acknowledgedBy, null);

    const detail = await admin.get(ok.location!);
    assert.match(plain(detail.text), /The outage was created/);
    const ack = await admin.post(at(`outages/${uuid}/acknowledge`), { _csrf: csrfOf(detail.text) });
    assert.equal(ack.status, 303);
    const user = await h.ctx.store.db
      .selectFrom('users')
      .select('uuid')
      .where('email', '=', ADMIN.email)
      .executeTakeFirstOrThrow();
    const acked = (await h.request('GET', `/v2/outages/${uuid}`)).body as { outage: { acknowledgedBy: unknown } };
    assert.deepEqual(acked.outage.acknowledgedBy, { uuid: user.uuid, email: ADMIN.email, name: ADMIN.email });
    assert.match(
      /id="outage-ack">(.*?)<\/dd>/.exec((await admin.get(at(`outages/${uuid}`))).text)![1],
      /UTC<\/time> by admin@example\.org$/,
    );

    // Through the API, the key is named instead.
    const second = await h.request('POST', '/v2/outages', {
      body: {
        monitorUuid: api.uuid,
        startDate: '2030-05-02T10:00:00Z',
        statusCode: 500,
        description: 'Gateway errors',
      },
    });
    const other = (second.body as { outage: { uuid: string } }).outage.uuid;
    await h.request('POST', `/v2/outages/${other}/acknowledge`, { body: {} });
    const byKey = (await h.request('GET', `/v2/outages/${other}`)).body as {
      outage: { acknowledgedBy: { email: string; name: string } };
    };
    assert.deepEqual([byKey.outage.acknowledgedBy.email, byKey.outage.acknowledgedBy.name], ['', 'rw']);
    assert.match(
      /id="outage-ack">(.*?)<\/dd>/.exec((await admin.get(at(`outages/${other}`))).text)![1],
      /UTC<\/time> by API key “rw”$/,
    );
  });

  test('severity and summary are recorded as POST /v2/outages records them, and shown on the outage page', async () => {
    const form = await admin.get(at('outages/new'));
    assert.match(form.text, /<label for="f-severity">Severity<\/label>/);
    assert.match(form.text, /<label for="f-summary">Summary<\/label>/);
    const base = {
      _csrf: csrfOf(form.text),
      monitor: shop.uuid,
      starts: '2030-06-01T10:00',
      ends: '2030-06-01T11:00',
      status_code: '502',
      description: 'Upstream down',
    };

    const long = await admin.post(at('outages'), { ...base, severity: 'x'.repeat(256) });
    assert.equal(long.status, 422);
    assert.equal(textOf(long.text, 'f-severity-error'), 'severity must be at most 255 characters');
    assert.match(long.text, /id="f-severity"[^>]*value="x{256}"/, 'the typed value stays');

    const ok = await admin.post(at('outages'), {
      ...base,
      severity: 'critical',
      summary: 'Failed over to the\nsecond provider',
    });
    assert.equal(ok.status, 303);
    const uuid = /outages\/(outage_[A-Za-z0-9]+)\?done=created$/.exec(ok.location!)![1];
    const o = await getOutage(actor, uuid);
    assert.deepEqual([o.severity, o.summary], ['critical', 'Failed over to the\nsecond provider']);
    const wire = (await h.request('GET', `/v2/outages/${uuid}`)).body as {
      outage: { severity: string; summary: string };
    };
    assert.deepEqual([wire.outage.severity, wire.outage.summary], ['critical', 'Failed over to the\nsecond provider']);
    const page = await admin.get(ok.location!);
    assert.equal(textOf(page.text, 'outage-severity'), 'critical');
    assert.equal(textOf(page.text, 'outage-summary'), 'Failed over to the\nsecond provider');

    // Left empty, neither is stored (the API omits both keys, as for an outage made without them).
    const bare = await admin.post(at('outages'), { ...base, severity: '', summary: '  ' });
    const bareUuid = /outages\/(outage_[A-Za-z0-9]+)\?/.exec(bare.location!)![1];
    const bareWire = (await h.request('GET', `/v2/outages/${bareUuid}`)).body as { outage: Record<string, unknown> };
    assert.ok(!('severity' in bareWire.outage) && !('summary' in bareWire.outage));
  });
});

describe('outages in the dashboard', () => {
  let h: Harness;
  let admin: FormClient;
  let actor: ActorCtx;
  let other: ActorCtx;
  let monitor: Monitor;
  let at: (rest: string) => string;

  before(async () => {
    ({ h, admin, actor, at } = await dashboardProject());
    other = await foreignProject(h); // the admin owns every project the harness made: not this one
    monitor = await createMonitor(actor, { name: 'Checkout API', url: 'https://checkout.example.org' });
  });
  after(async () => {
    await h.stop();
  });

  test('outages: filters and search; acknowledge, unacknowledge and resolve from the dashboard, with CSRF', async () => {
    const now = Date.now();
    const row = (uuid: string, started: number, ended: number | null, description: string) => ({
      uuid,
      project_id: h.project.id,
      monitor_id: monitor.id,
      outage_type: 'automatic',
      started_at: started,
      ended_at: ended,
      status_code: 503,
      description,
      detected_location: 'london',
      confirmed_locations: 'london,paris',
      protocol: 'http',
      error_header: null,
      acknowledged_at: null,
      acknowledged_by: null,
      escalation_policy_id: null,
      created_at: now,
    });
    await h.ctx.store.db
      .insertInto('outages')
      .values([
        row('outage_ongoing0000000001', now - 600_000, null, 'Service Unavailable'),
        row('outage_resolved000000001', now - 86_400_000, now - 86_400_000 + 125_000, 'Gateway timeout'),
      ])
      .execute();
    const list = await admin.get(at('outages'));
    assert.equal((list.text.match(/<tr>/g) ?? []).length, 1 + 2);
    const ongoing = await admin.get(at('outages?status=ongoing'));
    assert.match(
      plain(ongoing.text),
      /Ongoing Checkout API https:\/\/checkout\.example\.org .* 10min( \d+s)? 503 · Service Unavailable No/,
    );
    assert.ok(!ongoing.text.includes('Gateway timeout'));
    const resolved = await admin.get(at('outages?status=resolved'));
    assert.match(plain(resolved.text), /Resolved .* 2min 5s 503 · Gateway timeout/);
    const search = await admin.get(at('outages?q=gateway'));
    assert.ok(search.text.includes('Gateway timeout') && !search.text.includes('Service Unavailable'));

    const path = at('outages/outage_ongoing0000000001');
    const page = await admin.get(path);
    assert.equal(page.status, 200);
    assert.match(plain(page.text), /Confirmed from london, paris/);
    assert.equal((await admin.post(`${path}/acknowledge`, { _csrf: 'forged' })).status, 403);
    assert.equal((await getOutage(actor, 'outage_ongoing0000000001')).acknowledged_at, null);
    const ack = await admin.post(`${path}/acknowledge`, { _csrf: csrfOf(page.text) });
    assert.equal(ack.status, 303);
    assert.match(ack.location!, /\?done=acknowledged$/);
    const acked = await admin.get(ack.location!);
    assert.match(plain(/id="outage-ack">([\s\S]*?)<\/dd>/.exec(acked.text)![1]), /\d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    assert.match(acked.text, /Remove acknowledgement/);
    assert.notEqual((await getOutage(actor, 'outage_ongoing0000000001')).acknowledged_at, null);
    await admin.post(`${path}/unacknowledge`, { _csrf: csrfOf(acked.text) });
    assert.equal((await getOutage(actor, 'outage_ongoing0000000001')).acknowledged_at, null);
    const res = await admin.post(`${path}/resolve`, { _csrf: csrfOf(acked.text) });
    assert.equal(res.status, 303);
    assert.notEqual((await getOutage(actor, 'outage_ongoing0000000001')).ended_at, null);
    assert.ok(!(await admin.get(res.location!)).text.includes('>Resolve<'), 'no Resolve button once resolved');

    const otherMonitor = await createMonitor(other, { name: 'Theirs', url: 'https://theirs.example.org' });
    const otherProjectId = other.actor.projectId;
    await h.ctx.store.db
      .insertInto('outages')
      .values({
        ...row('outage_foreign0000000001', now - 1000, null, 'theirs'),
        project_id: otherProjectId,
        monitor_id: otherMonitor.id,
      })
      .execute();
    await expect404(admin, [at('outages/outage_foreign0000000001'), at('outages/outage_unknown')]);
    await expect404(
      admin,
      [at('outages/outage_foreign0000000001/acknowledge'), at('outages/outage_foreign0000000001/resolve')],
      true,
    );
    const theirs = await getOutage(other, 'outage_foreign0000000001');
    assert.deepEqual([theirs.acknowledged_at, theirs.ended_at], [null, null]);
  });
});
