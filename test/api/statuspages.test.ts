import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectStatus, startHarness, snapshot, type Harness } from '../harness.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.stop();
});

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
let seq = 0;
const unique = (p: string) => `${p}-${process.pid}-${++seq}`;

async function monitor(name = 'svc') {
  const res = await h.request('POST', '/v1/monitors', { body: { name, url: 'http://127.0.0.1:9/', paused: true } });
  assert.equal(res.status, 201);
  return res.body as { uuid: string; id: number; name: string };
}

async function page(body: Record<string, unknown> = {}) {
  const res = await h.request('POST', '/v2/statuspages', {
    body: { name: 'Acme', subdomain: unique('acme'), ...body },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.statuspage;
}

describe('/v2/statuspages', () => {
  test('create returns the recorded full shape with defaults, wrapped with a message', async () => {
    const sub = unique('acme-status');
    const res = await h.request('POST', '/v2/statuspages', {
      body: { name: 'Acme', subdomain: sub, languages: ['en'] },
    });
    assert.equal(res.status, 201);
    assert.deepEqual(Object.keys(res.body), ['message', 'statuspage']);
    assert.equal(res.body.message, 'Status page created');
    const sp = res.body.statuspage;
    assert.match(sp.uuid, /^sp_[A-Za-z0-9]{14}$/);
    assert.deepEqual(sp, {
      uuid: sp.uuid,
      name: 'Acme',
      hostname: null,
      hostedsubdomain: `${sub}.hyperping.app`,
      url: `${sub}.hyperping.app`,
      password_protected: false,
      public_url: `${h.config.publicUrl}/status/${sub}`,
      hostname_verification: null,
      settings: {
        name: 'Acme',
        website: '',
        description: { en: '', fr: '', de: '', ru: '', nl: '' },
        languages: ['en'],
        default_language: 'en',
        theme: 'system',
        font: 'Inter',
        accent_color: '#36b27e',
        auto_refresh: false,
        banner_header: true,
        logo: null,
        logo_height: '32px',
        favicon: null,
        hide_powered_by: false,
        hide_from_search_engines: false,
        google_analytics: null,
        subscribe: { enabled: true, email: true, slack: false, teams: false, sms: false },
        authentication: {
          password_protection: false,
          google_sso: false,
          google_allowed_domains: [],
          saml_sso: false,
          sso_connection_uuid: null,
          sso_connection: null,
        },
      },
      sections: [],
    });
    const got = await h.request('GET', `/v2/statuspages/${sp.uuid}`);
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, { statuspage: sp });
  });

  test('flat write keys land nested on read; a hyperping.app suffix is stripped from the subdomain', async () => {
    const sub = unique('flat');
    const sp = await page({
      subdomain: `${sub}.hyperping.app`,
      hostname: 'Status.Example.COM',
      website: 'https://example.com',
      description: 'All about us',
      languages: ['en', 'fr'],
      default_language: 'fr',
      theme: 'dark',
      font: 'Lato',
      accent_color: '#FF0000',
      auto_refresh: true,
      banner_header: false,
      logo: 'https://example.com/logo.png',
      logo_height: '40px',
      hide_powered_by: true,
      hide_from_search_engines: true,
      subscribe: { sms: true },
      authentication: { google_allowed_domains: ['example.com'] },
    });
    assert.equal(sp.hostedsubdomain, `${sub}.hyperping.app`);
    assert.equal(sp.hostname, 'status.example.com');
    assert.equal(sp.url, `${sub}.hyperping.app`, 'a custom hostname is the url once proven (hostname-proof.test.ts)');
    const s = sp.settings;
    assert.deepEqual(s.description, { en: '', fr: 'All about us', de: '', ru: '', nl: '' });
    assert.deepEqual(
      [
        s.theme,
        s.font,
        s.accent_color,
        s.auto_refresh,
        s.banner_header,
        s.logo_height,
        s.hide_powered_by,
        s.default_language,
      ],
      ['dark', 'Lato', '#FF0000', true, false, '40px', true, 'fr'],
    );
    assert.deepEqual(s.subscribe, { enabled: true, email: true, slack: false, teams: false, sms: true });
    assert.deepEqual(s.authentication.google_allowed_domains, ['example.com']);
  });

  test('PUT is partial: only sent keys change, and the response is wrapped with a message', async () => {
    const sp = await page({ theme: 'dark', languages: ['en', 'de'] });
    const res = await h.request('PUT', `/v2/statuspages/${sp.uuid}`, {
      body: { name: 'Renamed', accent_color: '#123456' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.message, 'Status page updated');
    const after = res.body.statuspage;
    assert.equal(after.name, 'Renamed');
    assert.equal(after.settings.name, 'Renamed');
    assert.equal(after.settings.accent_color, '#123456');
    assert.equal(after.settings.theme, 'dark');
    assert.deepEqual(after.settings.languages, ['en', 'de']);
    assert.equal(after.hostedsubdomain, sp.hostedsubdomain);
    const cleared = await h.request('PUT', `/v2/statuspages/${sp.uuid}`, { body: { logo: 'https://x.example/l.png' } });
    assert.equal(cleared.body.statuspage.settings.logo, 'https://x.example/l.png');
    const again = await h.request('PUT', `/v2/statuspages/${sp.uuid}`, { body: { logo: '' } });
    assert.equal(again.body.statuspage.settings.logo, null, '"" clears a string setting');
  });

  test('sections accept a monitor by mon_ uuid or numeric id, groups nest services, and deleted monitors drop out', async () => {
    const a = await monitor('API');
    const b = await monitor('Database');
    const c = await monitor('Cache');
    const sp = await page({
      sections: [
        {
          name: 'Core',
          is_split: true,
          services: [
            {
              monitor_uuid: a.uuid,
              name_shown: 'Public API',
              show_uptime: true,
              show_response_times: true,
              description: 'The REST API',
            },
            { monitor_uuid: String(b.id) },
          ],
        },
        {
          name: { en: 'Backends', fr: 'Serveurs' },
          services: [
            {
              is_group: true,
              name_shown: 'Storage',
              services: [{ uuid: c.id, name: { en: 'Redis' } }, { uuid: b.uuid }],
            },
          ],
        },
      ],
    });
    // A monitor service reads as the monitor's numeric id, its uuid and type "monitor"; a group keeps its own id and has no type.
    assert.deepEqual(sp.sections, [
      {
        name: { en: 'Core' },
        is_split: true,
        services: [
          {
            id: a.id,
            uuid: a.uuid,
            name: { en: 'Public API' },
            is_group: false,
            type: 'monitor',
            show_uptime: true,
            show_response_times: true,
            description: { en: 'The REST API' },
          },
          {
            id: b.id,
            uuid: b.uuid,
            name: { en: 'Database' },
            is_group: false,
            type: 'monitor',
            show_uptime: true,
            show_response_times: false,
            description: {},
          },
        ],
      },
      {
        name: { en: 'Backends', fr: 'Serveurs' },
        is_split: false,
        services: [
          {
            id: 3,
            uuid: null,
            name: { en: 'Storage' },
            is_group: true,
            show_uptime: true,
            show_response_times: false,
            description: {},
            services: [
              {
                id: c.id,
                uuid: c.uuid,
                name: { en: 'Redis' },
                is_group: false,
                type: 'monitor',
                show_uptime: true,
                show_response_times: false,
                description: {},
              },
              {
                id: b.id,
                uuid: b.uuid,
                name: { en: 'Database' },
                is_group: false,
                type: 'monitor',
                show_uptime: true,
                show_response_times: false,
                description: {},
              },
            ],
          },
        ],
      },
    ]);
    assert.equal((await h.request('DELETE', `/v1/monitors/${b.uuid}`)).status, 204);
    const got = (await h.request('GET', `/v2/statuspages/${sp.uuid}`)).body.statuspage;
    assert.deepEqual(
      got.sections[0].services.map((s: any) => s.uuid),
      [a.uuid],
    );
    assert.deepEqual(
      got.sections[1].services[0].services.map((s: any) => s.uuid),
      [c.uuid],
    );
  });

  test('a monitor of another project or an unknown one is refused in sections', async () => {
    const theirs = await h.request('POST', '/v1/monitors', {
      key: h.other.rw,
      body: { name: 'x', url: 'http://127.0.0.1:9/', paused: true },
    });
    for (const ref of [theirs.body.uuid, String(theirs.body.id), 'mon_AAAAAAAAAAAAAA', '999999999']) {
      const res = await h.request('POST', '/v2/statuspages', {
        body: { name: 'x', sections: [{ name: 's', services: [{ monitor_uuid: ref }] }] },
      });
      assert.equal(res.status, 422, ref);
      assert.match(res.body.message, /Monitor .* does not exist/);
    }
  });

  test('invalid settings are refused with a readable 422 and nothing is created', async () => {
    const before = await snapshot(h.ctx);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{}, /name is required/],
      [{ name: '' }, /name/],
      [{ name: 'x', theme: 'pink' }, /theme must be one of light, dark, system/],
      [{ name: 'x', languages: ['en', 'xx'] }, /languages/],
      [{ name: 'x', languages: [] }, /languages/],
      [{ name: 'x', accent_color: 'red' }, /accent_color/],
      [{ name: 'x', logo: 'javascript:alert(1)' }, /logo must be an http or https URL/],
      [{ name: 'x', website: 'ftp://example.com' }, /website must be an http or https URL/],
      [{ name: 'x', subdomain: 'bad_sub!' }, /subdomain/],
      [{ name: 'x', hostname: 'not a host' }, /hostname/],
      [{ name: 'x', logo_height: '32px;background:red' }, /logo_height/],
      [{ name: 'x', languages: ['en'], default_language: 'fr' }, /default_language/],
      [{ name: 'x', authentication: { password_protection: true } }, /password is required/],
      [{ name: 'x', authentication: { google_sso: true } }, /single sign-on/],
      [{ name: 'x', sections: [{ name: 's', services: [{ name_shown: 'no monitor' }] }] }, /monitor_uuid is required/],
      [{ name: 'x', sections: [{ name: 's', services: [{ monitor_uuid: 'abc' }] }] }, /monitor_uuid/],
      [{ name: 'x', auto_refresh: 'yes' }, /auto_refresh/],
    ];
    for (const [body, message] of cases) {
      const res = await h.request('POST', '/v2/statuspages', { body });
      assert.equal(res.status, 422, JSON.stringify(body));
      assert.match(res.body.message, message, JSON.stringify(body));
    }
    assert.deepEqual(await snapshot(h.ctx), before);
  });

  test('SECURITY 20: unknown keys are ignored, as for every resource', async () => {
    const sp = await page({
      unknown_key: 1,
      subscribe: { email: false, pigeon: true },
      authentication: { sso_connection: null, extra: 1 },
    });
    assert.equal(sp.settings.subscribe.email, false);
    assert.ok(!('pigeon' in sp.settings.subscribe));
    assert.ok(!('unknown_key' in sp) && !('unknown_key' in sp.settings));
  });

  test('subdomains are unique across projects (hostnames are claims until proven); a page without a subdomain gets one from its name', async () => {
    const sub = unique('taken');
    await page({ subdomain: sub, hostname: `${sub}.example.com` });
    const clash = await h.request('POST', '/v2/statuspages', { key: h.other.rw, body: { name: 'x', subdomain: sub } });
    assert.equal(clash.status, 422);
    assert.equal(clash.body.message, `subdomain ${sub} is already taken`);
    const host = await h.request('POST', '/v2/statuspages', {
      key: h.other.rw,
      body: { name: 'x', hostname: `${sub}.example.com` },
    });
    assert.equal(host.status, 201, 'a second claim: the page whose record is in DNS gets the name');
    const auto = await h.request('POST', '/v2/statuspages', { body: { name: 'Ünïcode Status Page!' } });
    assert.equal(auto.status, 201);
    assert.match(auto.body.statuspage.hostedsubdomain, /^unicode-status-page(-[a-z0-9]{4})?\.hyperping\.app$/);
  });

  test('a password turns protection on and is never returned; "" removes it', async () => {
    const sp = await page({ password: 'hunter22' });
    assert.equal(sp.password_protected, true);
    assert.equal(sp.settings.authentication.password_protection, true);
    assert.ok(!JSON.stringify(sp).includes('hunter22'));
    const row = await h.ctx.store.db
      .selectFrom('status_pages')
      .select('password_hash')
      .where('uuid', '=', sp.uuid)
      .executeTakeFirstOrThrow();
    assert.match(row.password_hash!, /^scrypt\$/);
    const off = await h.request('PUT', `/v2/statuspages/${sp.uuid}`, {
      body: { authentication: { password_protection: false } },
    });
    assert.equal(off.body.statuspage.password_protected, false);
    const on = await h.request('PUT', `/v2/statuspages/${sp.uuid}`, {
      body: { authentication: { password_protection: true } },
    });
    assert.equal(on.body.statuspage.password_protected, true, 'the stored password is still there');
    const cleared = await h.request('PUT', `/v2/statuspages/${sp.uuid}`, { body: { password: '' } });
    assert.equal(cleared.body.statuspage.password_protected, false);
    assert.equal(cleared.body.statuspage.settings.authentication.password_protection, false);
  });

  test('list: summaries only, 0-based pages of 20, search over name, subdomain and hostname, newest first', async () => {
    const tag = unique('listing');
    const made: string[] = [];
    for (let i = 0; i < 21; i++) made.push((await page({ name: `${tag} ${i}`, subdomain: `${tag}-${i}` })).uuid);
    const first = await h.request('GET', `/v2/statuspages?search=${tag}`);
    assert.equal(first.status, 200);
    assert.deepEqual(Object.keys(first.body), ['statuspages', 'hasNextPage', 'total', 'page', 'resultsPerPage']);
    assert.equal(first.body.total, 21);
    assert.equal(first.body.hasNextPage, true);
    assert.equal(first.body.statuspages.length, 20);
    assert.equal(first.body.statuspages[0].uuid, made[20]);
    assert.deepEqual(Object.keys(first.body.statuspages[0]), [
      'uuid',
      'name',
      'hostname',
      'hostedsubdomain',
      'url',
      'password_protected',
      'public_url',
    ]);
    const second = await h.request('GET', `/v2/statuspages?search=${tag.toUpperCase()}&page=1`);
    assert.deepEqual([second.body.statuspages.length, second.body.hasNextPage, second.body.page], [1, false, 1]);
    const beyond = await h.request('GET', `/v2/statuspages?search=${tag}&page=5`);
    assert.deepEqual(beyond.body, { statuspages: [], hasNextPage: false, total: 21, page: 5, resultsPerPage: 20 });
    const none = await h.request('GET', '/v2/statuspages?search=vcr-nothing');
    assert.deepEqual(none.body, { statuspages: [], hasNextPage: false, total: 0, page: 0, resultsPerPage: 20 });
    const other = await h.request('GET', `/v2/statuspages?search=${tag}`, { key: h.other.rw });
    assert.equal(other.body.total, 0, 'another project sees none of them');
  });

  test('unknown or foreign pages are 404 {"error":"Status page not found"}; delete answers 200 with a message', async () => {
    const sp = await page();
    for (const [method, body] of [['GET'], ['PUT', { name: 'x' }], ['DELETE']] as const) {
      const res = await h.request(method, `/v2/statuspages/${sp.uuid}`, { key: h.other.rw, body });
      assert.equal(res.status, 404);
      assert.deepEqual(res.body, { error: 'Status page not found' });
    }
    const put = await h.request('PUT', '/v2/statuspages/sp_AAAAAAAAAAAAAA', { body: { theme: 'nope' } });
    assert.equal(put.status, 404, 'an unknown page is 404 before its body is validated');
    const del = await h.request('DELETE', `/v2/statuspages/${sp.uuid}`);
    assert.equal(del.status, 200);
    assert.deepEqual(del.body, { message: 'Status page deleted' });
    assert.equal((await h.request('GET', `/v2/statuspages/${sp.uuid}`)).status, 404);
  });
});

describe('/v2/statuspages/{uuid}/subscribers', () => {
  test('add returns the recorded keys plus value, language and created_at; list pages by 20 and filters by type', async () => {
    const sp = await page();
    const add = await h.request('POST', `/v2/statuspages/${sp.uuid}/subscribers`, {
      body: { type: 'email', email: 'Ops@Example.org' },
    });
    assert.equal(add.status, 201);
    assert.equal(add.body.message, 'Subscriber added');
    const s = add.body.subscriber;
    assert.equal(typeof s.id, 'number');
    assert.match(s.created_at, ISO);
    assert.deepEqual(s, {
      id: s.id,
      type: 'email',
      value: 'ops@example.org',
      email: 'ops@example.org',
      phone: null,
      teams_webhook_url: null,
      slack_channel: null,
      language: 'en',
      created_at: s.created_at,
    });
    const sms = await h.request('POST', `/v2/statuspages/${sp.uuid}/subscribers`, {
      body: { type: 'sms', phone: '+1 212 555 1234', language: 'fr' },
    });
    assert.equal(sms.status, 201);
    assert.deepEqual([sms.body.subscriber.phone, sms.body.subscriber.language], ['+12125551234', 'fr']);
    const teams = await h.request('POST', `/v2/statuspages/${sp.uuid}/subscribers`, {
      body: { type: 'teams', teams_webhook_url: 'https://example.webhook.office.com/x' },
    });
    assert.equal(teams.status, 201);
    for (let i = 0; i < 20; i++) {
      assert.equal(
        (
          await h.request('POST', `/v2/statuspages/${sp.uuid}/subscribers`, {
            body: { type: 'email', email: `u${i}@example.org` },
          })
        ).status,
        201,
      );
    }
    const list = await h.request('GET', `/v2/statuspages/${sp.uuid}/subscribers`);
    assert.equal(list.status, 200);
    assert.deepEqual(
      [list.body.subscribers.length, list.body.total, list.body.hasNextPage, list.body.page, list.body.resultsPerPage],
      [20, 23, true, 0, 20],
    );
    assert.equal(list.body.subscribers[0].id, s.id, 'oldest first');
    const page2 = await h.request('GET', `/v2/statuspages/${sp.uuid}/subscribers?page=1`);
    assert.deepEqual([page2.body.subscribers.length, page2.body.hasNextPage], [3, false]);
    const onlySms = await h.request('GET', `/v2/statuspages/${sp.uuid}/subscribers?type=sms`);
    assert.deepEqual(
      onlySms.body.subscribers.map((x: any) => x.value),
      ['+12125551234'],
    );
    const badType = await h.request('GET', `/v2/statuspages/${sp.uuid}/subscribers?type=pigeon`);
    assert.equal(badType.status, 422);
  });

  test('invalid subscribers are refused with 422, duplicates with 409, and nothing is added', async () => {
    const sp = await page();
    assert.equal(
      (
        await h.request('POST', `/v2/statuspages/${sp.uuid}/subscribers`, {
          body: { type: 'email', email: 'dup@example.org' },
        })
      ).status,
      201,
    );
    const before = await snapshot(h.ctx);
    const cases: [Record<string, unknown>, number, RegExp][] = [
      [{ type: 'email', email: 'not-an-email' }, 422, /valid email/],
      [{ type: 'email' }, 422, /email is required/],
      [{ type: 'email', email: 'a@b.c\n<script>' }, 422, /valid email/],
      [{ type: 'sms', phone: '555' }, 422, /international number/],
      [{ type: 'teams', teams_webhook_url: 'http://insecure.example' }, 422, /https URL/],
      [{ type: 'slack' }, 422, /Slack/],
      [{ type: 'fax' }, 422, /type must be one of email, sms, teams/],
      [{ type: 'email', email: 'x@example.org', language: 'xx' }, 422, /language/],
      [{ email: 'x@example.org' }, 422, /type is required/],
      [{ type: 'email', email: 'DUP@example.org' }, 409, /already subscribed/],
    ];
    for (const [body, status, message] of cases) {
      const res = await h.request('POST', `/v2/statuspages/${sp.uuid}/subscribers`, { body });
      assert.equal(res.status, status, JSON.stringify(body));
      assert.match(res.body.message, message, JSON.stringify(body));
    }
    assert.deepEqual(await snapshot(h.ctx), before);
  });

  test('delete by numeric id; unknown subscriber or page is 404 with an error key', async () => {
    const sp = await page();
    const other = await page();
    const s = (
      await expectStatus(
        201,
        h.request('POST', `/v2/statuspages/${sp.uuid}/subscribers`, {
          body: { type: 'email', email: 'bye@example.org' },
        }),
      )
    ).body.subscriber;
    const wrongPage = await h.request('DELETE', `/v2/statuspages/${other.uuid}/subscribers/${s.id}`);
    assert.equal(wrongPage.status, 404);
    assert.deepEqual(wrongPage.body, { error: 'Subscriber not found' });
    const del = await h.request('DELETE', `/v2/statuspages/${sp.uuid}/subscribers/${s.id}`);
    assert.equal(del.status, 200);
    assert.deepEqual(del.body, { message: 'Subscriber deleted' });
    assert.equal((await h.request('DELETE', `/v2/statuspages/${sp.uuid}/subscribers/${s.id}`)).status, 404);
    const unknownPage = await h.request('GET', '/v2/statuspages/sp_AAAAAAAAAAAAAA/subscribers');
    assert.equal(unknownPage.status, 404);
    assert.deepEqual(unknownPage.body, { error: 'Status page not found' });
    const foreign = await h.request('POST', `/v2/statuspages/${sp.uuid}/subscribers`, {
      key: h.other.rw,
      body: { type: 'email', email: 'x@example.org' },
    });
    assert.equal(foreign.status, 404);
  });

  test('deleting a page deletes its subscribers', async () => {
    const sp = await page();
    assert.equal(
      (
        await h.request('POST', `/v2/statuspages/${sp.uuid}/subscribers`, {
          body: { type: 'email', email: 'gone@example.org' },
        })
      ).status,
      201,
    );
    assert.equal((await h.request('DELETE', `/v2/statuspages/${sp.uuid}`)).status, 200);
    const left = await h.ctx.store.db
      .selectFrom('status_page_subscribers')
      .select('id')
      .where('value', '=', 'gone@example.org')
      .execute();
    assert.equal(left.length, 0);
  });
});
