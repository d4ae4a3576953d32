import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { snapshot, startHarness, type Harness } from '../harness.ts';
import { recordResults, type ObservedResult } from '../../src/services/results.ts';

let h: Harness;
// A frozen clock the tests move by hand, so acknowledgement and resolution times are exact.
let now = Date.parse('2026-03-01T12:00:00Z');
before(async () => {
  h = await startHarness({ clock: () => now });
});
after(async () => {
  await h.stop();
});

async function monitor(name = 'checkout', url = 'https://checkout.example/health', key = h.rw) {
  const res = await h.request('POST', '/v1/monitors', { key, body: { name, url, paused: true } });
  assert.equal(res.status, 201);
  return res.body as { uuid: string; name: string; url: string };
}

async function create(body: Record<string, unknown>, key = h.rw) {
  return h.request('POST', '/v2/outages', {
    key,
    body: { startDate: '2026-03-01T11:00:00Z', statusCode: 500, description: 'down', outageType: 'manual', ...body },
  });
}

async function ongoing(monitorUuid: string) {
  const res = await create({ monitorUuid });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.outage.uuid as string;
}

const get = async (uuid: string) => (await h.request('GET', `/v2/outages/${uuid}`)).body.outage;

describe('POST /v2/outages (manual outages)', () => {
  test('creates a manual outage with the submitted values and answers 201 with the full outage', async () => {
    const m = await monitor();
    const res = await h.request('POST', '/v2/outages', {
      body: {
        monitorUuid: m.uuid,
        startDate: '2026-02-28T10:00:00Z',
        endDate: '2026-02-28T11:30:00+01:00',
        statusCode: 503,
        description: 'Database failover',
        outageType: 'manual',
        severity: 'major',
        summary: 'Primary lost',
      },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const o = res.body.outage;
    assert.match(o.uuid, /^outage_[A-Za-z0-9]{14}$/);
    assert.equal(typeof o.id, 'number');
    const expected = {
      id: o.id,
      uuid: o.uuid,
      startDate: '2026-02-28T10:00:00.000Z',
      endDate: '2026-02-28T10:30:00.000Z',
      durationMs: 1_800_000,
      statusCode: 503,
      description: 'Database failover',
      isResolved: true,
      detectedLocation: 'manual',
      confirmedLocations: '',
      protocol: 'manual',
      errorHeader: null,
      acknowledgedAt: null,
      acknowledgedBy: null,
      monitor: { uuid: m.uuid, name: 'checkout', url: 'https://checkout.example/health', protocol: 'http' },
      escalationPolicy: null,
      alertedChannels: [],
      outageType: 'manual',
      severity: 'major',
      summary: 'Primary lost',
    };
    assert.deepEqual(res.body, { message: 'Incident created', outage: { ...expected, escalationPolicyUuid: null } });
    assert.deepEqual(Object.keys(res.body), ['message', 'outage']);

    const read = await h.request('GET', `/v2/outages/${o.uuid}`);
    assert.equal(read.status, 200);
    assert.deepEqual(read.body, { outage: expected });
    assert.deepEqual(Object.keys(read.body.outage), Object.keys(expected), 'recorded key order, additions last');
  });

  test("escalationPolicyUuid links one of the project's policies; an unknown or another project's policy is 422 and creates nothing", async () => {
    const m = await monitor();
    const body = {
      monitorUuid: m.uuid,
      startDate: '2026-03-01T10:00:00Z',
      statusCode: 500,
      description: 'policy',
      outageType: 'manual',
    };
    const mine = await h.request('POST', '/v1/escalation-policies', {
      body: { name: 'mine', steps: [{ delayMinutes: 30, emails: ['ops@example.org'] }] },
    });
    const theirs = await h.request('POST', '/v1/escalation-policies', {
      key: h.other.rw,
      body: { name: 'theirs', steps: [{ delayMinutes: 0, emails: ['x@example.org'] }] },
    });
    const before = (await h.request('GET', '/v2/outages')).body.total;
    for (const uuid of [theirs.body.uuid, 'esc_AbCdEfGh123456']) {
      const res = await h.request('POST', '/v2/outages', { body: { ...body, escalationPolicyUuid: uuid } });
      assert.equal(res.status, 422, uuid);
      assert.equal(res.body.message, `escalationPolicyUuid: escalation policy ${uuid} does not exist`);
    }
    assert.equal((await h.request('GET', '/v2/outages')).body.total, before);
    const ok = await h.request('POST', '/v2/outages', { body: { ...body, escalationPolicyUuid: mine.body.uuid } });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assert.equal(ok.body.outage.escalationPolicyUuid, mine.body.uuid);
    assert.deepEqual(
      (await get(ok.body.outage.uuid)).escalationPolicy,
      { uuid: mine.body.uuid, name: 'mine', alertedSteps: 1, totalSteps: 1 },
      'its step (due: the outage began in March) alerted at once',
    );
  });

  test('without endDate the outage is ongoing; absent optional fields are absent or null', async () => {
    const m = await monitor();
    const res = await h.request('POST', '/v2/outages', {
      body: { monitorUuid: m.uuid, startDate: '2026-03-01T11:00:00Z', statusCode: 500, description: 'down' },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const o = res.body.outage;
    assert.deepEqual(o, {
      id: o.id,
      uuid: o.uuid,
      startDate: '2026-03-01T11:00:00.000Z',
      endDate: null,
      durationMs: 3_600_000,
      statusCode: 500,
      description: 'down',
      isResolved: false,
      detectedLocation: 'manual',
      confirmedLocations: '',
      protocol: 'manual',
      errorHeader: null,
      acknowledgedAt: null,
      acknowledgedBy: null,
      monitor: { uuid: m.uuid, name: 'checkout', url: 'https://checkout.example/health', protocol: 'http' },
      escalationPolicy: null,
      alertedChannels: [],
      outageType: 'manual',
      escalationPolicyUuid: null,
    });
  });

  test('invalid bodies answer 422 with a readable message and create nothing', async () => {
    const m = await monitor();
    const theirs = await monitor('theirs', 'https://theirs.example', h.other.rw);
    const ok = {
      monitorUuid: m.uuid,
      startDate: '2026-03-01T10:00:00Z',
      statusCode: 500,
      description: 'down',
      outageType: 'manual',
    };
    const { monitorUuid: _, ...noMonitor } = ok;
    const cases: [string, Record<string, unknown>, string][] = [
      ['missing monitorUuid', noMonitor, 'monitorUuid is required'],
      [
        'unknown monitor',
        { ...ok, monitorUuid: 'mon_AAAAAAAAAAAAAA' },
        'Monitor mon_AAAAAAAAAAAAAA in monitorUuid does not exist',
      ],
      [
        "another project's monitor",
        { ...ok, monitorUuid: theirs.uuid },
        `Monitor ${theirs.uuid} in monitorUuid does not exist`,
      ],
      ['statusCode 99', { ...ok, statusCode: 99 }, 'statusCode must be at least 100'],
      ['statusCode 600', { ...ok, statusCode: 600 }, 'statusCode must be at most 599'],
      ['statusCode as a string', { ...ok, statusCode: '500' }, 'statusCode must be a whole number'],
      ['endDate before startDate', { ...ok, endDate: '2026-03-01T09:59:59Z' }, 'endDate must not be before startDate'],
      ['outageType automatic', { ...ok, outageType: 'automatic' }, 'outageType must be one of manual'],
      [
        'non-ISO startDate',
        { ...ok, startDate: '01/03/2026 10:00' },
        'startDate must be an ISO 8601 date-time with a zone, such as 2026-03-01T02:00:00Z',
      ],
      [
        'non-ISO endDate',
        { ...ok, endDate: 'tomorrow' },
        'endDate must be an ISO 8601 date-time with a zone, such as 2026-03-01T02:00:00Z',
      ],
      ['missing startDate', { ...ok, startDate: undefined }, 'startDate is required'],
      ['empty description', { ...ok, description: '' }, 'description must not be empty'],
      ['blank description', { ...ok, description: '   ' }, 'description must not be empty'],
      [
        'description too long',
        { ...ok, description: 'x'.repeat(10_001) },
        'description must be at most 10000 characters',
      ],
    ];
    const before = await snapshot(h.ctx);
    for (const [name, body, message] of cases) {
      const res = await h.request('POST', '/v2/outages', { body });
      assert.equal(res.status, 422, name);
      assert.deepEqual(res.body, { message }, name);
    }
    const bad = await h.request('POST', '/v2/outages', { raw: '{"monitorUuid":' });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body, { message: 'Invalid JSON body' });
    assert.deepEqual(await snapshot(h.ctx), before);
  });

  test('endDate equal to startDate is allowed (a zero-length outage)', async () => {
    const m = await monitor();
    const res = await create({ monitorUuid: m.uuid, endDate: '2026-03-01T11:00:00Z' });
    assert.equal(res.status, 201);
    assert.equal(res.body.outage.durationMs, 0);
    assert.equal(res.body.outage.isResolved, true);
  });
});

describe('outage actions', () => {
  test('acknowledge sets acknowledgedAt and acknowledgedBy (the key); again keeps the first; unacknowledge clears both', async () => {
    const uuid = await ongoing((await monitor()).uuid);
    const key = await h.ctx.store.db
      .selectFrom('api_keys')
      .select(['id', 'name'])
      .where('name', '=', 'rw')
      .where('project_id', '=', h.project.id)
      .executeTakeFirstOrThrow();
    now = Date.parse('2026-03-01T12:05:00Z');
    const ack = await h.request('POST', `/v2/outages/${uuid}/acknowledge`);
    assert.equal(ack.status, 200);
    assert.deepEqual(ack.body, { message: 'Outage acknowledged', uuid });
    let o = await get(uuid);
    assert.equal(o.acknowledgedAt, '2026-03-01T12:05:00.000Z');
    assert.deepEqual(o.acknowledgedBy, { uuid: key.id, email: '', name: 'rw' });

    now = Date.parse('2026-03-01T12:10:00Z');
    const again = await h.request('POST', `/v2/outages/${uuid}/acknowledge`, { body: {} });
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, { message: 'Outage acknowledged', uuid });
    assert.equal((await get(uuid)).acknowledgedAt, '2026-03-01T12:05:00.000Z', 'the first acknowledgement stands');

    const unack = await h.request('POST', `/v2/outages/${uuid}/unacknowledge`);
    assert.equal(unack.status, 200);
    assert.deepEqual(unack.body, { message: 'Outage unacknowledged', uuid });
    o = await get(uuid);
    assert.equal(o.acknowledgedAt, null);
    assert.equal(o.acknowledgedBy, null);
    assert.equal(
      (await h.request('POST', `/v2/outages/${uuid}/unacknowledge`)).status,
      200,
      'unacknowledging again is harmless',
    );
    now = Date.parse('2026-03-01T12:00:00Z');
  });

  test('resolve sets endDate to now and isResolved; resolving again keeps the first endDate', async () => {
    const uuid = await ongoing((await monitor()).uuid);
    now = Date.parse('2026-03-01T12:30:00Z');
    const res = await h.request('POST', `/v2/outages/${uuid}/resolve`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { message: 'Outage resolved', uuid });
    let o = await get(uuid);
    assert.equal(o.endDate, '2026-03-01T12:30:00.000Z');
    assert.equal(o.isResolved, true);
    assert.equal(o.durationMs, 5_400_000);

    now = Date.parse('2026-03-01T13:00:00Z');
    const again = await h.request('POST', `/v2/outages/${uuid}/resolve`);
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, { message: 'Outage resolved', uuid });
    o = await get(uuid);
    assert.equal(o.endDate, '2026-03-01T12:30:00.000Z');
    assert.equal(o.durationMs, 5_400_000, 'the duration no longer grows');
    now = Date.parse('2026-03-01T12:00:00Z');
  });

  test('escalate records the request durably; a resolved outage cannot be escalated', async () => {
    const uuid = await ongoing((await monitor()).uuid);
    const row = () =>
      h.ctx.store.db
        .selectFrom('outages')
        .select(['escalation_step', 'escalated_at'])
        .where('uuid', '=', uuid)
        .executeTakeFirstOrThrow();
    assert.deepEqual(await row(), { escalation_step: 0, escalated_at: null });
    for (const step of [1, 2]) {
      const res = await h.request('POST', `/v2/outages/${uuid}/escalate`);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { message: 'Outage escalated', uuid });
      const r = await row();
      assert.equal(Number(r.escalation_step), step);
      assert.equal(Number(r.escalated_at), now);
    }
    assert.equal((await h.request('POST', `/v2/outages/${uuid}/resolve`)).status, 200);
    const before = await snapshot(h.ctx);
    const res = await h.request('POST', `/v2/outages/${uuid}/escalate`);
    assert.equal(res.status, 422);
    assert.deepEqual(res.body, { message: 'Outage is already resolved' });
    assert.deepEqual(await snapshot(h.ctx), before);

    const resolvedAtCreation = (await create({ monitorUuid: (await monitor()).uuid, endDate: '2026-03-01T11:10:00Z' }))
      .body.outage.uuid;
    assert.equal((await h.request('POST', `/v2/outages/${resolvedAtCreation}/escalate`)).status, 422);
  });

  test('delete answers 200, then the outage is gone', async () => {
    const uuid = await ongoing((await monitor()).uuid);
    const res = await h.request('DELETE', `/v2/outages/${uuid}`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { message: 'Outage deleted' });
    const gone = await h.request('GET', `/v2/outages/${uuid}`);
    assert.equal(gone.status, 404);
    assert.deepEqual(gone.body, { message: 'Outage not found' });
    const again = await h.request('DELETE', `/v2/outages/${uuid}`);
    assert.equal(again.status, 404);
    assert.deepEqual(again.body, { message: 'Outage not found' });
  });

  test("unknown ids and another project's outage answer 404 on every action, changing nothing", async () => {
    const mine = await ongoing((await monitor()).uuid);
    const before = await snapshot(h.ctx);
    for (const [method, suffix] of [
      ['DELETE', ''],
      ['POST', '/acknowledge'],
      ['POST', '/unacknowledge'],
      ['POST', '/resolve'],
      ['POST', '/escalate'],
    ]) {
      for (const [uuid, key] of [
        ['outage_AAAAAAAAAAAAAA', h.rw],
        [mine, h.other.rw],
      ]) {
        const res = await h.request(method, `/v2/outages/${uuid}${suffix}`, { key });
        assert.equal(res.status, 404, `${method} ${suffix} ${uuid}`);
        assert.deepEqual(res.body, { message: 'Outage not found' });
      }
    }
    assert.deepEqual(await snapshot(h.ctx), before);
  });
});

describe('manual outages in the list and next to the engine', () => {
  test('type, status and search filters find manual outages by description and monitor name', async () => {
    const fresh = await startHarness({ clock: () => now });
    try {
      const m = (
        await fresh.request('POST', '/v1/monitors', {
          body: { name: 'Payments API', url: 'https://pay.example', paused: true },
        })
      ).body;
      const row = await fresh.ctx.store.db
        .selectFrom('monitors')
        .select('id')
        .where('uuid', '=', m.uuid)
        .executeTakeFirstOrThrow();
      await fresh.ctx.store.db
        .insertInto('outages')
        .values({
          uuid: 'outage_AutomaticAAAAAA',
          project_id: fresh.project.id,
          monitor_id: row.id,
          outage_type: 'automatic',
          started_at: now - 60_000,
          ended_at: null,
          status_code: 503,
          description: 'expected 2xx, got 503',
          detected_location: 'local',
          confirmed_locations: 'local',
          protocol: 'http',
          error_header: null,
          acknowledged_at: null,
          acknowledged_by: null,
          escalation_policy_id: null,
          created_at: now,
        })
        .execute();
      const post = (body: Record<string, unknown>) =>
        fresh.request('POST', '/v2/outages', {
          body: { monitorUuid: m.uuid, startDate: '2026-03-01T10:00:00Z', statusCode: 500, ...body },
        });
      const ongoingManual = (await post({ description: 'Card processor unreachable' })).body.outage.uuid;
      const resolvedManual = (await post({ description: 'Planned failover', endDate: '2026-03-01T10:05:00Z' })).body
        .outage.uuid;
      const uuids = async (q: string) => {
        const res = await fresh.request('GET', `/v2/outages?${q}`);
        assert.equal(res.status, 200, q);
        return (res.body.outages as { uuid: string }[]).map((o) => o.uuid);
      };
      assert.deepEqual(await uuids('type=manual'), [resolvedManual, ongoingManual]);
      assert.deepEqual(await uuids('type=monitor'), ['outage_AutomaticAAAAAA']);
      assert.deepEqual(await uuids('status=ongoing'), [ongoingManual, 'outage_AutomaticAAAAAA']);
      assert.deepEqual(await uuids('status=resolved'), [resolvedManual]);
      assert.deepEqual(await uuids('type=manual&status=ongoing'), [ongoingManual]);
      assert.deepEqual(await uuids('search=processor'), [ongoingManual]);
      assert.deepEqual(await uuids('type=manual&search=payments'), [resolvedManual, ongoingManual]);
      const list = (await fresh.request('GET', '/v2/outages?type=manual')).body;
      assert.equal(list.total, 2);
      assert.equal(list.ongoingCount, 2, 'ongoingCount counts every ongoing outage of the project');
      assert.equal(list.outages[0].outageType, 'manual');
      assert.equal(list.outages[0].errorHeader, undefined);

      assert.equal((await fresh.request('POST', `/v2/outages/${ongoingManual}/resolve`)).status, 200);
      assert.deepEqual(await uuids('type=manual&status=ongoing'), []);
      assert.deepEqual(await uuids('type=manual&status=resolved'), [resolvedManual, ongoingManual]);
    } finally {
      await fresh.stop();
    }
  });

  test('the engine closes its own outage when the monitor recovers, never a manual one', async () => {
    const m = await monitor('engine', 'https://engine.example');
    const { id: monitorId } = await h.ctx.store.db
      .selectFrom('monitors')
      .select('id')
      .where('uuid', '=', m.uuid)
      .executeTakeFirstOrThrow();
    const result = (ok: boolean, t: number): ObservedResult => ({
      monitorId,
      at: t,
      location: 'local',
      ok,
      statusCode: ok ? 200 : 503,
      totalMs: 50,
      dnsMs: null,
      connectMs: null,
      tlsMs: null,
      ttfbMs: null,
      error: ok ? null : 'expected 2xx, got 503',
    });
    // Two agreeing failures confirm DOWN (one location: a recheck confirms), opening an automatic outage.
    await recordResults(h.ctx, [result(false, now - 120_000), result(false, now - 110_000)]);
    const manual = await ongoing(m.uuid);
    await recordResults(h.ctx, [result(true, now - 60_000), result(true, now - 50_000)]);
    const rows = await h.ctx.store.db
      .selectFrom('outages')
      .select(['uuid', 'outage_type', 'ended_at'])
      .where('monitor_id', '=', monitorId)
      .execute();
    const automatic = rows.find((r) => r.outage_type === 'automatic');
    assert.ok(automatic, 'the engine opened an outage');
    assert.equal(Number(automatic.ended_at), now - 60_000, 'and closed it on recovery');
    const o = await get(manual);
    assert.equal(o.endDate, null, 'the manual outage stays open');
    assert.equal(o.isResolved, false);
  });

  test('one batch of results that goes down and back up still records the outage, opened and closed', async () => {
    const m = await monitor('flap', 'https://flap.example');
    const { id: monitorId } = await h.ctx.store.db
      .selectFrom('monitors')
      .select('id')
      .where('uuid', '=', m.uuid)
      .executeTakeFirstOrThrow();
    const result = (ok: boolean, t: number): ObservedResult => ({
      monitorId,
      at: t,
      location: 'local',
      ok,
      statusCode: ok ? 200 : 503,
      totalMs: 50,
      dnsMs: null,
      connectMs: null,
      tlsMs: null,
      ttfbMs: null,
      error: ok ? null : 'expected 2xx, got 503',
    });
    const out = await recordResults(h.ctx, [
      result(false, now - 40_000),
      result(false, now - 30_000),
      result(true, now - 20_000),
      result(true, now - 10_000),
    ]);
    assert.deepEqual(
      out.transitions.map((t) => t.to),
      ['down', 'up'],
    );
    const rows = await h.ctx.store.db
      .selectFrom('outages')
      .select(['started_at', 'ended_at'])
      .where('monitor_id', '=', monitorId)
      .execute();
    assert.deepEqual(
      rows.map((r) => [Number(r.started_at), Number(r.ended_at)]),
      [[now - 40_000, now - 20_000]],
    );
    const state = await h.ctx.store.db
      .selectFrom('monitors')
      .select(['status', 'state_version'])
      .where('id', '=', monitorId)
      .executeTakeFirstOrThrow();
    assert.equal(state.status, 'up');
    assert.ok(Number(state.state_version) > 0, 'the state row was written');
  });
});
