import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../harness.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { recordResults, type ObservedResult } from '../../src/services/results.ts';
import { startScheduler } from '../../src/prober/scheduler.ts';

const NOW = Date.UTC(2026, 5, 10, 12, 0, 0);
const DAY = 86_400_000;
const TOKEN = 'metrics-0123456789-abcdef';
const UNAUTH = '{"error":"Invalid or missing API key"}';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
interface Parsed {
  types: Map<string, string>;
  help: Map<string, string>;
  samples: Sample[];
}

/**
 * A small parser of the Prometheus text format 0.0.4: HELP/TYPE lines, samples with escaped
 * label values, families contiguous and declared before their samples.
 */
function parseExposition(text: string): Parsed {
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const samples: Sample[] = [];
  const closed = new Set<string>();
  let current = '';
  assert.ok(text.endsWith('\n'), 'the exposition ends with a newline');
  for (const line of text.slice(0, -1).split('\n')) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta;
      if (name !== current) {
        assert.ok(!closed.has(name), `family ${name} appears twice`);
        if (current) closed.add(current);
        current = name;
      }
      if (kind === 'TYPE') {
        assert.ok(['counter', 'gauge', 'summary', 'histogram', 'untyped'].includes(rest), line);
        types.set(name, rest);
      } else help.set(name, rest.replace(/\\n/g, '\n').replace(/\\\\/g, '\\'));
      continue;
    }
    assert.ok(!line.startsWith('#') && line.trim() !== '', `unexpected line: ${JSON.stringify(line)}`);
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `not a sample: ${line}`);
    const [, name, rawLabels, rawValue] = m;
    const family = types.has(name) ? name : name.replace(/_(sum|count|bucket)$/, '');
    assert.equal(family, current, `sample ${name} outside its family`);
    assert.ok(types.has(family), `sample ${name} before its TYPE`);
    const labels: Record<string, string> = {};
    if (rawLabels) {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y;
      let pos = 0;
      while (pos < rawLabels.length) {
        re.lastIndex = pos;
        const l = re.exec(rawLabels);
        assert.ok(l, `bad labels: ${rawLabels}`);
        assert.ok(!(l[1] in labels), `label ${l[1]} twice`);
        labels[l[1]] = l[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
        pos = re.lastIndex;
      }
    }
    const value = rawValue === '+Inf' ? Infinity : rawValue === '-Inf' ? -Infinity : Number(rawValue);
    assert.ok(rawValue === 'NaN' || !Number.isNaN(value), `bad value: ${line}`);
    samples.push({ name, labels, value });
  }
  return { types, help, samples };
}

const pick = (p: Parsed, name: string, labels: Record<string, string> = {}) =>
  p.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
const value = (p: Parsed, name: string, labels: Record<string, string> = {}) => {
  const found = pick(p, name, labels);
  assert.equal(found.length, 1, `${name} ${JSON.stringify(labels)}: ${found.length} samples`);
  return found[0].value;
};

let h: Harness;
let project: string;
const ids: Record<string, { uuid: string; id: number }> = {};
let other: string;
let heartbeat: string;
let pausedBeat: string;

async function monitor(name: string, body: Record<string, unknown> = {}, key?: string) {
  const res = await h.request('POST', '/v1/monitors', {
    key,
    body: { name, url: `https://${name.replace(/\W/g, '') || 'x'}.example.org`, ...body },
  });
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
  location: string,
  sslExpiresAt?: number,
): ObservedResult => ({
  monitorId,
  at,
  location,
  ok,
  statusCode: ok ? 200 : 503,
  totalMs,
  dnsMs: null,
  connectMs: null,
  tlsMs: null,
  ttfbMs: null,
  error: ok ? null : 'expected 2xx, got 503',
  ...(sslExpiresAt ? { sslExpiresAt } : {}),
});

async function scrape(key: string | null = TOKEN) {
  return h.request('GET', '/metrics', { key });
}

before(async () => {
  h = await startHarness({ clock: () => NOW, env: { VIGIL_METRICS_TOKEN: TOKEN, VIGIL_RATE_LIMIT_PER_HOUR: '0' } });
  project = h.project.uuid;
  ids.api = await monitor('api');
  ids.web = await monitor('web', { paused: true });
  ids.db = await monitor('db');
  ids.odd = await monitor('say "hi" \\ there', { paused: true });
  other = (await monitor('theirs', {}, h.other.rw)).uuid;
  await recordResults(h.ctx, [
    result(ids.api.id, NOW - 40_000, true, 100, 'london', NOW + 40 * DAY + 3_600_000),
    result(ids.api.id, NOW - 30_000, false, null, 'frankfurt'),
    result(ids.api.id, NOW - 20_000, true, 110, 'london'),
    result(ids.api.id, NOW - 10_000, true, 120, 'london'),
  ]);
  await recordResults(h.ctx, [
    result(ids.db.id, NOW - 20_000, false, 900, 'london'),
    result(ids.db.id, NOW - 10_000, false, null, 'london'),
  ]);
  const hc = (body: Record<string, unknown>) =>
    h.request('POST', '/v2/healthchecks', {
      body: { period_value: 60, period_type: 'seconds', grace_period_value: 60, grace_period_type: 'seconds', ...body },
    });
  heartbeat = (await hc({ name: 'backup' })).body.healthcheck.uuid;
  pausedBeat = (await hc({ name: 'nightly' })).body.healthcheck.uuid;
  assert.equal((await h.request('POST', `/v2/healthchecks/${pausedBeat}/pause`)).status, 200);
});
after(async () => {
  await h.stop();
});

describe('GET /metrics (Prometheus)', () => {
  test('answers the text format 0.0.4 to the token, every family declared once with HELP and TYPE', async () => {
    const res = await scrape();
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const p = parseExposition(res.text);
    for (const [name, type] of [
      ['hyperping_monitor_up', 'gauge'],
      ['hyperping_monitor_paused', 'gauge'],
      ['hyperping_monitor_check_interval_seconds', 'gauge'],
      ['hyperping_monitor_ssl_expiration_days', 'gauge'],
      ['hyperping_monitor_outage_active', 'gauge'],
      ['vigil_monitor_last_response_time_seconds', 'gauge'],
      ['vigil_monitor_checks_total', 'counter'],
      ['vigil_monitor_check_failures_total', 'counter'],
      ['hyperping_monitors', 'gauge'],
      ['hyperping_healthcheck_up', 'gauge'],
      ['hyperping_healthcheck_paused', 'gauge'],
      ['hyperping_healthchecks', 'gauge'],
      ['hyperping_tenant_active_outages', 'gauge'],
      ['vigil_check_lag_seconds', 'summary'],
      ['vigil_check_lag_last_seconds', 'gauge'],
      ['process_resident_memory_bytes', 'gauge'],
      ['process_cpu_seconds_total', 'counter'],
      ['process_start_time_seconds', 'gauge'],
      ['nodejs_eventloop_lag_seconds', 'gauge'],
      ['nodejs_eventloop_lag_p99_seconds', 'gauge'],
    ]) {
      assert.equal(p.types.get(name), type, name);
      assert.ok(p.help.get(name), `HELP of ${name}`);
    }
  });

  test('per monitor: up (paused left out), paused, interval, certificate, open outage, last response time', async () => {
    const p = parseExposition((await scrape()).text);
    const labels = (name: string, uuid: string) => ({ uuid, name, protocol: 'http', project });
    assert.deepEqual(pick(p, 'hyperping_monitor_up', { uuid: ids.api.uuid })[0].labels, labels('api', ids.api.uuid));
    assert.equal(value(p, 'hyperping_monitor_up', { uuid: ids.api.uuid }), 1);
    assert.equal(value(p, 'hyperping_monitor_up', { uuid: ids.db.uuid }), 0);
    assert.equal(pick(p, 'hyperping_monitor_up', { uuid: ids.web.uuid }).length, 0);
    assert.equal(value(p, 'hyperping_monitor_paused', labels('web', ids.web.uuid)), 1);
    assert.equal(value(p, 'hyperping_monitor_paused', { uuid: ids.api.uuid }), 0);
    assert.equal(value(p, 'hyperping_monitor_check_interval_seconds', { uuid: ids.api.uuid }), 60);
    assert.equal(value(p, 'hyperping_monitor_ssl_expiration_days', { uuid: ids.api.uuid }), 40);
    assert.equal(
      pick(p, 'hyperping_monitor_ssl_expiration_days', { uuid: ids.db.uuid }).length,
      0,
      'no certificate read yet',
    );
    assert.equal(value(p, 'hyperping_monitor_outage_active', { uuid: ids.db.uuid }), 1);
    assert.equal(value(p, 'hyperping_monitor_outage_active', { uuid: ids.api.uuid }), 0);
    assert.equal(value(p, 'vigil_monitor_last_response_time_seconds', { uuid: ids.api.uuid }), 0.12);
    assert.equal(
      value(p, 'vigil_monitor_last_response_time_seconds', { uuid: ids.db.uuid }),
      0.9,
      'the newest timed check, failed or not',
    );
    assert.equal(pick(p, 'vigil_monitor_last_response_time_seconds', { uuid: ids.web.uuid }).length, 0);
    // Label values are escaped and read back intact.
    assert.equal(value(p, 'hyperping_monitor_paused', { uuid: ids.odd.uuid, name: 'say "hi" \\ there' }), 1);
    assert.match((await scrape()).text, /name="say \\"hi\\" \\\\ there"/);
  });

  test('check counts and failures per location are counters from the daily rollups', async () => {
    const p = parseExposition((await scrape()).text);
    assert.deepEqual(
      pick(p, 'vigil_monitor_checks_total', { uuid: ids.api.uuid }).map((s) => [s.labels.region, s.value]),
      [
        ['frankfurt', 1],
        ['london', 3],
      ],
    );
    assert.equal(value(p, 'vigil_monitor_check_failures_total', { uuid: ids.api.uuid, region: 'frankfurt' }), 1);
    assert.equal(value(p, 'vigil_monitor_check_failures_total', { uuid: ids.api.uuid, region: 'london' }), 0);
    assert.equal(value(p, 'vigil_monitor_checks_total', { uuid: ids.db.uuid, region: 'london' }), 2);
    assert.deepEqual(pick(p, 'vigil_monitor_checks_total', { uuid: ids.api.uuid })[0].labels, {
      uuid: ids.api.uuid,
      name: 'api',
      protocol: 'http',
      project,
      region: 'frankfurt',
    });
    await recordResults(h.ctx, [result(ids.api.id, NOW - 5_000, true, 130, 'london')]);
    const later = parseExposition((await scrape()).text);
    assert.equal(value(later, 'vigil_monitor_checks_total', { uuid: ids.api.uuid, region: 'london' }), 4);
  });

  test('per project: monitors, heartbeat checks and open outages; the token sees every project', async () => {
    const p = parseExposition((await scrape()).text);
    assert.equal(value(p, 'hyperping_monitors', { project }), 4);
    assert.equal(value(p, 'hyperping_monitors', { project: h.other.uuid }), 1);
    assert.equal(value(p, 'hyperping_monitor_up', { uuid: other, project: h.other.uuid }), 1);
    assert.equal(value(p, 'hyperping_healthchecks', { project }), 2);
    assert.equal(value(p, 'hyperping_healthcheck_up', { uuid: heartbeat, name: 'backup', project }), 1);
    assert.equal(pick(p, 'hyperping_healthcheck_up', { uuid: pausedBeat }).length, 0);
    assert.equal(value(p, 'hyperping_healthcheck_paused', { uuid: pausedBeat }), 1);
    assert.equal(value(p, 'hyperping_tenant_active_outages', { project }), 1);
    assert.equal(value(p, 'hyperping_tenant_active_outages', { project: h.other.uuid }), 0);
  });

  test('process metrics are plausible', async () => {
    const p = parseExposition((await scrape()).text);
    assert.ok(value(p, 'process_resident_memory_bytes') > 10e6);
    assert.ok(value(p, 'process_cpu_seconds_total') > 0);
    const start = value(p, 'process_start_time_seconds');
    assert.ok(start <= Date.now() / 1000 && start > Date.now() / 1000 - 3600, String(start));
    const lag = value(p, 'nodejs_eventloop_lag_seconds');
    assert.ok(lag >= 0 && lag < 5, String(lag));
    assert.ok(value(p, 'nodejs_eventloop_lag_p99_seconds') >= 0);
  });

  test('the scheduler reports how late checks start, per location', async () => {
    // One monitor two seconds overdue; every other monitor far in the future.
    const late = await monitor('late');
    await h.ctx.store.db
      .updateTable('monitors')
      .set({ next_check_at: NOW + DAY })
      .where('id', '!=', late.id)
      .where('next_check_at', 'is not', null)
      .execute();
    await h.ctx.store.db
      .updateTable('monitors')
      .set({ next_check_at: NOW - 2000 })
      .where('id', '=', late.id)
      .execute();
    const s = startScheduler(h.ctx, {
      location: 'lag-test',
      concurrency: 5,
      tickMs: 20,
      flushMs: 20,
      check: async () => ({
        ok: true,
        statusCode: 200,
        totalMs: 5,
        dnsMs: null,
        connectMs: null,
        tlsMs: null,
        ttfbMs: null,
        error: null,
      }),
    });
    try {
      for (let i = 0; i < 200 && s.stats.recorded < 1; i++) await new Promise((r) => setTimeout(r, 10));
    } finally {
      await s.stop();
    }
    assert.equal(s.stats.started, 1);
    const p = parseExposition((await scrape()).text);
    assert.equal(value(p, 'vigil_check_lag_seconds_count', { region: 'lag-test' }), 1);
    assert.equal(value(p, 'vigil_check_lag_seconds_sum', { region: 'lag-test' }), 2);
    assert.equal(value(p, 'vigil_check_lag_last_seconds', { region: 'lag-test' }), 2);
    assert.equal(value(p, 'vigil_monitor_checks_total', { uuid: late.uuid, region: 'lag-test' }), 1);
  });

  test("an API key (either permission) sees its own project only, without the process's metrics", async () => {
    for (const key of [h.ro, h.rw]) {
      const res = await scrape(key);
      assert.equal(res.status, 200);
      const p = parseExposition(res.text);
      assert.ok(pick(p, 'hyperping_monitor_up', { uuid: ids.api.uuid }).length === 1);
      assert.ok(!res.text.includes(other) && !res.text.includes(h.other.uuid), 'no trace of the other project');
      assert.deepEqual([...new Set(p.samples.filter((s) => s.labels.project).map((s) => s.labels.project))], [project]);
      assert.equal(pick(p, 'process_resident_memory_bytes').length, 0);
      assert.equal(pick(p, 'vigil_check_lag_seconds_count').length, 0);
    }
    const theirs = parseExposition((await scrape(h.other.rw)).text);
    assert.equal(value(theirs, 'hyperping_monitors', { project: h.other.uuid }), 1);
    assert.equal(pick(theirs, 'hyperping_monitors').length, 1);
  });

  test('401 with the exact body without the token, with a wrong one or another scheme', async () => {
    const cases: Record<string, string>[] = [
      {},
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: `Bearer ${TOKEN.slice(0, -1)}` },
      { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` },
      { authorization: TOKEN },
      { authorization: 'Bearer sk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
    ];
    for (const headers of cases) {
      const res = await h.request('GET', '/metrics', { key: null, headers });
      assert.equal(res.status, 401, JSON.stringify(headers));
      assert.equal(res.text, UNAUTH);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer');
    }
    assert.equal((await h.request('GET', `/metrics?token=${TOKEN}`, { key: null })).status, 401);
  });

  test('off by default: without VIGIL_METRICS_TOKEN the route does not exist (404)', async () => {
    const off = await startHarness();
    try {
      for (const key of [null, off.rw]) {
        const res = await off.request('GET', '/metrics', { key });
        assert.equal(res.status, 404);
        assert.deepEqual(res.body, { message: 'Not found' });
      }
    } finally {
      await off.stop();
    }
  });

  test('VIGIL_METRICS_TOKEN: unset is off, a short or spaced token stops start-up with one line', () => {
    assert.equal(loadConfig({}).metricsToken, null);
    assert.equal(loadConfig({ VIGIL_METRICS_TOKEN: '' }).metricsToken, null);
    assert.equal(loadConfig({ VIGIL_METRICS_TOKEN: TOKEN }).metricsToken, TOKEN);
    for (const bad of ['short', 'sixteen chars with spaces', 'x'.repeat(257)]) {
      assert.throws(
        () => loadConfig({ VIGIL_METRICS_TOKEN: bad }),
        (err: Error) =>
          err instanceof ConfigError &&
          err.message === 'VIGIL_METRICS_TOKEN must be 16 to 256 visible ASCII characters without spaces',
      );
    }
  });
});
