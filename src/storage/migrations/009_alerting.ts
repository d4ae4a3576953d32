import type { Migration } from '../migrations.ts';

/**
 * Alerting: notification channels (integrations), escalation policies, and the outbox. An outbox
 * row is written in the transaction of the state change that causes it and claimed by the
 * dispatcher with a conditional update of `claimed_until` (a lease: a worker that dies mid-send
 * loses it, and the row is sent again with the same uuid, the `webhook-id`). `next_attempt_at`
 * is null once a row is delivered or given up. Each outage records how many steps of its policy
 * were alerted and when the next is due, so a restart never repeats an alert.
 */
export const migration: Migration = {
  id: '009_alerting',
  sql: `
CREATE TABLE notification_channels (
  id {{pk}},
  uuid TEXT NOT NULL UNIQUE,
  project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  config TEXT NOT NULL,
  secret TEXT,
  disabled_at BIGINT,
  disabled_reason TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX notification_channels_project ON notification_channels(project_id, id);
CREATE TABLE escalation_policies (
  id {{pk}},
  uuid TEXT NOT NULL UNIQUE,
  project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  steps TEXT NOT NULL,
  is_default INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX escalation_policies_project ON escalation_policies(project_id, id);
CREATE TABLE notifications (
  id {{pk}},
  uuid TEXT NOT NULL UNIQUE,
  project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  channel_id BIGINT REFERENCES notification_channels(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  recipient TEXT,
  outage_id BIGINT REFERENCES outages(id) ON DELETE CASCADE,
  step INTEGER,
  event TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  next_attempt_at BIGINT,
  attempts INTEGER NOT NULL DEFAULT 0,
  claimed_by TEXT,
  claimed_until BIGINT,
  last_attempt_at BIGINT,
  last_status TEXT,
  delivered_at BIGINT,
  gave_up_at BIGINT,
  give_up_reason TEXT
);
CREATE INDEX notifications_due ON notifications(next_attempt_at);
CREATE INDEX notifications_outage ON notifications(outage_id, channel_id);
CREATE INDEX notifications_channel ON notifications(channel_id, id);
ALTER TABLE outages ADD COLUMN alerted_steps INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outages ADD COLUMN next_alert_at BIGINT;
CREATE INDEX outages_next_alert ON outages(next_alert_at);
ALTER TABLE healthchecks ADD COLUMN escalation_policy_id BIGINT;
`,
};
