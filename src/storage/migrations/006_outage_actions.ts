import type { Migration } from '../migrations.ts';

/**
 * Outage actions: the optional fields of a manual outage, and a durable record of escalation
 * requests (`escalation_step` counts them) so the escalation-policy work can walk the policy
 * from where it stands. `escalation_policy_uuid` holds the id as given until policies exist.
 */
export const migration: Migration = {
  id: '006_outage_actions',
  sql: `
ALTER TABLE outages ADD COLUMN severity TEXT;
ALTER TABLE outages ADD COLUMN summary TEXT;
ALTER TABLE outages ADD COLUMN escalation_policy_uuid TEXT;
ALTER TABLE outages ADD COLUMN escalation_step INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outages ADD COLUMN escalated_at BIGINT;
`,
};
