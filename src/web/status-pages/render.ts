import { FONTS, type PageLanguage, type PageSettings } from '../../domain/statuspages.ts';
import { DAY, HOUR } from '../../domain/rollups.ts';
import type { StatusPage } from '../../services/statuspages.ts';
import type { DayFigure, IncidentView, MaintenanceView, Overall, PageStatus, ServiceState, ServiceStatus } from '../../services/public-pages.ts';
import { html, raw, type Markup } from './html.ts';
import { fill, localize, stringsFor, type Strings } from './strings.ts';

/**
 * Server-rendered HTML of the public pages: one document, CSS inline (under a CSP nonce), SVG
 * for the uptime bars and charts, no script and nothing fetched from another origin (a logo or
 * favicon URL the page owner set excepted).
 */

export interface Chrome {
  lang: PageLanguage;
  nonce: string;
  theme: PageSettings['theme'];
  accent: string;
  font: string;
  logoHeight: string;
}

const DEFAULT_ACCENT = '#36b27e';

/** The page's look, each value re-checked: they end up inside CSS. */
export function chromeOf(settings: Partial<PageSettings> | null, lang: PageLanguage, nonce: string): Chrome {
  const s = settings ?? {};
  return {
    lang,
    nonce,
    theme: s.theme === 'light' || s.theme === 'dark' ? s.theme : 'system',
    accent: typeof s.accent_color === 'string' && /^#[0-9a-fA-F]{6}$/.test(s.accent_color) ? s.accent_color.toLowerCase() : DEFAULT_ACCENT,
    font: typeof s.font === 'string' && (FONTS as readonly string[]).includes(s.font) ? s.font : 'system-ui',
    logoHeight: typeof s.logo_height === 'string' && /^\d{1,4}(?:\.\d{1,2})?(?:px|rem|em|%)$/.test(s.logo_height) ? s.logo_height : '32px',
  };
}

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

/** The origin of a URL for a CSP source list, only when it is a plain scheme://host[:port]. */
export function cspOrigin(u: string | null): string | null {
  if (!u) return null;
  const origin = new URL(u).origin;
  return /^https?:\/\/(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i.test(origin) ? origin : null;
}

const SANS = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif';

/** Named fonts are used only when installed on the reader's machine: nothing is downloaded. */
function fontStack(font: string): string {
  if (font === 'system-ui') return SANS;
  if (font === 'Merriweather') return 'Merriweather, Georgia, Cambria, "Times New Roman", serif';
  return `"${font}", ${SANS}`;
}

/** Black or white, whichever reads better on the accent colour. */
function onColour(hex: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.4 ? '#101828' : '#ffffff';
}

const LIGHT = '--bg:#f5f6f8;--card:#fff;--text:#101828;--muted:#5d6679;--border:#e3e6eb;--soft:#f0f2f5;--nodata:#d5d9e0;color-scheme:light';
const DARK = '--bg:#0e1217;--card:#161b22;--text:#e6edf3;--muted:#9aa4b2;--border:#2b323c;--soft:#1d242d;--nodata:#343c47;color-scheme:dark';

function css(c: Chrome): string {
  const vars = c.theme === 'dark' ? `:root{${DARK}}` : c.theme === 'light' ? `:root{${LIGHT}}` : `:root{${LIGHT}}@media (prefers-color-scheme:dark){:root{${DARK}}}`;
  return `${vars}
:root{--accent:${c.accent};--on-accent:${onColour(c.accent)};--up:#1f9d55;--minor:#e9b308;--partial:#f08c1a;--down:#d92d20;--maint:#2e7df6}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--text);font:15px/1.55 ${fontStack(c.font)};overflow-wrap:anywhere}
a{color:inherit;text-decoration-color:var(--accent);text-underline-offset:2px}
.wrap{max-width:800px;margin:0 auto;padding:0 16px}
.top{padding:28px 0 8px}
.top.banner{background:var(--accent);color:var(--on-accent);padding:28px 0 84px}
.top .wrap{display:flex;align-items:center;justify-content:space-between;gap:12px;flex-wrap:wrap}
.top a{text-decoration:none}
h1{font-size:1.45rem;line-height:1.25;margin:0}
.logo{height:${c.logoHeight};max-width:100%;display:block}
.site{font-size:.9rem;opacity:.9;text-decoration:underline!important}
.desc{margin:8px 0 0;opacity:.9}
main.wrap{padding-bottom:8px}
.banner+main .overall{margin-top:-60px}
.overall{display:flex;flex-wrap:wrap;align-items:center;gap:6px 14px;border-radius:12px;padding:18px 20px;margin:20px 0 24px;color:#fff;box-shadow:0 1px 3px rgb(16 24 40/.12)}
.overall strong{font-size:1.15rem;flex:1 1 auto;overflow-wrap:normal}
.overall .when{font-size:.8rem;opacity:.9}
.overall.operational{background:var(--up)}.overall.degraded{background:var(--partial)}.overall.major{background:var(--down)}.overall.maintenance{background:var(--maint)}
.icon{flex:none}
.card{background:var(--card);border:1px solid var(--border);border-radius:12px;margin:0 0 24px;overflow:hidden}
.card>h2{font-size:1rem;margin:0;padding:14px 20px;border-bottom:1px solid var(--border);background:var(--soft)}
.pad{padding:16px 20px}
.svc{padding:16px 20px;border-top:1px solid var(--border)}
.card>h2+.svc,.card>.svc:first-child{border-top:0}
.head{display:flex;align-items:baseline;justify-content:space-between;gap:12px}
.name{font-weight:600}
.note{display:block;color:var(--muted);font-size:.85rem;margin-top:2px}
.state{white-space:nowrap;font-size:.85rem;font-weight:600;display:inline-flex;align-items:center;gap:6px}
.state::before{content:"";width:9px;height:9px;border-radius:50%;background:currentColor}
.state.up{color:var(--up)}.state.down{color:var(--down)}.state.maintenance{color:var(--maint)}.state.paused{color:var(--muted)}
svg.bars{display:block;width:100%;height:32px;margin-top:12px}
.bars rect{fill:var(--nodata)}.bars .ok{fill:var(--up)}.bars .minor{fill:var(--minor)}.bars .partial{fill:var(--partial)}.bars .major{fill:var(--down)}
.bars rect:hover{opacity:.7}
.legend{display:flex;justify-content:space-between;gap:8px;color:var(--muted);font-size:.75rem;margin-top:6px}
.legend .mid{flex:1;text-align:center;white-space:nowrap}
.chart{display:block;margin-top:14px}
svg.rt{display:block;width:100%;height:64px;border-bottom:1px solid var(--border)}
.rt .line{fill:none;stroke:var(--accent);stroke-width:2;stroke-linejoin:round;stroke-linecap:round}
.rt .area{fill:var(--accent);opacity:.14}
.rt .hit{fill:transparent}.rt .hit:hover{fill:var(--accent);opacity:.12}
details.group>summary{list-style:none;cursor:pointer}
details.group>summary::-webkit-details-marker{display:none}
.group>summary .name::before{content:"▸";display:inline-block;width:1.1em;color:var(--muted);transition:transform .15s}
.group[open]>summary .name::before{transform:rotate(90deg)}
.children{margin:12px 0 0 10px;border-left:2px solid var(--border)}
.children .svc{padding:10px 0 10px 14px;border-top:0}
.children svg.bars{height:22px}
.item{padding:16px 20px;border-top:1px solid var(--border)}
.card>h2+.item{border-top:0}
.item h3{font-size:1rem;margin:0 0 4px}
.tag{display:inline-block;font-size:.75rem;font-weight:600;border-radius:999px;padding:1px 9px;margin-right:6px;color:#fff;background:var(--muted)}
.tag.major{background:var(--down)}.tag.degraded{background:var(--partial)}.tag.maintenance{background:var(--maint)}.tag.resolved{background:var(--up)}
.timeline{list-style:none;margin:10px 0 0;padding:0}
.timeline li{position:relative;padding:0 0 12px 18px;border-left:2px solid var(--border);margin-left:4px}
.timeline li:last-child{padding-bottom:0}
.timeline li::before{content:"";position:absolute;left:-6px;top:6px;width:10px;height:10px;border-radius:50%;background:var(--card);border:2px solid var(--accent)}
.muted,time{color:var(--muted);font-size:.85rem}
.text{margin:2px 0;white-space:pre-line}
.empty{color:var(--muted);margin:0}
form.row{display:flex;gap:8px;flex-wrap:wrap;margin-top:10px}
label{display:block;font-size:.85rem;font-weight:600;margin-bottom:4px}
input[type=email],input[type=password]{flex:1 1 220px;min-width:0;width:100%;padding:10px 12px;border:1px solid var(--border);border-radius:8px;background:var(--bg);color:var(--text);font:inherit}
form.row input{width:auto}
input:focus-visible,button:focus-visible,a:focus-visible,summary:focus-visible{outline:2px solid var(--accent);outline-offset:2px}
button{background:var(--accent);color:var(--on-accent);border:0;border-radius:8px;padding:10px 18px;font:inherit;font-weight:600;cursor:pointer}
.notice,.error{border-radius:8px;padding:10px 12px;margin:10px 0 0;font-size:.9rem}
.notice{background:rgb(31 157 85/.12);color:var(--text);border:1px solid rgb(31 157 85/.35)}
.error{background:rgb(217 45 32/.1);color:var(--text);border:1px solid rgb(217 45 32/.4)}
footer.wrap{display:flex;flex-wrap:wrap;gap:8px 20px;justify-content:space-between;color:var(--muted);font-size:.85rem;padding-top:8px;padding-bottom:40px}
footer nav{display:flex;flex-wrap:wrap;gap:4px 12px}
footer a[aria-current]{font-weight:700;text-decoration:none;color:var(--text)}
.narrow{max-width:420px;margin:12vh auto 40px}
.narrow h1{font-size:1.25rem;margin-bottom:6px}
.narrow form{margin-top:14px}
.narrow button{margin-top:12px;width:100%}
@media (max-width:520px){body{font-size:14px}.top{padding-top:20px}.overall{padding:14px 16px}.overall .when{flex-basis:100%;padding-left:42px}.svc,.item,.pad{padding-left:14px;padding-right:14px}.card>h2{padding-left:14px}}
@media (prefers-reduced-motion:reduce){*{transition:none!important}}`;
}

const STATE_ICON: Record<Overall, string> = {
  operational: '<path d="M6 12.5l4 4 8-9" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" stroke-linejoin="round"/>',
  degraded: '<path d="M12 7v6m0 4v.5" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round"/>',
  major: '<path d="M8 8l8 8m0-8l-8 8" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round"/>',
  maintenance: '<path d="M12 7v5l3 3" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" stroke-linejoin="round"/>',
};
const ICON_COLOUR: Record<Overall, string> = { operational: '#1f9d55', degraded: '#f08c1a', major: '#d92d20', maintenance: '#2e7df6' };

function icon(o: Overall): Markup {
  return raw(`<svg class="icon" width="28" height="28" viewBox="0 0 24 24" aria-hidden="true"><circle cx="12" cy="12" r="11" fill="#fff" fill-opacity=".22"/>${STATE_ICON[o]}</svg>`);
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

function layout(c: Chrome, head: Head, body: Markup): string {
  return `<!doctype html>${html`<html lang="${c.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${head.title}</title>${
    head.noindex ? raw('<meta name="robots" content="noindex, nofollow">') : ''}${
    head.refresh ? raw('<meta http-equiv="refresh" content="60">') : ''}<meta name="referrer" content="no-referrer"><link rel="icon" href="${head.favicon ?? stateFavicon('operational')}">${
    head.feed ? html`<link rel="alternate" type="application/rss+xml" title="RSS" href="${head.feed}">` : ''}<style nonce="${c.nonce}">${raw(css(c))}</style></head><body>${body}</body></html>`}`;
}

// ---- formatting ----

const formats = new Map<string, Intl.DateTimeFormat>();
function dateFormat(lang: string, withTime: boolean): Intl.DateTimeFormat {
  const key = `${lang}|${withTime}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(lang, { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric', ...(withTime ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } : {}) });
    formats.set(key, f);
  }
  return f;
}

export const formatDay = (ms: number, lang: string) => dateFormat(lang, false).format(ms);
export const formatTime = (ms: number, lang: string) => `${dateFormat(lang, true).format(ms)} UTC`;

function when(ms: number, lang: string): Markup {
  return html`<time datetime="${new Date(ms).toISOString()}">${formatTime(ms, lang)}</time>`;
}

/** A percentage truncated (never rounded up) to two decimals: 99.999 % is not 100 %. */
export function formatPercent(ratio: number, lang: string): string {
  const truncated = Math.floor(ratio * 10000) / 10000;
  return new Intl.NumberFormat(lang, { style: 'percent', minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(truncated);
}

const formatMs = (ms: number, lang: string) => `${new Intl.NumberFormat(lang).format(Math.round(ms))} ms`;

// ---- status page ----

export interface StatusView {
  page: StatusPage;
  status: PageStatus;
  lang: PageLanguage;
  /** Path of the page ('' when served at / of its own host). */
  base: string;
  nonce: string;
  notice?: string;
  formError?: string;
  email?: string;
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
  hours.forEach((v, i) => (v === null ? flush() : run.push(i)));
  flush();
  const hits = hours.map((v, i) => html`<rect class="hit" x="${i * slot}" width="${slot}" height="${height}"><title>${formatTime(firstHour + i * HOUR, lang)}: ${v === null ? t.noData : formatMs(v, lang)}</title></rect>`);
  const mean = values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
  return html`<span class="chart"><svg class="rt" viewBox="0 0 ${hours.length * slot} ${height}" preserveAspectRatio="none" role="img" aria-label="${t.responseTime}">${
    area ? html`<path class="area" d="${area}"/><path class="line" vector-effect="non-scaling-stroke" d="${line}"/>` : ''}${hits}</svg><span class="legend"><span>${t.responseTime}</span><span>${mean === null ? t.noData : fill(t.average, formatMs(mean, lang))}</span></span></span>`;
}

function stateLabel(state: ServiceState | null, t: Strings): Markup {
  if (!state) return html``;
  return html`<span class="state ${state}">${t[`state_${state}`]}</span>`;
}

function service(s: ServiceStatus, v: StatusView, t: Strings): Markup {
  const fallback = v.page.settings.default_language;
  const name = localize(s.name, v.lang, fallback);
  const description = localize(s.description, v.lang, fallback);
  const head = html`<span class="head"><span class="name">${name}</span>${stateLabel(s.state, t)}</span>${description ? html`<span class="note">${description}</span>` : ''}`;
  const figures = html`${s.showUptime ? uptimeBars(s.days, v.status.firstDay, t, v.lang, name) : ''}${s.showResponseTimes ? responseChart(s.hours, v.status.firstHour, t, v.lang) : ''}`;
  if (!s.isGroup) return html`<div class="svc">${head}${figures}</div>`;
  // A group opens by itself when one of its services needs attention.
  const open = s.state === 'down' || s.state === 'maintenance';
  return html`<details class="svc group"${open ? raw(' open') : ''}><summary>${head}${figures}</summary><div class="children">${s.services.map((c) => service(c, v, t))}</div></details>`;
}

const UPDATE_TYPES = ['investigating', 'identified', 'update', 'monitoring', 'resolved'] as const;
function updateLabel(type: string, t: Strings): string {
  return (UPDATE_TYPES as readonly string[]).includes(type) ? t[type as (typeof UPDATE_TYPES)[number]] : t.update;
}

function incident(i: IncidentView, v: StatusView, t: Strings, past: boolean): Markup {
  const fb = v.page.settings.default_language;
  const text = localize(i.text, v.lang, fb);
  const entries = [...i.updates].reverse().map((u) => html`<li><strong>${updateLabel(u.type, t)}</strong> · ${when(u.at, v.lang)}${localize(u.text, v.lang, fb) ? html`<p class="text">${localize(u.text, v.lang, fb)}</p>` : ''}</li>`);
  const affected = i.affected.map((a) => localize(a, v.lang, fb)).filter(Boolean);
  const tag = past ? html`<span class="tag resolved">${t.resolved}</span>` : html`<span class="tag ${i.type === 'outage' ? 'major' : 'degraded'}">${updateLabel(i.updates[i.updates.length - 1]?.type ?? 'investigating', t)}</span>`;
  return html`<article class="item" id="${`incident-${i.uuid}`}"><h3>${localize(i.title, v.lang, fb)}</h3><p class="muted">${tag}${when(i.at, v.lang)}${affected.length ? html` · ${fill(t.affected, affected.join(', '))}` : ''}</p>${
    text ? html`<p class="text">${text}</p>` : ''}${entries.length ? html`<ol class="timeline">${entries}</ol>` : ''}</article>`;
}

function maintenance(w: MaintenanceView, v: StatusView, t: Strings): Markup {
  const fb = v.page.settings.default_language;
  const title = localize(w.title, v.lang, fb) || t.scheduledMaintenance;
  const text = localize(w.text, v.lang, fb);
  return html`<article class="item" id="${`maintenance-${w.uuid}`}"><h3>${title}</h3><p class="muted"><span class="tag ${w.ongoing ? 'maintenance' : ''}">${w.ongoing ? t.inProgress : t.scheduled}</span>${when(w.startsAt, v.lang)} – ${when(w.endsAt, v.lang)}</p>${text ? html`<p class="text">${text}</p>` : ''}</article>`;
}

function subscribeForm(v: StatusView, t: Strings): Markup {
  return html`<section class="card" id="subscribe"><h2>${t.subscribeTitle}</h2><div class="pad"><p class="empty">${t.subscribeText}</p>${
    v.notice ? html`<p class="notice" role="status">${v.notice}</p>` : ''}${v.formError ? html`<p class="error" role="alert">${v.formError}</p>` : ''}<form class="row" method="post" action="${`${v.base}/subscribe`}"><input type="hidden" name="lang" value="${v.lang}"><input id="email" name="email" type="email" required maxlength="254" autocomplete="email" placeholder="${t.emailLabel}" aria-label="${t.emailLabel}" value="${v.email ?? ''}"><button type="submit">${t.subscribeButton}</button></form></div></section>`;
}

export function renderStatusPage(v: StatusView): string {
  const { page, status } = v;
  const s = page.settings;
  const t = stringsFor(v.lang);
  const fb = s.default_language;
  const name = page.row.name;
  const logo = safeUrl(s.logo);
  const website = safeUrl(s.website);
  const description = localize(s.description, v.lang, fb);
  const home = v.base || '/';
  const languages = (s.languages ?? []).length > 1
    ? html`<nav aria-label="Language">${s.languages.map((l) => (l === v.lang ? html`<a href="?lang=${l}" aria-current="true">${l.toUpperCase()}</a>` : html`<a href="?lang=${l}" hreflang="${l}">${l.toUpperCase()}</a>`))}</nav>`
    : '';
  const showSubscribe = s.subscribe?.enabled && s.subscribe?.email;
  const body = html`<header class="top${s.banner_header ? ' banner' : ''}"><div class="wrap"><h1><a href="${home}">${logo ? html`<img class="logo" src="${logo}" alt="${name}">` : name}</a></h1>${
    website ? html`<a class="site" href="${website}" rel="noopener noreferrer">${t.website}</a>` : ''}</div>${description ? html`<div class="wrap"><p class="desc">${description}</p></div>` : ''}</header>
<main class="wrap"><div class="overall ${status.overall}" role="status">${icon(status.overall)}<strong>${t[status.overall]}</strong><span class="when">${fill(t.updated, formatTime(status.now, v.lang))}</span></div>
${status.ongoing.length ? html`<section class="card"><h2>${t.activeIncidents}</h2>${status.ongoing.map((i) => incident(i, v, t, false))}</section>` : ''}
${status.maintenance.length ? html`<section class="card"><h2>${t.scheduledMaintenance}</h2>${status.maintenance.map((w) => maintenance(w, v, t))}</section>` : ''}
${status.sections.map((sec) => html`<section class="card">${localize(sec.name, v.lang, fb) ? html`<h2>${localize(sec.name, v.lang, fb)}</h2>` : ''}${sec.services.map((x) => service(x, v, t))}</section>`)}
<section class="card"><h2>${t.pastIncidents}</h2>${status.history.length ? status.history.map((i) => incident(i, v, t, true)) : html`<p class="empty pad">${t.noIncidents}</p>`}</section>
${showSubscribe ? subscribeForm(v, t) : ''}</main>
<footer class="wrap"><span><a href="${`${v.base}/feed.rss`}">${t.feed}</a>${s.hide_powered_by ? '' : html` · ${fill(t.poweredBy, 'Vigil')}`}</span>${languages}</footer>`;
  const favicon = safeUrl(s.favicon) ?? stateFavicon(status.overall);
  return layout(chromeOf(s, v.lang, v.nonce), { title: `${name} – ${t[status.overall]}`, favicon, noindex: s.hide_from_search_engines, refresh: s.auto_refresh, feed: `${v.base}/feed.rss` }, body);
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
    p.error ? html`<p class="error" role="alert">${p.error}</p>` : ''}${p.form ?? ''}${p.back ? html`<p><a href="${p.back}">${t.back}</a></p>` : ''}</div></main>`;
  return layout(chromeOf(p.settings, p.lang, p.nonce), { title: p.title, noindex: true }, body);
}

/** The password form: it names nothing of the page (not even its title). */
export function passwordForm(action: string, lang: PageLanguage): Markup {
  const t = stringsFor(lang);
  return html`<form method="post" action="${action}"><input type="hidden" name="lang" value="${lang}"><label for="password">${t.passwordLabel}</label><input id="password" name="password" type="password" required autocomplete="current-password" autofocus><button type="submit">${t.enter}</button></form>`;
}

export function unsubscribeForm(action: string, lang: PageLanguage): Markup {
  const t = stringsFor(lang);
  return html`<form method="post" action="${action}"><input type="hidden" name="lang" value="${lang}"><button type="submit">${t.unsubscribeButton}</button></form>`;
}
