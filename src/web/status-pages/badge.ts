import type { Overall } from '../../services/public-pages.ts';

const BADGE: Record<Overall, [string, string]> = {
  operational: ['operational', '#1f9d55'],
  degraded: ['partial outage', '#f08c1a'],
  major: ['major outage', '#d92d20'],
  maintenance: ['maintenance', '#2e7df6'],
};

/** A shields-style "status | operational" badge; widths estimated for 11px Verdana. */
export function renderBadge(overall: Overall): string {
  const [text, colour] = BADGE[overall];
  const w = (s: string) => Math.round(s.length * 6.6 + 12);
  const left = w('status');
  const right = w(text);
  const total = left + right;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${total}" height="20" role="img" aria-label="status: ${text}"><title>status: ${text}</title><linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient><clipPath id="r"><rect width="${total}" height="20" rx="3" fill="#fff"/></clipPath><g clip-path="url(#r)"><rect width="${left}" height="20" fill="#555"/><rect x="${left}" width="${right}" height="20" fill="${colour}"/><rect width="${total}" height="20" fill="url(#s)"/></g><g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11"><text x="${left / 2}" y="15" fill="#010101" fill-opacity=".3">status</text><text x="${left / 2}" y="14">status</text><text x="${left + right / 2}" y="15" fill="#010101" fill-opacity=".3">${text}</text><text x="${left + right / 2}" y="14">${text}</text></g></svg>`;
}
