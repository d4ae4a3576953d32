import type { Migration } from '../migrations.ts';
import { randomAlnum } from '../../domain/ids.ts';

/**
 * A status page's custom hostname is served only once its owner has proven it with a DNS TXT
 * record (issue 16). `hostname` keeps its meaning and its uniqueness, but now holds only a proven
 * name; `hostname_claim` is the name the owner wrote (several pages may claim one name, the one
 * whose token is in DNS wins), `hostname_token` the value the TXT record must carry,
 * `hostname_claimed_at`/`hostname_checked_at`/`hostname_error` when it was written, last looked
 * up and what that lookup found. Names set before this migration were never proven: they become
 * claims, and their pages are served on them once the record is in place.
 */
export const migration: Migration = {
  id: '018_hostname_proof',
  sql: `
ALTER TABLE status_pages ADD COLUMN hostname_claim TEXT;
ALTER TABLE status_pages ADD COLUMN hostname_token TEXT;
ALTER TABLE status_pages ADD COLUMN hostname_claimed_at BIGINT;
ALTER TABLE status_pages ADD COLUMN hostname_checked_at BIGINT;
ALTER TABLE status_pages ADD COLUMN hostname_error TEXT;
UPDATE status_pages SET hostname_claim = hostname, hostname_claimed_at = updated_at WHERE hostname IS NOT NULL;
UPDATE status_pages SET hostname = NULL;
CREATE INDEX status_pages_hostname_claim ON status_pages(hostname_claim) WHERE hostname_claim IS NOT NULL;
`,
  async after(trx) {
    const claims = await trx.selectFrom('status_pages').select('id').where('hostname_claim', 'is not', null).execute();
    for (const p of claims)
      await trx
        .updateTable('status_pages')
        .set({ hostname_token: randomAlnum(32) })
        .where('id', '=', p.id)
        .execute();
  },
};
