import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Harness } from '../harness.ts';
import { FormClient, csrfOf, textOf } from '../support/browser-client.ts';
import { dashboardProject, foreignProject, plain } from '../support/dashboard-session.ts';
import { createMonitor, type Monitor } from '../../src/services/monitors.ts';
import { getHealthcheck, listHealthchecks } from '../../src/services/healthchecks.ts';
import { getOutage } from '../../src/services/outages.ts';
import { getIncident, listIncidents } from '../../src/services/incidents.ts';
import { listMaintenance } from '../../src/services/maintenance.ts';
import { getStatusPage, listSubscribers } from '../../src/services/statuspages.ts';
import type { ActorCtx } from '../../src/services/context.ts';

let h: Harness;
let admin: FormClient;
let actor: ActorCtx;
let other: ActorCtx;
let monitor: Monitor;
let at: (rest: string) => string;

before(async () => {
  ({ h, admin, actor, at } = await dashboardProject());
  other = await foreignProject(h); // the admin owns every project the harness made: not this one
  monitor = await createMonitor(actor, { name: 'Checkout API', url: 'https://checkout.example.org' });
});
after(async () => { await h.stop(); });

async function expect404(paths: string[], post = false) {
  const token = csrfOf((await admin.get(at('monitors'))).text);
  for (const p of paths) {
    const res = post ? await admin.post(p, { _csrf: token }) : await admin.get(p);
    assert.equal(res.status, 404, p);
    assert.match(res.text, /Page not found/);
  }
}

describe('dashboard management screens', () => {
  test('every project screen is one tab away, the current one marked', async () => {
    for (const [tab, label] of [['monitors', 'Monitors'], ['healthchecks', 'Healthchecks'], ['outages', 'Outages'], ['incidents', 'Incidents'], ['maintenance', 'Maintenance'], ['statuspages', 'Status pages'], ['alerting', 'Alerting'], ['settings/developers', 'Settings']]) {
      const page = await admin.get(at(tab));
      assert.equal(page.status, 200, tab);
      const nav = /<nav class="project-nav"[\s\S]*?<\/nav>/.exec(page.text)![0];
      assert.equal((nav.match(/<a href=/g) ?? []).length, 8);
      assert.match(nav, new RegExp(`aria-current="page">${label}<`), tab);
    }
  });

  test('healthchecks: the form shows rule messages beside the field; the ping URL is shown with a copy button; pings, pause, delete', async () => {
    const form = await admin.get(at('healthchecks/new'));
    const base = { _csrf: csrfOf(form.text), name: 'Nightly backup', grace_period_value: '30', grace_period_type: 'minutes' };
    const badCron = await admin.post(at('healthchecks'), { ...base, kind: 'cron', cron: '0 3 * *', timezone: 'UTC' });
    assert.equal(badCron.status, 422);
    assert.match(textOf(badCron.text, 'f-cron-error')!, /^Invalid cron expression "0 3 \* \*": use 5 fields/);
    const badZone = await admin.post(at('healthchecks'), { ...base, kind: 'cron', cron: '0 3 * * *', timezone: 'Mars/Olympus' });
    assert.equal(textOf(badZone.text, 'f-timezone-error'), 'Unknown timezone "Mars/Olympus": use an IANA time zone such as Europe/Paris');
    const badPeriod = await admin.post(at('healthchecks'), { ...base, kind: 'period', period_value: '0', period_type: 'days' });
    assert.equal(textOf(badPeriod.text, 'f-period_value-error'), 'period_value must be a whole number of at least 1');
    const noName = await admin.post(at('healthchecks'), { ...base, name: ' ', kind: 'period', period_value: '1', period_type: 'days' });
    assert.equal(textOf(noName.text, 'f-name-error'), 'name must be a non-empty string');
    assert.equal((await listHealthchecks(actor)).length, 0);

    const ok = await admin.post(at('healthchecks'), { ...base, kind: 'cron', cron: '0 3 * * *', timezone: 'Europe/Paris' });
    assert.equal(ok.status, 303);
    const uuid = /healthchecks\/(tok_[A-Za-z0-9]+)\?done=created$/.exec(ok.location!)![1];
    const url = `${h.config.publicUrl}/ping/${uuid}`;
    const detail = await admin.get(ok.location!);
    assert.match(detail.text, new RegExp(`<input id="ping-url" class="mono" type="text" readonly value="${url.replace(/[/.]/g, '\\$&')}"`));
    assert.match(detail.text, /<button type="button" class="copy small" data-copy="ping-url" hidden>Copy/);
    assert.match(plain(detail.text), /cron 0 3 \* \* \* \(Europe\/Paris\) · grace 30 minutes/);
    assert.match(plain(detail.text), /Never: waiting for the first ping/);
    const list = await admin.get(at('healthchecks'));
    assert.ok(list.text.includes(`value="${url}"`), 'the list shows the ping URL too');

    // A ping through the real endpoint shows up as the last ping.
    assert.equal((await fetch(`${h.url}/ping/${uuid}`, { method: 'POST', body: 'backup ok 12 GB' })).status, 200);
    const pinged = await admin.get(at(`healthchecks/${uuid}`));
    assert.match(plain(/<table class="list pings">[\s\S]*?<\/table>/.exec(pinged.text)![0]), /success .*backup ok 12 GB/);
    assert.match(plain(/id="hc-status">([\s\S]*?)<\/dd>/.exec(pinged.text)![1]), /Up/);

    const paused = await admin.post(at(`healthchecks/${uuid}/pause`), { _csrf: csrfOf(pinged.text) });
    assert.equal(paused.status, 303);
    assert.equal((await getHealthcheck(actor, uuid)).paused, 1);
    await admin.post(at(`healthchecks/${uuid}/resume`), { _csrf: csrfOf(pinged.text) });
    assert.equal((await getHealthcheck(actor, uuid)).paused, 0);

    const foreign = await (await import('../../src/services/healthchecks.ts')).createHealthcheck(other, { name: 'Theirs', period_value: 1, period_type: 'days', grace_period_value: 1, grace_period_type: 'hours' });
    await expect404([at(`healthchecks/${foreign.uuid}`), at(`healthchecks/${foreign.uuid}/delete`), at('healthchecks/tok_nothing')]);
    await expect404([at(`healthchecks/${foreign.uuid}/pause`), at(`healthchecks/${foreign.uuid}/delete`)], true);
    assert.equal((await getHealthcheck(other, foreign.uuid)).paused, 0);

    const confirm = await admin.get(at(`healthchecks/${uuid}/delete`));
    assert.equal((await admin.post(at(`healthchecks/${uuid}/delete`), { _csrf: 'nope' })).status, 403);
    const gone = await admin.post(at(`healthchecks/${uuid}/delete`), { _csrf: csrfOf(confirm.text) });
    assert.equal(gone.status, 303);
    assert.equal((await listHealthchecks(actor)).length, 0);
  });

  test('outages: filters and search; acknowledge, unacknowledge and resolve from the dashboard, with CSRF', async () => {
    const now = Date.now();
    const row = (uuid: string, started: number, ended: number | null, description: string) => ({
      uuid, project_id: h.project.id, monitor_id: monitor.id, outage_type: 'automatic', started_at: started, ended_at: ended, status_code: 503, description,
      detected_location: 'london', confirmed_locations: 'london,paris', protocol: 'http', error_header: null, acknowledged_at: null, acknowledged_by: null, escalation_policy_id: null, created_at: now,
    });
    await h.ctx.store.db.insertInto('outages').values([
      row('outage_ongoing0000000001', now - 600_000, null, 'Service Unavailable'),
      row('outage_resolved000000001', now - 86_400_000, now - 86_400_000 + 125_000, 'Gateway timeout'),
    ]).execute();
    const list = await admin.get(at('outages'));
    assert.equal((list.text.match(/<tr>/g) ?? []).length, 1 + 2);
    const ongoing = await admin.get(at('outages?status=ongoing'));
    assert.match(plain(ongoing.text), /Ongoing Checkout API https:\/\/checkout\.example\.org .* 10min( \d+s)? 503 · Service Unavailable No/);
    assert.ok(!ongoing.text.includes('Gateway timeout'));
    const resolved = await admin.get(at('outages?status=resolved'));
    assert.match(plain(resolved.text), /Resolved .* 2min 5s 503 · Gateway timeout/);
    const search = await admin.get(at('outages?q=gateway'));
    assert.ok(search.text.includes('Gateway timeout') && !search.text.includes('Service Unavailable'));

    const path = at('outages/outage_ongoing0000000001');
    const page = await admin.get(path);
    assert.equal(page.status, 200);
    assert.match(plain(page.text), /Confirmed from london, paris/);
    assert.equal((await admin.post(`${path}/acknowledge`, { _csrf: 'forged' })).status, 403);
    assert.equal((await getOutage(actor, 'outage_ongoing0000000001')).acknowledged_at, null);
    const ack = await admin.post(`${path}/acknowledge`, { _csrf: csrfOf(page.text) });
    assert.equal(ack.status, 303);
    assert.match(ack.location!, /\?done=acknowledged$/);
    const acked = await admin.get(ack.location!);
    assert.match(plain(/id="outage-ack">([\s\S]*?)<\/dd>/.exec(acked.text)![1]), /\d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    assert.match(acked.text, /Remove acknowledgement/);
    assert.notEqual((await getOutage(actor, 'outage_ongoing0000000001')).acknowledged_at, null);
    await admin.post(`${path}/unacknowledge`, { _csrf: csrfOf(acked.text) });
    assert.equal((await getOutage(actor, 'outage_ongoing0000000001')).acknowledged_at, null);
    const res = await admin.post(`${path}/resolve`, { _csrf: csrfOf(acked.text) });
    assert.equal(res.status, 303);
    assert.notEqual((await getOutage(actor, 'outage_ongoing0000000001')).ended_at, null);
    assert.ok(!(await admin.get(res.location!)).text.includes('>Resolve<'), 'no Resolve button once resolved');

    const otherMonitor = await createMonitor(other, { name: 'Theirs', url: 'https://theirs.example.org' });
    const otherProjectId = other.actor.projectId;
    await h.ctx.store.db.insertInto('outages').values({ ...row('outage_foreign0000000001', now - 1000, null, 'theirs'), project_id: otherProjectId, monitor_id: otherMonitor.id }).execute();
    await expect404([at('outages/outage_foreign0000000001'), at('outages/outage_unknown')]);
    await expect404([at('outages/outage_foreign0000000001/acknowledge'), at('outages/outage_foreign0000000001/resolve')], true);
    const theirs = await getOutage(other, 'outage_foreign0000000001');
    assert.deepEqual([theirs.acknowledged_at, theirs.ended_at], [null, null]);
  });

  test('status pages: create, put monitors in sections, preview the public page, subscribers', async () => {
    const form = await admin.get(at('statuspages/new'));
    const bad = await admin.post(at('statuspages'), { _csrf: csrfOf(form.text), name: 'Acme status', subdomain: '-bad-', theme: 'dark' });
    assert.equal(bad.status, 422);
    assert.match(textOf(bad.text, 'f-subdomain-error')!, /^subdomain must be 1–63 letters/);
    const made = await admin.post(at('statuspages'), { _csrf: csrfOf(form.text), name: 'Acme status', subdomain: 'acme-dash', theme: 'dark' });
    assert.equal(made.status, 303);
    const uuid = /statuspages\/(sp_[A-Za-z0-9_-]+)\?done=created$/.exec(made.location!)![1];
    const edit = await admin.get(made.location!);
    assert.match(edit.text, /href="\/status\/acme-dash" target="_blank" rel="noopener">Preview/);
    const fields = { _csrf: csrfOf(edit.text), name: 'Acme status', subdomain: 'acme-dash', theme: 'light', accent_color: '#1f4fd1', description: 'All of Acme' };
    const unknown = await admin.post(at(`statuspages/${uuid}`), { ...fields, section_name_0: 'Shop', section_monitors_0: 'mon_doesnotexist' });
    assert.equal(unknown.status, 422);
    assert.equal(textOf(unknown.text, 'f-sections-error'), 'Monitor mon_doesnotexist in sections does not exist');
    const badColour = await admin.post(at(`statuspages/${uuid}`), { ...fields, accent_color: 'blue' });
    assert.equal(textOf(badColour.text, 'f-accent_color-error'), 'accent_color must be a colour such as #36b27e');

    const saved = await admin.post(at(`statuspages/${uuid}`), { ...fields, section_name_0: 'Shop', section_monitors_0: `${monitor.uuid} # Checkout API`, section_rt_0: 'on', section_name_1: '', section_monitors_1: '' });
    assert.equal(saved.status, 303);
    const sp = await getStatusPage(actor, uuid);
    assert.equal(sp.settings.theme, 'light');
    assert.deepEqual(sp.resolved.map((s) => [s.name, s.services.map((x) => [x.monitor?.uuid, x.show_response_times])]), [[{ en: 'Shop' }, [[monitor.uuid, true]]]]);
    const again = await admin.get(at(`statuspages/${uuid}`));
    assert.match(again.text, new RegExp(`<input type="checkbox" name="section_monitors_0" value="${monitor.uuid}" id="[^"]+" checked> <span>Checkout API<`), 'the section shows its monitor checked, by name');
    const pub = await fetch(`${h.url}/status/acme-dash`);
    assert.equal(pub.status, 200);
    const pubText = await pub.text();
    assert.ok(pubText.includes('Shop') && pubText.includes('Checkout API'));

    const subs = at(`statuspages/${uuid}/subscribers`);
    const subPage = await admin.get(subs);
    const add = (type: string, contact: string) => admin.post(subs, { _csrf: csrfOf(subPage.text), type, contact });
    assert.equal(textOf((await add('email', 'nope')).text, 'f-contact-error'), 'email must be a valid email address');
    assert.equal((await add('email', 'Reader@Example.org')).status, 303);
    assert.equal(textOf((await add('email', 'reader@example.org')).text, 'f-contact-error'), 'reader@example.org is already subscribed to this status page');
    // SMS and Teams subscribers, with the API's rules for each type.
    assert.equal(textOf((await add('sms', '12345')).text, 'f-contact-error'), 'phone must be an international number such as +12125551234');
    assert.equal((await add('sms', '+1 212 555 1234')).status, 303);
    assert.equal((await add('teams', 'https://example.webhook.office.com/webhookb2/abc')).status, 303);
    const listed = await admin.get(subs);
    assert.match(plain(listed.text), /3 subscribers .*reader@example\.org email en/);
    assert.match(plain(listed.text), /\+12125551234 sms en/);
    const all = (await listSubscribers(actor, uuid, { page: 0, perPage: 10 })).subscribers;
    assert.deepEqual(all.map((s) => s.type).sort(), ['email', 'sms', 'teams']);
    for (const sub of all) assert.equal((await admin.post(`${subs}/${sub.id}/delete`, { _csrf: csrfOf(listed.text) })).status, 303);
    assert.equal((await listSubscribers(actor, uuid, { page: 0, perPage: 10 })).total, 0);
    assert.match(plain((await admin.get(at('statuspages'))).text), /Acme status \/status\/acme-dash/);
    await expect404([at('statuspages/sp_unknown'), at('statuspages/sp_unknown/subscribers'), at(`statuspages/${uuid}/subscribers/abc/delete`)]);
  });

  test('incidents: create with a message beside the field, post updates until resolved', async () => {
    const sp = (await (await import('../../src/services/statuspages.ts')).listStatusPages(actor, { page: 0, perPage: 5 })).pages[0];
    const form = await admin.get(at('incidents/new'));
    assert.match(form.text, new RegExp(`name="statuspages" value="${sp.row.uuid}"`));
    const base = { _csrf: csrfOf(form.text), type: 'incident', status: 'investigating' };
    const noTitle = await admin.post(at('incidents'), { ...base, title: '', message: 'Looking into it' });
    assert.equal(noTitle.status, 422);
    assert.equal(textOf(noTitle.text, 'f-title-error'), 'title must have a non-empty text in at least one language');
    const badMonitor = await admin.post(at('incidents'), { ...base, title: 'Slow checkout', message: 'x', affected: 'mon_nothere' });
    assert.equal(textOf(badMonitor.text, 'f-affected-error'), 'Monitor mon_nothere in affectedComponents does not exist');
    const noMessage = await admin.post(at('incidents'), { ...base, title: 'Slow checkout', message: '  ' });
    assert.equal(textOf(noMessage.text, 'f-message-error'), 'updates[0].text must have a non-empty text in at least one language');
    assert.equal((await listIncidents(actor)).length, 0);

    const made = await admin.post(at('incidents'), { ...base, title: 'Slow checkout', message: 'Payments take 20 s', affected: monitor.uuid, statuspages: sp.row.uuid });
    assert.equal(made.status, 303);
    const uuid = /incidents\/(inci_[A-Za-z0-9]+)\?done=created$/.exec(made.location!)![1];
    const page = await admin.get(made.location!);
    assert.match(plain(page.text), /Affected Checkout API/);
    const empty = await admin.post(at(`incidents/${uuid}/updates`), { _csrf: csrfOf(page.text), status: 'identified', message: '' });
    assert.equal(empty.status, 422);
    assert.equal(textOf(empty.text, 'f-message-error'), 'text must have a non-empty text in at least one language');
    await admin.post(at(`incidents/${uuid}/updates`), { _csrf: csrfOf(page.text), status: 'identified', message: 'A slow database' });
    const done = await admin.post(at(`incidents/${uuid}/updates`), { _csrf: csrfOf(page.text), status: 'resolved', message: 'Fixed' });
    assert.equal(done.status, 303);
    const i = await getIncident(actor, uuid);
    assert.deepEqual(i.updates.map((u) => [u.type, u.text.en]), [['investigating', 'Payments take 20 s'], ['identified', 'A slow database'], ['resolved', 'Fixed']]);
    const list = await admin.get(at('incidents'));
    assert.match(plain(list.text), /Slow checkout Resolved incident/);
    const timeline = plain(/<ol class="timeline"[\s\S]*?<\/ol>/.exec((await admin.get(at(`incidents/${uuid}`))).text)![0]);
    assert.ok(timeline.indexOf('Fixed') < timeline.indexOf('A slow database'), 'newest first');
    await expect404([at('incidents/inci_unknown'), at('incidents/inci_unknown/delete')]);
    await expect404([at('incidents/inci_unknown/updates')], true);
  });

  test('maintenance windows: the end must follow the start; create, list, delete', async () => {
    const form = await admin.get(at('maintenance/new'));
    assert.match(form.text, /id="f-starts" name="starts" type="datetime-local" value="\d{4}-\d\d-\d\dT\d\d:00"/);
    const base = { _csrf: csrfOf(form.text), name: 'DB upgrade', title: 'Database upgrade', text: '', monitors: monitor.uuid };
    const backwards = await admin.post(at('maintenance'), { ...base, starts: '2030-01-02T03:00', ends: '2030-01-02T02:00' });
    assert.equal(backwards.status, 422);
    assert.equal(textOf(backwards.text, 'f-ends-error'), 'end_date must be after start_date');
    const garbage = await admin.post(at('maintenance'), { ...base, starts: 'soon', ends: '2030-01-02T02:00' });
    assert.match(textOf(garbage.text, 'f-starts-error')!, /^start_date must be an ISO 8601 date-time/);
    const ok = await admin.post(at('maintenance'), { ...base, starts: '2030-01-02T03:00', ends: '2030-01-02T05:30' });
    assert.equal(ok.status, 303);
    const { windows } = await listMaintenance(actor, 0, 10);
    assert.deepEqual([windows[0].name, new Date(windows[0].startsAt).toISOString(), new Date(windows[0].endsAt).toISOString(), windows[0].monitors], ['DB upgrade', '2030-01-02T03:00:00.000Z', '2030-01-02T05:30:00.000Z', [monitor.uuid]]);
    const list = await admin.get(at('maintenance'));
    assert.match(plain(list.text), /DB upgrade Database upgrade Upcoming 2030-01-02 03:00 UTC 2030-01-02 05:30 UTC 1/);
    const confirm = await admin.get(at(`maintenance/${windows[0].uuid}/delete`));
    assert.match(plain(confirm.text), /Checkout API/);
    assert.equal((await admin.post(at(`maintenance/${windows[0].uuid}/delete`), { _csrf: csrfOf(confirm.text) })).status, 303);
    assert.equal((await listMaintenance(actor, 0, 10)).total, 0);
    await expect404([at('maintenance/mw_unknown/delete')]);
  });

  test('user strings are escaped on every management screen', async () => {
    const evil = '<img src=x onerror=alert(1)>';
    const token = csrfOf((await admin.get(at('healthchecks/new'))).text);
    await admin.post(at('healthchecks'), { _csrf: token, name: evil, kind: 'period', period_value: '1', period_type: 'days', grace_period_value: '1', grace_period_type: 'hours' });
    await admin.post(at('incidents'), { _csrf: token, title: evil, type: 'incident', status: 'investigating', message: evil });
    await admin.post(at('maintenance'), { _csrf: token, name: evil, title: evil, text: '', starts: '2030-01-02T03:00', ends: '2030-01-02T04:00', monitors: '' });
    await admin.post(at('statuspages'), { _csrf: token, name: evil, subdomain: 'evil-page', theme: 'system' });
    const hc = (await listHealthchecks(actor)).find((x) => x.name === evil)!;
    const inc = (await listIncidents(actor))[0];
    for (const path of ['healthchecks', `healthchecks/${hc.uuid}`, 'incidents', `incidents/${inc.uuid}`, 'maintenance', 'statuspages']) {
      const page = await admin.get(at(path));
      assert.equal(page.status, 200, path);
      assert.ok(!page.text.includes('<img src=x'), path);
      assert.ok(page.text.includes('&lt;img src=x onerror=alert(1)&gt;'), path);
    }
  });
});
