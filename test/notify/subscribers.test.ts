import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectStatus, startHarness, type Harness } from '../harness.ts';
import { outbox, startReceiver, testDispatcher, type Receiver } from '../support/alerting.ts';

let h: Harness;
let rx: Receiver;
const now = Date.parse('2026-03-01T12:00:00Z');
before(async () => {
  h = await startHarness({ clock: () => now });
  rx = await startReceiver();
});
after(async () => {
  await h.stop();
  await rx.close();
});

describe('status page subscribers of type teams', () => {
  test('an incident and a maintenance window reach a teams subscriber as a Teams message to its webhook URL, with a working unsubscribe link; sms subscribers get nothing', async () => {
    const sp = (
      await expectStatus(
        201,
        h.request('POST', '/v2/statuspages', { body: { name: 'Acme Status', subdomain: 'acme-teams' } }),
      )
    ).body.statuspage;
    const add = (body: Record<string, unknown>) =>
      h.request('POST', `/v2/statuspages/${sp.uuid}/subscribers`, { body });
    assert.equal(
      (await add({ type: 'teams', teams_webhook_url: 'https://acme.webhook.office.example/workflows/abc' })).status,
      201,
    );
    assert.equal((await add({ type: 'sms', phone: '+33612345678' })).status, 201);
    // The API takes https URLs only; the loopback receiver stands in for Teams over http.
    const pointed = await h.ctx.store.db
      .updateTable('status_page_subscribers')
      .set({ teams_webhook_url: `${rx.url}/teams`, value: `${rx.url}/teams` })
      .where('type', '=', 'teams')
      .executeTakeFirst();
    assert.equal(Number(pointed.numUpdatedRows), 1, 'the teams subscriber now points at the receiver');

    const inc = await h.request('POST', '/v3/incidents', {
      body: {
        title: { en: 'Checkout errors' },
        text: { en: 'Some payments fail.' },
        type: 'incident',
        statuspages: [sp.uuid],
        updates: [{ type: 'investigating', text: { en: 'Looking into it.' } }],
      },
    });
    assert.equal(inc.status, 201, JSON.stringify(inc.body));
    const rows = await outbox(h.ctx);
    assert.deepEqual(
      rows.map((r) => [r.kind, r.recipient, r.event]),
      [['teams', `${rx.url}/teams`, 'statuspage.incident']],
      'one row, none for the sms subscriber',
    );

    const d = testDispatcher(h.ctx);
    try {
      await d.runOnce();
      const [msg] = await rx.waitFor(1);
      assert.equal(msg.path, '/teams');
      assert.equal(msg.json.type, 'message');
      const card = msg.json.attachments[0];
      assert.equal(card.contentType, 'application/vnd.microsoft.card.adaptive');
      assert.equal(card.content.body[0].text, '[Acme Status] Incident: Checkout errors');
      assert.ok(card.content.body.some((b: { text: string }) => b.text === 'Looking into it.'));
      const token = (
        await h.ctx.store.db
          .selectFrom('status_page_subscribers')
          .select('token')
          .where('type', '=', 'teams')
          .executeTakeFirstOrThrow()
      ).token;
      const actions = card.content.actions.map((a: { title: string; url: string }) => [a.title, a.url]);
      assert.deepEqual(actions, [
        ['Open the status page', 'https://vigil.example/status/acme-teams'],
        ['Unsubscribe', `https://vigil.example/status/acme-teams/unsubscribe/${token}`],
      ]);
      assert.ok((await outbox(h.ctx))[0].delivered_at !== null);

      const window = {
        name: 'db',
        title: { en: 'Database upgrade' },
        start_date: '2026-03-02T01:00:00Z',
        end_date: '2026-03-02T02:00:00Z',
        monitors: [],
        statuspages: [sp.uuid],
        notificationOption: 'immediate',
      };
      assert.equal((await h.request('POST', '/v1/maintenance-windows', { body: window })).status, 201);
      await d.runOnce();
      await rx.waitFor(2);
      assert.equal(
        rx.received[1].json.attachments[0].content.body[0].text,
        '[Acme Status] Scheduled maintenance: Database upgrade',
      );

      // The link works: GET asks, POST unsubscribes; later notices reach nobody.
      const path = new URL(actions[1][1]).pathname;
      assert.equal((await fetch(h.url + path)).status, 200);
      assert.equal(
        (
          await fetch(h.url + path, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: 'lang=en',
          })
        ).status,
        200,
      );
      const before = (await outbox(h.ctx)).length;
      assert.equal(
        (
          await h.request('POST', `/v3/incidents/${inc.body.uuid}/updates`, {
            body: { type: 'resolved', text: { en: 'Fixed.' } },
          })
        ).status,
        201,
      );
      assert.equal((await outbox(h.ctx)).length, before);
    } finally {
      await d.stop();
    }
  });
});
