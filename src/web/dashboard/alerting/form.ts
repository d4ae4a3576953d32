import { CHANNEL_FIELDS, type ChannelKind } from '../../../domain/channels.ts';
import { MAX_STEPS } from '../../../domain/alerting.ts';
import type { Integration } from '../../../services/integrations.ts';
import type { EscalationPolicy } from '../../../services/escalation-policies.ts';
import type { FieldErrors } from '../../ui/forms.ts';

/**
 * The values of the channel and escalation policy forms: read from what is stored or from the
 * posted form, the API body they become, and which field a service message belongs beside.
 */

/** `alertAll`: the first channel's "Alert on all of this project's monitors" box. */
export type ChannelForm = { name: string; enabled: boolean; values: Record<string, string>; alertAll?: boolean };

/** A channel's form as it stands: its settings but the secrets, which the form never carries back. */
export function channelFormOf(c: Integration): ChannelForm {
  const values = Object.fromEntries(
    CHANNEL_FIELDS[c.kind]
      .filter((f) => !f.secret)
      .map((f) => {
        const v = c.config[f.name];
        return [`s_${f.name}`, Array.isArray(v) ? v.join(', ') : (v ?? '')];
      }),
  );
  return { name: c.name, enabled: c.disabledAt === null, values };
}

export function readChannelForm(f: URLSearchParams, kind: ChannelKind): ChannelForm {
  const values: Record<string, string> = {};
  for (const s of CHANNEL_FIELDS[kind]) if (!s.secret) values[`s_${s.name}`] = (f.get(`s_${s.name}`) ?? '').trim();
  return {
    name: f.get('name') ?? '',
    enabled: f.get('enabled') !== null,
    values,
    alertAll: f.get('alert_all') !== null,
  };
}

/** The API body of the form: empty secrets keep the saved value (or, ticked, remove it); empty optional fields clear. */
export function channelInput(
  f: URLSearchParams,
  kind: ChannelKind,
  v: ChannelForm,
  editing: boolean,
): Record<string, unknown> {
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

/** Which channel-form field a service message is about. */
export function channelField(message: string): string {
  const m = /^settings\.(\w+)/.exec(message);
  if (m) return `s_${m[1]}`;
  if (/^name\b/.test(message)) return 'name';
  if (/^secret\b/.test(message)) return 'secret';
  return '';
}

export interface StepRow {
  delay: string;
  integrations: string[];
  people: string[];
  emails: string;
}
export interface PolicyForm {
  name: string;
  isDefault: boolean;
  steps: StepRow[];
}

/** A policy's form as it stands: emails of the project's members are ticked people, the others typed. */
export function policyFormOf(x: EscalationPolicy, memberEmails: string[]): PolicyForm {
  const members = new Set(memberEmails);
  const steps = x.steps.map((s) => ({
    delay: String(s.delayMinutes),
    integrations: s.integrations,
    people: s.emails.filter((m) => members.has(m)),
    emails: s.emails.filter((m) => !members.has(m)).join(', '),
  }));
  return { name: x.name, isDefault: x.isDefault, steps };
}

export function readPolicyForm(f: URLSearchParams): PolicyForm {
  const steps: StepRow[] = [];
  for (let i = 0; i < MAX_STEPS; i++) {
    steps.push({
      delay: (f.get(`step${i}_delay`) ?? '').trim(),
      integrations: f.getAll(`step${i}_int`),
      people: f.getAll(`step${i}_person`),
      emails: (f.get(`step${i}_emails`) ?? '').trim(),
    });
  }
  return { name: f.get('name') ?? '', isDefault: f.get('isDefault') !== null, steps };
}

/** The API body: the filled rows, in order. */
export function policyInput(v: PolicyForm): Record<string, unknown> {
  const steps = v.steps.flatMap((s) => {
    const emails = [
      ...s.people,
      ...s.emails
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    ];
    if (s.delay === '' && s.integrations.length === 0 && emails.length === 0) return [];
    return [
      {
        delayMinutes: s.delay === '' ? 0 : /^\d+$/.test(s.delay) ? Number(s.delay) : s.delay,
        integrations: s.integrations,
        emails,
      },
    ];
  });
  return { name: v.name, isDefault: v.isDefault, steps };
}

/** Keeps the filled rows only, so a re-shown form has its blank rows at the end. */
export const compact = (v: PolicyForm): PolicyForm => ({
  ...v,
  steps: v.steps.filter((s) => s.delay !== '' || s.integrations.length || s.people.length || s.emails),
});

/** A step's message goes to its fieldset: after compact(), step k of the body is row k of the form. */
export function policyErrors(message: string): FieldErrors {
  const m = /^steps\[(\d+)\]\.?/.exec(message);
  if (m) return { [`step${m[1]}`]: `Step ${Number(m[1]) + 1}: ${message.slice(m[0].length).trim()}` };
  if (/^name\b/.test(message)) return { name: message };
  return { '': message };
}
