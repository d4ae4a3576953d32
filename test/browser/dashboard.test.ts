import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startHarness, type Harness } from '../harness.ts';

/** Headless Debian chromium on a fresh profile; every request it makes is recorded. */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ARTIFACTS = path.resolve(import.meta.dirname, '../../artifacts');
const ADMIN = { email: 'admin@example.org', password: 'correct horse battery' };
const FULL_KEY = /sk_[A-Za-z0-9]{28,}/;

let h: Harness;
let profile: string;
let context: BrowserContext;
let page: Page;
const requested: string[] = [];

before(async () => {
  h = await startHarness();
  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 860 },
  });
  context.on('request', (r) => requested.push(r.url()));
  page = context.pages()[0] ?? (await context.newPage());
  fs.mkdirSync(ARTIFACTS, { recursive: true });
});
after(async () => {
  await context?.close();
  fs.rmSync(profile, { recursive: true, force: true });
  await h.stop();
});

const devUrl = () => `${h.url}/app/projects/${h.project.uuid}/settings/developers`;
const noHorizontalOverflow = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

describe('the dashboard in a browser', { timeout: 120_000 }, () => {
  test('first-run setup, then sign-out and sign-in', async () => {
    await page.goto(`${h.url}/app`);
    assert.equal(new URL(page.url()).pathname, '/app/setup');
    await page.getByLabel('Email').click();
    await page.keyboard.type(ADMIN.email); // keyboard only
    await page.keyboard.press('Tab');
    await page.keyboard.type(ADMIN.password);
    await page.keyboard.press('Enter');
    await page.waitForURL('**/app/projects');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/app/login');
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill('wrong password!');
    await page.getByRole('button', { name: 'Sign in' }).click();
    assert.equal(await page.getByRole('alert').textContent(), 'Incorrect email or password.');
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/app/projects');
    assert.ok(await page.getByRole('link', { name: 'Test project' }).isVisible());
  });

  test('Developers tab: create a key in the modal, see it once, copy it, close, revoke it', async () => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.url });
    await page.getByRole('link', { name: 'Test project' }).click();
    await page.waitForURL(`${h.url}/app/projects/${h.project.uuid}/monitors`); // a project opens on its monitors
    await page.locator('nav.project-nav').getByRole('link', { name: 'Settings' }).click();
    await page.waitForURL(devUrl());
    assert.equal(await page.locator('nav.tabs [aria-current=page]').textContent(), 'Developers');

    await page.getByRole('link', { name: 'Create key' }).click();
    const dialog = page.locator('dialog#create-key');
    await dialog.waitFor({ state: 'visible' });
    assert.equal(new URL(page.url()).pathname, new URL(devUrl()).pathname, 'the modal opens in place');
    // Keyboard only: focus starts in Name; Tab reaches the permission choice, Space picks it.
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'f-name');
    await page.keyboard.type('Browser key');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    assert.equal(await dialog.locator('input[name=permission][value=read_write]').isChecked(), true);
    await dialog.getByRole('button', { name: 'Create key' }).click();

    const input = dialog.locator('#new-key');
    await input.waitFor();
    const key = await input.inputValue();
    assert.match(key, FULL_KEY);
    assert.match((await dialog.getByRole('alert').textContent()) ?? '', /will not be shown again/);
    const copy = dialog.getByRole('button', { name: 'Copy' });
    assert.ok(await copy.isVisible(), 'the copy button is shown when scripts run');
    await copy.click();
    await page.waitForFunction(() => document.querySelector('.copy-status')?.textContent !== '');
    const status = await dialog.locator('.copy-status').textContent();
    if (status === 'Copied to the clipboard.')
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), key);
    else assert.match(status ?? '', /selected/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-key-created.png') });

    assert.equal((await fetch(`${h.url}/v1/monitors`, { headers: { authorization: `Bearer ${key}` } })).status, 200);

    await dialog.getByRole('link', { name: 'Done' }).click();
    await page.waitForLoadState('load');
    await page.locator('tr', { hasText: 'Browser key' }).waitFor();
    const content = await page.content();
    assert.ok(!content.includes(key), 'after closing, only the masked key is on the page');
    assert.ok(content.includes(`${key.slice(0, 7)}…${key.slice(-4)}`));
    await page.reload();
    assert.ok(!(await page.content()).includes(key), 'nor after a reload');
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-developers.png'), fullPage: true });

    const row = page.locator('tr', { hasText: 'Browser key' });
    await row.getByRole('link', { name: /Revoke/ }).click();
    await page.getByRole('button', { name: 'Revoke key' }).waitFor();
    assert.match((await page.locator('main').textContent()) ?? '', /Revoke Browser key/);
    await page.getByRole('button', { name: 'Revoke key' }).click();
    await page.waitForURL(/revoked=1$/);
    assert.equal(await page.getByRole('status').textContent(), 'The key was revoked: requests using it now get 401.');
    assert.equal(await page.locator('tr', { hasText: 'Browser key' }).count(), 0);
    assert.equal((await fetch(`${h.url}/v1/monitors`, { headers: { authorization: `Bearer ${key}` } })).status, 401);
  });

  test('validation errors show beside the field inside the modal', async () => {
    await page.goto(devUrl());
    await page.getByRole('link', { name: 'Create key' }).click();
    const dialog = page.locator('dialog#create-key');
    await dialog.getByLabel('Name').fill('Dated');
    await dialog.getByText('Read-only').click();
    await dialog.getByLabel('Expiration date').fill('2001-01-01');
    assert.equal(
      await dialog.locator('input[name=expiration][value=date]').isChecked(),
      true,
      'picking a date selects "On a date"',
    );
    // The browser would stop a date before `min`; the server must refuse it too.
    await dialog.locator('form').evaluate((f: HTMLFormElement) => {
      f.noValidate = true;
    });
    await dialog.getByRole('button', { name: 'Create key' }).click();
    const error = dialog.locator('#f-expires_on-error');
    await error.waitFor();
    assert.equal(await error.textContent(), 'Expiration 2001-01-01T00:00:00.000Z is in the past');
    assert.ok(await dialog.isVisible(), 'the modal stays open with the error');
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-create-key-error.png') });
    await page.keyboard.press('Escape');
    assert.equal(await dialog.isVisible(), false);
  });

  test('at 375 px wide nothing overflows sideways, the modal included', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    for (const url of [`${h.url}/app/projects`, devUrl()]) {
      await page.goto(url);
      assert.ok(await noHorizontalOverflow(), url);
    }
    await page.getByRole('link', { name: 'Create key' }).click();
    const box = await page.locator('dialog#create-key').boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= 375, JSON.stringify(box));
    assert.ok(await noHorizontalOverflow());
    await page.keyboard.press('Escape');
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-developers-phone.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  test('without JavaScript, Create key is a page of its own and the key is still shown once', async () => {
    const cookies = await context.cookies(); // all of them: the session cookie is scoped to /app
    const plainProfile = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-chromium-'));
    const plain = await chromium.launchPersistentContext(plainProfile, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ARGS,
      javaScriptEnabled: false,
    });
    try {
      plain.on('request', (r) => requested.push(r.url()));
      await plain.addCookies(cookies);
      const p = plain.pages()[0] ?? (await plain.newPage());
      await p.goto(devUrl());
      await p.getByRole('link', { name: 'Create key' }).click();
      await p.waitForURL(/\/developers\/new$/);
      await p.getByLabel('Name').fill('No-JS key');
      await p.getByText('Read & Write').click();
      await p.getByRole('button', { name: 'Create key' }).click();
      const key = await p.locator('#new-key').inputValue();
      assert.match(key, FULL_KEY);
      assert.equal(await p.getByRole('button', { name: 'Copy' }).isVisible(), false, 'no copy button without scripts');
      await p.getByRole('link', { name: 'Done' }).click();
      await p.locator('tr', { hasText: 'No-JS key' }).waitFor();
      assert.ok(!(await p.content()).includes(key));
    } finally {
      await plain.close();
      fs.rmSync(plainProfile, { recursive: true, force: true });
    }
  });

  test('every request the browser made stayed on 127.0.0.1', () => {
    assert.ok(requested.length > 10);
    const elsewhere = requested.filter((u) => !u.startsWith('data:') && new URL(u).hostname !== '127.0.0.1');
    assert.deepEqual(elsewhere, []);
  });
});
