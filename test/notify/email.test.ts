import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectStatus, startHarness, type Harness } from '../harness.ts';
import { makeCertificate } from '../support/targets.ts';
import { startSmtp } from '../support/smtp.ts';
import { outbox, testDispatcher } from '../support/alerting.ts';
import { sendDueMaintenanceNotices } from '../../src/services/maintenance.ts';
import { dotStuff, formatMail } from '../../src/notify/smtp.ts';
import { createUser } from '../../src/services/users.ts';
import { inviteMember } from '../../src/services/invitations.ts';

let h: Harness;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
let now = Date.parse('2026-03-01T12:00:00Z');
before(async () => {
  h = await startHarness({ clock: () => now });
  smtp = await startSmtp();
});
after(async () => {
  await h.stop();
  await smtp.close();
});
beforeEach(async () => {
  await h.ctx.store.db.updateTable('notifications').set({ next_attempt_at: null }).execute();
  smtp.mails.length = 0;
});

const smtpUrl = () => `smtp://vigil:${encodeURIComponent('s3cret p@ss')}@127.0.0.1:${smtp.port}`;

describe('email over SMTP', () => {
  test('the message format: headers, base64 UTF-8 text, and dot-stuffing of lines that start with a dot', () => {
    const raw = formatMail({
      from: 'a@example.org',
      to: ['b@example.org', 'c@example.org'],
      subject: 'Ünïcode\r\nBcc: x@evil',
      text: 'line\n.dot',
      messageId: 'msg_1@vigil',
      date: new Date(now),
    });
    assert.match(
      raw,
      /^From: Vigil <a@example\.org>\r\nTo: b@example\.org, c@example\.org\r\nSubject: =\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=\r\n/,
    );
    assert.ok(!/\r\nBcc:/.test(raw), 'no header injection through the subject');
    assert.match(raw, /\r\nMessage-ID: <msg_1@vigil>\r\n/);
    assert.match(raw, /\r\nDate: Sun, 01 Mar 2026 12:00:00 \+0000\r\n/);
    assert.equal(Buffer.from(raw.split('\r\n\r\n')[1], 'base64').toString(), 'line\r\n.dot');
    assert.equal(dotStuff('a\n.b\n..c\n'), 'a\r\n..b\r\n...c\r\n.\r\n');
  });

  test('an email channel authenticates with its own SMTP URL and reaches every address', async () => {
    const c = await h.request('POST', '/v1/integrations', {
      body: {
        name: 'ops mail',
        type: 'email',
        settings: { to: 'ops@example.org, oncall@example.org', smtpUrl: smtpUrl(), from: 'alerts@vigil.example' },
      },
    });
    assert.equal(c.status, 201, JSON.stringify(c.body));
    assert.equal(
      c.body.settings.smtpUrl,
      `smtp://127.0.0.1/…${smtpUrl().slice(-4)}`,
      'the SMTP URL (with its password) is masked',
    );
    const sent = await h.request('POST', `/v1/integrations/${c.body.uuid}/test`);
    assert.equal(sent.status, 202);
    await testDispatcher(h.ctx).runOnce();
    assert.equal(smtp.mails.length, 1);
    const [m] = smtp.mails;
    assert.equal(m.user, 'vigil');
    assert.equal(m.from, 'alerts@vigil.example');
    assert.deepEqual(m.to, ['ops@example.org', 'oncall@example.org']);
    assert.equal(m.headers.subject, 'Test notification from Vigil');
    assert.equal(m.headers['message-id'], `<${sent.body.uuid}@vigil>`, 'the outbox id: receivers can drop a duplicate');
    assert.match(m.text, /This is a test of the integration "ops mail"/);
    assert.equal((await h.request('GET', `/v1/integrations/${c.body.uuid}`)).body.lastDelivery.status, 'delivered');
  });

  test('STARTTLS is used when offered, with the certificate checked against VIGIL_TLS_CA_FILE', async () => {
    const cert = await makeCertificate(30);
    const tlsServer = await startSmtp({ disabledCommands: [], key: cert.key, cert: cert.cert });
    try {
      const c = await h.request('POST', '/v1/integrations', {
        body: {
          name: 'tls mail',
          type: 'email',
          settings: { to: ['ops@example.org'], smtpUrl: `smtp://127.0.0.1:${tlsServer.port}` },
        },
      });
      await h.request('POST', `/v1/integrations/${c.body.uuid}/test`);
      await testDispatcher(h.ctx).runOnce();
      const [untrusted] = (await outbox(h.ctx)).filter((r) => r.next_attempt_at !== null);
      assert.match(untrusted.last_status!, /self-signed|certificate/, 'an untrusted certificate is not accepted');
      await h.ctx.store.db
        .updateTable('notifications')
        .set({ next_attempt_at: now })
        .where('id', '=', untrusted.id)
        .execute();
      await testDispatcher(h.ctx, { ca: Buffer.from(cert.cert) }).runOnce();
      assert.equal(tlsServer.mails.length, 1);
      assert.equal(tlsServer.mails[0].secure, true);
    } finally {
      await tlsServer.close();
    }
  });

  test('a 5xx refusal gives up at once; a 4xx one is retried; no SMTP server configured is said plainly', async () => {
    const picky = await startSmtp({
      onRcptTo(address, _s, cb) {
        if (address.address.startsWith('full'))
          return cb(Object.assign(new Error('mailbox full, try later'), { responseCode: 452 }));
        if (address.address.startsWith('gone'))
          return cb(Object.assign(new Error('no such user'), { responseCode: 550 }));
        cb();
      },
    });
    try {
      const mk = async (
        to: string,
        settings: Record<string, unknown> = { smtpUrl: `smtp://127.0.0.1:${picky.port}` },
      ) => {
        const c = await h.request('POST', '/v1/integrations', {
          body: { name: to, type: 'email', settings: { to: [to], ...settings } },
        });
        await h.request('POST', `/v1/integrations/${c.body.uuid}/test`);
        return c.body.uuid as string;
      };
      const gone = await mk('gone@example.org');
      const full = await mk('full@example.org');
      const nowhere = await mk('x@example.org', {});
      await testDispatcher(h.ctx).runOnce();
      const last = async (uuid: string) => (await h.request('GET', `/v1/integrations/${uuid}`)).body.lastDelivery;
      assert.deepEqual(
        [(await last(gone)).status, (await last(full)).status, (await last(nowhere)).status],
        ['failed', 'pending', 'failed'],
      );
      assert.match((await last(gone)).detail, /550/);
      assert.match((await last(full)).detail, /452/);
      assert.match((await last(nowhere)).detail, /no SMTP server configured/);
    } finally {
      await picky.close();
    }
  });
});

describe('status page subscribers', () => {
  test('an incident, its updates and an announced maintenance reach email subscribers, each with a working unsubscribe link', async () => {
    const sp = (
      await expectStatus(
        201,
        h.request('POST', '/v2/statuspages', { body: { name: 'Acme Status', subdomain: 'acme-mail' } }),
      )
    ).body.statuspage;
    for (const [email, language] of [
      ['ann@example.org', 'en'],
      ['bea@example.org', 'fr'],
    ]) {
      assert.equal(
        (
          await h.request('POST', `/v2/statuspages/${sp.uuid}/subscribers`, {
            body: { type: 'email', email, language },
          })
        ).status,
        201,
      );
    }
    const other = (
      await expectStatus(
        201,
        h.request('POST', '/v2/statuspages', { body: { name: 'Elsewhere', subdomain: 'acme-other' } }),
      )
    ).body.statuspage;
    assert.equal(
      (
        await h.request('POST', `/v2/statuspages/${other.uuid}/subscribers`, {
          body: { type: 'email', email: 'cid@example.org' },
        })
      ).status,
      201,
    );
    const d = testDispatcher(h.ctx, { smtpUrl: smtpUrl(), smtpFrom: 'status@acme.example' });

    const inc = await h.request('POST', '/v3/incidents', {
      body: {
        title: { en: 'Checkout errors', fr: 'Erreurs de paiement' },
        text: { en: 'Some payments fail.' },
        type: 'incident',
        statuspages: [sp.uuid],
        updates: [{ type: 'investigating', text: { en: 'Looking into it.', fr: 'Nous enquêtons.' } }],
      },
    });
    assert.equal(inc.status, 201, JSON.stringify(inc.body));
    await d.runOnce();
    assert.deepEqual(
      smtp.mails.map((m) => m.to[0]).sort(),
      ['ann@example.org', 'bea@example.org'],
      "only this page's subscribers",
    );
    const ann = smtp.mails.find((m) => m.to[0] === 'ann@example.org')!;
    const bea = smtp.mails.find((m) => m.to[0] === 'bea@example.org')!;
    assert.equal(ann.from, 'status@acme.example');
    assert.equal(ann.headers.subject, '[Acme Status] Incident: Checkout errors');
    assert.match(ann.text, /Investigating — 2026-03-01 12:00:00 UTC\r?\nLooking into it\./);
    assert.match(bea.text, /Nous enquêtons\./, "in the subscriber's language");
    const token = (
      await h.ctx.store.db
        .selectFrom('status_page_subscribers')
        .select('token')
        .where('email', '=', 'ann@example.org')
        .executeTakeFirstOrThrow()
    ).token;
    const unsubscribe = `https://vigil.example/status/acme-mail/unsubscribe/${token}`;
    assert.ok(ann.text.includes(`Unsubscribe: ${unsubscribe}`));
    assert.equal(ann.headers['list-unsubscribe'], `<${unsubscribe}>`);
    assert.equal(ann.headers['list-unsubscribe-post'], 'List-Unsubscribe=One-Click');

    // The link works: GET asks, a POST (what one-click mail clients send) unsubscribes.
    const path = new URL(unsubscribe).pathname;
    assert.equal((await fetch(h.url + path)).status, 200);
    const post = await fetch(h.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    assert.equal(post.status, 200);

    smtp.mails.length = 0;
    assert.equal(
      (
        await h.request('POST', `/v3/incidents/${inc.body.uuid}/updates`, {
          body: { type: 'resolved', text: { en: 'Fixed.' } },
        })
      ).status,
      201,
    );
    await d.runOnce();
    assert.deepEqual(
      smtp.mails.map((m) => m.to[0]),
      ['bea@example.org'],
      'the unsubscribed address gets nothing more',
    );
    assert.equal(smtp.mails[0].headers.subject, '[Acme Status] Incident update: Erreurs de paiement');

    smtp.mails.length = 0;
    const window = {
      name: 'db',
      title: { en: 'Database upgrade' },
      start_date: '2026-03-02T01:00:00Z',
      end_date: '2026-03-02T02:00:00Z',
      monitors: [],
      statuspages: [sp.uuid],
    };
    const quiet = await h.request('POST', '/v1/maintenance-windows', { body: window });
    assert.equal(quiet.status, 201, JSON.stringify(quiet.body));
    await d.runOnce();
    assert.equal(smtp.mails.length, 0, 'notificationOption "none" (the default) tells nobody');
    const told = await h.request('POST', '/v1/maintenance-windows', {
      body: { ...window, notificationOption: 'immediate' },
    });
    assert.equal(told.status, 201, JSON.stringify(told.body));
    await d.runOnce();
    assert.equal(smtp.mails.length, 1);
    assert.equal(smtp.mails[0].headers.subject, '[Acme Status] Scheduled maintenance: Database upgrade');
    assert.match(smtp.mails[0].text, /From 2026-03-02 01:00:00 UTC to 2026-03-02 02:00:00 UTC\./);
    assert.equal(
      (
        await h.request('PUT', `/v1/maintenance-windows/${told.body.uuid}`, {
          body: { end_date: '2026-03-02T03:00:00Z' },
        })
      ).status,
      200,
    );
    await d.runOnce();
    assert.equal(smtp.mails.length, 2);
    assert.equal(smtp.mails[1].headers.subject, '[Acme Status] Maintenance changed: Database upgrade');
  });

  test('a "scheduled" maintenance window is announced notificationMinutes before it starts, once, and again when it moves', async () => {
    const sp = (
      await expectStatus(
        201,
        h.request('POST', '/v2/statuspages', { body: { name: 'Beta Status', subdomain: 'beta-mail' } }),
      )
    ).body.statuspage;
    assert.equal(
      (
        await h.request('POST', `/v2/statuspages/${sp.uuid}/subscribers`, {
          body: { type: 'email', email: 'dan@example.org' },
        })
      ).status,
      201,
    );
    const d = testDispatcher(h.ctx, { smtpUrl: smtpUrl() });
    const start = now + 3 * 3_600_000;
    const w = await h.request('POST', '/v1/maintenance-windows', {
      body: {
        name: 'net',
        title: { en: 'Network work' },
        start_date: new Date(start).toISOString(),
        end_date: new Date(start + 3_600_000).toISOString(),
        monitors: [],
        statuspages: [sp.uuid],
        notificationOption: 'scheduled',
        notificationMinutes: 60,
      },
    });
    assert.equal(w.status, 201, JSON.stringify(w.body));
    assert.equal(w.body.scheduledNotificationStatus, 'pending');
    await d.runOnce();
    assert.equal(smtp.mails.length, 0, 'not yet: two hours before the notice');
    const saved = now;
    try {
      now = start - 60 * 60_000;
      await d.runOnce();
      await d.runOnce();
      assert.equal(await sendDueMaintenanceNotices(h.ctx), 0, 'claimed once');
      assert.equal(smtp.mails.length, 1);
      assert.equal(smtp.mails[0].headers.subject, '[Beta Status] Maintenance starting soon: Network work');
      const read = (await h.request('GET', `/v1/maintenance-windows/${w.body.uuid}`)).body;
      assert.equal(read.scheduledNotificationStatus, 'sent');
      assert.equal(read.scheduledNotificationSentAt, new Date(now).toISOString());
      assert.equal(
        (
          await h.request('PUT', `/v1/maintenance-windows/${w.body.uuid}`, {
            body: { start_date: new Date(start + 30 * 60_000).toISOString() },
          })
        ).status,
        200,
      );
      now = start - 30 * 60_000;
      await d.runOnce();
      assert.equal(smtp.mails.length, 2, 'moved: announced again before the new start');
    } finally {
      now = saved;
    }
  });

  test('with VIGIL_SMTP_URL set, an invitation is emailed to the invitee with its link; without it, nothing is queued', async () => {
    const inviter = await createUser(h.ctx, { email: 'owner-mail@example.org', password: 'owner mail password' });
    const project = { id: h.project.id, name: 'Test project' };
    const quiet = await inviteMember(h.ctx, project, { email: 'quiet@example.org', role: 'member' }, inviter);
    assert.equal(quiet.emailed, false);
    assert.equal((await outbox(h.ctx)).filter((r) => r.event === 'member.invitation').length, 0);
    const inv = await inviteMember(
      { ...h.ctx, emailEnabled: true },
      project,
      { email: 'Invitee@Example.org', role: 'owner' },
      inviter,
    );
    assert.equal(inv.emailed, true);
    await testDispatcher(h.ctx, { smtpUrl: smtpUrl() }).runOnce();
    const mail = smtp.mails.find((m) => m.to.includes('invitee@example.org'));
    assert.ok(mail, 'the invitation was delivered');
    assert.equal(mail.headers['x-vigil-event'], 'member.invitation');
    assert.ok(mail.text.includes(`Accept the invitation: ${inv.link}`), mail.text);
    assert.match(
      mail.text,
      /owner-mail@example\.org invites you to join the project Test project on Vigil as an owner\./,
    );
  });
});
