import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Harness } from '../harness.ts';
import { csrfOf, formBody, type FormClient } from '../support/browser-client.ts';
import { actorOf, dashboardProject } from '../support/dashboard-session.ts';
import { createMonitor, type Monitor } from '../../src/services/monitors.ts';
import { createMaintenance, getMaintenance } from '../../src/services/maintenance.ts';
import { createStatusPage } from '../../src/services/statuspages.ts';
import { getProject } from '../../src/services/projects.ts';

let h: Harness;
let admin: FormClient;

before(async () => {
  ({ h, admin } = await dashboardProject());
});
after(async () => { await h.stop(); });

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
    const saved = await admin.request('POST', path(`maintenance/${w.uuid}/edit`), formBody({ _csrf: csrfOf(editFound.text), name: 'Racks', title: '', text: '', starts: '2031-02-01T00:00', ends: '2031-02-01T01:00' }, [['monitors', nodes[200].uuid], ['monitors', nodes[203].uuid]]));
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
