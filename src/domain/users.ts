import { createHash } from 'node:crypto';
import { randomAlnum } from './ids.ts';
import { ValidationError } from './errors.ts';

export type Role = 'owner' | 'member';

export const MIN_PASSWORD_LENGTH = 10;
/** scrypt pre-hashes its input, but a cap keeps request bodies and typos sane. */
export const MAX_PASSWORD_LENGTH = 1024;

/** Sessions last 30 days from sign-in; `last_seen_at` is refreshed at most once a minute. */
export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;
export const SESSION_SEEN_EVERY_MS = 60_000;

/** Trimmed and lower-cased, so "Ann@Example.org" and "ann@example.org" are one user. */
export function parseEmail(input: string | null | undefined): string {
  const email = (input ?? '').trim().toLowerCase();
  if (!email) throw new ValidationError('Email is required');
  if (email.length > 254 || !/^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/.test(email)) {
    throw new ValidationError('Email must be a valid address such as ann@example.org');
  }
  return email;
}

export function checkPassword(password: string | null | undefined): string {
  const p = password ?? '';
  if (p.length < MIN_PASSWORD_LENGTH)
    throw new ValidationError(`Password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  if (p.length > MAX_PASSWORD_LENGTH)
    throw new ValidationError(`Password must be at most ${MAX_PASSWORD_LENGTH} characters`);
  return p;
}

/** The cookie token of a session (≈238 bits); only its hash is stored. */
export function generateSessionToken(): string {
  return `vs_${randomAlnum(40)}`;
}

export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export const SESSION_TOKEN_PATTERN = /^vs_[A-Za-z0-9]{40}$/;
