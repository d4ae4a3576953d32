import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ValidationError } from '../../domain/errors.ts';
import { formatDuration } from '../../domain/reports.ts';
import { acknowledgeOutage, createOutage, getOutage, listOutages, resolveOutage, unacknowledgeOutage, type Outage } from '../../services/outages.ts';
import { listPolicies } from '../../services/escalation-policies.ts';
import type { MemberProject } from '../../services/users.ts';
import { html, type Markup } from './html.ts';
import { csrfInput, field, form, formError, messageField, selectField, textareaField, type FieldErrors } from './forms.ts';
import { monitorSearchForm, monitorSelect, pickerList, pickerSource } from './monitor-picker.ts';
import { sendUserPage, time, type Deps } from './layout.ts';
import { csrfToken } from './session.ts';
import { actorFor, projectHeader, projectPath, userProject } from './project-nav.ts';
import { notice } from './monitors.ts';
import { deliveryHistory } from './alerting-deliveries.ts';

const PER_PAGE = 50;
const STATUSES = ['all', 'ongoing', 'resolved'] as const;
type Status = (typeof STATUSES)[number];
const NOTICES: Record<string, string> = {
  acknowledged: 'The outage is acknowledged.',
  unacknowledged: 'The acknowledgement was removed.',
  resolved: 'The outage is resolved.',
  created: 'The outage was created.',
};

interface OutageForm { monitor: string; starts: string; ends: string; status_code: string; description: string; severity: string; summary: string; policy: string }
const PATTERNS: [RegExp, string][] = [[/monitorUuid/, 'monitor'], [/^endDate/, 'ends'], [/^startDate/, 'starts'], [/statusCode/, 'status_code'], [/description/, 'description'], [/^severity/, 'severity'], [/^summary/, 'summary'], [/[Ee]scalation policy/, 'policy']];
/** A datetime-local value is read as UTC (the form says so); anything else goes to the rules as typed. */
const instant = (v: string) => (/^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(v) ? `${v}:00Z` : v);
const local = (ms: number) => new Date(ms).toISOString().slice(0, 16);

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
  const href = projectPath(p.uuid, `${m.protocol === 'healthcheck' ? 'healthchecks' : 'monitors'}/${encodeURIComponent(m.uuid)}`);
  return html`<a href="${href}">${m.name}</a>${m.protocol === 'healthcheck' ? html`<span class="url">healthcheck</span>` : m.url ? html`<span class="url">${m.url}</span>` : ''}`;
}

const duration = (o: Outage, now: number) => formatDuration((Math.max(o.ended_at ?? now, o.started_at) - o.started_at) / 1000);
const stateTag = (o: Outage) => (o.ended_at === null ? html`<span class="tag ongoing">Ongoing</span>` : html`<span class="tag resolved">Resolved</span>`);

export default function outageRoutes(app: FastifyInstance, { ctx, assets }: Deps) {
  const base = (p: MemberProject) => projectPath(p.uuid, 'outages');
  async function outageOf(req: FastifyRequest): Promise<[MemberProject, Outage]> {
    const p = await userProject(ctx, req);
    return [p, await getOutage(actorFor(ctx, p), (req.params as { outage: string }).outage)];
  }

  app.get('/projects/:uuid/outages', async (req, reply) => {
    const p = await userProject(ctx, req);
    const q = req.query as Record<string, unknown>;
    const status: Status = STATUSES.includes(q.status as Status) ? (q.status as Status) : 'all';
    const search = typeof q.q === 'string' ? q.q.slice(0, 200) : '';
    const page = typeof q.page === 'string' && /^\d{1,6}$/.test(q.page) ? Math.max(1, Number(q.page)) : 1;
    const res = await listOutages(actorFor(ctx, p), { page: page - 1, perPage: PER_PAGE, status, type: 'all', search: search || undefined });
    const pages = Math.max(1, Math.ceil(res.total / PER_PAGE));
    const href = (s: Status, n = 1) => {
      const params = new URLSearchParams();
      if (search) params.set('q', search);
      if (s !== 'all') params.set('status', s);
      if (n > 1) params.set('page', String(n));
      const query = params.toString();
      return `${base(p)}${query ? `?${query}` : ''}`;
    };
    const now = ctx.clock();
    const body = html`${projectHeader(p, 'outages')}
<div class="page-head"><div><h1>Outages</h1><p class="hint">${res.ongoingCount} ongoing</p></div><a class="button primary" href="${base(p)}/new">Create outage</a></div>
${notice(req, NOTICES)}
<section class="card">
  <form class="search" method="get" action="${base(p)}" role="search">
    <label for="q">Search by monitor, URL or cause</label>
    <div class="search-row"><input id="q" name="q" type="search" value="${search}" maxlength="200" autocomplete="off">${status !== 'all' ? html`<input type="hidden" name="status" value="${status}">` : ''}<button type="submit">Search</button></div>
  </form>
  <nav class="filter" aria-label="Filter by state"><ul>${STATUSES.map((s) => html`<li><a href="${href(s)}"${s === status ? html` aria-current="true"` : ''}>${s[0].toUpperCase()}${s.slice(1)}</a></li>`)}</ul></nav>
  ${res.outages.length ? html`<table class="list outages"><caption class="sr-only">Outages, page ${page} of ${pages}</caption>
    <thead><tr><th scope="col">State</th><th scope="col">Monitor</th><th scope="col">Started</th><th scope="col" class="num">Duration</th><th scope="col">Cause</th><th scope="col">Acknowledged</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
    <tbody>${res.outages.map((o) => html`<tr>
      <td data-label="State">${stateTag(o)}</td>
      <td data-label="Monitor" class="name-cell">${subject(p, o)}</td>
      <td data-label="Started">${time(o.started_at)}</td>
      <td data-label="Duration" class="num">${duration(o, now)}</td>
      <td data-label="Cause">${o.status_code ? `${o.status_code} · ` : ''}${o.description}</td>
      <td data-label="Acknowledged">${o.acknowledged_at === null ? 'No' : time(o.acknowledged_at)}</td>
      <td class="row-actions"><a href="${base(p)}/${o.uuid}">Open<span class="sr-only"> the outage of ${o.monitor.name ?? 'a deleted monitor'} started ${new Date(o.started_at).toISOString()}</span></a></td>
    </tr>`)}</tbody></table>` : html`<p class="empty">No outage${status !== 'all' ? ` ${status}` : ''}${search ? html` matching “${search}”` : ''}.</p>`}
  ${pages > 1 ? html`<nav class="pager" aria-label="Pages">${page > 1 ? html`<a rel="prev" href="${href(status, page - 1)}">‹ Previous</a>` : html`<span></span>`}<span>Page ${page} of ${pages}</span>${page < pages ? html`<a rel="next" href="${href(status, page + 1)}">Next ›</a>` : html`<span></span>`}</nav>` : ''}
</section>`;
    return sendUserPage(assets, req, reply, 200, `Outages · ${p.name}`, body);
  });

  async function newPage(req: FastifyRequest, reply: FastifyReply, p: MemberProject, status: number, v: OutageForm, e: FieldErrors) {
    const actor = actorFor(ctx, p);
    const [source, policies] = await Promise.all([pickerSource(actor, req), listPolicies(actor)]);
    const picker = await pickerList(source, 'monitor', v.monitor ? [v.monitor] : []);
    const body = html`${projectHeader(p, 'outages', [{ text: 'New' }])}
<h1>Create outage</h1>
<p class="hint">Record an outage by hand, such as one the checks could not see. It counts in uptime and reports like a detected one.</p>
<section class="card narrow-wide"><form method="post" action="${base(p)}">
  ${csrfInput(csrfToken(req, reply))}
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
</form>${picker.search ? monitorSearchForm(`${base(p)}/new`) : ''}</section>`;
    return sendUserPage(assets, req, reply, status, 'Create outage', body);
  }

  app.get('/projects/:uuid/outages/new', async (req, reply) => newPage(req, reply, await userProject(ctx, req), 200, { monitor: '', starts: local(ctx.clock()), ends: '', status_code: '500', description: '', severity: '', summary: '', policy: '' }, {}));
  app.post('/projects/:uuid/outages', async (req, reply) => {
    const p = await userProject(ctx, req);
    const f = form(req);
    const get = (k: string) => (f.get(k) ?? '').trim();
    const v: OutageForm = { monitor: get('monitor'), starts: get('starts'), ends: get('ends'), status_code: get('status_code'), description: f.get('description') ?? '', severity: get('severity'), summary: f.get('summary') ?? '', policy: get('policy') };
    try {
      if (!v.monitor) throw new ValidationError('Choose the monitor (monitorUuid) the outage is about');
      const o = await createOutage(actorFor(ctx, p, req.dash.user), {
        monitorUuid: v.monitor, startDate: instant(v.starts), endDate: v.ends ? instant(v.ends) : null,
        statusCode: /^\d{1,4}$/.test(v.status_code) ? Number(v.status_code) : NaN, description: v.description, escalationPolicyUuid: v.policy || null,
        severity: v.severity || null, summary: v.summary.trim() ? v.summary : null,
      });
      return reply.redirect(`${base(p)}/${o.uuid}?done=created`, 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return newPage(req, reply, p, 422, v, { [messageField(err.message, [], PATTERNS)]: err.message });
    }
  });

  app.get('/projects/:uuid/outages/:outage', async (req, reply) => {
    const [p, o] = await outageOf(req);
    const csrf = csrfToken(req, reply);
    const path = `${base(p)}/${o.uuid}`;
    const button = (action: string, label: string, cls = '') => html`<form method="post" action="${path}/${action}">${csrfInput(csrf)}<button type="submit"${cls ? html` class="${cls}"` : ''}>${label}</button></form>`;
    const body = html`${projectHeader(p, 'outages', [{ text: `${o.monitor.name ?? 'Deleted monitor'}, ${new Date(o.started_at).toISOString().slice(0, 16).replace('T', ' ')}` }])}
<div class="page-head">
  <div class="title-block"><h1>Outage of ${o.monitor.name ?? 'a deleted monitor'}</h1><p class="meta">${stateTag(o)} ${o.outage_type === 'manual' ? 'manual' : `detected from ${o.detected_location}`}</p></div>
  <div class="actions head-actions">
    ${o.acknowledged_at === null ? button('acknowledge', 'Acknowledge', 'primary') : button('unacknowledge', 'Remove acknowledgement')}
    ${o.ended_at === null ? button('resolve', 'Resolve') : ''}
  </div>
</div>
${notice(req, NOTICES)}
<section class="card">
  <dl class="facts wide">
    <dt>Monitor</dt><dd class="name-cell">${subject(p, o)}</dd>
    <dt>Started</dt><dd>${time(o.started_at)}</dd>
    <dt>Ended</dt><dd id="outage-ended">${o.ended_at === null ? 'Ongoing' : time(o.ended_at)}</dd>
    <dt>Duration</dt><dd>${duration(o, ctx.clock())}</dd>
    <dt>Cause</dt><dd>${o.status_code ? `${o.status_code} · ` : ''}${o.description}</dd>
    ${o.severity ? html`<dt>Severity</dt><dd id="outage-severity">${o.severity}</dd>` : ''}
    ${o.summary ? html`<dt>Summary</dt><dd id="outage-summary" class="multiline">${o.summary}</dd>` : ''}
    ${o.confirmed_locations ? html`<dt>Confirmed from</dt><dd>${o.confirmed_locations.split(',').join(', ')}</dd>` : ''}
    <dt>Acknowledged</dt><dd id="outage-ack">${o.acknowledged_at === null ? 'No' : html`${time(o.acknowledged_at)}${ackBy(o) ? ` by ${ackBy(o)}` : ''}`}</dd>
  </dl>
</section>
${await deliveryHistory(ctx, o.id)}`;
    return sendUserPage(assets, req, reply, 200, `Outage · ${p.name}`, body);
  });

  const actions: [string, (c: ReturnType<typeof actorFor>, uuid: string) => Promise<void>, string][] = [
    ['acknowledge', acknowledgeOutage, 'acknowledged'],
    ['unacknowledge', unacknowledgeOutage, 'unacknowledged'],
    ['resolve', resolveOutage, 'resolved'],
  ];
  for (const [action, run, done] of actions) {
    app.post(`/projects/:uuid/outages/:outage/${action}`, async (req, reply) => {
      const [p, o] = await outageOf(req);
      await run(actorFor(ctx, p, req.dash.user), o.uuid);
      return reply.redirect(`${base(p)}/${o.uuid}?done=${done}`, 303);
    });
  }
}
