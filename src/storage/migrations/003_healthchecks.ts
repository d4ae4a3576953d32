import type { Migration } from '../migrations.ts';

export const migration: Migration = {
  id: '003_healthchecks',
  sql: `
CREATE TABLE healthchecks (
  id {{pk}},
  uuid TEXT NOT NULL UNIQUE,
  project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  cron TEXT,
  timezone TEXT NOT NULL,
  period_value INTEGER,
  period_type TEXT,
  grace_value INTEGER NOT NULL,
  grace_type TEXT NOT NULL,
  paused INTEGER NOT NULL DEFAULT 0,
  is_down INTEGER NOT NULL DEFAULT 0,
  due_at BIGINT,
  alert_at BIGINT,
  last_ping_at BIGINT,
  last_start_at BIGINT,
  last_downtime_at BIGINT,
  state_version INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX healthchecks_project ON healthchecks(project_id, id);
CREATE INDEX healthchecks_alert ON healthchecks(alert_at);
CREATE TABLE healthcheck_pings (
  id {{pk}},
  healthcheck_id BIGINT NOT NULL REFERENCES healthchecks(id) ON DELETE CASCADE,
  at BIGINT NOT NULL,
  kind TEXT NOT NULL,
  source_ip TEXT,
  user_agent TEXT,
  body TEXT,
  duration_ms BIGINT
);
CREATE INDEX healthcheck_pings_check ON healthcheck_pings(healthcheck_id, id);
ALTER TABLE outages ADD COLUMN healthcheck_id BIGINT REFERENCES healthchecks(id) ON DELETE SET NULL;
CREATE INDEX outages_healthcheck ON outages(healthcheck_id);
`,
};
