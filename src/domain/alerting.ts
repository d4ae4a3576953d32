import { ValidationError } from './errors.ts';
import { CONTROL, isEmail } from './channels.ts';
import { EMAIL_MAX, ID_MAX, NAME_MAX, checkItems } from './limits.ts';

/** One step of an escalation policy: after `delayMinutes` from the outage start, alert these. */
export interface PolicyStep {
  delayMinutes: number;
  /** Channel (integration) uuids, int_…; deleted or disabled ones are skipped when the step fires. */
  integrations: string[];
  /** People alerted by email through VIGIL_SMTP_URL. */
  emails: string[];
}

export interface PolicyFields {
  name: string;
  steps: PolicyStep[];
  isDefault: boolean;
}

export const MAX_STEPS = 20;
/** Integrations, and emails, that one step alerts. */
export const MAX_STEP_TARGETS = 20;
export const MAX_DELAY_MINUTES = 7 * 24 * 60;
const MINUTE = 60_000;

function fail(message: string): never {
  throw new ValidationError(message);
}

function stringList(v: unknown, where: string, itemMax: number): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(`${where} must be an array of strings`);
  checkItems(v, where, MAX_STEP_TARGETS);
  for (const s of v)
    if (typeof s !== 'string' || s === '' || s.length > itemMax || CONTROL.test(s))
      fail(`${where} must hold non-empty strings of at most ${itemMax} characters without control characters`);
  return [...new Set(v as string[])];
}

function parseSteps(v: unknown): PolicyStep[] {
  if (!Array.isArray(v) || v.length === 0) fail(`steps must be an array of 1 to ${MAX_STEPS} steps`);
  checkItems(v, 'steps', MAX_STEPS);
  let last = 0;
  return v.map((s, i) => {
    const where = `steps[${i}]`;
    if (s === null || typeof s !== 'object' || Array.isArray(s)) fail(`${where} must be an object`);
    const { delayMinutes = 0 } = s as Record<string, unknown>;
    if (
      typeof delayMinutes !== 'number' ||
      !Number.isInteger(delayMinutes) ||
      delayMinutes < 0 ||
      delayMinutes > MAX_DELAY_MINUTES
    ) {
      fail(`${where}.delayMinutes must be a whole number of minutes from 0 to ${MAX_DELAY_MINUTES}`);
    }
    if (delayMinutes < last) fail(`${where}.delayMinutes must not be less than the step before (steps run in order)`);
    last = delayMinutes;
    const integrations = stringList((s as Record<string, unknown>).integrations, `${where}.integrations`, ID_MAX);
    const emails = stringList((s as Record<string, unknown>).emails, `${where}.emails`, EMAIL_MAX);
    for (const e of emails) if (!isEmail(e)) fail(`${where}.emails: ${JSON.stringify(e)} is not an email address`);
    if (integrations.length + emails.length === 0) fail(`${where} must name at least one integration or email`);
    return { delayMinutes, integrations, emails };
  });
}

/** Validates a policy body over `current` (partial update: absent keys keep their value). */
export function applyPolicyInput(current: PolicyFields | null, input: Record<string, unknown>): PolicyFields {
  const next: PolicyFields = current ? { ...current } : { name: '', steps: [], isDefault: false };
  if (input.name !== undefined || !current) {
    const n = input.name;
    if (typeof n !== 'string' || n.trim() === '' || n.length > NAME_MAX || CONTROL.test(n))
      fail(`name must be 1 to ${NAME_MAX} characters without control characters`);
    next.name = n.trim();
  }
  if (input.steps !== undefined || !current) next.steps = parseSteps(input.steps);
  if (input.isDefault !== undefined) {
    if (typeof input.isDefault !== 'boolean') fail('isDefault must be a boolean');
    next.isDefault = input.isDefault;
  }
  return next;
}

/**
 * When step `index` of a policy is due for an outage that started at `startedAt`: its delay from
 * the start, but never before the monitor's `alerts_wait`. Null when alerts are off (-1).
 */
export function stepDueAt(steps: PolicyStep[], index: number, startedAt: number, alertsWait: number): number | null {
  if (alertsWait < 0 || index >= steps.length) return null;
  return startedAt + Math.max(steps[index].delayMinutes, alertsWait) * MINUTE;
}

/**
 * Delay before the next delivery attempt: exponential from `baseMs`, capped at `maxMs`, with
 * "equal jitter" (half fixed, half random) so that retries of many rows spread out.
 */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: number): number {
  const d = Math.min(maxMs, baseMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
  return Math.round(d / 2 + (d / 2) * random);
}

/** Retry-After as milliseconds from `now`: delta-seconds or an HTTP date; null when absent or bad. */
export function parseRetryAfter(v: string | null | undefined, now: number): number | null {
  if (!v) return null;
  const s = v.trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  // An HTTP date names its day or month ("Wed, 21 Oct 2015 07:28:00 GMT"); anything else (-5, 1.5) is neither form.
  if (!/[A-Za-z]{3}/.test(s)) return null;
  const at = Date.parse(s);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
