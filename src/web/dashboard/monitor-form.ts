import {
  ALERTS_WAIT, CHECK_FREQUENCIES, DNS_RECORD_TYPES, DOMAIN_ALERT_DAYS, HTTP_METHODS, PROTOCOLS, REGIONS, SSL_ALERT_DAYS, defaultSettings, targetHost,
  type MonitorSettings,
} from '../../domain/monitors.ts';
import { isIP } from 'node:net';
import { html, type Markup } from './html.ts';
import { csrfInput, field, fieldError, formError, messageField, selectField, textareaField, type FieldErrors } from './forms.ts';

/**
 * The monitor form: what it shows, how its fields become the body the API takes (so the
 * services apply the very same rules), and which field a service message belongs beside.
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

const PROTOCOL_LABELS: Record<string, string> = { http: 'HTTP(S)', port: 'TCP port', icmp: 'ICMP (ping)', dns: 'DNS' };

export function frequencyLabel(s: number): string {
  if (s < 60) return `${s} seconds`;
  if (s < 3600) return s === 60 ? '1 minute' : `${s / 60} minutes`;
  if (s < 86400) return s === 3600 ? '1 hour' : `${s / 3600} hours`;
  return '1 day';
}
const daysLabel = (d: number) => (d === -1 ? 'Never' : d === 1 ? '1 day before' : `${d} days before`);
const waitLabel = (m: number) => (m === -1 ? 'Never (alerts off)' : m === 0 ? 'At once' : m === 1 ? 'After 1 minute' : `After ${m} minutes`);

export function formValuesOf(s: Omit<MonitorSettings, 'name' | 'url'> & { name: string; url: string }): MonitorFormValues {
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
    name: get('name'), url: get('url'), protocol: get('protocol'), http_method: get('http_method'),
    expected_status_code: get('expected_status_code'), follow_redirects: f.get('follow_redirects') === 'on',
    required_keyword: get('required_keyword'), request_headers: get('request_headers'), request_body: get('request_body'),
    port: get('port'), dns_record_type: get('dns_record_type'), dns_nameserver: get('dns_nameserver'), dns_expected_answer: get('dns_expected_answer'),
    check_frequency: get('check_frequency'), timeout: get('timeout'), alerts_wait: get('alerts_wait'), regions: f.getAll('regions'),
    ip_version: get('ip_version'), ssl_alert_days: get('ssl_alert_days'), ssl_reminders: f.get('ssl_reminders') === 'on',
    ssl_notify_on_change: f.get('ssl_notify_on_change') === 'on', domain_alert_days: get('domain_alert_days'),
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
  if (v.ip_version !== '' && v.protocol !== 'dns' && !isIP(targetHost(v.url.trim()) ?? '')) input.ip_version = numberish(v.ip_version);
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
    input.request_headers = v.request_headers.split(/\r?\n/).filter((l) => l.trim() !== '').map((l) => {
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
const PATTERNS: [RegExp, string][] = [[/^Invalid URL/, 'url'], [/^request header|request_headers/, 'request_headers'], [/dns_record_type, dns_nameserver/, 'dns_record_type']];
const FIELDS = ['expected_status_code', 'check_frequency', 'follow_redirects', 'required_keyword', 'request_body', 'dns_record_type', 'dns_nameserver',
  'dns_expected_answer', 'alerts_wait', 'http_method', 'protocol', 'regions', 'timeout', 'port', 'ip_version', 'ssl_alert_days', 'ssl_reminders',
  'ssl_notify_on_change', 'domain_alert_days', 'name', 'url'];

/** The field a service's validation message is about ('' when it names none). */
export const fieldOfMessage = (message: string) => messageField(message, FIELDS, PATTERNS);

export function monitorForm(o: { action: string; csrf: string; values: MonitorFormValues; errors: FieldErrors; submit: string; cancel: string }): Markup {
  const v = o.values;
  const e = o.errors;
  const shows = (p: string) => html` data-protocols="${p}"`;
  return html`<form method="post" action="${o.action}" class="monitor-form" novalidate>
  ${csrfInput(o.csrf)}
  ${formError(e)}
  ${field({ label: 'Name', name: 'name', value: v.name, error: e.name, required: true, attrs: html` maxlength="255" autocomplete="off"` })}
  ${selectField({ label: 'Check type', name: 'protocol', value: v.protocol, options: PROTOCOLS.map((p) => [p, PROTOCOL_LABELS[p]] as const), error: e.protocol })}
  ${field({ label: 'URL or host', name: 'url', value: v.url, error: e.url, required: true, hint: 'https://example.com/health for HTTP; a host name or IP address (or tcp://host) for the other types.', attrs: html` maxlength="2048" autocomplete="off" spellcheck="false" inputmode="url"` })}
  <fieldset class="group-box"${shows('http')}>
    <legend>HTTP</legend>
    <div class="grid-2">
      ${selectField({ label: 'Method', name: 'http_method', value: v.http_method, options: HTTP_METHODS.map((m) => [m, m] as const), error: e.http_method })}
      ${field({ label: 'Expected status', name: 'expected_status_code', value: v.expected_status_code, error: e.expected_status_code, hint: '200, 2xx or 1xx-3xx', attrs: html` maxlength="7" autocomplete="off"` })}
    </div>
    <div class="field${e.follow_redirects ? ' invalid' : ''}"><label class="choice"><input type="checkbox" name="follow_redirects"${v.follow_redirects ? html` checked` : ''}> <span>Follow redirects</span></label>${fieldError('f-follow_redirects', e.follow_redirects)}</div>
    ${field({ label: 'Required keyword', name: 'required_keyword', value: v.required_keyword, error: e.required_keyword, hint: 'Optional: the check fails when the body lacks it.', attrs: html` maxlength="1024" autocomplete="off"` })}
    ${textareaField({ label: 'Request headers', name: 'request_headers', value: v.request_headers, error: e.request_headers, hint: 'Optional, one per line: Name: value', attrs: html` spellcheck="false"` })}
    ${textareaField({ label: 'Request body', name: 'request_body', value: v.request_body, error: e.request_body, hint: 'Optional, sent as is.', attrs: html` spellcheck="false"` })}
    ${selectField({ label: 'Certificate expiry notice', name: 'ssl_alert_days', value: v.ssl_alert_days, options: SSL_ALERT_DAYS.map((d) => [String(d), daysLabel(d)] as const), error: e.ssl_alert_days })}
    <div class="field${e.ssl_reminders ? ' invalid' : ''}"><label class="choice"><input type="checkbox" name="ssl_reminders"${v.ssl_reminders ? html` checked` : ''}> <span>Remind again at 90, 60, 30, 15, 7, 3 and 1 days before</span></label>${fieldError('f-ssl_reminders', e.ssl_reminders)}</div>
    <div class="field${e.ssl_notify_on_change ? ' invalid' : ''}"><label class="choice"><input type="checkbox" name="ssl_notify_on_change"${v.ssl_notify_on_change ? html` checked` : ''}> <span>Notify when the certificate changes</span></label>${fieldError('f-ssl_notify_on_change', e.ssl_notify_on_change)}</div>
  </fieldset>
  <fieldset class="group-box"${shows('port')}>
    <legend>TCP port</legend>
    ${field({ label: 'Port', name: 'port', type: 'number', value: v.port, error: e.port, hint: '1 to 65535', attrs: html` min="1" max="65535" inputmode="numeric"` })}
  </fieldset>
  <fieldset class="group-box"${shows('dns')}>
    <legend>DNS</legend>
    <div class="grid-2">
      ${selectField({ label: 'Record type', name: 'dns_record_type', value: v.dns_record_type, options: DNS_RECORD_TYPES.map((t) => [t, t] as const), error: e.dns_record_type })}
      ${field({ label: 'Nameserver', name: 'dns_nameserver', value: v.dns_nameserver, error: e.dns_nameserver, hint: 'Optional: 1.1.1.1, [::1]:5353 or a host name', attrs: html` maxlength="256" autocomplete="off"` })}
    </div>
    ${field({ label: 'Expected answer', name: 'dns_expected_answer', value: v.dns_expected_answer, error: e.dns_expected_answer, hint: 'Optional: the check fails when no answer matches.', attrs: html` maxlength="1024" autocomplete="off"` })}
  </fieldset>
  <div class="grid-3">
    ${selectField({ label: 'Check every', name: 'check_frequency', value: v.check_frequency, options: CHECK_FREQUENCIES.map((f) => [String(f), frequencyLabel(f)] as const), error: e.check_frequency })}
    ${field({ label: 'Timeout (seconds)', name: 'timeout', type: 'number', value: v.timeout, error: e.timeout, attrs: html` min="1" max="60" inputmode="numeric"` })}
    ${selectField({ label: 'Alert', name: 'alerts_wait', value: v.alerts_wait, options: ALERTS_WAIT.map((w) => [String(w), waitLabel(w)] as const), error: e.alerts_wait })}
  </div>
  <div class="grid-2">
    <div${shows('http port icmp')}>${selectField({ label: 'IP version', name: 'ip_version', value: v.ip_version, options: [['4', 'IPv4'], ['6', 'IPv6']] as const, error: e.ip_version, hint: 'Checks connect over this IP version only.' })}</div>
    ${selectField({ label: 'Domain expiry notice', name: 'domain_alert_days', value: v.domain_alert_days, options: DOMAIN_ALERT_DAYS.map((d) => [String(d), daysLabel(d)] as const), error: e.domain_alert_days, hint: 'Looks the domain\'s registration up over RDAP once a day.' })}
  </div>
  <fieldset class="field regions${e.regions ? ' invalid' : ''}"${e.regions ? html` aria-describedby="f-regions-error"` : ''}>
    <legend>Regions</legend>
    <p class="hint">Where the checks run from (the built-in probe covers regions without a probe of their own).</p>
    <div class="region-list">${REGIONS.map((r) => html`<label class="choice"><input type="checkbox" name="regions" value="${r}"${v.regions.includes(r) ? html` checked` : ''}${e.regions ? html` aria-invalid="true"` : ''}> <span>${r}</span></label>`)}</div>
    ${fieldError('f-regions', e.regions)}
  </fieldset>
  <div class="actions"><button type="submit" class="primary">${o.submit}</button> <a class="button" href="${o.cancel}">Cancel</a></div>
</form>`;
}
