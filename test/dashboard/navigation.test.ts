// The project screens as a whole: the tabs between them, and escaping on every one.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Harness } from '../harness.ts';
import { csrfOf, type FormClient } from '../support/browser-client.ts';
import { dashboardProject } from '../support/dashboard-session.ts';
import { listHealthchecks } from '../../src/services/healthchecks.ts';
import { listIncidents } from '../../src/services/incidents.ts';
import type { ActorCtx } from '../../src/services/context.ts';

let h: Harness;
let admin: FormClient;
let actor: ActorCtx;
let at: (rest: string) => string;

before(async () => {
  ({ h, admin, actor, at } = await dashboardProject());
});
after(async () => {
  await h.stop();
});

describe('dashboard management screens', () => {
  test('every project screen is one tab away, the current one marked', async () => {
    for (const [tab, label] of [
      ['monitors', 'Monitors'],
      ['healthchecks', 'Healthchecks'],
      ['outages', 'Outages'],
      ['incidents', 'Incidents'],
      ['maintenance', 'Maintenance'],
      ['statuspages', 'Status pages'],
      ['alerting', 'Alerting'],
      ['settings/developers', 'Settings'],
    ]) {
      const page = await admin.get(at(tab));
      assert.equal(page.status, 200, tab);
      const nav = /<nav class="project-nav"[\s\S]*?<\/nav>/.exec(page.text)![0];
      assert.equal((nav.match(/<a href=/g) ?? []).length, 8);
      assert.match(nav, new RegExp(`aria-current="page">${label}<`), tab);
    }
  });

  test('user strings are escaped on every management screen', async () => {
    const evil = '<img src=x onerror=alert(1)>';
    const token = csrfOf((await admin.get(at('healthchecks/new'))).text);
    assert.equal(
      (
        await admin.post(at('healthchecks'), {
          _csrf: token,
          name: evil,
          kind: 'period',
          period_value: '1',
          period_type: 'days',
          grace_period_value: '1',
          grace_period_type: 'hours',
        })
      ).status,
      303,
    );
    assert.equal(
      (
        await admin.post(at('incidents'), {
          _csrf: token,
          title: evil,
          type: 'incident',
          status: 'investigating',
          message: evil,
        })
      ).status,
      303,
    );
    assert.equal(
      (
        await admin.post(at('maintenance'), {
          _csrf: token,
          name: evil,
          title: evil,
          text: '',
          starts: '2030-01-02T03:00',
          ends: '2030-01-02T04:00',
          monitors: '',
        })
      ).status,
      303,
    );
    assert.equal(
      (await admin.post(at('statuspages'), { _csrf: token, name: evil, subdomain: 'evil-page', theme: 'system' }))
        .status,
      303,
    );
    const hc = (await listHealthchecks(actor)).find((x) => x.name === evil)!;
    const inc = (await listIncidents(actor))[0];
    for (const path of [
      'healthchecks',
      `healthchecks/${hc.uuid}`,
      'incidents',
      `incidents/${inc.uuid}`,
      'maintenance',
      'statuspages',
    ]) {
      const page = await admin.get(at(path));
      assert.equal(page.status, 200, path);
      assert.ok(!page.text.includes('<img src=x'), path);
      assert.ok(page.text.includes('&lt;img src=x onerror=alert(1)&gt;'), path);
    }
  });
});
