import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import { expectStatus, startHarness, type Harness } from '../harness.ts';
import { recordResults, type ObservedResult } from '../../src/services/results.ts';

const NOW = Date.UTC(2026, 5, 10, 12, 0, 0); // a Wednesday, noon UTC
const MIN = 60_000;
const H = 60 * MIN;
let offset = 0;
const clock = () => NOW + offset;

let h: Harness;
const FORBID = '{"error":"Insufficient permissions for this action"}';

/** A small MCP client: JSON-RPC 2.0 over POST /v1/mcp, as hyperping-go speaks it. */
let nextId = 1;
async function rpc(
  method: string,
  params?: unknown,
  opts: { key?: string | null; session?: string; id?: unknown } = {},
) {
  const body: Record<string, unknown> = { jsonrpc: '2.0', id: opts.id === undefined ? nextId++ : opts.id, method };
  if (params !== undefined) body.params = params;
  const headers: Record<string, string> = {
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': '2025-03-26',
  };
  if (opts.session) headers['mcp-session-id'] = opts.session;
  return h.request('POST', '/v1/mcp', { key: opts.key, body, headers });
}

/** tools/call and the JSON payload of content[0].text (the call must succeed). */
async function call(name: string, args: Record<string, unknown> = {}, key?: string) {
  const res = await rpc('tools/call', { name, arguments: args }, { key });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.jsonrpc, '2.0');
  assert.equal(res.body.error, undefined, res.text);
  const { content, isError } = res.body.result;
  assert.equal(isError, undefined, content?.[0]?.text);
  assert.equal(content.length, 1);
  assert.equal(content[0].type, 'text');
  return JSON.parse(content[0].text);
}

/** A tool call refused inside the result, as the hosted server answers bad input: its text. */
async function refused(name: string, args: unknown, key?: string): Promise<string> {
  const res = await rpc('tools/call', { name, arguments: args }, { key });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.result.isError, true, res.text);
  return res.body.result.content[0].text;
}

async function monitor(body: Record<string, unknown>, key?: string) {
  const res = await h.request('POST', '/v1/monitors', { key, body });
  assert.equal(res.status, 201, res.text);
  const row = await h.ctx.store.db
    .selectFrom('monitors')
    .select('id')
    .where('uuid', '=', res.body.uuid)
    .executeTakeFirstOrThrow();
  return { uuid: res.body.uuid as string, id: Number(row.id) };
}

const result = (
  monitorId: number,
  at: number,
  ok: boolean,
  totalMs: number | null,
  location = 'london',
): ObservedResult => ({
  monitorId,
  at,
  location,
  ok,
  statusCode: ok ? 200 : 503,
  totalMs,
  dnsMs: 1,
  connectMs: 2,
  tlsMs: 3,
  ttfbMs: 4,
  error: ok ? null : 'expected 2xx, got 503',
});

let api: { uuid: string; id: number };
let web: { uuid: string; id: number };
let db: { uuid: string; id: number };
let apiOutage: string;
let dbOutage: string;
let theirs: { uuid: string; id: number };

before(async () => {
  h = await startHarness({ clock, env: { VIGIL_RATE_LIMIT_PER_HOUR: '0' } });
  api = await monitor({ name: 'api', url: 'https://api.example.org/health', regions: ['london', 'frankfurt'] });
  web = await monitor({ name: 'web', url: 'https://www.example.org', paused: true });
  db = await monitor({ name: 'db', url: 'https://db.example.org' });
  theirs = await monitor({ name: 'api of another project', url: 'https://other.example.org' }, h.other.rw);
  // What the engine records: 24 normal checks, one slow one, a confirmed outage (two failures)
  // and its recovery for "api"; an ongoing outage for "db".
  // Each flush of the scheduler holds a few seconds of results, so they are recorded in steps.
  const normal: ObservedResult[] = [];
  for (let i = 0; i < 24; i++) normal.push(result(api.id, NOW - 3 * H + i * MIN, true, 100 + (i % 5) * 10));
  await recordResults(h.ctx, [...normal, result(api.id, NOW - 150 * MIN, true, 2000)]);
  await recordResults(h.ctx, [
    result(api.id, NOW - 2 * H, false, null),
    result(api.id, NOW - 2 * H + 10_000, false, null),
  ]);
  await recordResults(h.ctx, [result(api.id, NOW - H, true, 120), result(api.id, NOW - H + 10_000, true, 130)]);
  await recordResults(h.ctx, [
    result(db.id, NOW - 30 * MIN, false, null),
    result(db.id, NOW - 30 * MIN + 10_000, false, null),
  ]);
  const rows = await h.ctx.store.db.selectFrom('outages').select(['uuid', 'monitor_id']).execute();
  apiOutage = rows.find((r) => Number(r.monitor_id) === api.id)!.uuid;
  dbOutage = rows.find((r) => Number(r.monitor_id) === db.id)!.uuid;
  // Acknowledged five minutes after it began.
  offset = -2 * H + 5 * MIN;
  assert.equal((await h.request('POST', `/v2/outages/${apiOutage}/acknowledge`)).status, 200);
  offset = 0;
});
after(async () => {
  await h.stop();
});

describe('MCP protocol (POST /v1/mcp)', () => {
  test('initialize answers with the server info and an Mcp-Session-Id that later requests carry', async () => {
    const res = await rpc('initialize', {
      protocolVersion: '2025-03-26',
      capabilities: {},
      clientInfo: { name: 'hyperping-go', version: '0.7.1' },
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^application\/json/);
    assert.equal(res.body.jsonrpc, '2.0');
    assert.equal(typeof res.body.id, 'number');
    assert.deepEqual(res.body.result, {
      protocolVersion: '2025-03-26',
      capabilities: { tools: {} },
      serverInfo: { name: 'vigil', version: res.body.result.serverInfo.version },
    });
    assert.match(res.body.result.serverInfo.version, /^\d+\.\d+\.\d+/);
    const session = res.headers.get('mcp-session-id')!;
    assert.match(session, /^[0-9a-f]{32}$/);

    const note = await h.request('POST', '/v1/mcp', {
      body: { jsonrpc: '2.0', method: 'notifications/initialized' },
      headers: { 'mcp-session-id': session },
    });
    assert.equal(note.status, 202);
    assert.equal(note.text, '');
    const listed = await rpc('tools/list', {}, { session });
    assert.equal(listed.status, 200);
    assert.ok(listed.body.result.tools.length > 20);
    // The spec form (no session at all) works too.
    assert.equal((await rpc('tools/list')).status, 200);
  });

  test('tools/list gives every tool a JSON-schema inputSchema that refuses unknown keys', async () => {
    const { tools } = (await rpc('tools/list')).body.result;
    const names = tools.map((t: { name: string }) => t.name);
    for (const n of [
      'list_monitors',
      'get_monitor',
      'create_monitor',
      'update_monitor',
      'delete_monitor',
      'pause_monitor',
      'resume_monitor',
      'search_monitors_by_name',
      'get_status_summary',
      'list_outages',
      'get_outage',
      'get_outage_timeline',
      'get_monitor_outages',
      'list_recent_alerts',
      'get_monitor_uptime',
      'get_monitor_response_time',
      'get_monitor_mttr',
      'get_monitor_mtta',
      'get_monitor_anomalies',
      'get_monitor_http_logs',
      'list_on_call_schedules',
      'get_on_call_schedule',
      'list_escalation_policies',
      'get_escalation_policy',
      'list_team_members',
      'list_integrations',
      'get_integration',
    ])
      assert.ok(names.includes(n), n);
    assert.equal(new Set(names).size, names.length);
    for (const t of tools) {
      assert.equal(typeof t.description, 'string', t.name);
      assert.equal(t.inputSchema.type, 'object', t.name);
      assert.equal(t.inputSchema.additionalProperties, false, t.name);
    }
    const create = tools.find((t: { name: string }) => t.name === 'create_monitor').inputSchema;
    assert.deepEqual(create.required, ['name', 'url']);
    assert.ok(create.properties.check_frequency && create.properties.regions && !create.properties.projectUuid);
  });

  test('errors: parse error and invalid request are HTTP 400, unknown method or tool -32601, notifications 202', async () => {
    const parse = await h.request('POST', '/v1/mcp', { raw: '{"jsonrpc":"2.0",' });
    assert.equal(parse.status, 400);
    assert.deepEqual(parse.body, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
    for (const bad of [
      {},
      { jsonrpc: '1.0', id: 1, method: 'tools/list' },
      { jsonrpc: '2.0', id: 1 },
      { jsonrpc: '2.0', id: { x: 1 }, method: 'ping' },
      [],
    ]) {
      const res = await h.request('POST', '/v1/mcp', { body: bad });
      assert.equal(res.status, 400, JSON.stringify(bad));
      assert.equal(res.body.error.code, -32600);
    }
    const unknown = await rpc('resources/list', {}, { id: 'a' });
    assert.deepEqual(unknown.body, {
      jsonrpc: '2.0',
      id: 'a',
      error: { code: -32601, message: 'Method not found: resources/list' },
    });
    const tool = await rpc('tools/call', { name: 'drop_database', arguments: {} }, { id: 7 });
    assert.equal(tool.status, 200);
    assert.deepEqual(tool.body, {
      jsonrpc: '2.0',
      id: 7,
      error: { code: -32601, message: 'Unknown tool: drop_database' },
    });
    const noName = await rpc('tools/call', { arguments: {} });
    assert.equal(noName.body.error.code, -32602);
    const anyNote = await h.request('POST', '/v1/mcp', {
      body: { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } },
    });
    assert.equal(anyNote.status, 202);
    assert.equal((await rpc('ping')).body.result && true, true);
  });

  test('the body /openapi.json documents is the envelope the endpoint checks: what it allows is never 400, what it refuses always is', async () => {
    // Found by Schemathesis: the body was documented as any JSON, so {} was valid by the schema and answered 400.
    const doc = (await h.request('GET', '/openapi.json', { key: null })).body;
    const validate = new Ajv({ strict: false }).compile(
      doc.paths['/v1/mcp'].post.requestBody.content['application/json'].schema,
    );
    const bodies: unknown[] = [
      {},
      [],
      'x',
      42,
      null,
      { jsonrpc: '1.0', id: 1, method: 'ping' },
      { jsonrpc: '2.0', id: 1 },
      { jsonrpc: '2.0', id: true, method: 'ping' },
      { jsonrpc: '2.0', id: { x: 1 }, method: 'ping' },
      { jsonrpc: '2.0', method: 7 },
      Array.from({ length: 21 }, () => 1),
      { jsonrpc: '2.0', id: 1, method: 'ping' },
      { jsonrpc: '2.0', id: null, method: 'nothing/here', params: 3 },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 'a', method: 'tools/list', extra: true },
      [1, 'x'],
      [{ jsonrpc: '2.0', id: 1, method: 'ping' }],
    ];
    for (const body of bodies) {
      const res = await h.request('POST', '/v1/mcp', { body });
      assert.equal(res.status === 400, !validate(body), `${JSON.stringify(body).slice(0, 60)}: ${res.status}`);
    }
  });

  test('keys a tool does not declare are dropped, not refused, as the hosted server does', async () => {
    const m = await call('get_monitor', { uuid: api.uuid, verbose: true });
    assert.equal(m.uuid, api.uuid);
    assert.equal(m.verbose, undefined);
    const made = await call('create_monitor', {
      name: 'extra keys',
      url: 'https://example.org',
      frequency: 300,
      check_frequency: 600,
      paused: true,
    });
    assert.equal(made.check_frequency, 600);
    assert.equal((await h.request('GET', `/v1/monitors/${made.uuid}`)).body.check_frequency, 600);
    assert.equal((await h.request('DELETE', `/v1/monitors/${made.uuid}`)).status, 204);
  });

  test('bad arguments are refused inside the result with -32602, as the hosted server does', async () => {
    assert.equal(await refused('get_monitor', {}), 'MCP error -32602: Input validation error: uuid is required');
    assert.equal(
      await refused('list_monitors', { limit: 500 }),
      'MCP error -32602: Input validation error: limit must be at most 200',
    );
    assert.equal(
      await refused('list_monitors', { status: 'sideways' }),
      'MCP error -32602: Input validation error: status must be one of up, down, paused, ssl_expiring',
    );
    assert.equal(
      await refused('list_monitors', null),
      'MCP error -32602: Input validation error: arguments must be an object',
    );
    assert.match(
      await refused('create_monitor', { name: 'x', url: 'https://e.org', check_frequency: 7 }),
      /^MCP error -32602: Input validation error: check_frequency must be one of 10, 20/,
    );
    assert.equal(await refused('create_monitor', { name: 'x', url: 'not a url' }), 'MCP error -32602: Invalid URL');
    assert.match(
      await refused('get_monitor_uptime', { from: 'yesterday' }),
      /^MCP error -32602: from must be an ISO 8601 date-time/,
    );
    // Arguments may be omitted for a tool without required ones.
    const res = await rpc('tools/call', { name: 'get_status_summary' });
    assert.equal(res.body.result.isError, undefined);
  });

  test('the OpenAPI form (the method is the tool, params its arguments) and batches work', async () => {
    const res = await rpc('get_status_summary', {}, { id: 'spec-1' });
    assert.equal(res.status, 200);
    assert.equal(res.body.id, 'spec-1');
    assert.equal(JSON.parse(res.body.result.content[0].text).total, 3);
    const batch = await h.request('POST', '/v1/mcp', {
      body: [
        { jsonrpc: '2.0', id: 1, method: 'ping' },
        { jsonrpc: '2.0', method: 'notifications/initialized' },
        { jsonrpc: '2.0', id: 2, method: 'nope' },
      ],
    });
    assert.equal(batch.status, 200);
    assert.deepEqual(
      batch.body.map((r: { id: number }) => r.id),
      [1, 2],
    );
    assert.equal(batch.body[1].error.code, -32601);
  });

  test("sessions: unknown, another key's or idle-expired ids get 404; the client then re-initialises", async () => {
    const unknown = await rpc('tools/list', {}, { session: 'f'.repeat(32) });
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.body, { jsonrpc: '2.0', id: null, error: { code: -32001, message: 'Session not found' } });
    const session = (await rpc('initialize', { protocolVersion: '2025-03-26', capabilities: {} })).headers.get(
      'mcp-session-id',
    )!;
    assert.equal(
      (await rpc('tools/list', {}, { session, key: h.other.rw })).status,
      404,
      'bound to the key that opened it',
    );
    try {
      offset = 29 * MIN;
      assert.equal(
        (await rpc('tools/list', {}, { session })).status,
        200,
        'still fresh; each use restarts the idle clock',
      );
      offset = 29 * MIN + 31 * MIN;
      assert.equal((await rpc('tools/list', {}, { session })).status, 404);
      const again = await rpc('initialize', { protocolVersion: '2025-03-26', capabilities: {} });
      assert.equal((await rpc('tools/list', {}, { session: again.headers.get('mcp-session-id')! })).status, 200);
    } finally {
      offset = 0;
    }
  });

  test('authentication: 401 without a key, 403 with the exact body for a read-only key (MCP is a POST)', async () => {
    const none = await rpc('tools/list', {}, { key: null });
    assert.equal(none.status, 401);
    assert.equal(none.text, '{"error":"Invalid or missing API key"}');
    for (const method of ['initialize', 'tools/list']) {
      const ro = await rpc(method, {}, { key: h.ro });
      assert.equal(ro.status, 403);
      assert.equal(ro.text, FORBID);
      assert.match(ro.headers.get('content-type')!, /^application\/json/);
    }
  });
});

describe('MCP tools over real data', () => {
  test('list_monitors pages and filters; get_monitor and search return the REST monitor shape', async () => {
    const all = await call('list_monitors');
    assert.deepEqual(Object.keys(all), ['monitors', 'total', 'page', 'limit']);
    assert.deepEqual([all.total, all.page, all.limit], [3, 0, 50]);
    assert.deepEqual(
      all.monitors.map((m: { name: string }) => m.name),
      ['api', 'web', 'db'],
    );
    const rest = (await h.request('GET', `/v1/monitors/${api.uuid}`)).body;
    assert.deepEqual(all.monitors[0], rest);
    assert.deepEqual(
      (await call('list_monitors', { status: 'down' })).monitors.map((m: { uuid: string }) => m.uuid),
      [db.uuid],
    );
    assert.deepEqual(
      (await call('list_monitors', { status: 'paused' })).monitors.map((m: { uuid: string }) => m.uuid),
      [web.uuid],
    );
    assert.deepEqual(
      (await call('list_monitors', { status: 'up' })).monitors.map((m: { uuid: string }) => m.uuid),
      [api.uuid],
    );
    assert.deepEqual((await call('list_monitors', { status: 'ssl_expiring' })).monitors, []);
    const page1 = await call('list_monitors', { page: 1, limit: 1 });
    assert.deepEqual([page1.total, page1.monitors[0].uuid], [3, web.uuid]);
    assert.deepEqual(await call('get_monitor', { uuid: api.uuid }), rest);
    assert.deepEqual(
      (await call('search_monitors_by_name', { query: 'API' })).map((m: { uuid: string }) => m.uuid),
      [api.uuid],
    );
    assert.deepEqual(
      (await call('search_monitors_by_name', { query: 'db.example' })).map((m: { uuid: string }) => m.uuid),
      [db.uuid],
    );
  });

  test('get_status_summary counts by state', async () => {
    assert.deepEqual(await call('get_status_summary'), {
      total: 3,
      up: 1,
      down: 1,
      paused: 1,
      unknown: 0,
      down_monitors: [db.uuid],
      paused_monitors: [web.uuid],
    });
  });

  test('create, update, pause, resume and delete a monitor; the REST API sees each change', async () => {
    const created = await call('create_monitor', {
      name: 'via mcp',
      url: 'https://mcp.example.org',
      check_frequency: 300,
      regions: ['paris'],
      expected_status_code: '200',
    });
    assert.match(created.uuid, /^mon_/);
    assert.deepEqual(
      [created.check_frequency, created.regions, created.expected_status_code, created.paused],
      [300, ['paris'], 200, false],
    );
    assert.deepEqual((await h.request('GET', `/v1/monitors/${created.uuid}`)).body, created);
    const updated = await call('update_monitor', { uuid: created.uuid, name: 'renamed' });
    assert.deepEqual([updated.name, updated.url, updated.check_frequency], ['renamed', 'https://mcp.example.org', 300]);
    assert.equal((await call('pause_monitor', { uuid: created.uuid })).paused, true);
    assert.equal((await h.request('GET', `/v1/monitors/${created.uuid}`)).body.paused, true);
    assert.equal((await call('resume_monitor', { uuid: created.uuid })).paused, false);
    assert.deepEqual(await call('delete_monitor', { uuid: created.uuid }), {
      message: 'Monitor deleted',
      uuid: created.uuid,
    });
    assert.equal((await h.request('GET', `/v1/monitors/${created.uuid}`)).status, 404);
    assert.equal(await refused('delete_monitor', { uuid: created.uuid }), 'MCP error -32602: Monitor not found');
  });

  test('outages: list, get, per monitor, and the timeline with the checks around it', async () => {
    const list = await call('list_outages');
    assert.deepEqual(
      [list.total, list.ongoingCount, list.page, list.resultsPerPage, list.hasNextPage],
      [2, 1, 0, 20, false],
    );
    assert.deepEqual(
      list.outages.map((o: { uuid: string }) => o.uuid),
      [dbOutage, apiOutage],
    );
    assert.deepEqual(
      (await call('list_outages', { status: 'ongoing' })).outages.map((o: { uuid: string }) => o.uuid),
      [dbOutage],
    );
    assert.deepEqual(
      (await call('list_outages', { search: 'api.example' })).outages.map((o: { uuid: string }) => o.uuid),
      [apiOutage],
    );
    const one = await call('get_outage', { uuid: apiOutage });
    assert.deepEqual(one, (await h.request('GET', `/v2/outages/${apiOutage}`)).body.outage);
    assert.deepEqual(
      [one.startDate, one.endDate, one.durationMs, one.statusCode, one.outageType],
      [new Date(NOW - 2 * H).toISOString(), new Date(NOW - H).toISOString(), H, 503, 'automatic'],
    );
    const mine = await call('get_monitor_outages', { monitor_uuid: api.uuid });
    assert.deepEqual([mine.total, mine.ongoingCount, mine.outages[0].uuid], [1, 0, apiOutage]);
    assert.equal((await call('get_monitor_outages', { monitor_uuid: api.uuid, status: 'ongoing' })).total, 0);

    const t = await call('get_outage_timeline', { uuid: apiOutage });
    assert.deepEqual([t.uuid, t.monitor_uuid, t.outage.uuid], [apiOutage, api.uuid, apiOutage]);
    assert.deepEqual(
      t.events.map((e: { status: string; timestamp: string }) => [e.status, e.timestamp]),
      [
        ['started', new Date(NOW - 2 * H).toISOString()],
        ['acknowledged', new Date(NOW - 2 * H + 5 * MIN).toISOString()],
        ['resolved', new Date(NOW - H).toISOString()],
      ],
    );
    assert.equal(t.events[1].user, 'rw', 'acknowledged by the API key named rw');
    assert.deepEqual(
      t.checks.map((c: { ok: boolean; timestamp: string }) => [c.ok, c.timestamp]),
      [
        [false, new Date(NOW - 2 * H).toISOString()],
        [false, new Date(NOW - 2 * H + 10_000).toISOString()],
        [true, new Date(NOW - H).toISOString()],
        [true, new Date(NOW - H + 10_000).toISOString()],
      ],
    );
    assert.deepEqual(t.checks[0], {
      timestamp: new Date(NOW - 2 * H).toISOString(),
      location: 'london',
      ok: false,
      status: 503,
      responseTime: null,
      error: 'expected 2xx, got 503',
    });
  });

  test('list_recent_alerts: outage starts are down alerts, ends up alerts, counted per period', async () => {
    const r = await call('list_recent_alerts');
    assert.deepEqual([r.totalAlerts, r.downAlerts, r.upAlerts], [3, 2, 1]);
    assert.equal(r.timeGroups.length, 31, 'every day of the 30-day window, zeros included');
    assert.deepEqual(r.timeGroups.at(-1), { time: '2026-06-10', count: 3 });
    assert.equal(
      r.timeGroups.reduce((a: number, g: { count: number }) => a + g.count, 0),
      3,
    );
    assert.deepEqual(
      r.rawAlerts.map((a: { status: string; monitor_uuid: string }) => [a.status, a.monitor_uuid]),
      [
        ['down', db.uuid],
        ['up', api.uuid],
        ['down', api.uuid],
      ],
    );
    assert.deepEqual(r.rawAlerts[1], {
      uuid: apiOutage,
      monitor_uuid: api.uuid,
      monitor_name: 'api',
      status: 'up',
      triggered_at: new Date(NOW - H).toISOString(),
      acknowledged_by: 'rw',
      resolved_at: new Date(NOW - H).toISOString(),
    });
    const hourly = await call('list_recent_alerts', {
      from: new Date(NOW - 3 * H).toISOString(),
      to: new Date(NOW).toISOString(),
      resolution: 'hour',
      monitor_uuids: [api.uuid],
    });
    assert.deepEqual(hourly.timeGroups, [
      { time: '2026-06-10T09:00:00.000Z', count: 0 },
      { time: '2026-06-10T10:00:00.000Z', count: 1 },
      { time: '2026-06-10T11:00:00.000Z', count: 1 },
    ]);
    const weekly = await call('list_recent_alerts', { resolution: 'week' });
    assert.deepEqual(weekly.timeGroups.at(-1), { time: '2026-06-08', count: 3 }, 'weeks start on Monday');
  });

  test('get_monitor_uptime from the outage history, per monitor and per day', async () => {
    const u = await call('get_monitor_uptime');
    assert.deepEqual(Object.keys(u), [
      'monitors',
      'periodAverages',
      'totalOutages',
      'totalOutagesLength',
      'MTTR',
      'averageUptime',
    ]);
    const [a, w, d] = u.monitors;
    assert.deepEqual(
      [a.uuid, a.outageCount, a.totalDowntime, a.mttr, a.longestOutage, a.averageUptime],
      [api.uuid, 1, 3600, 3600, 3600, 99.86],
    );
    assert.deepEqual([w.uuid, w.outageCount, w.averageUptime], [web.uuid, 0, 100]);
    assert.deepEqual([d.uuid, d.outageCount, d.totalDowntime, d.mttr, d.averageUptime], [db.uuid, 1, 1800, 0, 99.93]);
    assert.equal(a.uptimePeriods.length, 31);
    assert.deepEqual(
      a.uptimePeriods.at(-1),
      { date: '2026-06-10', uptime: 91.66 },
      'one hour down in the twelve hours of today so far',
    );
    assert.deepEqual(a.uptimePeriods[0], { date: '2026-05-11', uptime: 100 });
    assert.deepEqual(u.periodAverages.at(-1), {
      date: '2026-06-10',
      uptime: Math.round(((91.66 + 100 + 95.83) / 3) * 100) / 100,
    });
    assert.deepEqual(
      [u.totalOutages, u.totalOutagesLength, u.MTTR, u.averageUptime],
      [2, 5400, 3600, `${Math.round(((99.86 + 100 + 99.93) / 3) * 100) / 100}%`],
    );
    const one = await call('get_monitor_uptime', { monitor_uuids: [web.uuid], resolution: 'month' });
    assert.deepEqual(
      one.monitors.map((m: { uuid: string }) => m.uuid),
      [web.uuid],
    );
    assert.deepEqual(
      one.monitors[0].uptimePeriods.map((p: { date: string }) => p.date),
      ['2026-05-01', '2026-06-01'],
    );
  });

  test('get_monitor_mttr and get_monitor_mtta', async () => {
    const r = await call('get_monitor_mttr');
    assert.deepEqual(r, {
      monitors: [
        {
          uuid: api.uuid,
          name: 'api',
          protocol: 'http',
          outageCount: 1,
          totalDowntime: 3600,
          mttr: 3600,
          mtta: 300,
          longestOutage: 3600,
        },
        {
          uuid: db.uuid,
          name: 'db',
          protocol: 'http',
          outageCount: 1,
          totalDowntime: 1800,
          mttr: 0,
          mtta: 0,
          longestOutage: 1800,
        },
      ],
      totalOutages: 2,
      totalOutagesLength: 5400,
      mttr: 3600,
      mtta: 300,
    });
    assert.deepEqual(await call('get_monitor_mtta'), {
      monitors: [{ uuid: api.uuid, name: 'api', protocol: 'http', acknowledged: 1, mtta: 300 }],
      totalAcknowledged: 1,
      mtta: 300,
    });
    assert.deepEqual(await call('get_monitor_mtta', { monitor_uuids: [db.uuid] }), {
      monitors: [],
      totalAcknowledged: 0,
      mtta: 0,
    });
    // hyperping-go before 0.7 (the exporter's SDK) names one monitor with `uuid`.
    assert.deepEqual(await call('get_monitor_mtta', { uuid: db.uuid }), {
      monitors: [],
      totalAcknowledged: 0,
      mtta: 0,
    });
    assert.equal((await call('get_monitor_mtta', { uuid: api.uuid })).mtta, 300);
  });

  test('get_monitor_response_time from the rollups: averages, p95 from the histogram, by location', async () => {
    const r = await call('get_monitor_response_time', { monitor_uuids: [api.uuid] });
    // 27 timed successes: 24 of 100–140 ms, 120, 130 and one of 2000 ms.
    const times = [...Array.from({ length: 24 }, (_, i) => 100 + (i % 5) * 10), 2000, 120, 130];
    const avg = Math.round(times.reduce((a, b) => a + b, 0) / times.length);
    assert.deepEqual(r.timeGroups, [{ time: '2026-06-10', avgResponseTime: avg, count: 27 }]);
    assert.equal(r.avgResponseTime, avg);
    assert.equal(r.p95ResponseTime, 200, 'the upper bound of the histogram bucket holding the 95th percentile');
    assert.deepEqual(r.monitors, [
      {
        uuid: api.uuid,
        name: 'api',
        protocol: 'http',
        avgResponseTime: avg,
        avgResponseTimeByRegion: { london: avg, frankfurt: null },
        count: 27,
      },
    ]);
    const hourly = await call('get_monitor_response_time', {
      monitor_uuids: [api.uuid],
      from: new Date(NOW - 3 * H).toISOString(),
      resolution: 'hour',
    });
    assert.deepEqual(
      hourly.timeGroups.map((g: { time: string; count: number }) => [g.time, g.count]),
      [
        ['2026-06-10T09:00:00.000Z', 25],
        ['2026-06-10T11:00:00.000Z', 2],
      ],
    );
    const empty = await call('get_monitor_response_time', { monitor_uuids: [web.uuid] });
    assert.deepEqual(
      [empty.timeGroups, empty.avgResponseTime, empty.p95ResponseTime, empty.monitors[0].count],
      [[], null, null, 0],
    );
  });

  test('get_monitor_http_logs pages raw results, newest first; info = passed, error = failed', async () => {
    const r = await call('get_monitor_http_logs', { uuid: api.uuid, limit: 2 });
    assert.deepEqual([r.uuid, r.total, r.page, r.limit, r.hasNextPage], [api.uuid, 29, 0, 2, true]);
    assert.deepEqual(r.logs[0], {
      timestamp: new Date(NOW - H + 10_000).toISOString(),
      location: 'london',
      ok: true,
      status: 200,
      responseTime: 130,
      error: null,
      level: 'info',
      timings: { dns: 1, connect: 2, tls: 3, ttfb: 4 },
    });
    const errors = await call('get_monitor_http_logs', { uuid: api.uuid, level: ['error'] });
    assert.deepEqual([errors.total, ...errors.logs.map((l: { level: string }) => l.level)], [2, 'error', 'error']);
    assert.equal((await call('get_monitor_http_logs', { uuid: api.uuid, level: ['warn'] })).total, 0);
    assert.equal((await call('get_monitor_http_logs', { uuid: api.uuid, page: 14, limit: 2 })).logs.length, 1);
  });

  test('get_monitor_anomalies: failures and checks far above the p95', async () => {
    const r = await call('get_monitor_anomalies', { uuid: api.uuid });
    assert.deepEqual([r.uuid, r.checksAnalyzed, r.p95ResponseTime], [api.uuid, 29, 140]);
    assert.deepEqual(
      r.anomalies.map((a: { type: string; score: number; detected_at: string }) => [a.type, a.score, a.detected_at]),
      [
        ['check_failure', 1, new Date(NOW - 2 * H + 10_000).toISOString()],
        ['check_failure', 1, new Date(NOW - 2 * H).toISOString()],
        ['latency_spike', 0.93, new Date(NOW - 150 * MIN).toISOString()],
      ],
    );
    assert.equal(r.anomalies[2].responseTime, 2000);
    assert.equal(r.anomalies[2].monitor_uuid, api.uuid);
    assert.deepEqual((await call('get_monitor_anomalies', { uuid: web.uuid })).anomalies, []);
  });

  test('alerting objects Vigil does not have yet: empty lists, not-found gets', async () => {
    assert.deepEqual(await call('list_on_call_schedules'), { schedules: [] });
    assert.deepEqual(await call('list_escalation_policies'), []);
    assert.deepEqual(await call('list_team_members'), []);
    assert.deepEqual(await call('list_integrations'), []);
    assert.equal(
      await refused('get_on_call_schedule', { uuid: 'sch_AAAAAAAAAAAAAA' }),
      'MCP error -32602: On-call schedule not found',
    );
    assert.equal(
      await refused('get_escalation_policy', { uuid: 'esc_AAAAAAAAAAAAAA' }),
      'MCP error -32602: Escalation policy not found',
    );
    assert.equal(
      await refused('get_integration', { uuid: 'int_AAAAAAAAAAAAAA' }),
      'MCP error -32602: Integration not found',
    );
  });

  test('incidents and status pages read as over REST', async () => {
    const inc = (
      await expectStatus(
        201,
        h.request('POST', '/v3/incidents', { body: { title: { en: 'Slow API' }, affectedComponents: [api.uuid] } }),
      )
    ).body;
    const listed = await call('list_incidents');
    assert.deepEqual(listed, (await h.request('GET', '/v3/incidents')).body);
    assert.deepEqual(
      await call('get_incident', { uuid: inc.uuid }),
      (await h.request('GET', `/v3/incidents/${inc.uuid}`)).body,
    );
    const sp = (
      await h.request('POST', '/v2/statuspages', {
        body: { name: 'Status', sections: [{ name: { en: 'API' }, services: [{ monitor_uuid: api.uuid }] }] },
      })
    ).body.statuspage;
    const page = await call('list_status_pages');
    assert.deepEqual(
      [page.total, page.statuspages[0]],
      [1, (await h.request('GET', `/v2/statuspages/${sp.uuid}`)).body.statuspage],
    );
    assert.deepEqual(
      await call('get_status_page', { uuid: sp.uuid }),
      (await h.request('GET', `/v2/statuspages/${sp.uuid}`)).body.statuspage,
    );
  });

  test("SECURITY 6: isolation: another project's monitors and outages are not found, as a random id", async () => {
    const random = await refused('get_monitor', { uuid: 'mon_AAAAAAAAAAAAAA' });
    assert.equal(random, 'MCP error -32602: Monitor not found');
    for (const name of ['get_monitor', 'pause_monitor', 'get_monitor_anomalies', 'get_monitor_http_logs']) {
      assert.equal(await refused(name, { uuid: theirs.uuid }), random, name);
    }
    assert.equal(await refused('get_monitor_outages', { monitor_uuid: theirs.uuid }), random);
    assert.equal(
      await refused('get_monitor_uptime', { monitor_uuids: [theirs.uuid] }),
      `MCP error -32602: Monitor ${theirs.uuid} in monitor_uuids does not exist`,
    );
    assert.equal(await refused('get_outage', { uuid: apiOutage }, h.other.rw), 'MCP error -32602: Outage not found');
    assert.equal(
      await refused('get_outage_timeline', { uuid: apiOutage }, h.other.rw),
      'MCP error -32602: Outage not found',
    );
    // Their own view holds only their monitor.
    const summary = await call('get_status_summary', {}, h.other.rw);
    assert.deepEqual([summary.total, summary.up], [1, 1]);
    assert.equal((await call('list_outages', {}, h.other.rw)).total, 0);
    assert.equal((await call('list_recent_alerts', {}, h.other.rw)).totalAlerts, 0);
    assert.equal(
      (await h.request('GET', `/v1/monitors/${theirs.uuid}`, { key: h.other.rw })).body.paused,
      false,
      'the refused pause changed nothing',
    );
  });
});

describe('MCP batches: bounded, and every call counts against the quota', () => {
  let q: Harness;
  before(async () => {
    q = await startHarness({ env: { VIGIL_RATE_LIMIT_PER_HOUR: '0' } });
  });
  after(async () => {
    await q.stop();
  });
  const batch = (messages: unknown[]) =>
    q.request('POST', '/v1/mcp', { body: messages, headers: { accept: 'application/json, text/event-stream' } });
  const listCall = (id: number) => ({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name: 'list_monitors', arguments: { limit: 200 } },
  });

  test('a batch of more than 20 messages is 400 before anything runs; 20 is answered', async () => {
    const over = await batch(
      Array.from({ length: 21 }, (_, i) => ({
        jsonrpc: '2.0',
        id: i,
        method: 'tools/call',
        params: { name: 'create_monitor', arguments: { name: `b${i}`, url: 'https://example.org', paused: true } },
      })),
    );
    assert.equal(over.status, 400);
    assert.equal(over.body.error.message, 'Invalid Request: a batch holds at most 20 messages, this one 21');
    assert.equal((await q.request('GET', '/v1/monitors')).body.length, 0, 'nothing was created');
    const ok = await batch(Array.from({ length: 20 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'ping' })));
    assert.equal(ok.status, 200);
    assert.equal(ok.body.length, 20);
  });

  test('each call of a batch counts as one request: the quota falls by the number of calls, and a batch that does not fit is 429 and runs nothing', async () => {
    const own = await startHarness({ env: { VIGIL_RATE_LIMIT_PER_HOUR: '30' } });
    try {
      const send = (messages: unknown[]) =>
        own.request('POST', '/v1/mcp', { body: messages, headers: { accept: 'application/json' } });
      const left = (res: { headers: Headers }) => Number(/r=(\d+)/.exec(res.headers.get('ratelimit')!)![1]);
      assert.equal(left(await own.request('GET', '/v1/monitors')), 29);
      const ten = await send(
        Array.from({ length: 10 }, (_, i) => ({
          jsonrpc: '2.0',
          id: i,
          method: 'tools/call',
          params: { name: 'get_status_summary', arguments: {} },
        })),
      );
      assert.equal(ten.status, 200);
      assert.equal(left(ten), 19, 'ten calls, ten requests');
      const twenty = await send(
        Array.from({ length: 20 }, (_, i) => ({
          jsonrpc: '2.0',
          id: i,
          method: 'tools/call',
          params: { name: 'create_monitor', arguments: { name: `q${i}`, url: 'https://example.org', paused: true } },
        })),
      );
      assert.equal(twenty.status, 429);
      assert.ok(Number(twenty.headers.get('retry-after')) >= 1);
      const after = await own.request('GET', '/v1/monitors');
      assert.deepEqual(after.body, [], 'no call of the refused batch ran');
      assert.equal(left(after), 17, 'the refused batch spent only the request itself');
    } finally {
      await own.stop();
    }
  });

  test('a batch whose answer would pass 2 MiB is 413 (the calls before it were carried out)', async () => {
    const big = await startHarness({ env: { VIGIL_RATE_LIMIT_PER_HOUR: '0' } });
    try {
      for (let i = 0; i < 200; i++)
        await big.request('POST', '/v1/monitors', {
          body: { name: `${'x'.repeat(250)}${i}`, url: `https://example.org/${'p'.repeat(1500)}`, paused: true },
        });
      const res = await big.request('POST', '/v1/mcp', {
        body: Array.from({ length: 20 }, (_, i) => listCall(i)),
        headers: { accept: 'application/json' },
      });
      assert.equal(res.status, 413);
      assert.match(res.body.error.message, /would pass 2 MiB at message \d+ \(those before were carried out\)/);
      const small = await big.request('POST', '/v1/mcp', {
        body: [listCall(1), listCall(2)],
        headers: { accept: 'application/json' },
      });
      assert.equal(small.status, 200);
      assert.equal(small.body.length, 2);
    } finally {
      await big.stop();
    }
  });
});
