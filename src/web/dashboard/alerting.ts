import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ValidationError } from '../../domain/errors.ts';
import { CHANNEL_FIELDS, CHANNEL_KINDS, maskSecret, type ChannelKind } from '../../domain/channels.ts';
import { MAX_STEPS, type PolicyStep } from '../../domain/alerting.ts';
import {
  createIntegration, deleteIntegration, getIntegration, listIntegrations, sendTestNotification, updateIntegration, type Integration,
} from '../../services/integrations.ts';
import {
  createPolicy, deletePolicy, getPolicy, listPolicies, memberEmails, setDefaultPolicy, updatePolicy, type EscalationPolicy,
} from '../../services/escalation-policies.ts';
import type { MemberProject } from '../../services/users.ts';
import { html, type Markup } from './html.ts';
import { csrfInput, field, fieldError, form, formError, selectField, type FieldErrors } from './forms.ts';
import { sendUserPage, time, type Deps } from './layout.ts';
import { csrfToken } from './session.ts';
import { actorFor, projectHeader, projectPath, userProject } from './project-nav.ts';
import { notice } from './monitors.ts';

const NOTICES: Record<string, string> = {
  'channel-created': 'The channel was created. Send a test notification to check that it reaches you.',
  'channel-saved': 'The channel was saved.',
  'channel-deleted': 'The channel was deleted, with its delivery history.',
  'test-queued': 'A test notification was queued. The dispatcher sends it within seconds; its result shows as the last delivery.',
  'policy-created': 'The escalation policy was created.',
  'policy-saved': 'The escalation policy was saved.',
  'policy-deleted': 'The escalation policy was deleted; monitors and healthchecks that used it now use the project default.',
  'default-saved': 'The project default policy was saved.',
};

export const KIND_LABELS: Record<ChannelKind, string> = {
  email: 'Email', webhook: 'Webhook (Standard Webhooks)', slack: 'Slack', discord: 'Discord', teams: 'Microsoft Teams',
  telegram: 'Telegram', pagerduty: 'PagerDuty', opsgenie: 'Opsgenie', ntfy: 'ntfy',
};

/** Label and hint of each setting, per kind where the same name means different things. */
function settingText(kind: ChannelKind, name: string): [string, string] {
  const byName: Record<string, [string, string]> = {
    to: ['Recipients', 'Email addresses, separated by commas.'],
    smtpUrl: ['SMTP server', 'Optional: smtp://user:password@host:587 or smtps://…; VIGIL_SMTP_URL otherwise.'],
    from: ['From address', 'Optional; VIGIL_SMTP_FROM otherwise.'],
    botToken: ['Bot token', 'From @BotFather.'],
    chatId: ['Chat id', 'The chat, group or channel the bot writes to.'],
    apiBase: ['API base URL', 'Optional: only to use another endpoint than the public one.'],
    routingKey: ['Integration (routing) key', 'Of an Events API v2 integration of the PagerDuty service.'],
    apiKey: ['API key', 'An Opsgenie API integration key.'],
    token: ['Access token', 'Optional: for a protected topic.'],
    priority: ['Priority', 'Optional.'],
  };
  if (name === 'url') {
    if (kind === 'webhook') return ['Endpoint URL', 'Vigil POSTs a signed JSON body (Standard Webhooks) to this URL.'];
    if (kind === 'pagerduty') return ['Events API URL', 'Optional: only to use another endpoint than the public one.'];
    if (kind === 'ntfy') return ['Topic URL', 'Such as https://ntfy.sh/my-alerts.'];
    return ['Incoming webhook URL', 'Created in the workspace settings; it carries its own credential.'];
  }
  return byName[name] ?? [name, ''];
}

const PRIORITIES = [['', 'Default'], ['1', 'Min'], ['2', 'Low'], ['3', 'Default (3)'], ['4', 'High'], ['5', 'Urgent']] as const;

type ChannelForm = { name: string; enabled: boolean; values: Record<string, string> };

function deliveryText(c: Integration): Markup | string {
  const d = c.lastDelivery;
  if (!d) return 'Never';
  const status = d.delivered ? 'sent' : d.pending ? 'pending' : 'given up';
  return html`<span class="tag${d.delivered ? ' up' : d.pending ? '' : ' down'}">${status}</span> ${d.event} · ${time(d.at)}${!d.delivered && d.status ? html`<span class="sub">${d.status}</span>` : ''}`;
}

const stateText = (c: Integration) => (c.disabledAt === null ? html`<span class="state state-up"><span class="dot" aria-hidden="true"></span>Enabled</span>` : html`<span class="state state-paused"><span class="dot" aria-hidden="true"></span>Disabled</span><span class="sub">${c.disabledReason ?? ''}</span>`);

function stepSummary(s: PolicyStep, names: Map<string, string>): string {
  const who = [...s.integrations.map((u) => names.get(u) ?? 'deleted channel'), ...s.emails];
  return `${s.delayMinutes === 0 ? 'at once' : `after ${s.delayMinutes} min`}: ${who.join(', ')}`;
}

/** Which channel-form field a service message is about. */
function channelField(message: string): string {
  const m = /^settings\.(\w+)/.exec(message);
  if (m) return `s_${m[1]}`;
  if (/^name\b/.test(message)) return 'name';
  if (/^secret\b/.test(message)) return 'secret';
  return '';
}

export default function alertingRoutes(app: FastifyInstance, { ctx, assets }: Deps) {
  const base = (p: MemberProject) => projectPath(p.uuid, 'alerting');
  const actor = (p: MemberProject) => actorFor(ctx, p);
  async function channelOf(req: FastifyRequest): Promise<[MemberProject, Integration]> {
    const p = await userProject(ctx, req);
    return [p, await getIntegration(actor(p), (req.params as { int: string }).int)];
  }
  async function policyOf(req: FastifyRequest): Promise<[MemberProject, EscalationPolicy]> {
    const p = await userProject(ctx, req);
    return [p, await getPolicy(actor(p), (req.params as { esc: string }).esc)];
  }

  // ---- Overview: channels, policies and the project default ----

  app.get('/projects/:uuid/alerting', async (req, reply) => {
    const p = await userProject(ctx, req);
    const [channels, policies] = await Promise.all([listIntegrations(actor(p)), listPolicies(actor(p))]);
    const names = new Map(channels.map((c) => [c.uuid, c.name]));
    const csrf = csrfToken(req, reply);
    const current = policies.find((x) => x.isDefault)?.uuid ?? 'none';
    const body = html`${projectHeader(p, 'alerting')}
<div class="page-head"><div><h1>Alerting</h1><p class="hint">Channels are where alerts go; escalation policies say which channels and people are alerted, and when, while an outage lasts.</p></div></div>
${notice(req, NOTICES)}
<section class="card" aria-labelledby="channels-h">
  <div class="section-head"><h2 id="channels-h">Notification channels</h2><a class="button primary" href="${base(p)}/channels/new">Add channel</a></div>
  ${channels.length ? html`<table class="list channels"><caption class="sr-only">Notification channels of ${p.name}</caption>
    <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">State</th><th scope="col">Last delivery</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
    <tbody>${channels.map((c) => html`<tr>
      <td data-label="Name" class="name-cell"><a href="${base(p)}/channels/${c.uuid}">${c.name}</a></td>
      <td data-label="Type">${KIND_LABELS[c.kind]}</td>
      <td data-label="State">${stateText(c)}</td>
      <td data-label="Last delivery">${deliveryText(c)}</td>
      <td class="row-actions"><form method="post" action="${base(p)}/channels/${c.uuid}/test">${csrfInput(csrf)}<button type="submit" class="small"${c.disabledAt !== null ? html` disabled` : ''}>Send test<span class="sr-only"> notification to ${c.name}</span></button></form></td>
    </tr>`)}</tbody></table>` : html`<p class="empty">No channel yet. <a href="${base(p)}/channels/new">Add the first one</a>.</p>`}
</section>
<section class="card" aria-labelledby="policies-h">
  <div class="section-head"><h2 id="policies-h">Escalation policies</h2><a class="button primary" href="${base(p)}/policies/new">Create policy</a></div>
  ${policies.length ? html`<table class="list policies"><caption class="sr-only">Escalation policies of ${p.name}</caption>
    <thead><tr><th scope="col">Name</th><th scope="col">Steps</th></tr></thead>
    <tbody>${policies.map((x) => html`<tr>
      <td data-label="Name" class="name-cell"><a href="${base(p)}/policies/${x.uuid}">${x.name}</a>${x.isDefault ? html` <span class="tag up">Default</span>` : ''}</td>
      <td data-label="Steps"><ol>${x.steps.map((s) => html`<li>${stepSummary(s, names)}</li>`)}</ol></td>
    </tr>`)}</tbody></table>` : html`<p class="empty">No escalation policy yet: outages alert nobody. <a href="${base(p)}/policies/new">Create one</a>.</p>`}
  <form method="post" action="${base(p)}/default" class="inline-form">${csrfInput(csrf)}
    ${selectField({ label: 'Project default policy', name: 'policy', value: current, options: [['none', 'None: only monitors that link a policy alert'], ...policies.map((x) => [x.uuid, x.name] as const)], hint: 'Used by monitors and healthchecks that link no policy of their own.' })}
    <button type="submit">Save default</button>
  </form>
</section>`;
    return sendUserPage(assets, req, reply, 200, `Alerting · ${p.name}`, body);
  });

  app.post('/projects/:uuid/alerting/default', async (req, reply) => {
    const p = await userProject(ctx, req);
    const chosen = form(req).get('policy') ?? 'none';
    await setDefaultPolicy(actor(p), chosen === 'none' || chosen === '' ? null : chosen);
    return reply.redirect(`${base(p)}?done=default-saved`, 303);
  });

  // ---- Channels ----

  function channelFormPage(req: FastifyRequest, reply: FastifyReply, p: MemberProject, status: number, kind: ChannelKind, v: ChannelForm, e: FieldErrors, current: Integration | null, head: Markup | '' = '') {
    const action = current ? `${base(p)}/channels/${current.uuid}` : `${base(p)}/channels`;
    const settingField = (f: (typeof CHANNEL_FIELDS)[ChannelKind][number]) => {
      const name = `s_${f.name}`;
      const [label, hint] = settingText(kind, f.name);
      if (f.type === 'ntfy_priority') return selectField({ label, name, value: v.values[name] ?? '', options: PRIORITIES, error: e[name], hint });
      if (!f.secret) return field({ label, name, value: v.values[name] ?? '', error: e[name], hint, required: f.required, attrs: html` autocomplete="off" spellcheck="false"` });
      // Secrets are write-only: the form never carries them back, only their masked form.
      const saved = current?.config[f.name];
      const savedHint = typeof saved === 'string' ? `Saved: ${maskSecret(saved)}. Leave empty to keep it. ${hint}` : hint;
      return html`${field({ label, name, type: 'password', value: '', error: e[name], hint: savedHint, required: f.required && !current, attrs: html` autocomplete="new-password" spellcheck="false"` })}
${typeof saved === 'string' && !f.required ? html`<label class="choice sub-field"><input type="checkbox" name="clear_${name}"> <span>Remove the saved ${label.toLowerCase()}</span></label>` : ''}`;
    };
    const secretHint = current?.secret ? `Saved: whsec_${maskSecret(current.secret)}. Leave empty to keep it; receivers verify the webhook-signature header with it.` : 'Leave empty to have Vigil generate one (shown once, after saving).';
    const body = html`${projectHeader(p, 'alerting', [{ text: current ? current.name : `New ${KIND_LABELS[kind]} channel` }])}
${head || html`<h1>${current ? `Edit ${current.name}` : `Add ${KIND_LABELS[kind]} channel`}</h1>`}
<section class="card narrow-wide">${current ? html`<h2>Settings</h2>` : ''}<form method="post" action="${action}">
  ${csrfInput(csrfToken(req, reply))}
  ${current ? '' : html`<input type="hidden" name="type" value="${kind}">`}
  ${formError(e)}
  ${field({ label: 'Name', name: 'name', value: v.name, error: e.name, required: true, attrs: html` maxlength="255" autocomplete="off"` })}
  ${CHANNEL_FIELDS[kind].map(settingField)}
  ${kind === 'webhook' ? field({ label: 'Signing secret', name: 'secret', type: 'password', value: '', error: e.secret, hint: secretHint, attrs: html` autocomplete="new-password" spellcheck="false"` }) : ''}
  ${current ? html`<div class="field"><label class="choice"><input type="checkbox" name="enabled"${v.enabled ? html` checked` : ''}> <span>Enabled</span></label>${current.disabledAt !== null ? html`<p class="hint">Disabled: ${current.disabledReason ?? ''}</p>` : ''}</div>` : ''}
  <div class="actions"><button type="submit" class="primary">${current ? 'Save channel' : 'Add channel'}</button> <a class="button" href="${current ? `${base(p)}/channels/${current.uuid}` : base(p)}">Cancel</a></div>
</form></section>`;
    return sendUserPage(assets, req, reply, status, current ? `Edit ${current.name}` : 'Add channel', body);
  }

  function readChannelForm(req: FastifyRequest, kind: ChannelKind): ChannelForm {
    const f = form(req);
    const values: Record<string, string> = {};
    for (const s of CHANNEL_FIELDS[kind]) if (!s.secret) values[`s_${s.name}`] = (f.get(`s_${s.name}`) ?? '').trim();
    return { name: f.get('name') ?? '', enabled: f.get('enabled') !== null, values };
  }

  /** The API body of the form: empty secrets keep the saved value (or, ticked, remove it); empty optional fields clear. */
  function channelInput(req: FastifyRequest, kind: ChannelKind, v: ChannelForm, editing: boolean): Record<string, unknown> {
    const f = form(req);
    const settings: Record<string, unknown> = {};
    for (const s of CHANNEL_FIELDS[kind]) {
      const key = `s_${s.name}`;
      if (s.secret) {
        const typed = (f.get(key) ?? '').trim();
        if (typed) settings[s.name] = typed;
        else if (editing && f.get(`clear_${key}`) !== null) settings[s.name] = null;
        else if (!editing && s.required) settings[s.name] = '';
      } else if (v.values[key] || editing || s.required) settings[s.name] = v.values[key] || null;
    }
    const input: Record<string, unknown> = { name: v.name, settings };
    const secret = (f.get('secret') ?? '').trim();
    if (kind === 'webhook' && secret) input.secret = secret;
    if (editing) input.enabled = v.enabled;
    return input;
  }

  app.get('/projects/:uuid/alerting/channels/new', async (req, reply) => {
    const p = await userProject(ctx, req);
    const type = (req.query as Record<string, unknown>).type;
    if (typeof type === 'string' && (CHANNEL_KINDS as readonly string[]).includes(type)) {
      const kind = type as ChannelKind;
      return channelFormPage(req, reply, p, 200, kind, { name: '', enabled: true, values: {} }, {}, null);
    }
    const body = html`${projectHeader(p, 'alerting', [{ text: 'New channel' }])}
<h1>Add channel</h1>
<section class="card narrow-wide"><p>Where should alerts go?</p>
  <ul class="kinds">${CHANNEL_KINDS.map((k) => html`<li><a href="${base(p)}/channels/new?type=${k}">${KIND_LABELS[k]}</a></li>`)}</ul>
</section>`;
    return sendUserPage(assets, req, reply, 200, 'Add channel', body);
  });

  app.post('/projects/:uuid/alerting/channels', async (req, reply) => {
    const p = await userProject(ctx, req);
    const type = form(req).get('type') ?? '';
    if (!(CHANNEL_KINDS as readonly string[]).includes(type)) throw new ValidationError(`type must be one of ${CHANNEL_KINDS.join(', ')}`);
    const kind = type as ChannelKind;
    const v = readChannelForm(req, kind);
    let c: Integration;
    try {
      c = await createIntegration(actor(p), { type: kind, ...channelInput(req, kind, v, false) });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return channelFormPage(req, reply, p, 422, kind, v, { [channelField(err.message)]: err.message }, null);
    }
    if (!c.secret) return reply.redirect(`${base(p)}/channels/${c.uuid}?done=channel-created`, 303);
    // The signing secret, in full, this once: the receiver needs it to verify signatures.
    const body = html`${projectHeader(p, 'alerting', [{ text: c.name }])}
<h1>Channel created</h1>
<section class="card narrow-wide key-panel">
  <p class="notice" role="status">The webhook channel <strong>${c.name}</strong> was created. Copy its signing secret now: it is not shown again.</p>
  <div class="copy-scope">
    <label for="webhook-secret">Signing secret</label>
    <div class="copy-row"><input id="webhook-secret" class="mono" type="text" readonly value="${c.secret}" spellcheck="false"><button type="button" class="copy small" data-copy="webhook-secret" hidden>Copy<span class="sr-only"> signing secret</span></button></div>
    <p class="copy-status" aria-live="polite"></p>
  </div>
  <p><a class="button primary" href="${base(p)}/channels/${c.uuid}">Continue</a></p>
</section>`;
    return sendUserPage(assets, req, reply, 201, 'Channel created', body);
  });

  app.get('/projects/:uuid/alerting/channels/:int', async (req, reply) => {
    const [p, c] = await channelOf(req);
    const csrf = csrfToken(req, reply);
    const path = `${base(p)}/channels/${c.uuid}`;
    const values = Object.fromEntries(CHANNEL_FIELDS[c.kind].filter((f) => !f.secret).map((f) => {
      const v = c.config[f.name];
      return [`s_${f.name}`, Array.isArray(v) ? v.join(', ') : v ?? ''];
    }));
    const head = html`<div class="page-head">
  <div class="title-block"><h1>${c.name}</h1><p class="meta">${KIND_LABELS[c.kind]} · ${stateText(c)}</p></div>
  <div class="actions head-actions">
    <form method="post" action="${path}/test">${csrfInput(csrf)}<button type="submit" class="primary"${c.disabledAt !== null ? html` disabled` : ''}>Send test notification</button></form>
    <a class="button danger-outline" href="${path}/delete">Delete</a>
  </div>
</div>
${notice(req, NOTICES)}
<section class="card"><dl class="facts wide"><dt>Last delivery</dt><dd id="last-delivery">${deliveryText(c)}</dd><dt>Created</dt><dd>${time(c.createdAt)}</dd></dl></section>`;
    return channelFormPage(req, reply, p, 200, c.kind, { name: c.name, enabled: c.disabledAt === null, values }, {}, c, head);
  });

  app.post('/projects/:uuid/alerting/channels/:int', async (req, reply) => {
    const [p, c] = await channelOf(req);
    const v = readChannelForm(req, c.kind);
    try {
      await updateIntegration(actor(p), c.uuid, channelInput(req, c.kind, v, true));
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return channelFormPage(req, reply, p, 422, c.kind, v, { [channelField(err.message)]: err.message }, c);
    }
    return reply.redirect(`${base(p)}/channels/${c.uuid}?done=channel-saved`, 303);
  });

  app.post('/projects/:uuid/alerting/channels/:int/test', async (req, reply) => {
    const [p, c] = await channelOf(req);
    await sendTestNotification(actor(p), c.uuid);
    return reply.redirect(`${base(p)}/channels/${c.uuid}?done=test-queued`, 303);
  });

  app.get('/projects/:uuid/alerting/channels/:int/delete', async (req, reply) => {
    const [p, c] = await channelOf(req);
    const body = html`${projectHeader(p, 'alerting', [{ text: c.name, href: `${base(p)}/channels/${c.uuid}` }, { text: 'Delete' }])}
<section class="card narrow"><h1>Delete channel</h1>
  <p>Delete <strong>${c.name}</strong> and its delivery history? Escalation steps that name it skip it from now on. This cannot be undone.</p>
  <form method="post" action="${base(p)}/channels/${c.uuid}/delete">${csrfInput(csrfToken(req, reply))}
    <div class="actions"><button type="submit" class="danger">Delete channel</button> <a class="button" href="${base(p)}/channels/${c.uuid}">Cancel</a></div></form>
</section>`;
    return sendUserPage(assets, req, reply, 200, `Delete ${c.name}`, body);
  });
  app.post('/projects/:uuid/alerting/channels/:int/delete', async (req, reply) => {
    const [p, c] = await channelOf(req);
    await deleteIntegration(actor(p), c.uuid);
    return reply.redirect(`${base(p)}?done=channel-deleted`, 303);
  });

  // ---- Escalation policies ----

  interface StepRow { delay: string; integrations: string[]; people: string[]; emails: string }
  interface PolicyForm { name: string; isDefault: boolean; steps: StepRow[] }

  const rowsFor = (steps: StepRow[]) => {
    const blank: StepRow = { delay: '', integrations: [], people: [], emails: '' };
    const n = Math.min(MAX_STEPS, Math.max(3, steps.length + 2));
    return [...steps, ...Array.from({ length: Math.max(0, n - steps.length) }, () => blank)];
  };

  async function policyFormPage(req: FastifyRequest, reply: FastifyReply, p: MemberProject, status: number, v: PolicyForm, e: FieldErrors, current: EscalationPolicy | null) {
    const [channels, members] = await Promise.all([listIntegrations(actor(p)), memberEmails(actor(p))]);
    const action = current ? `${base(p)}/policies/${current.uuid}` : `${base(p)}/policies`;
    const stepFields = (s: StepRow, i: number) => {
      const id = `f-step${i}`;
      const others = s.emails;
      return html`<fieldset class="field group-box${e[`step${i}`] ? ' invalid' : ''}"${e[`step${i}`] ? html` aria-describedby="${id}-error"` : ''}><legend>Step ${i + 1}</legend>
    ${fieldError(id, e[`step${i}`])}
    ${field({ label: 'Delay (minutes from the outage start)', name: `step${i}_delay`, type: 'number', value: s.delay, hint: i === 0 ? 'The first step: 0 alerts at once (after the monitor\'s alerts_wait). Leave a step empty to skip it.' : undefined, attrs: html` min="0" inputmode="numeric"` })}
    ${channels.length ? html`<div class="field"><p class="hint">Channels</p>${channels.map((c) => html`<label class="choice"><input type="checkbox" name="step${i}_int" value="${c.uuid}"${s.integrations.includes(c.uuid) ? html` checked` : ''}> <span>${c.name} (${KIND_LABELS[c.kind]})</span></label>`)}</div>` : ''}
    ${members.length ? html`<div class="field"><p class="hint">People (by email)</p>${members.map((m) => html`<label class="choice"><input type="checkbox" name="step${i}_person" value="${m}"${s.people.includes(m) ? html` checked` : ''}> <span>${m}</span></label>`)}</div>` : ''}
    ${field({ label: 'Other emails', name: `step${i}_emails`, value: others, hint: 'Separated by commas; sent through VIGIL_SMTP_URL.', attrs: html` autocomplete="off"` })}
  </fieldset>`;
    };
    const body = html`${projectHeader(p, 'alerting', [{ text: current ? current.name : 'New policy' }])}
<h1>${current ? `Edit ${current.name}` : 'Create escalation policy'}</h1>
${notice(req, NOTICES)}
<section class="card narrow-wide"><form method="post" action="${action}">
  ${csrfInput(csrfToken(req, reply))}
  ${formError(e)}
  ${field({ label: 'Name', name: 'name', value: v.name, error: e.name, required: true, attrs: html` maxlength="255" autocomplete="off"` })}
  <div class="field"><label class="choice"><input type="checkbox" name="isDefault"${v.isDefault ? html` checked` : ''}> <span>Project default (for monitors and healthchecks that link no policy)</span></label></div>
  <p class="hint">An open, unacknowledged outage walks the steps in order; acknowledging or resolving it stops the walk.</p>
  ${rowsFor(v.steps).map(stepFields)}
  <div class="actions"><button type="submit" class="primary">${current ? 'Save policy' : 'Create policy'}</button> <a class="button" href="${base(p)}">Cancel</a>${current ? html` <a class="button danger-outline" href="${base(p)}/policies/${current.uuid}/delete">Delete</a>` : ''}</div>
</form></section>`;
    return sendUserPage(assets, req, reply, status, current ? `Edit ${current.name}` : 'Create escalation policy', body);
  }

  function readPolicyForm(req: FastifyRequest): PolicyForm {
    const f = form(req);
    const steps: StepRow[] = [];
    for (let i = 0; i < MAX_STEPS; i++) {
      steps.push({ delay: (f.get(`step${i}_delay`) ?? '').trim(), integrations: f.getAll(`step${i}_int`), people: f.getAll(`step${i}_person`), emails: (f.get(`step${i}_emails`) ?? '').trim() });
    }
    return { name: f.get('name') ?? '', isDefault: f.get('isDefault') !== null, steps };
  }

  /** The API body: the filled rows, in order. */
  function policyInput(v: PolicyForm): Record<string, unknown> {
    const steps = v.steps.flatMap((s) => {
      const emails = [...s.people, ...s.emails.split(',').map((x) => x.trim()).filter(Boolean)];
      if (s.delay === '' && s.integrations.length === 0 && emails.length === 0) return [];
      return [{ delayMinutes: s.delay === '' ? 0 : /^\d+$/.test(s.delay) ? Number(s.delay) : s.delay, integrations: s.integrations, emails }];
    });
    return { name: v.name, isDefault: v.isDefault, steps };
  }

  /** Keeps the filled rows only, so a re-shown form has its blank rows at the end. */
  const compact = (v: PolicyForm): PolicyForm => ({ ...v, steps: v.steps.filter((s) => s.delay !== '' || s.integrations.length || s.people.length || s.emails) });

  /** A step's message goes to its fieldset: after compact(), step k of the body is row k of the form. */
  function policyErrors(message: string): FieldErrors {
    const m = /^steps\[(\d+)\]\.?/.exec(message);
    if (m) return { [`step${m[1]}`]: `Step ${Number(m[1]) + 1}: ${message.slice(m[0].length).trim()}` };
    if (/^name\b/.test(message)) return { name: message };
    return { '': message };
  }

  async function savePolicy(req: FastifyRequest, reply: FastifyReply, p: MemberProject, current: EscalationPolicy | null) {
    const v = readPolicyForm(req);
    const input = policyInput(v);
    try {
      const saved = current ? await updatePolicy(actor(p), current.uuid, input) : await createPolicy(actor(p), input);
      return reply.redirect(`${base(p)}/policies/${saved.uuid}?done=${current ? 'policy-saved' : 'policy-created'}`, 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return policyFormPage(req, reply, p, 422, compact(v), policyErrors(err.message), current);
    }
  }

  app.get('/projects/:uuid/alerting/policies/new', async (req, reply) => {
    const p = await userProject(ctx, req);
    return policyFormPage(req, reply, p, 200, { name: '', isDefault: false, steps: [] }, {}, null);
  });
  app.post('/projects/:uuid/alerting/policies', async (req, reply) => savePolicy(req, reply, await userProject(ctx, req), null));

  app.get('/projects/:uuid/alerting/policies/:esc', async (req, reply) => {
    const [p, x] = await policyOf(req);
    const members = new Set(await memberEmails(actor(p)));
    const steps = x.steps.map((s) => ({
      delay: String(s.delayMinutes), integrations: s.integrations,
      people: s.emails.filter((m) => members.has(m)), emails: s.emails.filter((m) => !members.has(m)).join(', '),
    }));
    return policyFormPage(req, reply, p, 200, { name: x.name, isDefault: x.isDefault, steps }, {}, x);
  });
  app.post('/projects/:uuid/alerting/policies/:esc', async (req, reply) => {
    const [p, x] = await policyOf(req);
    return savePolicy(req, reply, p, x);
  });

  app.get('/projects/:uuid/alerting/policies/:esc/delete', async (req, reply) => {
    const [p, x] = await policyOf(req);
    const body = html`${projectHeader(p, 'alerting', [{ text: x.name, href: `${base(p)}/policies/${x.uuid}` }, { text: 'Delete' }])}
<section class="card narrow"><h1>Delete escalation policy</h1>
  <p>Delete <strong>${x.name}</strong>? Monitors and healthchecks that link it are unlinked and use the project default; open outages that walk it stop escalating. This cannot be undone.</p>
  <form method="post" action="${base(p)}/policies/${x.uuid}/delete">${csrfInput(csrfToken(req, reply))}
    <div class="actions"><button type="submit" class="danger">Delete policy</button> <a class="button" href="${base(p)}/policies/${x.uuid}">Cancel</a></div></form>
</section>`;
    return sendUserPage(assets, req, reply, 200, `Delete ${x.name}`, body);
  });
  app.post('/projects/:uuid/alerting/policies/:esc/delete', async (req, reply) => {
    const [p, x] = await policyOf(req);
    await deletePolicy(actor(p), x.uuid);
    return reply.redirect(`${base(p)}?done=policy-deleted`, 303);
  });
}
