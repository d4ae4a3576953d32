import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Uniform random [A-Za-z0-9] string (rejection sampling keeps it unbiased). */
export function randomAlnum(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < 248) out += ALPHABET[b % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

/** Prefixed public ids: mon_, proj_, tok_, inci_, mw_, outage_, sp_, key_, … */
export function newId(prefix: string, length = 14): string {
  return `${prefix}_${randomAlnum(length)}`;
}
