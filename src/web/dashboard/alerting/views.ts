import { may } from '../../../domain/roles.ts';
import { CHANNEL_FIELDS, CHANNEL_KINDS, maskSecret, type ChannelKind } from '../../../domain/channels.ts';
import { MAX_STEPS, type PolicyStep } from '../../../domain/alerting.ts';
import type { Integration } from '../../../services/integrations.ts';
import { ALL_MONITORS_POLICY, type EscalationPolicy } from '../../../services/escalation-policies.ts';
import type { MemberProject } from '../../../services/users.ts';
import { html, type Markup } from '../../ui/html.ts';
import { csrfInput, field, fieldError, formError, selectField, type FieldErrors } from '../../ui/forms.ts';
import { time } from '../../ui/format.ts';
import type { Screen } from '../../ui/layout.ts';
import { mailNotSetUp, notice } from '../../ui/notices.ts';
import { stateBadge } from '../../ui/tables.ts';
import { projectHeader, projectPath } from '../project-nav.ts';
import type { ChannelForm, PolicyForm, StepRow } from './form.ts';

/** The alerting screens: the overview, a channel's form and page, an escalation policy's form. */

const NOTICES: Record<string, string> = {
  'channel-created': 'The channel was created. Send a test notification to check that it reaches you.',
  'channel-alerts-all':
    'The channel was created, and the project’s default escalation policy alerts it at once when a monitor or heartbeat check goes down. Send a test notification to check that it reaches you.',
  'channel-saved': 'The channel was saved.',
  'channel-deleted': 'The channel was deleted, with its delivery history.',
  'test-queued':
    'A test notification was queued. The dispatcher sends it within seconds; its result shows as the last delivery.',
  'policy-created': 'The escalation policy was created.',
  'policy-saved': 'The escalation policy was saved.',
  'policy-deleted':
    'The escalation policy was deleted; monitors and healthchecks that used it now use the project default.',
  'default-saved': 'The project default policy was saved.',
};

export const KIND_LABELS: Record<ChannelKind, string> = {
  email: 'Email',
  webhook: 'Webhook (Standard Webhooks)',
  slack: 'Slack',
  discord: 'Discord',
  teams: 'Microsoft Teams',
  telegram: 'Telegram',
  pagerduty: 'PagerDuty',
  opsgenie: 'Opsgenie',
  ntfy: 'ntfy',
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

const PRIORITIES = [
  ['', 'Default'],
  ['1', 'Min'],
  ['2', 'Low'],
  ['3', 'Default (3)'],
  ['4', 'High'],
  ['5', 'Urgent'],
] as const;

export const alertingPath = (p: MemberProject) => projectPath(p.uuid, 'alerting');
const base = alertingPath;

function deliveryText(c: Integration): Markup | string {
  const d = c.lastDelivery;
  if (!d) return 'Never';
  const status = d.delivered ? 'sent' : d.pending ? 'pending' : 'given up';
  return html`<span class="tag${d.delivered ? ' up' : d.pending ? '' : ' down'}">${status}</span> ${d.event} · ${time(d.at)}${!d.delivered && d.status ? html`<span class="sub">${d.status}</span>` : ''}`;
}

const stateText = (c: Integration) =>
  c.disabledAt === null
    ? stateBadge('up', 'Enabled')
    : html`${stateBadge('paused', 'Disabled')}<span class="sub">${c.disabledReason ?? ''}</span>`;

function stepSummary(s: PolicyStep, names: Map<string, string>): string {
  const who = [...s.integrations.map((u) => names.get(u) ?? 'deleted channel'), ...s.emails];
  return `${s.delayMinutes === 0 ? 'at once' : `after ${s.delayMinutes} min`}: ${who.join(', ')}`;
}

export function alertingScreen(d: {
  project: MemberProject;
  channels: Integration[];
  policies: EscalationPolicy[];
  csrf: string;
  done: unknown;
}): Screen {
  const { project: p, channels, policies, csrf } = d;
  const names = new Map(channels.map((c) => [c.uuid, c.name]));
  const current = policies.find((x) => x.isDefault)?.uuid ?? 'none';
  // Members see what is set up; changing it is the owners' (domain/roles.ts).
  const manage = may(p.role, 'channels');
  const named = (href: string, name: string) => (manage ? html`<a href="${href}">${name}</a>` : name);
  return {
    title: `Alerting · ${p.name}`,
    body: html`${projectHeader(p, 'alerting')}
<div class="page-head"><div><h1>Alerting</h1><p class="hint">Channels are where alerts go; escalation policies say which channels and people are alerted, and when, while an outage lasts.${manage ? '' : ' Only the project’s owners change them.'}</p></div></div>
${notice(d.done, NOTICES)}
<section class="card" aria-labelledby="channels-h">
  <div class="section-head"><h2 id="channels-h">Notification channels</h2>${manage ? html`<a class="button primary" href="${base(p)}/channels/new">Add channel</a>` : ''}</div>
  ${
    channels.length
      ? html`<table class="list channels"><caption class="sr-only">Notification channels of ${p.name}</caption>
    <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">State</th><th scope="col">Last delivery</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
    <tbody>${channels.map(
      (c) => html`<tr>
      <td data-label="Name" class="name-cell">${named(`${base(p)}/channels/${c.uuid}`, c.name)}</td>
      <td data-label="Type">${KIND_LABELS[c.kind]}</td>
      <td data-label="State">${stateText(c)}</td>
      <td data-label="Last delivery">${deliveryText(c)}</td>
      <td class="row-actions">${manage ? html`<form method="post" action="${base(p)}/channels/${c.uuid}/test">${csrfInput(csrf)}<button type="submit" class="small"${c.disabledAt !== null ? html` disabled` : ''}>Send test<span class="sr-only"> notification to ${c.name}</span></button></form>` : ''}</td>
    </tr>`,
    )}</tbody></table>`
      : html`<p class="empty">No channel yet.${manage ? html` <a href="${base(p)}/channels/new">Add the first one</a>.` : ''}</p>`
  }
</section>
<section class="card" aria-labelledby="policies-h">
  <div class="section-head"><h2 id="policies-h">Escalation policies</h2>${manage ? html`<a class="button primary" href="${base(p)}/policies/new">Create policy</a>` : ''}</div>
  ${
    policies.length
      ? html`<table class="list policies"><caption class="sr-only">Escalation policies of ${p.name}</caption>
    <thead><tr><th scope="col">Name</th><th scope="col">Steps</th></tr></thead>
    <tbody>${policies.map(
      (x) => html`<tr>
      <td data-label="Name" class="name-cell">${named(`${base(p)}/policies/${x.uuid}`, x.name)}${x.isDefault ? html` <span class="tag up">Default</span>` : ''}</td>
      <td data-label="Steps"><ol>${x.steps.map((s) => html`<li>${stepSummary(s, names)}</li>`)}</ol></td>
    </tr>`,
    )}</tbody></table>`
      : html`<p class="empty">No escalation policy yet: outages alert nobody.${manage ? html` <a href="${base(p)}/policies/new">Create one</a>.` : ''}</p>`
  }
  ${
    manage
      ? html`<form method="post" action="${base(p)}/default" class="inline-form">${csrfInput(csrf)}
    ${selectField({ label: 'Project default policy', name: 'policy', value: current, options: [['none', 'None: only monitors that link a policy alert'], ...policies.map((x) => [x.uuid, x.name] as const)], hint: 'Used by monitors and healthchecks that link no policy of their own.' })}
    <button type="submit">Save default</button>
  </form>`
      : ''
  }
</section>`,
  };
}

/** The kinds of channel to choose from, before the form of one. */
export function channelKindsScreen(d: { project: MemberProject }): Screen {
  const { project: p } = d;
  return {
    title: 'Add channel',
    body: html`${projectHeader(p, 'alerting', [{ text: 'New channel' }])}
<h1>Add channel</h1>
<section class="card narrow-wide"><p>Where should alerts go?</p>
  <ul class="kinds">${CHANNEL_KINDS.map((k) => html`<li><a href="${base(p)}/channels/new?type=${k}">${KIND_LABELS[k]}</a></li>`)}</ul>
</section>`,
  };
}

/** The first channel's box: the default policy (made, or the one there is) alerts it at once. */
function alertAllBox(offer: { defaultPolicy: string | null }, checked: boolean): Markup {
  const what =
    offer.defaultPolicy === null
      ? html`Makes the project’s default escalation policy, “${ALL_MONITORS_POLICY}”, with one step that alerts this channel at once. It applies to every monitor and heartbeat check that links no policy of its own.`
      : html`Adds this channel to the first step of the project’s default escalation policy, “${offer.defaultPolicy}”, used by every monitor and heartbeat check that links no policy of its own.`;
  return html`<div class="field"><label class="choice"><input type="checkbox" name="alert_all" aria-describedby="f-alert_all-hint"${checked ? html` checked` : ''}> <span>Alert on all of this project’s monitors</span></label><p class="hint" id="f-alert_all-hint">${what}</p></div>`;
}

/** The form of a new channel of `kind`, or of `current`; a channel's own page puts `head` above it. */
/** `mailReady`: this server sends mail (VIGIL_SMTP_URL); without it an email channel needs an SMTP URL of its own. */
/** `offer`: the project has no channel yet, so the form offers to alert on all its monitors. */
export function channelFormScreen(d: {
  project: MemberProject;
  kind: ChannelKind;
  current: Integration | null;
  csrf: string;
  values: ChannelForm;
  errors: FieldErrors;
  head?: Markup | '';
  mailReady?: boolean;
  offer?: { defaultPolicy: string | null } | null;
}): Screen {
  const { project: p, kind, current, values: v, errors: e } = d;
  const head = d.head ?? '';
  const action = current ? `${base(p)}/channels/${current.uuid}` : `${base(p)}/channels`;
  const settingField = (f: (typeof CHANNEL_FIELDS)[ChannelKind][number]) => {
    const name = `s_${f.name}`;
    const [label, hint] = settingText(kind, f.name);
    if (f.type === 'ntfy_priority')
      return selectField({ label, name, value: v.values[name] ?? '', options: PRIORITIES, error: e[name], hint });
    if (!f.secret)
      return field({
        label,
        name,
        value: v.values[name] ?? '',
        error: e[name],
        hint,
        required: f.required,
        attrs: html` autocomplete="off" spellcheck="false"`,
      });
    // Secrets are write-only: the form never carries them back, only their masked form.
    const saved = current?.config[f.name];
    const savedHint = typeof saved === 'string' ? `Saved: ${maskSecret(saved)}. Leave empty to keep it. ${hint}` : hint;
    return html`${field({ label, name, type: 'password', value: '', error: e[name], hint: savedHint, required: f.required && !current, attrs: html` autocomplete="new-password" spellcheck="false"` })}
${typeof saved === 'string' && !f.required ? html`<label class="choice sub-field"><input type="checkbox" name="clear_${name}"> <span>Remove the saved ${label.toLowerCase()}</span></label>` : ''}`;
  };
  const secretHint = current?.secret
    ? `Saved: whsec_${maskSecret(current.secret)}. Leave empty to keep it; receivers verify the webhook-signature header with it.`
    : 'Leave empty to have Vigil generate one (shown once, after saving).';
  return {
    title: current ? `Edit ${current.name}` : 'Add channel',
    body: html`${projectHeader(p, 'alerting', [{ text: current ? current.name : `New ${KIND_LABELS[kind]} channel` }])}
${head || html`<h1>${current ? `Edit ${current.name}` : `Add ${KIND_LABELS[kind]} channel`}</h1>`}
${kind === 'email' && d.mailReady === false ? mailNotSetUp('this channel sends only through the SMTP server URL set below.') : ''}
<section class="card narrow-wide">${current ? html`<h2>Settings</h2>` : ''}<form method="post" action="${action}">
  ${csrfInput(d.csrf)}
  ${current ? '' : html`<input type="hidden" name="type" value="${kind}">`}
  ${formError(e)}
  ${field({ label: 'Name', name: 'name', value: v.name, error: e.name, required: true, attrs: html` maxlength="255" autocomplete="off"` })}
  ${CHANNEL_FIELDS[kind].map(settingField)}
  ${kind === 'webhook' ? field({ label: 'Signing secret', name: 'secret', type: 'password', value: '', error: e.secret, hint: secretHint, attrs: html` autocomplete="new-password" spellcheck="false"` }) : ''}
  ${current ? html`<div class="field"><label class="choice"><input type="checkbox" name="enabled"${v.enabled ? html` checked` : ''}> <span>Enabled</span></label>${current.disabledAt !== null ? html`<p class="hint">Disabled: ${current.disabledReason ?? ''}</p>` : ''}</div>` : ''}
  ${!current && d.offer ? alertAllBox(d.offer, v.alertAll === true) : ''}
  <div class="actions"><button type="submit" class="primary">${current ? 'Save channel' : 'Add channel'}</button> <a class="button" href="${current ? `${base(p)}/channels/${current.uuid}` : base(p)}">Cancel</a></div>
</form></section>`,
  };
}

/** A channel's page: its state, last delivery and test button, above its form. */
export function channelScreen(d: {
  project: MemberProject;
  channel: Integration;
  csrf: string;
  values: ChannelForm;
  done: unknown;
  mailReady?: boolean;
}): Screen {
  const { project: p, channel: c, csrf } = d;
  const path = `${base(p)}/channels/${c.uuid}`;
  const head = html`<div class="page-head">
  <div class="title-block"><h1>${c.name}</h1><p class="meta">${KIND_LABELS[c.kind]} · ${stateText(c)}</p></div>
  <div class="actions head-actions">
    <form method="post" action="${path}/test">${csrfInput(csrf)}<button type="submit" class="primary"${c.disabledAt !== null ? html` disabled` : ''}>Send test notification</button></form>
    <a class="button danger-outline" href="${path}/delete">Delete</a>
  </div>
</div>
${notice(d.done, NOTICES)}
<section class="card"><dl class="facts wide"><dt>Last delivery</dt><dd id="last-delivery">${deliveryText(c)}</dd><dt>Created</dt><dd>${time(c.createdAt)}</dd></dl></section>`;
  return channelFormScreen({
    project: p,
    kind: c.kind,
    current: c,
    csrf,
    values: d.values,
    errors: {},
    head,
    mailReady: d.mailReady,
  });
}

/** The webhook channel just made, with its signing secret in full: the one time it is shown. */
export function channelCreatedScreen(d: { project: MemberProject; channel: Integration; alertsAll?: boolean }): Screen {
  const { project: p, channel: c } = d;
  return {
    title: 'Channel created',
    body: html`${projectHeader(p, 'alerting', [{ text: c.name }])}
<h1>Channel created</h1>
<section class="card narrow-wide key-panel">
  <p class="notice" role="status">The webhook channel <strong>${c.name}</strong> was created${d.alertsAll ? ', and the project’s default escalation policy alerts it at once when a monitor or heartbeat check goes down' : ''}. Copy its signing secret now: it is not shown again.</p>
  <div class="copy-scope">
    <label for="webhook-secret">Signing secret</label>
    <div class="copy-row"><input id="webhook-secret" class="mono" type="text" readonly value="${c.secret}" spellcheck="false"><button type="button" class="copy small" data-copy="webhook-secret" hidden>Copy<span class="sr-only"> signing secret</span></button></div>
    <p class="copy-status" aria-live="polite"></p>
  </div>
  <p><a class="button primary" href="${base(p)}/channels/${c.uuid}">Continue</a></p>
</section>`,
  };
}

export function channelDeleteScreen(d: { project: MemberProject; channel: Integration; csrf: string }): Screen {
  const { project: p, channel: c } = d;
  return {
    title: `Delete ${c.name}`,
    body: html`${projectHeader(p, 'alerting', [{ text: c.name, href: `${base(p)}/channels/${c.uuid}` }, { text: 'Delete' }])}
<section class="card narrow"><h1>Delete channel</h1>
  <p>Delete <strong>${c.name}</strong> and its delivery history? Escalation steps that name it skip it from now on. This cannot be undone.</p>
  <form method="post" action="${base(p)}/channels/${c.uuid}/delete">${csrfInput(d.csrf)}
    <div class="actions"><button type="submit" class="danger">Delete channel</button> <a class="button" href="${base(p)}/channels/${c.uuid}">Cancel</a></div></form>
</section>`,
  };
}

/** The rows of the form: the filled steps, then blank ones up to at least three (at most MAX_STEPS). */
function rowsFor(steps: StepRow[]): StepRow[] {
  const blank: StepRow = { delay: '', integrations: [], people: [], emails: '' };
  const n = Math.min(MAX_STEPS, Math.max(3, steps.length + 2));
  return [...steps, ...Array.from({ length: Math.max(0, n - steps.length) }, () => blank)];
}

/** The create form, or with `current` the edit form of that policy; steps offer the channels and the members' emails. */
export function policyFormScreen(d: {
  project: MemberProject;
  current: EscalationPolicy | null;
  channels: Integration[];
  members: string[];
  csrf: string;
  values: PolicyForm;
  errors: FieldErrors;
  done: unknown;
  mailReady?: boolean;
}): Screen {
  const { project: p, current, channels, members, values: v, errors: e } = d;
  const action = current ? `${base(p)}/policies/${current.uuid}` : `${base(p)}/policies`;
  const stepFields = (s: StepRow, i: number) => {
    const id = `f-step${i}`;
    const others = s.emails;
    return html`<fieldset class="field group-box${e[`step${i}`] ? ' invalid' : ''}"${e[`step${i}`] ? html` aria-describedby="${id}-error"` : ''}><legend>Step ${i + 1}</legend>
    ${fieldError(id, e[`step${i}`])}
    ${field({ label: 'Delay (minutes from the outage start)', name: `step${i}_delay`, type: 'number', value: s.delay, hint: i === 0 ? "The first step: 0 alerts at once (after the monitor's alerts_wait). Leave a step empty to skip it." : undefined, attrs: html` min="0" inputmode="numeric"` })}
    ${channels.length ? html`<div class="field"><p class="hint">Channels</p>${channels.map((c) => html`<label class="choice"><input type="checkbox" name="step${i}_int" value="${c.uuid}"${s.integrations.includes(c.uuid) ? html` checked` : ''}> <span>${c.name} (${KIND_LABELS[c.kind]})</span></label>`)}</div>` : ''}
    ${members.length ? html`<div class="field"><p class="hint">People (by email)</p>${members.map((m) => html`<label class="choice"><input type="checkbox" name="step${i}_person" value="${m}"${s.people.includes(m) ? html` checked` : ''}> <span>${m}</span></label>`)}</div>` : ''}
    ${field({ label: 'Other emails', name: `step${i}_emails`, value: others, hint: 'Separated by commas; sent through VIGIL_SMTP_URL.', attrs: html` autocomplete="off"` })}
  </fieldset>`;
  };
  return {
    title: current ? `Edit ${current.name}` : 'Create escalation policy',
    body: html`${projectHeader(p, 'alerting', [{ text: current ? current.name : 'New policy' }])}
<h1>${current ? `Edit ${current.name}` : 'Create escalation policy'}</h1>
${notice(d.done, NOTICES)}
${d.mailReady === false ? mailNotSetUp('members and other emails in a step are not sent; alert them through a channel.') : ''}
<section class="card narrow-wide"><form method="post" action="${action}">
  ${csrfInput(d.csrf)}
  ${formError(e)}
  ${field({ label: 'Name', name: 'name', value: v.name, error: e.name, required: true, attrs: html` maxlength="255" autocomplete="off"` })}
  <div class="field"><label class="choice"><input type="checkbox" name="isDefault"${v.isDefault ? html` checked` : ''}> <span>Project default (for monitors and healthchecks that link no policy)</span></label></div>
  <p class="hint">An open, unacknowledged outage walks the steps in order; acknowledging or resolving it stops the walk.</p>
  ${rowsFor(v.steps).map(stepFields)}
  <div class="actions"><button type="submit" class="primary">${current ? 'Save policy' : 'Create policy'}</button> <a class="button" href="${base(p)}">Cancel</a>${current ? html` <a class="button danger-outline" href="${base(p)}/policies/${current.uuid}/delete">Delete</a>` : ''}</div>
</form></section>`,
  };
}

export function policyDeleteScreen(d: { project: MemberProject; policy: EscalationPolicy; csrf: string }): Screen {
  const { project: p, policy: x } = d;
  return {
    title: `Delete ${x.name}`,
    body: html`${projectHeader(p, 'alerting', [{ text: x.name, href: `${base(p)}/policies/${x.uuid}` }, { text: 'Delete' }])}
<section class="card narrow"><h1>Delete escalation policy</h1>
  <p>Delete <strong>${x.name}</strong>? Monitors and healthchecks that link it are unlinked and use the project default; open outages that walk it stop escalating. This cannot be undone.</p>
  <form method="post" action="${base(p)}/policies/${x.uuid}/delete">${csrfInput(d.csrf)}
    <div class="actions"><button type="submit" class="danger">Delete policy</button> <a class="button" href="${base(p)}/policies/${x.uuid}">Cancel</a></div></form>
</section>`,
  };
}
