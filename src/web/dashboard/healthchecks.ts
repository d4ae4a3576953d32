import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ValidationError } from '../../domain/errors.ts';
import { PERIOD_TYPES } from '../../domain/healthchecks.ts';
import {
  createHealthcheck, deleteHealthcheck, getHealthcheck, listHealthchecks, recentPings, setHealthcheckPaused, updateHealthcheck, type Healthcheck,
} from '../../services/healthchecks.ts';
import { listPolicies } from '../../services/escalation-policies.ts';
import type { MemberProject } from '../../services/users.ts';
import { html, type Markup } from './html.ts';
import { csrfInput, field, form, formError, messageField, selectField, type FieldErrors } from './forms.ts';
import { sendUserPage, time, type Deps } from './layout.ts';
import { csrfToken } from './session.ts';
import { actorFor, projectHeader, projectPath, userProject } from './project-nav.ts';
import { notice } from './monitors.ts';

const NOTICES: Record<string, string> = {
  created: 'The healthcheck was created. It turns up with its first ping; send one from your job to the ping URL.',
  paused: 'The healthcheck is paused: missing pings raise nothing until it is resumed.',
  resumed: 'The healthcheck was resumed.',
  deleted: 'The healthcheck was deleted, with its pings.',
  saved: 'The healthcheck was saved.',
};

type HcState = 'new' | 'up' | 'down' | 'paused';
const STATE_TEXT: Record<HcState, string> = { new: 'New', up: 'Up', down: 'Down', paused: 'Paused' };
const stateOf = (h: Healthcheck): HcState => (h.paused ? 'paused' : h.is_down ? 'down' : h.last_ping_at === null ? 'new' : 'up');
const stateBadge = (s: HcState) => html`<span class="state state-${s === 'new' ? 'paused' : s}"><span class="dot" aria-hidden="true"></span>${STATE_TEXT[s]}</span>`;

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

interface HcForm { name: string; kind: string; period_value: string; period_type: string; cron: string; timezone: string; grace_period_value: string; grace_period_type: string; policy: string; paused: string }
const EMPTY: HcForm = { name: '', kind: 'period', period_value: '1', period_type: 'days', cron: '', timezone: 'UTC', grace_period_value: '1', grace_period_type: 'hours', policy: '', paused: '' };

/** The edit form's values: the healthcheck as it stands. */
function formOf(h: Healthcheck, policyUuid: string): HcForm {
  const s = h.settings;
  return {
    name: h.name, kind: s.cron ? 'cron' : 'period', period_value: String(s.period_value ?? 1), period_type: s.period_type ?? 'days',
    cron: s.cron ?? '', timezone: s.timezone, grace_period_value: String(s.grace_value), grace_period_type: s.grace_type, policy: policyUuid, paused: h.paused ? 'on' : '',
  };
}
const UNITS = PERIOD_TYPES.map((t) => [t, t] as const);
const numberish = (v: string): unknown => (/^\d+$/.test(v.trim()) ? Number(v.trim()) : v);
const PATTERNS: [RegExp, string][] = [
  [/grace/, 'grace_period_value'], [/cron/i, 'cron'], [/timezone/i, 'timezone'], [/period/, 'period_value'], [/[Ee]scalation policy/, 'policy'],
];

export default function healthcheckRoutes(app: FastifyInstance, { ctx, assets, publicUrl }: Deps) {
  const base = (p: MemberProject) => projectPath(p.uuid, 'healthchecks');
  const urlOf = (h: Healthcheck) => `${publicUrl}/ping/${h.uuid}`;
  async function hcOf(req: FastifyRequest): Promise<[MemberProject, Healthcheck]> {
    const p = await userProject(ctx, req);
    return [p, await getHealthcheck(actorFor(ctx, p), (req.params as { hc: string }).hc)];
  }

  app.get('/projects/:uuid/healthchecks', async (req, reply) => {
    const p = await userProject(ctx, req);
    const list = await listHealthchecks(actorFor(ctx, p));
    const body = html`${projectHeader(p, 'healthchecks')}
<div class="page-head"><div><h1>Healthchecks</h1><p class="hint">Cron jobs and scheduled tasks ping their URL; a missing ping past the grace period opens an outage.</p></div><a class="button primary" href="${base(p)}/new">Create healthcheck</a></div>
${notice(req, NOTICES)}
<section class="card">
  ${list.length ? html`<table class="list healthchecks"><caption class="sr-only">Healthchecks of ${p.name}</caption>
    <thead><tr><th scope="col">Status</th><th scope="col">Name</th><th scope="col">Schedule</th><th scope="col">Last ping</th><th scope="col">Ping URL</th></tr></thead>
    <tbody>${list.map((h, i) => html`<tr>
      <td data-label="Status">${stateBadge(stateOf(h))}</td>
      <td data-label="Name" class="name-cell"><a href="${base(p)}/${h.uuid}">${h.name}</a></td>
      <td data-label="Schedule"><span>${schedule(h)}<span class="sub">grace ${unit(h.settings.grace_value, h.settings.grace_type)}</span></span></td>
      <td data-label="Last ping">${h.last_ping_at === null ? 'Never' : time(h.last_ping_at)}</td>
      <td data-label="Ping URL" class="ping-cell">${pingUrl(urlOf(h), `ping-${i}`, html`Ping URL of ${h.name}`)}</td>
    </tr>`)}</tbody></table>` : html`<p class="empty">No healthchecks yet. <a href="${base(p)}/new">Create the first one</a>.</p>`}
</section>`;
    return sendUserPage(assets, req, reply, 200, `Healthchecks · ${p.name}`, body);
  });

  /** The create form, or with `hc` the edit form of that healthcheck. */
  async function formPage(req: FastifyRequest, reply: FastifyReply, p: MemberProject, status: number, v: HcForm, e: FieldErrors, hc?: Healthcheck) {
    const policies = await listPolicies(actorFor(ctx, p));
    const radio = (value: string, label: string) => html`<label class="choice"><input type="radio" name="kind" value="${value}"${v.kind === value ? html` checked` : ''}> <span>${label}</span></label>`;
    const title = hc ? `Edit ${hc.name}` : 'Create healthcheck';
    const crumbs = hc ? [{ text: hc.name, href: `${base(p)}/${hc.uuid}` }, { text: 'Edit' }] : [{ text: 'New' }];
    const body = html`${projectHeader(p, 'healthchecks', crumbs)}
<h1>${title}</h1>
<section class="card narrow-wide"><form method="post" action="${hc ? `${base(p)}/${hc.uuid}/edit` : base(p)}">
  ${csrfInput(csrfToken(req, reply))}
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
</form></section>`;
    return sendUserPage(assets, req, reply, status, title, body);
  }

  /** The service input of a submitted form: the chosen schedule replaces the other. */
  function inputOf(req: FastifyRequest): [HcForm, Record<string, unknown>] {
    const f = form(req);
    const v = Object.fromEntries(Object.keys(EMPTY).map((k) => [k, f.get(k) ?? ''])) as unknown as HcForm;
    const input: Record<string, unknown> = { name: v.name, grace_period_value: numberish(v.grace_period_value), grace_period_type: v.grace_period_type };
    if (v.kind === 'cron') Object.assign(input, { cron: v.cron, timezone: v.timezone });
    else Object.assign(input, { period_value: numberish(v.period_value), period_type: v.period_type });
    if (f.has('policy')) input.escalation_policy = v.policy || 'none';
    return [v, input];
  }
  // "A schedule is required" belongs to whichever schedule was chosen.
  const errorField = (v: HcForm, message: string) => (/schedule is required/.test(message) ? (v.kind === 'cron' ? 'cron' : 'period_value') : messageField(message, ['name'], PATTERNS));

  app.get('/projects/:uuid/healthchecks/new', async (req, reply) => formPage(req, reply, await userProject(ctx, req), 200, EMPTY, {}));
  app.post('/projects/:uuid/healthchecks', async (req, reply) => {
    const p = await userProject(ctx, req);
    const [v, input] = inputOf(req);
    try {
      const h = await createHealthcheck(actorFor(ctx, p), input);
      return reply.redirect(`${base(p)}/${h.uuid}?done=created`, 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return formPage(req, reply, p, 422, v, { [errorField(v, err.message)]: err.message });
    }
  });

  app.get('/projects/:uuid/healthchecks/:hc/edit', async (req, reply) => {
    const [p, h] = await hcOf(req);
    const policy = (await listPolicies(actorFor(ctx, p))).find((x) => h.escalation_policy_id != null && Number(x.id) === Number(h.escalation_policy_id));
    return formPage(req, reply, p, 200, formOf(h, policy?.uuid ?? ''), {}, h);
  });
  app.post('/projects/:uuid/healthchecks/:hc/edit', async (req, reply) => {
    const [p, h] = await hcOf(req);
    const [v, input] = inputOf(req);
    try {
      const actor = actorFor(ctx, p);
      await updateHealthcheck(actor, h.uuid, input);
      const paused = v.paused === 'on';
      if (paused !== (h.paused === 1)) await setHealthcheckPaused(actor, h.uuid, paused);
      return reply.redirect(`${base(p)}/${h.uuid}?done=saved`, 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return formPage(req, reply, p, 422, v, { [errorField(v, err.message)]: err.message }, h);
    }
  });

  app.get('/projects/:uuid/healthchecks/:hc', async (req, reply) => {
    const [p, h] = await hcOf(req);
    const pings = await recentPings(ctx, h.id, 25);
    const csrf = csrfToken(req, reply);
    const path = `${base(p)}/${h.uuid}`;
    const body = html`${projectHeader(p, 'healthchecks', [{ text: h.name }])}
<div class="page-head">
  <div class="title-block"><h1>${h.name}</h1><p class="meta">${schedule(h)} · grace ${unit(h.settings.grace_value, h.settings.grace_type)}</p></div>
  <div class="actions head-actions">
    <a class="button" href="${path}/edit">Edit</a>
    <form method="post" action="${path}/${h.paused ? 'resume' : 'pause'}">${csrfInput(csrf)}<button type="submit">${h.paused ? 'Resume' : 'Pause'}</button></form>
    <a class="button danger-outline" href="${path}/delete">Delete</a>
  </div>
</div>
${notice(req, NOTICES)}
<section class="card">
  ${pingUrl(urlOf(h), 'ping-url', 'Ping URL')}
  <p class="hint">Send a GET or POST from the job when it succeeds; add <code>/start</code> when it begins and <code>/fail</code> when it fails, e.g. <code>curl -fsS -m 10 ${urlOf(h)}</code></p>
  <dl class="facts wide">
    <dt>Status</dt><dd id="hc-status">${stateBadge(stateOf(h))}</dd>
    <dt>Last ping</dt><dd>${h.last_ping_at === null ? 'Never: waiting for the first ping' : time(h.last_ping_at)}</dd>
    <dt>Next ping due</dt><dd>${h.due_at === null ? '—' : time(h.due_at)}</dd>
  </dl>
</section>
<section class="card" aria-labelledby="pings-h"><h2 id="pings-h">Last pings</h2>
  ${pings.length ? html`<table class="list pings"><caption class="sr-only">The ${pings.length} latest pings, newest first</caption>
    <thead><tr><th scope="col">Time</th><th scope="col">Kind</th><th scope="col">From</th><th scope="col" class="num">Duration</th><th scope="col">Body</th></tr></thead>
    <tbody>${pings.map((x) => html`<tr><td data-label="Time">${time(x.at)}</td><td data-label="Kind"><span class="tag ${x.kind === 'fail' ? 'down' : x.kind === 'success' ? 'up' : ''}">${x.kind}</span></td><td data-label="From">${x.source_ip ?? ''}</td><td data-label="Duration" class="num">${x.duration_ms === null ? '—' : `${(x.duration_ms / 1000).toFixed(1)} s`}</td><td data-label="Body" class="mono-wrap">${(x.body ?? '').slice(0, 200)}</td></tr>`)}</tbody></table>`
    : html`<p class="empty">No ping received yet.</p>`}
</section>`;
    return sendUserPage(assets, req, reply, 200, `${h.name} · ${p.name}`, body);
  });

  for (const [action, paused] of [['pause', true], ['resume', false]] as const) {
    app.post(`/projects/:uuid/healthchecks/:hc/${action}`, async (req, reply) => {
      const [p, h] = await hcOf(req);
      await setHealthcheckPaused(actorFor(ctx, p), h.uuid, paused);
      return reply.redirect(`${base(p)}/${h.uuid}?done=${paused ? 'paused' : 'resumed'}`, 303);
    });
  }

  app.get('/projects/:uuid/healthchecks/:hc/delete', async (req, reply) => {
    const [p, h] = await hcOf(req);
    const body = html`${projectHeader(p, 'healthchecks', [{ text: h.name, href: `${base(p)}/${h.uuid}` }, { text: 'Delete' }])}
<section class="card narrow"><h1>Delete healthcheck</h1>
  <p>Delete <strong>${h.name}</strong>? Its ping URL stops answering and its pings are deleted. This cannot be undone.</p>
  <form method="post" action="${base(p)}/${h.uuid}/delete">${csrfInput(csrfToken(req, reply))}
    <div class="actions"><button type="submit" class="danger">Delete healthcheck</button> <a class="button" href="${base(p)}/${h.uuid}">Cancel</a></div></form>
</section>`;
    return sendUserPage(assets, req, reply, 200, `Delete ${h.name}`, body);
  });
  app.post('/projects/:uuid/healthchecks/:hc/delete', async (req, reply) => {
    const [p, h] = await hcOf(req);
    await deleteHealthcheck(actorFor(ctx, p), h.uuid);
    return reply.redirect(`${base(p)}?done=deleted`, 303);
  });
}
