import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Harness } from '../harness.ts';
import { csrfOf, formBody, textOf, type FormClient } from '../support/browser-client.ts';
import { dashboardProject, expect404, plain } from '../support/dashboard-session.ts';
import { createMonitor, type Monitor } from '../../src/services/monitors.ts';
import { createHealthcheck } from '../../src/services/healthchecks.ts';
import { createStatusPage, getStatusPage, listSubscribers } from '../../src/services/statuspages.ts';
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

describe('status pages in the dashboard', () => {
  test('status pages: create, put monitors in sections, preview the public page, subscribers', async () => {
    const form = await admin.get(at('statuspages/new'));
    const bad = await admin.post(at('statuspages'), {
      _csrf: csrfOf(form.text),
      name: 'Acme status',
      subdomain: '-bad-',
      theme: 'dark',
    });
    assert.equal(bad.status, 422);
    assert.match(textOf(bad.text, 'f-subdomain-error')!, /^subdomain must be 1–63 letters/);
    const made = await admin.post(at('statuspages'), {
      _csrf: csrfOf(form.text),
      name: 'Acme status',
      subdomain: 'acme-dash',
      theme: 'dark',
    });
    assert.equal(made.status, 303);
    const uuid = /statuspages\/(sp_[A-Za-z0-9_-]+)\?done=created$/.exec(made.location!)![1];
    const edit = await admin.get(made.location!);
    assert.match(edit.text, /href="\/status\/acme-dash" target="_blank" rel="noopener">Preview/);
    const fields = {
      _csrf: csrfOf(edit.text),
      name: 'Acme status',
      subdomain: 'acme-dash',
      theme: 'light',
      accent_color: '#1f4fd1',
      description: 'All of Acme',
    };
    const unknown = await admin.post(at(`statuspages/${uuid}`), {
      ...fields,
      section_name_0: 'Shop',
      section_monitors_0: 'mon_doesnotexist',
    });
    assert.equal(unknown.status, 422);
    assert.equal(textOf(unknown.text, 'f-sections-error'), 'Monitor mon_doesnotexist in sections does not exist');
    const badColour = await admin.post(at(`statuspages/${uuid}`), { ...fields, accent_color: 'blue' });
    assert.equal(textOf(badColour.text, 'f-accent_color-error'), 'accent_color must be a colour such as #36b27e');

    const saved = await admin.post(at(`statuspages/${uuid}`), {
      ...fields,
      section_name_0: 'Shop',
      section_monitors_0: `${monitor.uuid} # Checkout API`,
      section_rt_0: 'on',
      section_name_1: '',
      section_monitors_1: '',
    });
    assert.equal(saved.status, 303);
    const sp = await getStatusPage(actor, uuid);
    assert.equal(sp.settings.theme, 'light');
    assert.deepEqual(
      sp.resolved.map((s) => [s.name, s.services.map((x) => [x.monitor?.uuid, x.show_response_times])]),
      [[{ en: 'Shop' }, [[monitor.uuid, true]]]],
    );
    const again = await admin.get(at(`statuspages/${uuid}`));
    assert.match(
      again.text,
      new RegExp(
        `<input type="checkbox" name="section_monitors_0" value="${monitor.uuid}" id="[^"]+" checked> <span>Checkout API<`,
      ),
      'the section shows its monitor checked, by name',
    );
    const pub = await fetch(`${h.url}/status/acme-dash`);
    assert.equal(pub.status, 200);
    const pubText = await pub.text();
    assert.ok(pubText.includes('Shop') && pubText.includes('Checkout API'));

    const subs = at(`statuspages/${uuid}/subscribers`);
    const subPage = await admin.get(subs);
    const add = (type: string, contact: string) => admin.post(subs, { _csrf: csrfOf(subPage.text), type, contact });
    assert.equal(textOf((await add('email', 'nope')).text, 'f-contact-error'), 'email must be a valid email address');
    assert.equal((await add('email', 'Reader@Example.org')).status, 303);
    assert.equal(
      textOf((await add('email', 'reader@example.org')).text, 'f-contact-error'),
      'reader@example.org is already subscribed to this status page',
    );
    // SMS and Teams subscribers, with the API's rules for each type.
    assert.equal(
      textOf((await add('sms', '12345')).text, 'f-contact-error'),
      'phone must be an international number such as +12125551234',
    );
    assert.equal((await add('sms', '+1 212 555 1234')).status, 303);
    assert.equal((await add('teams', 'https://example.webhook.office.com/webhookb2/abc')).status, 303);
    const listed = await admin.get(subs);
    assert.match(plain(listed.text), /3 subscribers .*reader@example\.org email en/);
    assert.match(plain(listed.text), /\+12125551234 sms en/);
    const all = (await listSubscribers(actor, uuid, { page: 0, perPage: 10 })).subscribers;
    assert.deepEqual(all.map((s) => s.type).sort(), ['email', 'sms', 'teams']);
    for (const sub of all)
      assert.equal((await admin.post(`${subs}/${sub.id}/delete`, { _csrf: csrfOf(listed.text) })).status, 303);
    assert.equal((await listSubscribers(actor, uuid, { page: 0, perPage: 10 })).total, 0);
    assert.match(plain((await admin.get(at('statuspages'))).text), /Acme status \/status\/acme-dash/);
    await expect404(admin, [
      at('statuspages/sp_unknown'),
      at('statuspages/sp_unknown/subscribers'),
      at(`statuspages/${uuid}/subscribers/abc/delete`),
    ]);
  });

  test('status page sections: monitors chosen by name, section and group names edited, groups added and kept in place', async () => {
    const sp = await createStatusPage(actor, {
      name: 'Grouped',
      subdomain: 'grouped-edit',
      sections: [
        {
          name: 'Services',
          services: [
            { monitor_uuid: shop.uuid, name_shown: 'Web shop' },
            { is_group: true, name_shown: 'Backend', services: [{ uuid: api.uuid }] },
          ],
        },
      ],
    });
    const page = await admin.get(at(`statuspages/${sp.row.uuid}`));
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.text, /cannot edit yet/);
    assert.match(page.text, /id="f-section_name_0"[^>]*value="Services"/);
    assert.match(page.text, /id="f-group_name_0_0"[^>]*value="Backend"/);
    assert.match(
      page.text,
      /<input type="hidden" name="group_orig_0_0" value="1">/,
      'the group is the second service of its section',
    );
    assert.match(
      page.text,
      new RegExp(`name="section_monitors_0" value="${shop.uuid}" id="[^"]+" checked> <span>Shop<`),
    );
    assert.match(
      page.text,
      new RegExp(`name="group_monitors_0_0" value="${api.uuid}" id="[^"]+" checked> <span>API gateway<`),
    );
    assert.match(page.text, /<details class="add-group"><summary>Add a group to “Services”<\/summary>/);

    const fields = new URLSearchParams({
      _csrf: csrfOf(page.text),
      name: 'Grouped',
      subdomain: 'grouped-edit',
      theme: 'system',
      accent_color: '#36b27e',
      description: '',
      section_orig_0: '0',
      section_name_0: 'All services',
      section_rt_0: 'on',
      group_orig_0_0: '1',
      group_name_0_0: 'Backends',
      group_name_0_1: 'Storefront',
      section_name_1: 'Status',
      section_name_2: '',
    });
    fields.append('section_monitors_0', shop.uuid);
    fields.append('group_monitors_0_0', api.uuid);
    fields.append('group_monitors_0_1', shop.uuid);
    fields.append('section_monitors_1', api.uuid);
    const saved = await admin.request('POST', at(`statuspages/${sp.row.uuid}`), fields.toString());
    assert.equal(saved.status, 303, (saved.text.match(/class="(field-error|alert)"[^>]*>[^<]*/g) ?? []).join(' / '));
    const after = await getStatusPage(actor, sp.row.uuid);
    const shape = after.resolved.map((s) => ({
      name: s.name.en,
      services: s.services.map((x) =>
        x.is_group
          ? { group: x.name.en, monitors: x.services.map((c) => c.monitor?.uuid) }
          : { monitor: x.monitor?.uuid, name: x.name.en, rt: x.show_response_times },
      ),
    }));
    assert.deepEqual(shape, [
      {
        name: 'All services',
        services: [
          { monitor: shop.uuid, name: 'Web shop', rt: true },
          { group: 'Backends', monitors: [api.uuid] },
          { group: 'Storefront', monitors: [shop.uuid] },
        ],
      },
      { name: 'Status', services: [{ monitor: api.uuid, name: 'API gateway', rt: false }] },
    ]);

    // Clearing a group's name and monitors removes it; a group without a name is refused.
    const again = await admin.get(at(`statuspages/${sp.row.uuid}`));
    const nameless = new URLSearchParams({
      _csrf: csrfOf(again.text),
      name: 'Grouped',
      subdomain: 'grouped-edit',
      theme: 'system',
      accent_color: '#36b27e',
      description: '',
      section_orig_0: '0',
      section_name_0: 'All services',
      group_orig_0_0: '1',
      group_name_0_0: '',
      group_orig_0_1: '2',
      group_name_0_1: '',
    });
    nameless.append('group_monitors_0_1', shop.uuid);
    const refused = await admin.request('POST', at(`statuspages/${sp.row.uuid}`), nameless.toString());
    assert.equal(refused.status, 422);
    assert.match(textOf(refused.text, 'f-sections-error')!, /name_shown is required for a group/);
    nameless.delete('group_monitors_0_1');
    assert.equal((await admin.request('POST', at(`statuspages/${sp.row.uuid}`), nameless.toString())).status, 303);
    assert.deepEqual(
      (await getStatusPage(actor, sp.row.uuid)).resolved.map((s) => [s.name.en, s.services.length]),
      [['All services', 0]],
    );
  });
});

describe('status page services in the dashboard', () => {
  test('each service’s shown name is edited in the status page form; other languages stay, empty shows the monitor’s name', async () => {
    const sp = await createStatusPage(actor, {
      name: 'Named',
      subdomain: 'leftovers-names',
      sections: [
        {
          name: 'Main',
          services: [
            { monitor_uuid: shop.uuid, name_shown: { en: 'Web shop', fr: 'Boutique' } },
            { is_group: true, name_shown: 'Backend', services: [{ uuid: api.uuid }] },
          ],
        },
      ],
    });
    const page = await admin.get(at(`statuspages/${sp.row.uuid}`));
    assert.match(page.text, new RegExp(`<label for="f-section_shown_0_${shop.uuid}">Shop</label>`));
    assert.match(page.text, new RegExp(`name="section_shown_0_${shop.uuid}"[^>]*value="Web shop"`));
    assert.match(page.text, new RegExp(`name="group_shown_0_0_${api.uuid}"[^>]*value="API gateway"`));
    const fields = (shopName: string, apiName: string) =>
      formBody(
        {
          _csrf: csrfOf(page.text),
          name: 'Named',
          subdomain: 'leftovers-names',
          theme: 'system',
          accent_color: '#36b27e',
          description: '',
          section_orig_0: '0',
          section_name_0: 'Main',
          [`section_shown_0_${shop.uuid}`]: shopName,
          group_orig_0_0: '1',
          group_name_0_0: 'Backend',
          [`group_shown_0_0_${api.uuid}`]: apiName,
        },
        [
          ['section_monitors_0', shop.uuid],
          ['group_monitors_0_0', api.uuid],
        ],
      );
    const names = async () => {
      const s = (await getStatusPage(actor, sp.row.uuid)).resolved[0].services;
      return [s[0].name, s[1].services[0].name];
    };

    const long = await admin.request('POST', at(`statuspages/${sp.row.uuid}`), fields('x'.repeat(256), 'Public API'));
    assert.equal(long.status, 422);
    assert.match(textOf(long.text, 'f-sections-error')!, /^sections\[0\]\.services\[0\]\.name\.en .*255/);
    assert.match(
      long.text,
      new RegExp(`name="section_shown_0_${shop.uuid}"[^>]*value="x{256}"`),
      'the typed name stays',
    );

    const ok = await admin.request('POST', at(`statuspages/${sp.row.uuid}`), fields('Online store', 'Public API'));
    assert.equal(ok.status, 303);
    assert.deepEqual(await names(), [{ en: 'Online store', fr: 'Boutique' }, { en: 'Public API' }]);
    const pub = plain(
      (await h.request('GET', '/status/leftovers-names', { key: null, headers: { accept: 'text/html' } })).text,
    );
    assert.match(pub, /Online store/);
    assert.match(pub, /Public API/);

    const cleared = await admin.request('POST', at(`statuspages/${sp.row.uuid}`), fields('', 'Public API'));
    assert.equal(cleared.status, 303);
    assert.deepEqual((await names())[0], { en: 'Shop' }, 'an empty name shows the monitor’s');
  });

  test('healthchecks placed on a page through the API stay where they are when the page is saved in the dashboard', async () => {
    const job = await createHealthcheck(actor, {
      name: 'Backup job',
      period_value: 1,
      period_type: 'days',
      grace_period_value: 1,
      grace_period_type: 'hours',
    });
    const sync = await createHealthcheck(actor, {
      name: 'Sync job',
      period_value: 1,
      period_type: 'hours',
      grace_period_value: 5,
      grace_period_type: 'minutes',
    });
    const sp = await createStatusPage(actor, {
      name: 'Jobs',
      subdomain: 'leftovers-jobs',
      sections: [
        {
          name: 'Main',
          services: [
            { monitor_uuid: job.public_uuid, name_shown: 'Nightly backup' },
            { monitor_uuid: shop.uuid },
            { is_group: true, name_shown: 'Batch', services: [{ uuid: api.uuid }, { uuid: sync.public_uuid }] },
          ],
        },
      ],
    });
    const page = await admin.get(at(`statuspages/${sp.row.uuid}`));
    const saved = await admin.request(
      'POST',
      at(`statuspages/${sp.row.uuid}`),
      formBody(
        {
          _csrf: csrfOf(page.text),
          name: 'Jobs',
          subdomain: 'leftovers-jobs',
          theme: 'system',
          accent_color: '#36b27e',
          description: '',
          section_orig_0: '0',
          section_name_0: 'Main',
          group_orig_0_0: '2',
          group_name_0_0: 'Batch',
        },
        [
          ['section_monitors_0', shop.uuid],
          ['group_monitors_0_0', api.uuid],
        ],
      ),
    );
    assert.equal(saved.status, 303, saved.text);
    const s = (await getStatusPage(actor, sp.row.uuid)).resolved[0].services;
    assert.deepEqual(
      s.map((x) => x.healthcheck?.publicUuid ?? x.monitor?.uuid ?? 'group'),
      [job.public_uuid, shop.uuid, 'group'],
    );
    assert.deepEqual(s[0].name, { en: 'Nightly backup' });
    assert.deepEqual(
      s[2].services.map((x) => x.healthcheck?.publicUuid ?? x.monitor?.uuid),
      [api.uuid, sync.public_uuid],
    );
  });
});
