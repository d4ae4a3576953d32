import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectStatus, type Harness } from '../harness.ts';
import { type FormClient, csrfOf, textOf } from '../support/browser-client.ts';
import { ADMIN, dashboardProject, foreignProject, plain } from '../support/dashboard-session.ts';
import {
  goDown,
  goUp,
  monitorId,
  startReceiver,
  testDispatcher,
  verifyWebhook,
  type Receiver,
} from '../support/alerting.ts';
import { getIntegration, listIntegrations, createIntegration } from '../../src/services/integrations.ts';
import { getPolicy, listPolicies } from '../../src/services/escalation-policies.ts';
import type { ActorCtx } from '../../src/services/context.ts';

let h: Harness;
let admin: FormClient;
let actor: ActorCtx;
let other: ActorCtx;
let rx: Receiver;
let failing: Receiver;
let at: (rest: string) => string;

before(async () => {
  ({ h, admin, actor, at } = await dashboardProject());
  other = await foreignProject(h); // the admin owns every project the harness made: not this one
  rx = await startReceiver();
  failing = await startReceiver();
});
after(async () => {
  await h.stop();
  await rx.close();
  await failing.close();
});

const uuidIn = (location: string | null, prefix: string) =>
  new RegExp(`/(${prefix}_[A-Za-z0-9]+)`).exec(location ?? '')![1];

describe('dashboard: alerting', () => {
  test('the project navigation has an Alerting tab, marked on the alerting page', async () => {
    const page = await admin.get(at('alerting'));
    assert.equal(page.status, 200);
    const nav = /<nav class="project-nav"[\s\S]*?<\/nav>/.exec(page.text)![0];
    assert.match(nav, /aria-current="page">Alerting</);
    assert.match(plain(page.text), /No channel yet/);
    assert.match(plain(page.text), /No escalation policy yet/);
  });

  test('a webhook channel: its signing secret is shown once after saving, then only masked; editing keeps it; a test notification arrives signed', async () => {
    const chooser = await admin.get(at('alerting/channels/new'));
    assert.match(chooser.text, /alerting\/channels\/new\?type=webhook/);
    const form = await admin.get(at('alerting/channels/new?type=webhook'));
    assert.equal(form.status, 200);
    assert.match(form.text, /id="f-s_url"/);

    const bad = await admin.post(at('alerting/channels'), {
      _csrf: csrfOf(form.text),
      type: 'webhook',
      name: 'Ops hook',
      s_url: 'ftp://nope',
      secret: '',
    });
    assert.equal(bad.status, 422);
    assert.equal(textOf(bad.text, 'f-s_url-error'), 'settings.url must be an http(s) URL');
    assert.equal((await listIntegrations(actor)).length, 0);

    const created = await admin.post(at('alerting/channels'), {
      _csrf: csrfOf(form.text),
      type: 'webhook',
      name: 'Ops hook',
      s_url: `${rx.url}/hook`,
      secret: '',
    });
    assert.equal(created.status, 201);
    const [c] = await listIntegrations(actor);
    assert.equal(c.kind, 'webhook');
    assert.match(c.secret!, /^whsec_/);
    assert.ok(created.text.includes(`value="${c.secret}"`), 'the new secret is shown in full once');

    const page = await admin.get(at(`alerting/channels/${c.uuid}`));
    assert.equal(page.status, 200);
    assert.ok(!page.text.includes(c.secret!), 'never again in full');
    assert.ok(page.text.includes(`whsec_…${c.secret!.slice(-4)}`), 'masked');
    assert.ok(!(await admin.get(at('alerting'))).text.includes(c.secret!));

    // Saving the form with the secret field empty keeps the secret; a new URL is saved.
    const saved = await admin.post(at(`alerting/channels/${c.uuid}`), {
      _csrf: csrfOf(page.text),
      name: 'Ops hook 2',
      s_url: `${rx.url}/hook2`,
      secret: '',
      enabled: 'on',
    });
    assert.equal(saved.status, 303);
    const after = await getIntegration(actor, c.uuid);
    assert.equal(after.name, 'Ops hook 2');
    assert.equal(after.config.url, `${rx.url}/hook2`);
    assert.equal(after.secret, c.secret);

    const queued = await admin.post(at(`alerting/channels/${c.uuid}/test`), { _csrf: csrfOf(page.text) });
    assert.equal(queued.status, 303);
    assert.match(queued.location!, /done=test-queued$/);
    const d = testDispatcher(h.ctx);
    try {
      await d.runOnce();
    } finally {
      await d.stop();
    }
    const [got] = await rx.waitFor(1);
    assert.equal(got.path, '/hook2');
    assert.equal(got.json.type, 'test');
    assert.ok(verifyWebhook(c.secret!, got.headers, got.body), 'signed with the secret shown at creation');
    const afterTest = await admin.get(queued.location!);
    assert.match(textOf(afterTest.text, 'last-delivery') ?? '', /^sent/);
    assert.match(plain(afterTest.text), /A test notification was queued/);

    // Unticking "Enabled" disables the channel; its test button is then refused.
    await admin.post(at(`alerting/channels/${c.uuid}`), {
      _csrf: csrfOf(page.text),
      name: 'Ops hook 2',
      s_url: `${rx.url}/hook2`,
      secret: '',
    });
    assert.notEqual((await getIntegration(actor, c.uuid)).disabledAt, null);
    const refused = await admin.post(at(`alerting/channels/${c.uuid}/test`), { _csrf: csrfOf(page.text) });
    assert.equal(refused.status, 422);
    assert.match(plain(refused.text), /Integration is disabled/);
    await admin.post(at(`alerting/channels/${c.uuid}`), {
      _csrf: csrfOf(page.text),
      name: 'Ops hook 2',
      s_url: `${rx.url}/hook2`,
      secret: '',
      enabled: 'on',
    });
    assert.equal((await getIntegration(actor, c.uuid)).disabledAt, null);
  });

  test('secret settings (a Slack URL, an SMTP URL) are write-only: shown masked, kept when left empty, removable when optional', async () => {
    const form = await admin.get(at('alerting/channels/new?type=slack'));
    const missing = await admin.post(at('alerting/channels'), {
      _csrf: csrfOf(form.text),
      type: 'slack',
      name: 'Slack',
      s_url: '',
    });
    assert.equal(missing.status, 422);
    assert.match(textOf(missing.text, 'f-s_url-error')!, /settings\.url/);
    const slackUrl = 'https://hooks.slack.example/services/T000/B000/SECRETPART12345';
    const created = await admin.post(at('alerting/channels'), {
      _csrf: csrfOf(form.text),
      type: 'slack',
      name: 'Slack',
      s_url: slackUrl,
    });
    assert.equal(created.status, 303);
    const uuid = uuidIn(created.location, 'int');
    const page = await admin.get(at(`alerting/channels/${uuid}`));
    assert.ok(!page.text.includes('SECRETPART'), 'the webhook URL is not shown back');
    assert.ok(page.text.includes('https://hooks.slack.example/…2345'));
    assert.match(page.text, /<input id="f-s_url" name="s_url" type="password" value=""/);
    assert.ok(!(await admin.get(at('alerting'))).text.includes('SECRETPART'));
    await admin.post(at(`alerting/channels/${uuid}`), {
      _csrf: csrfOf(page.text),
      name: 'Slack #ops',
      s_url: '',
      enabled: 'on',
    });
    const kept = await getIntegration(actor, uuid);
    assert.equal(kept.name, 'Slack #ops');
    assert.equal(kept.config.url, slackUrl);

    const mail = await admin.post(at('alerting/channels'), {
      _csrf: csrfOf(form.text),
      type: 'email',
      name: 'On-call mail',
      s_to: 'a@example.org, b@example.org',
      s_smtpUrl: 'smtp://user:hunter2pass@mail.example:587',
      s_from: '',
    });
    assert.equal(mail.status, 303);
    const mailUuid = uuidIn(mail.location, 'int');
    const mailPage = await admin.get(at(`alerting/channels/${mailUuid}`));
    assert.ok(!mailPage.text.includes('hunter2pass'));
    assert.ok(mailPage.text.includes('value="a@example.org, b@example.org"'));
    assert.deepEqual((await getIntegration(actor, mailUuid)).config.to, ['a@example.org', 'b@example.org']);
    await admin.post(at(`alerting/channels/${mailUuid}`), {
      _csrf: csrfOf(mailPage.text),
      name: 'On-call mail',
      s_to: 'a@example.org',
      s_smtpUrl: '',
      clear_s_smtpUrl: 'on',
      s_from: '',
      enabled: 'on',
    });
    const cleared = await getIntegration(actor, mailUuid);
    assert.equal(cleared.config.smtpUrl, undefined, 'ticked: the saved SMTP URL is removed');
    assert.deepEqual(cleared.config.to, ['a@example.org']);

    // Delete needs the CSRF token; another project's channel is a 404.
    assert.equal((await admin.post(at(`alerting/channels/${mailUuid}/delete`), { _csrf: 'nope' })).status, 403);
    const confirm = await admin.get(at(`alerting/channels/${mailUuid}/delete`));
    assert.equal(
      (await admin.post(at(`alerting/channels/${mailUuid}/delete`), { _csrf: csrfOf(confirm.text) })).status,
      303,
    );
    await assert.rejects(getIntegration(actor, mailUuid));
    const theirs = await createIntegration(other, {
      type: 'slack',
      name: 'Theirs',
      settings: { url: 'https://hooks.slack.example/x' },
    });
    assert.equal((await admin.get(at(`alerting/channels/${theirs.uuid}`))).status, 404);
    assert.equal(
      (await admin.post(at(`alerting/channels/${theirs.uuid}/delete`), { _csrf: csrfOf(confirm.text) })).status,
      404,
    );
    assert.equal(
      (await admin.post(at(`alerting/channels/${theirs.uuid}/test`), { _csrf: csrfOf(confirm.text) })).status,
      404,
    );
    assert.equal((await getIntegration(other, theirs.uuid)).name, 'Theirs');
  });

  test('escalation policies: ordered steps with a delay, channels and people by email; rule messages beside the step; the project default', async () => {
    const channels = await listIntegrations(actor);
    const slack = channels.find((c) => c.kind === 'slack')!;
    const form = await admin.get(at('alerting/policies/new'));
    assert.ok(form.text.includes(`value="${ADMIN.email}"`), "the project's members are offered by email");
    assert.ok(form.text.includes(`name="step0_int" value="${slack.uuid}"`));

    const base = { _csrf: csrfOf(form.text), name: 'Business hours' };
    const bad = await admin.post(at('alerting/policies'), {
      ...base,
      step0_delay: '10',
      step0_int: slack.uuid,
      step1_delay: '5',
      step1_emails: 'cto@example.org',
    });
    assert.equal(bad.status, 422);
    assert.equal(
      textOf(bad.text, 'f-step1-error'),
      'Step 2: delayMinutes must not be less than the step before (steps run in order)',
    );
    assert.ok(bad.text.includes('value="cto@example.org"'), 'the form keeps what was typed');
    const empty = await admin.post(at('alerting/policies'), { ...base });
    assert.equal(empty.status, 422);
    assert.match(plain(empty.text), /steps must be an array of 1 to 20 steps/);
    assert.equal((await listPolicies(actor)).length, 0);

    const body = new URLSearchParams({
      ...base,
      isDefault: 'on',
      step0_delay: '0',
      step0_person: ADMIN.email,
      step2_delay: '15',
      step2_emails: 'cto@example.org, vp@example.org',
    });
    body.append('step0_int', slack.uuid);
    const created = await admin.request('POST', at('alerting/policies'), body.toString());
    assert.equal(created.status, 303, created.text);
    const uuid = uuidIn(created.location, 'esc');
    const p = await getPolicy(actor, uuid);
    assert.equal(p.isDefault, true);
    assert.deepEqual(p.steps, [
      { delayMinutes: 0, integrations: [slack.uuid], emails: [ADMIN.email] },
      { delayMinutes: 15, integrations: [], emails: ['cto@example.org', 'vp@example.org'] },
    ]);

    const edit = await admin.get(created.location!);
    assert.ok(edit.text.includes(`name="step0_person" value="${ADMIN.email}" checked`));
    assert.ok(edit.text.includes('value="15"'));
    const overview = await admin.get(at('alerting'));
    assert.match(
      plain(overview.text),
      /Business hours Default at once: Slack #ops, admin@example\.org after 15 min: cto@example\.org, vp@example\.org/,
    );

    // Edit: drop the second step.
    const saved = await admin.post(created.location!.replace(/\?.*$/, ''), {
      _csrf: csrfOf(edit.text),
      name: 'Always',
      isDefault: 'on',
      step0_delay: '0',
      step0_int: slack.uuid,
    });
    assert.equal(saved.status, 303);
    assert.deepEqual((await getPolicy(actor, uuid)).steps, [
      { delayMinutes: 0, integrations: [slack.uuid], emails: [] },
    ]);

    // The default is chosen on the overview; "none" leaves the project without one.
    const second = await h.request('POST', '/v1/escalation-policies', {
      body: { name: 'Nights', steps: [{ delayMinutes: 5, emails: ['night@example.org'] }] },
    });
    assert.equal(second.status, 201);
    const token = csrfOf(overview.text);
    assert.equal((await admin.post(at('alerting/default'), { _csrf: token, policy: second.body.uuid })).status, 303);
    assert.deepEqual(
      (await listPolicies(actor)).map((x) => [x.name, x.isDefault]),
      [
        ['Always', false],
        ['Nights', true],
      ],
    );
    assert.match((await admin.get(at('alerting'))).text, new RegExp(`<option value="${second.body.uuid}" selected>`));
    await admin.post(at('alerting/default'), { _csrf: token, policy: 'none' });
    assert.deepEqual(
      (await listPolicies(actor)).map((x) => x.isDefault),
      [false, false],
    );

    const confirm = await admin.get(at(`alerting/policies/${second.body.uuid}/delete`));
    assert.equal(
      (await admin.post(at(`alerting/policies/${second.body.uuid}/delete`), { _csrf: csrfOf(confirm.text) })).status,
      303,
    );
    assert.deepEqual(
      (await listPolicies(actor)).map((x) => x.name),
      ['Always'],
    );
    const theirs = await h.request('POST', '/v1/escalation-policies', {
      key: h.other.rw,
      body: { name: 'Theirs', steps: [{ delayMinutes: 0, emails: ['x@example.org'] }] },
    });
    assert.equal(theirs.status, 201, theirs.text);
    assert.equal((await admin.get(at(`alerting/policies/${theirs.body.uuid}`))).status, 404);
    assert.equal(
      (
        await admin.post(at(`alerting/policies/${theirs.body.uuid}`), {
          _csrf: token,
          name: 'Mine now',
          step0_delay: '0',
          step0_emails: 'a@example.org',
        })
      ).status,
      404,
    );
  });

  test('the outage page lists every notification: channel, kind (down, escalation, up), status (sent, failed, given up), attempts, last error, sent time', async () => {
    const good = await h.request('POST', '/v1/integrations', {
      body: { name: 'Good hook', type: 'webhook', settings: { url: `${rx.url}/good` } },
    });
    const bad = await h.request('POST', '/v1/integrations', {
      body: { name: 'Broken hook', type: 'webhook', settings: { url: `${failing.url}/bad` } },
    });
    assert.deepEqual([good.status, bad.status], [201, 201]);
    const policy = await h.request('POST', '/v1/escalation-policies', {
      body: {
        name: 'Two steps',
        steps: [
          { delayMinutes: 0, integrations: [good.body.uuid, bad.body.uuid] },
          { delayMinutes: 0, integrations: [good.body.uuid] },
        ],
      },
    });
    assert.equal(policy.status, 201, policy.text);
    const m = (
      await expectStatus(
        201,
        h.request('POST', '/v1/monitors', {
          body: {
            name: 'Payments',
            url: 'https://pay.example/health',
            paused: true,
            escalation_policy: policy.body.uuid,
          },
        }),
      )
    ).body;
    const id = await monitorId(h, m.uuid);
    rx.received.length = 0;
    failing.script({ status: 500, body: 'boom' });
    await goDown(h.ctx, id, Date.now());
    const d = testDispatcher(h.ctx);
    try {
      await d.runOnce(); // step 1 to both, step 2 (due at once) to the good hook; the broken one answers 500
    } finally {
      await d.stop();
    }
    const outage = await h.ctx.store.db
      .selectFrom('outages')
      .select(['id', 'uuid'])
      .where('monitor_id', '=', id)
      .executeTakeFirstOrThrow();
    const rowsOf = (text: string) =>
      [...(/<table class="list deliveries">[\s\S]*?<\/table>/.exec(text)?.[0] ?? '').matchAll(/<tr>([\s\S]*?)<\/tr>/g)]
        .map((r) => plain(r[1]).trim())
        .slice(1); // no header row

    let page = await admin.get(at(`outages/${outage.uuid}`));
    assert.equal(page.status, 200);
    let rows = rowsOf(page.text);
    assert.equal(rows.length, 3, rows.join('\n'));
    // Step 1's two rows come in either order; step 2 comes after them.
    const first = () => rows.slice(0, 2).sort();
    assert.match(first()[1], /^Good hook webhook down sent 1 \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    assert.match(first()[0], /^Broken hook webhook down failed, retrying 1 HTTP 500: boom —$/);
    assert.match(rows[2], /^Good hook webhook escalation \(step 2\) sent 1 \d{4}-/);

    // The broken hook fails again past the give-up time; recovery tells the channels alerted.
    await h.ctx.store.db
      .updateTable('notifications')
      .set({ next_attempt_at: Date.now() })
      .where('next_attempt_at', 'is not', null)
      .execute();
    failing.script({ status: 503 });
    await goUp(h.ctx, id, Date.now() + 5000);
    const giveUp = testDispatcher(h.ctx, { giveUpAfterMs: 0 });
    try {
      await giveUp.runOnce();
    } finally {
      await giveUp.stop();
    }
    page = await admin.get(at(`outages/${outage.uuid}`));
    rows = rowsOf(page.text);
    assert.equal(rows.length, 5, rows.join('\n'));
    assert.match(first()[0], /^Broken hook webhook down given up 2 gave up after 2 attempts .*HTTP 503.* —$/);
    assert.deepEqual(
      rows
        .slice(3)
        .map((r) => /^(.*?) webhook (\w+) (\w+)/.exec(r)!.slice(1))
        .sort(),
      [
        ['Broken hook', 'up', 'sent'],
        ['Good hook', 'up', 'sent'],
      ],
    );
  });
});
