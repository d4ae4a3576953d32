import type { Migration } from '../migrations.ts';

/**
 * What `vigil import` copied: per project and source API, each source object's local twin and
 * the fingerprint of the write body it was made from, so a re-run updates only what changed.
 */
export const migration: Migration = {
  id: '008_import_links',
  sql: `
CREATE TABLE import_links (
  project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  source TEXT NOT NULL,
  kind TEXT NOT NULL,
  source_id TEXT NOT NULL,
  local_id TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  imported_at BIGINT NOT NULL,
  PRIMARY KEY (project_id, source, kind, source_id)
);
`,
};
