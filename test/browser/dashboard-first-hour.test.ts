// The first hour with Vigil, in a browser, with the engine running (VIGIL_ROLE=all): a new
// hourly monitor reads Pending until its first check, which runs within seconds of its creation
// (not an hour later); the monitors page says nobody is alerted until the first channel,
// saved with "Alert on all of this project's monitors", makes the default policy reach it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ARTIFACTS, openBrowser, signIn, type Browser } from '../support/chromium.ts';
import { startHarness, type Harness } from '../harness.ts';
import { ADMIN, actorOf } from '../support/dashboard-session.ts';
import { startHttp, type Running } from '../support/targets.ts';
import { createUser } from '../../src/services/users.ts';
import { listPolicies } from '../../src/services/escalation-policies.ts';
import { listIntegrations } from '../../src/services/integrations.ts';

/** The target answers after this long: the first result cannot be stored before the pages below have loaded. */
const ANSWER_DELAY_MS = 2500;

let h: Harness;
let target: Running;
let browser: Browser;
let page: Page;
let requested: string[] = [];
const monitors = () => `${h.url}/app/projects/${h.project.uuid}/monitors`;
const BANNER = 'Nobody is alerted when a check goes down.';

before(async () => {
  target = await startHttp((req, res) => {
    setTimeout(
      () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'),
      req.url === '/health' ? ANSWER_DELAY_MS : 0,
    );
  });
  h = await startHarness({ env: { VIGIL_ROLE: 'all' } });
  await createUser(h.ctx, ADMIN);
  browser = await openBrowser();
  ({ page, requested } = browser);
  await signIn(page, h.url, ADMIN);
});
after(async () => {
  await browser?.close();
  await h.stop();
  await target.close();
});

describe('the first hour, in a browser', { timeout: 120_000 }, () => {
  test('an hourly monitor made in the form reads Pending, then Up after its first check, within seconds', async () => {
    await page.goto(`${monitors()}/new`);
    await page.getByLabel('Name', { exact: true }).fill('Loopback health');
    await page.getByLabel('URL or host').fill(`${target.url}/health`);
    await page.getByLabel('Check every').selectOption('3600');
    const created = Date.now();
    await page.getByRole('button', { name: 'Create monitor' }).click();
    await page.waitForURL(/\/monitors\/mon_[A-Za-z0-9]+\?done=created$/);
    const monitorUrl = page.url().replace(/\?.*$/, '');
    assert.match(
      (await page.locator('#current-status').textContent()) ?? '',
      /Pending/,
      'never Up before a check said so',
    );
    assert.equal(await page.locator('#current-status .state-pending').count(), 1);
    assert.match((await page.locator('#checked-from').textContent()) ?? '', /^local \(this server\)/);
    await page.goto(monitors());
    const row = page.locator('table.monitors tr', { hasText: 'Loopback health' });
    assert.match((await row.locator('td[data-label=Status]').textContent()) ?? '', /Pending/);
    assert.ok(Date.now() - created < ANSWER_DELAY_MS, 'both pages were read before any result could be stored');
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-first-hour-pending.png'), fullPage: false });

    // Reload the monitor page until it reads Up: the first check of an hourly monitor is due within 5 s.
    await page.goto(monitorUrl);
    for (;;) {
      if (/Up/.test((await page.locator('#current-status').textContent()) ?? '')) break;
      assert.ok(
        Date.now() - created < 12_000,
        `still ${(await page.locator('#current-status').textContent())?.trim()} after ${Date.now() - created} ms`,
      );
      await page.waitForTimeout(500);
      await page.reload();
    }
    const took = Date.now() - created;
    assert.ok(took < 10_000, `Up after ${took} ms`);
    assert.match((await page.locator('table.checks tbody tr').first().textContent()) ?? '', /local[\s\S]*OK · 200/);
  });

  test('the no-alerting banner: shown with a monitor and no channel; the first channel, saved with its box ticked, makes it go', async () => {
    await page.goto(monitors());
    assert.match((await page.locator('#alerts-nobody').textContent()) ?? '', new RegExp(BANNER));
    await page.locator('#alerts-nobody').getByRole('link', { name: 'Set up alerting' }).click();
    await page.getByRole('link', { name: 'Add channel' }).first().click();
    await page.getByRole('link', { name: 'Webhook (Standard Webhooks)' }).click();
    const box = page.getByRole('checkbox', { name: 'Alert on all of this project’s monitors' });
    assert.equal(await box.isChecked(), true, 'checked by default on the first channel');
    await page.getByLabel('Name', { exact: true }).fill('Ops hook');
    await page.getByLabel('Endpoint URL').fill(`${target.url}/hook`);
    await page.getByRole('button', { name: 'Add channel' }).click();
    await page.getByRole('link', { name: 'Continue' }).waitFor();
    assert.match((await page.getByRole('status').textContent()) ?? '', /default escalation policy alerts it at once/);

    const actor = actorOf(h.ctx, h.project);
    const [channel] = await listIntegrations(actor);
    assert.deepEqual(
      (await listPolicies(actor)).map((x) => [x.name, x.isDefault, x.steps[0].integrations]),
      [['All monitors', true, [channel.uuid]]],
    );
    await page.goto(monitors());
    assert.equal(await page.locator('#alerts-nobody').count(), 0, 'the banner is gone');
    await page.goto(`${h.url}/app/projects/${h.project.uuid}/alerting/channels/new?type=slack`);
    assert.equal(
      await page.getByRole('checkbox', { name: 'Alert on all of this project’s monitors' }).count(),
      0,
      'offered for the first channel only',
    );
  });

  test('every request the browser made stayed on 127.0.0.1', () => {
    const elsewhere = requested.filter((u) => !u.startsWith('data:') && new URL(u).hostname !== '127.0.0.1');
    assert.deepEqual(elsewhere, []);
  });
});
