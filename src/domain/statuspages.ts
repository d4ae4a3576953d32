import { ValidationError } from './errors.ts';
import type { LocalizedText } from './localized.ts';
import { ID_MAX, LANGUAGES_MAX, NAME_MAX, URL_MAX, checkEntries, checkItems } from './limits.ts';

/** Status-page languages ([GO] AllowedLanguages, TF). */
export const PAGE_LANGUAGES = ['en', 'fr', 'de', 'ru', 'nl', 'pl', 'sv'] as const;
export const THEMES = ['light', 'dark', 'system'] as const;
export const FONTS = [
  'system-ui',
  'Lato',
  'Manrope',
  'Inter',
  'Open Sans',
  'Montserrat',
  'Poppins',
  'Roboto',
  'Raleway',
  'Nunito',
  'Merriweather',
  'DM Sans',
  'Work Sans',
] as const;
export const SUBSCRIBER_TYPES = ['email', 'sms', 'teams', 'slack'] as const;
/** Slack subscriptions need the dashboard's OAuth flow; the API adds only these. */
export const ADDABLE_SUBSCRIBER_TYPES = ['email', 'sms', 'teams'] as const;
/** The domain of `hostedsubdomain` (the recorded one is hyperping.app). */
export const HOSTED_DOMAIN = 'hyperping.app';
/** A public email subscription not confirmed within this long is deleted (services/retention.ts). */
export const UNCONFIRMED_SUBSCRIBER_TTL_MS = 48 * 3600_000;

export type PageLanguage = (typeof PAGE_LANGUAGES)[number];

export const MAX_SECTIONS = 50;
/** Services directly in one section, a group counting as one. */
export const MAX_SECTION_SERVICES = 100;
export const MAX_GROUP_SERVICES = 100;
/** Every service on a page: groups and the services inside them count too. */
export const MAX_PAGE_SERVICES = 500;
export const MAX_ALLOWED_DOMAINS = 50;
const HOSTNAME_MAX = 253;
/** The longest value of each string a page is written with (names and descriptions per language). */
export const PAGE_TEXT_MAX = {
  name: NAME_MAX,
  subdomain: 200,
  hostname: HOSTNAME_MAX,
  website: URL_MAX,
  logo: URL_MAX,
  favicon: URL_MAX,
  description: 5000,
  accent_color: '#rrggbb'.length,
  logo_height: 12,
  google_analytics: 32,
  password: 200,
  google_allowed_domain: HOSTNAME_MAX,
  sso_connection_uuid: ID_MAX,
  section_name: NAME_MAX,
  service_name: NAME_MAX,
  service_description: 1000,
} as const;

/** `settings` as read (api-contract §8.3), without `name` (a column) and `sso_connection` (always null). */
export interface PageSettings {
  website: string;
  description: LocalizedText;
  languages: PageLanguage[];
  default_language: PageLanguage;
  theme: (typeof THEMES)[number];
  font: string;
  accent_color: string;
  auto_refresh: boolean;
  banner_header: boolean;
  logo: string | null;
  logo_height: string;
  favicon: string | null;
  hide_powered_by: boolean;
  hide_from_search_engines: boolean;
  google_analytics: string | null;
  subscribe: { enabled: boolean; email: boolean; slack: boolean; teams: boolean; sms: boolean };
  authentication: {
    password_protection: boolean;
    google_sso: boolean;
    google_allowed_domains: string[];
    saml_sso: boolean;
    sso_connection_uuid: string | null;
  };
}

/** A service on a page: a monitor (by numeric id), a healthcheck (by row id) or a group of them. */
export interface StoredService {
  id: number;
  monitor_id: number | null;
  /** Pages stored before healthchecks could be shown have none. */
  healthcheck_id?: number | null;
  name: LocalizedText;
  description: LocalizedText;
  is_group: boolean;
  show_uptime: boolean;
  show_response_times: boolean;
  services: StoredService[];
}

export interface StoredSection {
  name: LocalizedText;
  is_split: boolean;
  services: StoredService[];
}

export function defaultSettings(): PageSettings {
  return {
    website: '',
    description: { en: '', fr: '', de: '', ru: '', nl: '' },
    languages: ['en'],
    default_language: 'en',
    theme: 'system',
    font: 'Inter',
    accent_color: '#36b27e',
    auto_refresh: false,
    banner_header: true,
    logo: null,
    logo_height: '32px',
    favicon: null,
    hide_powered_by: false,
    hide_from_search_engines: false,
    google_analytics: null,
    subscribe: { enabled: true, email: true, slack: false, teams: false, sms: false },
    authentication: {
      password_protection: false,
      google_sso: false,
      google_allowed_domains: [],
      saml_sso: false,
      sso_connection_uuid: null,
    },
  };
}

type Input = Record<string, unknown>;

function fail(message: string): never {
  throw new ValidationError(message);
}

const isObject = (v: unknown): v is Input => v !== null && typeof v === 'object' && !Array.isArray(v);

function str(v: unknown, field: string, max: number, opts: { empty?: boolean } = {}): string {
  if (typeof v !== 'string') fail(`${field} must be a string`);
  if (!opts.empty && v.trim() === '') fail(`${field} must not be empty`);
  if (v.length > max) fail(`${field} must be at most ${max} characters`);
  if (v.includes('\0')) fail(`${field} must not contain NUL characters`);
  return v;
}

function bool(v: unknown, field: string): boolean {
  if (typeof v !== 'boolean') fail(`${field} must be true or false`);
  return v;
}

function oneOf<T extends string>(v: unknown, field: string, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !allowed.includes(v as T)) fail(`${field} must be one of ${allowed.join(', ')}`);
  return v as T;
}

/** `null` or `""` clears an optional string (api-contract §14.5). */
function optionalStr(v: unknown, field: string, max: number): string | null {
  if (v === null || v === '') return null;
  return str(v, field, max);
}

/** An absolute http(s) URL, as a logo, favicon or website must be (they end up in HTML attributes). */
function httpUrl(v: unknown, field: 'website' | 'logo' | 'favicon'): string {
  const s = str(v, field, PAGE_TEXT_MAX[field]);
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    fail(`${field} must be an http or https URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') fail(`${field} must be an http or https URL`);
  return s;
}

const SUBDOMAIN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const HOSTNAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
const CSS_LENGTH = /^\d{1,4}(?:\.\d{1,2})?(?:px|rem|em|%)$/;

/**
 * The DNS record that proves a custom hostname belongs to whoever set it on the page: a TXT
 * record at `_vigil.<hostname>` holding `vigil-verification=<token>` (the page's own token).
 */
export function hostnameProof(hostname: string, token: string): { type: 'TXT'; name: string; value: string } {
  return { type: 'TXT', name: `_vigil.${hostname}`, value: `vigil-verification=${token}` };
}

/** `acme` or `acme.hyperping.app` → `acme` (TF strips and re-adds the suffix). */
export function parseSubdomain(v: unknown): string {
  const s = str(v, 'subdomain', PAGE_TEXT_MAX.subdomain)
    .toLowerCase()
    .replace(new RegExp(`\\.${HOSTED_DOMAIN.replace('.', '\\.')}$`), '');
  if (!SUBDOMAIN.test(s))
    fail('subdomain must be 1–63 letters, digits or hyphens, not starting or ending with a hyphen');
  return s;
}

/** A subdomain made from a page name when none is given (made unique by the caller). */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return slug || 'status';
}

export interface PageFields {
  name: string;
  subdomain: string | null;
  hostname: string | null;
  settings: PageSettings;
  /** undefined: unchanged; null: remove the password; string: set it. */
  password: string | null | undefined;
  sections: WrittenSection[] | undefined;
}

/** A section as written; services still name monitors as given (`mon_…` or a numeric id). */
export interface WrittenSection {
  name: LocalizedText;
  is_split: boolean;
  services: WrittenService[];
}

export interface WrittenService {
  /** `mon_…` or a monitor's numeric id. */
  monitor: string | null;
  /** A healthcheck's public id, `hc_…` (never its ping token). */
  healthcheck: string | null;
  name: LocalizedText | null;
  description: LocalizedText;
  is_group: boolean;
  show_uptime: boolean;
  show_response_times: boolean;
  services: WrittenService[];
}

function localizedOrString(v: unknown, field: string, lang: PageLanguage, max: number): LocalizedText {
  if (typeof v === 'string') return { [lang]: str(v, field, max, { empty: true }) };
  if (!isObject(v)) fail(`${field} must be a string or an object of texts by language`);
  checkEntries(v, field, LANGUAGES_MAX);
  const out: LocalizedText = {};
  for (const [k, t] of Object.entries(v)) {
    if (!/^[a-z]{2}$/.test(k)) fail(`${field}.${k} is not a language code`);
    (out as Record<string, string>)[k] = str(t, `${field}.${k}`, max, { empty: true });
  }
  return out;
}

/** What a service shows: a monitor (`mon_…` or its numeric id) or a healthcheck (`hc_…`). */
function serviceRef(v: unknown, field: string): { monitor: string | null; healthcheck: string | null } {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) return { monitor: String(v), healthcheck: null };
  if (typeof v === 'string' && (/^\d{1,15}$/.test(v) || /^mon_[A-Za-z0-9]{1,64}$/.test(v)))
    return { monitor: v, healthcheck: null };
  if (typeof v === 'string' && /^hc_[A-Za-z0-9]{1,64}$/.test(v)) return { monitor: null, healthcheck: v };
  if (typeof v === 'string' && v.startsWith('tok_'))
    fail(`${field}: a healthcheck is shown by its publicUuid (hc_…), never by its ping token`);
  fail(`${field} must be a monitor's mon_ uuid or numeric id, or a healthcheck's hc_ publicUuid`);
}

function parseService(v: unknown, field: string, lang: PageLanguage, nested: boolean): WrittenService {
  if (!isObject(v)) fail(`${field} must be an object`);
  const isGroup = v.is_group === undefined ? false : bool(v.is_group, `${field}.is_group`);
  if (isGroup && nested) fail(`${field}: groups cannot be nested`);
  // Top-level services write monitor_uuid + name_shown; services inside a group write uuid + name.
  const ref = v.monitor_uuid ?? v.uuid;
  const rawName = v.name_shown ?? v.name;
  const children = v.services === undefined || v.services === null ? [] : v.services;
  if (!Array.isArray(children)) fail(`${field}.services must be a list`);
  if (!isGroup && children.length > 0) fail(`${field}.services is only allowed on a group (is_group: true)`);
  if (isGroup && (rawName === undefined || rawName === null || rawName === ''))
    fail(`${field}.name_shown is required for a group`);
  if (!isGroup && (ref === undefined || ref === null)) fail(`${field}.monitor_uuid is required`);
  const target = isGroup
    ? { monitor: null, healthcheck: null }
    : serviceRef(ref, `${field}.${v.monitor_uuid !== undefined ? 'monitor_uuid' : 'uuid'}`);
  const showResponseTimes =
    v.show_response_times === undefined ? false : bool(v.show_response_times, `${field}.show_response_times`);
  if (target.healthcheck && showResponseTimes)
    fail(`${field}.show_response_times: a healthcheck has no response times`);
  return {
    ...target,
    name:
      rawName === undefined || rawName === null || rawName === ''
        ? null
        : localizedOrString(rawName, `${field}.name`, lang, PAGE_TEXT_MAX.service_name),
    description:
      v.description === undefined || v.description === null
        ? {}
        : localizedOrString(v.description, `${field}.description`, lang, PAGE_TEXT_MAX.service_description),
    is_group: isGroup,
    show_uptime: v.show_uptime === undefined ? true : bool(v.show_uptime, `${field}.show_uptime`),
    show_response_times: showResponseTimes,
    services: children.map((c, i) => parseService(c, `${field}.services[${i}]`, lang, true)),
  };
}

function parseSections(v: unknown, lang: PageLanguage): WrittenSection[] {
  if (!Array.isArray(v)) fail('sections must be a list');
  checkItems(v, 'sections', MAX_SECTIONS);
  // Counted before anything is parsed or looked up.
  let count = 0;
  v.forEach((s, i) => {
    const services = isObject(s) && Array.isArray(s.services) ? s.services : [];
    checkItems(services, `sections[${i}].services`, MAX_SECTION_SERVICES);
    services.forEach((x, j) => {
      const members = isObject(x) && Array.isArray(x.services) ? x.services : [];
      checkItems(members, `sections[${i}].services[${j}].services`, MAX_GROUP_SERVICES);
      count += 1 + members.length;
      if (count > MAX_PAGE_SERVICES)
        fail(
          `sections[${i}].services[${j}]: a page may show at most ${MAX_PAGE_SERVICES} services in all, groups and the services inside them included`,
        );
    });
  });
  return v.map((s, i) => {
    const field = `sections[${i}]`;
    if (!isObject(s)) fail(`${field} must be an object`);
    if (s.name === undefined) fail(`${field}.name is required`);
    const services = s.services === undefined || s.services === null ? [] : s.services;
    if (!Array.isArray(services)) fail(`${field}.services must be a list`);
    return {
      name: localizedOrString(s.name, `${field}.name`, lang, PAGE_TEXT_MAX.section_name),
      is_split: s.is_split === undefined ? false : bool(s.is_split, `${field}.is_split`),
      services: services.map((x, j) => parseService(x, `${field}.services[${j}]`, lang, false)),
    };
  });
}

/**
 * Applies a flat write body (api-contract §8.2) to a page's current fields. Create passes the
 * defaults; PUT passes the stored page, so only keys present in the body change. Unknown keys
 * are ignored, as for every resource (clients send extras).
 */
export function applyPageInput(current: PageFields, input: unknown, isCreate: boolean): PageFields {
  if (!isObject(input)) fail('The request body must be a JSON object');
  const has = (k: string) => input[k] !== undefined;
  if (isCreate && !has('name')) fail('name is required');
  const s: PageSettings = structuredClone(current.settings);
  const out: PageFields = { ...current, settings: s, password: undefined, sections: undefined };

  if (has('name')) out.name = str(input.name, 'name', PAGE_TEXT_MAX.name);
  if (has('subdomain'))
    out.subdomain = input.subdomain === null || input.subdomain === '' ? null : parseSubdomain(input.subdomain);
  if (has('hostname')) {
    const h = optionalStr(input.hostname, 'hostname', PAGE_TEXT_MAX.hostname)?.toLowerCase() ?? null;
    if (h !== null && !HOSTNAME.test(h)) fail('hostname must be a domain name such as status.example.com');
    if (h !== null && (h === HOSTED_DOMAIN || h.endsWith(`.${HOSTED_DOMAIN}`)))
      fail(`hostname cannot be under ${HOSTED_DOMAIN}: that is where pages' hosted subdomains live`);
    out.hostname = h;
  }
  if (has('languages')) {
    if (!Array.isArray(input.languages) || input.languages.length === 0) fail('languages must be a non-empty list');
    checkItems(input.languages, 'languages', LANGUAGES_MAX);
    s.languages = [...new Set(input.languages.map((l, i) => oneOf(l, `languages[${i}]`, PAGE_LANGUAGES)))];
  }
  if (has('default_language')) s.default_language = oneOf(input.default_language, 'default_language', PAGE_LANGUAGES);
  if (!s.languages.includes(s.default_language)) {
    if (has('default_language')) fail("default_language must be one of the page's languages");
    s.default_language = s.languages[0];
  }
  if (has('website'))
    s.website = input.website === '' || input.website === null ? '' : httpUrl(input.website, 'website');
  if (has('description')) {
    // Written as a plain string (in the default language) or a map; read as a map.
    const d = input.description === null ? '' : input.description;
    s.description =
      typeof d === 'string'
        ? {
            ...defaultSettings().description,
            [s.default_language]: str(d, 'description', PAGE_TEXT_MAX.description, { empty: true }),
          }
        : localizedOrString(d, 'description', s.default_language, PAGE_TEXT_MAX.description);
  }
  if (has('theme')) s.theme = oneOf(input.theme, 'theme', THEMES);
  if (has('font')) s.font = oneOf(input.font, 'font', FONTS);
  if (has('accent_color')) {
    const c = str(input.accent_color, 'accent_color', PAGE_TEXT_MAX.accent_color);
    if (!/^#[0-9A-Fa-f]{6}$/.test(c)) fail('accent_color must be a colour such as #36b27e');
    s.accent_color = c;
  }
  for (const k of ['auto_refresh', 'banner_header', 'hide_powered_by', 'hide_from_search_engines'] as const) {
    if (has(k)) s[k] = bool(input[k], k);
  }
  if (has('logo')) s.logo = input.logo === null || input.logo === '' ? null : httpUrl(input.logo, 'logo');
  if (has('favicon'))
    s.favicon = input.favicon === null || input.favicon === '' ? null : httpUrl(input.favicon, 'favicon');
  if (has('logo_height')) {
    const l = str(input.logo_height, 'logo_height', PAGE_TEXT_MAX.logo_height);
    if (!CSS_LENGTH.test(l)) fail('logo_height must be a CSS length such as 32px');
    s.logo_height = l;
  }
  if (has('google_analytics')) {
    const g = optionalStr(input.google_analytics, 'google_analytics', PAGE_TEXT_MAX.google_analytics);
    if (g !== null && !/^[A-Za-z0-9-]+$/.test(g)) fail('google_analytics must be a measurement id such as G-XXXXXXX');
    s.google_analytics = g;
  }
  if (has('subscribe')) {
    if (!isObject(input.subscribe)) fail('subscribe must be an object');
    for (const [k, v] of Object.entries(input.subscribe)) {
      if (Object.hasOwn(s.subscribe, k)) s.subscribe[k as keyof PageSettings['subscribe']] = bool(v, `subscribe.${k}`);
    }
  }
  if (has('authentication')) {
    const a = input.authentication;
    if (!isObject(a)) fail('authentication must be an object');
    for (const [k, v] of Object.entries(a)) {
      if (k === 'password_protection' || k === 'google_sso' || k === 'saml_sso')
        s.authentication[k] = bool(v, `authentication.${k}`);
      else if (k === 'google_allowed_domains') {
        if (!Array.isArray(v)) fail('authentication.google_allowed_domains must be a list');
        checkItems(v, 'authentication.google_allowed_domains', MAX_ALLOWED_DOMAINS);
        s.authentication.google_allowed_domains = v.map((d, i) =>
          str(d, `authentication.google_allowed_domains[${i}]`, PAGE_TEXT_MAX.google_allowed_domain),
        );
      } else if (k === 'sso_connection_uuid')
        s.authentication.sso_connection_uuid = optionalStr(
          v,
          'authentication.sso_connection_uuid',
          PAGE_TEXT_MAX.sso_connection_uuid,
        );
    }
    // Single sign-on needs an identity provider Vigil does not have; refuse rather than leave a page open.
    if (s.authentication.google_sso || s.authentication.saml_sso)
      fail('Google and SAML single sign-on are not supported; use password_protection');
  }
  if (has('password')) {
    const p = input.password === null ? '' : str(input.password, 'password', PAGE_TEXT_MAX.password, { empty: true });
    out.password = p === '' ? null : p;
    if (p !== '' && p.length < 4) fail('password must be at least 4 characters');
  }
  if (has('sections')) out.sections = parseSections(input.sections, s.default_language);
  return out;
}
