import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Harness } from '../harness.ts';
import { csrfOf, textOf, type FormClient } from '../support/browser-client.ts';
import { actorOf, dashboardProject, plain, signIn } from '../support/dashboard-session.ts';
import { createUser } from '../../src/services/users.ts';
import { createMonitor, type Monitor } from '../../src/services/monitors.ts';
import { createIncident, getIncident, listIncidents } from '../../src/services/incidents.ts';
import { createStatusPage, getStatusPage } from '../../src/services/statuspages.ts';
import { createHealthcheck } from '../../src/services/healthchecks.ts';
import { createMaintenance, getMaintenance } from '../../src/services/maintenance.ts';
import { getProject } from '../../src/services/projects.ts';
import { getOutage } from '../../src/services/outages.ts';
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

/** The urlencoded body of a form with repeated fields (checkboxes). */
function body(fields: Record<string, string>, repeated: [string, string][] = []): string {
  const b = new URLSearchParams(fields);
  for (const [k, v] of repeated) b.append(k, v);
  return b.toString();
}

describe('incidents in the dashboard', () => {
  test('the incident form picks affected monitors by name; unknown ids get the API’s message', async () => {
    const form = await admin.get(at('incidents/new'));
    assert.equal(form.status, 200);
    assert.match(form.text, new RegExp(`name="affected" value="${shop.uuid}" id="[^"]+"> <span>Shop<`));
    assert.match(form.text, new RegExp(`name="affected" value="${api.uuid}" id="[^"]+"> <span>API gateway<`));
    assert.doesNotMatch(form.text, /separated by commas or spaces/, 'no raw id field any more');
    const base = { _csrf: csrfOf(form.text), title: 'Checkout errors', type: 'incident', status: 'investigating', message: 'Looking into it' };

    const unknown = await admin.request('POST', at('incidents'), body(base, [['affected', 'mon_doesnotexist']]));
    assert.equal(unknown.status, 422);
    assert.equal(textOf(unknown.text, 'f-affected-error'), 'Monitor mon_doesnotexist in affectedComponents does not exist');
    assert.match(unknown.text, /<input type="hidden" name="affected" value="mon_doesnotexist">/, 'the refused id stays in the form');
    assert.equal((await listIncidents(actor)).length, 0);

    const ok = await admin.request('POST', at('incidents'), body(base, [['affected', api.uuid], ['affected', shop.uuid]]));
    assert.equal(ok.status, 303);
    const uuid = /incidents\/(inci_[A-Za-z0-9]+)\?done=created$/.exec(ok.location!)![1];
    assert.deepEqual((await getIncident(actor, uuid)).affectedComponents, [api.uuid, shop.uuid]);
  });

  test('an incident’s title, type, monitors and status pages are edited from its page through the API’s update, with its messages', async () => {
    const sp = await createStatusPage(actor, { name: 'Public', subdomain: 'leftovers-inc' });
    const i = await createIncident(actor, { title: { en: 'Slow pages', de: 'Langsame Seiten' }, type: 'incident', affectedComponents: [shop.uuid], updates: [{ text: { en: 'Investigating' }, type: 'investigating' }] });
    const page = await admin.get(at(`incidents/${i.uuid}`));
    assert.match(page.text, new RegExp(`<a class="button" href="[^"]*incidents/${i.uuid}/edit">Edit</a>`));
    const form = await admin.get(at(`incidents/${i.uuid}/edit`));
    assert.equal(form.status, 200);
    assert.match(form.text, /id="f-title"[^>]*value="Slow pages"/);
    assert.match(form.text, new RegExp(`name="affected" value="${shop.uuid}" id="[^"]+" checked> <span>Shop<`));
    assert.match(form.text, new RegExp(`name="affected" value="${api.uuid}" id="[^"]+"> <span>API gateway<`));
    const csrf = csrfOf(form.text);

    // The same refusals as PUT /v3/incidents/{uuid}, beside the same fields.
    const apiNoTitle = await h.request('PUT', `/v3/incidents/${i.uuid}`, { body: { title: {} } });
    assert.equal(apiNoTitle.status, 422);
    // (A title kept in another language would still stand: this incident has English only.)
    const untitled = await createIncident(actor, { title: { en: 'Only English' } });
    const refused = await admin.request('POST', at(`incidents/${untitled.uuid}/edit`), body({ _csrf: csrf, title: '', type: 'incident' }));
    assert.equal(refused.status, 422);
    assert.equal(textOf(refused.text, 'f-title-error'), (apiNoTitle.body as { message: string }).message);
    const badType = await admin.request('POST', at(`incidents/${i.uuid}/edit`), body({ _csrf: csrf, title: 'Slow pages', type: 'meltdown' }));
    assert.equal(textOf(badType.text, 'f-type-error'), 'type must be one of incident, outage');
    const badPage = await admin.request('POST', at(`incidents/${i.uuid}/edit`), body({ _csrf: csrf, title: 'Slow pages', type: 'incident' }, [['statuspages', 'sp_nope']]));
    assert.equal(badPage.status, 422);
    const apiBadPage = await h.request('PUT', `/v3/incidents/${i.uuid}`, { body: { statuspages: ['sp_nope'] } });
    assert.equal(textOf(badPage.text, 'f-statuspages-error'), (apiBadPage.body as { message: string }).message);
    assert.equal((await getIncident(actor, i.uuid)).title.en, 'Slow pages', 'refused forms change nothing');

    const ok = await admin.request('POST', at(`incidents/${i.uuid}/edit`), body({ _csrf: csrf, title: 'Slow checkout pages', type: 'outage' }, [['affected', api.uuid], ['statuspages', sp.row.uuid]]));
    assert.equal(ok.status, 303);
    assert.equal(ok.location, at(`incidents/${i.uuid}?done=saved`));
    const saved = await getIncident(actor, i.uuid);
    assert.deepEqual(saved.title, { de: 'Langsame Seiten', en: 'Slow checkout pages' });
    assert.equal(saved.type, 'outage');
    assert.deepEqual(saved.affectedComponents, [api.uuid]);
    assert.deepEqual(saved.statuspages, [sp.row.uuid]);
    assert.equal(saved.updates.length, 1, 'the timeline is untouched');
    const wire = (await h.request('GET', `/v3/incidents/${i.uuid}`)).body as { title: { en: string }; affectedComponents: string[] };
    assert.equal(wire.title.en, 'Slow checkout pages');
    const shown = plain((await admin.get(ok.location!)).text);
    assert.match(shown, /The incident was saved/);
    assert.match(shown, /Affected API gateway Status pages Public/);
  });
});

describe('manual outages in the dashboard', () => {
  test('severity and summary are recorded as POST /v2/outages records them, and shown on the outage page', async () => {
    const form = await admin.get(at('outages/new'));
    assert.match(form.text, /<label for="f-severity">Severity<\/label>/);
    assert.match(form.text, /<label for="f-summary">Summary<\/label>/);
    const base = { _csrf: csrfOf(form.text), monitor: shop.uuid, starts: '2030-06-01T10:00', ends: '2030-06-01T11:00', status_code: '502', description: 'Upstream down' };

    const long = await admin.post(at('outages'), { ...base, severity: 'x'.repeat(256) });
    assert.equal(long.status, 422);
    assert.equal(textOf(long.text, 'f-severity-error'), 'severity must be at most 255 characters');
    assert.match(long.text, /id="f-severity"[^>]*value="x{256}"/, 'the typed value stays');

    const ok = await admin.post(at('outages'), { ...base, severity: 'critical', summary: 'Failed over to the\nsecond provider' });
    assert.equal(ok.status, 303);
    const uuid = /outages\/(outage_[A-Za-z0-9]+)\?done=created$/.exec(ok.location!)![1];
    const o = await getOutage(actor, uuid);
    assert.deepEqual([o.severity, o.summary], ['critical', 'Failed over to the\nsecond provider']);
    const wire = (await h.request('GET', `/v2/outages/${uuid}`)).body as { outage: { severity: string; summary: string } };
    assert.deepEqual([wire.outage.severity, wire.outage.summary], ['critical', 'Failed over to the\nsecond provider']);
    const page = await admin.get(ok.location!);
    assert.equal(textOf(page.text, 'outage-severity'), 'critical');
    assert.equal(textOf(page.text, 'outage-summary'), 'Failed over to the\nsecond provider');

    // Left empty, neither is stored (the API omits both keys, as for an outage made without them).
    const bare = await admin.post(at('outages'), { ...base, severity: '', summary: '  ' });
    const bareUuid = /outages\/(outage_[A-Za-z0-9]+)\?/.exec(bare.location!)![1];
    const bareWire = (await h.request('GET', `/v2/outages/${bareUuid}`)).body as { outage: Record<string, unknown> };
    assert.ok(!('severity' in bareWire.outage) && !('summary' in bareWire.outage));
  });
});

describe('status page services in the dashboard', () => {
  test('each service’s shown name is edited in the status page form; other languages stay, empty shows the monitor’s name', async () => {
    const sp = await createStatusPage(actor, {
      name: 'Named', subdomain: 'leftovers-names',
      sections: [{ name: 'Main', services: [
        { monitor_uuid: shop.uuid, name_shown: { en: 'Web shop', fr: 'Boutique' } },
        { is_group: true, name_shown: 'Backend', services: [{ uuid: api.uuid }] },
      ] }],
    });
    const page = await admin.get(at(`statuspages/${sp.row.uuid}`));
    assert.match(page.text, new RegExp(`<label for="f-section_shown_0_${shop.uuid}">Shop</label>`));
    assert.match(page.text, new RegExp(`name="section_shown_0_${shop.uuid}"[^>]*value="Web shop"`));
    assert.match(page.text, new RegExp(`name="group_shown_0_0_${api.uuid}"[^>]*value="API gateway"`));
    const fields = (shopName: string, apiName: string) => body({ _csrf: csrfOf(page.text), name: 'Named', subdomain: 'leftovers-names', theme: 'system', accent_color: '#36b27e', description: '',
      section_orig_0: '0', section_name_0: 'Main', [`section_shown_0_${shop.uuid}`]: shopName,
      group_orig_0_0: '1', group_name_0_0: 'Backend', [`group_shown_0_0_${api.uuid}`]: apiName },
    [['section_monitors_0', shop.uuid], ['group_monitors_0_0', api.uuid]]);
    const names = async () => {
      const s = (await getStatusPage(actor, sp.row.uuid)).resolved[0].services;
      return [s[0].name, s[1].services[0].name];
    };

    const long = await admin.request('POST', at(`statuspages/${sp.row.uuid}`), fields('x'.repeat(256), 'Public API'));
    assert.equal(long.status, 422);
    assert.match(textOf(long.text, 'f-sections-error')!, /^sections\[0\]\.services\[0\]\.name\.en .*255/);
    assert.match(long.text, new RegExp(`name="section_shown_0_${shop.uuid}"[^>]*value="x{256}"`), 'the typed name stays');

    const ok = await admin.request('POST', at(`statuspages/${sp.row.uuid}`), fields('Online store', 'Public API'));
    assert.equal(ok.status, 303);
    assert.deepEqual(await names(), [{ en: 'Online store', fr: 'Boutique' }, { en: 'Public API' }]);
    const pub = plain((await h.request('GET', '/status/leftovers-names', { key: null, headers: { accept: 'text/html' } })).text);
    assert.match(pub, /Online store/);
    assert.match(pub, /Public API/);

    const cleared = await admin.request('POST', at(`statuspages/${sp.row.uuid}`), fields('', 'Public API'));
    assert.equal(cleared.status, 303);
    assert.deepEqual((await names())[0], { en: 'Shop' }, 'an empty name shows the monitor’s');
  });

  test('healthchecks placed on a page through the API stay where they are when the page is saved in the dashboard', async () => {
    const job = await createHealthcheck(actor, { name: 'Backup job', period_value: 1, period_type: 'days', grace_period_value: 1, grace_period_type: 'hours' });
    const sync = await createHealthcheck(actor, { name: 'Sync job', period_value: 1, period_type: 'hours', grace_period_value: 5, grace_period_type: 'minutes' });
    const sp = await createStatusPage(actor, {
      name: 'Jobs', subdomain: 'leftovers-jobs',
      sections: [{ name: 'Main', services: [
        { monitor_uuid: job.public_uuid, name_shown: 'Nightly backup' },
        { monitor_uuid: shop.uuid },
        { is_group: true, name_shown: 'Batch', services: [{ uuid: api.uuid }, { uuid: sync.public_uuid }] },
      ] }],
    });
    const page = await admin.get(at(`statuspages/${sp.row.uuid}`));
    const saved = await admin.request('POST', at(`statuspages/${sp.row.uuid}`), body({ _csrf: csrfOf(page.text), name: 'Jobs', subdomain: 'leftovers-jobs', theme: 'system', accent_color: '#36b27e', description: '',
      section_orig_0: '0', section_name_0: 'Main', group_orig_0_0: '2', group_name_0_0: 'Batch' }, [['section_monitors_0', shop.uuid], ['group_monitors_0_0', api.uuid]]));
    assert.equal(saved.status, 303, saved.text);
    const s = (await getStatusPage(actor, sp.row.uuid)).resolved[0].services;
    assert.deepEqual(s.map((x) => x.healthcheck?.publicUuid ?? x.monitor?.uuid ?? 'group'), [job.public_uuid, shop.uuid, 'group']);
    assert.deepEqual(s[0].name, { en: 'Nightly backup' });
    assert.deepEqual(s[2].services.map((x) => x.healthcheck?.publicUuid ?? x.monitor?.uuid), [api.uuid, sync.public_uuid]);
  });
});

describe('monitor pickers in a project of more than 200 monitors', () => {
  test('pickers list the chosen monitors and a search box (a GET field, filtered by name on the server) instead of every monitor', async () => {
    const project = await getProject(h.ctx, h.other.uuid);
    const big = actorOf(h.ctx, project);
    const nodes: Monitor[] = [];
    for (let n = 1; n <= 205; n++) nodes.push(await createMonitor(big, { name: `Node ${String(n).padStart(3, '0')}`, url: `https://n${n}.example.org` }));
    const billing = await createMonitor(big, { name: 'Billing_API 100%', url: 'https://billing.example.org' });
    const path = (rest: string) => `/app/projects/${project.uuid}/${rest}`;
    const boxes = (html: string, name: string) => [...html.matchAll(new RegExp(`<input type="checkbox" name="${name}" value="(mon_[A-Za-z0-9]+)"[^>]*?( checked)?>`, 'g'))].map((m) => [m[1], !!m[2]]);

    const blank = await admin.get(path('maintenance/new'));
    assert.equal(blank.status, 200);
    assert.deepEqual(boxes(blank.text, 'monitors'), [], 'no list of every monitor');
    assert.match(blank.text, /<input type="search" id="find-monitors" name="find_monitors" value="" form="monitor-search"/);
    assert.match(blank.text, new RegExp(`<form id="monitor-search" method="get" action="${path('maintenance/new')}"></form>`));

    const found = await admin.get(`${path('maintenance/new')}?find_monitors=${encodeURIComponent('node 01')}`);
    assert.deepEqual(boxes(found.text, 'monitors'), nodes.slice(9, 19).map((m) => [m.uuid, false]), 'Node 010 to Node 019, by name');
    assert.match(found.text, /id="find-monitors" name="find_monitors" value="node 01"/);
    // LIKE's wildcards are plain characters in the search.
    assert.deepEqual(boxes((await admin.get(`${path('maintenance/new')}?find_monitors=${encodeURIComponent('_api 100%')}`)).text, 'monitors'), [[billing.uuid, false]]);
    assert.deepEqual(boxes((await admin.get(`${path('maintenance/new')}?find_monitors=${encodeURIComponent('e%0')}`)).text, 'monitors'), []);

    // A window's chosen monitors come first, checked, then the matches of the search.
    const w = await createMaintenance(big, { name: 'Racks', start_date: '2031-02-01T00:00:00Z', end_date: '2031-02-01T01:00:00Z', monitors: [nodes[200].uuid, billing.uuid] });
    const edit = await admin.get(path(`maintenance/${w.uuid}/edit`));
    assert.deepEqual(boxes(edit.text, 'monitors'), [[nodes[200].uuid, true], [billing.uuid, true]]);
    const editFound = await admin.get(`${path(`maintenance/${w.uuid}/edit`)}?find_monitors=node%2020`);
    assert.deepEqual(boxes(editFound.text, 'monitors'), [[nodes[200].uuid, true], [billing.uuid, true], ...[199, 201, 202, 203, 204].map((k) => [nodes[k].uuid, false])]);
    // Saving what the search found works as with every monitor listed.
    const saved = await admin.request('POST', path(`maintenance/${w.uuid}/edit`), body({ _csrf: csrfOf(editFound.text), name: 'Racks', title: '', text: '', starts: '2031-02-01T00:00', ends: '2031-02-01T01:00' }, [['monitors', nodes[200].uuid], ['monitors', nodes[203].uuid]]));
    assert.equal(saved.status, 303);
    assert.deepEqual((await getMaintenance(big, w.uuid)).monitors, [nodes[200].uuid, nodes[203].uuid]);

    // The manual outage's monitor select, the incident form and a status page's sections do the same.
    const outage = await admin.get(`${path('outages/new')}?find_monitor=billing`);
    assert.deepEqual([...outage.text.matchAll(/<option value="(mon_[A-Za-z0-9]+)"/g)].map((m) => m[1]), [billing.uuid]);
    const incident = await admin.get(`${path('incidents/new')}?find_affected=node%20205`);
    assert.deepEqual(boxes(incident.text, 'affected'), [[nodes[204].uuid, false]]);
    const sp = await createStatusPage(big, { name: 'Big', subdomain: 'leftovers-big', sections: [{ name: 'Racks', services: [{ monitor_uuid: nodes[0].uuid }] }] });
    const spPage = await admin.get(`${path(`statuspages/${sp.row.uuid}`)}?find_section_monitors_0=node%20002`);
    assert.deepEqual(boxes(spPage.text, 'section_monitors_0'), [[nodes[0].uuid, true], [nodes[1].uuid, false]]);
    assert.deepEqual(boxes(spPage.text, 'section_monitors_1'), [], 'the new section’s picker waits for its own search');
    assert.match(spPage.text, new RegExp(`<form id="monitor-search" method="get" action="${path(`statuspages/${sp.row.uuid}`)}"></form>`));
  });
});

describe('projects and members from the CLI', () => {
  const projectCount = async () => (await h.ctx.store.db.selectFrom('projects').select('id').execute()).length;
  const oneLine = (res: { code: number; stdout: string; stderr: string }, re: RegExp) => {
    assert.notEqual(res.code, 0);
    assert.equal(res.stdout, '');
    assert.match(res.stderr, re);
    assert.equal(res.stderr.trim().split('\n').length, 1, res.stderr);
  };

  test('projects create --owner makes that existing user the owner; an unknown email creates nothing', async () => {
    const before = await projectCount();
    oneLine(await h.cli(['projects', 'create', '--name', 'Nobody’s', '--owner', 'ghost@example.org', '--json']), /^vigil: No user has the email ghost@example\.org/);
    oneLine(await h.cli(['projects', 'create', '--name', 'Bad', '--owner', 'not-an-email']), /Email must be a valid address/);
    assert.equal(await projectCount(), before);

    const res = await h.cli(['projects', 'create', '--name', 'Ops', '--owner', ' Admin@Example.org ', '--json']);
    assert.equal(res.code, 0, res.stderr);
    const p = JSON.parse(res.stdout);
    assert.deepEqual(Object.keys(p), ['uuid', 'name', 'createdAt', 'owner']);
    const user = await h.ctx.store.db.selectFrom('users').select('uuid').where('email', '=', 'admin@example.org').executeTakeFirstOrThrow();
    assert.deepEqual(p.owner, { id: user.uuid, email: 'admin@example.org' });
    const members = await admin.get(`/app/projects/${p.uuid}/settings/members`);
    assert.equal(members.status, 200);
    assert.match(plain(members.text), /admin@example\.org.*Owner/i);
    const human = await h.cli(['projects', 'create', '--name', 'Ops 2', '--owner', 'admin@example.org']);
    assert.match(human.stdout, /^Created project proj_[A-Za-z0-9]{14} "Ops 2", owned by admin@example\.org\n$/);
  });

  test('members add puts an existing user in a project made without members, as owner or member', async () => {
    const bare = JSON.parse((await h.cli(['projects', 'create', '--name', 'Bare', '--json'])).stdout);
    await createUser(h.ctx, { email: 'ops@example.org', password: 'ops passphrase 1' });
    const ops = await signIn(h, 'ops@example.org', 'ops passphrase 1');
    assert.equal((await ops.get(`/app/projects/${bare.uuid}/monitors`)).status, 404);

    oneLine(await h.cli(['members', 'add', '--project', bare.uuid, '--email', 'ghost@example.org', '--role', 'owner']), /No user has the email ghost@example\.org/);
    oneLine(await h.cli(['members', 'add', '--project', bare.uuid, '--email', 'ops@example.org', '--role', 'admin']), /Role must be owner or member/);
    oneLine(await h.cli(['members', 'add', '--project', 'proj_nope00000000000', '--email', 'ops@example.org', '--role', 'owner']), /Project not found/);

    const res = await h.cli(['members', 'add', '--project', bare.uuid, '--email', 'ops@example.org', '--role', 'owner', '--json']);
    assert.equal(res.code, 0, res.stderr);
    const m = JSON.parse(res.stdout);
    assert.deepEqual([m.project, m.email, m.role], [bare.uuid, 'ops@example.org', 'owner']);
    assert.match(m.user, /^user_/);
    assert.equal((await ops.get(`/app/projects/${bare.uuid}/monitors`)).status, 200);
    // As the first owner, they can now add people from the dashboard.
    assert.match((await ops.get(`/app/projects/${bare.uuid}/settings/members`)).text, /name="email"/);

    oneLine(await h.cli(['members', 'add', '--project', bare.uuid, '--email', 'ops@example.org', '--role', 'member']), /already a member/);
    const human = await h.cli(['members', 'add', '--project', bare.uuid, '--email', 'admin@example.org', '--role', 'member']);
    assert.equal(human.stdout, `Added admin@example.org to ${bare.uuid} as member\n`);
  });
});
