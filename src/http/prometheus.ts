/** The Prometheus text exposition format, version 0.0.4. */

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export interface Sample {
  labels?: Record<string, string>;
  value: number;
  /** Appended to the family name: `_sum`, `_count` of a summary. */
  suffix?: string;
}

export interface Family {
  name: string;
  help: string;
  type: 'gauge' | 'counter' | 'summary';
  /** Iterated once per text: may be made as it is read (routes/metrics.ts). */
  samples: Iterable<Sample>;
}

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/**
 * Each family once, HELP and TYPE first, then its samples, in pieces of about `chars` characters: 10,000 monitors with names of 255
 * characters in 18 regions are tens of megabytes, written a piece at a time (json-array.ts).
 */
export function* familyText(families: Family[], chars = 64 * 1024): Generator<string> {
  let piece = '';
  for (const f of families) {
    piece += `# HELP ${f.name} ${escapeHelp(f.help)}\n# TYPE ${f.name} ${f.type}\n`;
    for (const s of f.samples) {
      const labels = Object.entries(s.labels ?? {});
      const set = labels.length ? `{${labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}` : '';
      piece += `${f.name}${s.suffix ?? ''}${set} ${formatValue(s.value)}\n`;
      if (piece.length >= chars) {
        yield piece;
        piece = '';
      }
    }
  }
  if (piece) yield piece;
}
