import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  fingerprint,
  healthcheckBody,
  incidentBody,
  maintenanceBody,
  monitorBody,
  statusPageBody,
  subscriberBody,
  texts,
  updateKey,
  type ImportRefs,
} from '../../src/domain/imports.ts';

const refs = (): ImportRefs => ({
  monitors: new Map([
    ['mon_src1', 'mon_local1'],
    ['42', 'mon_local1'],
    ['mon_src2', 'mon_local2'],
  ]),
  statuspages: new Map([['sp_src', 'sp_local']]),
});

describe('import fingerprints', () => {
  test('equal bodies give equal fingerprints whatever their key order; undefined keys do not count', () => {
    const a = fingerprint({ name: 'x', nested: { b: 1, a: [1, 2] }, gone: undefined });
    assert.match(a, /^[0-9a-f]{64}$/);
    assert.equal(a, fingerprint({ nested: { a: [1, 2], b: 1 }, name: 'x' }));
  });

  test('any change of a value, of array order, or null for absent changes the fingerprint', () => {
    const a = fingerprint({ name: 'x', list: [1, 2] });
    assert.notEqual(a, fingerprint({ name: 'y', list: [1, 2] }));
    assert.notEqual(a, fingerprint({ name: 'x', list: [2, 1] }));
    assert.notEqual(a, fingerprint({ name: 'x', list: [1, 2], extra: null }));
    assert.notEqual(fingerprint({ n: 1 }), fingerprint({ n: '1' }));
  });
});

describe('localized texts on import', () => {
  test('only the languages Vigil stores, with string values, are kept', () => {
    assert.deepEqual(texts({ en: 'Down', fr: 'En panne', pl: 'Awaria', de: 3, ja: '停止' }), {
      en: 'Down',
      fr: 'En panne',
      ja: '停止',
    });
    for (const v of [null, 'Down', ['en'], undefined]) assert.deepEqual(texts(v), {});
  });
});

describe('monitor import', () => {
  test('the write keys are copied, read-only keys are not, and the expected status code becomes a string', () => {
    const { body, notes } = monitorBody({
      uuid: 'mon_src1',
      id: 42,
      status: 'up',
      name: 'API',
      url: 'https://api.example.org',
      protocol: 'http',
      paused: false,
      check_frequency: 60,
      expected_status_code: 200,
      alerts_wait: 2,
      request_headers: [{ name: 'X', value: 'y' }],
    });
    assert.deepEqual(body, {
      name: 'API',
      url: 'https://api.example.org',
      protocol: 'http',
      paused: false,
      check_frequency: 60,
      expected_status_code: '200',
      alerts_wait: 2,
      request_headers: [{ name: 'X', value: 'y' }],
    });
    assert.deepEqual(notes, []);
  });

  test('a null expected status code is left for the default', () => {
    assert.equal('expected_status_code' in monitorBody({ name: 'a', expected_status_code: null }).body, false);
  });

  test('unknown regions are dropped and named in a note; none known leaves the default regions', () => {
    const some = monitorBody({ name: 'a', regions: ['london', 'mars', 'paris', 'moon'] });
    assert.deepEqual(some.body.regions, ['london', 'paris']);
    assert.equal(some.notes.length, 1);
    assert.match(some.notes[0], /mars, moon/);
    const none = monitorBody({ name: 'a', regions: ['mars'] });
    assert.equal('regions' in none.body, false);
    assert.match(none.notes[0], /mars/);
  });

  test('an escalation policy is not carried over, and a note says so', () => {
    const { body, notes } = monitorBody({ name: 'a', escalation_policy: 'ep_1' });
    assert.equal('escalation_policy' in body, false);
    assert.equal(notes.length, 1);
    assert.match(notes[0], /escalation policy/);
  });
});

describe('healthcheck import', () => {
  test('a cron healthcheck keeps its schedule and time zone (UTC when none)', () => {
    assert.deepEqual(healthcheckBody({ name: 'backup', cron: '0 3 * * *', tz: 'Europe/Paris' }).body, {
      name: 'backup',
      cron: '0 3 * * *',
      timezone: 'Europe/Paris',
      grace_period_value: 0,
      grace_period_type: 'seconds',
      paused: false,
    });
    assert.equal(
      healthcheckBody({ name: 'b', cron: '0 3 * * *', timezone: 'America/New_York' }).body.timezone,
      'America/New_York',
    );
    assert.equal(healthcheckBody({ name: 'b', cron: '0 3 * * *' }).body.timezone, 'UTC');
  });

  test('a period is taken as value and type, or as plain seconds', () => {
    const typed = healthcheckBody({
      name: 'a',
      periodValue: 2,
      periodType: 'hours',
      gracePeriodValue: 10,
      gracePeriodType: 'minutes',
    }).body;
    assert.deepEqual(
      [typed.period_value, typed.period_type, typed.grace_period_value, typed.grace_period_type],
      [2, 'hours', 10, 'minutes'],
    );
    const plain = healthcheckBody({ name: 'a', period: 300, gracePeriod: 60 }).body;
    assert.deepEqual(
      [plain.period_value, plain.period_type, plain.grace_period_value, plain.grace_period_type],
      [300, 'seconds', 60, 'seconds'],
    );
    assert.equal('period_value' in healthcheckBody({ name: 'a' }).body, false);
  });

  test('paused only when the source says isPaused: true; an escalation policy gives a note', () => {
    assert.equal(healthcheckBody({ name: 'a', isPaused: true }).body.paused, true);
    assert.equal(healthcheckBody({ name: 'a', isPaused: 'true' }).body.paused, false);
    assert.equal(healthcheckBody({ name: 'a', escalationPolicy: { uuid: 'ep' } }).notes.length, 1);
  });
});

describe('status page import', () => {
  test('the nested read shape becomes the flat write body; the subdomain loses its hosted domain', () => {
    const { body, notes, locked } = statusPageBody(
      {
        name: 'Acme',
        hostedsubdomain: 'acme.hyperping.app',
        hostname: 'status.acme.com',
        settings: {
          theme: 'dark',
          accent_color: '#000000',
          languages: ['en', 'fr', 'ja'],
          uuid: 'ignored',
          authentication: { password_protection: false },
        },
        sections: [],
      },
      refs(),
    );
    assert.deepEqual(body, {
      name: 'Acme',
      theme: 'dark',
      accent_color: '#000000',
      subdomain: 'acme',
      hostname: 'status.acme.com',
      languages: ['en', 'fr'],
      authentication: { password_protection: false },
      sections: [],
    });
    assert.deepEqual(notes, []);
    assert.equal(locked, false);
  });

  test('the name may come from the settings; no hostname is null; no page language leaves the default', () => {
    const { body } = statusPageBody({ settings: { name: 'From settings', languages: ['ja'] } }, refs());
    assert.equal(body.name, 'From settings');
    assert.equal(body.hostname, null);
    assert.equal('languages' in body, false);
  });

  test('a page behind a password or single sign-on stays protected, with notes', () => {
    for (const p of [{ password_protected: true }, { settings: { authentication: { password_protection: true } } }]) {
      const r = statusPageBody({ name: 'p', ...p }, refs());
      assert.equal(r.locked, true);
      assert.deepEqual(r.body.authentication, { password_protection: true });
      assert.equal(r.notes.length, 1);
      assert.match(r.notes[0], /password/);
    }
    for (const auth of [{ google_sso: true }, { saml_sso: true }]) {
      const r = statusPageBody({ name: 'p', settings: { authentication: auth } }, refs());
      assert.equal(r.locked, true);
      assert.equal(r.notes.length, 2);
      assert.match(r.notes[0], /single sign-on/);
    }
  });

  test('services point at the local monitors; groups keep their children; monitors not imported are left out with a note', () => {
    const { body, notes } = statusPageBody(
      {
        name: 'p',
        sections: [
          {
            name: { en: 'Core' },
            is_split: true,
            services: [
              {
                uuid: 'mon_src1',
                name: { en: 'API' },
                show_uptime: false,
                show_response_times: true,
                description: { en: 'd' },
              },
              { uuid: 'mon_gone', name: { en: 'Old' } },
              {
                is_group: true,
                name: { en: 'Group' },
                services: [{ uuid: 'mon_src2', name: { en: 'Web' } }, { uuid: 'mon_gone2' }],
              },
            ],
          },
          { services: 'nope' },
        ],
      },
      refs(),
    );
    assert.deepEqual(body.sections, [
      {
        name: { en: 'Core' },
        is_split: true,
        services: [
          {
            monitor_uuid: 'mon_local1',
            name_shown: { en: 'API' },
            description: { en: 'd' },
            show_uptime: false,
            show_response_times: true,
          },
          {
            is_group: true,
            name_shown: { en: 'Group' },
            description: null,
            show_uptime: true,
            show_response_times: false,
            services: [
              {
                uuid: 'mon_local2',
                name: { en: 'Web' },
                description: null,
                show_uptime: true,
                show_response_times: false,
              },
            ],
          },
        ],
      },
      { name: '', is_split: false, services: [] },
    ]);
    assert.equal(notes.length, 2);
    assert.match(notes[0], /mon_gone\b/);
    assert.match(notes[1], /mon_gone2/);
  });

  test('a service may name its monitor by monitor_uuid or numeric id', () => {
    const { body } = statusPageBody({ name: 'p', sections: [{ name: 's', services: [{ monitor_uuid: 42 }] }] }, refs());
    assert.equal(body.sections[0].services[0].monitor_uuid, 'mon_local1');
  });
});

describe('subscriber import', () => {
  test('email, sms and teams subscribers carry their contact from its own key or from value', () => {
    assert.deepEqual(subscriberBody({ type: 'email', value: 'a@example.org', language: 'fr' }), {
      body: { type: 'email', email: 'a@example.org', language: 'fr' },
      notes: [],
    });
    assert.deepEqual(subscriberBody({ type: 'sms', phone: '+33100000000', value: 'ignored' }), {
      body: { type: 'sms', phone: '+33100000000', language: 'en' },
      notes: [],
    });
    assert.deepEqual(subscriberBody({ type: 'teams', value: 'https://x.webhook.office.com/a' }), {
      body: { type: 'teams', teams_webhook_url: 'https://x.webhook.office.com/a', language: 'en' },
      notes: [],
    });
  });

  test('a language the pages do not offer falls back to English', () => {
    const r = subscriberBody({ type: 'email', value: 'a@example.org', language: 'ja' });
    assert.ok('body' in r);
    assert.equal(r.body.language, 'en');
  });

  test('Slack and unknown types are skipped with a reason', () => {
    const slack = subscriberBody({ type: 'slack', value: 'x' });
    assert.ok('skip' in slack && /Slack/.test(slack.skip));
    const pigeon = subscriberBody({ type: 'pigeon' });
    assert.ok('skip' in pigeon && /pigeon/.test(pigeon.skip));
  });
});

describe('maintenance and incident import', () => {
  test('a maintenance window keeps its dates and options and points at the local monitors and pages', () => {
    const { body, notes } = maintenanceBody(
      {
        uuid: 'mw_src',
        name: 'Upgrade',
        title: { en: 'DB upgrade', pl: 'x' },
        text: { en: 'Short' },
        start_date: '2026-03-29T00:30:00Z',
        end_date: '2026-03-29T03:30:00Z',
        monitors: ['mon_src1', 'mon_gone'],
        statuspages: ['sp_src', 'sp_gone'],
        notificationOption: 'scheduled',
        notificationMinutes: 30,
        status: 'upcoming',
      },
      refs(),
    );
    assert.deepEqual(body, {
      name: 'Upgrade',
      title: { en: 'DB upgrade' },
      text: { en: 'Short' },
      start_date: '2026-03-29T00:30:00Z',
      end_date: '2026-03-29T03:30:00Z',
      monitors: ['mon_local1'],
      statuspages: ['sp_local'],
      notificationOption: 'scheduled',
      notificationMinutes: 30,
    });
    assert.equal(notes.length, 2);
    assert.match(notes[0], /monitor mon_gone/);
    assert.match(notes[1], /status page sp_gone/);
  });

  test('a maintenance window without text or lists gets empty lists and no text', () => {
    const { body, notes } = maintenanceBody({ name: 'n', title: { en: 't' } }, refs());
    assert.deepEqual([body.monitors, body.statuspages, 'text' in body, notes], [[], [], false, []]);
  });

  test('an incident keeps its timeline, with components and pages remapped', () => {
    const { body, notes } = incidentBody(
      {
        title: { en: 'Outage' },
        text: { en: 'API down', xx: 'y' },
        type: 'outage',
        date: '2026-11-27T12:00:00Z',
        affectedComponents: [42, 'mon_gone'],
        statuspages: ['sp_src'],
        updates: [{ text: { en: 'Looking' }, type: 'investigating', date: '2026-11-27T12:05:00Z', uuid: 'ignored' }],
      },
      refs(),
    );
    assert.deepEqual(body, {
      title: { en: 'Outage' },
      text: { en: 'API down' },
      type: 'outage',
      date: '2026-11-27T12:00:00Z',
      affectedComponents: ['mon_local1'],
      statuspages: ['sp_local'],
      updates: [{ text: { en: 'Looking' }, type: 'investigating', date: '2026-11-27T12:05:00Z' }],
    });
    assert.deepEqual(notes, ['monitor mon_gone was left out: it was not imported']);
    assert.deepEqual(incidentBody({ title: { en: 't' } }, refs()).body.updates, []);
  });

  test('a timeline entry has one key whether its date is an instant or ISO text, and whatever its text key order', () => {
    const at = Date.parse('2026-11-27T12:05:00Z');
    assert.equal(
      updateKey(at, 'update', { en: 'a', fr: 'b' }),
      updateKey('2026-11-27T12:05:00Z', 'update', { fr: 'b', en: 'a' }),
    );
    assert.notEqual(updateKey(at, 'update', { en: 'a' }), updateKey(at, 'resolved', { en: 'a' }));
    assert.notEqual(updateKey(at, 'update', { en: 'a' }), updateKey(at + 1, 'update', { en: 'a' }));
    assert.notEqual(updateKey(at, 'update', { en: 'a' }), updateKey(at, 'update', { en: 'b' }));
  });
});
