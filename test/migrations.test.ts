// Migrations whose values SQL cannot compute on both databases alike run code after their SQL
// (Migration.after): rows made before migration 017 get their public ids and domains, pages
// with a hostname before 018 get a token for its proof.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from './harness.ts';
import { sql } from 'kysely';
import { migration } from '../src/storage/migrations/017_expiry_alerts.ts';
import { migration as hostnameProof } from '../src/storage/migrations/018_hostname_proof.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.stop();
});

test('migration 017 gives older healthchecks a public id and older monitors their registrable domain (and IP version 6 for an IPv6 address)', async () => {
  const hc = (
    await h.request('POST', '/v2/healthchecks', {
      body: { name: 'old', period_value: 1, period_type: 'hours', grace_period_value: 1, grace_period_type: 'hours' },
    })
  ).body.healthcheck;
  const shop = (
    await h.request('POST', '/v1/monitors', {
      body: { name: 'shop', url: 'https://www.shop.example.co.uk/health', paused: true },
    })
  ).body;
  const v6 = (
    await h.request('POST', '/v1/monitors', { body: { name: 'v6', url: 'http://[2001:db8::1]/', paused: true } })
  ).body;
  const { db } = h.ctx.store;
  // As they were before the migration.
  await db.updateTable('healthchecks').set({ public_uuid: null }).execute();
  await db.updateTable('monitors').set({ domain: null, ip_version: 4 }).execute();
  await db.transaction().execute((trx) => migration.after!(trx));
  const row = await db
    .selectFrom('healthchecks')
    .select('public_uuid')
    .where('uuid', '=', hc.uuid)
    .executeTakeFirstOrThrow();
  assert.match(row.public_uuid ?? '', /^hc_[A-Za-z0-9]{24}$/);
  assert.notEqual(row.public_uuid!.slice(3), hc.uuid.slice(4), 'a fresh id, never derived from the ping token');
  const monitors = await db.selectFrom('monitors').select(['uuid', 'domain', 'ip_version']).orderBy('id').execute();
  assert.deepEqual(
    monitors.map((m) => [m.uuid, m.domain, m.ip_version]),
    [
      [shop.uuid, 'example.co.uk', 4],
      [v6.uuid, null, 6],
    ],
  );
});

test('migration 018 turns custom hostnames set before it into claims: not served until proven, each with its token', async () => {
  const sp = (await h.request('POST', '/v2/statuspages', { body: { name: 'Old page', subdomain: 'old-page' } })).body
    .statuspage;
  const { db } = h.ctx.store;
  // As it was before the migration: a served hostname, no claim.
  await db
    .updateTable('status_pages')
    .set({ hostname: 'status.old.example.com', hostname_claim: null, hostname_token: null })
    .where('uuid', '=', sp.uuid)
    .execute();
  const updates = hostnameProof.sql
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('UPDATE'));
  assert.equal(updates.length, 2);
  await db.transaction().execute(async (trx) => {
    for (const u of updates) await sql.raw(u).execute(trx);
    await hostnameProof.after!(trx);
  });
  const row = await db
    .selectFrom('status_pages')
    .select(['hostname', 'hostname_claim', 'hostname_token', 'hostname_claimed_at'])
    .where('uuid', '=', sp.uuid)
    .executeTakeFirstOrThrow();
  assert.equal(row.hostname, null);
  assert.equal(row.hostname_claim, 'status.old.example.com');
  assert.match(row.hostname_token ?? '', /^[A-Za-z0-9]{32}$/);
  assert.ok(row.hostname_claimed_at! > 0);
  const read = (await h.request('GET', `/v2/statuspages/${sp.uuid}`)).body.statuspage;
  assert.equal(read.hostname, 'status.old.example.com');
  assert.equal(read.url, 'old-page.hyperping.app');
  assert.equal(read.hostname_verification.value, `vigil-verification=${row.hostname_token}`);
});
