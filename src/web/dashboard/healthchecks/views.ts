import { PERIOD_TYPES } from '../../../domain/healthchecks.ts';
import type { Healthcheck, Ping } from '../../../services/healthchecks.ts';
import type { EscalationPolicy } from '../../../services/escalation-policies.ts';
import type { MemberProject } from '../../../services/users.ts';
import { html, type Markup } from '../../ui/html.ts';
import { csrfInput, field, formError, selectField, type FieldErrors } from '../../ui/forms.ts';
import { time } from '../../ui/format.ts';
import type { Screen } from '../../ui/layout.ts';
import { notice } from '../../ui/notices.ts';
import { stateBadge as badge } from '../../ui/tables.ts';
import { liveUrl, projectHeader, projectPath } from '../project-nav.ts';

/** The healthcheck screens: the list, the form, the healthcheck's page with its pings, the delete confirmation. */

const NOTICES: Record<string, string> = {
  created: 'The healthcheck was created. It turns up with its first ping; send one from your job to the ping URL.',
  paused: 'The healthcheck is paused: missing pings raise nothing until it is resumed.',
  resumed: 'The healthcheck was resumed.',
  deleted: 'The healthcheck was deleted, with its pings.',
  saved: 'The healthcheck was saved.',
};

type HcState = 'new' | 'up' | 'down' | 'paused';
const STATE_TEXT: Record<HcState, string> = { new: 'Pending', up: 'Up', down: 'Down', paused: 'Paused' };
const stateOf = (h: Healthcheck): HcState =>
  h.paused ? 'paused' : h.is_down ? 'down' : h.last_ping_at === null ? 'new' : 'up';
const stateBadge = (s: HcState) => badge(s === 'new' ? 'pending' : s, STATE_TEXT[s]);

const unit = (n: number, type: string) => `${n} ${n === 1 ? type.replace(/s$/, '') : type}`;
function schedule(h: Healthcheck): string {
  const s = h.settings;
  return s.cron ? `cron ${s.cron} (${s.timezone})` : `every ${unit(s.period_value!, s.period_type!)}`;
}

/** The ping URL in a read-only field with a copy button (shown when scripts run). */
function pingUrl(url: string, id: string, label: Markup | string): Markup {
  return html`<div class="copy-scope">
  <label for="${id}" class="${typeof label === 'string' ? '' : 'sr-only'}">${label}</label>
  <div class="copy-row"><input id="${id}" class="mono" type="text" readonly value="${url}" spellcheck="false"><button type="button" class="copy small" data-copy="${id}" hidden>Copy<span class="sr-only"> ping URL</span></button></div>
  <p class="copy-status" aria-live="polite"></p>
</div>`;
}

export interface HcForm {
  name: string;
  kind: string;
  period_value: string;
  period_type: string;
  cron: string;
  timezone: string;
  grace_period_value: string;
  grace_period_type: string;
  policy: string;
  paused: string;
}
const UNITS = PERIOD_TYPES.map((t) => [t, t] as const);

export const healthchecksPath = (p: MemberProject) => projectPath(p.uuid, 'healthchecks');
const base = healthchecksPath;

/** `pingUrl(h)`: the heartbeat URL a job calls. With scripts, each row's state and last ping follow the pings live. */
export function healthchecksScreen(d: {
  project: MemberProject;
  list: Healthcheck[];
  pingUrl: (h: Healthcheck) => string;
  done: unknown;
}): Screen {
  const { project: p, list } = d;
  return {
    title: `Healthchecks · ${p.name}`,
    body: html`${projectHeader(p, 'healthchecks')}
<div class="page-head"><div><h1>Healthchecks</h1><p class="hint">Cron jobs and scheduled tasks ping their URL; a missing ping past the grace period opens an outage.</p></div><a class="button primary" href="${base(p)}/new">Create healthcheck</a></div>
${notice(d.done, NOTICES)}
<section class="card" id="healthchecks-card" data-live-refresh="">
  ${
    list.length
      ? html`<table class="list healthchecks" data-live="${liveUrl(p.uuid, { healthchecks: true })}"><caption class="sr-only">Healthchecks of ${p.name}</caption>
    <thead><tr><th scope="col">Status</th><th scope="col">Name</th><th scope="col">Schedule</th><th scope="col">Last ping</th><th scope="col">Ping URL</th></tr></thead>
    <tbody>${list.map(
      (h, i) => html`<tr data-healthcheck="${h.uuid}" data-state="${stateOf(h)}">
      <td data-label="Status" data-cell="state">${stateBadge(stateOf(h))}</td>
      <td data-label="Name" class="name-cell"><a href="${base(p)}/${h.uuid}">${h.name}</a></td>
      <td data-label="Schedule"><span>${schedule(h)}<span class="sub">grace ${unit(h.settings.grace_value, h.settings.grace_type)}</span></span></td>
      <td data-label="Last ping" data-cell="last-ping">${h.last_ping_at === null ? 'Never' : time(h.last_ping_at)}</td>
      <td data-label="Ping URL" class="ping-cell">${pingUrl(d.pingUrl(h), `ping-${i}`, html`Ping URL of ${h.name}`)}</td>
    </tr>`,
    )}</tbody></table>`
      : html`<p class="empty">No healthchecks yet. <a href="${base(p)}/new">Create the first one</a>.</p>`
  }
</section>`,
  };
}

/** The create form, or with `hc` the edit form of that healthcheck. */
export function healthcheckFormScreen(d: {
  project: MemberProject;
  healthcheck?: Healthcheck;
  policies: EscalationPolicy[];
  csrf: string;
  values: HcForm;
  errors: FieldErrors;
}): Screen {
  const { project: p, healthcheck: hc, policies, values: v, errors: e } = d;
  const radio = (value: string, label: string) =>
    html`<label class="choice"><input type="radio" name="kind" value="${value}"${v.kind === value ? html` checked` : ''}> <span>${label}</span></label>`;
  const title = hc ? `Edit ${hc.name}` : 'Create healthcheck';
  const crumbs = hc ? [{ text: hc.name, href: `${base(p)}/${hc.uuid}` }, { text: 'Edit' }] : [{ text: 'New' }];
  return {
    title,
    body: html`${projectHeader(p, 'healthchecks', crumbs)}
<h1>${title}</h1>
<section class="card narrow-wide"><form method="post" action="${hc ? `${base(p)}/${hc.uuid}/edit` : base(p)}">
  ${csrfInput(d.csrf)}
  ${formError(e)}
  ${field({ label: 'Name', name: 'name', value: v.name, error: e.name, required: true, attrs: html` maxlength="255" autocomplete="off"` })}
  <fieldset class="field"><legend>Schedule</legend>
    ${radio('period', 'Every period')}
    <div class="grid-2 sub-field">
      ${field({ label: 'Period', name: 'period_value', type: 'number', value: v.period_value, error: e.period_value, attrs: html` min="1" inputmode="numeric"` })}
      ${selectField({ label: 'Period unit', name: 'period_type', value: v.period_type, options: UNITS })}
    </div>
    ${radio('cron', 'A cron expression')}
    <div class="grid-2 sub-field">
      ${field({ label: 'Cron expression', name: 'cron', value: v.cron, error: e.cron, hint: 'Five fields, such as 0 3 * * *', attrs: html` autocomplete="off" spellcheck="false"` })}
      ${field({ label: 'Time zone', name: 'timezone', value: v.timezone, error: e.timezone, hint: 'IANA, such as Europe/Paris', attrs: html` autocomplete="off"` })}
    </div>
  </fieldset>
  <div class="grid-2">
    ${field({ label: 'Grace period', name: 'grace_period_value', type: 'number', value: v.grace_period_value, error: e.grace_period_value, hint: 'How late a ping may be before the check goes down.', attrs: html` min="0" inputmode="numeric"` })}
    ${selectField({ label: 'Grace unit', name: 'grace_period_type', value: v.grace_period_type, options: UNITS })}
  </div>
  ${policies.length || v.policy ? selectField({ label: 'Escalation policy', name: 'policy', value: v.policy, options: [['', 'None'], ...policies.map((x) => [x.uuid, x.name] as const)], error: e.policy, hint: 'Who is alerted, step by step, when the check goes down.' }) : ''}
  ${hc ? html`<label class="choice"><input type="checkbox" name="paused" id="f-paused"${v.paused ? html` checked` : ''}> <span>Paused <span class="hint">missing pings raise nothing while paused</span></span></label>` : ''}
  <div class="actions"><button type="submit" class="primary">${hc ? 'Save healthcheck' : 'Create healthcheck'}</button> <a class="button" href="${hc ? `${base(p)}/${hc.uuid}` : base(p)}">Cancel</a></div>
</form></section>`,
  };
}

export function healthcheckScreen(d: {
  project: MemberProject;
  healthcheck: Healthcheck;
  pings: Ping[];
  pingUrl: (h: Healthcheck) => string;
  csrf: string;
  done: unknown;
}): Screen {
  const { project: p, healthcheck: h, pings, csrf } = d;
  const path = `${base(p)}/${h.uuid}`;
  return {
    title: `${h.name} · ${p.name}`,
    body: html`${projectHeader(p, 'healthchecks', [{ text: h.name }])}
<div class="page-head">
  <div class="title-block"><h1>${h.name}</h1><p class="meta">${schedule(h)} · grace ${unit(h.settings.grace_value, h.settings.grace_type)}</p></div>
  <div class="actions head-actions">
    <a class="button" href="${path}/edit">Edit</a>
    <form method="post" action="${path}/${h.paused ? 'resume' : 'pause'}">${csrfInput(csrf)}<button type="submit">${h.paused ? 'Resume' : 'Pause'}</button></form>
    <a class="button danger-outline" href="${path}/delete">Delete</a>
  </div>
</div>
${notice(d.done, NOTICES)}
<section class="card">
  ${pingUrl(d.pingUrl(h), 'ping-url', 'Ping URL')}
  <p class="hint">Send a GET or POST from the job when it succeeds; add <code>/start</code> when it begins and <code>/fail</code> when it fails, e.g. <code>curl -fsS -m 10 ${d.pingUrl(h)}</code></p>
  <dl class="facts wide">
    <dt>Status</dt><dd id="hc-status">${stateBadge(stateOf(h))}</dd>
    <dt>Last ping</dt><dd>${h.last_ping_at === null ? 'Never: waiting for the first ping' : time(h.last_ping_at)}</dd>
    <dt>Next ping due</dt><dd>${h.due_at === null ? '—' : time(h.due_at)}</dd>
  </dl>
</section>
<section class="card" aria-labelledby="pings-h"><h2 id="pings-h">Last pings</h2>
  ${
    pings.length
      ? html`<table class="list pings"><caption class="sr-only">The ${pings.length} latest pings, newest first</caption>
    <thead><tr><th scope="col">Time</th><th scope="col">Kind</th><th scope="col">From</th><th scope="col" class="num">Duration</th><th scope="col">Body</th></tr></thead>
    <tbody>${pings.map((x) => html`<tr><td data-label="Time">${time(x.at)}</td><td data-label="Kind"><span class="tag ${x.kind === 'fail' ? 'down' : x.kind === 'success' ? 'up' : ''}">${x.kind}</span></td><td data-label="From">${x.source_ip ?? ''}</td><td data-label="Duration" class="num">${x.duration_ms === null ? '—' : `${(x.duration_ms / 1000).toFixed(1)} s`}</td><td data-label="Body" class="mono-wrap">${(x.body ?? '').slice(0, 200)}</td></tr>`)}</tbody></table>`
      : html`<p class="empty">No ping received yet.</p>`
  }
</section>`,
  };
}

export function healthcheckDeleteScreen(d: { project: MemberProject; healthcheck: Healthcheck; csrf: string }): Screen {
  const { project: p, healthcheck: h } = d;
  return {
    title: `Delete ${h.name}`,
    body: html`${projectHeader(p, 'healthchecks', [{ text: h.name, href: `${base(p)}/${h.uuid}` }, { text: 'Delete' }])}
<section class="card narrow"><h1>Delete healthcheck</h1>
  <p>Delete <strong>${h.name}</strong>? Its ping URL stops answering and its pings are deleted. This cannot be undone.</p>
  <form method="post" action="${base(p)}/${h.uuid}/delete">${csrfInput(d.csrf)}
    <div class="actions"><button type="submit" class="danger">Delete healthcheck</button> <a class="button" href="${base(p)}/${h.uuid}">Cancel</a></div></form>
</section>`,
  };
}
