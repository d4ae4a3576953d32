import { hash } from 'node:crypto';
import { randomAlnum } from './ids.ts';
import { ValidationError } from './errors.ts';

export type Permission = 'read_write' | 'read_only';
export const PERMISSIONS: readonly Permission[] = ['read_write', 'read_only'];

/** sk_ + 32 random [A-Za-z0-9] (≈190 bits). */
export const KEY_PATTERN = /^sk_[A-Za-z0-9]{28,}$/;

export function generateApiKey(): string {
  return `sk_${randomAlnum(32)}`;
}

export function hashApiKey(key: string): string {
  return hash('sha256', key, 'hex');
}

export function maskApiKey(key: string): string {
  return `${key.slice(0, 7)}…${key.slice(-4)}`;
}

/** Only GET and HEAD are reads; everything else needs read_write. */
export function permits(permission: Permission, method: string): boolean {
  return permission === 'read_write' || method === 'GET' || method === 'HEAD';
}

/**
 * "never"/empty → null; a date (YYYY-MM-DD) expires at 00:00 UTC that day; otherwise an
 * ISO 8601 date-time with an explicit zone. The result must lie in the future.
 */
export function parseExpiry(input: string | null | undefined, now: number): number | null {
  if (input == null) return null;
  const s = input.trim();
  if (s === '' || s.toLowerCase() === 'never') return null;
  let ms: number;
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) ms = Date.parse(`${s}T00:00:00Z`);
  else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(s)) ms = Date.parse(s);
  else ms = NaN;
  if (Number.isNaN(ms))
    throw new ValidationError(
      `Invalid expiration "${input}": use an ISO 8601 date (2027-01-31), a date-time with a zone, or "never"`,
    );
  if (ms <= now) throw new ValidationError(`Expiration ${new Date(ms).toISOString()} is in the past`);
  return ms;
}

export function parseKeyName(input: string | null | undefined): string {
  const name = (input ?? '').trim();
  if (!name) throw new ValidationError('Name is required');
  if (name.length > 255) throw new ValidationError('Name must be at most 255 characters');
  return name;
}

export function parsePermission(input: string): Permission {
  if (!input) throw new ValidationError('Permission is required: read_write or read_only');
  if (!PERMISSIONS.includes(input as Permission)) {
    throw new ValidationError(`Permission must be read_write or read_only, got "${input}"`);
  }
  return input as Permission;
}
