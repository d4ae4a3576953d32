import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawn } from 'node:child_process';
import type { Page } from 'playwright-core';
import { ARTIFACTS, openBrowser, signIn, type Browser } from '../support/chromium.ts';
import { startHarness, type Harness } from '../harness.ts';
import { ADMIN } from '../support/dashboard-session.ts';
import { createUser } from '../../src/services/users.ts';
import { base32Decode, totp } from '../../src/domain/totp.ts';

let h: Harness;
let browser: Browser;
let page: Page;
// The server's clock runs ahead by whole 30-second steps when a test needs a code it has not used yet.
let offset = 0;
const clock = () => Date.now() + offset;
let secret = '';
let recoveryCodes: string[] = [];
const NEW_PASSWORD = 'a changed passphrase';
const RESET_PASSWORD = 'reset from the command line';

before(async () => {
  h = await startHarness({ clock });
  await createUser(h.ctx, ADMIN);
  browser = await openBrowser();
  page = browser.page;
  await signIn(page, h.url, ADMIN);
});
after(async () => {
  await browser?.close();
  await h.stop();
});

/** `vigil users reset-password …` against the harness's database, the password piped in. */
function resetPassword(args: string[], stdin: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const bin = path.resolve(import.meta.dirname, '../../bin/vigil.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'users', 'reset-password', ...args], {
      env: { ...process.env, ...h.db.env, VIGIL_LOG_LEVEL: 'silent' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

async function signOut() {
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.waitForURL('**/app/login');
}

async function passwordStep(password: string) {
  await page.goto(`${h.url}/app/login`);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('the Account page in a browser', { timeout: 120_000 }, () => {
  test('change the password: a wrong current one is said beside its field; then the new one signs in', async () => {
    await page.getByRole('link', { name: 'Account', exact: true }).click();
    await page.waitForURL('**/app/account');
    await page.getByLabel('Current password').fill('not the password');
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    assert.equal(await page.locator('#f-current-error').textContent(), 'This is not your current password');
    assert.equal(await page.getByLabel('Current password').getAttribute('aria-invalid'), 'true');

    await page.getByLabel('Current password').fill(ADMIN.password);
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.waitForURL(/\/app\/account\?done=password/);
    assert.match(
      (await page.getByRole('status').textContent())!,
      /Your password was changed\. You are still signed in here; no other session was open\./,
    );

    await signOut();
    await passwordStep(ADMIN.password);
    assert.equal(await page.getByRole('alert').textContent(), 'Incorrect email or password.');
    await passwordStep(NEW_PASSWORD);
    await page.waitForURL('**/app/projects');
  });

  test('set up two-factor sign-in, then sign in with a code from the app and with a recovery code', async () => {
    await page.getByRole('link', { name: 'Account', exact: true }).click();
    await page.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
    await page.waitForURL('**/app/account/2fa');
    secret = await page.locator('#totp-secret').inputValue();
    assert.match(secret, /^[A-Z2-7]{32}$/);
    assert.match(
      (await page.locator('#otpauth-link').getAttribute('href'))!,
      new RegExp(`^otpauth://totp/Vigil:admin%40example\\.org\\?secret=${secret}&`),
    );
    assert.equal(
      await page.getByRole('button', { name: 'Copy' }).isVisible(),
      true,
      'the copy button shows when scripts run',
    );
    await page.screenshot({ path: path.join(ARTIFACTS, 'account-2fa-setup.png') });

    await page.getByLabel('Code').fill(totp(base32Decode(secret)!, clock()));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByRole('heading', { name: 'Two-factor sign-in is on' }).waitFor();
    recoveryCodes = await page.locator('#recovery-codes li').allTextContents();
    assert.equal(recoveryCodes.length, 10);
    await page.getByRole('link', { name: 'I saved them' }).click();
    await page.waitForURL('**/app/account');
    assert.match((await page.locator('#twofactor-state').textContent())!, /On since .* 10 of 10 recovery codes left\./);

    // Sign in again: the password, then the next code of the app.
    await signOut();
    await passwordStep(NEW_PASSWORD);
    await page.waitForURL('**/app/login/code');
    assert.equal(await page.getByRole('link', { name: 'Account', exact: true }).count(), 0, 'not signed in yet');
    offset += 30_000;
    await page.getByLabel('Code').fill('000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    assert.match((await page.locator('#f-code-error').textContent())!, /That code is not right/);
    await page.getByLabel('Code').fill(totp(base32Decode(secret)!, clock()));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/app/projects');

    // And with a recovery code in place of the app.
    await signOut();
    await passwordStep(NEW_PASSWORD);
    await page.waitForURL('**/app/login/code');
    await page.getByLabel('Code').fill(recoveryCodes[0]);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/app/projects');
    await page.getByRole('link', { name: 'Account', exact: true }).click();
    assert.match((await page.locator('#twofactor-state').textContent())!, /9 of 10 recovery codes left\./);
    await page.screenshot({ path: path.join(ARTIFACTS, 'account.png'), fullPage: true });
  });

  test('vigil users reset-password --password-stdin --disable-2fa (a forgotten password, a lost phone): signed out, then in with the new password alone', async () => {
    const res = await resetPassword(
      ['--email', ADMIN.email, '--password-stdin', '--disable-2fa'],
      `${RESET_PASSWORD}\n`,
    );
    assert.equal(res.code, 0, res.stderr);
    assert.match(
      res.stdout,
      /^Set a new password and turned off two-factor sign-in for admin@example\.org; 1 session ended\./,
    );
    await page.reload();
    await page.waitForURL('**/app/login');
    await passwordStep(NEW_PASSWORD);
    assert.equal(await page.getByRole('alert').textContent(), 'Incorrect email or password.');
    await signIn(page, h.url, { email: ADMIN.email, password: RESET_PASSWORD });
    await page.getByRole('link', { name: 'Account', exact: true }).click();
    assert.match((await page.locator('#twofactor-state').textContent())!, /^Off\./);
  });
});
