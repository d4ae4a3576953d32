import type { Migration } from '../migrations.ts';

/**
 * Reads that walk a whole project (bench/worst-case.ts). On SQLite a monitor at its bounds is a
 * 515 KB row whose request body and headers sit in overflow pages before `status` and
 * `ssl_expiration`: reading those columns from the table walks the whole row, so summaries read
 * them from this index instead (it replaces monitors_project_state, its prefix). Healthchecks are
 * listed newest first a page at a time, which needs their creation order indexed. A monitor's
 * failed checks are counted from a small index of their own (most checks pass). The windows
 * under way are found from their dates alone, which on SQLite follow a window's texts.
 */
export const migration: Migration = {
  id: '021_bounded_reads',
  sql: `
CREATE INDEX monitors_project_health ON monitors(project_id, paused, status, ssl_expiration);
DROP INDEX monitors_project_state;
CREATE INDEX healthchecks_project_created ON healthchecks(project_id, created_at, id);
CREATE INDEX check_results_failures ON check_results(monitor_id, at) WHERE ok = 0;
CREATE INDEX maintenance_windows_period ON maintenance_windows(ends_at, starts_at);
`,
};
