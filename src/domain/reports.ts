/** Report maths: pure functions of outage intervals and a period. */

export interface Interval {
  start: number;
  /** null while ongoing. */
  end: number | null;
}

export interface OutageSummary {
  count: number;
  totalDowntime: number; // seconds
  longestOutage: number; // seconds
  mttr: number; // seconds, mean duration of the outages resolved within the period
  details: { start: number; end: number | null; seconds: number }[];
}

/** Clips each outage to [from, to] (and an ongoing one to `now`); drops those outside. */
export function summarizeOutages(outages: Interval[], from: number, to: number, now: number): OutageSummary {
  const details: OutageSummary['details'] = [];
  let resolvedTotal = 0;
  let resolvedCount = 0;
  for (const o of outages) {
    const end = o.end ?? now;
    const s = Math.max(o.start, from);
    const e = Math.min(end, to);
    if (e <= s && !(o.start >= from && o.start <= to)) continue;
    const seconds = Math.max(0, Math.round((e - s) / 1000));
    details.push({ start: o.start, end: o.end, seconds });
    if (o.end !== null && o.end <= to) {
      resolvedTotal += seconds;
      resolvedCount++;
    }
  }
  const totalDowntime = details.reduce((a, d) => a + d.seconds, 0);
  return {
    count: details.length,
    totalDowntime,
    longestOutage: details.reduce((a, d) => Math.max(a, d.seconds), 0),
    mttr: resolvedCount ? Math.round(resolvedTotal / resolvedCount) : 0,
    details,
  };
}

/** Uptime percentage of the period, two decimals. */
export function slaPercent(downtimeSeconds: number, from: number, to: number): number {
  const period = (to - from) / 1000;
  if (period <= 0) return 100;
  const up = Math.max(0, 1 - downtimeSeconds / period);
  return Math.floor(up * 10000) / 100;
}

/** "1d 5hr 59min 16s", "5min 2s", "0s" (zero parts left out). */
export function formatDuration(seconds: number): string {
  let s = Math.max(0, Math.round(seconds));
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const parts = [d && `${d}d`, h && `${h}hr`, m && `${m}min`, s && `${s}s`].filter(Boolean);
  return parts.length ? parts.join(' ') : '0s';
}
