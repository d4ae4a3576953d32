import type { Migration } from '../migrations.ts';

/**
 * When the "scheduled" subscriber notice of a maintenance window was sent (notificationMinutes
 * before its start). Set by a conditional update in the transaction that queues the emails, so
 * several workers send it once; a new start date clears it.
 */
export const migration: Migration = {
  id: '011_maintenance_notice',
  sql: `
ALTER TABLE maintenance_windows ADD COLUMN notice_sent_at BIGINT;
CREATE INDEX maintenance_windows_notice ON maintenance_windows(notification_option, notice_sent_at, starts_at);
`,
};
