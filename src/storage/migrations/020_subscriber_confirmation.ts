import type { Migration } from '../migrations.ts';

/**
 * Public email subscriptions are double opt-in (issue 16): a subscriber made by the public form
 * gets only a confirmation email until they follow it (`confirmed_at`), and is deleted if they do
 * not within 48 hours. Subscribers from before, and those an owner adds through the API or the
 * dashboard, count as confirmed.
 */
export const migration: Migration = {
  id: '020_subscriber_confirmation',
  sql: `
ALTER TABLE status_page_subscribers ADD COLUMN confirmed_at BIGINT;
UPDATE status_page_subscribers SET confirmed_at = created_at;
CREATE INDEX status_page_subscribers_unconfirmed ON status_page_subscribers(created_at) WHERE confirmed_at IS NULL;
`,
};
