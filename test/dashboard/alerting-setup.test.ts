// Alerting out of the box: while nothing would alert anyone about a project's checks, its
// monitors page and outage pages say so with the way to fix it; where an email would be taken
// while the server cannot send mail (no VIGIL_SMTP_URL, as in this harness), the screen says so.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Harness } from '../harness.ts';
import type { FormClient } from '../support/browser-client.ts';
import { dashboardProject, plain } from '../support/dashboard-session.ts';
import { createMonitor } from '../../src/services/monitors.ts';
import { createIntegration, updateIntegration } from '../../src/services/integrations.ts';
import { createPolicy } from '../../src/services/escalation-policies.ts';
import { createOutage } from '../../src/services/outages.ts';
import { createStatusPage } from '../../src/services/statuspages.ts';
import type { ActorCtx } from '../../src/services/context.ts';

let h: Harness;
let admin: FormClient;
let actor: ActorCtx;
let at: (rest: string) => string;

before(async () => {
  ({ h, admin, actor, at } = await dashboardProject());
});
after(async () => { await h.stop(); });

const BANNER = /Nobody is alerted when a check goes down\. No escalation policy of this project reaches a channel or a person yet\. Set up alerting ?\./;
const MAIL = /Mail is not set up on this server \( ?VIGIL_SMTP_URL ?is not set\)/;

describe('alerting out of the box', () => {
  test('no banner without checks; with checks and no policy that reaches anyone, the monitors page and outage pages say so, linking to Alerting', async () => {
    assert.doesNotMatch(plain((await admin.get(at('monitors'))).text), BANNER, 'nothing to alert about yet');
    const m = await createMonitor(actor, { name: 'Shop', url: 'https://shop.example.org', paused: true });
    const list = await admin.get(at('monitors'));
    assert.match(plain(list.text), BANNER);
    assert.match(list.text, new RegExp(`<a href="${at('alerting')}">Set up alerting</a>`));
    const outage = await createOutage(actor, { monitorUuid: m.uuid, startDate: new Date().toISOString(), statusCode: 500, description: 'down' });
    assert.match(plain((await admin.get(at(`outages/${outage.uuid}`))).text), BANNER);

    // A default policy that only emails people reaches nobody while mail is not set up.
    await createPolicy(actor, { name: 'Mail only', isDefault: true, steps: [{ delayMinutes: 0, emails: ['ops@example.org'] }] });
    assert.match(plain((await admin.get(at('monitors'))).text), BANNER);
    // A disabled channel reaches nobody either; enabled, it does.
    const hook = await createIntegration(actor, { name: 'ops hook', type: 'webhook', settings: { url: 'https://hooks.example/ops' } });
    await updateIntegration(actor, hook.uuid, { enabled: false });
    const policy = await createPolicy(actor, { name: 'Hook', steps: [{ delayMinutes: 0, integrations: [hook.uuid] }] });
    await h.request('PUT', `/v1/monitors/${m.uuid}`, { body: { escalation_policy: policy.uuid } });
    assert.match(plain((await admin.get(at('monitors'))).text), BANNER);
    await updateIntegration(actor, hook.uuid, { enabled: true });
    assert.doesNotMatch(plain((await admin.get(at('monitors'))).text), BANNER);
    assert.doesNotMatch(plain((await admin.get(at(`outages/${outage.uuid}`))).text), BANNER);
  });

  test('without VIGIL_SMTP_URL, the email channel form, policy steps and status page subscribers say mail is not set up; the public page offers no email subscription', async () => {
    assert.match(plain((await admin.get(at('alerting/channels/new?type=email'))).text), MAIL);
    assert.doesNotMatch(plain((await admin.get(at('alerting/channels/new?type=webhook'))).text), MAIL);
    assert.match(plain((await admin.get(at('alerting/policies/new'))).text), MAIL);
    const sp = await createStatusPage(actor, { name: 'Acme', subdomain: 'acme-mail', subscribe: { enabled: true, email: true } });
    assert.match(plain((await admin.get(at(`statuspages/${sp.row.uuid}/subscribers`))).text), MAIL);
    const page = await fetch(`${h.url}/status/acme-mail`);
    assert.equal(page.status, 200);
    assert.doesNotMatch(await page.text(), /action="\/status\/acme-mail\/subscribe"/);
    const post = await fetch(`${h.url}/status/acme-mail/subscribe`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=reader%40example.org' });
    assert.equal(post.status, 404, 'no address is taken that no mail could reach');
    assert.equal((await h.request('GET', `/v2/statuspages/${sp.row.uuid}/subscribers`)).body.subscribers.length, 0);
  });
});
