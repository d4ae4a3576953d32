import type { Transaction } from 'kysely';
import type { Database } from './schema.ts';

/**
 * Migrations are the only place that knows the SQL dialect. `{{pk}}` becomes an
 * auto-increment integer key; everything else is written in SQL both databases accept.
 */
export interface Migration {
  id: string;
  sql: string;
  /** Statements of one database, run after `sql`, where the two differ (a table SQLite rebuilds, PostgreSQL alters). */
  only?: Partial<Record<'sqlite' | 'postgres', string>>;
  /** Runs after the SQL, in the same transaction: for values SQL cannot compute on both databases. */
  after?: (trx: Transaction<Database>) => Promise<void>;
}

export const foundation: Migration = {
  id: '001_foundation',
  sql: `
CREATE TABLE projects (
  id {{pk}},
  uuid TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  permission TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  masked TEXT NOT NULL,
  expires_at BIGINT,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT,
  revoked_at BIGINT
);
CREATE INDEX api_keys_project ON api_keys(project_id);
CREATE TABLE audit_log (
  id {{pk}},
  project_id BIGINT,
  action TEXT NOT NULL,
  key_id TEXT,
  actor TEXT NOT NULL,
  source_ip TEXT,
  detail TEXT,
  created_at BIGINT NOT NULL
);
CREATE INDEX audit_log_project ON audit_log(project_id, created_at);
CREATE TABLE monitors (
  id {{pk}},
  uuid TEXT NOT NULL UNIQUE,
  project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  url TEXT NOT NULL,
  protocol TEXT NOT NULL,
  paused INTEGER NOT NULL DEFAULT 0,
  port INTEGER,
  http_method TEXT NOT NULL,
  regions TEXT NOT NULL,
  check_frequency INTEGER NOT NULL,
  timeout INTEGER NOT NULL,
  follow_redirects INTEGER NOT NULL,
  expected_status_code TEXT NOT NULL,
  request_body TEXT NOT NULL,
  request_headers TEXT,
  required_keyword TEXT,
  dns_record_type TEXT,
  dns_nameserver TEXT,
  dns_expected_answer TEXT,
  status TEXT NOT NULL,
  ssl_expiration INTEGER,
  alerts_wait INTEGER NOT NULL,
  group_id TEXT,
  sort_order INTEGER NOT NULL,
  show_url INTEGER NOT NULL,
  escalation_policy_id BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX monitors_project ON monitors(project_id, id);
`,
};

export const engine: Migration = {
  id: '002_engine',
  sql: `
ALTER TABLE monitors ADD COLUMN next_check_at BIGINT;
ALTER TABLE monitors ADD COLUMN check_phase BIGINT NOT NULL DEFAULT 0;
ALTER TABLE monitors ADD COLUMN last_due_at BIGINT;
ALTER TABLE monitors ADD COLUMN last_check_at BIGINT;
ALTER TABLE monitors ADD COLUMN confirming TEXT;
ALTER TABLE monitors ADD COLUMN confirm_since BIGINT;
ALTER TABLE monitors ADD COLUMN confirm_locations TEXT;
ALTER TABLE monitors ADD COLUMN state_version INTEGER NOT NULL DEFAULT 0;
CREATE INDEX monitors_due ON monitors(next_check_at);
CREATE TABLE check_results (
  id {{pk}},
  monitor_id BIGINT NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
  at BIGINT NOT NULL,
  location TEXT NOT NULL,
  ok INTEGER NOT NULL,
  status_code INTEGER,
  total_ms INTEGER,
  dns_ms INTEGER,
  connect_ms INTEGER,
  tls_ms INTEGER,
  ttfb_ms INTEGER,
  error TEXT
);
CREATE INDEX check_results_monitor ON check_results(monitor_id, at);
CREATE TABLE check_rollups (
  monitor_id BIGINT NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
  granularity TEXT NOT NULL,
  bucket BIGINT NOT NULL,
  location TEXT NOT NULL,
  checks INTEGER NOT NULL,
  failures INTEGER NOT NULL,
  sum_ms BIGINT NOT NULL,
  min_ms INTEGER,
  max_ms INTEGER,
  h0 INTEGER NOT NULL DEFAULT 0, h1 INTEGER NOT NULL DEFAULT 0, h2 INTEGER NOT NULL DEFAULT 0,
  h3 INTEGER NOT NULL DEFAULT 0, h4 INTEGER NOT NULL DEFAULT 0, h5 INTEGER NOT NULL DEFAULT 0,
  h6 INTEGER NOT NULL DEFAULT 0, h7 INTEGER NOT NULL DEFAULT 0, h8 INTEGER NOT NULL DEFAULT 0,
  h9 INTEGER NOT NULL DEFAULT 0, h10 INTEGER NOT NULL DEFAULT 0, h11 INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (monitor_id, granularity, bucket, location)
);
CREATE INDEX check_rollups_age ON check_rollups(granularity, bucket);
CREATE TABLE outages (
  id {{pk}},
  uuid TEXT NOT NULL UNIQUE,
  project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  monitor_id BIGINT REFERENCES monitors(id) ON DELETE SET NULL,
  outage_type TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  ended_at BIGINT,
  status_code INTEGER NOT NULL,
  description TEXT NOT NULL,
  detected_location TEXT NOT NULL,
  confirmed_locations TEXT NOT NULL,
  protocol TEXT NOT NULL,
  error_header TEXT,
  acknowledged_at BIGINT,
  acknowledged_by TEXT,
  escalation_policy_id BIGINT,
  created_at BIGINT NOT NULL
);
CREATE INDEX outages_project ON outages(project_id, id);
CREATE INDEX outages_monitor ON outages(monitor_id, started_at);
`,
};

export function renderMigration(sql: string, dialect: 'sqlite' | 'postgres'): string[] {
  const pk =
    dialect === 'sqlite' ? 'INTEGER PRIMARY KEY AUTOINCREMENT' : 'BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY';
  return sql
    .replaceAll('{{pk}}', pk)
    .split(/;\s*\n/)
    .map((s) => s.trim())
    .filter(Boolean);
}
