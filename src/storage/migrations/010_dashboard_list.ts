import type { Migration } from '../migrations.ts';

/**
 * The dashboard's monitors list, fast with 10,000 monitors in a project: a page by name is a
 * walk of the name index (after the offset) instead of a sort of every monitor, and the
 * counts per status come from an index instead of a scan of the wide monitor rows.
 */
export const migration: Migration = {
  id: '010_dashboard_list',
  sql: `
CREATE INDEX monitors_project_name ON monitors(project_id, lower(name), id);
CREATE INDEX monitors_project_state ON monitors(project_id, paused, status);
`,
};
