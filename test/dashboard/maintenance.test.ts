import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Harness } from '../harness.ts';
import { csrfOf, textOf, type FormClient } from '../support/browser-client.ts';
import { dashboardProject, expect404, plain } from '../support/dashboard-session.ts';
import { createMonitor, type Monitor } from '../../src/services/monitors.ts';
import { createMaintenance, getMaintenance, listMaintenance } from '../../src/services/maintenance.ts';
import { createStatusPage } from '../../src/services/statuspages.ts';
import type { ActorCtx } from '../../src/services/context.ts';

let h: Harness;
let admin: FormClient;
let actor: ActorCtx;
let monitor: Monitor;
let shop: Monitor;
let api: Monitor;
let at: (rest: string) => string;

before(async () => {
  ({ h, admin, actor, at } = await dashboardProject());
  monitor = await createMonitor(actor, { name: 'Checkout API', url: 'https://checkout.example.org' });
  shop = await createMonitor(actor, { name: 'Shop', url: 'https://shop.example.org' });
  api = await createMonitor(actor, { name: 'API gateway', url: 'https://api.example.org' });
});
after(async () => {
  await h.stop();
});

// In this order: the first test counts every window of the project (none after it deletes its own).
describe('maintenance windows in the dashboard', () => {
  test('maintenance windows: the end must follow the start; create, list, delete', async () => {
    const form = await admin.get(at('maintenance/new'));
    assert.match(form.text, /id="f-starts" name="starts" type="datetime-local" value="\d{4}-\d\d-\d\dT\d\d:00"/);
    const base = {
      _csrf: csrfOf(form.text),
      name: 'DB upgrade',
      title: 'Database upgrade',
      text: '',
      monitors: monitor.uuid,
    };
    const backwards = await admin.post(at('maintenance'), {
      ...base,
      starts: '2030-01-02T03:00',
      ends: '2030-01-02T02:00',
    });
    assert.equal(backwards.status, 422);
    assert.equal(textOf(backwards.text, 'f-ends-error'), 'end_date must be after start_date');
    const garbage = await admin.post(at('maintenance'), { ...base, starts: 'soon', ends: '2030-01-02T02:00' });
    assert.match(textOf(garbage.text, 'f-starts-error')!, /^start_date must be an ISO 8601 date-time/);
    const ok = await admin.post(at('maintenance'), { ...base, starts: '2030-01-02T03:00', ends: '2030-01-02T05:30' });
    assert.equal(ok.status, 303);
    const { windows } = await listMaintenance(actor, 0, 10);
    assert.deepEqual(
      [
        windows[0].name,
        new Date(windows[0].startsAt).toISOString(),
        new Date(windows[0].endsAt).toISOString(),
        windows[0].monitors,
      ],
      ['DB upgrade', '2030-01-02T03:00:00.000Z', '2030-01-02T05:30:00.000Z', [monitor.uuid]],
    );
    const list = await admin.get(at('maintenance'));
    assert.match(plain(list.text), /DB upgrade Database upgrade Upcoming 2030-01-02 03:00 UTC 2030-01-02 05:30 UTC 1/);
    const confirm = await admin.get(at(`maintenance/${windows[0].uuid}/delete`));
    assert.match(plain(confirm.text), /Checkout API/);
    assert.equal(
      (await admin.post(at(`maintenance/${windows[0].uuid}/delete`), { _csrf: csrfOf(confirm.text) })).status,
      303,
    );
    assert.equal((await listMaintenance(actor, 0, 10)).total, 0);
    await expect404(admin, [at('maintenance/mw_unknown/delete')]);
  });

  test('a maintenance window is edited: monitors and status pages chosen by name, the API’s messages, other languages kept', async () => {
    const sp = await createStatusPage(actor, { name: 'Acme status', subdomain: 'acme-edit' });
    const w = await createMaintenance(actor, {
      name: 'DB upgrade',
      title: { en: 'Database upgrade', fr: 'Mise à jour' },
      start_date: '2031-01-02T03:00:00Z',
      end_date: '2031-01-02T04:00:00Z',
      monitors: [shop.uuid],
    });
    const list = await admin.get(at('maintenance'));
    assert.match(list.text, new RegExp(`href="[^"]*maintenance/${w.uuid}/edit">Edit<span class="sr-only"> DB upgrade`));
    const form = await admin.get(at(`maintenance/${w.uuid}/edit`));
    assert.equal(form.status, 200);
    assert.match(form.text, /id="f-starts"[^>]*value="2031-01-02T03:00"/);
    assert.match(form.text, new RegExp(`name="monitors" value="${shop.uuid}" id="[^"]+" checked> <span>Shop<`));
    assert.match(form.text, new RegExp(`name="monitors" value="${api.uuid}" id="[^"]+"> <span>API gateway<`));
    const base = {
      _csrf: csrfOf(form.text),
      name: 'DB upgrade v2',
      title: 'Database upgrade, part 2',
      text: 'Read-only for an hour',
      starts: '2031-01-03T03:00',
      ends: '2031-01-03T05:00',
    };

    const backwards = await admin.post(at(`maintenance/${w.uuid}/edit`), {
      ...base,
      ends: '2031-01-03T02:00',
      monitors: api.uuid,
    });
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
});
