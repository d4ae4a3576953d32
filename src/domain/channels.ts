import { randomBytes } from 'node:crypto';
import { ValidationError } from './errors.ts';
import { EMAIL_MAX, NAME_MAX, URL_MAX, checkItems, checkLength } from './limits.ts';

/**
 * Notification channel kinds ("integrations") and the settings each one takes. Secret settings
 * are write-only: reads show them masked, and an update that omits one (or sends the masked
 * form back) keeps it. Sending lives in notify/channels/<kind>.ts.
 */
export const CHANNEL_KINDS = [
  'email',
  'webhook',
  'slack',
  'discord',
  'teams',
  'telegram',
  'pagerduty',
  'opsgenie',
  'ntfy',
] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

type FieldType = 'url' | 'text' | 'emails' | 'email' | 'smtp_url' | 'ntfy_priority';

interface Field {
  name: string;
  type: FieldType;
  required?: boolean;
  secret?: boolean;
}

const url = (name: string, extra: Partial<Field> = {}): Field => ({ name, type: 'url', ...extra });
const text = (name: string, extra: Partial<Field> = {}): Field => ({ name, type: 'text', ...extra });

export const CHANNEL_FIELDS: Record<ChannelKind, Field[]> = {
  email: [
    { name: 'to', type: 'emails', required: true },
    { name: 'smtpUrl', type: 'smtp_url', secret: true },
    { name: 'from', type: 'email' },
  ],
  webhook: [url('url', { required: true })],
  // Incoming-webhook URLs carry their credential in the path.
  slack: [url('url', { required: true, secret: true })],
  discord: [url('url', { required: true, secret: true })],
  teams: [url('url', { required: true, secret: true })],
  telegram: [text('botToken', { required: true, secret: true }), text('chatId', { required: true }), url('apiBase')],
  pagerduty: [text('routingKey', { required: true, secret: true }), url('url')],
  opsgenie: [text('apiKey', { required: true, secret: true }), url('apiBase')],
  ntfy: [url('url', { required: true }), text('token', { secret: true }), { name: 'priority', type: 'ntfy_priority' }],
};

export type ChannelConfig = Record<string, string | string[]>;

/** Addresses an email channel sends to. */
export const MAX_EMAIL_RECIPIENTS = 20;
/** The same addresses written as one comma-separated text. */
export const RECIPIENTS_TEXT_MAX = MAX_EMAIL_RECIPIENTS * (EMAIL_MAX + 2);
/** Every other setting: a URL, a token, a chat id. */
export const CHANNEL_SETTING_MAX = URL_MAX;

const EMAIL = /^[^\s@<>(),;:"\\]+@[^\s@<>(),;:"\\.][^\s@<>(),;:"\\]*$/;
const NTFY_PRIORITIES = ['1', '2', '3', '4', '5', 'min', 'low', 'default', 'high', 'urgent', 'max'];
const WHSEC = /^whsec_([A-Za-z0-9+/]+={0,2})$/;
/** Control characters (NUL included, which PostgreSQL text refuses) have no place in names or ids. */
export const CONTROL = /[\0-\x1f\x7f]/;

function fail(message: string): never {
  throw new ValidationError(message);
}

export function isEmail(v: string): boolean {
  return v.length <= EMAIL_MAX && EMAIL.test(v) && !CONTROL.test(v);
}

/** `smtp://user:pass@host:port` or `smtps://…` (implicit TLS); null when it is not one. */
export function parseSmtpUrl(
  raw: string,
): { secure: boolean; host: string; port: number; user: string | null; pass: string | null } | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return null;
  }
  if ((u.protocol !== 'smtp:' && u.protocol !== 'smtps:') || !u.hostname) return null;
  const secure = u.protocol === 'smtps:';
  return {
    secure,
    host: u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname,
    port: Number(u.port) || (secure ? 465 : 587),
    user: u.username ? decodeURIComponent(u.username) : null,
    pass: u.password ? decodeURIComponent(u.password) : null,
  };
}

function value(kind: ChannelKind, f: Field, v: unknown): string | string[] {
  const where = `settings.${f.name}`;
  if (f.type === 'emails') {
    if (typeof v === 'string') checkLength(v, where, RECIPIENTS_TEXT_MAX);
    const list =
      typeof v === 'string'
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : v;
    if (!Array.isArray(list) || list.length === 0)
      fail(`${where} must be 1 to ${MAX_EMAIL_RECIPIENTS} email addresses`);
    checkItems(list, where, MAX_EMAIL_RECIPIENTS);
    for (const e of list)
      if (typeof e !== 'string' || !isEmail(e)) fail(`${where}: ${JSON.stringify(e)} is not an email address`);
    return list as string[];
  }
  if (typeof v !== 'string' || v.trim() === '') fail(`${where} must be a non-empty string`);
  const s = v.trim();
  if (s.length > CHANNEL_SETTING_MAX || /[\0-\x1f\x7f]/.test(s))
    fail(`${where} must be at most ${CHANNEL_SETTING_MAX} characters without control characters`);
  if (f.type === 'url') {
    let u: URL | null = null;
    try {
      u = new URL(s);
    } catch {}
    if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:') || !u.hostname)
      fail(`${where} must be an http(s) URL`);
  }
  if (f.type === 'email' && !isEmail(s)) fail(`${where} must be an email address`);
  if (f.type === 'smtp_url' && !parseSmtpUrl(s))
    fail(`${where} must look like smtp://user:password@host:port or smtps://…`);
  if (f.type === 'ntfy_priority' && !NTFY_PRIORITIES.includes(s))
    fail(`${where} must be one of ${NTFY_PRIORITIES.join(', ')}`);
  void kind;
  return s;
}

/** The masked form of a secret: enough to recognise it, not to use it. */
export function maskSecret(v: string): string {
  const tail = v.length > 12 ? v.slice(-4) : '';
  try {
    const u = new URL(v);
    if (u.protocol === 'http:' || u.protocol === 'https:' || u.protocol === 'smtp:' || u.protocol === 'smtps:')
      return `${u.protocol}//${u.hostname}/…${tail}`;
  } catch {}
  return `…${tail}`;
}

/**
 * Validates `input` (the `settings` object) for `kind`, over `current` on update: keys that
 * are absent keep their value; a secret sent back masked is unchanged; null or "" clears an
 * optional field.
 */
export function applyChannelSettings(kind: ChannelKind, current: ChannelConfig | null, input: unknown): ChannelConfig {
  if (input !== undefined && (input === null || typeof input !== 'object' || Array.isArray(input)))
    fail('settings must be an object');
  const given = (input ?? {}) as Record<string, unknown>;
  const out: ChannelConfig = { ...(current ?? {}) };
  for (const f of CHANNEL_FIELDS[kind]) {
    if (!Object.hasOwn(given, f.name)) continue;
    const v = given[f.name];
    if (v === null || v === '') {
      if (f.required) fail(`settings.${f.name} is required`);
      delete out[f.name];
      continue;
    }
    const cur = current?.[f.name];
    if (f.secret && typeof cur === 'string' && v === maskSecret(cur)) continue;
    out[f.name] = value(kind, f, v);
  }
  for (const f of CHANNEL_FIELDS[kind])
    if (f.required && out[f.name] === undefined) fail(`settings.${f.name} is required for ${kind}`);
  return out;
}

/** Settings as reads show them: secrets masked. */
export function maskedSettings(kind: ChannelKind, config: ChannelConfig): ChannelConfig {
  const out: ChannelConfig = {};
  for (const f of CHANNEL_FIELDS[kind]) {
    const v = config[f.name];
    if (v === undefined) continue;
    out[f.name] = f.secret && typeof v === 'string' ? maskSecret(v) : v;
  }
  return out;
}

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/** A Standard Webhooks secret: whsec_ and the base64 of 16 to 64 random bytes. */
export function parseWebhookSecret(v: unknown): string {
  const m = typeof v === 'string' ? WHSEC.exec(v) : null;
  const bytes = m ? Buffer.from(m[1], 'base64').length : 0;
  if (!m || bytes < 16 || bytes > 64) fail('secret must be whsec_ followed by the base64 of 16 to 64 bytes');
  return v as string;
}

export function parseChannelName(v: unknown): string {
  if (typeof v !== 'string' || v.trim() === '' || v.length > NAME_MAX || CONTROL.test(v))
    fail(`name must be 1 to ${NAME_MAX} characters without control characters`);
  return v.trim();
}

export function parseChannelKind(v: unknown): ChannelKind {
  if (typeof v !== 'string' || !(CHANNEL_KINDS as readonly string[]).includes(v))
    fail(`type must be one of ${CHANNEL_KINDS.join(', ')}`);
  return v as ChannelKind;
}
