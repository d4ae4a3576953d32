import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../harness.ts';
import type { FormClient } from '../support/browser-client.ts';
import { actorOf, plain, signedInAdmin } from '../support/dashboard-session.ts';
import { createMonitor, type Monitor } from '../../src/services/monitors.ts';
import { DAY, HOUR, bucketStart } from '../../src/domain/rollups.ts';
import type { RollupRow } from '../../src/storage/schema.ts';
import { insertResultRows } from '../../src/services/results.ts';

let h: Harness;
let admin: FormClient;
let m: Monitor;
const now = Date.now();
const hour = bucketStart(now, HOUR);
const today = bucketStart(now, DAY);
const pagePath = (query = '') => `/app/projects/${h.project.uuid}/monitors/${m.uuid}${query}`;

/** A rollup row as the engine writes it: every successful check counted in one histogram bucket. */
function rollup(
  granularity: 'hour' | 'day',
  bucket: number,
  location: string,
  checks: number,
  failures: number,
  meanMs: number,
): RollupRow {
  const ok = checks - failures;
  return {
    monitor_id: m.id,
    granularity,
    bucket,
    location,
    checks,
    failures,
    sum_ms: ok * meanMs,
    min_ms: ok ? meanMs : null,
    max_ms: ok ? meanMs : null,
    h0: 0,
    h1: 0,
    h2: 0,
    h3: ok,
    h4: 0,
    h5: 0,
    h6: 0,
    h7: 0,
    h8: 0,
    h9: 0,
    h10: 0,
    h11: 0,
  };
}

before(async () => {
  h = await startHarness();
  admin = await signedInAdmin(h);
  m = await createMonitor(actorOf(h.ctx, h.project), {
    name: 'Checkout API',
    url: 'https://checkout.example.org/health',
    regions: ['london', 'frankfurt'],
  });
  await h.ctx.store.db
    .insertInto('check_rollups')
    .values([
      // Last 24 h: 114 of 120 checks succeeded. Three days ago: 100 of 100 (7 days only).
      rollup('hour', hour - HOUR, 'london', 60, 6, 250),
      rollup('hour', hour - 5 * HOUR, 'london', 60, 0, 250),
      rollup('hour', hour - 72 * HOUR, 'london', 100, 0, 300),
      rollup('hour', hour - 40 * DAY, 'london', 100, 100, 0), // beyond the hourly windows
      // Days: today 120/6, 10 days ago 1000/10, 60 days ago 1000/100, 200 days ago (outside 90 d).
      rollup('day', today, 'london', 120, 6, 250),
      rollup('day', today - 10 * DAY, 'london', 1000, 10, 280),
      rollup('day', today - 60 * DAY, 'london', 1000, 100, 400),
      rollup('day', today - 200 * DAY, 'london', 1000, 1000, 0),
    ])
    .execute();
  const result = (
    at: number,
    location: string,
    ok: boolean,
    total: number | null,
    phases: [number, number, number, number] | null,
    error: string | null = null,
  ) => ({
    monitor_id: m.id,
    at,
    location,
    ok: ok ? 1 : 0,
    status_code: ok ? 200 : 503,
    total_ms: total,
    dns_ms: phases?.[0] ?? null,
    connect_ms: phases?.[1] ?? null,
    tls_ms: phases?.[2] ?? null,
    ttfb_ms: phases?.[3] ?? null,
    error,
  });
  await insertResultRows(h.ctx.store, h.ctx.store.db, [
    result(now - 50 * 60_000, 'london', true, 120, [10, 20, 30, 50]),
    result(now - 30 * 60_000, 'london', true, 140, [10, 20, 30, 70]),
    result(now - 20 * 60_000, 'frankfurt', true, 200, [20, 30, 40, 100]),
    result(now - 3 * HOUR, 'london', true, 100, [10, 20, 30, 30]),
    result(now - 2 * 60_000, 'london', false, null, null, '<b>503</b> Service Unavailable'),
  ]);
  await h.ctx.store.db
    .insertInto('outages')
    .values([
      {
        uuid: 'outage_resolvedAAAAAAAA',
        project_id: h.project.id,
        monitor_id: m.id,
        outage_type: 'automatic',
        started_at: now - 2 * DAY,
        ended_at: now - 2 * DAY + 330_000,
        status_code: 502,
        description: 'Bad gateway',
        detected_location: 'london',
        confirmed_locations: 'london',
        protocol: 'http',
        error_header: null,
        acknowledged_at: null,
        acknowledged_by: null,
        escalation_policy_id: null,
        created_at: now,
      },
      {
        uuid: 'outage_ongoingBBBBBBBBB',
        project_id: h.project.id,
        monitor_id: m.id,
        outage_type: 'automatic',
        started_at: now - 3_720_000,
        ended_at: null,
        status_code: 503,
        description: 'Service Unavailable',
        detected_location: 'london',
        confirmed_locations: 'london',
        protocol: 'http',
        error_header: null,
        acknowledged_at: null,
        acknowledged_by: null,
        escalation_policy_id: null,
        created_at: now,
      },
    ])
    .execute();
  await h.ctx.store.db
    .updateTable('monitors')
    .set({ status: 'down', ssl_expiration: 10 })
    .where('id', '=', m.id)
    .execute();
});
after(async () => {
  await h.stop();
});

describe('dashboard monitor page', () => {
  test('uptime for 24 h and 7 d from hourly rollups, 30 d and 90 d from daily ones', async () => {
    const page = await admin.get(pagePath());
    assert.equal(page.status, 200);
    const figure = (key: string) =>
      plain(new RegExp(`<li id="uptime-${key}">([\\s\\S]*?)</li>`).exec(page.text)![1]).trim();
    assert.equal(figure('24h'), '24 hours 95.00% 6 failed of 120 checks');
    assert.equal(figure('7d'), '7 days 97.27% 6 failed of 220 checks'); // 214/220 = 97.2727…: truncated, never rounded up
    assert.equal(figure('30d'), '30 days 98.57% 16 failed of 1120 checks');
    assert.equal(figure('90d'), '90 days 94.52% 116 failed of 2120 checks');
  });

  test('current status with the ongoing outage, SSL expiry, recent checks and outages with durations', async () => {
    const page = await admin.get(pagePath());
    const status = plain(/id="current-status">([\s\S]*?)<\/dd>/.exec(page.text)![1]);
    assert.match(status, /Down for 1hr 2min( \d+s)?, since \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    assert.equal(plain(/id="ssl-expiry">([\s\S]*?)<\/dd>/.exec(page.text)![1]).trim(), 'Expires in 10 days');
    const checks = /<table class="list checks">([\s\S]*?)<\/table>/.exec(page.text)![1];
    assert.equal((checks.match(/<tr>/g) ?? []).length, 1 + 5);
    assert.match(checks, /&lt;b&gt;503&lt;\/b&gt; Service Unavailable/);
    assert.match(plain(checks), /Failed · 503/);
    const outages = plain(/<table class="list outages">([\s\S]*?)<\/table>/.exec(page.text)![1]);
    assert.match(outages, /Ongoing 1hr 2min( \d+s)? 503 · Service Unavailable No/);
    assert.match(outages, /5min 30s 502 · Bad gateway/);
  });

  test('the 24 h chart: one stacked chart per location, from raw results, with a title, a summary and a data table', async () => {
    const page = await admin.get(pagePath());
    const figures = [
      ...page.text.matchAll(/<figure class="chart-block" data-location="([^"]+)">([\s\S]*?)<\/figure>/g),
    ];
    assert.deepEqual(
      figures.map((f) => f[1]),
      ['frankfurt', 'london'],
    );
    const london = figures[1][2];
    assert.match(
      london,
      /<svg class="rt-chart"[^>]*role="img" aria-labelledby="chart-1-title" aria-describedby="chart-1-desc"/,
    );
    assert.match(london, /<title id="chart-1-title">Response time from london, last 24 hours<\/title>/);
    const desc = /<desc id="chart-1-desc">([^<]+)<\/desc>/.exec(london)![1];
    assert.match(desc, /Mean response time 120 ms over 3 successful checks from london/);
    assert.match(desc, /Mean phases: DNS 10 ms, connect 20 ms, TLS 30 ms, first byte 50 ms\./);
    for (const band of ['dns', 'connect', 'tls', 'ttfb']) {
      const d = new RegExp(`<path class="band band-${band}" d="([^"]+)"`).exec(london)![1];
      assert.ok(d.split(/[MVHZ]/).filter(Boolean).length >= 4, `${band}: ${d}`);
    }
    assert.match(london, /<path class="total-line"[^>]* d="M[\d.]+ [\d.]+H/);
    const table = plain(/<table class="data">([\s\S]*?)<\/table>/.exec(london)![1]);
    assert.match(table, /Time \(UTC\) Checks DNS Connect TLS First byte Total/);
    assert.match(table, /1 10 ms 20 ms 30 ms 70 ms 140 ms/);
    assert.match(page.text, /<option value="24h" selected>Last 24 hours<\/option>/);
  });

  test('30 days come from hourly rollups with the phases marked unavailable; 1 hour keeps only the last hour', async () => {
    const month = await admin.get(pagePath('?period=30d'));
    assert.match(plain(month.text), /Phases are unavailable for this period: raw check results are kept 7 days/);
    const figures = [
      ...month.text.matchAll(/<figure class="chart-block" data-location="([^"]+)">([\s\S]*?)<\/figure>/g),
    ];
    assert.deepEqual(
      figures.map((f) => f[1]),
      ['london'],
    );
    assert.match(figures[0][2], /<path class="band band-total" d="M/);
    assert.match(figures[0][2], /Phases are not kept in hourly rollups/);
    assert.match(plain(figures[0][2]), /Time \(UTC\) Checks Total/);

    const hourPage = await admin.get(pagePath('?period=1h'));
    const one = [
      ...hourPage.text.matchAll(/<figure class="chart-block" data-location="([^"]+)">([\s\S]*?)<\/figure>/g),
    ];
    assert.deepEqual(
      one.map((f) => f[1]),
      ['frankfurt', 'london'],
    );
    assert.match(one[1][2], /over 2 successful checks from london/);

    const odd = await admin.get(pagePath('?period=%3Cscript%3E'));
    assert.equal(odd.status, 200);
    assert.match(odd.text, /<option value="24h" selected>/);
  });

  test('a monitor without checks says so instead of drawing', async () => {
    const fresh = await createMonitor(actorOf(h.ctx, h.project), {
      name: 'Fresh',
      url: 'tcp://db.example.org',
      protocol: 'port',
      port: 5432,
    });
    const page = await admin.get(`/app/projects/${h.project.uuid}/monitors/${fresh.uuid}`);
    assert.equal(page.status, 200);
    const text = plain(page.text);
    assert.match(text, /No successful checks in this period/);
    assert.match(text, /No check has run yet/);
    assert.match(text, /No outage recorded/);
    assert.match(text, /Not an HTTPS monitor/);
    assert.match(text, /24 hours — no checks/);
  });
});
