import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Harness } from '../harness.ts';
import { csrfOf, formBody, type FormClient } from '../support/browser-client.ts';
import { actorOf, dashboardProject } from '../support/dashboard-session.ts';
import { createMonitor, type Monitor } from '../../src/services/monitors.ts';
import { createMaintenance, getMaintenance, listMaintenance } from '../../src/services/maintenance.ts';
import { createStatusPage, getStatusPage } from '../../src/services/statuspages.ts';
import { listMonitors } from '../../src/services/monitors.ts';
import { getProject } from '../../src/services/projects.ts';

let h: Harness;
let admin: FormClient;

before(async () => {
  ({ h, admin } = await dashboardProject());
});
after(async () => {
  await h.stop();
});

describe('monitor pickers in a project of more than 200 monitors', () => {
  test('pickers list the chosen monitors and a search box (filtered by name on the server) instead of every monitor', async () => {
    const project = await getProject(h.ctx, h.other.uuid);
    const big = actorOf(h.ctx, project);
    const nodes: Monitor[] = [];
    for (let n = 1; n <= 205; n++)
      nodes.push(
        await createMonitor(big, { name: `Node ${String(n).padStart(3, '0')}`, url: `https://n${n}.example.org` }),
      );
    const billing = await createMonitor(big, { name: 'Billing_API 100%', url: 'https://billing.example.org' });
    const path = (rest: string) => `/app/projects/${project.uuid}/${rest}`;
    const boxes = (html: string, name: string) =>
      [
        ...html.matchAll(
          new RegExp(`<input type="checkbox" name="${name}" value="(mon_[A-Za-z0-9]+)"[^>]*?( checked)?>`, 'g'),
        ),
      ].map((m) => [m[1], !!m[2]]);

    const blank = await admin.get(path('maintenance/new'));
    assert.equal(blank.status, 200);
    assert.deepEqual(boxes(blank.text, 'monitors'), [], 'no list of every monitor');
    assert.match(blank.text, /<input type="search" id="find-monitors" name="find_monitors" value="" maxlength="100"/);
    assert.match(
      blank.text,
      /<button type="submit" name="find" value="monitors" formnovalidate>Search<\/button>/,
      'a button of the form itself',
    );
    assert.doesNotMatch(blank.text, /id="monitor-search"/, 'no separate search form');

    const found = await admin.get(`${path('maintenance/new')}?find_monitors=${encodeURIComponent('node 01')}`);
    assert.deepEqual(
      boxes(found.text, 'monitors'),
      nodes.slice(9, 19).map((m) => [m.uuid, false]),
      'Node 010 to Node 019, by name',
    );
    assert.match(found.text, /id="find-monitors" name="find_monitors" value="node 01"/);
    // LIKE's wildcards are plain characters in the search.
    assert.deepEqual(
      boxes(
        (await admin.get(`${path('maintenance/new')}?find_monitors=${encodeURIComponent('_api 100%')}`)).text,
        'monitors',
      ),
      [[billing.uuid, false]],
    );
    assert.deepEqual(
      boxes(
        (await admin.get(`${path('maintenance/new')}?find_monitors=${encodeURIComponent('e%0')}`)).text,
        'monitors',
      ),
      [],
    );

    // A window's chosen monitors come first, checked, then the matches of the search.
    const w = await createMaintenance(big, {
      name: 'Racks',
      start_date: '2031-02-01T00:00:00Z',
      end_date: '2031-02-01T01:00:00Z',
      monitors: [nodes[200].uuid, billing.uuid],
    });
    const edit = await admin.get(path(`maintenance/${w.uuid}/edit`));
    assert.deepEqual(boxes(edit.text, 'monitors'), [
      [nodes[200].uuid, true],
      [billing.uuid, true],
    ]);
    const editFound = await admin.get(`${path(`maintenance/${w.uuid}/edit`)}?find_monitors=node%2020`);
    assert.deepEqual(boxes(editFound.text, 'monitors'), [
      [nodes[200].uuid, true],
      [billing.uuid, true],
      ...[199, 201, 202, 203, 204].map((k) => [nodes[k].uuid, false]),
    ]);
    // Saving what the search found works as with every monitor listed.
    const saved = await admin.request(
      'POST',
      path(`maintenance/${w.uuid}/edit`),
      formBody(
        {
          _csrf: csrfOf(editFound.text),
          name: 'Racks',
          title: '',
          text: '',
          starts: '2031-02-01T00:00',
          ends: '2031-02-01T01:00',
        },
        [
          ['monitors', nodes[200].uuid],
          ['monitors', nodes[203].uuid],
        ],
      ),
    );
    assert.equal(saved.status, 303);
    assert.deepEqual((await getMaintenance(big, w.uuid)).monitors, [nodes[200].uuid, nodes[203].uuid]);

    // The manual outage's monitor select, the incident form and a status page's sections do the same.
    const outage = await admin.get(`${path('outages/new')}?find_monitor=billing`);
    assert.deepEqual(
      [...outage.text.matchAll(/<option value="(mon_[A-Za-z0-9]+)"/g)].map((m) => m[1]),
      [billing.uuid],
    );
    const incident = await admin.get(`${path('incidents/new')}?find_affected=node%20205`);
    assert.deepEqual(boxes(incident.text, 'affected'), [[nodes[204].uuid, false]]);
    const sp = await createStatusPage(big, {
      name: 'Big',
      subdomain: 'leftovers-big',
      sections: [{ name: 'Racks', services: [{ monitor_uuid: nodes[0].uuid }] }],
    });
    const spPage = await admin.get(`${path(`statuspages/${sp.row.uuid}`)}?find_section_monitors_0=node%20002`);
    assert.deepEqual(boxes(spPage.text, 'section_monitors_0'), [
      [nodes[0].uuid, true],
      [nodes[1].uuid, false],
    ]);
    assert.deepEqual(boxes(spPage.text, 'section_monitors_1'), [], 'the new section’s picker waits for its own search');
  });

  test('a search posts the whole form and shows it again with what was typed and ticked; nothing is saved until Save', async () => {
    const project = await getProject(h.ctx, h.other.uuid);
    const big = actorOf(h.ctx, project);
    const path = (rest: string) => `/app/projects/${project.uuid}/${rest}`;
    const boxes = (html: string, name: string) =>
      [
        ...html.matchAll(
          new RegExp(`<input type="checkbox" name="${name}" value="(mon_[A-Za-z0-9]+)"[^>]*?( checked)?>`, 'g'),
        ),
      ].map((m) => [m[1], !!m[2]]);
    const nodes = (await listMonitors(big))
      .filter((m) => m.name.startsWith('Node '))
      .sort((a, b) => a.name.localeCompare(b.name));
    const windows = (await listMaintenance(big, 0, 100)).total;
    const fieldValue = (html: string, name: string) =>
      new RegExp(`name="${name}" type="[a-z-]+" value="([^"]*)"`).exec(html)?.[1];

    // Maintenance: name, times, a ticked monitor found before; the Search button of the picker.
    const blank = await admin.get(path('maintenance/new'));
    const typed = {
      _csrf: csrfOf(blank.text),
      name: 'Rack swap <b>',
      title: 'Racks',
      text: 'Swapping\nracks',
      starts: '2031-03-01T00:00',
      ends: '2031-03-01T02:00',
      find_monitors: 'node 12',
      searched_monitors: 'node 00',
      find: 'monitors',
    };
    const found = await admin.request('POST', path('maintenance'), formBody(typed, [['monitors', nodes[2].uuid]]));
    assert.equal(found.status, 200, 'shown again, not saved');
    assert.equal((await listMaintenance(big, 0, 100)).total, windows);
    assert.equal(fieldValue(found.text, 'name'), 'Rack swap &lt;b&gt;');
    assert.equal(fieldValue(found.text, 'title'), 'Racks');
    assert.match(found.text, />Swapping\nracks<\/textarea>/);
    assert.equal(fieldValue(found.text, 'starts'), '2031-03-01T00:00');
    assert.equal(fieldValue(found.text, 'ends'), '2031-03-01T02:00');
    assert.deepEqual(
      boxes(found.text, 'monitors'),
      [[nodes[2].uuid, true], ...nodes.slice(119, 129).map((m) => [m.uuid, false])],
      'the ticked one, then Node 120 to Node 129',
    );
    assert.match(found.text, /<input type="hidden" name="searched_monitors" value="node 12">/);
    assert.doesNotMatch(found.text, /class="alert"|aria-invalid="true"/, 'a search is no refusal');

    // Enter in the search box after typing another search: the form's first button (no "find"), a search still.
    const again = await admin.request(
      'POST',
      path('maintenance'),
      formBody(
        {
          ...typed,
          _csrf: csrfOf(found.text),
          find: '',
          find_monitors: 'node 200',
          searched_monitors: 'node 12',
          enter: '1',
        },
        [['monitors', nodes[2].uuid]],
      ),
    );
    assert.equal(again.status, 200);
    assert.deepEqual(boxes(again.text, 'monitors'), [
      [nodes[2].uuid, true],
      [nodes[199].uuid, false],
    ]);
    assert.match(
      again.text,
      /<button type="submit" name="enter" value="1" class="implicit-submit" tabindex="-1" aria-hidden="true" formnovalidate>/,
    );
    // Enter in another field, the search unchanged: a save.
    const { find: _f, ...rest } = typed;
    const saved = await admin.request(
      'POST',
      path('maintenance'),
      formBody(
        { ...rest, _csrf: csrfOf(again.text), find_monitors: 'node 200', searched_monitors: 'node 200', enter: '1' },
        [
          ['monitors', nodes[2].uuid],
          ['monitors', nodes[199].uuid],
        ],
      ),
    );
    assert.equal(saved.status, 303);
    const made = (await listMaintenance(big, 0, 100)).windows.find((w) => w.name === 'Rack swap <b>')!;
    assert.deepEqual(made.monitors, [nodes[2].uuid, nodes[199].uuid]);

    // The incident form, the outage form (a select) and a status page keep theirs the same way.
    const incident = await admin.request(
      'POST',
      path('incidents'),
      formBody({
        _csrf: csrfOf((await admin.get(path('incidents/new'))).text),
        title: 'Slow racks',
        type: 'incident',
        status: 'identified',
        message: 'Looking',
        find_affected: 'node 201',
        find: 'affected',
      }),
    );
    assert.equal(incident.status, 200);
    assert.equal(fieldValue(incident.text, 'title'), 'Slow racks');
    assert.match(incident.text, /<option value="identified" selected>/);
    assert.match(incident.text, />Looking<\/textarea>/);
    assert.deepEqual(boxes(incident.text, 'affected'), [[nodes[200].uuid, false]]);
    const outage = await admin.request(
      'POST',
      path('outages'),
      formBody({
        _csrf: csrfOf(incident.text),
        monitor: '',
        starts: '2031-01-01T10:00',
        ends: '',
        status_code: '503',
        description: 'Rack fire',
        severity: 'critical',
        summary: '',
        policy: '',
        find_monitor: 'node 203',
        find: 'monitor',
      }),
    );
    assert.equal(outage.status, 200);
    assert.equal(fieldValue(outage.text, 'status_code'), '503');
    assert.match(outage.text, />Rack fire<\/textarea>/);
    assert.equal(fieldValue(outage.text, 'severity'), 'critical');
    assert.deepEqual(
      [...outage.text.matchAll(/<option value="(mon_[A-Za-z0-9]+)"/g)].map((m) => m[1]),
      [nodes[202].uuid],
    );
    const sp = await createStatusPage(big, {
      name: 'Racks page',
      subdomain: 'racks-page',
      sections: [{ name: 'Racks', services: [{ monitor_uuid: nodes[0].uuid }] }],
    });
    const spForm = await admin.get(path(`statuspages/${sp.row.uuid}`));
    const spFound = await admin.request(
      'POST',
      path(`statuspages/${sp.row.uuid}`),
      formBody(
        {
          _csrf: csrfOf(spForm.text),
          name: 'Racks page, renamed',
          subdomain: 'racks-page',
          theme: 'system',
          accent_color: '',
          description: 'All racks',
          section_orig_0: '0',
          section_name_0: 'Racks',
          section_name_1: '',
          group_name_0_0: '',
          find_group_monitors_0_0: 'node 204',
          find: 'group_monitors_0_0',
        },
        [['section_monitors_0', nodes[0].uuid]],
      ),
    );
    assert.equal(spFound.status, 200);
    assert.equal(fieldValue(spFound.text, 'name'), 'Racks page, renamed');
    assert.match(spFound.text, />All racks<\/textarea>/);
    assert.deepEqual(boxes(spFound.text, 'group_monitors_0_0'), [[nodes[203].uuid, false]]);
    assert.match(spFound.text, /<details class="add-group" open>/, 'the new group’s box open on its search');
    assert.equal((await getStatusPage(big, sp.row.uuid)).row.name, 'Racks page', 'nothing saved');
  });
});
