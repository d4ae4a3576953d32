import type { LocalizedText } from '../../domain/localized.ts';
import { html, type Markup } from './html.ts';

/**
 * How the pages write instants, ratios and stored texts: the dashboard's times in UTC, the public
 * pages' dates and percentages in the reader's language.
 */

/** "2026-11-27 14:03 UTC", inside a <time> with the exact instant (the dashboard's dates). */
export function time(ms: number): Markup {
  const d = new Date(ms).toISOString();
  return html`<time datetime="${d}">${d.slice(0, 10)} ${d.slice(11, 16)} UTC</time>`;
}

const formats = new Map<string, Intl.DateTimeFormat>();
function dateFormat(lang: string, withTime: boolean): Intl.DateTimeFormat {
  const key = `${lang}|${withTime}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(lang, {
      timeZone: 'UTC',
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      ...(withTime ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } : {}),
    });
    formats.set(key, f);
  }
  return f;
}

export const formatDay = (ms: number, lang: string) => dateFormat(lang, false).format(ms);
export const formatTime = (ms: number, lang: string) => `${dateFormat(lang, true).format(ms)} UTC`;

/** A percentage truncated (never rounded up) to two decimals: 99.999 % is not 100 %. */
export function formatPercent(ratio: number, lang: string): string {
  const truncated = Math.floor(ratio * 10000) / 10000;
  return numberFormat(lang, 'percent').format(truncated);
}

// Building an Intl format costs about 30 µs: a page of 500 services writes 45,000 figures.
const numberFormats = new Map<string, Intl.NumberFormat>();
/** The reader's number format, made once per language: 'percent' with two decimals, or plain. */
export function numberFormat(lang: string, kind: 'percent' | 'plain'): Intl.NumberFormat {
  const key = `${lang}|${kind}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(
      lang,
      kind === 'percent' ? { style: 'percent', minimumFractionDigits: 2, maximumFractionDigits: 2 } : {},
    );
    numberFormats.set(key, f);
  }
  return f;
}

/** English first, else any language with text: the API stores texts by language. */
export const textOf = (t: LocalizedText | undefined) =>
  t?.en?.trim() ? t.en : (Object.values(t ?? {}).find((x) => x?.trim()) ?? '');
