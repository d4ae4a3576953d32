import net from 'node:net';
import { getDomain } from 'tldts';
import { ValidationError } from './errors.ts';
import { ID_MAX, NAME_MAX, URL_MAX, checkItems, checkLength } from './limits.ts';

export const REGIONS = [
  'london',
  'frankfurt',
  'paris',
  'amsterdam',
  'singapore',
  'sydney',
  'tokyo',
  'seoul',
  'mumbai',
  'bangalore',
  'virginia',
  'california',
  'sanfrancisco',
  'nyc',
  'toronto',
  'saopaulo',
  'bahrain',
  'capetown',
] as const;
export const CHECK_FREQUENCIES = [10, 20, 30, 60, 120, 180, 300, 600, 1800, 3600, 21600, 43200, 86400] as const;
export const ALERTS_WAIT = [-1, 0, 1, 2, 3, 5, 10, 30, 60] as const;
export const PROTOCOLS = ['http', 'port', 'icmp', 'dns'] as const;
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
export const DNS_RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'NS', 'TXT', 'SOA', 'SRV', 'CAA', 'PTR'] as const;
export const IP_VERSIONS = [4, 6] as const;
/** Days before a TLS certificate expires that the first alert goes out; -1 never. */
export const SSL_ALERT_DAYS = [-1, 1, 3, 7, 15, 30, 60, 90] as const;
/** Days before a domain's registration expires that an alert goes out; -1 never. */
export const DOMAIN_ALERT_DAYS = [-1, 7, 14, 30, 60, 90] as const;
export const STATUS_CODE_PATTERN = /^(?:[1-5]\d{2}|[1-5]xx(?:-[1-5]xx)?)$/;

/** One of each region at most ("*" stands for all of them). */
export const MAX_REGIONS = REGIONS.length;
export const MAX_TIMEOUT_SECONDS = 60;
export const MAX_REQUEST_HEADERS = 50;
export const HEADER_NAME_MAX = 256;
export const HEADER_VALUE_MAX = 8192;
/** The longest value of each string a monitor is written with. */
export const MONITOR_TEXT_MAX = {
  name: NAME_MAX,
  url: URL_MAX,
  request_body: 100_000,
  required_keyword: 1024,
  dns_nameserver: 256,
  dns_expected_answer: 1024,
  escalation_policy: ID_MAX,
  group_id: ID_MAX,
} as const;
const FORBIDDEN_HEADERS = [
  'host',
  'transfer-encoding',
  'content-length',
  'connection',
  'upgrade',
  'te',
  'trailer',
  'expect',
];
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HOSTNAME =
  /^(?=.{1,253}\.?$)(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?\.?$/;

export type Protocol = (typeof PROTOCOLS)[number];

export interface RequestHeader {
  name: string;
  value: string;
}

/** A monitor's settings as the rules see them (storage and wire mapping live elsewhere). */
export interface MonitorSettings {
  name: string;
  url: string;
  protocol: Protocol;
  paused: boolean;
  port: number | null;
  http_method: string;
  regions: string[];
  check_frequency: number;
  timeout: number;
  follow_redirects: boolean;
  expected_status_code: string;
  request_body: string;
  request_headers: RequestHeader[] | null;
  required_keyword: string | null;
  dns_record_type: string | null;
  dns_nameserver: string | null;
  dns_expected_answer: string | null;
  alerts_wait: number;
  group_id: string | number | null;
  sort_order: number;
  show_url: boolean;
  escalation_policy: string | null;
  ip_version: 4 | 6;
  ssl_alert_days: number;
  ssl_reminders: boolean;
  ssl_notify_on_change: boolean;
  domain_alert_days: number;
}

export function defaultSettings(): Omit<MonitorSettings, 'name' | 'url'> {
  return {
    protocol: 'http',
    paused: false,
    port: null,
    http_method: 'GET',
    regions: [...REGIONS],
    check_frequency: 60,
    timeout: 10,
    follow_redirects: true,
    expected_status_code: '2xx',
    request_body: '',
    request_headers: null,
    required_keyword: null,
    dns_record_type: null,
    dns_nameserver: null,
    dns_expected_answer: null,
    alerts_wait: 0,
    group_id: null,
    sort_order: 0,
    show_url: false,
    escalation_policy: null,
    ip_version: 4,
    ssl_alert_days: 30,
    ssl_reminders: true,
    ssl_notify_on_change: false,
    domain_alert_days: -1,
  };
}

type Input = Record<string, unknown>;

function fail(message: string): never {
  throw new ValidationError(message);
}

function str(input: Input, key: string, max: number): string | undefined {
  const v = input[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') fail(`${key} must be a string`);
  if (v.length > max) fail(`${key} must be at most ${max} characters`);
  if (v.includes('\0')) fail(`${key} must not contain NUL characters`);
  return v;
}

/** Optional string where "" or null clears the value. */
function clearable(input: Input, key: string, max: number): string | null | undefined {
  if (input[key] === null) return null;
  const v = str(input, key, max);
  return v === undefined ? undefined : v === '' ? null : v;
}

function bool(input: Input, key: string): boolean | undefined {
  const v = input[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') fail(`${key} must be true or false`);
  return v;
}

function oneOf<T extends string | number>(input: Input, key: string, allowed: readonly T[]): T | undefined {
  const v = input[key];
  if (v === undefined) return undefined;
  if (!allowed.includes(v as T)) fail(`${key} must be one of ${allowed.join(', ')}`);
  return v as T;
}

/** Accepts a host name or IP literal (ICMP/port/DNS targets); refuses anything a shell or ping could misread. */
export function isValidHost(host: string): boolean {
  if (net.isIP(host)) return true;
  return HOSTNAME.test(host) && !host.startsWith('-');
}

/**
 * A DNS monitor's nameserver: an IP address with an optional port (`1.1.1.1:53`, `[::1]:5353`,
 * bare `::1`) or a host name (port 53). Null when it is none of these.
 */
export function parseNameserver(value: string): { host: string; port: number } | null {
  const m = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(value) ?? /^([\d.]+):(\d{1,5})$/.exec(value);
  if (!m) return isValidHost(value) ? { host: value, port: 53 } : null;
  const port = m[2] === undefined ? 53 : Number(m[2]);
  if (!net.isIP(m[1]) || (m[0].startsWith('[') && !net.isIPv6(m[1])) || port < 1 || port > 65535) return null;
  return { host: m[1], port };
}

/** Host part of a monitor target: an http(s)/tcp URL or a bare host. */
export function targetHost(url: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    try {
      const u = new URL(url);
      return u.hostname.replace(/^\[|\]$/g, '') || null;
    } catch {
      return null;
    }
  }
  const bare = url.replace(/^\[|\]$/g, '');
  return isValidHost(bare) ? bare : null;
}

export function isHttpUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

function validUrlFor(protocol: Protocol, url: string): boolean {
  if (protocol === 'http') return isHttpUrl(url);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !/^(https?|tcp|udp):\/\//i.test(url)) return false;
  const host = targetHost(url);
  return host !== null && isValidHost(host);
}

export function normalizeStatusCode(v: unknown): string {
  const s = typeof v === 'number' && Number.isInteger(v) ? String(v) : v;
  if (typeof s !== 'string' || !STATUS_CODE_PATTERN.test(s)) {
    fail('expected_status_code must be a status code (200), a class (2xx) or a range (1xx-3xx)');
  }
  const range = s.match(/^([1-5])xx-([1-5])xx$/);
  if (range && range[1] > range[2]) fail('expected_status_code range must go from low to high (1xx-3xx)');
  return s;
}

/** True when the expected pattern admits the status code. */
export function statusMatches(pattern: string, code: number): boolean {
  if (/^\d{3}$/.test(pattern)) return Number(pattern) === code;
  const [lo, hi = lo] = pattern.split('-').map((p) => Number(p[0]));
  const cls = Math.floor(code / 100);
  return cls >= lo && cls <= hi;
}

function headers(v: unknown): RequestHeader[] | null {
  if (v === null) return null;
  if (!Array.isArray(v)) fail('request_headers must be a list of {name, value} objects');
  checkItems(v, 'request_headers', MAX_REQUEST_HEADERS);
  const out = v.map((h, i) => {
    if (!h || typeof h !== 'object' || typeof h.name !== 'string' || typeof h.value !== 'string') {
      fail('request_headers must be a list of {name, value} objects');
    }
    checkLength(h.name, `request_headers[${i}].name`, HEADER_NAME_MAX);
    checkLength(h.value, `request_headers[${i}].value`, HEADER_VALUE_MAX);
    if (!TOKEN.test(h.name)) fail(`request header name "${h.name}" is not a valid header name`);
    if (FORBIDDEN_HEADERS.includes(h.name.toLowerCase())) fail(`request header ${h.name} cannot be set`);
    // RFC 9110 field values: visible characters, spaces and tabs; no other control character.
    if (!/^[\t\x20-\x7e\x80-\xff]*$/.test(h.value))
      fail(`request_headers[${i}].value: the value of ${h.name} must not hold control characters`);
    return { name: h.name, value: h.value };
  });
  return out.length ? out : null;
}

function regions(v: unknown): string[] {
  if (!Array.isArray(v) || v.length === 0) fail('regions must be a non-empty list of regions');
  checkItems(v, 'regions', MAX_REGIONS);
  if (v.includes('*')) return [...REGIONS];
  for (const r of v) if (!REGIONS.includes(r)) fail(`regions must be among ${REGIONS.join(', ')}`);
  return [...new Set(v as string[])];
}

/**
 * Applies a create (current = null) or partial update body to the current settings and
 * enforces every field and cross-field rule. Unknown keys are ignored.
 */
export function applyMonitorInput(current: MonitorSettings | null, input: Input): MonitorSettings {
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    fail('The request body must be a JSON object');
  const next: MonitorSettings = current ? { ...current } : { ...defaultSettings(), name: '', url: '' };

  const name = str(input, 'name', MONITOR_TEXT_MAX.name);
  if (name !== undefined) {
    if (name.trim() === '') fail('name must not be empty');
    next.name = name;
  } else if (!current) fail('name is required');

  const url = str(input, 'url', MONITOR_TEXT_MAX.url);
  if (url !== undefined) next.url = url.trim();
  else if (!current) fail('url is required');

  // "" as not sent: develeap/hyperping-go sends it for an unset protocol.
  const protocol = input.protocol === '' ? undefined : oneOf(input, 'protocol', PROTOCOLS);
  if (protocol !== undefined) next.protocol = protocol;
  const method = oneOf(input, 'http_method', HTTP_METHODS);
  if (method !== undefined) next.http_method = method;
  const freq = oneOf(input, 'check_frequency', CHECK_FREQUENCIES);
  if (freq !== undefined) next.check_frequency = freq;
  const wait = oneOf(input, 'alerts_wait', ALERTS_WAIT);
  if (wait !== undefined) next.alerts_wait = wait;
  const ipVersion = oneOf(input, 'ip_version', IP_VERSIONS);
  if (ipVersion !== undefined) next.ip_version = ipVersion;
  const sslDays = oneOf(input, 'ssl_alert_days', SSL_ALERT_DAYS);
  if (sslDays !== undefined) next.ssl_alert_days = sslDays;
  const domainDays = oneOf(input, 'domain_alert_days', DOMAIN_ALERT_DAYS);
  if (domainDays !== undefined) next.domain_alert_days = domainDays;
  if (input.regions !== undefined) next.regions = regions(input.regions);
  if (input.timeout !== undefined) {
    const t = input.timeout;
    if (typeof t !== 'number' || !Number.isInteger(t) || t < 1 || t > MAX_TIMEOUT_SECONDS)
      fail(`timeout must be a whole number of seconds from 1 to ${MAX_TIMEOUT_SECONDS}`);
    next.timeout = t;
  }
  for (const key of ['paused', 'follow_redirects', 'show_url', 'ssl_reminders', 'ssl_notify_on_change'] as const) {
    const b = bool(input, key);
    if (b !== undefined) next[key] = b;
  }
  if (input.expected_status_code !== undefined)
    next.expected_status_code = normalizeStatusCode(input.expected_status_code);
  if (input.request_body !== undefined)
    next.request_body = input.request_body === null ? '' : str(input, 'request_body', MONITOR_TEXT_MAX.request_body)!;
  if (input.request_headers !== undefined) next.request_headers = headers(input.request_headers);
  const keyword = clearable(input, 'required_keyword', MONITOR_TEXT_MAX.required_keyword);
  if (keyword !== undefined) next.required_keyword = keyword;
  const dnsType = input.dns_record_type === null ? null : oneOf(input, 'dns_record_type', DNS_RECORD_TYPES);
  if (dnsType !== undefined) next.dns_record_type = dnsType;
  const ns = clearable(input, 'dns_nameserver', MONITOR_TEXT_MAX.dns_nameserver);
  if (ns !== undefined) {
    if (ns !== null && !parseNameserver(ns))
      fail('dns_nameserver must be an IP address (optionally with :port, [IPv6]:port) or a host name');
    next.dns_nameserver = ns;
  }
  const answer = clearable(input, 'dns_expected_answer', MONITOR_TEXT_MAX.dns_expected_answer);
  if (answer !== undefined) next.dns_expected_answer = answer;
  if (input.sort_order !== undefined) {
    if (typeof input.sort_order !== 'number' || !Number.isInteger(input.sort_order))
      fail('sort_order must be a whole number');
    next.sort_order = input.sort_order;
  }
  if (input.group_id !== undefined) {
    const g = input.group_id;
    if (g !== null && typeof g !== 'string' && !(typeof g === 'number' && Number.isInteger(g)))
      fail('group_id must be a string, a whole number or null');
    if (typeof g === 'string') checkLength(g, 'group_id', MONITOR_TEXT_MAX.group_id);
    next.group_id = g as string | number | null;
  }
  if (input.escalation_policy !== undefined) {
    const p = input.escalation_policy;
    if (p === null || p === 'none') next.escalation_policy = null;
    else if (typeof p !== 'string' || p === '') fail('escalation_policy must be an escalation policy uuid or "none"');
    else {
      checkLength(p, 'escalation_policy', MONITOR_TEXT_MAX.escalation_policy);
      next.escalation_policy = p;
    }
  }

  // Port: required for port monitors, refused for the others.
  if (input.port !== undefined && input.port !== null) {
    const p = input.port;
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 1 || p > 65535)
      fail('port must be a whole number from 1 to 65535');
    if (next.protocol !== 'port') fail(`port is only allowed for port monitors, not ${next.protocol}`);
    next.port = p;
  } else if (input.port === null || next.protocol !== 'port') {
    next.port = null;
  }
  if (next.protocol === 'port' && next.port === null) fail('port is required for port monitors');

  // HTTP-only and DNS-only settings.
  if (next.protocol !== 'http') {
    if (input.request_body) fail(`request_body is only allowed for http monitors`);
    if (Array.isArray(input.request_headers) && input.request_headers.length)
      fail('request_headers is only allowed for http monitors');
    if (input.required_keyword) fail('required_keyword is only allowed for http monitors');
  }
  if (next.protocol === 'dns') {
    next.dns_record_type ??= 'A';
  } else {
    if (input.dns_record_type || input.dns_nameserver || input.dns_expected_answer) {
      fail('dns_record_type, dns_nameserver and dns_expected_answer are only allowed for dns monitors');
    }
    next.dns_record_type = null;
    next.dns_nameserver = null;
    next.dns_expected_answer = null;
  }

  if (!validUrlFor(next.protocol, next.url)) fail('Invalid URL');

  // An IP address in the URL fixes the IP version: inferred when not sent, refused when it disagrees.
  const literal = next.protocol === 'dns' ? 0 : net.isIP(targetHost(next.url) ?? '');
  if (literal) {
    if (ipVersion !== undefined && ipVersion !== literal)
      fail(`ip_version ${ipVersion} cannot reach the IPv${literal} address in url`);
    next.ip_version = literal as 4 | 6;
  }
  return next;
}

/**
 * The registrable domain of a monitor's target (`api.example.co.uk` → `example.co.uk`), whose
 * registration expiry is looked up over RDAP; null for IP addresses and single-label hosts.
 */
export function registrableDomain(_protocol: Protocol, url: string): string | null {
  const host = targetHost(url);
  if (!host || net.isIP(host)) return null;
  return getDomain(host.replace(/\.$/, '').toLowerCase(), { allowPrivateDomains: false }) ?? null;
}

/** The standard reminder steps, in days before expiry, of TLS certificate alerts. */
export const SSL_REMINDER_STEPS = [90, 60, 30, 15, 7, 3, 1] as const;

/**
 * The certificate-expiry alert due when `daysLeft` days are left, as the threshold it belongs
 * to (each threshold alerts once per certificate), or null. The first alert is at
 * `alertDays`; with reminders, again at each standard step below it. A certificate already
 * expired is an outage, not a reminder.
 */
export function sslAlertStep(daysLeft: number, alertDays: number, reminders: boolean): number | null {
  if (alertDays < 0 || daysLeft < 0 || daysLeft > alertDays) return null;
  if (!reminders) return alertDays;
  const steps = [alertDays, ...SSL_REMINDER_STEPS.filter((s) => s < alertDays)];
  return steps.filter((s) => s >= daysLeft).at(-1)!;
}

/** The domain-expiry alert due when `daysLeft` days are left (one per registration), or null. */
export function domainAlertStep(daysLeft: number, alertDays: number): number | null {
  return alertDays >= 0 && daysLeft <= alertDays ? alertDays : null;
}
