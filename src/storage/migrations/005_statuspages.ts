import type { Migration } from '../migrations.ts';

/**
 * Status pages and their subscribers. Settings and sections are JSON documents: they are read
 * and written whole, and their services reference monitors by numeric id, so a deleted monitor
 * simply drops out when the page is rendered. `subdomain` (the public /status/<subdomain> path)
 * and `hostname` (a custom domain) are unique across projects because they route public traffic.
 */
export const migration: Migration = {
  id: '005_statuspages',
  sql: `
CREATE TABLE status_pages (
  id {{pk}},
  uuid TEXT NOT NULL UNIQUE,
  project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  subdomain TEXT NOT NULL UNIQUE,
  hostname TEXT UNIQUE,
  settings TEXT NOT NULL,
  sections TEXT NOT NULL,
  password_hash TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX status_pages_project ON status_pages(project_id, id);
CREATE TABLE status_page_subscribers (
  id {{pk}},
  status_page_id BIGINT NOT NULL REFERENCES status_pages(id) ON DELETE CASCADE,
  type TEXT NOT NULL,
  value TEXT NOT NULL,
  email TEXT,
  phone TEXT,
  teams_webhook_url TEXT,
  slack_channel TEXT,
  language TEXT NOT NULL,
  token TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX status_page_subscribers_value ON status_page_subscribers(status_page_id, type, value);
`,
};
