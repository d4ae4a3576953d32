// The live dashboard in Chromium: open pages follow stored results and outages without a reload
// (the page's script over GET /app/projects/:uuid/live), under the dashboard's strict CSP.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ARTIFACTS, openBrowser, signIn, type Browser } from '../support/chromium.ts';
import { startHarness, type Harness } from '../harness.ts';
import { ADMIN, actorOf } from '../support/dashboard-session.ts';
import { createUser } from '../../src/services/users.ts';
import { createMonitor, type Monitor } from '../../src/services/monitors.ts';
import { recordResults, type ObservedResult } from '../../src/services/results.ts';

let h: Harness;
let browser: Browser;
let page: Page;
let checkout: Monitor;
let search: Monitor;
const problems: string[] = [];

const result = (m: Monitor, ok: boolean, at: number, ms = 120): ObservedResult => ({
  monitorId: m.id,
  at,
  location: 'frankfurt',
  ok,
  statusCode: ok ? 200 : 503,
  totalMs: ms,
  dnsMs: 5,
  connectMs: 10,
  tlsMs: 20,
  ttfbMs: 60,
  error: ok ? null : 'expected 2xx, got 503',
});
const rowOf = (m: Monitor) => page.locator(`tr[data-monitor="${m.uuid}"]`);

before(async () => {
  h = await startHarness();
  await createUser(h.ctx, ADMIN);
  const actor = actorOf(h.ctx, h.project);
  checkout = await createMonitor(actor, { name: 'Checkout', url: 'https://checkout.example.org' });
  search = await createMonitor(actor, { name: 'Search', url: 'https://search.example.org' });
  await recordResults(h.ctx, [
    result(checkout, true, Date.now() - 60_000, 90),
    result(search, true, Date.now() - 60_000, 95),
  ]);
  browser = await openBrowser();
  page = browser.page;
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await signIn(page, h.url, ADMIN);
});
after(async () => {
  await browser?.close();
  await h.stop();
});

describe('live pages in a browser', { timeout: 120_000 }, () => {
  test('an open monitors page turns a row Down as the failures are stored, and its beats grow, without a reload', async () => {
    await page.goto(`${h.url}/app/projects/${h.project.uuid}/monitors`);
    await page.evaluate(() => {
      (window as any).sameDocument = true;
    });
    assert.equal(await rowOf(checkout).locator('.beats > .up').count(), 1);
    assert.equal(await rowOf(checkout).locator('.beats > i').count(), 30);
    await page.waitForFunction(() => document.documentElement.dataset.live === 'open');

    const t = Date.now();
    await recordResults(h.ctx, [result(checkout, false, t)]);
    await rowOf(checkout).locator('.beats > .down').first().waitFor({ timeout: 5000 });
    assert.equal(
      (await rowOf(checkout).locator('[data-cell=state]').textContent())?.trim(),
      'Up',
      'one failure is not yet an outage',
    );
    assert.equal((await rowOf(checkout).locator('[data-cell=last]').textContent())?.trim(), 'failed');
    await recordResults(h.ctx, [result(checkout, false, t + 2000)]);
    await page.waitForFunction(
      (id) => document.querySelector(`tr[data-monitor="${id}"] [data-cell=state]`)?.textContent?.trim() === 'Down',
      checkout.uuid,
      { timeout: 5000 },
    );
    assert.equal(await rowOf(checkout).locator('.beats > .down').count(), 2);
    assert.equal(await rowOf(checkout).locator('.beats > i').count(), 30, 'the bar keeps its length');
    assert.match(
      (await rowOf(checkout).locator('.beats > .down').last().getAttribute('title')) ?? '',
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC · failed$/,
    );
    assert.match(
      (await rowOf(checkout).locator('.beats').getAttribute('aria-label')) ?? '',
      /^Last 3 checks: 1 up, 2 failed$/,
    );
    assert.equal(await page.locator('#live-announce').textContent(), 'Checkout is down.');
    // Another row is untouched; a passing check shows its time.
    await recordResults(h.ctx, [result(search, true, t + 3000, 1234)]);
    await page.waitForFunction(
      (id) => document.querySelector(`tr[data-monitor="${id}"] [data-cell=last]`)?.textContent === '1,234 ms',
      search.uuid,
      { timeout: 5000 },
    );
    assert.equal(await rowOf(search).locator('.beats > .up').count(), 2);
    assert.equal(await page.evaluate(() => (window as any).sameDocument), true, 'never reloaded');
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-live-monitors.png') });
  });

  test('the monitor page: its status, beats, recent checks, chart and outage follow the checks', async () => {
    await page.goto(`${h.url}/app/projects/${h.project.uuid}/monitors/${search.uuid}?period=1h`);
    await page.evaluate(() => {
      (window as any).sameDocument = true;
    });
    await page.waitForFunction(() => document.documentElement.dataset.live === 'open');
    const rows = () => page.locator('#checks-card tbody tr').count();
    const before = await rows();
    const t = Date.now();
    await recordResults(h.ctx, [result(search, false, t)]);
    await recordResults(h.ctx, [result(search, false, t + 1000)]);
    await page.waitForFunction(() => document.querySelector('#current-status')?.textContent?.includes('Down'), null, {
      timeout: 5000,
    });
    // The sections are read again: the new checks in the table, the outage in its card.
    await page.waitForFunction((n) => document.querySelectorAll('#checks-card tbody tr').length === n + 2, before, {
      timeout: 8000,
    });
    await page.locator('#outages-card tbody tr').first().waitFor({ timeout: 8000 });
    assert.match((await page.locator('#outages-card').textContent()) ?? '', /Ongoing/);
    assert.equal(await page.locator('#now-card .beats > .down').count(), 2);
    // The chart grows: a recovery's timing shows in the 1-hour chart's data table.
    const cells = () => page.locator('#rt-charts table.data tbody tr').count();
    const slots = await cells();
    await recordResults(h.ctx, [result(search, true, t + 2000, 700)]);
    await recordResults(h.ctx, [result(search, true, t + 3000, 700)]);
    await page.waitForFunction(() => document.querySelector('#current-status')?.textContent?.includes('Up'), null, {
      timeout: 8000,
    });
    await page.waitForFunction(
      () =>
        /Ended|\d{4}-\d\d-\d\d/.test(
          document.querySelector('#outages-card tbody tr td:nth-child(2)')?.textContent ?? '',
        ),
      null,
      { timeout: 8000 },
    );
    assert.ok((await cells()) >= Math.max(1, slots), 'the chart has its slots');
    assert.match((await page.locator('#rt-charts').textContent()) ?? '', /frankfurt/);
    assert.equal(await page.evaluate(() => (window as any).sameDocument), true, 'never reloaded');
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-live-monitor.png'), fullPage: true });
  });

  test('the outages page lists a new outage as it opens; the CSP was never violated', async () => {
    await page.goto(`${h.url}/app/projects/${h.project.uuid}/outages`);
    await page.waitForFunction(() => document.documentElement.dataset.live === 'open');
    const n = await page.locator('#outages-card tbody tr').count();
    const t = Date.now();
    await recordResults(h.ctx, [result(checkout, true, t), result(checkout, true, t + 1)]); // Checkout recovers…
    await recordResults(h.ctx, [result(checkout, false, t + 1000)]);
    await recordResults(h.ctx, [result(checkout, false, t + 2000)]); // …and goes down again
    await page.waitForFunction((k) => document.querySelectorAll('#outages-card tbody tr').length > k, n, {
      timeout: 8000,
    });
    assert.match((await page.locator('#ongoing-count').textContent()) ?? '', /^[1-9]\d* ongoing$/);
    assert.deepEqual(problems, [], 'no script error and no CSP violation');
  });
});
