import { createHash } from 'node:crypto';
import { LANGUAGES } from './localized.ts';
import { REGIONS } from './monitors.ts';
import { PAGE_LANGUAGES } from './statuspages.ts';

/**
 * `vigil import`: the read shapes of a Hyperping-compatible API (api-contract §2–§9) turned into
 * the write bodies Vigil's services take, with references to monitors and status pages
 * rewritten to the local objects made from them.
 */

export type Json = Record<string, any>;
export const IMPORT_KINDS = ['monitor', 'healthcheck', 'statuspage', 'subscriber', 'maintenance', 'incident'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

/** Local uuids by source reference: monitors by `mon_…` uuid and by numeric id, pages by `sp_…`. */
export interface ImportRefs {
  monitors: Map<string, string>;
  statuspages: Map<string, string>;
}

/** A write body, and what of the source object it could not carry over. */
export interface Mapped {
  body: Json;
  notes: string[];
}

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

function pick(from: Json, keys: string[]): Json {
  const out: Json = {};
  for (const k of keys) if (from[k] !== undefined) out[k] = from[k];
  return out;
}

/** JSON with object keys sorted, so equal bodies give equal fingerprints whatever the key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v))
    return `{${Object.keys(v)
      .sort()
      .filter((k) => v[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v ?? null);
}

export function fingerprint(body: unknown): string {
  return createHash('sha256').update(canonical(body)).digest('hex');
}

/** A LocalizedText keeping only the languages Vigil stores. */
export function texts(v: unknown): Json {
  if (!isObject(v)) return {};
  const out: Json = {};
  for (const [lang, t] of Object.entries(v))
    if ((LANGUAGES as readonly string[]).includes(lang) && typeof t === 'string') out[lang] = t;
  return out;
}

/** Rewrites a list of references; the ones with no local twin are dropped with a note. */
function remap(list: unknown, refs: Map<string, string>, what: string, notes: string[]): string[] {
  if (!Array.isArray(list)) return [];
  const out: string[] = [];
  for (const ref of list) {
    const local = refs.get(String(ref));
    if (local) out.push(local);
    else notes.push(`${what} ${ref} was left out: it was not imported`);
  }
  return out;
}

export function monitorBody(m: Json): Mapped {
  const notes: string[] = [];
  const body = pick(m, [
    'name',
    'url',
    'protocol',
    'paused',
    'port',
    'http_method',
    'check_frequency',
    'follow_redirects',
    'request_body',
    'request_headers',
    'required_keyword',
    'alerts_wait',
    'dns_record_type',
    'dns_nameserver',
    'dns_expected_answer',
    'group_id',
    'sort_order',
    'show_url',
  ]);
  if (m.expected_status_code !== undefined && m.expected_status_code !== null)
    body.expected_status_code = String(m.expected_status_code);
  if (Array.isArray(m.regions)) {
    const known = m.regions.filter((r: unknown) => (REGIONS as readonly unknown[]).includes(r));
    if (known.length < m.regions.length)
      notes.push(
        `regions ${m.regions.filter((r: unknown) => !known.includes(r)).join(', ')} are unknown here and were left out`,
      );
    if (known.length) body.regions = known;
  }
  if (m.escalation_policy) notes.push('its escalation policy was not copied (escalation policies are not imported)');
  return { body, notes };
}

/** `paused` is not a write key of healthchecks: the service applies it with pause/resume. */
export function healthcheckBody(h: Json): Mapped {
  const notes: string[] = [];
  const body: Json = { name: h.name };
  if (h.cron) {
    body.cron = h.cron;
    body.timezone = h.tz ?? h.timezone ?? 'UTC';
  } else if (h.periodValue != null && h.periodType) {
    body.period_value = h.periodValue;
    body.period_type = h.periodType;
  } else if (typeof h.period === 'number') {
    body.period_value = h.period;
    body.period_type = 'seconds';
  }
  if (h.gracePeriodValue != null && h.gracePeriodType) {
    body.grace_period_value = h.gracePeriodValue;
    body.grace_period_type = h.gracePeriodType;
  } else {
    body.grace_period_value = typeof h.gracePeriod === 'number' ? h.gracePeriod : 0;
    body.grace_period_type = 'seconds';
  }
  body.paused = h.isPaused === true;
  if (h.escalationPolicy) notes.push('its escalation policy was not copied (escalation policies are not imported)');
  return { body, notes };
}

const PAGE_SETTINGS = [
  'website',
  'description',
  'default_language',
  'theme',
  'font',
  'accent_color',
  'auto_refresh',
  'banner_header',
  'logo',
  'logo_height',
  'favicon',
  'hide_powered_by',
  'hide_from_search_engines',
  'google_analytics',
  'subscribe',
];

/**
 * The flat write body of a status page from its nested read shape (§8.2–§8.4). A page behind a
 * password or single sign-on stays protected: the caller sets a new password, since the
 * source never returns one.
 */
export function statusPageBody(p: Json, refs: ImportRefs): Mapped & { locked: boolean } {
  const notes: string[] = [];
  const s: Json = isObject(p.settings) ? p.settings : {};
  const body: Json = { name: p.name ?? s.name, ...pick(s, PAGE_SETTINGS) };
  if (typeof p.hostedsubdomain === 'string' && p.hostedsubdomain) body.subdomain = p.hostedsubdomain.split('.')[0];
  body.hostname = p.hostname ?? null;
  if (Array.isArray(s.languages))
    body.languages = s.languages.filter((l: unknown) => (PAGE_LANGUAGES as readonly unknown[]).includes(l));
  if (body.languages?.length === 0) delete body.languages;
  const auth: Json = isObject(s.authentication) ? s.authentication : {};
  const locked =
    p.password_protected === true ||
    auth.password_protection === true ||
    auth.google_sso === true ||
    auth.saml_sso === true;
  body.authentication = { password_protection: locked };
  if (auth.google_sso === true || auth.saml_sso === true)
    notes.push('single sign-on is not supported here: the page is protected by a password instead');
  if (locked)
    notes.push(
      'the source never returns page passwords: a random one was set, choose yours with PUT /v2/statuspages/<uuid> {"password":…}',
    );

  const service = (x: Json, nested: boolean): Json | null => {
    const shown = {
      description: isObject(x.description) ? x.description : null,
      show_uptime: x.show_uptime !== false,
      show_response_times: x.show_response_times === true,
    };
    if (x.is_group === true) {
      const children = (Array.isArray(x.services) ? x.services : []).map((c: Json) => service(c, true)).filter(Boolean);
      return { is_group: true, name_shown: x.name ?? null, ...shown, services: children };
    }
    const ref = x.uuid ?? x.monitor_uuid;
    const local = ref === undefined || ref === null ? undefined : refs.monitors.get(String(ref));
    if (!local) {
      notes.push(`the service of monitor ${ref} was left out: that monitor was not imported`);
      return null;
    }
    return nested
      ? { uuid: local, name: x.name ?? null, ...shown }
      : { monitor_uuid: local, name_shown: x.name ?? null, ...shown };
  };
  body.sections = (Array.isArray(p.sections) ? p.sections : []).map((sec: Json) => ({
    name: sec.name ?? '',
    is_split: sec.is_split === true,
    services: (Array.isArray(sec.services) ? sec.services : []).map((x: Json) => service(x, false)).filter(Boolean),
  }));
  return { body, notes, locked };
}

/** A subscriber's add body from a list item (which carries the contact in `value`), or why it cannot be added. */
export function subscriberBody(s: Json): Mapped | { skip: string } {
  const language = (PAGE_LANGUAGES as readonly unknown[]).includes(s.language) ? s.language : 'en';
  switch (s.type) {
    case 'email':
      return { body: { type: 'email', email: s.email ?? s.value, language }, notes: [] };
    case 'sms':
      return { body: { type: 'sms', phone: s.phone ?? s.value, language }, notes: [] };
    case 'teams':
      return { body: { type: 'teams', teams_webhook_url: s.teams_webhook_url ?? s.value, language }, notes: [] };
    case 'slack':
      return { skip: 'Slack subscriptions cannot be added through the API (they need the Slack sign-in on the page)' };
    default:
      return { skip: `subscribers of type ${s.type} are not supported` };
  }
}

export function maintenanceBody(w: Json, refs: ImportRefs): Mapped {
  const notes: string[] = [];
  const body: Json = {
    name: w.name,
    title: texts(w.title),
    start_date: w.start_date,
    end_date: w.end_date,
    monitors: remap(w.monitors, refs.monitors, 'monitor', notes),
    statuspages: remap(w.statuspages, refs.statuspages, 'status page', notes),
    ...pick(w, ['notificationOption', 'notificationMinutes']),
  };
  if (isObject(w.text)) body.text = texts(w.text);
  return { body, notes };
}

/** An incident with its timeline; `updates` are appended on a re-run, never rewritten (the API cannot). */
export function incidentBody(i: Json, refs: ImportRefs): Mapped {
  const notes: string[] = [];
  const body: Json = {
    title: texts(i.title),
    type: i.type,
    date: i.date,
    affectedComponents: remap(i.affectedComponents, refs.monitors, 'monitor', notes),
    statuspages: remap(i.statuspages, refs.statuspages, 'status page', notes),
    updates: (Array.isArray(i.updates) ? i.updates : []).map((u: Json) => ({
      text: texts(u.text),
      type: u.type,
      date: u.date,
    })),
  };
  if (isObject(i.text)) body.text = texts(i.text);
  return { body, notes };
}

/** One timeline entry's identity, to find the entries a re-run must add. */
export function updateKey(at: number | string, type: string, text: unknown): string {
  return `${typeof at === 'number' ? at : Date.parse(at)} ${type} ${canonical(text)}`;
}
