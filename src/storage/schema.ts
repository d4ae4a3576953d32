import type { Generated } from 'kysely';

/** Row types. Times are epoch milliseconds; booleans are 0/1 on both databases. */
export interface ProjectRow {
  id: Generated<number>;
  uuid: string;
  name: string;
  created_at: number;
  /** Locations that must agree to change a monitor's status; null: more than half. */
  quorum: number | null;
}

export interface ApiKeyRow {
  id: string;
  project_id: number;
  name: string;
  permission: string;
  key_hash: string;
  masked: string;
  expires_at: number | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  /** The dashboard user who made it; null for the CLI's keys and keys from before migration 019. */
  created_by?: number | null;
}

export interface InvitationRow {
  id: Generated<number>;
  uuid: string;
  project_id: number;
  email: string;
  role: string;
  token_hash: string; // SHA-256 of the link's token
  invited_by: number | null;
  created_at: number;
  expires_at: number;
  accepted_at: number | null;
}

export interface AuditRow {
  id: Generated<number>;
  project_id: number | null;
  action: string;
  key_id: string | null;
  actor: string;
  source_ip: string | null;
  detail: string | null;
  created_at: number;
}

export interface MonitorRow {
  id: Generated<number>;
  uuid: string;
  project_id: number;
  name: string;
  url: string;
  protocol: string;
  paused: number;
  port: number | null;
  http_method: string;
  regions: string; // JSON array
  check_frequency: number;
  timeout: number;
  follow_redirects: number;
  expected_status_code: string;
  request_body: string;
  request_headers: string | null; // JSON array
  required_keyword: string | null;
  dns_record_type: string | null;
  dns_nameserver: string | null;
  dns_expected_answer: string | null;
  status: string;
  ssl_expiration: number | null;
  alerts_wait: number;
  group_id: string | null; // JSON scalar
  sort_order: number;
  show_url: number;
  escalation_policy_id: number | null;
  created_at: number;
  updated_at: number;
  next_check_at: number | null;
  check_phase: number;
  last_due_at: number | null; // the slot of the latest claim
  claim_until: number | null; // when that claim lapses unless its result was stored (then null)
  last_check_at: number | null;
  confirming: string | null; // 'down' | 'up' while a change awaits confirmation
  confirm_since: number | null;
  confirm_locations: string | null; // JSON array of locations that agreed so far
  state_version: number;
  // Defaults in the database (migration 017): optional on insert.
  ip_version: Generated<number>;
  ssl_alert_days: Generated<number>;
  ssl_reminders: Generated<number>;
  ssl_notify_on_change: Generated<number>;
  domain_alert_days: Generated<number>;
  ssl_expires_at: Generated<number | null>; // notAfter of the certificate seen last
  ssl_fingerprint: Generated<string | null>; // its SHA-256 fingerprint
  domain: Generated<string | null>; // registrable domain of the target (RDAP lookups)
  domain_expiration: Generated<number | null>; // whole days until that domain's registration expires
}

/** One expiry or certificate-change notice sent for a monitor (never sent twice). */
export interface MonitorNoticeRow {
  monitor_id: number;
  notice: string;
  created_at: number;
}

/** The RDAP answer for a registrable domain, refreshed at most once a day. */
export interface DomainRegistrationRow {
  domain: string;
  expires_at: number | null;
  checked_at: number;
  claimed_until: number | null;
  error: string | null;
}

export interface CheckResultRow {
  /** From Store.checkResultIds (SQLite numbers no rows of this table itself). */
  id: number;
  monitor_id: number;
  at: number;
  location: string;
  ok: number;
  status_code: number | null;
  total_ms: number | null;
  dns_ms: number | null;
  connect_ms: number | null;
  tls_ms: number | null;
  ttfb_ms: number | null;
  error: string | null;
}

export interface RollupRow {
  monitor_id: number;
  granularity: 'hour' | 'day';
  bucket: number;
  location: string;
  checks: number;
  failures: number;
  sum_ms: number;
  min_ms: number | null;
  max_ms: number | null;
  // latency histogram: counts per LATENCY_BOUNDS bucket (domain/rollups.ts)
  h0: number;
  h1: number;
  h2: number;
  h3: number;
  h4: number;
  h5: number;
  h6: number;
  h7: number;
  h8: number;
  h9: number;
  h10: number;
  h11: number;
}

export interface OutageRow {
  id: Generated<number>;
  uuid: string;
  project_id: number;
  monitor_id: number | null;
  outage_type: string; // 'automatic' | 'manual'
  started_at: number;
  ended_at: number | null;
  status_code: number;
  description: string;
  detected_location: string;
  confirmed_locations: string;
  protocol: string;
  error_header: string | null;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  escalation_policy_id: number | null;
  created_at: number;
  healthcheck_id: number | null;
  severity: string | null;
  summary: string | null;
  escalation_policy_uuid: string | null; // as given, until escalation policies exist
  escalation_step: Generated<number>; // escalation requests so far
  escalated_at: number | null;
  alerted_steps: Generated<number>; // steps of the escalation policy alerted so far
  next_alert_at: number | null; // when the next step is due; null when none is
}

export interface HealthcheckRow {
  id: Generated<number>;
  uuid: string;
  /** hc_…: names the check on status pages; not a secret, unlike the uuid (the ping token). */
  public_uuid: string | null;
  project_id: number;
  name: string;
  cron: string | null;
  timezone: string;
  period_value: number | null;
  period_type: string | null;
  grace_value: number;
  grace_type: string;
  paused: number;
  is_down: number;
  /** When the next ping is expected (null until the first ping arms the check). */
  due_at: number | null;
  /** due_at + grace: when a missing ping turns the check down. */
  alert_at: number | null;
  last_ping_at: number | null;
  last_start_at: number | null;
  last_downtime_at: number | null;
  state_version: number;
  escalation_policy_id: number | null;
  created_at: number;
  updated_at: number;
}

export interface PingRow {
  id: Generated<number>;
  healthcheck_id: number;
  at: number;
  kind: string; // 'success' | 'fail' | 'start'
  source_ip: string | null;
  user_agent: string | null;
  body: string | null;
  duration_ms: number | null;
}

export interface Database {
  projects: ProjectRow;
  api_keys: ApiKeyRow;
  invitations: InvitationRow;
  audit_log: AuditRow;
  monitors: MonitorRow;
  check_results: CheckResultRow;
  check_rollups: RollupRow;
  outages: OutageRow;
  healthchecks: HealthcheckRow;
  healthcheck_pings: PingRow;
  incidents: IncidentRow;
  incident_updates: IncidentUpdateRow;
  incident_monitors: IncidentMonitorRow;
  maintenance_windows: MaintenanceWindowRow;
  maintenance_monitors: MaintenanceMonitorRow;
  status_pages: StatusPageRow;
  status_page_subscribers: SubscriberRow;
  users: UserRow;
  sessions: SessionRow;
  recovery_codes: RecoveryCodeRow;
  pending_sign_ins: PendingSignInRow;
  project_members: ProjectMemberRow;
  import_links: ImportLinkRow;
  notification_channels: ChannelRow;
  escalation_policies: EscalationPolicyRow;
  notifications: NotificationRow;
  probes: ProbeRow;
  region_checks: RegionCheckRow;
  monitor_notices: MonitorNoticeRow;
  domain_registrations: DomainRegistrationRow;
  schema_migrations: { id: string; applied_at: number };
}

/** A dedicated regional probe (migration 014); only the token's SHA-256 is stored. */
export interface ProbeRow {
  id: string;
  project_id: number;
  region: string;
  name: string;
  token_hash: string;
  masked: string;
  created_at: number;
  last_seen_at: number | null;
  revoked_at: number | null;
}

/** The schedule of one monitor in one probe-served region, and its current lease. */
export interface RegionCheckRow {
  monitor_id: number;
  region: string;
  next_check_at: number;
  lease_id: string | null;
  lease_probe_id: string | null;
  lease_due: number | null;
  lease_until: number | null;
}

export interface IncidentRow {
  id: Generated<number>;
  uuid: string;
  project_id: number;
  at: number; // the incident's `date`
  title: string; // JSON LocalizedText
  text: string; // JSON LocalizedText
  type: string; // 'incident' | 'outage'
  statuspages: string; // JSON array of sp_ ids, as given
  created_at: number;
  updated_at: number;
}

export interface IncidentUpdateRow {
  id: Generated<number>;
  uuid: string;
  incident_id: number;
  at: number;
  text: string; // JSON LocalizedText
  type: string;
  created_at: number;
}

export interface IncidentMonitorRow {
  incident_id: number;
  monitor_id: number;
  position: number;
}

export interface MaintenanceWindowRow {
  id: Generated<number>;
  uuid: string;
  project_id: number;
  name: string;
  title: string; // JSON LocalizedText
  text: string; // JSON LocalizedText
  starts_at: number;
  ends_at: number;
  statuspages: string; // JSON array of sp_ ids, as given
  notification_option: string;
  notification_minutes: number;
  notice_sent_at: number | null; // when the "scheduled" subscriber notice went out
  created_by: string;
  created_at: number;
  updated_at: number;
}

export interface MaintenanceMonitorRow {
  window_id: number;
  monitor_id: number;
  position: number;
}

export interface StatusPageRow {
  id: Generated<number>;
  uuid: string;
  project_id: number;
  name: string;
  subdomain: string; // public path /status/<subdomain>; hostedsubdomain on the wire adds the domain
  hostname: string | null; // custom domain served at /: only once proven (hostname_claim holds what was written)
  hostname_claim: string | null; // the custom domain the owner wrote, proven or not
  hostname_token: string | null; // the TXT record _vigil.<claim> must hold vigil-verification=<token>
  hostname_claimed_at: number | null;
  hostname_checked_at: number | null; // last DNS lookup of the proof
  hostname_error: string | null; // what that lookup found, when it did not prove the claim
  settings: string; // JSON: the read-shape settings (without name and sso_connection)
  sections: string; // JSON: StoredSection[] (services reference monitors by numeric id)
  password_hash: string | null; // scrypt; null when the page is public
  created_at: number;
  updated_at: number;
}

export interface SubscriberRow {
  id: Generated<number>;
  status_page_id: number;
  type: string; // 'email' | 'sms' | 'teams' | 'slack'
  value: string; // the email, phone, webhook URL or channel
  email: string | null;
  phone: string | null;
  teams_webhook_url: string | null;
  slack_channel: string | null;
  language: string;
  token: string; // secret of the unsubscribe link
  created_at: number;
  confirmed_at: number | null; // null: a public subscription not confirmed yet (gets nothing else)
}

export interface UserRow {
  id: Generated<number>;
  uuid: string;
  email: string; // trimmed, lower case
  password_hash: string; // scrypt (domain/passwords.ts)
  created_at: number;
  totp_secret: string | null; // base32; set once a code confirmed it (domain/totp.ts)
  totp_pending_secret: string | null; // while enrolling, until a code confirms it
  totp_last_step: number | null; // the last time step whose code was used: never accepted again
  totp_enabled_at: number | null;
}

export interface RecoveryCodeRow {
  user_id: number;
  code_hash: string; // SHA-256 of the code (domain/totp.ts hashRecoveryCode)
  used_at: number | null;
}

/** A sign-in whose password was right, waiting for its second factor: no session yet. */
export interface PendingSignInRow {
  token_hash: string; // SHA-256 of the cookie token
  user_id: number;
  next_path: string | null;
  attempts: number;
  created_at: number;
  expires_at: number;
}

export interface SessionRow {
  token_hash: string; // SHA-256 of the cookie token
  user_id: number;
  created_at: number;
  expires_at: number;
  last_seen_at: number;
}

export interface ProjectMemberRow {
  project_id: number;
  user_id: number;
  role: string; // 'owner' | 'member'
  created_at: number;
}

export interface ImportLinkRow {
  project_id: number;
  source: string; // the source API's base URL
  kind: string; // 'monitor' | 'healthcheck' | 'statuspage' | 'subscriber' | 'maintenance' | 'incident'
  source_id: string;
  local_id: string; // uuid (a subscriber's numeric id as text)
  fingerprint: string; // SHA-256 of the write body last applied
  imported_at: number;
}

export interface ChannelRow {
  id: Generated<number>;
  uuid: string; // int_…
  project_id: number;
  kind: string; // domain/channels.ts CHANNEL_KINDS
  name: string;
  config: string; // JSON: the kind's settings, secrets included
  secret: string | null; // webhook signing secret (whsec_…)
  disabled_at: number | null;
  disabled_reason: string | null;
  created_at: number;
  updated_at: number;
}

export interface EscalationPolicyRow {
  id: Generated<number>;
  uuid: string; // esc_…
  project_id: number;
  name: string;
  steps: string; // JSON: PolicyStep[] (domain/alerting.ts)
  is_default: number;
  created_at: number;
  updated_at: number;
}

/** The outbox: one row per message to one channel (or one subscriber). */
export interface NotificationRow {
  id: Generated<number>;
  uuid: string; // msg_…: the webhook-id / idempotency id, the same on every attempt
  project_id: number;
  channel_id: number | null; // null: a subscriber email (recipient)
  kind: string; // the channel kind at write time, 'email' for subscribers
  recipient: string | null;
  outage_id: number | null;
  step: number | null; // escalation step (0-based) of an outage alert
  event: string; // outage.down | outage.up | outage.acknowledged | test | statuspage.incident | statuspage.maintenance
  payload: string; // JSON: what the message says, fixed when written
  created_at: number;
  next_attempt_at: number | null; // null once delivered or given up
  attempts: Generated<number>;
  claimed_by: string | null;
  claimed_until: number | null;
  last_attempt_at: number | null;
  last_status: string | null;
  delivered_at: number | null;
  gave_up_at: number | null;
  give_up_reason: string | null;
}
