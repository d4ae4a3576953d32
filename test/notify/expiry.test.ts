// TLS certificate notices (ssl_alert_days, ssl_reminders, ssl_notify_on_change) through the real
// engine, outbox and a webhook channel: certificates made on the fly and served on loopback, one
// about to expire, then replaced by another. Each notice goes once, never again after a restart
// or from a second node.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { startHarness, waitFor, type Harness } from '../harness.ts';
import { makeCertificate, type Certificate } from '../support/targets.ts';
import { monitorId, outbox, startReceiver, type Receiver } from '../support/alerting.ts';
import { recordResults } from '../../src/services/results.ts';
import { forgetRecordedNotices } from '../../src/services/notices.ts';

const DAY = 86_400_000;
let h: Harness;
let receiver: Receiver;
let soon: Certificate;
let later: Certificate;
let server: https.Server;
let caFile: string;

before(async () => {
  [soon, later] = await Promise.all([makeCertificate(5), makeCertificate(60)]);
  caFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-ca-')), 'ca.pem');
  fs.writeFileSync(caFile, soon.cert + later.cert);
  server = https.createServer({ key: soon.key, cert: soon.cert }, (_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  receiver = await startReceiver();
  h = await startHarness({ env: { VIGIL_ROLE: 'all', VIGIL_TLS_CA_FILE: caFile } });
  const channel = await h.request('POST', '/v1/integrations', { body: { name: 'hook', type: 'webhook', settings: { url: `${receiver.url}/hook` } } });
  assert.equal(channel.status, 201, JSON.stringify(channel.body));
  const policy = await h.request('POST', '/v1/escalation-policies', { body: { name: 'ops', steps: [{ delayMinutes: 0, integrations: [channel.body.uuid] }], isDefault: true } });
  assert.equal(policy.status, 201, JSON.stringify(policy.body));
});
after(async () => {
  await h.stop();
  await receiver.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  fs.rmSync(path.dirname(caFile), { recursive: true, force: true });
});

const events = () => receiver.received.map((r) => r.json);

describe('certificate notices', () => {
  test('a certificate 4 days from expiry alerts at the 7-day step; when it is replaced, the change is notified with both fingerprints', async () => {
    const port = (server.address() as AddressInfo).port;
    const res = await h.request('POST', '/v1/monitors', {
      body: { name: 'shop', url: `https://127.0.0.1:${port}/`, check_frequency: 10, ssl_alert_days: 7, ssl_reminders: true, ssl_notify_on_change: true },
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
    const count = async () => Number((await h.ctx.store.db.selectFrom('check_results').select((eb) => eb.fn.countAll().as('n')).where('monitor_id', '=', id).executeTakeFirstOrThrow()).n);
    const checks = await count();
    await waitFor(async () => (await count()) >= checks + 1, 'another check', 30_000);
    assert.deepEqual(events().map((e) => e.type), ['certificate.expiring', 'certificate.changed']);
  });

  test('each step goes once: reminders at 30, 15, 3 days as time passes, nothing twice after a restart or from a second node', async () => {
    const res = await h.request('POST', '/v1/monitors', { body: { name: 'clocked', url: 'https://example.org/', paused: true, ssl_alert_days: 30 } });
    const id = await monitorId(h, res.body.uuid);
    // Paused monitors send nothing; resume it (it stays unchecked: its checks are driven here).
    await h.ctx.store.db.updateTable('monitors').set({ paused: 0 }).where('id', '=', id).execute();
    const notAfter = Date.now() + 40 * DAY;
    const seen = async (at: number, fingerprint = 'AA:BB') => {
      const ctx = { ...h.ctx, clock: () => at };
      await recordResults(ctx, [{ monitorId: id, at, location: 'local', ok: true, statusCode: 200, totalMs: 5, dnsMs: null, connectMs: 1, tlsMs: 1, ttfbMs: 2, error: null, sslExpiresAt: notAfter, sslFingerprint: fingerprint }]);
    };
    const notices = async () => (await outbox(h.ctx)).filter((n) => n.event === 'certificate.expiring' && JSON.parse(n.payload).check.uuid === res.body.uuid)
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
    const rows = await h.ctx.store.db.selectFrom('monitor_notices').select('notice').where('monitor_id', '=', id).execute();
    assert.equal(rows.length, 3);
  });

  test('no notice when alerts are off (ssl_alert_days -1, or alerts_wait -1)', async () => {
    for (const body of [{ ssl_alert_days: -1 }, { alerts_wait: -1 }]) {
      const res = await h.request('POST', '/v1/monitors', { body: { name: 'quiet', url: 'https://example.org/', paused: true, ...body } });
      const id = await monitorId(h, res.body.uuid);
      await h.ctx.store.db.updateTable('monitors').set({ paused: 0 }).where('id', '=', id).execute();
      const at = Date.now();
      await recordResults({ ...h.ctx, clock: () => at }, [{ monitorId: id, at, location: 'local', ok: true, statusCode: 200, totalMs: 5, dnsMs: null, connectMs: 1, tlsMs: 1, ttfbMs: 2, error: null, sslExpiresAt: at + 2 * DAY, sslFingerprint: 'CC:DD' }]);
      const rows = await h.ctx.store.db.selectFrom('monitor_notices').select('notice').where('monitor_id', '=', id).execute();
      assert.deepEqual(rows, [], JSON.stringify(body));
    }
  });
});
