// Sign-in is throttled per email and address (test/dashboard/auth.test.ts) and per client address
// across all emails: one address guessing a common password for many accounts is stopped too.
// VIGIL_TRUST_PROXY lets each client name its address in X-Forwarded-For, as a proxy would.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../harness.ts';
import { FormClient } from '../support/browser-client.ts';
import { createUser } from '../../src/services/users.ts';
import { SIGN_IN_ADDRESS_FAILURES } from '../../src/web/dashboard/sign-in/routes.ts';

let h: Harness;
let offset = 0;
before(async () => {
  h = await startHarness({ clock: () => Date.now() + offset, env: { VIGIL_TRUST_PROXY: 'true' } });
  await createUser(h.ctx, { email: 'owner@example.org', password: 'owner password 1' });
});
after(async () => {
  await h.stop();
});

const from = (address: string) => new FormClient(h.url, { 'x-forwarded-for': address });
const signIn = (address: string, email: string, password: string) =>
  from(address).submit('/app/login', '/app/login', { email, password });

test(`after ${SIGN_IN_ADDRESS_FAILURES} failed sign-ins from one address, whatever the emails, that address waits (429); other addresses do not`, async () => {
  for (let i = 0; i < SIGN_IN_ADDRESS_FAILURES; i++) {
    const res = await signIn('198.51.100.7', `person${i}@example.org`, 'Summer2026!');
    assert.equal(res.status, 401, `attempt ${i + 1}`);
  }
  const blocked = await signIn('198.51.100.7', 'owner@example.org', 'owner password 1');
  assert.equal(blocked.status, 429, 'even the right password of an account never guessed at');
  assert.match(blocked.text, /Too many failed sign-in attempts\. Wait \d+ minutes? and try again\./);
  assert.match(blocked.headers.get('retry-after')!, /^\d+$/);
  assert.equal(
    (await signIn('198.51.100.8', 'owner@example.org', 'owner password 1')).status,
    303,
    'another address signs in',
  );
  offset += 15 * 60_000;
  assert.equal(
    (await signIn('198.51.100.7', 'owner@example.org', 'owner password 1')).status,
    303,
    'the window has passed',
  );
});

test("a successful sign-in does not reset the address's count: an attacker's own account buys no more guesses", async () => {
  offset += 15 * 60_000;
  await createUser(h.ctx, { email: 'attacker@example.org', password: 'attacker password' });
  for (let i = 0; i < SIGN_IN_ADDRESS_FAILURES; i++) {
    if (i % 4 === 3)
      assert.equal((await signIn('203.0.113.9', 'attacker@example.org', 'attacker password')).status, 303);
    assert.equal((await signIn('203.0.113.9', `victim${i}@example.org`, 'Summer2026!')).status, 401, `guess ${i + 1}`);
  }
  assert.equal((await signIn('203.0.113.9', 'victim99@example.org', 'Summer2026!')).status, 429);
});
