import { Type } from 'typebox';
import {
  ALERTS_WAIT,
  CHECK_FREQUENCIES,
  DNS_RECORD_TYPES,
  DOMAIN_ALERT_DAYS,
  HEADER_NAME_MAX,
  HEADER_VALUE_MAX,
  HTTP_METHODS,
  IP_VERSIONS,
  MAX_REGIONS,
  MAX_REQUEST_HEADERS,
  MAX_TIMEOUT_SECONDS,
  MONITOR_TEXT_MAX as MAX,
  PROTOCOLS,
  REGIONS,
  SSL_ALERT_DAYS,
} from '../../domain/monitors.ts';
import { Id, Message, Nullable, apiErrors } from '../schemas.ts';

const Region = Type.Union([Type.Enum([...REGIONS]), Type.Literal('*')]);
const Header = Type.Object({
  name: Type.String({ maxLength: HEADER_NAME_MAX }),
  value: Type.String({ maxLength: HEADER_VALUE_MAX }),
});
const StatusCode = Type.Union(
  [
    Type.String({ maxLength: '1xx-3xx'.length, pattern: '^(?:[1-5]\\d{2}|[1-5]xx(?:-[1-5]xx)?)$' }),
    Type.Integer({ minimum: 100, maximum: 599 }),
  ],
  {
    description: 'A code (200), a class ("2xx") or a range ("1xx-3xx")',
  },
);

const writable = {
  name: Type.String({ minLength: 1, maxLength: MAX.name }),
  url: Type.String({ minLength: 1, maxLength: MAX.url }),
  protocol: Type.Union([Type.Enum([...PROTOCOLS]), Type.Literal('', { description: 'as not sent' })], {
    description: 'Default http',
  }),
  http_method: Type.Enum([...HTTP_METHODS]),
  check_frequency: Type.Enum([...CHECK_FREQUENCIES], { description: 'Seconds between checks' }),
  regions: Type.Array(Region, { minItems: 1, maxItems: MAX_REGIONS }),
  request_headers: Nullable(Type.Array(Header, { maxItems: MAX_REQUEST_HEADERS })),
  request_body: Nullable(Type.String({ maxLength: MAX.request_body })),
  follow_redirects: Type.Boolean(),
  expected_status_code: StatusCode,
  required_keyword: Nullable(Type.String({ maxLength: MAX.required_keyword })),
  paused: Type.Boolean(),
  port: Nullable(Type.Integer({ minimum: 1, maximum: 65535 })),
  alerts_wait: Type.Enum([...ALERTS_WAIT], { description: 'Minutes before the first alert; -1 disables alerts' }),
  escalation_policy: Nullable(
    Type.String({ maxLength: MAX.escalation_policy, description: 'Escalation policy uuid, or "none" to unlink' }),
  ),
  dns_record_type: Nullable(Type.Enum([...DNS_RECORD_TYPES])),
  dns_nameserver: Nullable(Type.String({ maxLength: MAX.dns_nameserver })),
  dns_expected_answer: Nullable(Type.String({ maxLength: MAX.dns_expected_answer })),
  timeout: Type.Integer({ minimum: 1, maximum: MAX_TIMEOUT_SECONDS, description: 'Seconds before a check fails' }),
  projectUuid: Id(),
  group_id: Nullable(Type.Union([Type.String({ maxLength: MAX.group_id }), Type.Integer()])),
  sort_order: Type.Integer(),
  show_url: Type.Boolean(),
  ip_version: Type.Enum([...IP_VERSIONS], {
    description: 'Check over IPv4 (4, default) or IPv6 (6) only; inferred from an IP address in url',
  }),
  ssl_alert_days: Type.Enum([...SSL_ALERT_DAYS], {
    description: 'Days before the TLS certificate expires that the first alert goes out (-1 never; default 30)',
  }),
  ssl_reminders: Type.Boolean({
    description: 'Also alert at each standard step below ssl_alert_days (90, 60, 30, 15, 7, 3, 1 days; default true)',
  }),
  ssl_notify_on_change: Type.Boolean({ description: 'Alert when the certificate served changes (default false)' }),
  domain_alert_days: Type.Enum([...DOMAIN_ALERT_DAYS], {
    description:
      'Days before the domain registration expires that an alert goes out, looked up over RDAP (-1 never, the default)',
  }),
};

type W = typeof writable;
const optional = Object.fromEntries(Object.entries(writable).map(([k, v]) => [k, Type.Optional(v)])) as {
  [K in keyof W]: ReturnType<typeof Type.Optional<W[K]>>;
};

export const CreateMonitorBody = Type.Object({ ...optional, name: writable.name, url: writable.url });
export const UpdateMonitorBody = Type.Object(optional);

export const MonitorSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  url: Type.String(),
  uuid: Type.String(),
  protocol: Type.String(),
  projectUuid: Type.String(),
  paused: Type.Boolean(),
  port: Nullable(Type.Integer()),
  http_method: Type.String(),
  regions: Type.Array(Type.String()),
  check_frequency: Type.Integer(),
  follow_redirects: Type.Boolean(),
  expected_status_code: Type.Union([Type.Integer(), Type.String()]),
  request_body: Type.String(),
  request_headers: Nullable(Type.Array(Header)),
  status: Type.String(),
  ssl_expiration: Nullable(Type.Integer()),
  alerts_wait: Type.Integer(),
  group_id: Nullable(Type.Union([Type.String(), Type.Integer()])),
  sort_order: Type.Integer(),
  show_url: Type.Boolean(),
  escalation_policy: Nullable(Type.Object({ uuid: Type.String(), name: Type.String() })),
  required_keyword: Nullable(Type.String()),
  dns_record_type: Nullable(Type.String()),
  dns_nameserver: Nullable(Type.String()),
  dns_expected_answer: Nullable(Type.String()),
  ip_version: Type.Integer(),
  ssl_alert_days: Type.Integer(),
  ssl_reminders: Type.Boolean(),
  ssl_notify_on_change: Type.Boolean(),
  domain_alert_days: Type.Integer(),
  domain_expiration: Nullable(
    Type.Integer({ description: 'Whole days until the domain registration expires; null when unknown or not watched' }),
  ),
});

export const monitorErrors = { ...apiErrors, 404: Message, 422: Message };
