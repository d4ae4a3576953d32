/** Time grouping and anomaly rules behind the MCP analysis tools: pure functions of their inputs. */
import { ValidationError } from './errors.ts';
import { DAY, HOUR } from './rollups.ts';

export const RESOLUTIONS = ['hour', 'day', 'week', 'month'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

/** A window holds at most this many periods (an hourly view of a year would be 8760 rows). */
export const MAX_PERIODS = 2000;

/** Start of the UTC period holding `at`; weeks start on Monday (ISO 8601). */
export function periodStart(at: number, res: Resolution): number {
  if (res === 'hour') return at - (((at % HOUR) + HOUR) % HOUR);
  const day = at - (((at % DAY) + DAY) % DAY);
  if (res === 'day') return day;
  if (res === 'week') return day - ((new Date(day).getUTCDay() + 6) % 7) * DAY;
  const d = new Date(day);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

export function nextPeriod(start: number, res: Resolution): number {
  if (res === 'hour') return start + HOUR;
  if (res === 'day') return start + DAY;
  if (res === 'week') return start + 7 * DAY;
  const d = new Date(start);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** "2026-06-07T10:00:00.000Z" for hours, "2026-06-07" (the first day) for days, weeks and months. */
export function periodLabel(start: number, res: Resolution): string {
  const s = new Date(start).toISOString();
  return res === 'hour' ? s : s.slice(0, 10);
}

export interface Period {
  start: number;
  end: number;
  label: string;
}

/** The periods overlapping [from, to), oldest first. */
export function periodsOf(from: number, to: number, res: Resolution): Period[] {
  const out: Period[] = [];
  if (to <= from) return out;
  for (let s = periodStart(from, res); s < to; s = nextPeriod(s, res)) {
    if (out.length >= MAX_PERIODS)
      throw new ValidationError(
        `The window holds more than ${MAX_PERIODS} ${res} periods; choose a coarser resolution or a shorter window`,
      );
    out.push({ start: s, end: nextPeriod(s, res), label: periodLabel(s, res) });
  }
  return out;
}

/**
 * The first of `periods` (as periodsOf gives them: contiguous, oldest first) that ends after
 * `at`, or periods.length: a binary search, so that placing n figures costs n·log(periods).
 */
export function periodAfter(periods: readonly Period[], at: number): number {
  let lo = 0;
  let hi = periods.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (periods[mid].end > at) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The period holding `at`, or -1 when none does. */
export function periodIndex(periods: readonly Period[], at: number): number {
  const i = periodAfter(periods, at);
  return i < periods.length && periods[i].start <= at ? i : -1;
}

/**
 * Figures one answer holds at most (uptime: one per monitor and period; response times: one per
 * monitor and region): about 2 MB of JSON, the bound of one MCP answer, checked before any
 * work, so the work stays small whatever the project's size.
 */
export const MAX_FIGURES = 50_000;

export function checkFigures(figures: number, what: string, narrower = ''): void {
  if (figures > MAX_FIGURES) {
    throw new ValidationError(
      `The answer would hold more than ${MAX_FIGURES} figures (${what}): name fewer monitors (monitor_uuids)${narrower}`,
    );
  }
}

/** Nearest-rank percentile of some values (q in 0..1), or null when there are none. */
export function percentile(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
}

export interface CheckSample {
  id: number;
  at: number;
  ok: boolean;
  totalMs: number | null;
  location: string;
  statusCode: number | null;
  error: string | null;
}

export interface Anomaly {
  check: CheckSample;
  type: 'check_failure' | 'latency_spike';
  /** 0..1: 1 for a failure; 1 − p95/responseTime for a spike (3× p95 scores 0.67). */
  score: number;
}

/** A spike is a successful check slower than SPIKE_FACTOR × the p95 of the sample. */
export const SPIKE_FACTOR = 3;
/** Below this many timed successful checks the p95 is the maximum, so no spike is reported. */
export const MIN_SAMPLES_FOR_SPIKES = 20;

/**
 * Failed checks, and successful checks far slower than usual (over SPIKE_FACTOR × the p95 of
 * the sample's timed successes, once there are enough of them). Newest first.
 */
export function findAnomalies(checks: CheckSample[]): { p95: number | null; anomalies: Anomaly[] } {
  const timed = checks.filter((c) => c.ok && c.totalMs !== null).map((c) => c.totalMs!);
  const p95 = percentile(timed, 0.95);
  const spikes = p95 !== null && p95 > 0 && timed.length >= MIN_SAMPLES_FOR_SPIKES;
  const anomalies: Anomaly[] = [];
  for (const c of checks) {
    if (!c.ok) anomalies.push({ check: c, type: 'check_failure', score: 1 });
    else if (spikes && c.totalMs !== null && c.totalMs > SPIKE_FACTOR * p95!) {
      anomalies.push({ check: c, type: 'latency_spike', score: Math.round((1 - p95! / c.totalMs) * 100) / 100 });
    }
  }
  anomalies.sort((a, b) => b.check.at - a.check.at || b.check.id - a.check.id);
  return { p95, anomalies };
}
