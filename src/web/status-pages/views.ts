import type { PageLanguage, PageSettings } from '../../domain/statuspages.ts';
import { DAY, HOUR } from '../../domain/rollups.ts';
import type { StatusPage } from '../../services/statuspages.ts';
import type {
  DayFigure,
  IncidentView,
  MaintenanceView,
  Overall,
  PageStatus,
  ServiceState,
  ServiceStatus,
} from '../../services/public-pages.ts';
import { escapeText, html, newTurn, raw, renderInTurns, type Markup, type Turn } from '../ui/html.ts';
import { formatDay, formatPercent, formatTime, numberFormat } from '../ui/format.ts';
import { fill, localize, stringsFor, type Strings } from './strings.ts';
import { chromeOf, css, type Chrome } from './theme.ts';

/**
 * Server-rendered HTML of the public pages: one document, CSS inline (under a CSP nonce), SVG
 * for the uptime bars and charts, no script and nothing fetched from another origin (a logo or
 * favicon URL the page owner set excepted).
 */

/** An http(s) URL safe to put in an attribute, else null. */
export function safeUrl(u: unknown): string | null {
  if (typeof u !== 'string') return null;
  try {
    const url = new URL(u);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

const STATE_ICON: Record<Overall, string> = {
  operational:
    '<path d="M6 12.5l4 4 8-9" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" stroke-linejoin="round"/>',
  degraded: '<path d="M12 7v6m0 4v.5" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round"/>',
  major: '<path d="M8 8l8 8m0-8l-8 8" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round"/>',
  maintenance:
    '<path d="M12 7v5l3 3" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" stroke-linejoin="round"/>',
};
const ICON_COLOUR: Record<Overall, string> = {
  operational: '#1f9d55',
  degraded: '#f08c1a',
  major: '#d92d20',
  maintenance: '#2e7df6',
};

function icon(o: Overall): Markup {
  return raw(
    `<svg class="icon" width="28" height="28" viewBox="0 0 24 24" aria-hidden="true"><circle cx="12" cy="12" r="11" fill="#fff" fill-opacity=".22"/>${STATE_ICON[o]}</svg>`,
  );
}

/** A favicon drawn from the page's state, so the browser needs to fetch none. */
function stateFavicon(o: Overall): string {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><circle cx="12" cy="12" r="12" fill="${ICON_COLOUR[o]}"/>${STATE_ICON[o].replace(/currentColor/g, '#fff')}</svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

interface Head {
  title: string;
  favicon?: string;
  noindex?: boolean;
  refresh?: boolean;
  feed?: string;
}

/**
 * A document rendered once for every visitor: it is `open + nonce + close`, the CSP nonce of each
 * answer going into the one place it appears (the stylesheet's tag).
 */
export interface Rendered {
  open: string;
  close: string;
}

function layoutParts(c: Chrome, head: Head, body: Markup): Rendered {
  const open = `<!doctype html>${html`<html lang="${c.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${head.title}</title>${
    head.noindex ? raw('<meta name="robots" content="noindex, nofollow">') : ''
  }${
    head.refresh ? raw('<meta http-equiv="refresh" content="60">') : ''
  }<meta name="referrer" content="no-referrer"><link rel="icon" href="${head.favicon ?? stateFavicon('operational')}">${
    head.feed ? html`<link rel="alternate" type="application/rss+xml" title="RSS" href="${head.feed}">` : ''
  }<style nonce="`}`;
  return { open, close: `${html`">${raw(css(c))}</style></head><body>${body}</body></html>`}` };
}

function layout(c: Chrome, head: Head, body: Markup): string {
  const { open, close } = layoutParts(c, head, body);
  return `${open}${escapeText(c.nonce)}${close}`;
}

function when(ms: number, lang: string): Markup {
  return html`<time datetime="${new Date(ms).toISOString()}">${formatTime(ms, lang)}</time>`;
}

const formatMs = (ms: number, lang: string) => `${numberFormat(lang, 'plain').format(Math.round(ms))} ms`;

// ---- status page ----

interface PageView {
  page: StatusPage;
  lang: PageLanguage;
  /** Path of the page ('' when served at / of its own host). */
  base: string;
}

export interface StatusView extends PageView {
  status: PageStatus;
  notice?: string;
  formError?: string;
  email?: string;
  /** The server sends mail (VIGIL_SMTP_URL): without it the page offers no email subscription. */
  mail: boolean;
}

function dayClass(d: DayFigure | null): string {
  if (!d) return 'none';
  const up = (d.checks - d.failures) / d.checks;
  return up >= 1 ? 'ok' : up >= 0.99 ? 'minor' : up >= 0.95 ? 'partial' : 'major';
}

function uptimeBars(days: (DayFigure | null)[], firstDay: number, t: Strings, lang: string, label: string): Markup {
  const slot = 10;
  const width = 7;
  let checks = 0;
  let failures = 0;
  for (const d of days) {
    checks += d?.checks ?? 0;
    failures += d?.failures ?? 0;
  }
  const total = checks > 0 ? fill(t.uptime, formatPercent((checks - failures) / checks, lang)) : t.noData;
  const rects = days.map((d, i) => {
    const day = formatDay(firstDay + i * DAY, lang);
    const figure = d
      ? `${fill(t.uptime, formatPercent((d.checks - d.failures) / d.checks, lang))}${d.failures && !d.seconds ? ` · ${fill(t.failedChecks, String(d.failures), String(d.checks))}` : ''}`
      : t.noData;
    return html`<rect x="${i * slot}" width="${width}" height="32" rx="1.5" class="${dayClass(d)}"><title>${day}: ${figure}</title></rect>`;
  });
  return html`<svg class="bars" viewBox="0 0 ${days.length * slot - (slot - width)} 32" preserveAspectRatio="none" role="img" aria-label="${label}: ${total}">${rects}</svg><span class="legend"><span>${fill(t.daysAgo, String(days.length))}</span><span class="mid">${total}</span><span>${t.today}</span></span>`;
}

function responseChart(hours: (number | null)[], firstHour: number, t: Strings, lang: string): Markup {
  const values = hours.filter((v): v is number => v !== null);
  const slot = 10;
  const height = 60;
  const top = Math.max(...values, 1) * 1.15;
  const x = (i: number) => i * slot + slot / 2;
  const y = (v: number) => Math.round((height - (v / top) * height) * 10) / 10;
  let line = '';
  let area = '';
  let run: number[] = [];
  const flush = () => {
    if (run.length === 0) return;
    line += `M${run.map((i) => `${x(i)} ${y(hours[i]!)}`).join('L')}`;
    area += `M${x(run[0])} ${height}L${run.map((i) => `${x(i)} ${y(hours[i]!)}`).join('L')}L${x(run[run.length - 1])} ${height}Z`;
    run = [];
  };
  for (const [i, v] of hours.entries()) {
    if (v === null) flush();
    else run.push(i);
  }
  flush();
  const hits = hours.map(
    (v, i) =>
      html`<rect class="hit" x="${i * slot}" width="${slot}" height="${height}"><title>${formatTime(firstHour + i * HOUR, lang)}: ${v === null ? t.noData : formatMs(v, lang)}</title></rect>`,
  );
  const mean = values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
  return html`<span class="chart"><svg class="rt" viewBox="0 0 ${hours.length * slot} ${height}" preserveAspectRatio="none" role="img" aria-label="${t.responseTime}">${
    area
      ? html`<path class="area" d="${area}"/><path class="line" vector-effect="non-scaling-stroke" d="${line}"/>`
      : ''
  }${hits}</svg><span class="legend"><span>${t.responseTime}</span><span>${mean === null ? t.noData : fill(t.average, formatMs(mean, lang))}</span></span></span>`;
}

function stateLabel(state: ServiceState | null, t: Strings): Markup {
  if (!state) return html``;
  return html`<span class="state ${state}">${t[`state_${state}`]}</span>`;
}

async function service(s: ServiceStatus, v: StatusView, t: Strings, turn: Turn): Promise<Markup> {
  const fallback = v.page.settings.default_language;
  const name = localize(s.name, v.lang, fallback);
  const description = localize(s.description, v.lang, fallback);
  const head = html`<span class="head"><span class="name">${name}</span>${stateLabel(s.state, t)}</span>${description ? html`<span class="note">${description}</span>` : ''}`;
  const figures = html`${s.showUptime ? uptimeBars(s.days, v.status.firstDay, t, v.lang, name) : ''}${s.showResponseTimes ? responseChart(s.hours, v.status.firstHour, t, v.lang) : ''}`;
  if (!s.isGroup) return html`<div class="svc">${head}${figures}</div>`;
  // A group opens by itself when one of its services needs attention.
  const open = s.state === 'down' || s.state === 'maintenance';
  const children = await renderInTurns(s.services, turn, (c) => service(c, v, t, turn));
  return html`<details class="svc group"${open ? raw(' open') : ''}><summary>${head}${figures}</summary><div class="children">${children}</div></details>`;
}

const UPDATE_TYPES = ['investigating', 'identified', 'update', 'monitoring', 'resolved'] as const;
function updateLabel(type: string, t: Strings): string {
  return (UPDATE_TYPES as readonly string[]).includes(type) ? t[type as (typeof UPDATE_TYPES)[number]] : t.update;
}

function incident(i: IncidentView, v: PageView, t: Strings, past: boolean, whole = false): Markup {
  const fb = v.page.settings.default_language;
  const title = localize(i.title, v.lang, fb);
  const link = `${v.base}/incidents/${i.uuid}${v.lang === fb ? '' : `?lang=${v.lang}`}`;
  const text = localize(i.text, v.lang, fb);
  const entries = [...i.updates]
    .reverse()
    .map(
      (u) =>
        html`<li><strong>${updateLabel(u.type, t)}</strong> · ${when(u.at, v.lang)}${localize(u.text, v.lang, fb) ? html`<p class="text">${localize(u.text, v.lang, fb)}</p>` : ''}</li>`,
    );
  const affected = i.affected.map((a) => localize(a, v.lang, fb)).filter(Boolean);
  const tag = past
    ? html`<span class="tag resolved">${t.resolved}</span>`
    : html`<span class="tag ${i.type === 'outage' ? 'major' : 'degraded'}">${updateLabel(i.updates[i.updates.length - 1]?.type ?? 'investigating', t)}</span>`;
  return html`<article class="item" id="${`incident-${i.uuid}`}"><h3>${title}</h3><p class="muted">${tag}${when(i.at, v.lang)}${affected.length ? html` · ${fill(t.affected, affected.join(', '))}` : ''}</p>${
    text ? html`<p class="text">${text}</p>` : ''
  }${entries.length ? html`<ol class="timeline">${entries}</ol>` : ''}${!whole && i.cut ? html`<p><a href="${link}">${t.readWhole}</a></p>` : ''}</article>`;
}

function maintenance(w: MaintenanceView, v: PageView, t: Strings): Markup {
  const fb = v.page.settings.default_language;
  const title = localize(w.title, v.lang, fb) || t.scheduledMaintenance;
  const text = localize(w.text, v.lang, fb);
  return html`<article class="item" id="${`maintenance-${w.uuid}`}"><h3>${title}</h3><p class="muted"><span class="tag ${w.ongoing ? 'maintenance' : ''}">${w.ongoing ? t.inProgress : t.scheduled}</span>${when(w.startsAt, v.lang)} – ${when(w.endsAt, v.lang)}</p>${text ? html`<p class="text">${text}</p>` : ''}</article>`;
}

function subscribeForm(v: Omit<StatusView, 'page' | 'status'>, t: Strings): Markup {
  return html`<section class="card" id="subscribe"><h2>${t.subscribeTitle}</h2><div class="pad"><p class="empty">${t.subscribeText}</p>${
    v.notice ? html`<p class="notice" role="status">${v.notice}</p>` : ''
  }${v.formError ? html`<p class="error" role="alert">${v.formError}</p>` : ''}<form class="row" method="post" action="${`${v.base}/subscribe`}"><input type="hidden" name="lang" value="${v.lang}"><input id="email" name="email" type="email" required maxlength="254" autocomplete="email" placeholder="${t.emailLabel}" aria-label="${t.emailLabel}" value="${v.email ?? ''}"><button type="submit">${t.subscribeButton}</button></form></div></section>`;
}

export async function renderStatusPage(v: StatusView): Promise<Rendered> {
  const { page, status } = v;
  const turn = newTurn();
  const s = page.settings;
  const t = stringsFor(v.lang);
  const fb = s.default_language;
  const name = page.row.name;
  const logo = safeUrl(s.logo);
  const website = safeUrl(s.website);
  const description = localize(s.description, v.lang, fb);
  const home = v.base || '/';
  const languages =
    (s.languages ?? []).length > 1
      ? html`<nav aria-label="Language">${s.languages.map((l) => (l === v.lang ? html`<a href="?lang=${l}" aria-current="true">${l.toUpperCase()}</a>` : html`<a href="?lang=${l}" hreflang="${l}">${l.toUpperCase()}</a>`))}</nav>`
      : '';
  const showSubscribe = v.mail && s.subscribe?.enabled && s.subscribe?.email;
  const body = html`<header class="top${s.banner_header ? ' banner' : ''}"><div class="wrap"><h1><a href="${home}">${logo ? html`<img class="logo" src="${logo}" alt="${name}">` : name}</a></h1>${
    website ? html`<a class="site" href="${website}" rel="noopener noreferrer">${t.website}</a>` : ''
  }</div>${description ? html`<div class="wrap"><p class="desc">${description}</p></div>` : ''}</header>
<main class="wrap"><div class="overall ${status.overall}" role="status">${icon(status.overall)}<strong>${t[status.overall]}</strong><span class="when">${fill(t.updated, formatTime(status.now, v.lang))}</span></div>
${
  status.ongoing.length
    ? html`<section class="card"><h2>${t.activeIncidents}</h2>${status.ongoing.map((i) => incident(i, v, t, false))}${
        status.ongoingMore ? html`<p class="empty pad">${fill(t.moreOngoing, String(status.ongoingMore))}</p>` : ''
      }</section>`
    : ''
}
${status.maintenance.length ? html`<section class="card"><h2>${t.scheduledMaintenance}</h2>${status.maintenance.map((w) => maintenance(w, v, t))}</section>` : ''}
${await renderInTurns(status.sections, turn, async (sec) => html`<section class="card">${localize(sec.name, v.lang, fb) ? html`<h2>${localize(sec.name, v.lang, fb)}</h2>` : ''}${await renderInTurns(sec.services, turn, (x) => service(x, v, t, turn))}</section>`)}
<section class="card"><h2>${t.pastIncidents}</h2>${status.history.length ? status.history.map((i) => incident(i, v, t, true)) : html`<p class="empty pad">${t.noIncidents}</p>`}</section>
${showSubscribe ? subscribeForm(v, t) : ''}</main>
<footer class="wrap"><span><a href="${`${v.base}/feed.rss`}">${t.feed}</a>${s.hide_powered_by ? '' : html` · ${fill(t.poweredBy, 'Vigil')}`}</span>${languages}</footer>`;
  const favicon = safeUrl(s.favicon) ?? stateFavicon(status.overall);
  return layoutParts(
    chromeOf(s, v.lang, ''),
    {
      title: `${name} – ${t[status.overall]}`,
      favicon,
      noindex: s.hide_from_search_engines,
      refresh: s.auto_refresh,
      feed: `${v.base}/feed.rss`,
    },
    body,
  );
}

export interface IncidentPageView extends PageView {
  incident: IncidentView;
  /** Which page of its updates (0 is the newest), of how many. */
  at: number;
  pages: number;
}

/** One incident in full, its updates newest first a page at a time. */
export async function renderIncidentPage(v: IncidentPageView): Promise<Rendered> {
  const s = v.page.settings;
  const t = stringsFor(v.lang);
  const name = v.page.row.name;
  const home = `${v.base || '/'}${v.lang === s.default_language ? '' : `?lang=${v.lang}`}`;
  const self = (n: number) =>
    `${v.base}/incidents/${v.incident.uuid}?page=${n + 1}${v.lang === s.default_language ? '' : `&lang=${v.lang}`}`;
  const body = html`<header class="top${s.banner_header ? ' banner' : ''}"><div class="wrap"><h1><a href="${home}">${name}</a></h1></div></header>
<main class="wrap"><section class="card">${incident(v.incident, v, t, v.incident.resolvedAt !== null, true)}${
    v.pages > 1
      ? html`<p class="pad">${v.at > 0 ? html`<a href="${self(v.at - 1)}">${t.newerUpdates}</a> ` : ''}${v.at + 1 < v.pages ? html`<a href="${self(v.at + 1)}">${t.olderUpdates}</a>` : ''}</p>`
      : ''
  }</section>
<p><a href="${home}">${t.back}</a></p></main>`;
  return layoutParts(
    chromeOf(s, v.lang, ''),
    {
      title: `${localize(v.incident.title, v.lang, s.default_language)} – ${name}`,
      noindex: s.hide_from_search_engines,
    },
    body,
  );
}

// ---- the other pages ----

export interface SmallPage {
  lang: PageLanguage;
  nonce: string;
  settings: Partial<PageSettings> | null;
  title: string;
  text: string;
  error?: string;
  form?: Markup;
  back?: string;
}

/** A small centred card: the password gate, 404, unsubscribe and error pages. */
export function renderSmallPage(p: SmallPage): string {
  const t = stringsFor(p.lang);
  const body = html`<main class="wrap narrow"><div class="card pad"><h1>${p.title}</h1><p class="empty">${p.text}</p>${
    p.error ? html`<p class="error" role="alert">${p.error}</p>` : ''
  }${p.form ?? ''}${p.back ? html`<p><a href="${p.back}">${t.back}</a></p>` : ''}</div></main>`;
  return layout(chromeOf(p.settings, p.lang, p.nonce), { title: p.title, noindex: true }, body);
}

/** The password form: it names nothing of the page (not even its title). */
export function passwordForm(action: string, lang: PageLanguage): Markup {
  const t = stringsFor(lang);
  return html`<form method="post" action="${action}"><input type="hidden" name="lang" value="${lang}"><label for="password">${t.passwordLabel}</label><input id="password" name="password" type="password" required autocomplete="current-password" autofocus><button type="submit">${t.enter}</button></form>`;
}

export function confirmForm(action: string, lang: PageLanguage): Markup {
  const t = stringsFor(lang);
  return html`<form method="post" action="${action}"><input type="hidden" name="lang" value="${lang}"><button type="submit">${t.confirmButton}</button></form>`;
}

export function unsubscribeForm(action: string, lang: PageLanguage): Markup {
  const t = stringsFor(lang);
  return html`<form method="post" action="${action}"><input type="hidden" name="lang" value="${lang}"><button type="submit">${t.unsubscribeButton}</button></form>`;
}
