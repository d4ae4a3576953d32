import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Harness } from '../harness.ts';
import { csrfOf, formBody, textOf, type FormClient } from '../support/browser-client.ts';
import { dashboardProject, expect404, plain } from '../support/dashboard-session.ts';
import { createMonitor, type Monitor } from '../../src/services/monitors.ts';
import { createIncident, getIncident, listIncidents } from '../../src/services/incidents.ts';
import { createStatusPage, listStatusPages } from '../../src/services/statuspages.ts';
import type { ActorCtx } from '../../src/services/context.ts';

// Each describe has its own project: both count the incidents of their project before making one.
describe('incidents: create and update', () => {
  let h: Harness;
  let admin: FormClient;
  let actor: ActorCtx;
  let monitor: Monitor;
  let at: (rest: string) => string;

  before(async () => {
    ({ h, admin, actor, at } = await dashboardProject());
    monitor = await createMonitor(actor, { name: 'Checkout API', url: 'https://checkout.example.org' });
    await createStatusPage(actor, { name: 'Acme status', subdomain: 'acme-dash' }); // the page the incident is posted to
  });
  after(async () => {
    await h.stop();
  });

  test('incidents: create with a message beside the field, post updates until resolved', async () => {
    const sp = (await listStatusPages(actor, { page: 0, perPage: 5 })).pages[0];
    const form = await admin.get(at('incidents/new'));
    assert.match(form.text, new RegExp(`name="statuspages" value="${sp.row.uuid}"`));
    const base = { _csrf: csrfOf(form.text), type: 'incident', status: 'investigating' };
    const noTitle = await admin.post(at('incidents'), { ...base, title: '', message: 'Looking into it' });
    assert.equal(noTitle.status, 422);
    assert.equal(textOf(noTitle.text, 'f-title-error'), 'title must have a non-empty text in at least one language');
    const badMonitor = await admin.post(at('incidents'), {
      ...base,
      title: 'Slow checkout',
      message: 'x',
      affected: 'mon_nothere',
    });
    assert.equal(
      textOf(badMonitor.text, 'f-affected-error'),
      'Monitor mon_nothere in affectedComponents does not exist',
    );
    const noMessage = await admin.post(at('incidents'), { ...base, title: 'Slow checkout', message: '  ' });
    assert.equal(
      textOf(noMessage.text, 'f-message-error'),
      'updates[0].text must have a non-empty text in at least one language',
    );
    assert.equal((await listIncidents(actor)).length, 0);

    const made = await admin.post(at('incidents'), {
      ...base,
      title: 'Slow checkout',
      message: 'Payments take 20 s',
      affected: monitor.uuid,
      statuspages: sp.row.uuid,
    });
    assert.equal(made.status, 303);
    const uuid = /incidents\/(inci_[A-Za-z0-9]+)\?done=created$/.exec(made.location!)![1];
    const page = await admin.get(made.location!);
    assert.match(plain(page.text), /Affected Checkout API/);
    const empty = await admin.post(at(`incidents/${uuid}/updates`), {
      _csrf: csrfOf(page.text),
      status: 'identified',
      message: '',
    });
    assert.equal(empty.status, 422);
    assert.equal(textOf(empty.text, 'f-message-error'), 'text must have a non-empty text in at least one language');
    assert.equal(
      (
        await admin.post(at(`incidents/${uuid}/updates`), {
          _csrf: csrfOf(page.text),
          status: 'identified',
          message: 'A slow database',
        })
      ).status,
      303,
    );
    const done = await admin.post(at(`incidents/${uuid}/updates`), {
      _csrf: csrfOf(page.text),
      status: 'resolved',
      message: 'Fixed',
    });
    assert.equal(done.status, 303);
    const i = await getIncident(actor, uuid);
    assert.deepEqual(
      i.updates.map((u) => [u.type, u.text.en]),
      [
        ['investigating', 'Payments take 20 s'],
        ['identified', 'A slow database'],
        ['resolved', 'Fixed'],
      ],
    );
    const list = await admin.get(at('incidents'));
    assert.match(plain(list.text), /Slow checkout Resolved incident/);
    const timeline = plain(
      /<ol class="timeline"[\s\S]*?<\/ol>/.exec((await admin.get(at(`incidents/${uuid}`))).text)![0],
    );
    assert.ok(timeline.indexOf('Fixed') < timeline.indexOf('A slow database'), 'newest first');
    await expect404(admin, [at('incidents/inci_unknown'), at('incidents/inci_unknown/delete')]);
    await expect404(admin, [at('incidents/inci_unknown/updates')], true);
  });
});

describe('incidents in the dashboard', () => {
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
  after(async () => {
    await h.stop();
  });

  test('the incident form picks affected monitors by name; unknown ids get the API’s message', async () => {
    const form = await admin.get(at('incidents/new'));
    assert.equal(form.status, 200);
    assert.match(form.text, new RegExp(`name="affected" value="${shop.uuid}" id="[^"]+"> <span>Shop<`));
    assert.match(form.text, new RegExp(`name="affected" value="${api.uuid}" id="[^"]+"> <span>API gateway<`));
    assert.doesNotMatch(form.text, /separated by commas or spaces/, 'no raw id field any more');
    const base = {
      _csrf: csrfOf(form.text),
      title: 'Checkout errors',
      type: 'incident',
      status: 'investigating',
      message: 'Looking into it',
    };

    const unknown = await admin.request('POST', at('incidents'), formBody(base, [['affected', 'mon_doesnotexist']]));
    assert.equal(unknown.status, 422);
    assert.equal(
      textOf(unknown.text, 'f-affected-error'),
      'Monitor mon_doesnotexist in affectedComponents does not exist',
    );
    assert.match(
      unknown.text,
      /<input type="hidden" name="affected" value="mon_doesnotexist">/,
      'the refused id stays in the form',
    );
    assert.equal((await listIncidents(actor)).length, 0);

    const ok = await admin.request(
      'POST',
      at('incidents'),
      formBody(base, [
        ['affected', api.uuid],
        ['affected', shop.uuid],
      ]),
    );
    assert.equal(ok.status, 303);
    const uuid = /incidents\/(inci_[A-Za-z0-9]+)\?done=created$/.exec(ok.location!)![1];
    assert.deepEqual((await getIncident(actor, uuid)).affectedComponents, [api.uuid, shop.uuid]);
  });

  test('an incident’s title, type, monitors and status pages are edited from its page through the API’s update, with its messages', async () => {
    const sp = await createStatusPage(actor, { name: 'Public', subdomain: 'leftovers-inc' });
    const i = await createIncident(actor, {
      title: { en: 'Slow pages', de: 'Langsame Seiten' },
      type: 'incident',
      affectedComponents: [shop.uuid],
      updates: [{ text: { en: 'Investigating' }, type: 'investigating' }],
    });
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
    const refused = await admin.request(
      'POST',
      at(`incidents/${untitled.uuid}/edit`),
      formBody({ _csrf: csrf, title: '', type: 'incident' }),
    );
    assert.equal(refused.status, 422);
    assert.equal(textOf(refused.text, 'f-title-error'), (apiNoTitle.body as { message: string }).message);
    const badType = await admin.request(
      'POST',
      at(`incidents/${i.uuid}/edit`),
      formBody({ _csrf: csrf, title: 'Slow pages', type: 'meltdown' }),
    );
    assert.equal(textOf(badType.text, 'f-type-error'), 'type must be one of incident, outage');
    const badPage = await admin.request(
      'POST',
      at(`incidents/${i.uuid}/edit`),
      formBody({ _csrf: csrf, title: 'Slow pages', type: 'incident' }, [['statuspages', 'sp_nope']]),
    );
    assert.equal(badPage.status, 422);
    const apiBadPage = await h.request('PUT', `/v3/incidents/${i.uuid}`, { body: { statuspages: ['sp_nope'] } });
    assert.equal(textOf(badPage.text, 'f-statuspages-error'), (apiBadPage.body as { message: string }).message);
    assert.equal((await getIncident(actor, i.uuid)).title.en, 'Slow pages', 'refused forms change nothing');

    const ok = await admin.request(
      'POST',
      at(`incidents/${i.uuid}/edit`),
      formBody({ _csrf: csrf, title: 'Slow checkout pages', type: 'outage' }, [
        ['affected', api.uuid],
        ['statuspages', sp.row.uuid],
      ]),
    );
    assert.equal(ok.status, 303);
    assert.equal(ok.location, at(`incidents/${i.uuid}?done=saved`));
    const saved = await getIncident(actor, i.uuid);
    assert.deepEqual(saved.title, { de: 'Langsame Seiten', en: 'Slow checkout pages' });
    assert.equal(saved.type, 'outage');
    assert.deepEqual(saved.affectedComponents, [api.uuid]);
    assert.deepEqual(saved.statuspages, [sp.row.uuid]);
    assert.equal(saved.updates.length, 1, 'the timeline is untouched');
    const wire = (await h.request('GET', `/v3/incidents/${i.uuid}`)).body as {
      title: { en: string };
      affectedComponents: string[];
    };
    assert.equal(wire.title.en, 'Slow checkout pages');
    const shown = plain((await admin.get(ok.location!)).text);
    assert.match(shown, /The incident was saved/);
    assert.match(shown, /Affected API gateway Status pages Public/);
  });
});
