import type { Generated } from 'kysely';

/** Row types. Times are epoch milliseconds; booleans are 0/1 on both databases. */
export interface ProjectRow {
  id: Generated<number>;
  uuid: string;
  name: string;
  created_at: number;
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
}

export interface Database {
  projects: ProjectRow;
  api_keys: ApiKeyRow;
  audit_log: AuditRow;
  monitors: MonitorRow;
  schema_migrations: { id: string; applied_at: number };
}
