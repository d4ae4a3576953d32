import type { Migration } from '../migrations.ts';

/**
 * Regional probes (issue 7): a probe token per project and region (only its SHA-256 is kept),
 * and one schedule row per monitor and probe-served region. A probe leases a row by a
 * conditional update that moves next_check_at to the following slot and sets a new lease_id and
 * lease_until; posting the result clears lease_until (the row is free again) in the transaction
 * that stores it, so a retried post finds no open lease and records nothing twice. A lease past
 * lease_until is taken over by another probe.
 */
export const migration: Migration = {
  id: '014_regional_probes',
  sql: `
CREATE TABLE probes (
  id TEXT PRIMARY KEY,
  project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  region TEXT NOT NULL,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  masked TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT,
  revoked_at BIGINT
);
CREATE INDEX probes_project ON probes(project_id, region);
CREATE INDEX probes_seen ON probes(last_seen_at);
CREATE TABLE region_checks (
  monitor_id BIGINT NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
  region TEXT NOT NULL,
  next_check_at BIGINT NOT NULL,
  lease_id TEXT,
  lease_probe_id TEXT,
  lease_due BIGINT,
  lease_until BIGINT,
  PRIMARY KEY (monitor_id, region)
);
CREATE INDEX region_checks_due ON region_checks(region, next_check_at);
CREATE UNIQUE INDEX region_checks_lease ON region_checks(lease_id);
`,
};
