import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../harness.ts';
import { newId } from '../../src/domain/ids.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.stop();
});

const H = 3_600_000;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

async function monitor(body: Record<string, unknown> = {}) {
  const res = await h.request('POST', '/v1/monitors', {
    body: { name: 'svc', url: 'http://127.0.0.1:9/', paused: true, ...body },
  });
  assert.equal(res.status, 201);
  const row = await h.ctx.store.db
    .selectFrom('monitors')
    .select(['id'])
    .where('uuid', '=', res.body.uuid)
    .executeTakeFirstOrThrow();
  return { ...res.body, rowId: row.id };
}

/** Hand-made outage history (what the engine writes when it confirms a change). */
async function outage(
  monitorId: number | null,
  start: number,
  end: number | null,
  extra: Record<string, unknown> = {},
) {
  const uuid = newId('outage');
  await h.ctx.store.db
    .insertInto('outages')
    .values({
      uuid,
      project_id: h.project.id,
      monitor_id: monitorId,
      outage_type: 'automatic',
      started_at: start,
      ended_at: end,
      status_code: 503,
      description: 'expected 2xx, got 503',
      detected_location: 'local',
      confirmed_locations: 'local,local',
      protocol: 'http',
      error_header: null,
      acknowledged_at: null,
      acknowledged_by: null,
      escalation_policy_id: null,
      created_at: start,
      ...extra,
    })
    .execute();
  return uuid;
}

describe('/v2/outages', () => {
  test('an outage has the recorded shape, wrapped in {"outage":…}', async () => {
    const m = await monitor({ name: 'api', url: 'https://api.example/health' });
    const start = Date.now() - 2 * H;
    const uuid = await outage(m.rowId, start, start + 302_000);
    const res = await h.request('GET', `/v2/outages/${uuid}`);
    assert.equal(res.status, 200);
    const o = res.body.outage;
    assert.deepEqual(Object.keys(res.body), ['outage']);
    assert.match(uuid, /^outage_[A-Za-z0-9]{14}$/);
    assert.deepEqual(o, {
      id: o.id,
      uuid,
      startDate: new Date(start).toISOString(),
      endDate: new Date(start + 302_000).toISOString(),
      durationMs: 302_000,
      statusCode: 503,
      description: 'expected 2xx, got 503',
      isResolved: true,
      detectedLocation: 'local',
      confirmedLocations: 'local,local',
      protocol: 'http',
      errorHeader: null,
      acknowledgedAt: null,
      acknowledgedBy: null,
      monitor: { uuid: m.uuid, name: 'api', url: 'https://api.example/health', protocol: 'http' },
      escalationPolicy: null,
      alertedChannels: [],
      outageType: 'automatic',
    });
    assert.equal(typeof o.id, 'number');
    const missing = await h.request('GET', '/v2/outages/outage_AAAAAAAAAAAAAA');
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, { message: 'Outage not found' });
  });

  test('an ongoing outage reports its duration so far; a deleted monitor leaves nulls', async () => {
    const m = await monitor();
    const uuid = await outage(m.rowId, Date.now() - 60_000, null);
    const o = (await h.request('GET', `/v2/outages/${uuid}`)).body.outage;
    assert.equal(o.endDate, null);
    assert.equal(o.isResolved, false);
    assert.ok(o.durationMs >= 60_000 && o.durationMs < 70_000);
    assert.equal((await h.request('DELETE', `/v1/monitors/${m.uuid}`)).status, 204);
    const after = (await h.request('GET', `/v2/outages/${uuid}`)).body.outage;
    assert.deepEqual(after.monitor, { uuid: null, name: null, url: null, protocol: null });
  });

  test('the list pages by 20, newest first, with totals and filters', async () => {
    const fresh = await startHarness();
    try {
      const res0 = await fresh.request('POST', '/v1/monitors', {
        body: { name: 'billing', url: 'https://billing.example', paused: true },
      });
      const row = await fresh.ctx.store.db
        .selectFrom('monitors')
        .select('id')
        .where('uuid', '=', res0.body.uuid)
        .executeTakeFirstOrThrow();
      const t = Date.now() - 100 * H;
      for (let i = 0; i < 25; i++) {
        await fresh.ctx.store.db
          .insertInto('outages')
          .values({
            uuid: newId('outage'),
            project_id: fresh.project.id,
            monitor_id: row.id,
            outage_type: 'automatic',
            started_at: t + i * H,
            ended_at: i < 22 ? t + i * H + 60_000 : null,
            status_code: 500,
            description: `o${i}`,
            detected_location: 'local',
            confirmed_locations: 'local',
            protocol: 'http',
            error_header: null,
            acknowledged_at: null,
            acknowledged_by: null,
            escalation_policy_id: null,
            created_at: t,
          })
          .execute();
      }
      const p0 = await fresh.request('GET', '/v2/outages');
      assert.equal(p0.status, 200);
      assert.deepEqual(Object.keys(p0.body), [
        'outages',
        'hasNextPage',
        'total',
        'ongoingCount',
        'page',
        'resultsPerPage',
      ]);
      assert.equal(p0.body.outages.length, 20);
      assert.equal(p0.body.hasNextPage, true);
      assert.equal(p0.body.total, 25);
      assert.equal(p0.body.ongoingCount, 3);
      assert.equal(p0.body.page, 0);
      assert.equal(p0.body.resultsPerPage, 20);
      assert.equal(p0.body.outages[0].description, 'o24');
      assert.equal(p0.body.outages[0].errorHeader, undefined, 'list items carry no errorHeader');
      assert.equal(p0.body.outages[0].alertedChannels, undefined);
      const p1 = await fresh.request('GET', '/v2/outages?page=1');
      assert.equal(p1.body.outages.length, 5);
      assert.equal(p1.body.hasNextPage, false);
      assert.equal((await fresh.request('GET', '/v2/outages?status=ongoing')).body.total, 3);
      assert.equal((await fresh.request('GET', '/v2/outages?status=resolved')).body.total, 22);
      assert.equal((await fresh.request('GET', '/v2/outages?type=manual')).body.total, 0);
      assert.equal((await fresh.request('GET', '/v2/outages?search=BILL')).body.total, 25);
      assert.equal((await fresh.request('GET', '/v2/outages?search=nothing')).body.total, 0);
      assert.equal((await fresh.request('GET', '/v2/outages?search=%25')).body.total, 0, 'LIKE wildcards are literal');
      assert.equal((await fresh.request('GET', '/v2/outages?status=bogus')).status, 422);
      assert.equal((await fresh.request('GET', '/v2/outages?page=-1')).status, 422);
      const other = await fresh.request('GET', '/v2/outages', { key: fresh.other.rw });
      assert.equal(other.body.total, 0, 'another project sees none of them');
    } finally {
      await fresh.stop();
    }
  });
});

describe('/v2/reporting/monitor-reports', () => {
  test('SLA, downtime, longest outage and MTTR from outage history, clipped to the period', async () => {
    const m = await monitor({ name: 'reported', paused: false });
    const from = Date.parse('2026-01-01T00:00:00Z');
    const to = from + 24 * H;
    await outage(m.rowId, from - H, from + H); // counts from `from`: 1 h
    await outage(m.rowId, from + 10 * H, from + 10 * H + 302_000); // 5 min 2 s
    await outage(m.rowId, to + H, to + 2 * H); // after the period
    const q = `from=${encodeURIComponent('2026-01-01T00:00:00Z')}&to=${encodeURIComponent('2026-01-02T00:00:00Z')}`;
    const res = await h.request('GET', `/v2/reporting/monitor-reports/${m.uuid}?${q}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body, {
      uuid: m.uuid,
      name: 'reported',
      protocol: 'http',
      sla: 95.48,
      outages: {
        count: 2,
        totalDowntime: 3902,
        totalDowntimeFormatted: '1hr 5min 2s',
        longestOutage: 3600,
        longestOutageFormatted: '1hr',
        details: [
          {
            startDate: new Date(from - H).toISOString(),
            endDate: new Date(from + H).toISOString(),
            duration: 3600,
            durationFormatted: '1hr',
          },
          {
            startDate: new Date(from + 10 * H).toISOString(),
            endDate: new Date(from + 10 * H + 302_000).toISOString(),
            duration: 302,
            durationFormatted: '5min 2s',
          },
        ],
      },
      mttr: 1951,
      mttrFormatted: '32min 31s',
      period: { from: '2026-01-01T00:00:00.000Z', to: '2026-01-02T00:00:00.000Z' },
    });
    const list = await h.request('GET', `/v2/reporting/monitor-reports?${q}`);
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.period, { from: '2026-01-01T00:00:00.000Z', to: '2026-01-02T00:00:00.000Z' });
    const entry = list.body.monitors.find((x: any) => x.uuid === m.uuid);
    assert.equal(entry.sla, 95.48);
    assert.equal(entry.outages.details, undefined, 'list entries carry no details');
    assert.equal(entry.period, undefined);
  });

  test('paused monitors are excluded and get the recorded 404; defaults are the last 7 days', async () => {
    const paused = await monitor({ paused: true });
    const res = await h.request('GET', `/v2/reporting/monitor-reports/${paused.uuid}`);
    assert.equal(res.status, 404);
    assert.deepEqual(res.body, { error: true, message: 'Monitor not found' });
    const list = await h.request('GET', '/v2/reporting/monitor-reports');
    assert.ok(!list.body.monitors.some((x: any) => x.uuid === paused.uuid));
    const span = Date.parse(list.body.period.to) - Date.parse(list.body.period.from);
    assert.equal(span, 7 * 24 * H);
    assert.match(list.body.period.to, ISO);
    const clean = await monitor({ paused: false });
    const r = (await h.request('GET', `/v2/reporting/monitor-reports/${clean.uuid}`)).body;
    assert.equal(r.sla, 100);
    assert.equal(r.outages.totalDowntimeFormatted, '0s');
    assert.equal(r.mttrFormatted, '0s');
  });

  test('period=1h|24h|7d|30d|90d names the window ending at `to` when `from` is not given (the Python SDK sends it)', async () => {
    const to = '2026-03-01T00:00:00.000Z';
    for (const [period, hours] of [
      ['1h', 1],
      ['24h', 24],
      ['7d', 168],
      ['30d', 720],
      ['90d', 2160],
    ] as const) {
      const res = await h.request('GET', `/v2/reporting/monitor-reports?period=${period}&to=${to}`);
      assert.equal(res.status, 200);
      assert.equal(Date.parse(to) - Date.parse(res.body.period.from), hours * 3_600_000, period);
    }
    const explicit = await h.request(
      'GET',
      `/v2/reporting/monitor-reports?period=1h&from=2026-02-01T00:00:00Z&to=${to}`,
    );
    assert.equal(explicit.body.period.from, '2026-02-01T00:00:00.000Z');
    const bad = await h.request('GET', '/v2/reporting/monitor-reports?period=2w');
    assert.equal(bad.status, 422);
    assert.match(bad.body.message, /period/);
  });

  test('bad periods are 422', async () => {
    assert.equal((await h.request('GET', '/v2/reporting/monitor-reports?from=yesterday')).status, 422);
    assert.equal(
      (await h.request('GET', '/v2/reporting/monitor-reports?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z'))
        .status,
      422,
    );
  });
});
