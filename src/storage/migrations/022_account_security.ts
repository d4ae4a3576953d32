import type { Migration } from '../migrations.ts';

/**
 * Accounts people manage themselves (issue 17): optional two-factor sign-in. A user's TOTP
 * secret (`totp_secret`, set once a code confirmed it; `totp_pending_secret` while enrolling),
 * the last time step used (a code is never accepted twice), one-time recovery codes kept only as
 * SHA-256, and the sign-ins waiting for their code: keyed by the SHA-256 of a cookie token,
 * five minutes, a few attempts, and no session until the code is right.
 */
export const migration: Migration = {
  id: '022_account_security',
  sql: `
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_pending_secret TEXT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
ALTER TABLE users ADD COLUMN totp_enabled_at BIGINT;
CREATE TABLE recovery_codes (
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  code_hash TEXT NOT NULL,
  used_at BIGINT,
  PRIMARY KEY (user_id, code_hash)
);
CREATE TABLE pending_sign_ins (
  token_hash TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  next_path TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX pending_sign_ins_user ON pending_sign_ins(user_id);
`,
};
