import { html, type Markup } from './html.ts';
import { formatPercent } from './format.ts';
import { CHART_PERIODS, type Beat, type ResponseSeries, type SlotFigure } from '../../services/dashboard-views.ts';

/**
 * Server-made SVG for the dashboard: a sparkline per monitor row and stacked response-time
 * charts. Axis labels live in HTML beside the SVG (it stretches, text would not), and every
 * chart carries a <title>, a <desc> and a data table for screen readers.
 */

const number = new Intl.NumberFormat('en');
export const formatMs = (ms: number | null) => (ms === null ? '—' : `${number.format(Math.round(ms))} ms`);
export const percent = (ratio: number | null) => (ratio === null ? '—' : formatPercent(ratio, 'en'));
const r1 = (v: number) => Math.round(v * 10) / 10;

/** The colour class of an uptime figure. */
export function uptimeClass(ratio: number | null): string {
  if (ratio === null) return 'none';
  return ratio >= 0.999 ? 'good' : ratio >= 0.99 ? 'fair' : 'poor';
}

/** A 24-point line of mean response times; gaps where no timed check ran. */
export function sparkline(values: (number | null)[], label: string): Markup {
  const w = 96;
  const h = 24;
  const present = values.filter((v): v is number => v !== null);
  if (!present.length) return html`<span class="spark-empty">No data</span>`;
  const top = Math.max(...present) * 1.1 || 1;
  const step = w / Math.max(1, values.length - 1);
  let d = '';
  let open = false;
  for (const [i, v] of values.entries()) {
    if (v === null) {
      open = false;
      continue;
    }
    const point = `${r1(i * step)} ${r1(h - 1 - (v / top) * (h - 2))}`;
    d += open ? `L${point}` : `M${point}h0.01`; // a lone point still shows (round caps)
    open = true;
  }
  const mean = present.reduce((a, b) => a + b, 0) / present.length;
  return html`<svg class="spark" viewBox="0 0 ${w} ${h}" preserveAspectRatio="none" role="img" aria-label="${label}: mean ${formatMs(mean)}" focusable="false"><path vector-effect="non-scaling-stroke" d="${d}"/></svg>`;
}

/**
 * A beat's tooltip: "2026-11-27 14:03:05 UTC · 87 ms", with where it ran on the monitor's page
 * ("… UTC · london · 87 ms"; the list names the places in a column of its own). The page's
 * script writes the same.
 */
export function beatTitle(b: Beat, withLocation: boolean): string {
  const d = new Date(b.at).toISOString();
  return `${d.slice(0, 10)} ${d.slice(11, 19)} UTC · ${withLocation ? `${b.location} · ` : ''}${b.ok ? formatMs(b.ms) : 'failed'}`;
}

/** The summary a screen reader reads for a bar of beats. */
export const beatsLabel = (shown: number, failed: number) =>
  shown ? `Last ${shown} checks: ${shown - failed} up, ${failed} failed` : 'No checks yet';

/**
 * The latest checks as a bar of `slots` beats, oldest first: green passed, red failed, grey
 * before the first check; each with its time and response time as a tooltip. Kept short (an
 * <i> each): the list has 30 in each of its 50 rows.
 */
export function beatBar(beats: Beat[], slots: number, wide = false): Markup {
  const shown = beats.slice(-slots);
  const failed = shown.filter((b) => !b.ok).length;
  return html`<span class="beats${wide ? ' wide' : ''}" role="img" aria-label="${beatsLabel(shown.length, failed)}" data-beats="${slots}" data-last-at="${shown.at(-1)?.at ?? 0}">${Array.from(
    { length: slots - shown.length },
    () => html`<i></i>`,
  )}${shown.map((b) => html`<i class="${b.ok ? 'up' : 'down'}" title="${beatTitle(b, wide)}"></i>`)}</span>`;
}

type Band = { key: keyof SlotFigure | 'rest'; label: string };
const PHASES: Band[] = [
  { key: 'dns', label: 'DNS' },
  { key: 'connect', label: 'Connect' },
  { key: 'tls', label: 'TLS' },
  { key: 'ttfb', label: 'First byte' },
  { key: 'rest', label: 'Rest of the check (body, or the whole check for TCP, ICMP and DNS)' },
];
const TOTAL: Band[] = [{ key: 'total', label: 'Response time (total)' }];

/** Heights of the bands of one slot; they add up to its mean total. */
function bandValues(f: SlotFigure, bands: Band[]): number[] {
  if (bands === TOTAL) return [f.total];
  const phases = [f.dns ?? 0, f.connect ?? 0, f.tls ?? 0, f.ttfb ?? 0];
  const sum = phases.reduce((a, b) => a + b, 0);
  // Means of phases may overshoot the mean total a little; the stack never exceeds it.
  const scale = sum > f.total && sum > 0 ? f.total / sum : 1;
  return [...phases.map((p) => p * scale), Math.max(0, f.total - sum * scale)];
}

/** A round axis maximum at or above the largest value. */
function niceMax(v: number): number {
  if (v <= 0) return 10;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

const stamp = (ms: number, withDate: boolean) => {
  const d = new Date(ms).toISOString();
  return withDate ? `${d.slice(0, 10)} ${d.slice(11, 16)}` : d.slice(11, 16);
};

/** One location's stacked chart, its legend, summary and data table. */
export function responseChart(
  s: ResponseSeries,
  loc: { location: string; slots: (SlotFigure | null)[] },
  idBase: string,
): Markup {
  const W = 720;
  const H = 160;
  const bands = s.source === 'raw' ? PHASES : TOTAL;
  const n = loc.slots.length;
  const slotW = W / n;
  const stacks = loc.slots.map((f) => (f ? bandValues(f, bands) : null));
  const totals = loc.slots.filter((f): f is SlotFigure => f !== null);
  const top = niceMax(Math.max(0, ...totals.map((f) => f.total)));
  const y = (v: number) => r1(H - (v / top) * H);

  // Step areas: each slot is a flat top over its width, runs break where a slot has no data.
  const paths = bands.map((band, b) => {
    let d = '';
    let run: number[] = [];
    const flush = () => {
      if (!run.length) return;
      const lower = (i: number) => stacks[i]!.slice(0, b).reduce((a, v) => a + v, 0);
      const upper = (i: number) => lower(i) + stacks[i]![b];
      d += `M${r1(run[0] * slotW)} ${y(lower(run[0]))}`;
      for (const i of run) d += `V${y(upper(i))}H${r1((i + 1) * slotW)}`;
      for (const i of [...run].reverse()) d += `V${y(lower(i))}H${r1(i * slotW)}`;
      d += 'Z';
      run = [];
    };
    for (const [i, st] of stacks.entries()) {
      if (st) run.push(i);
      else flush();
    }
    flush();
    return d ? html`<path class="band band-${band.key}" d="${d}"/>` : '';
  });
  let line = '';
  let open = false;
  for (const [i, f] of loc.slots.entries()) {
    if (!f) {
      open = false;
      continue;
    }
    line += `${open ? 'L' : 'M'}${r1(i * slotW)} ${y(f.total)}H${r1((i + 1) * slotW)}`;
    open = true;
  }

  const checks = totals.reduce((a, f) => a + f.count, 0);
  const mean = checks ? totals.reduce((a, f) => a + f.total * f.count, 0) / checks : null;
  const phaseMean = (k: 'dns' | 'connect' | 'tls' | 'ttfb') => {
    const with_ = totals.filter((f) => f[k] !== null);
    const c = with_.reduce((a, f) => a + f.count, 0);
    return c ? with_.reduce((a, f) => a + f[k]! * f.count, 0) / c : null;
  };
  const withDate = s.to - s.from >= 86_400_000;
  const periodText = `${stamp(s.from, true)} to ${stamp(s.to, true)} UTC`;
  const summary =
    mean === null
      ? `No successful checks from ${loc.location} between ${periodText}.`
      : `Mean response time ${formatMs(mean)} over ${number.format(checks)} successful checks from ${loc.location}, ${periodText}; fastest slot ${formatMs(Math.min(...totals.map((f) => f.total)))}, slowest ${formatMs(Math.max(...totals.map((f) => f.total)))}.` +
        (s.source === 'raw'
          ? ` Mean phases: DNS ${formatMs(phaseMean('dns'))}, connect ${formatMs(phaseMean('connect'))}, TLS ${formatMs(phaseMean('tls'))}, first byte ${formatMs(phaseMean('ttfb'))}.`
          : ' Phases are not kept in hourly rollups.');
  const titleId = `${idBase}-title`;
  const descId = `${idBase}-desc`;
  const rows = loc.slots.map((f, i) =>
    f
      ? html`<tr><th scope="row">${stamp(s.from + i * s.slotMs, withDate)}</th><td>${number.format(f.count)}</td>${
          s.source === 'raw'
            ? html`<td>${formatMs(f.dns)}</td><td>${formatMs(f.connect)}</td><td>${formatMs(f.tls)}</td><td>${formatMs(f.ttfb)}</td>`
            : ''
        }<td>${formatMs(f.total)}</td></tr>`
      : '',
  );

  return html`<figure class="chart-block" data-location="${loc.location}">
  <figcaption><h3>${loc.location}</h3> <span class="hint">${mean === null ? 'no data' : `mean ${formatMs(mean)}`}</span></figcaption>
  <div class="chart-frame">
    <div class="chart-y" aria-hidden="true"><span>${formatMs(top)}</span><span>${formatMs(top / 2)}</span><span>0</span></div>
    <svg class="rt-chart" viewBox="0 0 ${W} ${H}" preserveAspectRatio="none" role="img" aria-labelledby="${titleId}" aria-describedby="${descId}" focusable="false">
      <title id="${titleId}">Response time from ${loc.location}, last ${CHART_PERIODS[s.period].label}</title>
      <desc id="${descId}">${summary}</desc>
      <line class="grid" x1="0" x2="${W}" y1="${H / 2}" y2="${H / 2}" vector-effect="non-scaling-stroke"/>
      ${paths}
      ${line ? html`<path class="total-line" vector-effect="non-scaling-stroke" d="${line}"/>` : ''}
    </svg>
  </div>
  <div class="chart-x" aria-hidden="true"><span>${stamp(s.from, withDate)}</span><span>${stamp(s.to, withDate)} UTC</span></div>
  <ul class="chart-legend">${bands.map((b) => html`<li><span class="swatch band-${b.key}" aria-hidden="true"></span>${b.label}</li>`)}</ul>
  ${
    totals.length
      ? html`<details class="chart-data"><summary>Data table<span class="sr-only"> for ${loc.location}</span></summary><div class="table-scroll"><table class="data">
    <caption class="sr-only">Mean response times from ${loc.location} per ${s.slotMs >= 3_600_000 ? `${s.slotMs / 3_600_000} h` : `${s.slotMs / 60_000} min`}</caption>
    <thead><tr><th scope="col">Time (UTC)</th><th scope="col">Checks</th>${s.source === 'raw' ? html`<th scope="col">DNS</th><th scope="col">Connect</th><th scope="col">TLS</th><th scope="col">First byte</th>` : ''}<th scope="col">Total</th></tr></thead>
    <tbody>${rows}</tbody></table></div></details>`
      : ''
  }
</figure>`;
}
