// TLS certificate and domain registration notices (ssl_alert_days, ssl_reminders,
// ssl_notify_on_change, domain_alert_days) through the real engine, outbox and a webhook channel:
// certificates made on the fly and served on loopback, one about to expire, then replaced by
// another; domains looked up over RDAP from a loopback registry. Each notice goes once, never
// again after a restart or from a second node.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { startHarness, waitFor, type Harness } from '../harness.ts';
import { makeCertificate, startDns, type Certificate, type Running } from '../support/targets.ts';
import { startRdap, type RdapServer } from '../support/rdap.ts';
import { monitorId, outbox, startReceiver, type Receiver } from '../support/alerting.ts';
import { recordResults } from '../../src/services/results.ts';
import { forgetRecordedNotices } from '../../src/services/notices.ts';
import { refreshDomains } from '../../src/services/domains.ts';
import { createRdap } from '../../src/prober/rdap.ts';

const DAY = 86_400_000;
let h: Harness;
let receiver: Receiver;
let soon: Certificate;
let later: Certificate;
let server: https.Server;
let caFile: string;
let rdap: RdapServer;
let dns: Running;

before(async () => {
  [soon, later] = await Promise.all([makeCertificate(5), makeCertificate(60)]);
  caFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-ca-')), 'ca.pem');
  fs.writeFileSync(caFile, soon.cert + later.cert);
  server = https.createServer({ key: soon.key, cert: soon.cert }, (_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  receiver = await startReceiver();
  rdap = await startRdap({
    'example.com': { expiresAt: Date.now() + 20 * DAY + 3_600_000 },
    'broken.test': { status: 503 },
    'later.org': { expiresAt: Date.now() + 200 * DAY },
  });
  dns = await startDns({
    'shop.example.com': { A: ['127.0.0.1'] },
    'www.example.com': { A: ['127.0.0.1'] },
    'api.broken.test': { A: ['127.0.0.1'] },
  });
  h = await startHarness({
    env: { VIGIL_ROLE: 'all', VIGIL_TLS_CA_FILE: caFile, VIGIL_RDAP_BOOTSTRAP_URL: rdap.bootstrapUrl },
  });
  const channel = await h.request('POST', '/v1/integrations', {
    body: { name: 'hook', type: 'webhook', settings: { url: `${receiver.url}/hook` } },
  });
  assert.equal(channel.status, 201, JSON.stringify(channel.body));
  const policy = await h.request('POST', '/v1/escalation-policies', {
    body: { name: 'ops', steps: [{ delayMinutes: 0, integrations: [channel.body.uuid] }], isDefault: true },
  });
  assert.equal(policy.status, 201, JSON.stringify(policy.body));
});
after(async () => {
  await h.stop();
  await receiver.close();
  await rdap.close();
  await dns.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  fs.rmSync(path.dirname(caFile), { recursive: true, force: true });
});

const events = () => receiver.received.map((r) => r.json);

describe('certificate notices', () => {
  test('a certificate 4 days from expiry alerts at the 7-day step; when it is replaced, the change is notified with both fingerprints', async () => {
    const port = (server.address() as AddressInfo).port;
    const res = await h.request('POST', '/v1/monitors', {
      body: {
        name: 'shop',
        url: `https://127.0.0.1:${port}/`,
        check_frequency: 10,
        ssl_alert_days: 7,
        ssl_reminders: true,
        ssl_notify_on_change: true,
      },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const [first] = await receiver.waitFor(1, 30_000);
    assert.equal(first.json.type, 'certificate.expiring');
    const notice = first.json.data.notice;
    assert.equal(notice.kind, 'certificate');
    assert.equal(notice.threshold, 7);
    assert.equal(notice.daysLeft, Math.floor((soon.notAfter - Date.now()) / DAY));
    assert.equal(notice.expiresAt, new Date(soon.notAfter).toISOString());
    assert.match(first.json.data.title, /^Certificate expires in \d days: shop$/);
    assert.equal(first.json.data.check.uuid, res.body.uuid);
    assert.equal((await h.request('GET', `/v1/monitors/${res.body.uuid}`)).body.ssl_expiration, notice.daysLeft);

    server.setSecureContext({ key: later.key, cert: later.cert });
    const received = await receiver.waitFor(2, 30_000);
    const changed = received[1].json;
    assert.equal(changed.type, 'certificate.changed');
    assert.equal(changed.data.notice.previousFingerprint, notice.fingerprint);
    assert.notEqual(changed.data.notice.fingerprint, notice.fingerprint);
    assert.match(changed.data.notice.fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const monitor = await waitFor(async () => {
      const m = (await h.request('GET', `/v1/monitors/${res.body.uuid}`)).body;
      return m.ssl_expiration >= 58 ? m : null;
    }, 'ssl_expiration of the new certificate');
    assert.equal(monitor.status, 'up');

    // More checks of the same certificate: nothing more is sent.
    const id = await monitorId(h, res.body.uuid);
    const count = async () =>
      Number(
        (
          await h.ctx.store.db
            .selectFrom('check_results')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('monitor_id', '=', id)
            .executeTakeFirstOrThrow()
        ).n,
      );
    const checks = await count();
    await waitFor(async () => (await count()) >= checks + 1, 'another check', 30_000);
    assert.deepEqual(
      events().map((e) => e.type),
      ['certificate.expiring', 'certificate.changed'],
    );
  });

  test('each step goes once: reminders at 30, 15, 3 days as time passes, nothing twice after a restart or from a second node', async () => {
    const res = await h.request('POST', '/v1/monitors', {
      body: { name: 'clocked', url: 'https://example.org/', paused: true, ssl_alert_days: 30 },
    });
    const id = await monitorId(h, res.body.uuid);
    // Paused monitors send nothing; resume it (it stays unchecked: its checks are driven here).
    await h.ctx.store.db.updateTable('monitors').set({ paused: 0 }).where('id', '=', id).execute();
    const notAfter = Date.now() + 40 * DAY;
    const seen = async (at: number, fingerprint = 'AA:BB') => {
      const ctx = { ...h.ctx, clock: () => at };
      await recordResults(ctx, [
        {
          monitorId: id,
          at,
          location: 'local',
          ok: true,
          statusCode: 200,
          totalMs: 5,
          dnsMs: null,
          connectMs: 1,
          tlsMs: 1,
          ttfbMs: 2,
          error: null,
          sslExpiresAt: notAfter,
          sslFingerprint: fingerprint,
        },
      ]);
    };
    const notices = async () =>
      (await outbox(h.ctx))
        .filter((n) => n.event === 'certificate.expiring' && JSON.parse(n.payload).check.uuid === res.body.uuid)
        .map((n) => JSON.parse(n.payload).notice.threshold);
    await seen(notAfter - 35 * DAY);
    assert.deepEqual(await notices(), []);
    for (const daysLeft of [29.5, 29, 20, 14.5, 14]) await seen(notAfter - daysLeft * DAY);
    assert.deepEqual(await notices(), [30, 15]);
    // A restarted process, or another node, has no memory of its own: the database says it was sent.
    forgetRecordedNotices();
    await seen(notAfter - 13 * DAY);
    forgetRecordedNotices();
    await Promise.all([seen(notAfter - 12 * DAY), seen(notAfter - 12 * DAY + 1000)]);
    assert.deepEqual(await notices(), [30, 15]);
    await seen(notAfter - 2.5 * DAY);
    assert.deepEqual(await notices(), [30, 15, 3]);
    const rows = await h.ctx.store.db
      .selectFrom('monitor_notices')
      .select('notice')
      .where('monitor_id', '=', id)
      .execute();
    assert.equal(rows.length, 3);
  });

  test('no notice when alerts are off (ssl_alert_days -1, or alerts_wait -1)', async () => {
    for (const body of [{ ssl_alert_days: -1 }, { alerts_wait: -1 }]) {
      const res = await h.request('POST', '/v1/monitors', {
        body: { name: 'quiet', url: 'https://example.org/', paused: true, ...body },
      });
      const id = await monitorId(h, res.body.uuid);
      await h.ctx.store.db.updateTable('monitors').set({ paused: 0 }).where('id', '=', id).execute();
      const at = Date.now();
      await recordResults({ ...h.ctx, clock: () => at }, [
        {
          monitorId: id,
          at,
          location: 'local',
          ok: true,
          statusCode: 200,
          totalMs: 5,
          dnsMs: null,
          connectMs: 1,
          tlsMs: 1,
          ttfbMs: 2,
          error: null,
          sslExpiresAt: at + 2 * DAY,
          sslFingerprint: 'CC:DD',
        },
      ]);
      const rows = await h.ctx.store.db
        .selectFrom('monitor_notices')
        .select('notice')
        .where('monitor_id', '=', id)
        .execute();
      assert.deepEqual(rows, [], JSON.stringify(body));
    }
  });
});

describe('domain registration notices', () => {
  // DNS monitors asking the loopback DNS server: their checks pass without leaving loopback.
  const dnsMonitor = (name: string, domain: string, extra: Record<string, unknown> = {}) =>
    h.request('POST', '/v1/monitors', {
      body: { name, url: domain, protocol: 'dns', dns_nameserver: dns.url, check_frequency: 3600, ...extra },
    });

  test('domain_alert_days: one RDAP lookup per registrable domain, domain_expiration in whole days, one notice within the threshold', async () => {
    const shop = await dnsMonitor('shop', 'shop.example.com', { domain_alert_days: 30 });
    const www = await dnsMonitor('www', 'www.example.com', { domain_alert_days: 7 });
    assert.equal(shop.body.domain_expiration, null);
    const read = await waitFor(
      async () => {
        const m = (await h.request('GET', `/v1/monitors/${shop.body.uuid}`)).body;
        return m.domain_expiration !== null ? m : null;
      },
      'domain_expiration of shop.example.com',
      30_000,
    );
    assert.equal(read.domain_expiration, 20);
    assert.equal((await h.request('GET', `/v1/monitors/${www.body.uuid}`)).body.domain_expiration, 20);
    assert.deepEqual(rdap.queries, ['example.com']);
    const notice = await waitFor(async () => events().find((e) => e.type === 'domain.expiring'), 'the domain notice');
    assert.equal(notice.data.check.uuid, shop.body.uuid); // www alerts at 7 days only
    assert.deepEqual(
      {
        domain: notice.data.notice.domain,
        daysLeft: notice.data.notice.daysLeft,
        threshold: notice.data.notice.threshold,
      },
      { domain: 'example.com', daysLeft: 20, threshold: 30 },
    );
    assert.match(notice.data.title, /^Domain expires in 20 days: example\.com$/);
  });

  test('a failed lookup leaves domain_expiration null and never fails the monitor; a monitor without domain alerts is not looked up', async () => {
    const broken = await dnsMonitor('broken', 'api.broken.test', { domain_alert_days: 14, check_frequency: 10 });
    const quiet = await dnsMonitor('quiet', 'www.later.org');
    const row = await waitFor(
      () =>
        h.ctx.store.db
          .selectFrom('domain_registrations')
          .selectAll()
          .where('domain', '=', 'broken.test')
          .where('checked_at', '>', 0)
          .executeTakeFirst(),
      'the failed lookup',
      30_000,
    );
    assert.equal(row.expires_at, null);
    assert.match(row.error ?? '', /HTTP 503/);
    const id = await monitorId(h, broken.body.uuid);
    const result = await waitFor(
      () => h.ctx.store.db.selectFrom('check_results').selectAll().where('monitor_id', '=', id).executeTakeFirst(),
      'a check of api.broken.test',
      30_000,
    );
    assert.equal(result.ok, 1, result.error ?? '');
    const m = (await h.request('GET', `/v1/monitors/${broken.body.uuid}`)).body;
    assert.deepEqual(
      { status: m.status, domain_expiration: m.domain_expiration },
      { status: 'up', domain_expiration: null },
    );
    assert.equal((await h.request('GET', `/v1/monitors/${quiet.body.uuid}`)).body.domain_expiration, null);
    assert.ok(!rdap.queries.includes('later.org'));
  });

  test('at most one lookup a day per domain, whatever the number of nodes looking', async () => {
    await dnsMonitor('later', 'status.later.org', { domain_alert_days: 90, paused: true });
    const res = await dnsMonitor('later2', 'app.later.org', { domain_alert_days: 90 });
    await h.ctx.store.db
      .updateTable('monitors')
      .set({ next_check_at: null })
      .where('uuid', '=', res.body.uuid)
      .execute(); // driven here, not checked
    const client = createRdap({ bootstrapUrl: rdap.bootstrapUrl });
    const at = (ms: number) => ({ ...h.ctx, clock: () => ms });
    const t0 = Date.now() + 5 * 60_000;
    await Promise.all([
      refreshDomains(at(t0), client),
      refreshDomains(at(t0), client),
      refreshDomains(at(t0 + 1), client),
    ]);
    const count = () => rdap.queries.filter((q) => q === 'later.org').length;
    assert.ok(count() <= 1, String(count()));
    await waitFor(async () => count() === 1, 'the lookup of later.org');
    await refreshDomains(at(t0 + 23 * 3_600_000), client);
    assert.equal(count(), 1);
    await refreshDomains(at(t0 + 25 * 3_600_000), client);
    assert.equal(count(), 2);
    assert.equal((await h.request('GET', `/v1/monitors/${res.body.uuid}`)).body.domain_expiration, 198);
  });
});
