import { html, type Markup } from './html.ts';

/** The pieces of the dashboard's lists: state badges, the search box, the filter and the pager. */

/** A coloured dot and its label; `tone` is up, down or paused. */
export function stateBadge(tone: string, label: string): Markup {
  return html`<span class="state state-${tone}"><span class="dot" aria-hidden="true"></span>${label}</span>`;
}

/** The search form above a list; the status filter in force (and the fields of `keep`, such as the order) ride along. */
export function searchForm(o: {
  action: string;
  label: string;
  search: string;
  status: string;
  keep?: Record<string, string>;
}): Markup {
  const keep = { ...(o.status !== 'all' ? { status: o.status } : {}), ...o.keep };
  return html`<form class="search" method="get" action="${o.action}" role="search">
    <label for="q">${o.label}</label>
    <div class="search-row"><input id="q" name="q" type="search" value="${o.search}" maxlength="200" autocomplete="off">${Object.entries(keep).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}<button type="submit">Search</button></div>
  </form>`;
}

/** Links that filter a list; the current one is marked. */
export function filterNav(label: string, items: { href: string; current: boolean; text: Markup | string }[]): Markup {
  return html`<nav class="filter" aria-label="${label}"><ul>${items.map((i) => html`<li><a href="${i.href}"${i.current ? html` aria-current="true"` : ''}>${i.text}</a></li>`)}</ul></nav>`;
}

/** Previous and next page links, when there is more than one page. */
export function pager(page: number, pages: number, href: (page: number) => string): Markup | '' {
  return pages > 1
    ? html`<nav class="pager" aria-label="Pages">${page > 1 ? html`<a rel="prev" href="${href(page - 1)}">‹ Previous</a>` : html`<span></span>`}<span>Page ${page} of ${pages}</span>${page < pages ? html`<a rel="next" href="${href(page + 1)}">Next ›</a>` : html`<span></span>`}</nav>`
    : '';
}
