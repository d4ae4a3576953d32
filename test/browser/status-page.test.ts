import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startHarness, type Harness } from '../harness.ts';
import { DAY, HOUR } from '../../src/domain/rollups.ts';
import type { RollupRow } from '../../src/storage/schema.ts';

/**
 * A public status page in headless Chromium (Debian's, not a downloaded one): what a visitor
 * sees, that nothing injected runs, the password gate, a phone-sized screen, no request off
 * this machine. A screenshot is kept in artifacts/ for CI.
 */

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.resolve(import.meta.dirname, '../../artifacts');
const TRAP = '<img src=x onerror="window.__pwned=1">';
const SCRIPT = '<script>window.__pwned=2</script>';

let h: Harness;
let browser: BrowserContext;
let userDataDir: string;
let main: { url: string; uuid: string };
let xss: { url: string };
let secret: { url: string };
const requests: string[] = [];

async function monitor(name: string, extra: Record<string, unknown> = {}) {
  const res = await h.request('POST', '/v1/monitors', { body: { name, url: 'http://127.0.0.1:9/', ...extra } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const row = await h.ctx.store.db
    .selectFrom('monitors')
    .select('id')
    .where('uuid', '=', res.body.uuid)
    .executeTakeFirstOrThrow();
  return { uuid: res.body.uuid as string, id: Number(row.id) };
}

async function statusPage(body: Record<string, unknown>) {
  const res = await h.request('POST', '/v2/statuspages', { body });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { url: `${h.url}/status/${body.subdomain}`, uuid: res.body.statuspage.uuid as string };
}

/** A deterministic pseudo-random sequence, so the screenshot is the same on every run. */
function prng(seed: number) {
  return () => {
    seed = (seed * 1664525 + 1013904223) % 4294967296;
    return seed / 4294967296;
  };
}

/** 90 days of day rollups and 24 hours of hour rollups, as the engine writes them. */
async function history(monitorId: number, opts: { badDays?: Record<number, number>; ms: number; seed: number }) {
  const rand = prng(opts.seed);
  const now = Date.now();
  const today = now - (now % DAY);
  const hour = now - (now % HOUR);
  const empty = {
    location: 'local',
    min_ms: null,
    max_ms: null,
    h0: 0,
    h1: 0,
    h2: 0,
    h3: 0,
    h4: 0,
    h5: 0,
    h6: 0,
    h7: 0,
    h8: 0,
    h9: 0,
    h10: 0,
    h11: 0,
  };
  const rows: RollupRow[] = [];
  for (let d = 0; d < 90; d++) {
    const failures = opts.badDays?.[d] ?? 0;
    rows.push({
      ...empty,
      monitor_id: monitorId,
      granularity: 'day',
      bucket: today - d * DAY,
      checks: 1440,
      failures,
      sum_ms: (1440 - failures) * opts.ms,
      h2: 1440 - failures,
    });
  }
  for (let i = 0; i < 24; i++) {
    const ms = Math.round(opts.ms * (0.8 + rand() * 0.5 + (i === 7 ? 0.9 : 0)));
    rows.push({
      ...empty,
      monitor_id: monitorId,
      granularity: 'hour',
      bucket: hour - i * HOUR,
      checks: 60,
      failures: 0,
      sum_ms: 60 * ms,
      h2: 60,
    });
  }
  await h.ctx.store.db.insertInto('check_rollups').values(rows).execute();
}

before(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: install it with \`apt-get install chromium\` (the browser tests need it; they are not skipped).`,
    );
  }
  h = await startHarness();
  const api = await monitor('api');
  const web = await monitor('web');
  const hooks = await monitor('hooks');
  const pg = await monitor('pg');
  const redis = await monitor('redis');
  const search = await monitor('search');
  await history(api.id, { ms: 182, seed: 1, badDays: { 3: 4, 40: 95 } });
  await history(web.id, { ms: 96, seed: 2, badDays: { 12: 1 } });
  await history(hooks.id, { ms: 240, seed: 3, badDays: { 0: 130, 61: 20 } });
  await history(pg.id, { ms: 12, seed: 4 });
  await history(redis.id, { ms: 3, seed: 5, badDays: { 25: 2 } });
  await h.ctx.store.db.updateTable('monitors').set({ status: 'down' }).where('id', '=', hooks.id).execute();
  main = await statusPage({
    name: 'Acme Cloud',
    subdomain: 'acme',
    description: 'Live status of the Acme Cloud platform and its APIs.',
    accent_color: '#4f46e5',
    languages: ['en', 'fr', 'de'],
    sections: [
      {
        name: 'Core services',
        services: [
          {
            monitor_uuid: api.uuid,
            name_shown: 'Public API',
            description: 'REST and GraphQL endpoints',
            show_uptime: true,
            show_response_times: true,
          },
          { monitor_uuid: web.uuid, name_shown: 'Website and dashboard', show_uptime: true },
          { monitor_uuid: hooks.uuid, name_shown: 'Webhook delivery', show_uptime: true },
        ],
      },
      {
        name: 'Data stores',
        services: [
          {
            is_group: true,
            name_shown: 'Databases',
            show_uptime: true,
            services: [
              { uuid: pg.uuid, name: { en: 'PostgreSQL' } },
              { uuid: redis.uuid, name: { en: 'Redis cache' } },
            ],
          },
          {
            monitor_uuid: search.uuid,
            name_shown:
              'Search (beta, being rebuilt: aVeryLongUnbrokenIdentifierThatMustWrapOnSmallScreensWithoutOverflowing)',
            show_uptime: true,
          },
        ],
      },
    ],
  });
  const now = Date.now();
  const incident = async (body: Record<string, unknown>) => {
    const res = await h.request('POST', '/v3/incidents', {
      body: { type: 'incident', statuspages: [main.uuid], ...body },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
  };
  await incident({
    title: { en: 'Webhook deliveries delayed' },
    text: { en: 'Some webhooks are delivered with a delay of up to 10 minutes.' },
    affectedComponents: [hooks.uuid],
    date: new Date(now - 50 * 60_000).toISOString(),
    updates: [
      {
        type: 'identified',
        text: { en: 'A queue consumer is stuck; we are restarting it.' },
        date: new Date(now - 20 * 60_000).toISOString(),
      },
    ],
  });
  await incident({
    title: { en: 'Elevated API error rate' },
    text: { en: 'Some API requests failed with 502.' },
    affectedComponents: [api.uuid],
    date: new Date(now - 40 * DAY).toISOString(),
    updates: [
      {
        type: 'investigating',
        text: { en: 'We are investigating elevated error rates.' },
        date: new Date(now - 40 * DAY + 5 * 60_000).toISOString(),
      },
      {
        type: 'resolved',
        text: { en: 'A faulty load balancer was replaced. All requests succeed again.' },
        date: new Date(now - 40 * DAY + 95 * 60_000).toISOString(),
      },
    ],
  });
  const mw = await h.request('POST', '/v1/maintenance-windows', {
    body: {
      name: 'db upgrade',
      title: { en: 'PostgreSQL 16 upgrade' },
      text: { en: 'Writes may pause for up to two minutes.' },
      start_date: new Date(now + 2 * DAY).toISOString(),
      end_date: new Date(now + 2 * DAY + HOUR).toISOString(),
      monitors: [pg.uuid],
      statuspages: [main.uuid],
    },
  });
  assert.equal(mw.status, 201, JSON.stringify(mw.body));

  xss = await statusPage({
    name: `${TRAP} Evil`,
    subdomain: 'evil',
    description: SCRIPT,
    sections: [
      {
        name: SCRIPT,
        services: [{ monitor_uuid: api.uuid, name_shown: TRAP, description: '"><svg onload="window.__pwned=3">' }],
      },
    ],
  });
  secret = await statusPage({
    name: 'Secret Corp',
    subdomain: 'secret',
    password: 'open sesame',
    sections: [{ name: 'Hidden section', services: [{ monitor_uuid: web.uuid, name_shown: 'Hidden service' }] }],
  });

  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-chromium-'));
  browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1200, height: 900 },
  });
  browser.on('request', (r) => requests.push(r.url()));
});

after(async () => {
  await browser?.close();
  if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
  await h?.stop();
});

async function open(
  url: string,
  viewport?: { width: number; height: number },
): Promise<{ page: Page; status: number }> {
  const page = await browser.newPage();
  if (viewport) await page.setViewportSize(viewport);
  const res = await page.goto(url);
  return { page, status: res!.status() };
}

describe('a public status page in Chromium', () => {
  test('shows the page, its sections, services, states, uptime bars, incidents and maintenance', async () => {
    const { page, status } = await open(main.url);
    assert.equal(status, 200);
    assert.equal(await page.title(), 'Acme Cloud – Partial outage');
    assert.equal(await page.locator('h1').innerText(), 'Acme Cloud');
    assert.equal(await page.locator('.overall strong').innerText(), 'Partial outage');
    for (const text of [
      'Core services',
      'Data stores',
      'Public API',
      'Website and dashboard',
      'Webhook delivery',
      'Databases',
      'Active incidents',
      'Webhook deliveries delayed',
      'PostgreSQL 16 upgrade',
      'Past incidents',
      'Elevated API error rate',
    ]) {
      assert.ok(await page.getByText(text, { exact: true }).first().isVisible(), `${text} is visible`);
    }
    assert.equal(await page.locator('.svc', { hasText: 'Webhook delivery' }).locator('.state').innerText(), 'Outage');
    const bars = page.locator('svg.bars');
    assert.ok((await bars.count()) >= 6);
    assert.equal(await bars.first().locator('rect').count(), 90);
    assert.ok(await bars.first().isVisible());
    assert.equal(await page.locator('svg.rt').count(), 1);
    // The day's figure is the bar's hover text.
    assert.match(
      (await bars.first().locator('rect').last().locator('title').textContent()) ?? '',
      /: 100\.00% uptime$/,
    );
    // The group is closed until opened (no script needed).
    assert.equal(await page.getByText('PostgreSQL', { exact: true }).isVisible(), false);
    await page.locator('summary', { hasText: 'Databases' }).click();
    assert.equal(await page.getByText('PostgreSQL', { exact: true }).isVisible(), true);
    await page.close();
  });

  test('feed.rss parses as XML in the browser', async () => {
    // The page's CSP allows no fetch, so the feed is read here and parsed on a blank page.
    const feed = await (await fetch(`${main.url}/feed.rss`)).text();
    const page = await browser.newPage();
    const parsed = await page.evaluate((text) => {
      const xml = new DOMParser().parseFromString(text, 'application/xml');
      return {
        error: xml.querySelector('parsererror')?.textContent ?? null,
        items: [...xml.querySelectorAll('item > title')].map((t) => t.textContent),
      };
    }, feed);
    assert.equal(parsed.error, null);
    assert.deepEqual(parsed.items, ['PostgreSQL 16 upgrade', 'Webhook deliveries delayed', 'Elevated API error rate']);
    await page.close();
  });

  test('SECURITY 22: nothing injected through user strings runs or becomes an element', async () => {
    const { page, status } = await open(xss.url);
    assert.equal(status, 200);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.equal(await page.locator('script, img[onerror], svg[onload], img[src="x"]').count(), 0);
    assert.ok(await page.getByText(SCRIPT, { exact: true }).first().isVisible(), 'the script tag shows as text');
    assert.match(await page.locator('h1').innerText(), /^<img src=x onerror="window.__pwned=1"> Evil$/);
    await page.close();
  });

  test('SECURITY 22: the password gate shows no content until the right password is given', async () => {
    const { page, status } = await open(secret.url);
    assert.equal(status, 401);
    assert.equal(await page.locator('h1').innerText(), 'Password required');
    const body = await page.locator('body').innerText();
    for (const hidden of ['Secret Corp', 'Hidden section', 'Hidden service']) assert.ok(!body.includes(hidden));
    await page.fill('#password', 'wrong password');
    await page.click('button[type=submit]');
    assert.match(await page.locator('.error').innerText(), /Wrong password/);
    await page.fill('#password', 'open sesame');
    await Promise.all([page.waitForURL(secret.url), page.click('button[type=submit]')]);
    assert.equal(await page.locator('h1').innerText(), 'Secret Corp');
    assert.ok(await page.getByText('Hidden service', { exact: true }).isVisible());
    const cookies = await browser.cookies(secret.url);
    assert.equal(cookies.length, 1);
    assert.equal(cookies[0].httpOnly, true);
    assert.equal(cookies[0].sameSite, 'Lax');
    assert.equal(cookies[0].path, '/status/secret');
    await page.close();
  });

  test('fits a phone-sized screen without horizontal scrolling, and the screenshot is kept', async () => {
    const { page } = await open(main.url, { width: 375, height: 812 });
    const width = await page.evaluate(() => document.scrollingElement!.scrollWidth);
    assert.ok(width <= 375, `page is ${width}px wide on a 375px screen`);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'status-page-phone.png'), fullPage: true });
    await page.close();
    const desktop = await open(main.url);
    await desktop.page.screenshot({ path: path.join(ARTIFACTS, 'status-page.png'), fullPage: true });
    await desktop.page.close();
    assert.ok(fs.statSync(path.join(ARTIFACTS, 'status-page.png')).size > 10_000);
  });

  test('no request leaves this machine', async () => {
    const { page } = await open(`${main.url}?lang=fr`);
    await page.close();
    assert.ok(requests.length >= 5);
    const origin = new URL(h.url).origin;
    const foreign = requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('data:'));
    assert.deepEqual(foreign, []);
    assert.match(origin, /^http:\/\/127\.0\.0\.1:\d+$/);
  });
});
