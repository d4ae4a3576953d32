import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  base32Decode,
  base32Encode,
  generateRecoveryCodes,
  generateTotpSecret,
  hashRecoveryCode,
  hotp,
  matchTotp,
  normalizeRecoveryCode,
  otpauthUri,
  totp,
  totpStep,
  type HmacAlgorithm,
} from '../../src/domain/totp.ts';

// RFC 4226 Appendix D: the secret "12345678901234567890" (ASCII), counters 0 to 9, 6 digits.
const RFC4226_SECRET = Buffer.from('12345678901234567890');
const RFC4226_CODES = [
  '755224',
  '287082',
  '359152',
  '969429',
  '338314',
  '254676',
  '287922',
  '162583',
  '399871',
  '520489',
];

// RFC 6238 Appendix B: 8 digits; the seed of each algorithm is "1234567890" repeated to its key length.
const SEEDS: Record<HmacAlgorithm, Buffer> = {
  sha1: Buffer.from('12345678901234567890'),
  sha256: Buffer.from('12345678901234567890123456789012'),
  sha512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234'),
};
const RFC6238: [number, string, Record<HmacAlgorithm, string>][] = [
  [59, '0000000000000001', { sha1: '94287082', sha256: '46119246', sha512: '90693936' }],
  [1111111109, '00000000023523EC', { sha1: '07081804', sha256: '68084774', sha512: '25091201' }],
  [1111111111, '00000000023523ED', { sha1: '14050471', sha256: '67062674', sha512: '99943326' }],
  [1234567890, '000000000273EF07', { sha1: '89005924', sha256: '91819424', sha512: '93441116' }],
  [2000000000, '0000000003F940AA', { sha1: '69279037', sha256: '90698825', sha512: '38618901' }],
  [20000000000, '0000000027BC86AA', { sha1: '65353130', sha256: '77737706', sha512: '47863826' }],
];

describe('HOTP and TOTP', () => {
  test('HOTP gives the ten codes of RFC 4226 Appendix D', () => {
    assert.deepEqual(
      RFC4226_CODES.map((_, i) => hotp(RFC4226_SECRET, i)),
      RFC4226_CODES,
    );
  });

  test('TOTP gives every code of RFC 6238 Appendix B (SHA-1, SHA-256 and SHA-512, 8 digits), with its time step', () => {
    for (const [seconds, stepHex, codes] of RFC6238) {
      assert.equal(totpStep(seconds * 1000), parseInt(stepHex, 16), `T at ${seconds}`);
      for (const alg of ['sha1', 'sha256', 'sha512'] as const)
        assert.equal(totp(SEEDS[alg], seconds * 1000, 8, alg), codes[alg], `${alg} at ${seconds}`);
    }
  });

  test('6-digit codes are the last six digits of the 8-digit ones (the same truncation)', () => {
    for (const [seconds, , codes] of RFC6238) assert.equal(totp(SEEDS.sha1, seconds * 1000), codes.sha1.slice(2));
  });

  test('a code is accepted one step either side of now, never further, and never at or before the last step used', () => {
    const secret = base32Encode(SEEDS.sha1).replace(/=+$/, '');
    const now = 1111111111_000;
    const step = totpStep(now);
    const at = (s: number) => hotp(SEEDS.sha1, s);
    assert.equal(matchTotp(secret, at(step), now, null), step);
    assert.equal(matchTotp(secret, at(step - 1), now, null), step - 1);
    assert.equal(matchTotp(secret, at(step + 1), now, null), step + 1);
    assert.equal(matchTotp(secret, at(step - 2), now, null), null);
    assert.equal(matchTotp(secret, at(step + 2), now, null), null);
    assert.equal(matchTotp(secret, at(step), now, step), null, 'a code is not accepted twice');
    assert.equal(matchTotp(secret, at(step - 1), now, step), null, 'nor an older one after it');
    assert.equal(matchTotp(secret, at(step + 1), now, step), step + 1);
    assert.equal(
      matchTotp(secret, `${at(step).slice(0, 3)} ${at(step).slice(3)}`, now, null),
      step,
      'spaces do not matter',
    );
  });

  test('odd input never matches and never throws', () => {
    const secret = generateTotpSecret();
    for (const code of ['', '12345', '1234567', 'abcdef', '12345a', '１２３４５６', ' '.repeat(10), '0'.repeat(1000)])
      assert.equal(matchTotp(secret, code, Date.now(), null), null, code);
    for (const bad of ['', '!!!!', 'not base32 1890'])
      assert.equal(matchTotp(bad, '123456', Date.now(), null), null, bad);
  });
});

describe('base32 secrets and the otpauth link', () => {
  test('base32 follows RFC 4648 (its test vectors), and decoding ignores case, spaces and padding', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'MY======'],
      ['fo', 'MZXQ===='],
      ['foo', 'MZXW6==='],
      ['foob', 'MZXW6YQ='],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI======'],
    ];
    for (const [text, encoded] of vectors) {
      assert.equal(base32Encode(Buffer.from(text)), encoded);
      assert.equal(base32Decode(encoded)!.toString(), text);
    }
    assert.equal(base32Decode('mzxw 6ytb oi')!.toString(), 'foobar');
    assert.equal(base32Decode('MZXW1'), null, '1 is not a base32 letter');
  });

  test('a new secret is 160 random bits in 32 base32 letters', () => {
    const a = generateTotpSecret();
    assert.match(a, /^[A-Z2-7]{32}$/);
    assert.equal(base32Decode(a)!.length, 20);
    assert.notEqual(a, generateTotpSecret());
  });

  test('the otpauth link names Vigil and the account, and carries the secret and the parameters', () => {
    const uri = new URL(otpauthUri('JBSWY3DPEHPK3PXP', 'ann+ops@example.org'));
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.host, 'totp');
    assert.equal(decodeURIComponent(uri.pathname), '/Vigil:ann+ops@example.org');
    assert.deepEqual(Object.fromEntries(uri.searchParams), {
      secret: 'JBSWY3DPEHPK3PXP',
      issuer: 'Vigil',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
  });
});

describe('recovery codes', () => {
  test('ten different codes of 15 base32 letters in three groups', () => {
    const codes = generateRecoveryCodes();
    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10);
    for (const c of codes) assert.match(c, /^[a-z2-7]{5}-[a-z2-7]{5}-[a-z2-7]{5}$/);
  });

  test('a code typed in capitals, without dashes or with spaces is the same code; its hash never contains it', () => {
    const [code] = generateRecoveryCodes(1);
    const bare = code.replace(/-/g, '');
    assert.equal(normalizeRecoveryCode(code.toUpperCase()), bare);
    assert.equal(normalizeRecoveryCode(` ${bare.slice(0, 7)} ${bare.slice(7)} `), bare);
    assert.equal(hashRecoveryCode(code), hashRecoveryCode(bare.toUpperCase()));
    assert.match(hashRecoveryCode(code), /^[0-9a-f]{64}$/);
    assert.ok(!hashRecoveryCode(code).includes(bare));
    for (const bad of ['', 'abc', `${bare}a`, '123456', 'abcde-fghij-klmn1'])
      assert.equal(normalizeRecoveryCode(bad), null, bad);
  });
});
