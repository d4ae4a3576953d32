// Public email subscriptions are double opt-in: the form stores the address unconfirmed and
// emails a confirmation link (through a real SMTP server on loopback); nothing else reaches it
// until it is confirmed, and it is forgotten after 48 hours. Subscribing is throttled per client
// address and per page (VIGIL_TRUST_PROXY lets each request name its address).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../harness.ts';
import { startSmtp } from '../support/smtp.ts';
import { outbox, testDispatcher } from '../support/alerting.ts';
import { pruneOnce } from '../../src/services/retention.ts';
import { SUBSCRIBE_PER_ADDRESS, SUBSCRIBE_PER_PAGE } from '../../src/web/status-pages/routes.ts';

let h: Harness;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
let now = Date.parse('2026-04-01T12:00:00Z');
let seq = 0;
before(async () => {
  smtp = await startSmtp({ authOptional: true });
  h = await startHarness({
    clock: () => now,
    env: { VIGIL_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, VIGIL_TRUST_PROXY: 'true' },
  });
});
after(async () => {
  await h.stop();
  await smtp.close();
});

const dispatch = () => testDispatcher(h.ctx, { smtpUrl: `smtp://127.0.0.1:${smtp.port}`, publicUrl: h.url }).runOnce();
const subscribers = async (page: string) =>
  (await h.request('GET', `/v2/statuspages/${page}/subscribers`)).body.subscribers as { email: string }[];

async function page() {
  const sub = `confirm-${++seq}`;
  const res = await h.request('POST', '/v2/statuspages', {
    body: { name: `Acme ${seq}`, subdomain: sub, subscribe: { enabled: true, email: true } },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { uuid: res.body.statuspage.uuid as string, base: `/status/${sub}` };
}

function subscribe(base: string, email: string, from = '198.51.100.1') {
  return fetch(`${h.url}${base}/subscribe`, {
    method: 'POST',
    redirect: 'manual',
    body: new URLSearchParams({ email }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': from },
  });
}

async function postIncident(pageUuid: string, title: string) {
  const res = await h.request('POST', '/v3/incidents', {
    body: { title: { en: title }, text: { en: 'Details.' }, type: 'incident', statuspages: [pageUuid] },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
}

describe('double opt-in subscriptions', () => {
  test('the form stores the address unconfirmed and emails only a confirmation link; an incident reaches nobody until it is followed (GET asks, POST confirms)', async () => {
    const sp = await page();
    const res = await subscribe(sp.base, 'Reader@Example.org');
    assert.equal(res.status, 303);
    assert.equal((await subscribers(sp.uuid)).length, 1);
    await postIncident(sp.uuid, 'Before confirming');
    assert.deepEqual(
      (await outbox(h.ctx)).filter((r) => r.recipient === 'reader@example.org').map((r) => r.event),
      ['statuspage.confirm'],
      'the confirmation only',
    );
    smtp.mails.length = 0;
    await dispatch();
    const mail = smtp.mails.find((m) => m.to.includes('reader@example.org'));
    assert.ok(mail, 'the confirmation was sent');
    assert.match(mail.headers.subject, /Confirm your subscription|=\?UTF-8\?B\?/);
    const link = /Confirm your subscription: (\S+)/.exec(mail.text)![1];
    const path = new URL(link).pathname;
    assert.match(path, new RegExp(`^${sp.base}/confirm/[A-Za-z0-9]{32}$`));

    const ask = await fetch(h.url + path);
    assert.equal(ask.status, 200);
    assert.match(await ask.text(), new RegExp(`<form method="post" action="${path}">`));
    await postIncident(sp.uuid, 'Still unconfirmed after a GET');
    assert.equal(
      (await outbox(h.ctx)).filter((r) => r.recipient === 'reader@example.org' && r.event === 'statuspage.incident')
        .length,
      0,
      'a mail scanner following the link confirms nothing',
    );

    const confirm = await fetch(h.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'lang=en',
    });
    assert.equal(confirm.status, 200);
    assert.match(await confirm.text(), /Your subscription is confirmed/);
    await postIncident(sp.uuid, 'After confirming');
    const rows = (await outbox(h.ctx)).filter(
      (r) => r.recipient === 'reader@example.org' && r.event === 'statuspage.incident',
    );
    assert.equal(rows.length, 1);
    assert.match(JSON.stringify(rows[0].payload), /After confirming/);
    assert.equal((await fetch(`${h.url}${sp.base}/confirm/${'x'.repeat(32)}`)).status, 404);
  });

  test("subscribing again sends no second confirmation and tells nothing; an owner's API subscriber is confirmed at once", async () => {
    const sp = await page();
    assert.equal((await subscribe(sp.base, 'twice@example.org', '198.51.100.2')).status, 303);
    assert.equal((await subscribe(sp.base, 'twice@example.org', '198.51.100.2')).status, 303);
    assert.equal((await outbox(h.ctx)).filter((r) => r.recipient === 'twice@example.org').length, 1);
    const added = await h.request('POST', `/v2/statuspages/${sp.uuid}/subscribers`, {
      body: { type: 'email', email: 'owner-added@example.org' },
    });
    assert.equal(added.status, 201);
    await postIncident(sp.uuid, 'For confirmed readers');
    const got = (await outbox(h.ctx)).filter(
      (r) =>
        r.event === 'statuspage.incident' &&
        ['twice@example.org', 'owner-added@example.org'].includes(r.recipient ?? ''),
    );
    assert.deepEqual(
      got.map((r) => r.recipient),
      ['owner-added@example.org'],
    );
  });

  test('an unconfirmed address is forgotten after 48 hours; a confirmed one stays', async () => {
    const sp = await page();
    assert.equal((await subscribe(sp.base, 'forgotten@example.org', '198.51.100.3')).status, 303);
    assert.equal(
      (
        await h.request('POST', `/v2/statuspages/${sp.uuid}/subscribers`, {
          body: { type: 'email', email: 'kept@example.org' },
        })
      ).status,
      201,
    );
    now += 47 * 3600_000;
    await pruneOnce(h.ctx, { rawDays: 3650, hourlyDays: 3650, dailyDays: 3650 });
    assert.equal((await subscribers(sp.uuid)).length, 2, 'not yet');
    now += 2 * 3600_000;
    await pruneOnce(h.ctx, { rawDays: 3650, hourlyDays: 3650, dailyDays: 3650 });
    assert.deepEqual(
      (await subscribers(sp.uuid)).map((s) => s.email),
      ['kept@example.org'],
    );
  });

  test(`one address may start ${SUBSCRIBE_PER_ADDRESS} subscriptions an hour (then 429, nothing stored); a page takes ${SUBSCRIBE_PER_PAGE} an hour from all addresses`, async () => {
    now += 24 * 3600_000;
    const sp = await page();
    for (let i = 0; i < SUBSCRIBE_PER_ADDRESS; i++)
      assert.equal((await subscribe(sp.base, `a${i}@example.org`, '203.0.113.5')).status, 303);
    const refused = await subscribe(sp.base, 'one-more@example.org', '203.0.113.5');
    assert.equal(refused.status, 429);
    assert.match(refused.headers.get('retry-after')!, /^\d+$/);
    assert.match(await refused.text(), /Too many subscriptions from here/);
    assert.equal(
      (await subscribe(sp.base, 'other-address@example.org', '203.0.113.6')).status,
      303,
      'another address is not affected',
    );
    // The page's own budget, spread over many addresses.
    const taken = SUBSCRIBE_PER_ADDRESS + 1;
    for (let i = taken; i < SUBSCRIBE_PER_PAGE; i++)
      assert.equal(
        (await subscribe(sp.base, `p${i}@example.org`, `10.0.${i >> 8}.${i & 255}`)).status,
        303,
        `#${i + 1}`,
      );
    assert.equal((await subscribe(sp.base, 'over@example.org', '10.9.9.9')).status, 429);
    assert.equal((await subscribers(sp.uuid)).length, 20, 'the list shows its first page of 20');
    now += 3600_000;
    assert.equal((await subscribe(sp.base, 'next-hour@example.org', '203.0.113.5')).status, 303, 'the next hour');
  });
});
