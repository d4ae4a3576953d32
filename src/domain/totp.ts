import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Two-factor sign-in codes: HOTP (RFC 4226) and TOTP (RFC 6238) over node:crypto, base32
 * secrets (RFC 4648) as authenticator apps take them, and one-time recovery codes.
 */

export const TOTP_PERIOD_S = 30;
export const TOTP_DIGITS = 6;
/** Steps accepted either side of now: a phone's clock a little off still works. */
export const TOTP_WINDOW = 1;
export const RECOVERY_CODE_COUNT = 10;

export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out.padEnd(Math.ceil(out.length / 8) * 8, '=');
}

/** Case, spaces and padding do not matter; null for anything that is not base32. */
export function base32Decode(text: string): Buffer | null {
  const s = text.replace(/[\s=]/g, '').toUpperCase();
  if (!/^[A-Z2-7]*$/.test(s)) return null;
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const c of s) {
    value = ((value << 5) | BASE32.indexOf(c)) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 4226: the code of one counter value (dynamic truncation of the HMAC). */
export function hotp(key: Buffer, counter: number, digits = TOTP_DIGITS, algorithm: HmacAlgorithm = 'sha1'): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, key).update(message).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** RFC 6238: the time step of an instant (Unix time in 30-second steps). */
export const totpStep = (nowMs: number, periodS = TOTP_PERIOD_S): number => Math.floor(nowMs / 1000 / periodS);

export function totp(key: Buffer, nowMs: number, digits = TOTP_DIGITS, algorithm: HmacAlgorithm = 'sha1'): string {
  return hotp(key, totpStep(nowMs), digits, algorithm);
}

/**
 * The step whose code `code` is, within TOTP_WINDOW steps of now and later than `lastStep`
 * (a code used once is refused after), or null. Never throws on odd input.
 */
export function matchTotp(secretBase32: string, code: string, nowMs: number, lastStep: number | null): number | null {
  const key = base32Decode(secretBase32);
  const typed = code.replace(/\s/g, '');
  if (!key || key.length === 0 || !/^\d{6}$/.test(typed)) return null;
  const now = totpStep(nowMs);
  for (let step = now - TOTP_WINDOW; step <= now + TOTP_WINDOW; step++) {
    if (lastStep !== null && step <= lastStep) continue;
    if (timingSafeEqual(Buffer.from(hotp(key, step)), Buffer.from(typed))) return step;
  }
  return null;
}

/** 160 random bits (RFC 4226's recommended key length), in base32 without padding. */
export function generateTotpSecret(): string {
  return base32Encode(randomBytes(20)).replace(/=+$/, '');
}

/** The link authenticator apps read (Google's Key Uri Format): the secret, who it is for, and the parameters. */
export function otpauthUri(secret: string, account: string, issuer = 'Vigil'): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const q = new URLSearchParams({
    secret,
    issuer,
    algorithm: 'SHA1',
    digits: String(TOTP_DIGITS),
    period: String(TOTP_PERIOD_S),
  });
  return `otpauth://totp/${label}?${q}`;
}

/** The secret in groups of four, easier to type by hand. */
export const groupSecret = (secret: string): string => secret.replace(/(.{4})(?=.)/g, '$1 ');

const RECOVERY_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** Ten codes of 15 base32 letters (75 bits each), shown as `abcde-fghij-klmno`. */
export function generateRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    const letters = [...randomBytes(15)].map((b) => RECOVERY_ALPHABET[b & 31]).join('');
    return `${letters.slice(0, 5)}-${letters.slice(5, 10)}-${letters.slice(10)}`;
  });
}

/** A recovery code as typed (any case, with or without dashes and spaces) → its stored form, or null. */
export function normalizeRecoveryCode(typed: string): string | null {
  const s = typed.toLowerCase().replace(/[\s-]/g, '');
  return /^[a-z2-7]{15}$/.test(s) ? s : null;
}

/** Only this is stored: codes are random enough (75 bits) that a fast hash cannot be reversed. */
export function hashRecoveryCode(code: string): string {
  return createHash('sha256')
    .update(`vigil-recovery\0${normalizeRecoveryCode(code) ?? ''}`)
    .digest('hex');
}
