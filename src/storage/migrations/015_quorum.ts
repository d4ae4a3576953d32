import type { Migration } from '../migrations.ts';

/**
 * Cross-region quorum (issue 7): how many of a monitor's reporting locations must agree before
 * its status changes, per project. NULL is the default, a majority (more than half).
 */
export const migration: Migration = {
  id: '015_quorum',
  sql: `
ALTER TABLE projects ADD COLUMN quorum INTEGER;
`,
};
