import type { PageLanguage } from '../../domain/statuspages.ts';
import type { StatusPage } from '../../services/statuspages.ts';
import type { PageStatus } from '../../services/public-pages.ts';
import { escapeText as x } from '../ui/html.ts';
import { formatTime } from '../ui/format.ts';
import { localize, stringsFor } from './strings.ts';

const FEED_ITEMS = 50;

/** RSS 2.0 of a page's incidents (their latest updates) and maintenance windows, newest first. */
export function renderFeed(page: StatusPage, status: PageStatus, lang: PageLanguage, pageUrl: string): string {
  const t = stringsFor(lang);
  const fb = page.settings.default_language;
  const rfc822 = (ms: number) => new Date(ms).toUTCString();
  // Items are ordered before any is written: only the FEED_ITEMS newest are.
  const items: { at: number; xml: () => string }[] = [];
  for (const i of [...status.ongoing, ...status.history]) {
    const last = i.updates[i.updates.length - 1]?.at ?? i.at;
    const lines = () =>
      [
        localize(i.text, lang, fb),
        ...[...i.updates].reverse().map((u) => {
          const label = (t as Record<string, string>)[u.type] ?? t.update;
          const text = localize(u.text, lang, fb);
          return `${label} (${formatTime(u.at, lang)})${text ? `: ${text}` : ''}`;
        }),
      ].filter(Boolean);
    items.push({
      at: last,
      xml: () =>
        `<item><title>${x(localize(i.title, lang, fb))}</title><link>${x(`${pageUrl}#incident-${i.uuid}`)}</link><guid isPermaLink="false">${x(i.uuid)}</guid><pubDate>${rfc822(last)}</pubDate><category>incident</category><description>${x(lines().join('\n'))}</description></item>`,
    });
  }
  for (const w of [...status.maintenance, ...status.pastMaintenance]) {
    const title = localize(w.title, lang, fb) || t.scheduledMaintenance;
    const text = () =>
      [`${formatTime(w.startsAt, lang)} – ${formatTime(w.endsAt, lang)}`, localize(w.text, lang, fb)]
        .filter(Boolean)
        .join('\n');
    items.push({
      at: w.startsAt,
      xml: () =>
        `<item><title>${x(title)}</title><link>${x(`${pageUrl}#maintenance-${w.uuid}`)}</link><guid isPermaLink="false">${x(w.uuid)}</guid><pubDate>${rfc822(w.startsAt)}</pubDate><category>maintenance</category><description>${x(text())}</description></item>`,
    });
  }
  items.sort((a, b) => b.at - a.at);
  const name = page.row.name;
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>${x(name)}</title><link>${x(pageUrl)}</link><description>${x(`${name}: ${t.activeIncidents}, ${t.scheduledMaintenance}`)}</description><language>${lang}</language><lastBuildDate>${rfc822(status.now)}</lastBuildDate><atom:link href="${x(`${pageUrl.replace(/\/$/, '')}/feed.rss`)}" rel="self" type="application/rss+xml"/>${items
    .slice(0, FEED_ITEMS)
    .map((i) => i.xml())
    .join('')}</channel></rss>
`;
}
