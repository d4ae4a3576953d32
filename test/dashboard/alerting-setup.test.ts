// Alerting out of the box: while nothing would alert anyone about a project's checks, its
// monitors page and outage pages say so with the way to fix it; where an email would be taken
// while the server cannot send mail (no VIGIL_SMTP_URL, as in this harness), the screen says so.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectStatus, type Harness } from '../harness.ts';
import { csrfOf, type FormClient } from '../support/browser-client.ts';
import { actorOf, dashboardProject, plain } from '../support/dashboard-session.ts';
import { createMonitor } from '../../src/services/monitors.ts';
import { createIntegration, listIntegrations, updateIntegration } from '../../src/services/integrations.ts';
import { createPolicy, getPolicy, listPolicies } from '../../src/services/escalation-policies.ts';
import { createProject } from '../../src/services/projects.ts';
import { addProjectMember } from '../../src/services/users.ts';
import { createApiKey } from '../../src/services/api-keys.ts';
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
after(async () => {
  await h.stop();
});

const BANNER =
  /Nobody is alerted when a check goes down\. No escalation policy of this project reaches a channel or a person yet\. Set up alerting ?\./;
const MAIL = /Mail is not set up on this server \( ?VIGIL_SMTP_URL ?is not set\)/;

describe('alerting out of the box', () => {
  test('no banner without checks; with checks and no policy that reaches anyone, the monitors page and outage pages say so, linking to Alerting', async () => {
    assert.doesNotMatch(plain((await admin.get(at('monitors'))).text), BANNER, 'nothing to alert about yet');
    const m = await createMonitor(actor, { name: 'Shop', url: 'https://shop.example.org', paused: true });
    const list = await admin.get(at('monitors'));
    assert.match(plain(list.text), BANNER);
    assert.match(list.text, new RegExp(`<a href="${at('alerting')}">Set up alerting</a>`));
    const outage = await createOutage(actor, {
      monitorUuid: m.uuid,
      startDate: new Date().toISOString(),
      statusCode: 500,
      description: 'down',
    });
    assert.match(plain((await admin.get(at(`outages/${outage.uuid}`))).text), BANNER);

    // A default policy that only emails people reaches nobody while mail is not set up.
    await createPolicy(actor, {
      name: 'Mail only',
      isDefault: true,
      steps: [{ delayMinutes: 0, emails: ['ops@example.org'] }],
    });
    assert.match(plain((await admin.get(at('monitors'))).text), BANNER);
    // A disabled channel reaches nobody either; enabled, it does.
    const hook = await createIntegration(actor, {
      name: 'ops hook',
      type: 'webhook',
      settings: { url: 'https://hooks.example/ops' },
    });
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
    const sp = await createStatusPage(actor, {
      name: 'Acme',
      subdomain: 'acme-mail',
      subscribe: { enabled: true, email: true },
    });
    assert.match(plain((await admin.get(at(`statuspages/${sp.row.uuid}/subscribers`))).text), MAIL);
    const page = await fetch(`${h.url}/status/acme-mail`);
    assert.equal(page.status, 200);
    assert.doesNotMatch(await page.text(), /action="\/status\/acme-mail\/subscribe"/);
    const post = await fetch(`${h.url}/status/acme-mail/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=reader%40example.org',
    });
    assert.equal(post.status, 404, 'no address is taken that no mail could reach');
    assert.equal((await h.request('GET', `/v2/statuspages/${sp.row.uuid}/subscribers`)).body.subscribers.length, 0);
  });
});

describe('the first channel: alert on all of the project’s monitors', () => {
  /** A fresh project the admin owns, with a monitor, and its dashboard paths. */
  async function project(name: string) {
    const p = await createProject(h.ctx, name);
    const user = (await h.ctx.store.db.selectFrom('users').select('id').executeTakeFirstOrThrow()).id;
    await addProjectMember(h.ctx, p.id, user, 'owner');
    const a = actorOf(h.ctx, p);
    await createMonitor(a, { name: 'Shop', url: 'https://shop.example.org', paused: true });
    return { actor: a, path: (rest: string) => `/app/projects/${p.uuid}/${rest}` };
  }
  const BOX =
    /<input type="checkbox" name="alert_all" aria-describedby="f-alert_all-hint"( checked)?> <span>Alert on all of this project’s monitors<\/span>/;

  test('offered checked on the first channel: saving makes the default policy “All monitors” alerting it at once, and the banner goes', async () => {
    const { actor: a, path } = await project('First channel');
    assert.match(plain((await admin.get(path('monitors'))).text), BANNER);
    const form = await admin.get(path('alerting/channels/new?type=slack'));
    assert.equal(BOX.exec(form.text)?.[1], ' checked', 'offered, checked');
    assert.match(
      plain(form.text),
      /Makes the project’s default escalation policy, “All monitors”, with one step that alerts this channel at once/,
    );

    // A refusal shows the form again with the box as it was sent.
    const refused = await admin.post(path('alerting/channels'), {
      _csrf: csrfOf(form.text),
      type: 'slack',
      name: 'Ops',
      s_url: 'not a url',
    });
    assert.equal(refused.status, 422);
    assert.equal(BOX.exec(refused.text)?.[1], undefined, 'unticked, as sent');
    assert.deepEqual(await listPolicies(a), []);

    const saved = await admin.post(path('alerting/channels'), {
      _csrf: csrfOf(form.text),
      type: 'slack',
      name: 'Ops',
      s_url: 'https://hooks.slack.example/T1/B1/x',
      alert_all: 'on',
    });
    assert.equal(saved.status, 303);
    assert.match(saved.location!, /\/alerting\/channels\/int_[A-Za-z0-9]+\?done=channel-alerts-all$/);
    const [channel] = await listIntegrations(a);
    const policies = await listPolicies(a);
    assert.deepEqual(
      policies.map((x) => [x.name, x.isDefault, x.steps]),
      [['All monitors', true, [{ delayMinutes: 0, integrations: [channel.uuid], emails: [] }]]],
    );
    assert.match(
      plain((await admin.get(saved.location!)).text),
      /the project’s default escalation policy alerts it at once/,
    );
    assert.doesNotMatch(plain((await admin.get(path('monitors'))).text), BANNER);

    // The second channel's form no longer offers it.
    assert.doesNotMatch((await admin.get(path('alerting/channels/new?type=webhook'))).text, /name="alert_all"/);
  });

  test('with a default policy already (email only, reaching nobody without mail), the channel joins its first step; unticked, no policy changes', async () => {
    const { actor: a, path } = await project('Mail first');
    const mail = await createPolicy(a, {
      name: 'On call',
      isDefault: true,
      steps: [
        { delayMinutes: 5, emails: ['ops@example.org'] },
        { delayMinutes: 30, emails: ['boss@example.org'] },
      ],
    });
    const form = await admin.get(path('alerting/channels/new?type=webhook'));
    assert.equal(BOX.exec(form.text)?.[1], ' checked');
    assert.match(
      plain(form.text),
      /Adds this channel to the first step of the project’s default escalation policy, “On call”/,
    );
    const created = await admin.post(path('alerting/channels'), {
      _csrf: csrfOf(form.text),
      type: 'webhook',
      name: 'Hook',
      s_url: 'https://hooks.example/in',
      secret: '',
      alert_all: 'on',
    });
    assert.equal(created.status, 201);
    assert.match(plain(created.text), /was created, and the project’s default escalation policy alerts it at once/);
    const [hook] = await listIntegrations(a);
    assert.deepEqual((await getPolicy(a, mail.uuid)).steps, [
      { delayMinutes: 5, integrations: [hook.uuid], emails: ['ops@example.org'] },
      { delayMinutes: 30, integrations: [], emails: ['boss@example.org'] },
    ]);
    assert.equal((await listPolicies(a)).length, 1);
    assert.doesNotMatch(plain((await admin.get(path('monitors'))).text), BANNER);

    const { actor: b, path: other } = await project('Unticked');
    const plainForm = await admin.get(other('alerting/channels/new?type=slack'));
    const res = await admin.post(other('alerting/channels'), {
      _csrf: csrfOf(plainForm.text),
      type: 'slack',
      name: 'Quiet',
      s_url: 'https://hooks.slack.example/T1/B1/y',
    });
    assert.equal(res.status, 303);
    assert.match(res.location!, /\?done=channel-created$/);
    assert.deepEqual(await listPolicies(b), []);
    assert.match(plain((await admin.get(other('monitors'))).text), BANNER);
  });

  test('POST /v1/integrations keeps its contract: the first channel made through the API changes no policy', async () => {
    const p = await createProject(h.ctx, 'API first');
    const key = (
      await createApiKey(h.ctx, { projectUuid: p.uuid, name: 'rw', permission: 'read_write', actor: 'test' })
    ).key;
    const res = await expectStatus(
      201,
      h.request('POST', '/v1/integrations', {
        key,
        body: { name: 'hook', type: 'webhook', settings: { url: 'https://hooks.example/api' } },
      }),
    );
    assert.deepEqual(Object.keys(res.body).sort(), [
      'createdAt',
      'disabledAt',
      'disabledReason',
      'enabled',
      'lastDelivery',
      'name',
      'secret',
      'settings',
      'type',
      'updatedAt',
      'uuid',
    ]);
    assert.deepEqual(await listPolicies(actorOf(h.ctx, p)), []);
  });
});
