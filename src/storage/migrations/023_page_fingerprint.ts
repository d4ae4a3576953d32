import type { Migration } from '../migrations.ts';

/**
 * A public page's fingerprint (services/public-pages.ts), read on every visit, from indexes
 * alone: on SQLite a monitor's state_version, updated_at and status, and an incident's or a
 * window's updated_at, follow their texts in the row (up to 515 KB, 1 MiB, 200 KB), so
 * aggregating them over the table read every row of the page in full (257 MB for 500 services).
 */
export const migration: Migration = {
  id: '023_page_fingerprint',
  sql: `
CREATE INDEX monitors_page_state ON monitors(project_id, id, state_version, updated_at, paused, status);
CREATE INDEX incidents_project_updated ON incidents(project_id, updated_at);
CREATE INDEX maintenance_windows_project_updated ON maintenance_windows(project_id, updated_at);
`,
};
