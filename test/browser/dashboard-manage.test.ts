import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS, openBrowser, signIn, type Browser } from '../support/chromium.ts';
import { startHarness, type Harness } from '../harness.ts';
import { ADMIN, actorOf } from '../support/dashboard-session.ts';
import { createUser } from '../../src/services/users.ts';
import { createMonitor } from '../../src/services/monitors.ts';
import { createHealthcheck } from '../../src/services/healthchecks.ts';
import { createIncident, addIncidentUpdate } from '../../src/services/incidents.ts';
import { createMaintenance, listMaintenance } from '../../src/services/maintenance.ts';
import { createStatusPage } from '../../src/services/statuspages.ts';

let h: Harness;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let incidentUuid = '';
let pageUuid = '';
let requested: string[] = [];
const at = (rest: string) => `${h.url}/app/projects/${h.project.uuid}/${rest}`;
const noHorizontalOverflow = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

before(async () => {
  h = await startHarness();
  await createUser(h.ctx, ADMIN);
  const actor = actorOf(h.ctx, h.project);
  const now = Date.now();
  const api = await createMonitor(actor, { name: 'API gateway', url: 'https://api.example.org/health' });
  const shop = await createMonitor(actor, { name: 'Shop', url: 'https://shop.example.org' });
  await createHealthcheck(actor, {
    name: 'Nightly backup',
    cron: '0 3 * * *',
    timezone: 'Europe/Paris',
    grace_period_value: 30,
    grace_period_type: 'minutes',
  });
  const report = await createHealthcheck(actor, {
    name: 'Hourly report',
    period_value: 1,
    period_type: 'hours',
    grace_period_value: 5,
    grace_period_type: 'minutes',
  });
  await fetch(`${h.url}/ping/${report.uuid}`, { method: 'POST', body: 'rows=1204' });
  const sp = await createStatusPage(actor, {
    name: 'Acme status',
    subdomain: 'acme',
    sections: [
      { name: 'Shop', services: [{ monitor_uuid: shop.uuid }, { monitor_uuid: api.uuid, show_response_times: true }] },
    ],
  });
  pageUuid = sp.row.uuid;
  const inc = await createIncident(actor, {
    title: { en: 'Slow checkout' },
    type: 'incident',
    affectedComponents: [shop.uuid],
    statuspages: [sp.row.uuid],
    updates: [{ text: { en: 'Payments take 20 s' }, type: 'investigating' }],
  });
  await addIncidentUpdate(actor, inc.uuid, { text: { en: 'A slow database query' }, type: 'identified' });
  incidentUuid = inc.uuid;
  await createMaintenance(actor, {
    name: 'DB upgrade',
    title: { en: 'Database upgrade' },
    start_date: new Date(now + 86_400_000).toISOString(),
    end_date: new Date(now + 90_000_000).toISOString(),
    monitors: [shop.uuid],
  });
  const row = (uuid: string, monitorId: number, started: number, ended: number | null, description: string) => ({
    uuid,
    project_id: h.project.id,
    monitor_id: monitorId,
    outage_type: 'automatic',
    started_at: started,
    ended_at: ended,
    status_code: 503,
    description,
    detected_location: 'london',
    confirmed_locations: 'london',
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
      row('outage_browser0000000001', shop.id, now - 900_000, null, 'Service Unavailable'),
      row('outage_browser0000000002', api.id, now - 2 * 86_400_000, now - 2 * 86_400_000 + 340_000, 'Gateway timeout'),
    ])
    .execute();

  browser = await openBrowser();
  ({ context, page, requested } = browser);
  await signIn(page, h.url, ADMIN);
});
after(async () => {
  await browser?.close();
  await h.stop();
});

describe('the management screens in a browser', { timeout: 180_000 }, () => {
  test('healthchecks: the ping URL copies to the clipboard; the last ping shows', async () => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.url });
    await page.goto(at('healthchecks'));
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-healthchecks.png'), fullPage: true });
    await page.getByRole('link', { name: 'Hourly report' }).click();
    const input = page.getByLabel('Ping URL', { exact: true });
    const url = await input.inputValue();
    assert.match(url, /\/ping\/tok_[A-Za-z0-9]+$/);
    await page.getByRole('button', { name: 'Copy ping URL' }).click();
    await page.waitForFunction(() => document.querySelector('.copy-status')?.textContent !== '');
    const status = await page.locator('.copy-status').first().textContent();
    if (status === 'Copied to the clipboard.')
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), url);
    else assert.match(status ?? '', /selected/);
    assert.match((await page.locator('table.pings').textContent()) ?? '', /rows=1204/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-healthcheck.png'), fullPage: true });
  });

  test('outages: acknowledge, then resolve', async () => {
    await page.goto(at('outages'));
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-outages.png'), fullPage: true });
    await page.locator('nav.filter').getByRole('link', { name: 'Ongoing' }).click();
    await page.waitForURL(/status=ongoing/);
    await page.getByRole('link', { name: /^Open/ }).click();
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await page.waitForURL(/done=acknowledged/);
    assert.match((await page.locator('#outage-ack').textContent()) ?? '', /UTC/);
    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.waitForURL(/done=resolved/);
    assert.match((await page.locator('#outage-ended').textContent()) ?? '', /UTC/);
  });

  test('incidents: post an update from the incident page', async () => {
    await page.goto(at('incidents'));
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-incidents.png'), fullPage: true });
    await page.goto(at(`incidents/${incidentUuid}`));
    await page.getByLabel('Status').selectOption('monitoring');
    await page.getByLabel('Message').fill('A fix is deployed; watching.');
    await page.getByRole('button', { name: 'Post update' }).click();
    await page.waitForURL(/done=updated/);
    assert.match((await page.locator('ol.timeline li').first().textContent()) ?? '', /Monitoring.*A fix is deployed/s);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-incident.png'), fullPage: true });
  });

  test('maintenance and status pages render; the preview link opens the public page', async () => {
    await page.goto(at('maintenance'));
    assert.match((await page.locator('table.windows').textContent()) ?? '', /DB upgrade/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-maintenance.png'), fullPage: true });
    await page.goto(at(`statuspages/${pageUuid}`));
    const chosen = page.getByRole('group', { name: 'Monitors in this section' }).first();
    assert.ok(await chosen.getByRole('checkbox', { name: /^Shop/ }).isChecked(), 'monitors are chosen by name');
    assert.ok(await chosen.getByRole('checkbox', { name: /^API gateway/ }).isChecked());
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-statuspage-edit.png'), fullPage: true });
    const [preview] = await Promise.all([
      context.waitForEvent('page'),
      page.getByRole('link', { name: /^Preview/ }).click(),
    ]);
    await preview.waitForLoadState('load');
    assert.equal(new URL(preview.url()).pathname, '/status/acme');
    assert.match((await preview.locator('body').textContent()) ?? '', /Slow checkout/);
    await preview.close();
  });

  test('members: an owner invites someone, who joins with their own password and is made owner; a healthcheck is edited and paused', async () => {
    await page.goto(at('settings/members'));
    await page.getByLabel('Email').fill('dana@example.org');
    await page.getByLabel('Role', { exact: true }).selectOption('member');
    await page.getByRole('button', { name: 'Invite' }).click();
    const link = await page.locator('#invite-link').inputValue();
    assert.match(link, /\/app\/invite\/inv_[A-Za-z0-9]{40}$/);
    // Dana, in a browser of her own, chooses her password and lands in the project.
    const dana = await openBrowser();
    try {
      await dana.page.goto(link);
      await dana.page.getByLabel('Password').fill('dana own password');
      await dana.page.getByRole('button', { name: 'Create account and join' }).click();
      await dana.page.waitForURL(new RegExp(`/app/projects/${h.project.uuid}`));
    } finally {
      await dana.close();
    }
    await page.goto(at('settings/members'));
    const row = page.locator('table.members tr', { hasText: 'dana@example.org' });
    assert.equal(await row.getByLabel('Role of dana@example.org').inputValue(), 'member');
    await row.getByLabel('Role of dana@example.org').selectOption('owner');
    await row.getByRole('button', { name: 'Change the role of dana@example.org' }).click();
    await page.waitForURL('**/settings/members?done=role');
    assert.equal(
      await page
        .locator('table.members tr', { hasText: 'dana@example.org' })
        .getByLabel('Role of dana@example.org')
        .inputValue(),
      'owner',
    );
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-members.png'), fullPage: true });

    await page.goto(at('healthchecks'));
    await page.getByRole('link', { name: 'Nightly backup' }).click();
    await page.getByRole('link', { name: 'Edit', exact: true }).click();
    assert.equal(await page.getByLabel('Cron expression', { exact: true }).inputValue(), '0 3 * * *');
    await page.getByLabel('Name', { exact: true }).fill('Nightly DB backup');
    await page.getByLabel('Grace period', { exact: true }).fill('45');
    // Keyboard: the Paused box is reached and ticked with the space bar.
    await page.getByRole('checkbox', { name: /Paused/ }).focus();
    await page.keyboard.press('Space');
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-healthcheck-edit.png'), fullPage: true });
    await page.getByRole('button', { name: 'Save healthcheck' }).click();
    await page.waitForURL('**?done=saved');
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Nightly DB backup');
    assert.match((await page.locator('#hc-status').textContent()) ?? '', /Paused/);
    assert.match((await page.locator('.meta').first().textContent()) ?? '', /grace 45 minutes/);
  });

  test('a monitor picker at scale: Enter in its search box searches and keeps the form as typed; Enter elsewhere saves', async () => {
    const other = await h.ctx.store.db
      .selectFrom('projects')
      .select(['id', 'uuid'])
      .where('uuid', '=', h.other.uuid)
      .executeTakeFirstOrThrow();
    const big = actorOf(h.ctx, other);
    for (let n = 1; n <= 205; n++)
      await createMonitor(big, { name: `Node ${String(n).padStart(3, '0')}`, url: `https://n${n}.example.org` });
    await page.goto(`${h.url}/app/projects/${other.uuid}/maintenance/new`);
    await page.getByLabel('Name', { exact: true }).fill('Rack swap');
    await page.getByLabel('Title').fill('Swapping racks');
    await page.getByLabel('Find monitors by name').fill('node 12');
    await page.getByLabel('Find monitors by name').press('Enter');
    await page.getByRole('checkbox', { name: /^Node 123/ }).waitFor();
    assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), 'Rack swap', 'kept through the search');
    assert.equal(await page.getByLabel('Title').inputValue(), 'Swapping racks');
    await page.getByRole('checkbox', { name: /^Node 123/ }).check();
    await page.getByLabel('Find monitors by name').fill('node 201');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('checkbox', { name: /^Node 201/ }).waitFor();
    assert.equal(
      await page.getByRole('checkbox', { name: /^Node 123/ }).isChecked(),
      true,
      'the ticked one stays, first',
    );
    await page.getByRole('checkbox', { name: /^Node 201/ }).check();
    await page.getByLabel('Title').press('Enter');
    await page.waitForURL(/\/maintenance\?done=created$/);
    const [w] = (await listMaintenance(big, 0, 10)).windows;
    assert.equal(w.name, 'Rack swap');
    assert.equal(w.monitors.length, 2);
  });

  test('at 375 px wide no management screen overflows sideways', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    for (const p of [
      'healthchecks',
      'healthchecks/new',
      'outages',
      'outages/outage_browser0000000002',
      'incidents',
      `incidents/${incidentUuid}`,
      'incidents/new',
      'maintenance',
      'maintenance/new',
      'statuspages',
      `statuspages/${pageUuid}`,
      `statuspages/${pageUuid}/subscribers`,
      'settings/members',
      'outages/new',
    ]) {
      await page.goto(at(p));
      assert.ok(await noHorizontalOverflow(), p);
    }
    await page.goto(at('healthchecks'));
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-healthchecks-phone.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  test('every request the browser made stayed on 127.0.0.1', () => {
    assert.ok(requested.length > 10);
    const elsewhere = requested.filter((u) => !u.startsWith('data:') && new URL(u).hostname !== '127.0.0.1');
    assert.deepEqual(elsewhere, []);
  });
});
