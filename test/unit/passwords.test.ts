import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, verifyPassword } from '../../src/domain/passwords.ts';

// scrypt at N = 16384 costs tens of milliseconds a call: a handful of hashes, shared below.
const PASSWORD = 'correct horse battery';
const stored = hashPassword(PASSWORD);

describe('password hashing', () => {
  test('a hash is scrypt$16384$salt$key in base64url, with a 16-byte salt and a 32-byte key', async () => {
    const h = await stored;
    const m = /^scrypt\$16384\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/.exec(h);
    assert.ok(m, h);
    assert.equal(Buffer.from(m[1], 'base64url').length, 16);
    assert.equal(Buffer.from(m[2], 'base64url').length, 32);
    assert.ok(!h.includes(PASSWORD));
  });

  test('the right password verifies; another, a prefix or a different case does not', async () => {
    const h = await stored;
    // scrypt runs on the thread pool: the four checks run side by side.
    const results = await Promise.all(
      [PASSWORD, 'correct horse battery staple', 'correct horse batter', 'Correct horse battery'].map((p) =>
        verifyPassword(p, h),
      ),
    );
    assert.deepEqual(results, [true, false, false, false]);
  });

  test('the same password hashed twice gives different salts and hashes, each verifying', async () => {
    const [a, b] = [await stored, await hashPassword(PASSWORD)];
    assert.notEqual(a, b);
    assert.notEqual(a.split('$')[2], b.split('$')[2]);
    assert.equal(await verifyPassword(PASSWORD, b), true);
  });

  test('a password typed in composed or decomposed Unicode is the same password', async () => {
    const composed = 'café crème brûlée';
    const h = await hashPassword(composed);
    assert.equal(await verifyPassword(composed.normalize('NFD'), h), true);
  });

  test('a stored value that is not an scrypt hash never verifies', async () => {
    const [, n, salt, key] = (await stored).split('$');
    for (const bad of [
      '',
      'plaintext',
      `bcrypt$${n}$${salt}$${key}`,
      `scrypt$${n}$${salt}`,
      `scrypt$${n}$$${key}`,
      `scrypt$${n}$${salt}$`,
    ]) {
      assert.equal(await verifyPassword(PASSWORD, bad), false, bad);
    }
  });

  test('a stored hash with an unusable cost parameter does not verify (rather than throw)', async () => {
    const [, , salt, key] = (await stored).split('$');
    for (const n of ['abc', '3']) assert.equal(await verifyPassword(PASSWORD, `scrypt$${n}$${salt}$${key}`), false, n);
  });
});
