import { formatDuration } from '../../../domain/reports.ts';
import type { Outage } from '../../../services/outages.ts';
import type { outageDeliveries } from '../../../services/alerting.ts';
import type { EscalationPolicy } from '../../../services/escalation-policies.ts';
import type { PickerList } from '../../../services/dashboard-views.ts';
import type { MemberProject } from '../../../services/users.ts';
import { html, type Markup } from '../../ui/html.ts';
import { csrfInput, field, formError, selectField, textareaField, type FieldErrors } from '../../ui/forms.ts';
import { time } from '../../ui/format.ts';
import type { Screen } from '../../ui/layout.ts';
import { alertsNobodyBanner, notice } from '../../ui/notices.ts';
import { filterNav, pager, searchForm } from '../../ui/tables.ts';
import { implicitSubmit, monitorSelect } from '../../ui/pickers.ts';
import { liveUrl, projectHeader, projectPath } from '../project-nav.ts';

/** The outage screens: the list, the form of a manual outage, and the outage's page with its notifications. */

export type Delivery = Awaited<ReturnType<typeof outageDeliveries>>[number];

export const STATUSES = ['all', 'ongoing', 'resolved'] as const;
export type Status = (typeof STATUSES)[number];
const NOTICES: Record<string, string> = {
  acknowledged: 'The outage is acknowledged.',
  unacknowledged: 'The acknowledgement was removed.',
  resolved: 'The outage is resolved.',
  created: 'The outage was created.',
};

export interface OutageForm {
  monitor: string;
  starts: string;
  ends: string;
  status_code: string;
  description: string;
  severity: string;
  summary: string;
  policy: string;
}

export const outagesPath = (p: MemberProject) => projectPath(p.uuid, 'outages');
const base = outagesPath;

/** Who acknowledged: the dashboard user's email, or the API key's name. */
function ackBy(o: Outage): string {
  if (!o.acknowledged_by) return '';
  const by = JSON.parse(o.acknowledged_by) as { email: string; name: string };
  return by.email || (by.name ? `API key “${by.name}”` : '');
}

/** What the outage is about: a monitor (linked), a healthcheck (linked) or a deleted one. */
function subject(p: MemberProject, o: Outage): Markup {
  const m = o.monitor;
  if (!m.uuid) return html`<span class="hint">deleted monitor</span>`;
  const href = projectPath(
    p.uuid,
    `${m.protocol === 'healthcheck' ? 'healthchecks' : 'monitors'}/${encodeURIComponent(m.uuid)}`,
  );
  return html`<a href="${href}">${m.name}</a>${m.protocol === 'healthcheck' ? html`<span class="url">healthcheck</span>` : m.url ? html`<span class="url">${m.url}</span>` : ''}`;
}

const duration = (o: Outage, now: number) =>
  formatDuration((Math.max(o.ended_at ?? now, o.started_at) - o.started_at) / 1000);
const stateTag = (o: Outage) =>
  o.ended_at === null
    ? html`<span class="tag ongoing">Ongoing</span>`
    : html`<span class="tag resolved">Resolved</span>`;

/** `res` is one page of outages with their total and the count of ongoing ones. With scripts, the list is read again as outages open, change and close. */
export function outagesScreen(d: {
  project: MemberProject;
  res: { outages: Outage[]; total: number; ongoingCount: number };
  perPage: number;
  page: number;
  status: Status;
  search: string;
  now: number;
  done: unknown;
}): Screen {
  const { project: p, res, page, status, search, now } = d;
  const pages = Math.max(1, Math.ceil(res.total / d.perPage));
  const href = (s: Status, n = 1) => {
    const params = new URLSearchParams();
    if (search) params.set('q', search);
    if (s !== 'all') params.set('status', s);
    if (n > 1) params.set('page', String(n));
    const query = params.toString();
    return `${base(p)}${query ? `?${query}` : ''}`;
  };
  return {
    title: `Outages · ${p.name}`,
    body: html`${projectHeader(p, 'outages')}
<div class="page-head"><div><h1>Outages</h1><p class="hint" id="ongoing-count" data-live-refresh="outage">${res.ongoingCount} ongoing</p></div><a class="button primary" href="${base(p)}/new">Create outage</a></div>
${notice(d.done, NOTICES)}
<section class="card" id="outages-card" data-live-refresh="outage" data-live="${liveUrl(p.uuid, { outages: true })}">
  ${searchForm({ action: base(p), label: 'Search by monitor, URL or cause', search, status })}
  ${filterNav(
    'Filter by state',
    STATUSES.map((s) => ({ href: href(s), current: s === status, text: `${s[0].toUpperCase()}${s.slice(1)}` })),
  )}
  ${
    res.outages.length
      ? html`<table class="list outages"><caption class="sr-only">Outages, page ${page} of ${pages}</caption>
    <thead><tr><th scope="col">State</th><th scope="col">Monitor</th><th scope="col">Started</th><th scope="col" class="num">Duration</th><th scope="col">Cause</th><th scope="col">Acknowledged</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
    <tbody>${res.outages.map(
      (o) => html`<tr>
      <td data-label="State">${stateTag(o)}</td>
      <td data-label="Monitor" class="name-cell">${subject(p, o)}</td>
      <td data-label="Started">${time(o.started_at)}</td>
      <td data-label="Duration" class="num">${duration(o, now)}</td>
      <td data-label="Cause">${o.status_code ? `${o.status_code} · ` : ''}${o.description}</td>
      <td data-label="Acknowledged">${o.acknowledged_at === null ? 'No' : time(o.acknowledged_at)}</td>
      <td class="row-actions"><a href="${base(p)}/${o.uuid}">Open<span class="sr-only"> the outage of ${o.monitor.name ?? 'a deleted monitor'} started ${new Date(o.started_at).toISOString()}</span></a></td>
    </tr>`,
    )}</tbody></table>`
      : html`<p class="empty">No outage${status !== 'all' ? ` ${status}` : ''}${search ? html` matching “${search}”` : ''}.</p>`
  }
  ${pager(page, pages, (n) => href(status, n))}
</section>`,
  };
}

export function outageFormScreen(d: {
  project: MemberProject;
  picker: PickerList;
  policies: EscalationPolicy[];
  csrf: string;
  values: OutageForm;
  errors: FieldErrors;
}): Screen {
  const { project: p, picker, policies, values: v, errors: e } = d;
  return {
    title: 'Create outage',
    body: html`${projectHeader(p, 'outages', [{ text: 'New' }])}
<h1>Create outage</h1>
<p class="hint">Record an outage by hand, such as one the checks could not see. It counts in uptime and reports like a detected one.</p>
<section class="card narrow-wide"><form method="post" action="${base(p)}">
  ${picker.search ? implicitSubmit() : ''}${csrfInput(d.csrf)}
  ${formError(e)}
  ${monitorSelect({ name: 'monitor', label: 'Monitor', monitors: picker.monitors, search: picker.search, value: v.monitor, error: e.monitor })}
  <div class="grid-2">
    ${field({ label: 'Started (UTC)', name: 'starts', type: 'datetime-local', value: v.starts, error: e.starts, required: true })}
    ${field({ label: 'Ended (UTC)', name: 'ends', type: 'datetime-local', value: v.ends, error: e.ends, hint: 'Empty while it goes on.' })}
  </div>
  ${field({ label: 'Status code', name: 'status_code', type: 'number', value: v.status_code, error: e.status_code, required: true, attrs: html` min="100" max="599" inputmode="numeric"` })}
  ${textareaField({ label: 'Description', name: 'description', value: v.description, error: e.description, hint: 'What happened, such as “Payments provider down”.', attrs: html` required maxlength="10000"` })}
  ${field({ label: 'Severity', name: 'severity', value: v.severity, error: e.severity, hint: 'Optional, such as “critical” or “minor”.', attrs: html` maxlength="255" autocomplete="off" list="severity-examples"` })}
  <datalist id="severity-examples"><option value="critical"></option><option value="major"></option><option value="minor"></option></datalist>
  ${textareaField({ label: 'Summary', name: 'summary', value: v.summary, error: e.summary, hint: 'Optional: what was done, for the post-mortem.', attrs: html` maxlength="10000"` })}
  ${policies.length ? selectField({ label: 'Escalation policy', name: 'policy', value: v.policy, options: [['', 'None'], ...policies.map((x) => [x.uuid, x.name] as const)], error: e.policy, hint: 'Optional: alert its steps about this outage.' }) : ''}
  <div class="actions"><button type="submit" class="primary">Create outage</button> <a class="button" href="${base(p)}">Cancel</a></div>
</form></section>`,
  };
}

/** What the message said: the first step is the DOWN alert, later steps are escalations. */
function kindOf(d: Delivery): string {
  if (d.event === 'outage.down')
    return d.step !== null && Number(d.step) > 0 ? `escalation (step ${Number(d.step) + 1})` : 'down';
  return { 'outage.up': 'up', 'outage.acknowledged': 'acknowledged' }[d.event] ?? d.event;
}

/** Sent, given up, failed (a retry is scheduled) or pending (not tried yet). */
function statusOf(d: Delivery): [string, string] {
  if (d.delivered_at !== null) return ['sent', 'up'];
  if (d.gave_up_at !== null) return ['given up', 'down'];
  return Number(d.attempts) > 0 && d.last_status ? ['failed, retrying', 'down'] : ['pending', ''];
}

/** The outage page's "Notifications" card: every message written about the outage, oldest first. */
function deliveryHistory(rows: Delivery[]): Markup {
  return html`<section class="card" aria-labelledby="deliveries-h"><h2 id="deliveries-h">Notifications</h2>
  ${
    rows.length
      ? html`<table class="list deliveries"><caption class="sr-only">Notifications about this outage, oldest first</caption>
    <thead><tr><th scope="col">Channel</th><th scope="col">Kind</th><th scope="col">Status</th><th scope="col" class="num">Attempts</th><th scope="col">Last error</th><th scope="col">Sent</th></tr></thead>
    <tbody>${rows.map((d) => {
      const [status, tone] = statusOf(d);
      const error =
        d.delivered_at !== null ? '' : (d.give_up_reason ?? (Number(d.attempts) > 0 ? (d.last_status ?? '') : ''));
      return html`<tr>
      <td data-label="Channel">${d.channel_name ?? d.recipient ?? 'deleted channel'}<span class="sub">${d.kind}</span></td>
      <td data-label="Kind">${kindOf(d)}</td>
      <td data-label="Status"><span class="tag${tone ? ` ${tone}` : ''}">${status}</span></td>
      <td data-label="Attempts" class="num">${Number(d.attempts)}</td>
      <td data-label="Last error" class="mono-wrap">${error}</td>
      <td data-label="Sent">${d.delivered_at === null ? '—' : time(d.delivered_at)}</td>
    </tr>`;
    })}</tbody></table>`
      : html`<p class="empty">No notification was sent about this outage (no escalation policy, alerts off, or its first step is not due yet).</p>`
  }
</section>`;
}

export function outageScreen(d: {
  project: MemberProject;
  outage: Outage;
  deliveries: Delivery[];
  now: number;
  csrf: string;
  done: unknown;
  alertsNobody?: boolean;
}): Screen {
  const { project: p, outage: o, csrf } = d;
  const path = `${base(p)}/${o.uuid}`;
  const button = (action: string, label: string, cls = '') =>
    html`<form method="post" action="${path}/${action}">${csrfInput(csrf)}<button type="submit"${cls ? html` class="${cls}"` : ''}>${label}</button></form>`;
  return {
    title: `Outage · ${p.name}`,
    body: html`${projectHeader(p, 'outages', [{ text: `${o.monitor.name ?? 'Deleted monitor'}, ${new Date(o.started_at).toISOString().slice(0, 16).replace('T', ' ')}` }])}
${d.alertsNobody ? alertsNobodyBanner(projectPath(p.uuid, 'alerting')) : ''}
<div class="page-head">
  <div class="title-block"><h1>Outage of ${o.monitor.name ?? 'a deleted monitor'}</h1><p class="meta">${stateTag(o)} ${o.outage_type === 'manual' ? 'manual' : `detected from ${o.detected_location}`}</p></div>
  <div class="actions head-actions">
    ${o.acknowledged_at === null ? button('acknowledge', 'Acknowledge', 'primary') : button('unacknowledge', 'Remove acknowledgement')}
    ${o.ended_at === null ? button('resolve', 'Resolve') : ''}
  </div>
</div>
${notice(d.done, NOTICES)}
<section class="card">
  <dl class="facts wide">
    <dt>Monitor</dt><dd class="name-cell">${subject(p, o)}</dd>
    <dt>Started</dt><dd>${time(o.started_at)}</dd>
    <dt>Ended</dt><dd id="outage-ended">${o.ended_at === null ? 'Ongoing' : time(o.ended_at)}</dd>
    <dt>Duration</dt><dd>${duration(o, d.now)}</dd>
    <dt>Cause</dt><dd>${o.status_code ? `${o.status_code} · ` : ''}${o.description}</dd>
    ${o.severity ? html`<dt>Severity</dt><dd id="outage-severity">${o.severity}</dd>` : ''}
    ${o.summary ? html`<dt>Summary</dt><dd id="outage-summary" class="multiline">${o.summary}</dd>` : ''}
    ${o.confirmed_locations ? html`<dt>Confirmed from</dt><dd>${o.confirmed_locations.split(',').join(', ')}</dd>` : ''}
    <dt>Acknowledged</dt><dd id="outage-ack">${o.acknowledged_at === null ? 'No' : html`${time(o.acknowledged_at)}${ackBy(o) ? ` by ${ackBy(o)}` : ''}`}</dd>
  </dl>
</section>
${deliveryHistory(d.deliveries)}`,
  };
}
