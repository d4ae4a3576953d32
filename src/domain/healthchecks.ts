import { Cron } from 'croner';
import { ValidationError } from './errors.ts';
import { NAME_MAX, checkLength } from './limits.ts';

export const PERIOD_TYPES = ['seconds', 'minutes', 'hours', 'days'] as const;
export type PeriodType = (typeof PERIOD_TYPES)[number];
const UNIT: Record<PeriodType, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86400 };
const MAX_SECONDS = 365 * 86400;
/** A 5-field expression with lists and steps in each field fits easily. */
export const CRON_MAX = 255;
/** IANA zone names are at most about 30 characters (America/Argentina/ComodRivadavia). */
export const TIMEZONE_MAX = 64;

export interface HealthcheckSettings {
  name: string;
  cron: string | null;
  timezone: string;
  period_value: number | null;
  period_type: PeriodType | null;
  grace_value: number;
  grace_type: PeriodType;
}

export const toSeconds = (value: number, type: PeriodType) => value * UNIT[type];

function fail(message: string): never {
  throw new ValidationError(message);
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** A 5-field cron expression (min hour day-of-month month day-of-week), or a readable refusal. */
export function parseCron(expr: string, timezone: string): Cron {
  if (expr.trim().split(/\s+/).length !== 5)
    fail(`Invalid cron expression "${expr}": use 5 fields (minute hour day-of-month month day-of-week)`);
  try {
    return new Cron(expr.trim(), { timezone, paused: true });
  } catch (err) {
    fail(`Invalid cron expression "${expr}": ${(err as Error).message.replace(/^CronPattern: /, '')}`);
  }
}

function count(input: Record<string, unknown>, key: string, min: number): number | undefined {
  const v = input[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
    fail(`${key} must be a whole number of at least ${min}`);
  return v;
}

function unit(input: Record<string, unknown>, key: string): PeriodType | '' | undefined {
  const v = input[key];
  if (v === undefined) return undefined;
  if (v === '' || v === null) return '';
  if (!PERIOD_TYPES.includes(v as PeriodType)) fail(`${key} must be one of ${PERIOD_TYPES.join(', ')}`);
  return v as PeriodType;
}

/**
 * Applies a create (current = null) or partial update body. A schedule is either a period
 * (period_value + period_type) or a cron expression with an IANA timezone, never both: setting
 * one replaces the other, and "" clears (as the Terraform provider sends on switching).
 */
export function applyHealthcheckInput(
  current: HealthcheckSettings | null,
  input: Record<string, unknown>,
): HealthcheckSettings {
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    fail('The request body must be a JSON object');
  const next: HealthcheckSettings = current
    ? { ...current }
    : {
        name: '',
        cron: null,
        timezone: 'UTC',
        period_value: null,
        period_type: null,
        grace_value: 0,
        grace_type: 'seconds',
      };

  if (input.name !== undefined) {
    if (typeof input.name !== 'string' || input.name.trim() === '') fail('name must be a non-empty string');
    checkLength(input.name, 'name', NAME_MAX);
    next.name = input.name;
  } else if (!current) fail('name is required');

  const grace = count(input, 'grace_period_value', 0);
  const graceType = unit(input, 'grace_period_type');
  if (!current && (grace === undefined || !graceType)) fail('grace_period_value and grace_period_type are required');
  if (grace !== undefined) next.grace_value = grace;
  if (graceType) next.grace_type = graceType;

  if (input.timezone !== undefined) {
    if (input.timezone !== null && typeof input.timezone !== 'string')
      fail('timezone must be an IANA time zone such as Europe/Paris');
    const tz = (input.timezone as string | null) || 'UTC';
    checkLength(tz, 'timezone', TIMEZONE_MAX);
    if (!isValidTimeZone(tz)) fail(`Unknown timezone "${tz}": use an IANA time zone such as Europe/Paris`);
    next.timezone = tz;
  }
  const periodValue = input.period_value === null ? null : count(input, 'period_value', 1);
  const periodType = unit(input, 'period_type');
  const cron = input.cron;
  if (cron !== undefined && cron !== null && typeof cron !== 'string') fail('cron must be a string');
  if (typeof cron === 'string') checkLength(cron, 'cron', CRON_MAX);

  const setsCron = typeof cron === 'string' && cron.trim() !== '';
  const setsPeriod =
    (periodValue !== undefined && periodValue !== null) || (periodType !== undefined && periodType !== '');
  if (setsCron && setsPeriod) fail('Use either cron (with timezone) or period_value and period_type, not both');
  if (setsCron) {
    next.cron = (cron as string).trim();
    next.period_value = null;
    next.period_type = null;
  } else if (setsPeriod) {
    if (periodValue !== undefined) next.period_value = periodValue;
    if (periodType) next.period_type = periodType;
    next.cron = null;
  } else {
    if (cron === '' || cron === null) next.cron = null;
    if (periodType === '' || periodValue === null) {
      next.period_value = null;
      next.period_type = null;
    }
  }
  if (next.cron) parseCron(next.cron, next.timezone);
  else if (next.period_value === null || next.period_type === null) {
    fail('A schedule is required: cron (with timezone) or period_value and period_type');
  } else if (toSeconds(next.period_value, next.period_type) > MAX_SECONDS) fail('period must be at most 365 days');
  if (toSeconds(next.grace_value, next.grace_type) > MAX_SECONDS) fail('grace period must be at most 365 days');
  return next;
}

// Every ping of a cron check needs the expression's next run, which costs tens of µs to find
// (and more to parse). Kept per expression: the parsed Cron and the last answer, [from, due),
// which holds for any instant in between since no run falls there.
const crons = new Map<string, { cron: Cron; from: number; due: number }>();

/** When the next ping is due after one at `after` (cron: the next run of the expression in its zone). */
export function nextDue(s: HealthcheckSettings, after: number): number {
  if (s.cron) {
    const key = `${s.timezone} ${s.cron}`;
    let c = crons.get(key);
    if (!c) {
      if (crons.size >= 1000) crons.clear();
      c = { cron: parseCron(s.cron, s.timezone), from: 0, due: 0 };
      crons.set(key, c);
    }
    if (after >= c.from && after < c.due) return c.due;
    const next = c.cron.nextRun(new Date(after));
    if (!next) return after + MAX_SECONDS * 1000;
    c.from = after;
    c.due = next.getTime();
    return c.due;
  }
  return after + toSeconds(s.period_value!, s.period_type!) * 1000;
}

/**
 * The `period` a client reads, in seconds: the period, or for a cron check the time between its
 * next two runs after `now` (the newest hosted contract has it as an integer for every check).
 */
export function periodSeconds(s: HealthcheckSettings, now: number): number {
  if (!s.cron) return toSeconds(s.period_value!, s.period_type!);
  // Kept per expression while the next run is the same: a list of checks sharing a schedule
  // finds two runs once, not twice per check (the second lookup would evict the first).
  const key = `${s.timezone} ${s.cron}`;
  const kept = periods.get(key);
  if (kept && now >= kept.from && now < kept.due) return kept.seconds;
  const first = nextDue(s, now);
  const seconds = Math.round((nextDue(s, first) - first) / 1000);
  if (periods.size >= 1000) periods.clear();
  periods.set(key, { from: now, due: first, seconds });
  return seconds;
}

const periods = new Map<string, { from: number; due: number; seconds: number }>();

/** The moment a missing ping turns the check down: due date plus grace period. */
export function alertAt(s: HealthcheckSettings, due: number): number {
  return due + toSeconds(s.grace_value, s.grace_type) * 1000;
}
