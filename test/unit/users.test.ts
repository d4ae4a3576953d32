import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  SESSION_SEEN_EVERY_MS,
  SESSION_TOKEN_PATTERN,
  SESSION_TTL_MS,
  checkPassword,
  generateSessionToken,
  hashSessionToken,
  parseEmail,
} from '../../src/domain/users.ts';
import { ValidationError } from '../../src/domain/errors.ts';

const isValidation = (field: RegExp) => (e: unknown) => e instanceof ValidationError && field.test(e.message);

describe('user emails', () => {
  test('an email is trimmed and lower-cased, so one person is one user', () => {
    assert.equal(parseEmail('  Ann@Example.ORG '), 'ann@example.org');
    assert.equal(parseEmail('a.b+tag@mail.example.co.uk'), 'a.b+tag@mail.example.co.uk');
  });

  test('a missing or blank email is required', () => {
    for (const v of [null, undefined, '', '   '])
      assert.throws(() => parseEmail(v), isValidation(/Email is required/), String(v));
  });

  test('an address needs a local part and a dotted domain, without spaces or a second @', () => {
    for (const bad of [
      'ann',
      'ann@',
      '@example.org',
      'ann@localhost',
      'ann@example.',
      'ann@.org',
      'ann@example..org',
      'a nn@example.org',
      'ann@@example.org',
      'a@b@example.org',
    ]) {
      assert.throws(() => parseEmail(bad), isValidation(/^Email/), bad);
    }
  });

  test('an address of 254 characters is fine; 255 is too long', () => {
    const of = (n: number) => `${'a'.repeat(n - '@example.org'.length)}@example.org`;
    assert.equal(parseEmail(of(254)).length, 254);
    assert.throws(() => parseEmail(of(255)), isValidation(/^Email/));
  });
});

describe('user passwords', () => {
  test('a password is 10 to 1024 characters, kept exactly as typed', () => {
    assert.equal(MIN_PASSWORD_LENGTH, 10);
    assert.equal(MAX_PASSWORD_LENGTH, 1024);
    assert.equal(checkPassword(' 123456789'), ' 123456789');
    assert.equal(checkPassword('x'.repeat(1024)).length, 1024);
  });

  test('a missing, short or overlong password is refused with its bound', () => {
    for (const v of [null, undefined, '', '123456789'])
      assert.throws(() => checkPassword(v), isValidation(/Password must be at least 10/), String(v));
    assert.throws(() => checkPassword('x'.repeat(1025)), isValidation(/Password must be at most 1024/));
  });
});

describe('sessions', () => {
  test('a session lasts 30 days and is marked seen at most once a minute', () => {
    assert.equal(SESSION_TTL_MS, 30 * 86_400_000);
    assert.equal(SESSION_SEEN_EVERY_MS, 60_000);
  });

  test('a session token is vs_ and 40 alphanumerics, different every time', () => {
    const tokens = new Set(Array.from({ length: 200 }, generateSessionToken));
    assert.equal(tokens.size, 200);
    for (const t of tokens) assert.match(t, SESSION_TOKEN_PATTERN);
    assert.ok(!SESSION_TOKEN_PATTERN.test('vs_short'));
    assert.ok(!SESSION_TOKEN_PATTERN.test(`vs_${'a'.repeat(40)}\n`));
  });

  test("only a token's SHA-256 is stored: fixed, hex, and different for different tokens", () => {
    assert.equal(hashSessionToken('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const t = generateSessionToken();
    assert.equal(hashSessionToken(t), hashSessionToken(t));
    assert.match(hashSessionToken(t), /^[0-9a-f]{64}$/);
    assert.notEqual(hashSessionToken(t), hashSessionToken(generateSessionToken()));
  });
});
