import type { Migration } from '../migrations.ts';

/**
 * Built-in check claims that expire (issue 7). Claiming a slot moves next_check_at on and keeps
 * the slot in last_due_at; claim_until is when the claim lapses if no result has been stored
 * for it (the transaction storing the result clears it). A lapsed claim, such as one held by a
 * node killed mid-check, is taken over by any node while its slot lasts.
 */
export const migration: Migration = {
  id: '016_check_claims',
  sql: `
ALTER TABLE monitors ADD COLUMN claim_until BIGINT;
CREATE INDEX monitors_claim ON monitors(claim_until) WHERE claim_until IS NOT NULL;
`,
};
