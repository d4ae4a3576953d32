import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Access to a password-protected page: after the password is checked once, a cookie holds an
 * expiry and an HMAC of the page id and that expiry, keyed by the stored password hash, so
 * changing the password signs every visitor out and nothing needs storing server-side.
 */

export const ACCESS_TTL_MS = 7 * 86_400_000;

export const accessCookieName = (pageUuid: string) => `vigil_sp_${pageUuid.replace(/[^A-Za-z0-9_]/g, '')}`;

function mac(pageUuid: string, passwordHash: string, expiresAt: number): string {
  return createHmac('sha256', passwordHash).update(`status-page-access|${pageUuid}|${expiresAt}`).digest('base64url');
}

export function signAccess(pageUuid: string, passwordHash: string, expiresAt: number): string {
  return `${expiresAt}.${mac(pageUuid, passwordHash, expiresAt)}`;
}

/** True when the Cookie header holds an unexpired, genuine access cookie for this page. */
export function hasAccess(
  cookieHeader: string | undefined,
  pageUuid: string,
  passwordHash: string,
  now: number,
): boolean {
  if (!cookieHeader) return false;
  const name = accessCookieName(pageUuid);
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const m = /^(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(part.slice(eq + 1).trim());
    if (!m || Number(m[1]) <= now) continue;
    const expected = Buffer.from(mac(pageUuid, passwordHash, Number(m[1])));
    const given = Buffer.from(m[2]);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return true;
  }
  return false;
}

/** Failed attempts per key in a fixed window: `limit` failures, then wait for the window to end. */
export class AttemptLimiter {
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Seconds to wait before the next attempt, 0 when one is allowed. */
  retryAfter(key: string, now: number): number {
    const f = this.failures.get(key);
    if (!f || now - f.since >= this.windowMs) return 0;
    return f.count >= this.limit ? Math.max(1, Math.ceil((f.since + this.windowMs - now) / 1000)) : 0;
  }

  fail(key: string, now: number): void {
    if (this.failures.size > 10_000) {
      for (const [k, f] of this.failures) if (now - f.since >= this.windowMs) this.failures.delete(k);
    }
    const f = this.failures.get(key);
    if (!f || now - f.since >= this.windowMs) this.failures.set(key, { count: 1, since: now });
    else f.count++;
  }
}
