import {
  ALERTS_WAIT,
  CHECK_FREQUENCIES,
  DNS_RECORD_TYPES,
  DOMAIN_ALERT_DAYS,
  HTTP_METHODS,
  PROTOCOLS,
  REGIONS,
  SSL_ALERT_DAYS,
} from '../../../domain/monitors.ts';
import { formatDuration } from '../../../domain/reports.ts';
import type { Monitor } from '../../../services/monitors.ts';
import {
  CHART_PERIODS,
  LIST_BEATS,
  PAGE_BEATS,
  STATUS_FILTERS,
  type Beat,
  type ChartPeriod,
  type CheckRow,
  type MonitorChoice,
  type MonitorListPage,
  type MonitorListRow,
  type MonitorOutageRow,
  type MonitorSort,
  type ResponseSeries,
  type SortDir,
  type StatusFilter,
  type UptimeFigure,
} from '../../../services/dashboard-views.ts';
import { checkLocations } from '../../../domain/quorum.ts';
import type { MemberProject } from '../../../services/users.ts';
import { html, type Markup } from '../../ui/html.ts';
import {
  csrfInput,
  field,
  fieldError,
  formError,
  selectField,
  textareaField,
  type FieldErrors,
} from '../../ui/forms.ts';
import { time } from '../../ui/format.ts';
import type { Screen } from '../../ui/layout.ts';
import { alertsNobodyBanner, notice } from '../../ui/notices.ts';
import { filterNav, searchForm, stateBadge as badge } from '../../ui/tables.ts';
import { beatBar, formatMs, percent, responseChart, sparkline, uptimeClass } from '../../ui/charts.ts';
import { liveUrl, projectHeader, projectPath } from '../project-nav.ts';
import type { MonitorFormValues } from './form.ts';

/** The monitor screens: the list, the form, the delete confirmation and the monitor's page. */

export const monitorsPath = (p: { uuid: string }) => projectPath(p.uuid, 'monitors');
export const monitorPath = (p: { uuid: string }, m: { uuid: string }) =>
  `${monitorsPath(p)}/${encodeURIComponent(m.uuid)}`;

const STATE_LABELS = { up: 'Up', down: 'Down', pending: 'Pending', paused: 'Paused' } as const;
const FILTER_LABELS: Record<StatusFilter, string> = {
  all: 'All',
  up: 'Up',
  down: 'Down',
  pending: 'Pending',
  paused: 'Paused',
};

/** Notices after a redirect: only these texts, never one from the URL. */
const NOTICES: Record<string, string> = {
  created: 'The monitor was created. Its first check runs within a few seconds.',
  saved: 'The changes were saved.',
  paused: 'The monitor is paused: no checks run until it is resumed.',
  resumed: 'The monitor was resumed.',
  deleted: 'The monitor was deleted, with its check history.',
  'bulk-paused': 'The selected monitors are paused: no checks run until they are resumed.',
  'bulk-resumed': 'The selected monitors were resumed.',
  'bulk-deleted': 'The selected monitors were deleted, with their check history.',
  'none-selected': 'No monitor was selected: tick the monitors first, then choose what to do with them.',
};

const stateBadge = (state: keyof typeof STATE_LABELS): Markup => badge(state, STATE_LABELS[state]);

const shortList = (names: string[]) =>
  names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} +${names.length - 3}`;

export interface ListQuery {
  search: string;
  status: StatusFilter;
  page: number;
  sort: MonitorSort;
  dir: SortDir;
}

/** The list's address with its search, filter, order and page (and a notice): what paging, filtering and bulk actions keep. */
export function listHref(p: { uuid: string }, q: ListQuery, done?: string): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(listParams(q))) params.set(k, v);
  if (done) params.set('done', done);
  const s = params.toString();
  return `${monitorsPath(p)}${s ? `?${s}` : ''}`;
}

/** The query fields of the list that differ from its defaults. */
function listParams(q: ListQuery): Record<string, string> {
  return {
    ...(q.search ? { q: q.search } : {}),
    ...(q.status !== 'all' ? { status: q.status } : {}),
    ...(q.sort !== 'name' || q.dir !== 'asc' ? { sort: q.sort, dir: q.dir } : {}),
    ...(q.page > 1 ? { page: String(q.page) } : {}),
  };
}

const hiddenFields = (fields: Record<string, string>) =>
  html`${Object.entries(fields).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}`;

/** The first click on a column sorts the way that shows trouble first: problems, slowest, lowest uptime. */
const FIRST_DIR: Record<MonitorSort, SortDir> = { status: 'asc', name: 'asc', response: 'desc', uptime: 'asc' };

function sortHeader(p: MemberProject, q: ListQuery, key: MonitorSort, label: string, num = false): Markup {
  const current = q.sort === key;
  const dir = current ? (q.dir === 'asc' ? 'desc' : 'asc') : FIRST_DIR[key];
  return html`<th scope="col"${num ? html` class="num"` : ''}${current ? html` aria-sort="${q.dir === 'asc' ? 'ascending' : 'descending'}"` : ''}><a href="${listHref(p, { ...q, sort: key, dir, page: 1 })}">${label}${current ? html`<span aria-hidden="true"> ${q.dir === 'asc' ? '▲' : '▼'}</span>` : ''}</a></th>`;
}

const BULK_FORM = 'bulk-monitors';

// data-monitor, data-state and data-cell: what the live script patches as checks arrive.
function row(p: MemberProject, m: MonitorListRow, where: string[]): Markup {
  return html`<tr data-monitor="${m.uuid}" data-state="${m.state}">
    <td class="select-cell"><input type="checkbox" name="monitor" value="${m.uuid}" form="${BULK_FORM}" aria-label="Select ${m.name}"></td>
    <td data-label="Status" data-cell="state">${stateBadge(m.state)}</td>
    <td data-label="Name" class="name-cell"><a href="${monitorPath(p, m)}">${m.name}</a><span class="url">${m.protocol === 'port' && m.port ? `${m.url}:${m.port}` : m.url}</span></td>
    <td data-label="Checked from" title="Regions: ${m.regions.length === REGIONS.length ? `all ${REGIONS.length}` : m.regions.join(', ')}">${shortList(where)}</td>
    <td data-label="Last response" class="num" data-cell="last">${m.lastAt === null ? '—' : m.lastOk === false ? html`<span class="fail">failed</span>` : formatMs(m.lastMs)}</td>
    <td data-label="Last ${LIST_BEATS} checks" class="beats-cell">${beatBar(m.beats, LIST_BEATS)}</td>
    <td data-label="Uptime 24 h" class="num"><span class="uptime uptime-${uptimeClass(m.uptime24h)}">${percent(m.uptime24h)}</span></td>
    <td data-label="Response time 24 h" class="spark-cell">${sparkline(m.hours, `Response time of ${m.name}, last 24 hours`)}</td>
  </tr>`;
}

/** `builtInLocation`: VIGIL_REGION, where this server's own probe checks from. */
export function monitorListScreen(d: {
  project: MemberProject;
  query: ListQuery;
  list: MonitorListPage;
  done: unknown;
  alertsNobody?: boolean;
  csrf: string;
  builtInLocation: string;
}): Screen {
  const { project: p, query: q, list } = d;
  const current = { ...q, page: list.page };
  const probed = new Set(list.probed);
  const empty =
    list.counts.all === 0 && !q.search
      ? html`<p class="empty">No monitors yet. <a href="${monitorsPath(p)}/new">Create the first one</a>.</p>`
      : html`<p class="empty">No monitor matches${q.search ? html` “${q.search}”` : ''}${q.status !== 'all' ? ` among the ${q.status} ones` : ''}.</p>`;
  return {
    title: `Monitors · ${p.name}`,
    body: html`${projectHeader(p, 'monitors')}
${d.alertsNobody ? alertsNobodyBanner(projectPath(p.uuid, 'alerting')) : ''}
<div class="page-head"><h1>Monitors</h1><a class="button primary" href="${monitorsPath(p)}/new">Create monitor</a></div>
${notice(d.done, NOTICES)}
<section class="card">
  ${searchForm({ action: monitorsPath(p), label: 'Search by name or URL', search: q.search, status: q.status, keep: q.sort !== 'name' || q.dir !== 'asc' ? { sort: q.sort, dir: q.dir } : {} })}
  ${filterNav(
    'Filter by status',
    STATUS_FILTERS.map((s) => ({
      href: listHref(p, { ...q, status: s, page: 1 }),
      current: s === q.status,
      text: html`${FILTER_LABELS[s]} <span class="count">${list.counts[s]}</span>`,
    })),
  )}
  ${
    list.rows.length
      ? html`<form id="${BULK_FORM}" method="post" action="${monitorsPath(p)}/bulk" class="bulk-actions">
    ${csrfInput(d.csrf)}${hiddenFields(listParams(current))}
    <span class="hint">With the selected monitors:</span>
    <button type="submit" name="action" value="pause" class="small">Pause</button>
    <button type="submit" name="action" value="resume" class="small">Resume</button>
    <button type="submit" name="action" value="delete" class="small danger-outline">Delete…</button>
  </form>
  <table class="list monitors" data-live="${liveUrl(p.uuid, { monitors: list.rows.map((m) => m.uuid) })}">
    <caption class="sr-only">Monitors${q.status !== 'all' ? ` (${q.status})` : ''}${q.search ? ` matching “${q.search}”` : ''}, page ${list.page} of ${list.pages}</caption>
    <thead><tr><th scope="col" class="select-cell"><input type="checkbox" data-select-all="monitor" form="${BULK_FORM}" aria-label="Select every monitor of this page" hidden></th>${sortHeader(p, q, 'status', 'Status')}${sortHeader(p, q, 'name', 'Name')}<th scope="col">Checked from</th>${sortHeader(p, q, 'response', 'Last response', true)}<th scope="col">Last ${LIST_BEATS} checks</th>${sortHeader(p, q, 'uptime', 'Uptime 24 h', true)}<th scope="col">Response time 24 h</th></tr></thead>
    <tbody>${list.rows.map((m) => row(p, m, checkLocations(m.regions, probed, d.builtInLocation)))}</tbody>
  </table>`
      : empty
  }
  ${
    list.pages > 1
      ? html`<nav class="pager" aria-label="Pages">
    ${list.page > 1 ? html`<a rel="prev" href="${listHref(p, { ...current, page: list.page - 1 })}">‹ Previous</a>` : html`<span aria-hidden="true"></span>`}
    <span>Page ${list.page} of ${list.pages} · ${list.counts[q.status]} monitors</span>
    ${list.page < list.pages ? html`<a rel="next" href="${listHref(p, { ...current, page: list.page + 1 })}">Next ›</a>` : html`<span aria-hidden="true"></span>`}
  </nav>`
      : ''
  }
</section>`,
  };
}

const PROTOCOL_LABELS: Record<string, string> = { http: 'HTTP(S)', port: 'TCP port', icmp: 'ICMP (ping)', dns: 'DNS' };

function frequencyLabel(s: number): string {
  if (s < 60) return `${s} seconds`;
  if (s < 3600) return s === 60 ? '1 minute' : `${s / 60} minutes`;
  if (s < 86400) return s === 3600 ? '1 hour' : `${s / 3600} hours`;
  return '1 day';
}
const daysLabel = (d: number) => (d === -1 ? 'Never' : d === 1 ? '1 day before' : `${d} days before`);
const waitLabel = (m: number) =>
  m === -1 ? 'Never (alerts off)' : m === 0 ? 'At once' : m === 1 ? 'After 1 minute' : `After ${m} minutes`;

function monitorForm(o: {
  action: string;
  csrf: string;
  values: MonitorFormValues;
  errors: FieldErrors;
  submit: string;
  cancel: string;
}): Markup {
  const v = o.values;
  const e = o.errors;
  const shows = (p: string) => html` data-protocols="${p}"`;
  return html`<form method="post" action="${o.action}" class="monitor-form" novalidate>
  ${csrfInput(o.csrf)}
  ${formError(e)}
  ${field({ label: 'Name', name: 'name', value: v.name, error: e.name, required: true, attrs: html` maxlength="255" autocomplete="off"` })}
  ${selectField({ label: 'Check type', name: 'protocol', value: v.protocol, options: PROTOCOLS.map((p) => [p, PROTOCOL_LABELS[p]] as const), error: e.protocol })}
  ${field({ label: 'URL or host', name: 'url', value: v.url, error: e.url, required: true, hint: 'https://example.com/health for HTTP; a host name or IP address (or tcp://host) for the other types.', attrs: html` maxlength="2048" autocomplete="off" spellcheck="false" inputmode="url"` })}
  <fieldset class="group-box"${shows('http')}>
    <legend>HTTP</legend>
    <div class="grid-2">
      ${selectField({ label: 'Method', name: 'http_method', value: v.http_method, options: HTTP_METHODS.map((m) => [m, m] as const), error: e.http_method })}
      ${field({ label: 'Expected status', name: 'expected_status_code', value: v.expected_status_code, error: e.expected_status_code, hint: '200, 2xx or 1xx-3xx', attrs: html` maxlength="7" autocomplete="off"` })}
    </div>
    <div class="field${e.follow_redirects ? ' invalid' : ''}"><label class="choice"><input type="checkbox" name="follow_redirects"${v.follow_redirects ? html` checked` : ''}> <span>Follow redirects</span></label>${fieldError('f-follow_redirects', e.follow_redirects)}</div>
    ${field({ label: 'Required keyword', name: 'required_keyword', value: v.required_keyword, error: e.required_keyword, hint: 'Optional: the check fails when the body lacks it.', attrs: html` maxlength="1024" autocomplete="off"` })}
    ${textareaField({ label: 'Request headers', name: 'request_headers', value: v.request_headers, error: e.request_headers, hint: 'Optional, one per line: Name: value', attrs: html` spellcheck="false"` })}
    ${textareaField({ label: 'Request body', name: 'request_body', value: v.request_body, error: e.request_body, hint: 'Optional, sent as is.', attrs: html` spellcheck="false"` })}
    ${selectField({ label: 'Certificate expiry notice', name: 'ssl_alert_days', value: v.ssl_alert_days, options: SSL_ALERT_DAYS.map((d) => [String(d), daysLabel(d)] as const), error: e.ssl_alert_days })}
    <div class="field${e.ssl_reminders ? ' invalid' : ''}"><label class="choice"><input type="checkbox" name="ssl_reminders"${v.ssl_reminders ? html` checked` : ''}> <span>Remind again at 90, 60, 30, 15, 7, 3 and 1 days before</span></label>${fieldError('f-ssl_reminders', e.ssl_reminders)}</div>
    <div class="field${e.ssl_notify_on_change ? ' invalid' : ''}"><label class="choice"><input type="checkbox" name="ssl_notify_on_change"${v.ssl_notify_on_change ? html` checked` : ''}> <span>Notify when the certificate changes</span></label>${fieldError('f-ssl_notify_on_change', e.ssl_notify_on_change)}</div>
  </fieldset>
  <fieldset class="group-box"${shows('port')}>
    <legend>TCP port</legend>
    ${field({ label: 'Port', name: 'port', type: 'number', value: v.port, error: e.port, hint: '1 to 65535', attrs: html` min="1" max="65535" inputmode="numeric"` })}
  </fieldset>
  <fieldset class="group-box"${shows('dns')}>
    <legend>DNS</legend>
    <div class="grid-2">
      ${selectField({ label: 'Record type', name: 'dns_record_type', value: v.dns_record_type, options: DNS_RECORD_TYPES.map((t) => [t, t] as const), error: e.dns_record_type })}
      ${field({ label: 'Nameserver', name: 'dns_nameserver', value: v.dns_nameserver, error: e.dns_nameserver, hint: 'Optional: 1.1.1.1, [::1]:5353 or a host name', attrs: html` maxlength="256" autocomplete="off"` })}
    </div>
    ${field({ label: 'Expected answer', name: 'dns_expected_answer', value: v.dns_expected_answer, error: e.dns_expected_answer, hint: 'Optional: the check fails when no answer matches.', attrs: html` maxlength="1024" autocomplete="off"` })}
  </fieldset>
  <div class="grid-3">
    ${selectField({ label: 'Check every', name: 'check_frequency', value: v.check_frequency, options: CHECK_FREQUENCIES.map((f) => [String(f), frequencyLabel(f)] as const), error: e.check_frequency })}
    ${field({ label: 'Timeout (seconds)', name: 'timeout', type: 'number', value: v.timeout, error: e.timeout, attrs: html` min="1" max="60" inputmode="numeric"` })}
    ${selectField({ label: 'Alert', name: 'alerts_wait', value: v.alerts_wait, options: ALERTS_WAIT.map((w) => [String(w), waitLabel(w)] as const), error: e.alerts_wait })}
  </div>
  <div class="grid-2">
    <div${shows('http port icmp')}>${selectField({
      label: 'IP version',
      name: 'ip_version',
      value: v.ip_version,
      options: [
        ['4', 'IPv4'],
        ['6', 'IPv6'],
      ] as const,
      error: e.ip_version,
      hint: 'Checks connect over this IP version only.',
    })}</div>
    ${selectField({ label: 'Domain expiry notice', name: 'domain_alert_days', value: v.domain_alert_days, options: DOMAIN_ALERT_DAYS.map((d) => [String(d), daysLabel(d)] as const), error: e.domain_alert_days, hint: "Looks the domain's registration up over RDAP once a day." })}
  </div>
  <fieldset class="field regions${e.regions ? ' invalid' : ''}"${e.regions ? html` aria-describedby="f-regions-error"` : ''}>
    <legend>Regions</legend>
    <p class="hint">The regions to check from. A region without a live regional probe is checked by this server’s built-in probe, once per interval for all such regions; the monitor’s page says where its checks run.</p>
    <div class="region-list">${REGIONS.map((r) => html`<label class="choice"><input type="checkbox" name="regions" value="${r}"${v.regions.includes(r) ? html` checked` : ''}${e.regions ? html` aria-invalid="true"` : ''}> <span>${r}</span></label>`)}</div>
    ${fieldError('f-regions', e.regions)}
  </fieldset>
  <div class="actions"><button type="submit" class="primary">${o.submit}</button> <a class="button" href="${o.cancel}">Cancel</a></div>
</form>`;
}

/** The create form, or with `monitor` the edit form of that monitor. */
export function monitorFormScreen(d: {
  project: MemberProject;
  monitor: Monitor | null;
  csrf: string;
  values: MonitorFormValues;
  errors: FieldErrors;
}): Screen {
  const { project: p, monitor: m } = d;
  const title = m ? `Edit ${m.name}` : 'Create monitor';
  return {
    title,
    body: html`${projectHeader(p, 'monitors', m ? [{ text: m.name, href: monitorPath(p, m) }, { text: 'Edit' }] : [{ text: 'New' }])}
<h1>${title}</h1>
<section class="card narrow-wide">${monitorForm({
      action: m ? `${monitorPath(p, m)}/edit` : monitorsPath(p),
      csrf: d.csrf,
      values: d.values,
      errors: d.errors,
      submit: m ? 'Save changes' : 'Create monitor',
      cancel: m ? monitorPath(p, m) : monitorsPath(p),
    })}</section>`,
  };
}

export function monitorDeleteScreen(d: { project: MemberProject; monitor: Monitor; csrf: string }): Screen {
  const { project: p, monitor: m } = d;
  return {
    title: `Delete ${m.name}`,
    body: html`${projectHeader(p, 'monitors', [{ text: m.name, href: monitorPath(p, m) }, { text: 'Delete' }])}
<section class="card narrow">
  <h1>Delete monitor</h1>
  <p>Delete <strong>${m.name}</strong> (<code>${m.url}</code>)? Its check results and rollups go with it; its outages stay in the history without it. This cannot be undone.</p>
  <p class="meta">Created ${time(m.createdAt)}</p>
  <form method="post" action="${monitorPath(p, m)}/delete">
    ${csrfInput(d.csrf)}
    <div class="actions"><button type="submit" class="danger">Delete monitor</button> <a class="button" href="${monitorPath(p, m)}">Cancel</a></div>
  </form>
</section>`,
  };
}

/** The second screen of the list's bulk delete: the chosen monitors of the project, named, and the button that deletes them. */
export function monitorBulkDeleteScreen(d: {
  project: MemberProject;
  monitors: MonitorChoice[];
  query: ListQuery;
  csrf: string;
}): Screen {
  const { project: p, monitors } = d;
  const n = monitors.length === 1 ? '1 monitor' : `${monitors.length} monitors`;
  return {
    title: `Delete ${n}`,
    body: html`${projectHeader(p, 'monitors', [{ text: 'Delete' }])}
<section class="card narrow">
  <h1>Delete ${n}</h1>
  <p>Delete these monitors? Their check results and rollups go with them; their outages stay in the history without them. This cannot be undone.</p>
  <ul class="bulk-list">${monitors.map((m) => html`<li><strong>${m.name}</strong> <code>${m.url}</code></li>`)}</ul>
  <form method="post" action="${monitorsPath(p)}/bulk/delete">
    ${csrfInput(d.csrf)}${hiddenFields(listParams(d.query))}
    ${monitors.map((m) => html`<input type="hidden" name="monitor" value="${m.uuid}">`)}
    <div class="actions"><button type="submit" class="danger">Delete ${n}</button> <a class="button" href="${listHref(p, d.query)}">Cancel</a></div>
  </form>
</section>`,
  };
}

const PROTOCOL_NAMES: Record<string, string> = { http: 'HTTP', port: 'TCP port', icmp: 'ICMP', dns: 'DNS' };

function sslText(m: Monitor): Markup | string {
  if (m.protocol !== 'http' || !/^https:/i.test(m.url)) return 'Not an HTTPS monitor';
  if (m.ssl_expiration === null) return 'Not checked yet';
  const d = m.ssl_expiration;
  if (d < 0) return html`<span class="fail">Expired ${-d} day${d === -1 ? '' : 's'} ago</span>`;
  const text = `Expires in ${d} day${d === 1 ? '' : 's'}`;
  return d < 14 ? html`<span class="warn">${text}</span>` : text;
}

function domainText(m: Monitor): Markup | string {
  if (m.domain_alert_days < 0) return 'Not watched (set a domain expiry notice to look it up)';
  if (m.domain_expiration === null) return 'Not known yet';
  const d = m.domain_expiration;
  if (d < 0) return html`<span class="fail">Expired ${-d} day${d === -1 ? '' : 's'} ago</span>`;
  const text = `Registration expires in ${d} day${d === 1 ? '' : 's'}`;
  return d <= m.domain_alert_days ? html`<span class="warn">${text}</span>` : text;
}

function outageRows(p: { uuid: string }, list: MonitorOutageRow[], now: number): Markup {
  return html`${list.map(
    (o) => html`<tr>
    <td data-label="Started">${time(o.startedAt)}</td>
    <td data-label="Ended">${o.endedAt === null ? badge('down', 'Ongoing') : time(o.endedAt)}</td>
    <td data-label="Duration" class="num">${formatDuration(((o.endedAt ?? now) - o.startedAt) / 1000)}</td>
    <td data-label="Cause">${o.statusCode ? `${o.statusCode} · ` : ''}${o.description}</td>
    <td data-label="Acknowledged">${o.acknowledgedAt === null ? 'No' : time(o.acknowledgedAt)}</td>
    <td class="row-actions"><a href="${projectPath(p.uuid, `outages/${encodeURIComponent(o.uuid)}`)}">Details<span class="sr-only"> of the outage started ${new Date(o.startedAt).toISOString()}</span></a></td>
  </tr>`,
  )}`;
}

/** Where the monitor's checks run: this server's probe and the live regional probes, then the regions it asks for. */
function checkedFrom(m: Monitor, probed: string[], builtIn: string): Markup {
  const where = checkLocations(m.regions, new Set(probed), builtIn).map((l) =>
    probed.includes(l) && m.regions.includes(l) ? `${l} (regional probe)` : `${l} (this server)`,
  );
  return html`${where.join(', ')}<span class="sub">Regions set: ${m.regions.length === REGIONS.length ? `all ${REGIONS.length}` : m.regions.join(', ')}; the built-in probe checks those without a live regional probe, once per interval.</span>`;
}

/**
 * The monitor's page: its state, uptime, response-time charts, latest checks and outages. With
 * scripts, the live events of the monitor patch its state and beats, and the sections marked
 * data-live-refresh are read again from the server as checks and outages arrive.
 */
export function monitorScreen(d: {
  project: MemberProject;
  monitor: Monitor;
  uptime: UptimeFigure[];
  series: ResponseSeries;
  checks: CheckRow[];
  beats: Beat[];
  outages: { outages: MonitorOutageRow[]; total: number };
  period: ChartPeriod;
  rawRetentionDays: number;
  now: number;
  csrf: string;
  done: unknown;
  probed: string[];
  builtInLocation: string;
}): Screen {
  const { project: p, monitor: m, uptime, series, checks, outages, period, rawRetentionDays, now, csrf } = d;
  // Never "Up" before a check has said so (the API keeps reading `status`).
  const state = m.paused ? 'paused' : checks.length === 0 ? 'pending' : m.status;
  const ongoing = outages.outages.find((o) => o.endedAt === null);
  const since =
    state === 'down' && ongoing
      ? html` for ${formatDuration((now - ongoing.startedAt) / 1000)}, since ${time(ongoing.startedAt)}`
      : '';
  const base = monitorPath(p, m);
  return {
    title: `${m.name} · ${p.name}`,
    body: html`${projectHeader(p, 'monitors', [{ text: m.name }])}
<div class="page-head">
  <div class="title-block"><h1>${m.name}</h1><p class="meta"><code>${m.url}${m.protocol === 'port' && m.port ? `:${m.port}` : ''}</code> · ${PROTOCOL_NAMES[m.protocol] ?? m.protocol} · every ${frequencyLabel(m.check_frequency)}</p></div>
  <div class="actions head-actions">
    <a class="button" href="${base}/edit">Edit</a>
    <form method="post" action="${base}/${m.paused ? 'resume' : 'pause'}">${csrfInput(csrf)}<button type="submit">${m.paused ? 'Resume' : 'Pause'}</button></form>
    <a class="button danger-outline" href="${base}/delete">Delete</a>
  </div>
</div>
${notice(d.done, NOTICES)}
<section class="card facts-card" aria-labelledby="now-h" id="now-card" data-live-refresh="monitor outage" data-live="${liveUrl(p.uuid, { monitors: [m.uuid] })}" data-monitor="${m.uuid}" data-state="${state}">
  <h2 id="now-h" class="sr-only">Current status</h2>
  <dl class="facts wide">
    <dt>Status</dt><dd data-cell="state" id="current-status">${stateBadge(state)}${since}</dd>
    <dt>Last ${PAGE_BEATS} checks</dt><dd class="beats-cell">${beatBar(d.beats, PAGE_BEATS, true)}</dd>
    <dt>Last check</dt><dd>${checks[0] ? html`${time(checks[0].at)} from ${checks[0].location}: ${checks[0].ok ? formatMs(checks[0].totalMs) : html`<span class="fail">failed</span>`}` : 'No check yet'}</dd>
    <dt>SSL certificate</dt><dd id="ssl-expiry">${sslText(m)}</dd>
    <dt>Domain</dt><dd id="domain-expiry">${domainText(m)}</dd>
    <dt>Checked from</dt><dd id="checked-from">${checkedFrom(m, d.probed, d.builtInLocation)}</dd>
    <dt>Monitor id</dt><dd><code>${m.uuid}</code></dd>
  </dl>
</section>
<section class="card" aria-labelledby="uptime-h" id="uptime-card" data-live-refresh="monitor">
  <h2 id="uptime-h">Uptime</h2>
  <ul class="uptime-grid">${uptime.map((u) => html`<li id="uptime-${u.key}"><span class="label">${u.label}</span><strong class="uptime uptime-${uptimeClass(u.ratio)}">${percent(u.ratio)}</strong><span class="hint">${u.checks ? `${u.failures} failed of ${u.checks} checks` : 'no checks'}</span></li>`)}</ul>
</section>
<section class="card" aria-labelledby="rt-h" id="response-time">
  <div class="section-head">
    <h2 id="rt-h">Response time</h2>
    <form method="get" action="${base}" class="period-form">
      <label for="period">Period</label>
      <select id="period" name="period" data-autosubmit>${Object.entries(CHART_PERIODS).map(([k, v]) => html`<option value="${k}"${k === period ? html` selected` : ''}>Last ${v.label}</option>`)}</select>
      <button type="submit" data-hide-when-scripted>Show</button>
    </form>
  </div>
  <p class="hint">${
    series.source === 'raw'
      ? 'Mean times per slot from each location, phases stacked: DNS lookup, TCP connect, TLS handshake, first byte, then the rest of the check.'
      : html`Mean total times from hourly rollups. <strong>Phases are unavailable</strong> for this period: raw check results are kept ${rawRetentionDays} day${rawRetentionDays === 1 ? '' : 's'}.`
  }</p>
  <div id="rt-charts" data-live-refresh="monitor">${series.locations.length ? series.locations.map((l, i) => responseChart(series, l, `chart-${i}`)) : html`<p class="empty">No successful checks in this period.</p>`}</div>
</section>
<section class="card" aria-labelledby="checks-h" id="checks-card" data-live-refresh="monitor">
  <h2 id="checks-h">Recent checks</h2>
  ${
    checks.length
      ? html`<table class="list checks"><caption class="sr-only">The ${checks.length} latest checks, newest first</caption>
    <thead><tr><th scope="col">Time</th><th scope="col">Location</th><th scope="col">Result</th><th scope="col" class="num">Response</th><th scope="col">Error</th></tr></thead>
    <tbody>${checks.map(
      (c) => html`<tr>
      <td data-label="Time">${time(c.at)}</td><td data-label="Location">${c.location}</td>
      <td data-label="Result">${c.ok ? html`<span class="ok">OK</span>` : html`<span class="fail">Failed</span>`}${c.statusCode ? ` · ${c.statusCode}` : ''}</td>
      <td data-label="Response" class="num">${formatMs(c.totalMs)}</td><td data-label="Error">${c.error ?? ''}</td>
    </tr>`,
    )}</tbody></table>`
      : html`<p class="empty">No check has run yet.</p>`
  }
</section>
<section class="card" aria-labelledby="outages-h" id="outages-card" data-live-refresh="outage">
  <h2 id="outages-h">Outages</h2>
  ${
    outages.outages.length
      ? html`<table class="list outages"><caption class="sr-only">The latest ${outages.outages.length} of ${outages.total} outages</caption>
    <thead><tr><th scope="col">Started</th><th scope="col">Ended</th><th scope="col" class="num">Duration</th><th scope="col">Cause</th><th scope="col">Acknowledged</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
    <tbody>${outageRows(p, outages.outages, now)}</tbody></table>
    ${outages.total > outages.outages.length ? html`<p class="hint">${outages.total - outages.outages.length} older outages are in the <a href="${projectPath(p.uuid, 'outages')}?q=${encodeURIComponent(m.name)}">Outages</a> tab.</p>` : ''}`
      : html`<p class="empty">No outage recorded.</p>`
  }
</section>`,
  };
}
