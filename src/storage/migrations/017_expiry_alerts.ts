import type { Migration } from '../migrations.ts';
import { newId } from '../../domain/ids.ts';
import { registrableDomain, targetHost, type Protocol } from '../../domain/monitors.ts';
import net from 'node:net';

/**
 * What the current Hyperping clients send and read (issue 14): a monitor's IP version, its TLS
 * certificate and domain expiry alert settings, and the certificate and domain seen last;
 * monitor_notices remembers each expiry or change notice sent (one row per notice, written in the
 * transaction that queues its messages, so no restart or second node sends it again);
 * domain_registrations caches one RDAP answer per registrable domain and day. Healthchecks get a
 * public id (hc_…), which status pages may show without revealing the ping token.
 */
export const migration: Migration = {
  id: '017_expiry_alerts',
  sql: `
ALTER TABLE monitors ADD COLUMN ip_version INTEGER NOT NULL DEFAULT 4;
ALTER TABLE monitors ADD COLUMN ssl_alert_days INTEGER NOT NULL DEFAULT 30;
ALTER TABLE monitors ADD COLUMN ssl_reminders INTEGER NOT NULL DEFAULT 1;
ALTER TABLE monitors ADD COLUMN ssl_notify_on_change INTEGER NOT NULL DEFAULT 0;
ALTER TABLE monitors ADD COLUMN domain_alert_days INTEGER NOT NULL DEFAULT -1;
ALTER TABLE monitors ADD COLUMN ssl_expires_at BIGINT;
ALTER TABLE monitors ADD COLUMN ssl_fingerprint TEXT;
ALTER TABLE monitors ADD COLUMN domain TEXT;
ALTER TABLE monitors ADD COLUMN domain_expiration INTEGER;
CREATE INDEX monitors_domain ON monitors(domain) WHERE domain IS NOT NULL;
ALTER TABLE healthchecks ADD COLUMN public_uuid TEXT;
CREATE UNIQUE INDEX healthchecks_public_uuid ON healthchecks(public_uuid);
CREATE TABLE monitor_notices (
  monitor_id BIGINT NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
  notice TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (monitor_id, notice)
);
CREATE TABLE domain_registrations (
  domain TEXT PRIMARY KEY,
  expires_at BIGINT,
  checked_at BIGINT NOT NULL,
  claimed_until BIGINT,
  error TEXT
);
`,
  // Values the SQL above cannot compute on both databases alike: each monitor's registrable
  // domain (and IP version 6 where its URL is an IPv6 address), each healthcheck's public id.
  async after(trx) {
    const monitors = await trx.selectFrom('monitors').select(['id', 'protocol', 'url']).execute();
    for (const m of monitors) {
      const v6 = m.protocol !== 'dns' && net.isIPv6(targetHost(m.url) ?? '');
      const domain = registrableDomain(m.protocol as Protocol, m.url);
      if (domain || v6)
        await trx
          .updateTable('monitors')
          .set({ domain, ...(v6 ? { ip_version: 6 } : {}) })
          .where('id', '=', m.id)
          .execute();
    }
    const checks = await trx.selectFrom('healthchecks').select('id').execute();
    for (const h of checks)
      await trx
        .updateTable('healthchecks')
        .set({ public_uuid: newId('hc', 24) })
        .where('id', '=', h.id)
        .execute();
  },
};
