import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ARTIFACTS, openBrowser, signIn, type Browser } from '../support/chromium.ts';
import { startHarness, type Harness } from '../harness.ts';
import { ADMIN, actorOf } from '../support/dashboard-session.ts';
import { seedChecks } from '../support/seed-checks.ts';
import { createUser } from '../../src/services/users.ts';
import { createMonitor, getMonitor, listMonitors } from '../../src/services/monitors.ts';
import { HOUR } from '../../src/domain/rollups.ts';

let h: Harness;
let browser: Browser;
let page: Page;
let chartMonitor = '';
let requested: string[] = [];
const list = () => `${h.url}/app/projects/${h.project.uuid}/monitors`;
const noHorizontalOverflow = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

before(async () => {
  h = await startHarness();
  await createUser(h.ctx, ADMIN);
  const actor = actorOf(h.ctx, h.project);
  const now = Date.now();
  const names = ['API gateway', 'Checkout', 'Search', 'Images CDN', 'Auth', 'Billing', 'Docs', 'Status webhook'];
  for (let i = 0; i < 60; i++) {
    const m = await createMonitor(actor, {
      name: `${names[i % names.length]} ${String(i + 1).padStart(2, '0')}`,
      url: `https://svc${i + 1}.example.org/health`,
      regions: i % 3 ? ['london', 'frankfurt'] : ['virginia'],
      paused: i % 11 === 5,
    });
    // A day of checks every 20 minutes (the sparklines); the first monitor's every 5 minutes from two locations (its chart).
    const first = i === 0;
    await seedChecks(h.ctx, m.id, {
      now,
      spanMs: 24 * HOUR,
      everyMs: first ? 5 * 60_000 : 20 * 60_000,
      locations: first ? ['frankfurt', 'london'] : ['london'],
      base: 60 + (i % 12) * 25,
      failEvery: i % 8 === 2 ? 9 : i % 13 === 4 ? 40 : 0,
    });
    if (i === 0) chartMonitor = m.uuid;
  }
  const down = (await listMonitors(actor)).filter((m) => /^(Search|Billing) /.test(m.name)).map((m) => m.id);
  await h.ctx.store.db.updateTable('monitors').set({ status: 'down' }).where('id', 'in', down).execute();

  browser = await openBrowser();
  ({ page, requested } = browser);
  await signIn(page, h.url, ADMIN);
});
after(async () => {
  await browser?.close();
  await h.stop();
});

describe('the monitoring screens in a browser', { timeout: 180_000 }, () => {
  test('the list: sparklines, status filter, search by keyboard, paging', async () => {
    await page.getByRole('link', { name: 'Test project' }).click();
    await page.waitForURL(list());
    assert.equal(await page.locator('nav.project-nav [aria-current=page]').textContent(), 'Monitors');
    assert.equal(await page.locator('table.monitors tbody tr').count(), 50);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-monitors.png'), fullPage: false });
    assert.equal(
      await page.locator('table.monitors svg.spark path').count(),
      50,
      'sparklines drawn from the hourly rollups',
    );

    await page.locator('nav.filter').getByRole('link', { name: /^Down/ }).click();
    await page.waitForURL(/status=down/);
    const downNames = await page.locator('table.monitors td.name-cell a').allTextContents();
    assert.ok(downNames.length > 0 && downNames.every((n) => /^(Search|Billing) /.test(n)), downNames.join());

    // Keyboard only: focus the search field, type, Enter.
    await page.getByLabel('Search by name or URL').focus();
    await page.keyboard.type('billing');
    await page.keyboard.press('Enter');
    await page.waitForURL(/q=billing/);
    assert.ok(
      (await page.locator('table.monitors td.name-cell a').allTextContents()).every((n) => n.startsWith('Billing ')),
    );

    await page.goto(list());
    await page.getByRole('link', { name: 'Next ›' }).click();
    await page.waitForURL(/page=2/);
    assert.equal(await page.locator('table.monitors tbody tr').count(), 10);
  });

  test('sorting by clicking the column headers, kept while paging', async () => {
    await page.goto(list());
    await page.locator('table.monitors thead').getByRole('link', { name: 'Status' }).click();
    await page.waitForURL(/sort=status&dir=asc/);
    const states = await page.locator('table.monitors td[data-label=Status]').allTextContents();
    assert.ok(/Down/.test(states[0]) && /Down/.test(states[9]), `problems first: ${states.slice(0, 10).join()}`);
    assert.equal(await page.locator('table.monitors th[aria-sort=ascending]').textContent(), 'Status ▲');
    await page
      .locator('table.monitors thead')
      .getByRole('link', { name: /^Status/ })
      .click();
    await page.waitForURL(/sort=status&dir=desc/);
    assert.match((await page.locator('table.monitors td[data-label=Status]').first().textContent()) ?? '', /Paused/);

    await page.locator('table.monitors thead').getByRole('link', { name: 'Uptime 24 h' }).click();
    await page.waitForURL(/sort=uptime&dir=asc/);
    const uptimes = async () =>
      (await page.locator('table.monitors td[data-label="Uptime 24 h"]').allTextContents()).map((t) =>
        Number.parseFloat(t),
      );
    const first = await uptimes();
    assert.ok(
      first.every((u, i) => i === 0 || u >= first[i - 1]),
      `lowest first: ${first.join()}`,
    );
    await page.getByRole('link', { name: 'Next ›' }).click();
    await page.waitForURL(/sort=uptime&dir=asc&page=2/);
    assert.ok(
      (await uptimes()).every((u) => u >= first[first.length - 1]),
      'page 2 goes on where page 1 ended',
    );
  });

  test('bulk pause and resume of ticked rows; with scripts one box ticks the whole page', async () => {
    await page.goto(list());
    const rows = ['API gateway 01', 'Checkout 02'];
    for (const name of rows) await page.getByRole('checkbox', { name: `Select ${name}` }).check();
    await page.locator('#bulk-monitors').getByRole('button', { name: 'Pause' }).click();
    await page.waitForURL(/done=bulk-paused/);
    assert.match((await page.getByRole('status').textContent()) ?? '', /The selected monitors are paused/);
    const paused = (await listMonitors(actorOf(h.ctx, h.project))).filter((m) => rows.includes(m.name));
    assert.deepEqual(
      paused.map((m) => m.paused),
      [true, true],
    );
    for (const name of rows)
      assert.match(
        (await page.locator('tr', { hasText: name }).locator('td[data-label=Status]').textContent()) ?? '',
        /Paused/,
      );

    const all = page.getByRole('checkbox', { name: 'Select every monitor of this page' });
    await all.check();
    assert.equal(await page.locator('table.monitors tbody input[name=monitor]:checked').count(), 50);
    await all.uncheck();
    assert.equal(await page.locator('table.monitors tbody input[name=monitor]:checked').count(), 0);
    for (const name of rows) await page.getByRole('checkbox', { name: `Select ${name}` }).check();
    await page.locator('#bulk-monitors').getByRole('button', { name: 'Resume' }).click();
    await page.waitForURL(/done=bulk-resumed/);
    assert.deepEqual(
      (await listMonitors(actorOf(h.ctx, h.project))).filter((m) => rows.includes(m.name)).map((m) => m.paused),
      [false, false],
    );
  });

  test('create a monitor through the form: the API message beside the field, then success', async () => {
    await page.goto(list());
    await page.getByRole('link', { name: 'Create monitor' }).click();
    await page.waitForURL(/\/monitors\/new$/);
    // With scripts, only the chosen type's fields show.
    assert.equal(await page.getByLabel('Port').isVisible(), false);
    await page.getByLabel('Check type').selectOption('port');
    assert.equal(await page.getByLabel('Port').isVisible(), true);
    assert.equal(await page.getByLabel('Method').isVisible(), false);
    await page.getByLabel('Check type').selectOption('http');

    await page.getByLabel('Name', { exact: true }).fill('Browser made');
    await page.getByLabel('URL or host').fill('ftp://nope');
    await page.getByRole('checkbox', { name: 'london' }).check();
    await page.getByRole('button', { name: 'Create monitor' }).click();
    const error = page.locator('#f-url-error');
    await error.waitFor();
    assert.equal(await error.textContent(), 'Invalid URL');
    assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), 'Browser made', 'the input is kept');
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-monitor-form-error.png'), fullPage: true });

    await page.getByLabel('URL or host').fill('https://browser.example.org/health');
    await page.getByLabel('Check every').selectOption('300');
    await page.getByRole('button', { name: 'Create monitor' }).click();
    await page.waitForURL(/\/monitors\/mon_[A-Za-z0-9]+\?done=created$/);
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Browser made');
    assert.match((await page.getByRole('status').textContent()) ?? '', /The monitor was created/);
  });

  test('edit, pause and resume through the UI', async () => {
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.waitForURL(/\/edit$/);
    await page.getByLabel('Name', { exact: true }).fill('Browser edited');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForURL(/\?done=saved$/);
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Browser edited');
    const uuid = /monitors\/(mon_[A-Za-z0-9]+)/.exec(page.url())![1];
    assert.equal((await getMonitor(actorOf(h.ctx, h.project), uuid)).check_frequency, 300);

    await page.getByRole('button', { name: 'Pause' }).click();
    await page.waitForURL(/\?done=paused$/);
    assert.match((await page.locator('#current-status').textContent()) ?? '', /Paused/);
    assert.equal((await getMonitor(actorOf(h.ctx, h.project), uuid)).paused, true);
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.waitForURL(/\?done=resumed$/);
    assert.equal((await getMonitor(actorOf(h.ctx, h.project), uuid)).paused, false);
  });

  test('the monitor page draws a stacked chart per location with data, and the period select reloads it', async () => {
    await page.goto(`${list()}/${chartMonitor}`);
    const charts = page.locator('figure.chart-block');
    assert.equal(await charts.count(), 2);
    const d = await page.locator('figure[data-location=london] path.band-ttfb').getAttribute('d');
    assert.ok(d && d.split(/[MVHZ]/).filter(Boolean).length > 100, 'a path with many points');
    const box = await page.locator('figure[data-location=london] svg.rt-chart').boundingBox();
    assert.ok(box && box.width > 400 && box.height > 100, JSON.stringify(box));
    assert.match(
      (await page.locator('figure[data-location=london] svg title').textContent()) ?? '',
      /Response time from london, last 24 hours/,
    );
    assert.equal(
      await page.getByRole('button', { name: 'Show' }).isVisible(),
      false,
      'with scripts the select submits itself',
    );
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-monitor-page.png'), fullPage: true });

    await page.getByLabel('Period').selectOption('30d');
    await page.waitForURL(/period=30d/);
    assert.match((await page.locator('#response-time').textContent()) ?? '', /Phases are unavailable/);
    assert.equal(await page.locator('figure[data-location=london] path.band-total').count(), 1);
  });

  test('at 375 px wide the list, the monitor page and the form do not overflow sideways', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    for (const url of [list(), `${list()}/${chartMonitor}`, `${list()}/new`, `${list()}/${chartMonitor}/edit`]) {
      await page.goto(url);
      assert.ok(await noHorizontalOverflow(), url);
    }
    await page.goto(list());
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-monitors-phone.png'), fullPage: false });
    await page.goto(`${list()}/${chartMonitor}`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-monitor-page-phone.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  test('every control on the monitor page is reachable with Tab and shows a focus ring', async () => {
    await page.goto(`${list()}/${chartMonitor}`);
    const reached = new Set<string>();
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      const info = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return null;
        const style = getComputedStyle(el);
        return {
          text: (el.textContent || el.getAttribute('aria-label') || (el as HTMLInputElement).name || '').trim(),
          outline: style.outlineStyle !== 'none' && style.outlineWidth !== '0px',
        };
      });
      if (!info) continue;
      assert.ok(info.outline, `focus ring on ${info.text}`);
      reached.add(info.text);
    }
    for (const name of [
      'Skip to content',
      'Monitors',
      'Edit',
      'Pause',
      'Delete',
      'Last 1 hour',
      'Data table for london',
    ])
      assert.ok(
        [...reached].some((t) => t === name || t.startsWith(name)),
        `${name} in ${[...reached].join(' | ')}`,
      );
  });

  test('every request the browser made stayed on 127.0.0.1', () => {
    assert.ok(requested.length > 10);
    const elsewhere = requested.filter((u) => !u.startsWith('data:') && new URL(u).hostname !== '127.0.0.1');
    assert.deepEqual(elsewhere, []);
  });
});
