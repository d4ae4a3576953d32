import type { Migration } from '../migrations.ts';

/**
 * Accounts and roles (issue 16). An API key made in the dashboard remembers who made it
 * (`created_by`; null for keys of the CLI and from before), so a member revokes their own and
 * their keys go when they leave. Members join by invitation: a link valid for a week, its token
 * kept only as a SHA-256, with which the invitee sets their own password or, with an account,
 * signs in and accepts.
 */
export const migration: Migration = {
  id: '019_invitations',
  sql: `
ALTER TABLE api_keys ADD COLUMN created_by BIGINT REFERENCES users(id) ON DELETE SET NULL;
CREATE INDEX api_keys_created_by ON api_keys(created_by) WHERE created_by IS NOT NULL;
CREATE TABLE invitations (
  id {{pk}},
  uuid TEXT NOT NULL UNIQUE,
  project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  email TEXT NOT NULL,
  role TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  invited_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  accepted_at BIGINT
);
CREATE INDEX invitations_project ON invitations(project_id);
`,
};
