// The Account page (/app/account) and two-factor sign-in, through the forms as a browser without
// scripts sends them. The server trusts X-Forwarded-For here, so each test's client has an
// address of its own and the sign-in throttle of one test never reaches another.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, snapshot, type Harness } from '../harness.ts';
import { FormClient, csrfOf, textOf } from '../support/browser-client.ts';
import { plain } from '../support/dashboard-session.ts';
import { createUser } from '../../src/services/users.ts';
import { PENDING_SIGN_IN_ATTEMPTS, PENDING_SIGN_IN_MS } from '../../src/services/two-factor.ts';
import { ACCOUNT_FAILURES, SIGN_IN_FAILURES } from '../../src/web/dashboard/credential-throttle.ts';
import { base32Decode, hotp, totpStep } from '../../src/domain/totp.ts';

let h: Harness;
// A clock the tests move by hand, 10 s into a 30-second step: which code is current never depends on when a test runs.
let now = Date.UTC(2026, 5, 1, 12, 0, 10);
const clock = () => now;
before(async () => {
  h = await startHarness({ clock, env: { VIGIL_TRUST_PROXY: 'true' } });
});
after(async () => {
  await h.stop();
});

let lastAddress = 10;
/** A client at an address of its own (198.51.100.N). */
const browser = () => new FormClient(h.url, { 'x-forwarded-for': `198.51.100.${lastAddress++}` });

async function newUser(email: string, password = 'first passphrase') {
  await createUser(h.ctx, { email, password });
  return { email, password };
}

async function signIn(user: { email: string; password: string }, b = browser()): Promise<FormClient> {
  const res = await b.submit('/app/login', '/app/login', user);
  assert.equal(res.status, 303, res.text);
  assert.equal(res.location, '/app/projects');
  return b;
}

/** Submits one of the Account page's forms with the page's CSRF token. */
const submit = (b: FormClient, action: string, fields: Record<string, string> = {}) =>
  b.submit('/app/account', action, fields);

const userRow = (email: string) =>
  h.ctx.store.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
const sessionsOf = async (email: string) =>
  (
    await h.ctx.store.db
      .selectFrom('sessions')
      .select('token_hash')
      .where('user_id', '=', (await userRow(email)).id)
      .execute()
  ).length;
const signedIn = async (b: FormClient) => (await b.get('/app/projects')).status === 200;

/** The code an authenticator app shows for `secret`, `steps` steps from the server's now. */
const codeFor = (secret: string, steps = 0) => hotp(base32Decode(secret)!, totpStep(clock()) + steps);
/** Moves the server's clock to the next 30-second step (codes of earlier steps are used up). */
const nextStep = () => {
  now += 30_000;
};

/** Turns two-factor sign-in on through the page; returns the secret and the recovery codes shown. */
async function enrol(b: FormClient): Promise<{ secret: string; codes: string[] }> {
  const start = await submit(b, '/app/account/2fa/start');
  assert.equal(start.status, 303);
  assert.equal(start.location, '/app/account/2fa');
  const page = await b.get('/app/account/2fa');
  const secret = /id="totp-secret"[^>]*value="([A-Z2-7]+)"/.exec(page.text)![1];
  const done = await b.post('/app/account/2fa', { _csrf: csrfOf(page.text), code: codeFor(secret) });
  assert.equal(done.status, 200, done.text);
  const codes = [...done.text.matchAll(/<li>([a-z2-7]{5}-[a-z2-7]{5}-[a-z2-7]{5})<\/li>/g)].map((m) => m[1]);
  return { secret, codes };
}

/** The password step of a sign-in with two-factor sign-in on: leads to the code page, without a session. */
async function passwordStep(user: { email: string; password: string }, b = browser()): Promise<FormClient> {
  const res = await b.submit('/app/login', '/app/login', user);
  assert.equal(res.status, 303, res.text);
  assert.equal(res.location, '/app/login/code');
  assert.ok(!b.cookies.has('vigil_session'), 'no session before the code');
  return b;
}

/** Sends the code form (with the sign-in page's token once the code page is gone). */
async function codeStep(b: FormClient, code: string) {
  const page = await b.get('/app/login/code');
  const token = csrfOf(page.status === 200 ? page.text : (await b.get('/app/login')).text);
  return b.post('/app/login/code', { _csrf: token, code });
}

/** What the Account page says of two-factor sign-in. */
const stateOf = (html: string) => plain(/id="twofactor-state">([\s\S]*?)<\/p>/.exec(html)![1]).trim();

describe('the Account page', () => {
  test('the header of every signed-in page links to it; it shows the email and the three sections', async () => {
    const user = await newUser('page@example.org');
    const b = await signIn(user);
    const projects = await b.get('/app/projects');
    assert.match(projects.text, /<nav class="account"[\s\S]*<a href="\/app\/account">Account<\/a>[\s\S]*Sign out/);
    const page = await b.get('/app/account');
    assert.equal(page.status, 200);
    const text = plain(page.text);
    assert.match(text, /Account page@example\.org/);
    for (const heading of ['Change password', 'Two-factor sign-in', 'Sign out everywhere'])
      assert.ok(text.includes(heading), heading);
    assert.match(stateOf(page.text)!, /^Off\./);
    assert.equal((await browser().get('/app/account')).location, '/app/login', 'signed out: to the sign-in page');
  });

  test('changing the password keeps this session, signs out the others and says so; the old password stops working', async () => {
    const user = await newUser('change@example.org');
    const here = await signIn(user);
    const [phone, laptop] = [await signIn(user), await signIn(user)];
    const res = await submit(here, '/app/account/password', {
      current: user.password,
      new_password: 'second passphrase',
      confirm_password: 'second passphrase',
    });
    assert.equal(res.status, 303);
    assert.equal(res.location, '/app/account?done=password&ended=2');
    const page = await here.get(res.location);
    assert.match(
      plain(page.text),
      /Your password was changed\. You are still signed in here; your 2 other sessions were signed out\./,
    );
    assert.equal(await signedIn(here), true);
    assert.equal(await signedIn(phone), false);
    assert.equal(await signedIn(laptop), false);
    assert.equal(await sessionsOf(user.email), 1);
    assert.equal((await browser().submit('/app/login', '/app/login', user)).status, 401, 'the old password');
    await signIn({ email: user.email, password: 'second passphrase' });
  });

  test('a wrong current password is said beside its field and changes nothing; so are a short or mistyped new one', async () => {
    const user = await newUser('wrong@example.org');
    const b = await signIn(user);
    const other = await signIn(user);
    const before = await snapshot(h.ctx);
    const wrong = await submit(b, '/app/account/password', {
      current: 'not my password',
      new_password: 'second passphrase',
      confirm_password: 'second passphrase',
    });
    assert.equal(wrong.status, 422);
    assert.equal(textOf(wrong.text, 'f-current-error'), 'This is not your current password');
    assert.match(wrong.text, /id="f-current"[^>]*aria-invalid="true"/);
    const short = await submit(b, '/app/account/password', {
      current: user.password,
      new_password: 'short',
      confirm_password: 'short',
    });
    assert.equal(short.status, 422);
    assert.equal(textOf(short.text, 'f-new_password-error'), 'Password must be at least 10 characters');
    const mistyped = await submit(b, '/app/account/password', {
      current: user.password,
      new_password: 'second passphrase',
      confirm_password: 'second passphrse',
    });
    assert.equal(textOf(mistyped.text, 'f-confirm_password-error'), 'The two new passwords are not the same');
    const same = await submit(b, '/app/account/password', {
      current: user.password,
      new_password: user.password,
      confirm_password: user.password,
    });
    assert.equal(textOf(same.text, 'f-new_password-error'), 'The new password must differ from the current one');
    const empty = await submit(b, '/app/account/password', {});
    assert.equal(empty.status, 422);
    assert.equal(textOf(empty.text, 'f-current-error'), 'Type your current password');
    const after = await snapshot(h.ctx);
    assert.deepEqual(after.users, before.users);
    assert.deepEqual(after.sessions.length, before.sessions.length);
    assert.equal(await signedIn(other), true);
  });

  test(`wrong current passwords count with sign-in failures: after ${SIGN_IN_FAILURES} the page, and sign-in from that address, wait (429)`, async () => {
    const user = await newUser('guess@example.org');
    const b = await signIn(user);
    for (let i = 0; i < SIGN_IN_FAILURES; i++) {
      assert.equal(
        (
          await submit(b, '/app/account/password', {
            current: `guess ${i} password`,
            new_password: 'second passphrase',
            confirm_password: 'second passphrase',
          })
        ).status,
        422,
      );
    }
    const blocked = await submit(b, '/app/account/password', {
      current: user.password,
      new_password: 'second passphrase',
      confirm_password: 'second passphrase',
    });
    assert.equal(blocked.status, 429);
    assert.match(blocked.headers.get('retry-after')!, /^\d+$/);
    assert.match(plain(blocked.text), /Too many wrong passwords or codes\. Wait \d+ minutes? and try again\./);
    assert.equal((await userRow(user.email)).password_hash, (await userRow(user.email)).password_hash);
    const login = await new FormClient(h.url, b.headers).submit('/app/login', '/app/login', user);
    assert.equal(login.status, 429, 'the same count as sign-in');
    now += 15 * 60_000;
    assert.equal(
      (
        await submit(b, '/app/account/password', {
          current: user.password,
          new_password: 'second passphrase',
          confirm_password: 'second passphrase',
        })
      ).status,
      303,
    );
  });

  test("sign out everywhere ends every session of the user, this one included, and no one else's", async () => {
    const user = await newUser('everywhere@example.org');
    const bystander = await signIn(await newUser('bystander@example.org'));
    const [here, there] = [await signIn(user), await signIn(user)];
    const forged = await here.post('/app/account/sign-out-everywhere', { _csrf: 'forged' });
    assert.equal(forged.status, 403, 'a form without the CSRF token changes nothing');
    assert.equal(await sessionsOf(user.email), 2);
    const res = await submit(here, '/app/account/sign-out-everywhere');
    assert.equal(res.status, 303);
    assert.equal(res.location, '/app/login');
    assert.equal(await sessionsOf(user.email), 0);
    assert.equal(await signedIn(here), false);
    assert.equal(await signedIn(there), false);
    assert.equal(await signedIn(bystander), true);
  });

  test('every form of the page needs the CSRF token: without it, 403 and nothing changes', async () => {
    const user = await newUser('csrf@example.org');
    const b = await signIn(user);
    const before = await snapshot(h.ctx);
    for (const action of ['password', 'sign-out-everywhere', '2fa/start', '2fa', '2fa/disable', '2fa/recovery-codes']) {
      const res = await b.post(`/app/account/${action}`, {
        current: user.password,
        new_password: 'second passphrase',
        confirm_password: 'second passphrase',
        proof: user.password,
        renew_password: user.password,
        code: '123456',
      });
      assert.equal(res.status, 403, action);
    }
    assert.deepEqual(await snapshot(h.ctx), before);
  });
});

describe('two-factor sign-in', () => {
  test('enrolment shows the secret and its otpauth link, turns on only with a right code, then shows 10 recovery codes once, stored only as hashes', async () => {
    const user = await newUser('enrol@example.org');
    const b = await signIn(user);
    assert.equal((await b.get('/app/account/2fa')).location, '/app/account', 'nothing to confirm before starting');
    await submit(b, '/app/account/2fa/start');
    const page = await b.get('/app/account/2fa');
    assert.equal(page.status, 200);
    const secret = /id="totp-secret"[^>]*value="([A-Z2-7]{32})"/.exec(page.text)![1];
    const uri = new URL(textOf(page.text, 'otpauth-uri')!);
    assert.equal(uri.searchParams.get('secret'), secret);
    assert.equal(decodeURIComponent(uri.pathname), '/Vigil:enrol@example.org');
    assert.match(page.text, new RegExp(`href="otpauth://totp/Vigil:enrol%40example\\.org\\?secret=${secret}&amp;`));

    const wrong = await b.post('/app/account/2fa', { _csrf: csrfOf(page.text), code: codeFor(secret, 3) });
    assert.equal(wrong.status, 422);
    assert.equal(textOf(wrong.text, 'f-code-error'), 'That code is not right: type the 6 digits your app shows now');
    assert.equal((await userRow(user.email)).totp_secret, null, 'still off');

    const done = await b.post('/app/account/2fa', { _csrf: csrfOf(page.text), code: codeFor(secret) });
    assert.equal(done.status, 200);
    assert.equal(done.headers.get('cache-control'), 'no-store');
    const codes = [...done.text.matchAll(/<li>([a-z2-7]{5}-[a-z2-7]{5}-[a-z2-7]{5})<\/li>/g)].map((m) => m[1]);
    assert.equal(codes.length, 10);
    assert.match(plain(done.text), /Save these recovery codes now\. They are shown once\./);
    const row = await userRow(user.email);
    assert.equal(row.totp_secret, secret);
    assert.equal(row.totp_pending_secret, null);
    assert.equal(row.totp_last_step, totpStep(clock()), 'the confirming code is used up');
    const stored = JSON.stringify(
      await h.ctx.store.db.selectFrom('recovery_codes').selectAll().where('user_id', '=', row.id).execute(),
    );
    for (const c of codes) {
      assert.ok(!stored.includes(c) && !stored.includes(c.replace(/-/g, '')), 'only hashes are stored');
    }
    assert.equal((await b.get('/app/account/2fa')).location, '/app/account', 'the secret is not shown again');
    const account = await b.get('/app/account');
    assert.match(stateOf(account.text)!, /^On since \d{4}-\d\d-\d\d \d\d:\d\d UTC ?\. 10 of 10 recovery codes left\.$/);
    assert.ok(!account.text.includes(secret) && !codes.some((c) => account.text.includes(c)));
    assert.equal((await submit(b, '/app/account/2fa/start')).location, '/app/account/2fa');
    assert.equal((await userRow(user.email)).totp_pending_secret, null, 'no new secret while it is on');
  });

  test('signing in asks for the code after the password; no session exists until it is right; a code works once', async () => {
    const user = await newUser('code@example.org');
    const { secret } = await enrol(await signIn(user));
    nextStep();
    const sessions = await sessionsOf(user.email);
    const b = await passwordStep(user);
    assert.equal(await sessionsOf(user.email), sessions);
    assert.equal((await b.get('/app/projects')).location, '/app/login', 'the code page is not a session');
    const page = await b.get('/app/login/code');
    assert.equal(page.status, 200);
    assert.match(page.text, /autocomplete="one-time-code"/);

    const wrong = await codeStep(b, codeFor(secret, 2));
    assert.equal(wrong.status, 401);
    assert.equal(
      textOf(wrong.text, 'f-code-error'),
      'That code is not right. Type the 6 digits your app shows now, or a recovery code.',
    );
    assert.equal(await sessionsOf(user.email), sessions);

    const code = codeFor(secret);
    const ok = await codeStep(b, `${code.slice(0, 3)} ${code.slice(3)}`);
    assert.equal(ok.status, 303);
    assert.equal(ok.location, '/app/projects');
    assert.equal(b.cookies.has('vigil_pending'), false);
    assert.equal(await signedIn(b), true);
    assert.equal(await sessionsOf(user.email), sessions + 1);

    const replay = await codeStep(await passwordStep(user), code);
    assert.equal(replay.status, 401, 'the same code, within its window, is refused');
    const older = await codeStep(await passwordStep(user), codeFor(secret, -1));
    assert.equal(older.status, 401, 'and so is the code of the step before it');
    const late = await codeStep(await passwordStep(user), codeFor(secret, 1));
    assert.equal(late.status, 303, "the next step's code (a phone a little ahead) works");
  });

  test('a recovery code signs in once, typed in any case with or without dashes; the page counts what is left', async () => {
    const user = await newUser('recovery@example.org');
    const { codes } = await enrol(await signIn(user));
    const b = await passwordStep(user);
    const ok = await codeStep(b, codes[3].replace(/-/g, '').toUpperCase());
    assert.equal(ok.status, 303);
    assert.equal(await signedIn(b), true);
    assert.equal((await codeStep(await passwordStep(user), codes[3])).status, 401, 'used once');
    assert.match(stateOf((await b.get('/app/account')).text)!, /9 of 10 recovery codes left\.$/);
  });

  test('a sign-in whose code is wanted ends after 5 wrong codes, or after 5 minutes, and starts again from the password', async () => {
    const user = await newUser('pending@example.org');
    const { secret } = await enrol(await signIn(user));
    nextStep();
    const b = await passwordStep(user);
    for (let i = 1; i < PENDING_SIGN_IN_ATTEMPTS; i++) assert.equal((await codeStep(b, '000000')).status, 401);
    const ended = await codeStep(b, '000000');
    assert.equal(ended.status, 401);
    assert.match(plain(ended.text), /Too many wrong codes for this sign-in\. Sign in again\./);
    assert.equal((await codeStep(b, codeFor(secret))).status, 401, 'the right code no longer helps');
    assert.equal((await b.get('/app/login/code')).location, '/app/login');

    now += 15 * 60_000; // past the throttle's window
    const slow = await passwordStep(user);
    now += PENDING_SIGN_IN_MS;
    const expired = await codeStep(slow, codeFor(secret));
    assert.match(plain(expired.text), /This sign-in has expired\. Sign in again\./);
    assert.equal(await signedIn(slow), false);
    const rows = await h.ctx.store.db.selectFrom('pending_sign_ins').selectAll().execute();
    assert.ok(
      rows.every((r) => !JSON.stringify(r).includes('vp_')),
      'only hashes of pending tokens',
    );
  });

  test(`wrong codes are throttled per account from any address: after ${ACCOUNT_FAILURES}, even the right code waits (429)`, async () => {
    now += 15 * 60_000;
    const user = await newUser('brute@example.org');
    const { secret } = await enrol(await signIn(user));
    nextStep();
    for (let i = 0; i < ACCOUNT_FAILURES; i++)
      assert.equal((await codeStep(await passwordStep(user), String(100000 + i))).status, 401, `guess ${i + 1}`);
    const b = await passwordStep(user);
    const blocked = await codeStep(b, codeFor(secret));
    assert.equal(blocked.status, 429);
    assert.match(blocked.headers.get('retry-after')!, /^\d+$/);
    assert.match(plain(blocked.text), /Too many wrong codes\. Wait \d+ minutes? and try again\./);
    assert.equal(await signedIn(b), false);
    now += 15 * 60_000;
    const later = await passwordStep(user);
    assert.equal((await codeStep(later, codeFor(secret))).status, 303);
  });

  test('a sign-in through an invitation link keeps its destination through the code step', async () => {
    const user = await newUser('next@example.org');
    const { secret } = await enrol(await signIn(user));
    nextStep();
    const next = `/app/invite/inv_${'a'.repeat(40)}`;
    const b = browser();
    const login = await b.get(`/app/login?next=${encodeURIComponent(next)}`);
    const res = await b.post('/app/login', {
      _csrf: csrfOf(login.text),
      email: user.email,
      password: user.password,
      next,
    });
    assert.equal(res.location, '/app/login/code');
    assert.equal((await codeStep(b, codeFor(secret))).location, next);
  });

  test('turning it off needs the password or a current code; new recovery codes need the password and replace the old', async () => {
    const user = await newUser('off@example.org');
    const b = await signIn(user);
    const { secret, codes } = await enrol(b);
    const wrong = await submit(b, '/app/account/2fa/disable', { proof: 'not my password' });
    assert.equal(wrong.status, 422);
    assert.equal(
      textOf(wrong.text, 'f-proof-error'),
      'This is neither your password nor a current code: two-factor sign-in stays on',
    );
    assert.equal(
      (await submit(b, '/app/account/2fa/disable', { proof: codeFor(secret) })).status,
      422,
      'the code that enrolled is used up',
    );
    assert.notEqual((await userRow(user.email)).totp_secret, null);

    const refused = await submit(b, '/app/account/2fa/recovery-codes', { renew_password: 'not my password' });
    assert.equal(refused.status, 422);
    assert.equal(
      textOf(refused.text, 'f-renew_password-error'),
      'This is not your password: the recovery codes are unchanged',
    );
    const renewed = await submit(b, '/app/account/2fa/recovery-codes', { renew_password: user.password });
    assert.equal(renewed.status, 200);
    const fresh = [...renewed.text.matchAll(/<li>([a-z2-7]{5}-[a-z2-7]{5}-[a-z2-7]{5})<\/li>/g)].map((m) => m[1]);
    assert.equal(fresh.length, 10);
    assert.match(plain(renewed.text), /Your old codes no longer work\./);
    assert.equal((await codeStep(await passwordStep(user), codes[0])).status, 401, 'an old code');
    assert.equal((await codeStep(await passwordStep(user), fresh[0])).status, 303, 'a new one');

    nextStep();
    const off = await submit(b, '/app/account/2fa/disable', { proof: codeFor(secret) });
    assert.equal(off.status, 303);
    assert.equal(off.location, '/app/account?done=2fa-off');
    assert.match(
      plain((await b.get(off.location)).text),
      /Two-factor sign-in is off: you sign in with your password alone\./,
    );
    const row = await userRow(user.email);
    assert.equal(row.totp_secret, null);
    assert.equal(
      (await h.ctx.store.db.selectFrom('recovery_codes').select('code_hash').where('user_id', '=', row.id).execute())
        .length,
      0,
    );
    await signIn(user);

    const again = await enrol(b);
    assert.equal(
      (await submit(b, '/app/account/2fa/disable', { proof: user.password })).status,
      303,
      'the password turns it off too',
    );
    assert.notEqual(again.secret, secret, 'a new secret each time');
  });

  test('odd requests never give a 500: no pending sign-in, a forged cookie, missing and huge fields', async () => {
    const user = await newUser('odd@example.org');
    const b = browser();
    const login = await b.get('/app/login');
    const token = csrfOf(login.text);
    assert.equal((await b.get('/app/login/code')).location, '/app/login');
    for (const cookie of ['', 'vp_short', `vp_${'A'.repeat(40)}`, 'x'.repeat(5000)]) {
      b.cookies.set('vigil_pending', cookie || 'none');
      const res = await b.post('/app/login/code', { _csrf: token, code: '123456' });
      assert.equal(res.status, 401, cookie);
      assert.match(plain(res.text), /This sign-in has expired\. Sign in again\./);
    }
    const { secret } = await enrol(await signIn(user));
    nextStep();
    const p = await passwordStep(user);
    for (const code of ['', 'x'.repeat(60_000), '１２３４５６', '12345678901234567890', '-----', 'null']) {
      const res = await codeStep(p, code);
      assert.ok(res.status === 401 || res.status === 413, `${code.slice(0, 10)}: ${res.status}`);
    }
    now += 15 * 60_000; // past the throttle's window
    const signedInClient = await passwordStep(user);
    assert.equal((await codeStep(signedInClient, codeFor(secret))).status, 303);
    for (const [action, fields] of [
      ['password', { current: 'x'.repeat(2000), new_password: 'y'.repeat(2000), confirm_password: 'y'.repeat(2000) }],
      ['2fa', { code: 'abc' }],
      ['2fa/disable', { proof: '' }],
      ['2fa/recovery-codes', {}],
    ] as const) {
      const res = await submit(signedInClient, `/app/account/${action}`, fields);
      assert.ok(res.status < 500, `${action}: ${res.status}`);
    }
    assert.equal(await signedIn(signedInClient), true);
  });
});
