import { defaultSettings, targetHost, type MonitorSettings } from '../../../domain/monitors.ts';
import { isIP } from 'node:net';
import { messageField } from '../../ui/forms.ts';

/**
 * The monitor form's values: read from a monitor or from the posted form, how they become the
 * body the API takes (so the services apply the very same rules), and which field a service
 * message belongs beside. What the form looks like is in views.ts.
 */

export interface MonitorFormValues {
  name: string;
  url: string;
  protocol: string;
  http_method: string;
  expected_status_code: string;
  follow_redirects: boolean;
  required_keyword: string;
  request_headers: string;
  request_body: string;
  port: string;
  dns_record_type: string;
  dns_nameserver: string;
  dns_expected_answer: string;
  check_frequency: string;
  timeout: string;
  alerts_wait: string;
  regions: string[];
  ip_version: string;
  ssl_alert_days: string;
  ssl_reminders: boolean;
  ssl_notify_on_change: boolean;
  domain_alert_days: string;
}

export function formValuesOf(
  s: Omit<MonitorSettings, 'name' | 'url'> & { name: string; url: string },
): MonitorFormValues {
  return {
    name: s.name,
    url: s.url,
    protocol: s.protocol,
    http_method: s.http_method,
    expected_status_code: s.expected_status_code,
    follow_redirects: s.follow_redirects,
    required_keyword: s.required_keyword ?? '',
    request_headers: (s.request_headers ?? []).map((h) => `${h.name}: ${h.value}`).join('\n'),
    request_body: s.request_body,
    port: s.port === null ? '' : String(s.port),
    dns_record_type: s.dns_record_type ?? 'A',
    dns_nameserver: s.dns_nameserver ?? '',
    dns_expected_answer: s.dns_expected_answer ?? '',
    check_frequency: String(s.check_frequency),
    timeout: String(s.timeout),
    alerts_wait: String(s.alerts_wait),
    regions: s.regions,
    ip_version: String(s.ip_version),
    ssl_alert_days: String(s.ssl_alert_days),
    ssl_reminders: s.ssl_reminders,
    ssl_notify_on_change: s.ssl_notify_on_change,
    domain_alert_days: String(s.domain_alert_days),
  };
}

export const emptyForm = (): MonitorFormValues => formValuesOf({ ...defaultSettings(), name: '', url: '' });

export function readForm(f: URLSearchParams): MonitorFormValues {
  const get = (k: string) => f.get(k) ?? '';
  return {
    name: get('name'),
    url: get('url'),
    protocol: get('protocol'),
    http_method: get('http_method'),
    expected_status_code: get('expected_status_code'),
    follow_redirects: f.get('follow_redirects') === 'on',
    required_keyword: get('required_keyword'),
    request_headers: get('request_headers'),
    request_body: get('request_body'),
    port: get('port'),
    dns_record_type: get('dns_record_type'),
    dns_nameserver: get('dns_nameserver'),
    dns_expected_answer: get('dns_expected_answer'),
    check_frequency: get('check_frequency'),
    timeout: get('timeout'),
    alerts_wait: get('alerts_wait'),
    regions: f.getAll('regions'),
    ip_version: get('ip_version'),
    ssl_alert_days: get('ssl_alert_days'),
    ssl_reminders: f.get('ssl_reminders') === 'on',
    ssl_notify_on_change: f.get('ssl_notify_on_change') === 'on',
    domain_alert_days: get('domain_alert_days'),
  };
}

/** A number when the text is one, else the text itself (so the rule names the field). */
const numberish = (v: string): unknown => (/^-?\d+$/.test(v.trim()) ? Number(v.trim()) : v);

/**
 * The API body of a submitted form. Fields of other protocols are sent empty, so switching a
 * monitor from HTTP to DNS clears them, as a client would.
 */
export function toInput(v: MonitorFormValues): Record<string, unknown> {
  const input: Record<string, unknown> = {
    name: v.name,
    url: v.url,
    protocol: v.protocol,
    check_frequency: numberish(v.check_frequency),
    timeout: v.timeout.trim() === '' ? undefined : numberish(v.timeout),
    alerts_wait: numberish(v.alerts_wait),
    regions: v.regions,
  };
  // Sent only when the form had them (a form posted without them keeps the monitor's settings).
  if (v.domain_alert_days !== '') input.domain_alert_days = numberish(v.domain_alert_days);
  // The IP version of a DNS monitor is not used; an IP address in the URL decides it for the others.
  if (v.ip_version !== '' && v.protocol !== 'dns' && !isIP(targetHost(v.url.trim()) ?? ''))
    input.ip_version = numberish(v.ip_version);
  if (v.protocol === 'http' && v.ssl_alert_days !== '') {
    input.ssl_alert_days = numberish(v.ssl_alert_days);
    input.ssl_reminders = v.ssl_reminders;
    input.ssl_notify_on_change = v.ssl_notify_on_change;
  }
  if (v.protocol === 'http') {
    input.http_method = v.http_method;
    input.expected_status_code = v.expected_status_code.trim();
    input.follow_redirects = v.follow_redirects;
    input.required_keyword = v.required_keyword;
    input.request_body = v.request_body;
    // One "Name: value" per line; a line without a colon is a name the rules will refuse.
    input.request_headers = v.request_headers
      .split(/\r?\n/)
      .filter((l) => l.trim() !== '')
      .map((l) => {
        const i = l.indexOf(':');
        return i < 0 ? { name: l.trim(), value: '' } : { name: l.slice(0, i).trim(), value: l.slice(i + 1).trim() };
      });
  } else {
    input.request_headers = null;
    input.required_keyword = null;
    input.request_body = '';
  }
  input.port = v.protocol === 'port' ? (v.port.trim() === '' ? null : numberish(v.port)) : null;
  if (v.protocol === 'dns') {
    input.dns_record_type = v.dns_record_type;
    input.dns_nameserver = v.dns_nameserver.trim();
    input.dns_expected_answer = v.dns_expected_answer;
  } else {
    input.dns_record_type = null;
    input.dns_nameserver = null;
    input.dns_expected_answer = null;
  }
  return input;
}

// Specific messages first: "request header X" and the three DNS fields named together.
const PATTERNS: [RegExp, string][] = [
  [/^Invalid URL/, 'url'],
  [/^request header|request_headers/, 'request_headers'],
  [/dns_record_type, dns_nameserver/, 'dns_record_type'],
];
const FIELDS = [
  'expected_status_code',
  'check_frequency',
  'follow_redirects',
  'required_keyword',
  'request_body',
  'dns_record_type',
  'dns_nameserver',
  'dns_expected_answer',
  'alerts_wait',
  'http_method',
  'protocol',
  'regions',
  'timeout',
  'port',
  'ip_version',
  'ssl_alert_days',
  'ssl_reminders',
  'ssl_notify_on_change',
  'domain_alert_days',
  'name',
  'url',
];

/** The field a service's validation message is about ('' when it names none). */
export const fieldOfMessage = (message: string) => messageField(message, FIELDS, PATTERNS);
