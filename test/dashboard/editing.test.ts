import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Harness } from '../harness.ts';
import { FormClient, csrfOf, textOf } from '../support/browser-client.ts';
import { ADMIN, dashboardProject, plain } from '../support/dashboard-session.ts';
import { createMonitor, type Monitor } from '../../src/services/monitors.ts';
import { createHealthcheck, getHealthcheck } from '../../src/services/healthchecks.ts';
import { createMaintenance, getMaintenance } from '../../src/services/maintenance.ts';
import { createPolicy } from '../../src/services/escalation-policies.ts';
import { createStatusPage, getStatusPage } from '../../src/services/statuspages.ts';
import { getOutage, listOutages } from '../../src/services/outages.ts';
import type { ActorCtx } from '../../src/services/context.ts';

let h: Harness;
let admin: FormClient;
let actor: ActorCtx;
let shop: Monitor;
let api: Monitor;
let at: (rest: string) => string;

before(async () => {
  ({ h, admin, actor, at } = await dashboardProject());
  shop = await createMonitor(actor, { name: 'Shop', url: 'https://shop.example.org' });
  api = await createMonitor(actor, { name: 'API gateway', url: 'https://api.example.org' });
});
after(async () => { await h.stop(); });

describe('editing in the dashboard', () => {
  test('a healthcheck is edited from its page: the API’s messages beside the field, then name, schedule, grace, policy and pause saved', async () => {
    const hc = await createHealthcheck(actor, { name: 'Nightly backup', period_value: 1, period_type: 'days', grace_period_value: 1, grace_period_type: 'hours' });
    const policy = await createPolicy(actor, { name: 'On-call', steps: [{ delayMinutes: 0, emails: ['oncall@example.org'] }] });
    const detail = await admin.get(at(`healthchecks/${hc.uuid}`));
    assert.match(detail.text, new RegExp(`<a class="button" href="[^"]*healthchecks/${hc.uuid}/edit">Edit</a>`));
    const form = await admin.get(at(`healthchecks/${hc.uuid}/edit`));
    assert.equal(form.status, 200);
    assert.match(form.text, /id="f-name"[^>]*value="Nightly backup"/);
    assert.match(form.text, /name="kind" value="period" checked/);
    const base = { _csrf: csrfOf(form.text), name: 'Nightly DB backup', grace_period_value: '45', grace_period_type: 'minutes', policy: '' };

    const badCron = await admin.post(at(`healthchecks/${hc.uuid}/edit`), { ...base, kind: 'cron', cron: '0 3 * *', timezone: 'UTC' });
    assert.equal(badCron.status, 422);
    assert.match(textOf(badCron.text, 'f-cron-error')!, /^Invalid cron expression "0 3 \* \*": use 5 fields/);
    const badGrace = await admin.post(at(`healthchecks/${hc.uuid}/edit`), { ...base, kind: 'period', period_value: '1', period_type: 'days', grace_period_value: '-1' });
    assert.equal(textOf(badGrace.text, 'f-grace_period_value-error'), 'grace_period_value must be a whole number of at least 0');
    const noName = await admin.post(at(`healthchecks/${hc.uuid}/edit`), { ...base, name: '', kind: 'period', period_value: '1', period_type: 'days' });
    assert.equal(textOf(noName.text, 'f-name-error'), 'name must be a non-empty string');
    const badPolicy = await admin.post(at(`healthchecks/${hc.uuid}/edit`), { ...base, kind: 'period', period_value: '1', period_type: 'days', policy: 'esc_nope' });
    assert.equal(textOf(badPolicy.text, 'f-policy-error'), 'Escalation policy not found');
    assert.equal((await getHealthcheck(actor, hc.uuid)).name, 'Nightly backup', 'refused forms change nothing');

    const ok = await admin.post(at(`healthchecks/${hc.uuid}/edit`), { ...base, kind: 'cron', cron: '30 2 * * *', timezone: 'Europe/Paris', paused: 'on', policy: policy.uuid });
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
    await admin.post(at(`healthchecks/${hc.uuid}/edit`), { ...base, _csrf: csrfOf(again.text), kind: 'period', period_value: '2', period_type: 'hours' });
    const resumed = await getHealthcheck(actor, hc.uuid);
    assert.equal(resumed.paused, 0);
    assert.deepEqual([resumed.settings.period_value, resumed.settings.period_type, resumed.settings.cron], [2, 'hours', null]);
    const wire = (await h.request('GET', `/v2/healthchecks/${hc.uuid}`)).body as { healthcheck: { name: string; isPaused: boolean } };
    assert.equal(wire.healthcheck.name, 'Nightly DB backup');
    assert.equal(wire.healthcheck.isPaused, false);
  });

  test('a maintenance window is edited: monitors and status pages chosen by name, the API’s messages, other languages kept', async () => {
    const sp = await createStatusPage(actor, { name: 'Acme status', subdomain: 'acme-edit' });
    const w = await createMaintenance(actor, { name: 'DB upgrade', title: { en: 'Database upgrade', fr: 'Mise à jour' }, start_date: '2031-01-02T03:00:00Z', end_date: '2031-01-02T04:00:00Z', monitors: [shop.uuid] });
    const list = await admin.get(at('maintenance'));
    assert.match(list.text, new RegExp(`href="[^"]*maintenance/${w.uuid}/edit">Edit<span class="sr-only"> DB upgrade`));
    const form = await admin.get(at(`maintenance/${w.uuid}/edit`));
    assert.equal(form.status, 200);
    assert.match(form.text, /id="f-starts"[^>]*value="2031-01-02T03:00"/);
    assert.match(form.text, new RegExp(`name="monitors" value="${shop.uuid}" id="[^"]+" checked> <span>Shop<`));
    assert.match(form.text, new RegExp(`name="monitors" value="${api.uuid}" id="[^"]+"> <span>API gateway<`));
    const base = { _csrf: csrfOf(form.text), name: 'DB upgrade v2', title: 'Database upgrade, part 2', text: 'Read-only for an hour', starts: '2031-01-03T03:00', ends: '2031-01-03T05:00' };

    const backwards = await admin.post(at(`maintenance/${w.uuid}/edit`), { ...base, ends: '2031-01-03T02:00', monitors: api.uuid });
    assert.equal(backwards.status, 422);
    assert.match(textOf(backwards.text, 'f-ends-error')!, /^end_date must be after start_date/);
    const unknown = await admin.post(at(`maintenance/${w.uuid}/edit`), { ...base, monitors: 'mon_doesnotexist' });
    assert.equal(textOf(unknown.text, 'f-monitors-error'), 'Monitor mon_doesnotexist in monitors does not exist');
    assert.equal((await getMaintenance(actor, w.uuid)).name, 'DB upgrade');

    const body = new URLSearchParams({ ...base });
    body.append('monitors', shop.uuid);
    body.append('monitors', api.uuid);
    body.append('statuspages', sp.row.uuid);
    const ok = await admin.request('POST', at(`maintenance/${w.uuid}/edit`), body.toString());
    assert.equal(ok.status, 303);
    const saved = await getMaintenance(actor, w.uuid);
    assert.equal(saved.name, 'DB upgrade v2');
    assert.deepEqual(saved.title, { fr: 'Mise à jour', en: 'Database upgrade, part 2' });
    assert.equal(saved.text.en, 'Read-only for an hour');
    assert.equal(saved.startsAt, Date.parse('2031-01-03T03:00:00Z'));
    assert.equal(saved.endsAt, Date.parse('2031-01-03T05:00:00Z'));
    assert.deepEqual([...saved.monitors].sort(), [shop.uuid, api.uuid].sort());
    assert.deepEqual(saved.statuspages, [sp.row.uuid]);
    assert.match(plain((await admin.get(ok.location!)).text), /The maintenance window was saved/);
  });

  test('outages: a manual outage is created from the dashboard; acknowledging records the signed-in user, a key records the key', async () => {
    const form = await admin.get(at('outages/new'));
    assert.equal(form.status, 200);
    assert.match(form.text, new RegExp(`<option value="${api.uuid}">API gateway</option>`), 'the monitor is chosen by name');
    const base = { _csrf: csrfOf(form.text), monitor: shop.uuid, starts: '2030-05-01T10:00', ends: '', status_code: '503', description: 'Payments provider down' };
    const noMonitor = await admin.post(at('outages'), { ...base, monitor: '' });
    assert.equal(noMonitor.status, 422);
    assert.ok(textOf(noMonitor.text, 'f-monitor-error'));
    const badCode = await admin.post(at('outages'), { ...base, status_code: '42' });
    assert.equal(textOf(badCode.text, 'f-status_code-error'), 'statusCode must be a whole number from 100 to 599');
    const noText = await admin.post(at('outages'), { ...base, description: '  ' });
    assert.equal(textOf(noText.text, 'f-description-error'), 'description must not be empty');
    const backwards = await admin.post(at('outages'), { ...base, ends: '2030-05-01T09:00' });
    assert.equal(textOf(backwards.text, 'f-ends-error'), 'endDate must not be before startDate');
    assert.equal((await listOutages(actor, { page: 0, perPage: 10, status: 'all', type: 'all' })).total, 0);

    const ok = await admin.post(at('outages'), base);
    assert.equal(ok.status, 303);
    const uuid = /outages\/(outage_[A-Za-z0-9]+)\?done=created$/.exec(ok.location!)![1];
    const o = await getOutage(actor, uuid);
    assert.deepEqual([o.outage_type, o.status_code, o.description, o.started_at, o.ended_at], ['manual', 503, 'Payments provider down', Date.parse('2030-05-01T10:00:00Z'), null]);
    const wire = (await h.request('GET', `/v2/outages/${uuid}`)).body as { outage: { acknowledgedBy: unknown; monitor: { uuid: string } } };
    assert.equal(wire.outage.monitor.uuid, shop.uuid);
    assert.equal(wire.outage.acknowledgedBy, null);

    const detail = await admin.get(ok.location!);
    assert.match(plain(detail.text), /The outage was created/);
    const ack = await admin.post(at(`outages/${uuid}/acknowledge`), { _csrf: csrfOf(detail.text) });
    assert.equal(ack.status, 303);
    const user = await h.ctx.store.db.selectFrom('users').select('uuid').where('email', '=', ADMIN.email).executeTakeFirstOrThrow();
    const acked = (await h.request('GET', `/v2/outages/${uuid}`)).body as { outage: { acknowledgedBy: unknown } };
    assert.deepEqual(acked.outage.acknowledgedBy, { uuid: user.uuid, email: ADMIN.email, name: ADMIN.email });
    assert.match(/id="outage-ack">(.*?)<\/dd>/.exec((await admin.get(at(`outages/${uuid}`))).text)![1], /UTC<\/time> by admin@example\.org$/);

    // Through the API, the key is named instead.
    const second = await h.request('POST', '/v2/outages', { body: { monitorUuid: api.uuid, startDate: '2030-05-02T10:00:00Z', statusCode: 500, description: 'Gateway errors' } });
    const other = (second.body as { outage: { uuid: string } }).outage.uuid;
    await h.request('POST', `/v2/outages/${other}/acknowledge`, { body: {} });
    const byKey = (await h.request('GET', `/v2/outages/${other}`)).body as { outage: { acknowledgedBy: { email: string; name: string } } };
    assert.deepEqual([byKey.outage.acknowledgedBy.email, byKey.outage.acknowledgedBy.name], ['', 'rw']);
    assert.match(/id="outage-ack">(.*?)<\/dd>/.exec((await admin.get(at(`outages/${other}`))).text)![1], /UTC<\/time> by API key “rw”$/);
  });

  test('status page sections: monitors chosen by name, section and group names edited, groups added and kept in place', async () => {
    const sp = await createStatusPage(actor, {
      name: 'Grouped', subdomain: 'grouped-edit',
      sections: [{ name: 'Services', services: [
        { monitor_uuid: shop.uuid, name_shown: 'Web shop' },
        { is_group: true, name_shown: 'Backend', services: [{ uuid: api.uuid }] },
      ] }],
    });
    const page = await admin.get(at(`statuspages/${sp.row.uuid}`));
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.text, /cannot edit yet/);
    assert.match(page.text, /id="f-section_name_0"[^>]*value="Services"/);
    assert.match(page.text, /id="f-group_name_0_0"[^>]*value="Backend"/);
    assert.match(page.text, /<input type="hidden" name="group_orig_0_0" value="1">/, 'the group is the second service of its section');
    assert.match(page.text, new RegExp(`name="section_monitors_0" value="${shop.uuid}" id="[^"]+" checked> <span>Shop<`));
    assert.match(page.text, new RegExp(`name="group_monitors_0_0" value="${api.uuid}" id="[^"]+" checked> <span>API gateway<`));
    assert.match(page.text, /<details class="add-group"><summary>Add a group to “Services”<\/summary>/);

    const fields = new URLSearchParams({ _csrf: csrfOf(page.text), name: 'Grouped', subdomain: 'grouped-edit', theme: 'system', accent_color: '#36b27e', description: '',
      section_orig_0: '0', section_name_0: 'All services', section_rt_0: 'on',
      group_orig_0_0: '1', group_name_0_0: 'Backends',
      group_name_0_1: 'Storefront',
      section_name_1: 'Status', section_name_2: '' });
    fields.append('section_monitors_0', shop.uuid);
    fields.append('group_monitors_0_0', api.uuid);
    fields.append('group_monitors_0_1', shop.uuid);
    fields.append('section_monitors_1', api.uuid);
    const saved = await admin.request('POST', at(`statuspages/${sp.row.uuid}`), fields.toString());
    assert.equal(saved.status, 303, (saved.text.match(/class="(field-error|alert)"[^>]*>[^<]*/g) ?? []).join(' / '));
    const after = await getStatusPage(actor, sp.row.uuid);
    const shape = after.resolved.map((s) => ({ name: s.name.en, services: s.services.map((x) => (x.is_group ? { group: x.name.en, monitors: x.services.map((c) => c.monitor?.uuid) } : { monitor: x.monitor?.uuid, name: x.name.en, rt: x.show_response_times })) }));
    assert.deepEqual(shape, [
      { name: 'All services', services: [{ monitor: shop.uuid, name: 'Web shop', rt: true }, { group: 'Backends', monitors: [api.uuid] }, { group: 'Storefront', monitors: [shop.uuid] }] },
      { name: 'Status', services: [{ monitor: api.uuid, name: 'API gateway', rt: false }] },
    ]);

    // Clearing a group's name and monitors removes it; a group without a name is refused.
    const again = await admin.get(at(`statuspages/${sp.row.uuid}`));
    const nameless = new URLSearchParams({ _csrf: csrfOf(again.text), name: 'Grouped', subdomain: 'grouped-edit', theme: 'system', accent_color: '#36b27e', description: '',
      section_orig_0: '0', section_name_0: 'All services', group_orig_0_0: '1', group_name_0_0: '', group_orig_0_1: '2', group_name_0_1: '' });
    nameless.append('group_monitors_0_1', shop.uuid);
    const refused = await admin.request('POST', at(`statuspages/${sp.row.uuid}`), nameless.toString());
    assert.equal(refused.status, 422);
    assert.match(textOf(refused.text, 'f-sections-error')!, /name_shown is required for a group/);
    nameless.delete('group_monitors_0_1');
    assert.equal((await admin.request('POST', at(`statuspages/${sp.row.uuid}`), nameless.toString())).status, 303);
    assert.deepEqual((await getStatusPage(actor, sp.row.uuid)).resolved.map((s) => [s.name.en, s.services.length]), [['All services', 0]]);
  });
});
