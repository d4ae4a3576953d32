import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Harness } from '../harness.ts';
import { csrfOf, textOf, type FormClient } from '../support/browser-client.ts';
import { dashboardProject, expect404, foreignProject, plain } from '../support/dashboard-session.ts';
import { createHealthcheck, getHealthcheck, listHealthchecks } from '../../src/services/healthchecks.ts';
import { createPolicy } from '../../src/services/escalation-policies.ts';
import type { ActorCtx } from '../../src/services/context.ts';

let h: Harness;
let admin: FormClient;
let actor: ActorCtx;
let other: ActorCtx;
let at: (rest: string) => string;

before(async () => {
  ({ h, admin, actor, at } = await dashboardProject());
  other = await foreignProject(h); // the admin owns every project the harness made: not this one
});
after(async () => {
  await h.stop();
});

// In this order: the first test counts every healthcheck of the project (none before, none after).
describe('healthchecks in the dashboard', () => {
  test('healthchecks: the form shows rule messages beside the field; the ping URL is shown with a copy button; pings, pause, delete', async () => {
    const form = await admin.get(at('healthchecks/new'));
    const base = {
      _csrf: csrfOf(form.text),
      name: 'Nightly backup',
      grace_period_value: '30',
      grace_period_type: 'minutes',
    };
    const badCron = await admin.post(at('healthchecks'), { ...base, kind: 'cron', cron: '0 3 * *', timezone: 'UTC' });
    assert.equal(badCron.status, 422);
    assert.match(textOf(badCron.text, 'f-cron-error')!, /^Invalid cron expression "0 3 \* \*": use 5 fields/);
    const badZone = await admin.post(at('healthchecks'), {
      ...base,
      kind: 'cron',
      cron: '0 3 * * *',
      timezone: 'Mars/Olympus',
    });
    assert.equal(
      textOf(badZone.text, 'f-timezone-error'),
      'Unknown timezone "Mars/Olympus": use an IANA time zone such as Europe/Paris',
    );
    const badPeriod = await admin.post(at('healthchecks'), {
      ...base,
      kind: 'period',
      period_value: '0',
      period_type: 'days',
    });
    assert.equal(textOf(badPeriod.text, 'f-period_value-error'), 'period_value must be a whole number of at least 1');
    const noName = await admin.post(at('healthchecks'), {
      ...base,
      name: ' ',
      kind: 'period',
      period_value: '1',
      period_type: 'days',
    });
    assert.equal(textOf(noName.text, 'f-name-error'), 'name must be a non-empty string');
    assert.equal((await listHealthchecks(actor)).length, 0);

    const ok = await admin.post(at('healthchecks'), {
      ...base,
      kind: 'cron',
      cron: '0 3 * * *',
      timezone: 'Europe/Paris',
    });
    assert.equal(ok.status, 303);
    const uuid = /healthchecks\/(tok_[A-Za-z0-9]+)\?done=created$/.exec(ok.location!)![1];
    const url = `${h.config.publicUrl}/ping/${uuid}`;
    const detail = await admin.get(ok.location!);
    assert.match(
      detail.text,
      new RegExp(`<input id="ping-url" class="mono" type="text" readonly value="${url.replace(/[/.]/g, '\\$&')}"`),
    );
    assert.match(detail.text, /<button type="button" class="copy small" data-copy="ping-url" hidden>Copy/);
    assert.match(plain(detail.text), /cron 0 3 \* \* \* \(Europe\/Paris\) · grace 30 minutes/);
    assert.match(plain(detail.text), /Never: waiting for the first ping/);
    const list = await admin.get(at('healthchecks'));
    assert.ok(list.text.includes(`value="${url}"`), 'the list shows the ping URL too');

    // A ping through the real endpoint shows up as the last ping.
    assert.equal((await fetch(`${h.url}/ping/${uuid}`, { method: 'POST', body: 'backup ok 12 GB' })).status, 200);
    const pinged = await admin.get(at(`healthchecks/${uuid}`));
    assert.match(
      plain(/<table class="list pings">[\s\S]*?<\/table>/.exec(pinged.text)![0]),
      /success .*backup ok 12 GB/,
    );
    assert.match(plain(/id="hc-status">([\s\S]*?)<\/dd>/.exec(pinged.text)![1]), /Up/);

    const paused = await admin.post(at(`healthchecks/${uuid}/pause`), { _csrf: csrfOf(pinged.text) });
    assert.equal(paused.status, 303);
    assert.equal((await getHealthcheck(actor, uuid)).paused, 1);
    await admin.post(at(`healthchecks/${uuid}/resume`), { _csrf: csrfOf(pinged.text) });
    assert.equal((await getHealthcheck(actor, uuid)).paused, 0);

    const foreign = await createHealthcheck(other, {
      name: 'Theirs',
      period_value: 1,
      period_type: 'days',
      grace_period_value: 1,
      grace_period_type: 'hours',
    });
    await expect404(admin, [
      at(`healthchecks/${foreign.uuid}`),
      at(`healthchecks/${foreign.uuid}/delete`),
      at('healthchecks/tok_nothing'),
    ]);
    await expect404(admin, [at(`healthchecks/${foreign.uuid}/pause`), at(`healthchecks/${foreign.uuid}/delete`)], true);
    assert.equal((await getHealthcheck(other, foreign.uuid)).paused, 0);

    const confirm = await admin.get(at(`healthchecks/${uuid}/delete`));
    assert.equal((await admin.post(at(`healthchecks/${uuid}/delete`), { _csrf: 'nope' })).status, 403);
    const gone = await admin.post(at(`healthchecks/${uuid}/delete`), { _csrf: csrfOf(confirm.text) });
    assert.equal(gone.status, 303);
    assert.equal((await listHealthchecks(actor)).length, 0);
  });

  test('a healthcheck is edited from its page: the API’s messages beside the field, then name, schedule, grace, policy and pause saved', async () => {
    const hc = await createHealthcheck(actor, {
      name: 'Nightly backup',
      period_value: 1,
      period_type: 'days',
      grace_period_value: 1,
      grace_period_type: 'hours',
    });
    const policy = await createPolicy(actor, {
      name: 'On-call',
      steps: [{ delayMinutes: 0, emails: ['oncall@example.org'] }],
    });
    const detail = await admin.get(at(`healthchecks/${hc.uuid}`));
    assert.match(detail.text, new RegExp(`<a class="button" href="[^"]*healthchecks/${hc.uuid}/edit">Edit</a>`));
    const form = await admin.get(at(`healthchecks/${hc.uuid}/edit`));
    assert.equal(form.status, 200);
    assert.match(form.text, /id="f-name"[^>]*value="Nightly backup"/);
    assert.match(form.text, /name="kind" value="period" checked/);
    const base = {
      _csrf: csrfOf(form.text),
      name: 'Nightly DB backup',
      grace_period_value: '45',
      grace_period_type: 'minutes',
      policy: '',
    };

    const badCron = await admin.post(at(`healthchecks/${hc.uuid}/edit`), {
      ...base,
      kind: 'cron',
      cron: '0 3 * *',
      timezone: 'UTC',
    });
    assert.equal(badCron.status, 422);
    assert.match(textOf(badCron.text, 'f-cron-error')!, /^Invalid cron expression "0 3 \* \*": use 5 fields/);
    const badGrace = await admin.post(at(`healthchecks/${hc.uuid}/edit`), {
      ...base,
      kind: 'period',
      period_value: '1',
      period_type: 'days',
      grace_period_value: '-1',
    });
    assert.equal(
      textOf(badGrace.text, 'f-grace_period_value-error'),
      'grace_period_value must be a whole number of at least 0',
    );
    const noName = await admin.post(at(`healthchecks/${hc.uuid}/edit`), {
      ...base,
      name: '',
      kind: 'period',
      period_value: '1',
      period_type: 'days',
    });
    assert.equal(textOf(noName.text, 'f-name-error'), 'name must be a non-empty string');
    const badPolicy = await admin.post(at(`healthchecks/${hc.uuid}/edit`), {
      ...base,
      kind: 'period',
      period_value: '1',
      period_type: 'days',
      policy: 'esc_nope',
    });
    assert.equal(textOf(badPolicy.text, 'f-policy-error'), 'Escalation policy not found');
    assert.equal((await getHealthcheck(actor, hc.uuid)).name, 'Nightly backup', 'refused forms change nothing');

    const ok = await admin.post(at(`healthchecks/${hc.uuid}/edit`), {
      ...base,
      kind: 'cron',
      cron: '30 2 * * *',
      timezone: 'Europe/Paris',
      paused: 'on',
      policy: policy.uuid,
    });
    assert.equal(ok.status, 303);
    assert.equal(ok.location, at(`healthchecks/${hc.uuid}?done=saved`));
    const after = await getHealthcheck(actor, hc.uuid);
    assert.equal(after.name, 'Nightly DB backup');
    assert.equal(after.settings.cron, '30 2 * * *');
    assert.equal(after.settings.timezone, 'Europe/Paris');
    assert.equal(after.settings.period_value, null);
    assert.deepEqual([after.settings.grace_value, after.settings.grace_type], [45, 'minutes']);
    assert.equal(after.paused, 1);
    assert.equal(Number(after.escalation_policy_id), policy.id);
    const page = plain((await admin.get(ok.location!)).text);
    assert.match(page, /The healthcheck was saved/);
    assert.match(page, /cron 30 2 \* \* \* \(Europe\/Paris\) · grace 45 minutes/);

    // Unticking "Paused" resumes it; the API sees the same check.
    const again = await admin.get(at(`healthchecks/${hc.uuid}/edit`));
    assert.match(again.text, /name="paused" id="f-paused" checked/);
    await admin.post(at(`healthchecks/${hc.uuid}/edit`), {
      ...base,
      _csrf: csrfOf(again.text),
      kind: 'period',
      period_value: '2',
      period_type: 'hours',
    });
    const resumed = await getHealthcheck(actor, hc.uuid);
    assert.equal(resumed.paused, 0);
    assert.deepEqual(
      [resumed.settings.period_value, resumed.settings.period_type, resumed.settings.cron],
      [2, 'hours', null],
    );
    const wire = (await h.request('GET', `/v2/healthchecks/${hc.uuid}`)).body as {
      healthcheck: { name: string; isPaused: boolean };
    };
    assert.equal(wire.healthcheck.name, 'Nightly DB backup');
    assert.equal(wire.healthcheck.isPaused, false);
  });
});
