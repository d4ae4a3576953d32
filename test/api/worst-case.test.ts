// What bench/worst-case.ts found at the documented maxima, as behaviour: lists the wire contract
// leaves unpaged are written page by page, MCP answers stop at their 2 MiB bound before reading
// further, analyses refuse more figures than an answer may hold before doing the work, and
// every walk over a large set reads it in chunks (no timings are asserted).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../harness.ts';
import type { ActorCtx } from '../../src/services/context.ts';
import { HEADER_NAME_MAX, HEADER_VALUE_MAX, MAX_REQUEST_HEADERS, MONITOR_TEXT_MAX } from '../../src/domain/monitors.ts';
import { MAX_FIGURES, MAX_PERIODS } from '../../src/domain/insights.ts';
import {
  MONITOR_PAGE,
  PAGE_BYTES,
  createMonitor,
  listMonitors,
  monitorPages,
  monitorsById,
} from '../../src/services/monitors.ts';
import { incidentPages } from '../../src/services/incidents.ts';
import { HEALTHCHECK_PAGE, createHealthcheck } from '../../src/services/healthchecks.ts';
import { POLICY_PAGE, createPolicy } from '../../src/services/escalation-policies.ts';
import { createProbe, leaseChecks } from '../../src/services/probes.ts';
import { insertSubscriber } from '../../src/services/statuspages.ts';
import { MAX_RAW_ALERTS } from '../../src/services/insights.ts';
import { monitorReportPages, monitorReports } from '../../src/services/reports.ts';
import { metricsSnapshot } from '../../src/services/metrics.ts';
import { MAX_ANSWER } from '../../src/http/routes/mcp.tools.ts';
import { INCIDENT_PAGE_UPDATES, ONGOING_SHOWN, TEXT_PREVIEW, UPDATES_SHOWN } from '../../src/services/public-pages.ts';
import { insertResultRows } from '../../src/services/results.ts';

let h: Harness;
let ctx: ActorCtx;

before(async () => {
  h = await startHarness({
    env: { VIGIL_RATE_LIMIT_PER_HOUR: '0', VIGIL_METRICS_TOKEN: 'worst-case-test-metrics-token-0123456789' },
  });
  ctx = {
    ...h.ctx,
    actor: { projectId: h.project.id, projectUuid: h.project.uuid, permission: 'read_write', keyId: null },
  };
});
after(async () => {
  await h.stop();
});

const times = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
const pad = (text: string, n: number) => (text + 'x'.repeat(n)).slice(0, n);

/** A monitor with every field at its bound: about 515 KB of JSON. */
const largest = (name: string) => ({
  name,
  url: 'http://127.0.0.1:9/',
  paused: true,
  http_method: 'POST',
  request_body: pad('body ', MONITOR_TEXT_MAX.request_body),
  request_headers: times(MAX_REQUEST_HEADERS, (i) => ({
    name: pad(`X-${i}-`, HEADER_NAME_MAX),
    value: pad('v', HEADER_VALUE_MAX),
  })),
});

async function rpcCall(name: string, args: Record<string, unknown> = {}) {
  const res = await h.request('POST', '/v1/mcp', {
    body: { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } },
  });
  assert.equal(res.status, 200, res.text.slice(0, 300));
  const { content, isError } = res.body.result;
  return { isError: isError === true, text: content[0].text as string };
}

describe('the largest monitors', () => {
  const big: string[] = [];
  before(async () => {
    // Six monitors at every bound are about 3 MB: more than a page of the list (PAGE_BYTES).
    for (let i = 0; i < 6; i++) big.push((await createMonitor(ctx, largest(`big ${i}`))).uuid);
    for (let i = 0; i < 3; i++)
      await createMonitor(ctx, { name: `small ${i}`, url: `https://s${i}.example.org`, paused: true });
  });

  test('GET /v1/monitors writes a list larger than a page in chunks: every monitor once, in id order, as a read of each shows it', async () => {
    assert.ok(6 * 515_000 > PAGE_BYTES);
    const res = await h.request('GET', '/v1/monitors');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-length'), null, 'written as it is read');
    assert.equal(res.headers.get('transfer-encoding'), 'chunked');
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const list = res.body as { id: number; uuid: string }[];
    assert.equal(list.length, 9);
    assert.deepEqual(
      list.map((m) => m.id),
      [...list.map((m) => m.id)].sort((a, b) => a - b),
    );
    for (const m of list) assert.deepEqual(m, (await h.request('GET', `/v1/monitors/${m.uuid}`)).body);
    // A list of one page is sent at once, as before.
    const other = await h.request('GET', '/v1/monitors', { key: h.other.rw });
    assert.equal(other.status, 200);
    assert.equal(other.text, '[]');
    assert.equal(other.headers.get('content-length'), '2');
  });

  test('GET /v1/monitors writes the largest monitors in pieces with the very bytes a read of each gives', async () => {
    const res = await h.request('GET', '/v1/monitors');
    assert.equal(res.status, 200);
    const list = res.body as { uuid: string }[];
    const reads = [];
    for (const m of list) reads.push((await h.request('GET', `/v1/monitors/${m.uuid}`)).text);
    assert.equal(res.text, `[${reads.join(',')}]`);
    assert.ok(reads.filter((t) => t.length > 500_000).length >= 6);
  });

  test('the walk over monitors gives each once, in id order, whatever the page and the reads of sizes it spans', async () => {
    const all = (await listMonitors(ctx)).map((m) => m.id);
    assert.equal(all.length, 9);
    for (const page of [
      { bytes: 1, monitors: 2 },
      { bytes: 2_500, monitors: 4 },
      { bytes: 1_100_000, monitors: 5 },
      { bytes: 10, monitors: 9 },
    ]) {
      const pages: number[][] = [];
      for await (const p of monitorPages(ctx, page)) pages.push(p.map((m) => m.id));
      assert.deepEqual(pages.flat(), all, JSON.stringify(page));
      assert.ok(pages.every((p) => p.length > 0 && p.length <= page.monitors));
    }
  });

  test('MCP list_monitors and search_monitors_by_name refuse an answer past 2 MiB and say how to ask for less', async () => {
    const many = await rpcCall('list_monitors', { limit: 200 });
    assert.equal(many.isError, true);
    assert.equal(
      many.text,
      `MCP error -32602: The answer would pass ${MAX_ANSWER / 1024 / 1024} MiB: these monitors are large; ask for fewer per page (limit)`,
    );
    const few = await rpcCall('list_monitors', { limit: 3 });
    assert.equal(few.isError, false, few.text);
    const page = JSON.parse(few.text);
    assert.equal(page.total, 9);
    assert.deepEqual(
      page.monitors.map((m: { uuid: string }) => m.uuid),
      big.slice(0, 3),
    );
    const search = await rpcCall('search_monitors_by_name', { query: 'BIG' });
    assert.equal(search.isError, true);
    assert.match(search.text, /would pass 2 MiB: 6 monitors match; search for a longer part of a name or URL/);
    const one = await rpcCall('search_monitors_by_name', { query: 'big 4' });
    assert.deepEqual(
      JSON.parse(one.text).map((m: { uuid: string }) => m.uuid),
      [big[4]],
    );
  });

  test('list_monitors filters by state in the database: totals and pages as before', async () => {
    const [down, paused] = [big[1], big[2]];
    await h.ctx.store.db.updateTable('monitors').set({ paused: 0 }).where('project_id', '=', h.project.id).execute();
    await h.ctx.store.db.updateTable('monitors').set({ status: 'down' }).where('uuid', '=', down).execute();
    await h.ctx.store.db.updateTable('monitors').set({ paused: 1 }).where('uuid', '=', paused).execute();
    const of = async (status: string) => JSON.parse((await rpcCall('list_monitors', { status, limit: 2 })).text);
    assert.deepEqual(
      (await of('down')).monitors.map((m: { uuid: string }) => m.uuid),
      [down],
    );
    assert.deepEqual(
      (await of('paused')).monitors.map((m: { uuid: string }) => m.uuid),
      [paused],
    );
    assert.equal((await of('up')).total, 7);
    const summary = JSON.parse((await rpcCall('get_status_summary')).text);
    assert.deepEqual(
      { total: summary.total, up: summary.up, down: summary.down_monitors, paused: summary.paused_monitors },
      { total: 9, up: 7, down: [down], paused: [paused] },
    );
    await h.ctx.store.db
      .updateTable('monitors')
      .set({ paused: 1, status: 'up' })
      .where('project_id', '=', h.project.id)
      .execute();
  });

  test("a probe's lease stops once its targets pass the byte budget, and says more checks are due", async () => {
    const probe = await createProbe(h.ctx, { projectUuid: h.project.uuid, region: 'paris', actor: 'test' });
    const actor = { id: probe.id, projectId: h.project.id, projectUuid: h.project.uuid, region: 'paris' };
    const now = Date.now();
    await h.ctx.store.db
      .updateTable('monitors')
      .set({ paused: 0, next_check_at: now - 1000 })
      .where('uuid', 'in', big)
      .execute();
    const opts = { limit: 100, lookaheadMs: 1000, leaseMs: 60_000, targetBytes: 2 * 530_000 }; // two targets of about 524 KB
    const first = await leaseChecks(h.ctx, actor, opts);
    assert.equal(first.leases.length, 2, 'as many as fit the budget');
    assert.equal(first.more, true);
    const rest = [];
    for (let more = true; more; ) {
      const next = await leaseChecks(h.ctx, actor, opts);
      rest.push(...next.leases);
      more = next.more;
    }
    assert.deepEqual(
      [...first.leases, ...rest].map((l) => l.monitorUuid).sort(),
      [...big].sort(),
      'each due check leased once',
    );
    // A budget smaller than one target still leases one: a check is never starved.
    await h.ctx.store.db
      .updateTable('region_checks')
      .set({ next_check_at: now - 1000, lease_until: null })
      .execute();
    assert.equal((await leaseChecks(h.ctx, actor, { ...opts, targetBytes: 1 })).leases.length, 1);
    const answer = await h.request('POST', '/v1/probe/lease', { key: probe.token, body: { limit: 1 } });
    assert.equal(typeof answer.body.more, 'boolean');
    await h.ctx.store.db
      .updateTable('monitors')
      .set({ paused: 1, next_check_at: null })
      .where('uuid', 'in', big)
      .execute();
  });
});

describe('lists walked page by page', () => {
  test('GET /v3/incidents lists more than a page newest first, each incident once, with its status filter', async () => {
    const made: string[] = [];
    for (let i = 0; i < 6; i++) {
      // Two share a date: the newer id comes first.
      const date = new Date(Date.UTC(2026, 0, 1 + Math.min(i, 4))).toISOString();
      const res = await h.request('POST', '/v3/incidents', {
        body: {
          title: { en: `incident ${i}` },
          date,
          updates: i % 3 ? [] : [{ text: { en: 'looking' }, type: 'identified' }],
        },
      });
      assert.equal(res.status, 201, res.text);
      made.push(res.body.uuid);
    }
    const res = await h.request('GET', '/v3/incidents');
    assert.equal(res.status, 200);
    const expected = [...made].reverse(); // the last two share a date: the newer id first
    assert.deepEqual(
      res.body.map((i: { uuid: string }) => i.uuid),
      expected,
    );
    for (const i of res.body.slice(0, 3)) assert.deepEqual(i, (await h.request('GET', `/v3/incidents/${i.uuid}`)).body);
    // The same walk with sizes read two at a time and one incident a page (each is over a byte).
    const pages: string[][] = [];
    for await (const page of incidentPages(ctx, {}, { bytes: 1, sizes: 2 })) pages.push(page.map((i) => i.uuid));
    assert.deepEqual(
      pages,
      expected.map((u) => [u]),
    );
    const identified = (await h.request('GET', '/v3/incidents?status=identified')).body.map(
      (i: { uuid: string }) => i.uuid,
    );
    assert.deepEqual(
      identified,
      expected.filter((u) => made.indexOf(u) % 3 === 0),
    );
  });

  test('GET /v2/healthchecks lists more than a page newest first (ties by id), as a single list did', async () => {
    const n = HEALTHCHECK_PAGE + 30;
    for (let i = 0; i < n; i++)
      await createHealthcheck(ctx, {
        name: `job ${i}`,
        period_value: 60,
        period_type: 'seconds',
        grace_period_value: 1,
        grace_period_type: 'minutes',
      });
    // Creation times with ties across the page boundary.
    const rows = await h.ctx.store.db
      .selectFrom('healthchecks')
      .select(['id', 'uuid'])
      .where('project_id', '=', h.project.id)
      .orderBy('id')
      .execute();
    for (const [i, r] of rows.entries())
      await h.ctx.store.db
        .updateTable('healthchecks')
        .set({ created_at: 1_700_000_000_000 + Math.floor(i / 7) * 1000 })
        .where('id', '=', r.id)
        .execute();
    const res = await h.request('GET', '/v2/healthchecks');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('transfer-encoding'), 'chunked');
    assert.deepEqual(Object.keys(res.body), ['healthchecks']);
    assert.deepEqual(
      res.body.healthchecks.map((c: { uuid: string }) => c.uuid),
      [...rows].reverse().map((r) => r.uuid),
    );
    assert.equal(res.body.healthchecks[0].period, 60);
  });

  test('GET /v1/escalation-policies lists more than a page in creation order', async () => {
    const made: string[] = [];
    for (let i = 0; i < POLICY_PAGE + 3; i++)
      made.push(
        (await createPolicy(ctx, { name: `policy ${i}`, steps: [{ delayMinutes: 0, emails: ['ops@example.org'] }] }))
          .uuid,
      );
    assert.deepEqual(
      (await h.request('GET', '/v1/escalation-policies')).body.map((p: { uuid: string }) => p.uuid),
      made,
    );
  });

  test('an incident on a page reaches every subscriber, more than a page of them, once each', async () => {
    const page = (await h.request('POST', '/v2/statuspages', { body: { name: 'Subscribed', subdomain: 'subscribed' } }))
      .body.statuspage.uuid;
    const pageRow = await h.ctx.store.db
      .selectFrom('status_pages')
      .select('id')
      .where('uuid', '=', page)
      .executeTakeFirstOrThrow();
    for (let i = 0; i < 250; i++)
      await insertSubscriber(h.ctx, pageRow.id, { type: 'email', email: `s${i}@example.org` });
    const res = await h.request('POST', '/v3/incidents', { body: { title: { en: 'Down' }, statuspages: [page] } });
    assert.equal(res.status, 201, res.text);
    const sent = await h.ctx.store.db
      .selectFrom('notifications')
      .select('recipient')
      .where('event', '=', 'statuspage.incident')
      .execute();
    assert.equal(sent.length, 250);
    assert.equal(new Set(sent.map((r) => r.recipient)).size, 250);
  });
});

describe('analyses over many monitors', () => {
  // In the other project: 27 monitors × 2,000 hours are more figures than one answer holds.
  const uuids: string[] = [];
  before(async () => {
    const projectId = (
      await h.ctx.store.db
        .selectFrom('projects')
        .select('id')
        .where('uuid', '=', h.other.uuid)
        .executeTakeFirstOrThrow()
    ).id;
    const theirs: ActorCtx = { ...ctx, actor: { ...ctx.actor, projectId, projectUuid: h.other.uuid } };
    for (let i = 0; i < 27; i++)
      uuids.push(
        (
          await createMonitor(theirs, {
            name: `m${i}`,
            url: `https://m${i}.example.org`,
            paused: true,
            regions: ['paris', 'london'],
          })
        ).uuid,
      );
  });

  test('get_monitor_uptime and get_monitor_response_time refuse more figures than an answer holds, saying how to ask for less', async () => {
    assert.ok(uuids.length * (MAX_PERIODS - 1) > MAX_FIGURES);
    const now = Date.now();
    const window = {
      from: new Date(now - (MAX_PERIODS - 1) * 3_600_000).toISOString(),
      to: new Date(now).toISOString(),
      resolution: 'hour',
    };
    const call = async (name: string, args: Record<string, unknown>) => {
      const res = await h.request('POST', '/v1/mcp', {
        key: h.other.rw,
        body: { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } },
      });
      return res.body.result;
    };
    const uptime = await call('get_monitor_uptime', window);
    assert.equal(uptime.isError, true);
    assert.match(
      uptime.content[0].text,
      new RegExp(
        `more than ${MAX_FIGURES} figures \\(27 monitors × \\d+ periods\\): name fewer monitors \\(monitor_uuids\\), or choose a coarser resolution or a shorter window`,
      ),
    );
    const fewer = await call('get_monitor_uptime', { ...window, monitor_uuids: uuids.slice(0, 10) });
    assert.equal(fewer.isError, undefined, fewer.content[0].text);
    assert.equal(JSON.parse(fewer.content[0].text).monitors.length, 10);
    const times = await call('get_monitor_response_time', { ...window, monitor_uuids: uuids.slice(1, 3) });
    assert.deepEqual(
      JSON.parse(times.content[0].text).monitors.map((m: { avgResponseTimeByRegion: object }) =>
        Object.keys(m.avgResponseTimeByRegion),
      ),
      [
        ['paris', 'london'],
        ['paris', 'london'],
      ],
    );
  });

  test('get_monitor_http_logs counts passes and failures as the filter asks', async () => {
    const m = (
      await h.ctx.store.db.selectFrom('monitors').select('id').where('uuid', '=', uuids[1]).executeTakeFirstOrThrow()
    ).id;
    const now = Date.now();
    await insertResultRows(
      h.ctx.store,
      h.ctx.store.db,
      times(30, (i) => ({
        monitor_id: m,
        at: now - i * 1000,
        location: 'paris',
        ok: i % 6 === 0 ? 0 : 1,
        status_code: i % 6 === 0 ? 503 : 200,
        total_ms: 10,
        dns_ms: null,
        connect_ms: null,
        tls_ms: null,
        ttfb_ms: null,
        error: null,
      })),
    );
    const logs = async (level?: string[]) => {
      const res = await h.request('POST', '/v1/mcp', {
        key: h.other.rw,
        body: {
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: {
            name: 'get_monitor_http_logs',
            arguments: { uuid: uuids[1], limit: 4, ...(level ? { level } : {}) },
          },
        },
      });
      return JSON.parse(res.body.result.content[0].text);
    };
    assert.equal((await logs()).total, 30);
    const failed = await logs(['error']);
    assert.equal(failed.total, 5);
    assert.ok(failed.logs.every((l: { level: string }) => l.level === 'error'));
    const passed = await logs(['info']);
    assert.equal(passed.total, 25);
    assert.equal(passed.logs.length, 4);
    assert.ok(passed.logs.every((l: { level: string }) => l.level === 'info'));
  });

  test('list_recent_alerts counts every alert of a window and lists the newest ones, newest first', async () => {
    const projectId = (
      await h.ctx.store.db
        .selectFrom('projects')
        .select('id')
        .where('uuid', '=', h.other.uuid)
        .executeTakeFirstOrThrow()
    ).id;
    const m = (
      await h.ctx.store.db.selectFrom('monitors').select('id').where('uuid', '=', uuids[2]).executeTakeFirstOrThrow()
    ).id;
    const now = Date.now();
    const n = MAX_RAW_ALERTS + 200;
    await h.ctx.store.db
      .insertInto('outages')
      .values(
        times(n, (i) => ({
          uuid: `outage_t${i}`,
          project_id: projectId,
          monitor_id: m,
          outage_type: 'automatic',
          started_at: now - 86_400_000 + i * 60_000,
          ended_at: i % 2 ? now - 86_400_000 + i * 60_000 + 30_000 : null,
          status_code: 503,
          description: 'down',
          detected_location: 'paris',
          confirmed_locations: 'paris',
          protocol: 'http',
          error_header: null,
          acknowledged_at: null,
          acknowledged_by: null,
          escalation_policy_id: null,
          created_at: now,
          healthcheck_id: null,
          severity: null,
          summary: null,
          escalation_policy_uuid: null,
          escalated_at: null,
          next_alert_at: null,
        })),
      )
      .execute();
    const res = await h.request('POST', '/v1/mcp', {
      key: h.other.rw,
      body: {
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'list_recent_alerts', arguments: { resolution: 'day' } },
      },
    });
    const r = JSON.parse(res.body.result.content[0].text);
    assert.deepEqual([r.totalAlerts, r.downAlerts, r.upAlerts], [n + n / 2, n, n / 2]);
    assert.equal(
      r.timeGroups.reduce((a: number, g: { count: number }) => a + g.count, 0),
      n + n / 2,
    );
    assert.equal(r.rawAlerts.length, MAX_RAW_ALERTS);
    const at = r.rawAlerts.map((a: { status: string; triggered_at: string }) => Date.parse(a.triggered_at));
    assert.deepEqual(
      at,
      [...at].sort((a, b) => b - a),
    );
    assert.equal(at[0], now - 86_400_000 + (n - 1) * 60_000 + 30_000, 'the newest: the end of the last outage');
  });
});

describe('reports over many monitors', () => {
  test('GET /v2/reporting/monitor-reports writes its monitors a page at a time, with the bytes a report of each gives', async () => {
    const key = h.other.rw;
    const uuids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await h.request('POST', '/v1/monitors', {
        key,
        body: { name: `reported ${i} "q"`, url: `https://r${i}.example.org`, paused: i === 2 },
      });
      assert.equal(res.status, 201, res.text);
      uuids.push(res.body.uuid);
    }
    for (const [i, start] of [
      [0, '2026-01-01T10:00:00Z'],
      [3, '2026-01-02T10:00:00Z'],
      [3, '2026-01-03T10:00:00Z'],
    ] as const) {
      const res = await h.request('POST', '/v2/outages', {
        key,
        body: {
          monitorUuid: uuids[i],
          startDate: start,
          endDate: start.replace('T10', 'T11'),
          statusCode: 500,
          description: 'down',
          outageType: 'manual',
        },
      });
      assert.equal(res.status, 201, res.text);
    }
    const query = '?from=2025-12-01T00:00:00Z&to=2026-02-01T00:00:00Z';
    const res = await h.request('GET', `/v2/reporting/monitor-reports${query}`, { key });
    assert.equal(res.status, 200);
    const each = [];
    for (const uuid of uuids.filter((_, i) => i !== 2)) {
      const { details, ...outages } = (await h.request('GET', `/v2/reporting/monitor-reports/${uuid}${query}`, { key }))
        .body.outages;
      const { period, ...one } = (await h.request('GET', `/v2/reporting/monitor-reports/${uuid}${query}`, { key }))
        .body;
      each.push({ ...one, outages });
    }
    assert.equal(
      res.text,
      JSON.stringify({ period: { from: '2025-12-01T00:00:00.000Z', to: '2026-02-01T00:00:00.000Z' }, monitors: each }),
    );
    assert.equal(res.body.monitors[2].outages.count, 2);

    const other = {
      ...ctx,
      actor: {
        ...ctx.actor,
        projectUuid: h.other.uuid,
        projectId: (
          await h.ctx.store.db
            .selectFrom('projects')
            .select('id')
            .where('uuid', '=', h.other.uuid)
            .executeTakeFirstOrThrow()
        ).id,
      },
    };
    const period = { from: Date.parse('2025-12-01T00:00:00Z'), to: Date.parse('2026-02-01T00:00:00Z') };
    for (const size of [1, 2, 4, 5]) {
      const pages = [];
      for await (const page of monitorReportPages(other, period, size)) pages.push(page);
      assert.ok(pages.every((p) => p.length > 0 && p.length <= size));
      assert.deepEqual(pages.flat(), await monitorReports(other, period), `pages of ${size}`);
    }
  });
});

describe('a public page at its bounds', () => {
  let sub = '';
  let long = '';
  let hidden = '';
  const DAY_MS = 86_400_000;
  const day = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * DAY_MS).toISOString();
  const text = (words: string, n: number) => ({ en: pad(words, n) });
  before(async () => {
    const m = await h.request('POST', '/v1/monitors', {
      body: { name: 'on the page', url: 'http://127.0.0.1:9/', paused: true },
    });
    const sp = await h.request('POST', '/v2/statuspages', {
      body: {
        name: 'Bounded',
        subdomain: `bounded-${process.pid}`,
        sections: [{ name: 'S', services: [{ monitor_uuid: m.body.uuid }] }],
      },
    });
    assert.equal(sp.status, 201, sp.text);
    sub = sp.body.statuspage.hostedsubdomain.split('.')[0];
    const incident = async (body: Record<string, unknown>) => {
      const res = await h.request('POST', '/v3/incidents', {
        body: { text: { en: 'short' }, type: 'incident', statuspages: [sp.body.statuspage.uuid], ...body },
      });
      assert.equal(res.status, 201, res.text);
      return res.body.uuid as string;
    };
    // The oldest ongoing incident, an outage, is past the ONGOING_SHOWN newest: not shown, still weighed.
    hidden = await incident({ title: { en: 'hidden outage' }, type: 'outage', date: day(0) });
    await incident({ title: { en: 'hidden too' }, date: day(1) });
    for (let i = 0; i < ONGOING_SHOWN - 1; i++) await incident({ title: { en: `shown ${i}` }, date: day(2 + i) });
    long = await incident({
      title: { en: 'the long one' },
      date: day(40),
      text: text('first words of a long text ', TEXT_PREVIEW + 500),
      updates: times(UPDATES_SHOWN + 3, (u) => ({
        type: 'update',
        text: text(`update number ${u} `, u === UPDATES_SHOWN + 2 ? TEXT_PREVIEW + 10 : 50),
        date: day(40 + u / 24),
      })),
    });
  });

  test('the page shows the newest ongoing incidents, each with its latest updates and a cut text linking to the whole; the others are counted and weighed', async () => {
    const res = await h.request('GET', `/status/${sub}`, { key: null });
    assert.equal(res.status, 200);
    const active = res.text.slice(res.text.indexOf('Active incidents'), res.text.indexOf('Past incidents'));
    assert.equal(active.match(/<article class="item" id="incident-/g)?.length, ONGOING_SHOWN);
    assert.ok(!active.includes('hidden outage') && !active.includes('hidden too'));
    assert.match(active, /2 more ongoing incidents/);
    assert.match(res.text, /<div class="overall major"/, 'the outage not shown still makes the state');
    const article = active.slice(active.indexOf(`id="incident-${long}"`));
    const entries = article.slice(0, article.indexOf('</article>')).match(/<li>/g) ?? [];
    assert.equal(entries.length, UPDATES_SHOWN);
    assert.match(article, new RegExp(`update number ${UPDATES_SHOWN + 2} x+…`));
    assert.doesNotMatch(article, /update number 0 /, "the oldest updates are left for the incident's page");
    assert.match(
      article,
      new RegExp(
        `<p class="text">first words of a long text x{${TEXT_PREVIEW - 'first words of a long text '.length}}…</p>`,
      ),
    );
    assert.match(article, new RegExp(`<a href="/status/${sub}/incidents/${long}">Read the whole incident</a>`));
  });

  test("an incident's own page shows it whole, its updates a page at a time; another page's or a malformed id is 404", async () => {
    const res = await h.request('GET', `/status/${sub}/incidents/${long}`, { key: null });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-security-policy') ?? '', /style-src 'nonce-/);
    assert.ok(res.text.includes(pad('first words of a long text ', TEXT_PREVIEW + 500)), 'the whole text');
    assert.equal(res.text.match(/<li>/g)?.length, Math.min(UPDATES_SHOWN + 3, INCIDENT_PAGE_UPDATES));
    assert.ok(res.text.includes(pad(`update number ${UPDATES_SHOWN + 2} `, TEXT_PREVIEW + 10)));
    assert.match((await h.request('GET', `/status/${sub}/incidents/${hidden}`, { key: null })).text, /hidden outage/);
    const other = await h.request('POST', '/v3/incidents', {
      body: { title: { en: 'elsewhere' }, text: { en: 'x' }, type: 'incident' },
    });
    assert.equal((await h.request('GET', `/status/${sub}/incidents/${other.body.uuid}`, { key: null })).status, 404);
    assert.equal((await h.request('GET', `/status/${sub}/incidents/not-an-id`, { key: null })).status, 404);
  });

  test('a page rendered once serves every visitor the same document under a nonce of its own', async () => {
    const [a, b] = [
      await h.request('GET', `/status/${sub}`, { key: null }),
      await h.request('GET', `/status/${sub}`, { key: null }),
    ];
    const nonce = (r: { headers: Headers }) =>
      /'nonce-([^']+)'/.exec(r.headers.get('content-security-policy') ?? '')![1];
    assert.notEqual(nonce(a), nonce(b));
    assert.ok(a.text.includes(`<style nonce="${nonce(a)}">`) && b.text.includes(`<style nonce="${nonce(b)}">`));
    assert.equal(a.text.replace(nonce(a), ''), b.text.replace(nonce(b), ''));
  });

  test('GET /metrics writes a long answer in pieces, every monitor once', async () => {
    for (let i = 0; i < 60; i++)
      await createMonitor(ctx, { name: pad(`metric ${i} `, 255), url: `https://m${i}.example.org`, paused: true });
    const res = await h.request('GET', '/metrics');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-length'), null, 'written as it is built');
    const paused = res.text.split('\n').filter((l) => l.startsWith('hyperping_monitor_paused{'));
    const names = new Set(paused.map((l) => /name="([^"]*)"/.exec(l)![1]));
    for (let i = 0; i < 60; i++) assert.ok(names.has(pad(`metric ${i} `, 255)));
    assert.equal(names.size, paused.length);
    assert.ok(
      res.text.endsWith('\n') && res.text.split('# TYPE hyperping_monitor_paused ').length === 2,
      'each family once',
    );
  });

  test('a walk over monitors by id lets the event loop turn between its reads, also where the database answers at once', async () => {
    const ids = (
      await h.ctx.store.db
        .selectFrom('monitors')
        .select('id')
        .where('project_id', '=', ctx.actor.projectId)
        .orderBy('id')
        .execute()
    ).map((r) => Number(r.id));
    assert.ok(ids.length > 3 * MONITOR_PAGE);
    let turns = 0;
    let walking = true;
    const turn = () => {
      turns++;
      if (walking) setImmediate(turn);
    };
    setImmediate(turn);
    let seen = 0;
    for await (const page of monitorsById(ctx, ids)) seen += page.length;
    walking = false;
    assert.equal(seen, ids.length);
    assert.ok(turns >= Math.floor(ids.length / MONITOR_PAGE), `${turns} turns`);
  });

  test('the metrics snapshot read a few monitors at a time is the one read at once, rollups included', async () => {
    const ids = (
      await h.ctx.store.db
        .selectFrom('monitors')
        .select('id')
        .where('project_id', '=', ctx.actor.projectId)
        .orderBy('id')
        .execute()
    ).map((r) => Number(r.id));
    const today = Math.floor(Date.now() / 86_400_000) * 86_400_000;
    for (const [i, id] of [ids[0], ids[3], ids[4], ids[ids.length - 1]].entries()) {
      for (const location of ['paris', 'london']) {
        await h.ctx.store.db
          .insertInto('check_rollups')
          .values({
            monitor_id: id,
            granularity: 'day',
            bucket: today,
            location,
            checks: 10 + i,
            failures: i,
            sum_ms: 100,
            ...Object.fromEntries(times(12, (k) => [`h${k}`, 0])),
          } as never)
          .execute();
      }
    }
    // The outbox's age moves with the clock: the rest is compared.
    const snapshot = async (page?: number) => ({
      ...(await metricsSnapshot(h.ctx, { projectId: ctx.actor.projectId, countedSince: today, page })),
      outbox: null,
    });
    const whole = await snapshot();
    assert.equal(whole.monitors.filter((m) => m.counts.length === 2).length, 4);
    for (const page of [1, 2, 4, ids.length]) {
      assert.deepEqual(await snapshot(page), whole, `pages of ${page}`);
    }
    const text = (await h.request('GET', '/metrics')).text;
    assert.equal(text.split('\n').filter((l) => l.startsWith('vigil_monitor_checks_total{')).length, 8);
  });
});
