import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { expectStatus, startHarness, type Harness } from '../harness.ts';
import { recordResults } from '../../src/services/results.ts';
import { DAY, HOUR } from '../../src/domain/rollups.ts';
import { startProofDns } from '../support/proof-dns.ts';
import { countQueries } from '../support/dashboard-session.ts';

const NOW = Date.parse('2026-03-15T12:30:00Z');
let h: Harness;
let dns: Awaited<ReturnType<typeof startProofDns>>;
before(async () => {
  dns = await startProofDns();
  // Mail is set up (a closed loopback port: nothing is delivered in these tests), so pages offer email subscriptions.
  h = await startHarness({ clock: () => NOW, env: { ...dns.env, VIGIL_SMTP_URL: 'smtp://127.0.0.1:9' } });
});
after(async () => {
  await h.stop();
  await dns.close();
});

let seq = 0;
const unique = (p: string) => `${p}-${process.pid}-${++seq}`;
const XSS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>'];

interface Res {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** node:http rather than fetch: the tests set Host and Cookie headers themselves. */
function call(
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; form?: Record<string, string>; raw?: string; type?: string } = {},
): Promise<Res> {
  const url = new URL(h.url);
  const body = opts.form ? new URLSearchParams(opts.form).toString() : opts.raw;
  const headers: Record<string, string> = { ...opts.headers };
  if (body !== undefined) headers['content-type'] = opts.type ?? 'application/x-www-form-urlencoded';
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        text += c;
      });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
const get = (path: string, headers: Record<string, string> = {}) => call('GET', path, { headers });

async function monitor(name: string, extra: Record<string, unknown> = {}) {
  const res = await h.request('POST', '/v1/monitors', { body: { name, url: 'http://127.0.0.1:9/', ...extra } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const row = await h.ctx.store.db
    .selectFrom('monitors')
    .select('id')
    .where('uuid', '=', res.body.uuid)
    .executeTakeFirstOrThrow();
  return { uuid: res.body.uuid as string, id: Number(row.id) };
}

async function page(body: Record<string, unknown> = {}) {
  const subdomain = unique('acme');
  const res = await h.request('POST', '/v2/statuspages', { body: { name: 'Acme', subdomain, ...body } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { ...res.body.statuspage, subdomain: res.body.statuspage.hostedsubdomain.split('.')[0] } as {
    uuid: string;
    subdomain: string;
    name: string;
  };
}

/** A page on a custom hostname, proven by its TXT record in the loopback DNS (test/api/hostname-proof.test.ts tests the proof). */
async function hostedPage(body: Record<string, unknown>) {
  const res = await h.request('POST', '/v2/statuspages', {
    body: { name: 'Acme', subdomain: unique('acme'), ...body },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  dns.publish(res.body.statuspage.hostname_verification);
  const proven = await h.request('POST', `/v2/statuspages/${res.body.statuspage.uuid}/hostname/verify`);
  assert.equal(proven.body.message, 'Hostname verified');
  return { ...proven.body.statuspage, subdomain: proven.body.statuspage.hostedsubdomain.split('.')[0] } as {
    uuid: string;
    subdomain: string;
    name: string;
  };
}

async function incident(body: Record<string, unknown>) {
  const res = await h.request('POST', '/v3/incidents', {
    body: { text: { en: 'We are looking into it' }, type: 'incident', ...body },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.uuid as string;
}

async function maintenance(body: Record<string, unknown>) {
  const res = await h.request('POST', '/v1/maintenance-windows', { body: { name: 'internal name', ...body } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.uuid as string;
}

/** Results as the prober reports them (they write the hour and day rollups and the status). */
function results(monitorId: number, list: [at: number, ok: boolean, ms?: number][]) {
  return recordResults(
    h.ctx,
    list.map(([at, ok, ms]) => ({
      monitorId,
      at,
      location: 'local',
      ok,
      statusCode: ok ? 200 : 500,
      totalMs: ms ?? 100,
      dnsMs: null,
      connectMs: null,
      tlsMs: null,
      ttfbMs: null,
      error: ok ? null : 'HTTP 500',
      sslExpiresAt: null,
    })) as never,
  );
}

const day = (ms: number) => ms - (ms % DAY);

/** The <title> hover texts of the first uptime bar after `marker`. */
function bars(html: string, marker: string): string[] {
  const from = html.indexOf(marker);
  assert.ok(from >= 0, `${marker} is on the page`);
  const svg = html.slice(
    html.indexOf('<svg class="bars"', from),
    html.indexOf('</svg>', html.indexOf('<svg class="bars"', from)),
  );
  return [...svg.matchAll(/<rect[^>]*class="(\w+)"><title>([^<]*)<\/title>/g)].map((m) => `${m[1]}|${m[2]}`);
}

/** A small XML well-formedness check: balanced tags, no stray `<` or `&`. */
function assertWellFormedXml(xml: string) {
  assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\s*</);
  const body = xml.replace(/^<\?xml[^>]*\?>/, '');
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  for (const m of body.matchAll(tag)) {
    const text = body.slice(last, m.index);
    assert.ok(!text.includes('<'), `stray < before ${m[0]}`);
    assert.ok(!/&(?!(?:amp|lt|gt|quot|apos|#\d+);)/.test(text), `stray & in ${text}`);
    last = m.index! + m[0].length;
    if (m[4]) continue;
    if (m[1]) assert.equal(stack.pop(), m[2], `closing </${m[2]}>`);
    else stack.push(m[2]);
  }
  assert.equal(body.slice(last).trim(), '');
  assert.deepEqual(stack, []);
}

describe('public status pages', () => {
  test('SECURITY 22: a page shows its sections, services with their state, daily uptime bars and response times', async () => {
    const api = await monitor('api-internal-name');
    const hooks = await monitor('hooks');
    const legacy = await monitor('legacy', { paused: true });
    const db = await monitor('db');
    const secret = await monitor('Secret internal monitor');
    const sp = await page({
      description: 'Live status of Acme',
      sections: [
        {
          name: 'API',
          services: [
            { monitor_uuid: api.uuid, name_shown: 'Public API', show_uptime: true, show_response_times: true },
            { monitor_uuid: hooks.uuid, name_shown: 'Webhooks', description: 'Outgoing webhooks' },
            { monitor_uuid: legacy.uuid, name_shown: 'Legacy' },
          ],
        },
        {
          name: 'Infrastructure',
          services: [
            { is_group: true, name_shown: 'Backends', services: [{ uuid: db.uuid, name: { en: 'Database' } }] },
          ],
        },
      ],
    });
    // Two days ago: a day rollup as the engine writes it (1 failure in 1440 checks).
    await h.ctx.store.db
      .insertInto('check_rollups')
      .values({
        monitor_id: api.id,
        granularity: 'day',
        bucket: day(NOW) - 2 * DAY,
        location: 'local',
        checks: 1440,
        failures: 1,
        sum_ms: 143_900,
        min_ms: 80,
        max_ms: 300,
        h0: 0,
        h1: 1439,
        h2: 0,
        h3: 0,
        h4: 0,
        h5: 0,
        h6: 0,
        h7: 0,
        h8: 0,
        h9: 0,
        h10: 0,
        h11: 0,
      })
      .execute();
    // Today: real results, one hour ago (two timings averaging 150 ms).
    await results(api.id, [
      [NOW - HOUR, true, 120],
      [NOW - HOUR + 60_000, true, 180],
    ]);
    await results(secret.id, [
      [NOW - HOUR, false],
      [NOW - HOUR + 1, false],
    ]);
    // The webhooks monitor goes down (a failure confirmed by a recheck).
    await results(hooks.id, [
      [NOW - 600_000, false],
      [NOW - 590_000, false],
    ]);

    const res = await get(`/status/${sp.subdomain}`);
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^text\/html; charset=utf-8/);
    const html = res.text;
    assert.match(html, /^<!doctype html><html lang="en">/);
    assert.match(html, /<title>Acme – Partial outage<\/title>/);
    assert.match(html, /<div class="overall degraded"/);
    assert.match(html, /Live status of Acme/);
    assert.match(html, /<h2>API<\/h2>/);
    assert.match(html, /<h2>Infrastructure<\/h2>/);
    assert.match(html, /<span class="name">Public API<\/span><span class="state up">Operational<\/span>/);
    assert.match(
      html,
      /<span class="name">Webhooks<\/span><span class="state down">Outage<\/span><\/span><span class="note">Outgoing webhooks<\/span>/,
    );
    assert.match(html, /<span class="name">Legacy<\/span><span class="state paused">Paused<\/span>/);
    assert.match(
      html,
      /<details class="svc group"><summary><span class="head"><span class="name">Backends<\/span><span class="state up">/,
    );
    assert.match(html, /<span class="name">Database<\/span>/);
    // Only what was placed on the page: no monitor names of its own, no other monitor.
    assert.ok(!html.includes('api-internal-name'));
    assert.ok(!html.includes('Secret internal monitor'));

    const days = bars(html, 'Public API');
    assert.equal(days.length, 90);
    assert.equal(days[87], 'minor|Mar 13, 2026: 99.93% uptime · 1 of 1440 checks failed');
    assert.equal(days[88], 'none|Mar 14, 2026: No data');
    assert.equal(days[89], 'ok|Mar 15, 2026: 100.00% uptime');
    assert.equal(days[0], 'none|Dec 16, 2025: No data');
    // 90-day figure over the days with data: 1 failure in 1442 checks.
    assert.match(html, /<span class="mid">99\.93% uptime<\/span>/);
    assert.match(html, /average 150 ms/);
    assert.match(html, /<title>Mar 15, 2026, 11:00 UTC: 150 ms<\/title>/);
    const hookDays = bars(html, 'Webhooks');
    assert.equal(hookDays[89], 'major|Mar 15, 2026: 0.00% uptime · 2 of 2 checks failed');
    // The group's bar sums its members (none has data).
    assert.equal(bars(html, 'Backends')[89], 'none|Mar 15, 2026: No data');

    // Security headers, and no request to any other origin.
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /style-src 'nonce-[A-Za-z0-9+/=]+'/);
    assert.match(csp, /form-action 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
    const nonce = /'nonce-([^']+)'/.exec(csp)![1];
    assert.ok(html.includes(`<style nonce="${nonce}">`));
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /(?:src|href)="(?:https?:)?\/\//);
    assert.doesNotMatch(html, /@import|url\(/);
    assert.doesNotMatch(html, / style="/, 'no inline style attributes (the CSP would block them)');
  });

  test('healthchecks on a page (by publicUuid): the API reads them back as type healthcheck; the page shows their state and uptime from their outages', async () => {
    const made = await h.request('POST', '/v2/healthchecks', {
      body: {
        name: 'backup-job-internal',
        period_value: 1,
        period_type: 'hours',
        grace_period_value: 5,
        grace_period_type: 'minutes',
      },
    });
    assert.equal(made.status, 201, made.text);
    const hc = made.body.healthcheck;
    const sync = (
      await expectStatus(
        201,
        h.request('POST', '/v2/healthchecks', {
          body: {
            name: 'Sync',
            period_value: 1,
            period_type: 'days',
            grace_period_value: 1,
            grace_period_type: 'hours',
          },
        }),
      )
    ).body.healthcheck;
    const api = await monitor('api');
    const sp = await page({
      sections: [
        {
          name: 'Jobs',
          services: [
            { monitor_uuid: hc.publicUuid, name_shown: 'Nightly backup' },
            {
              is_group: true,
              name_shown: 'Mixed',
              services: [{ uuid: sync.publicUuid }, { uuid: api.uuid, name: { en: 'API' } }],
            },
          ],
        },
      ],
    });
    const read = (await h.request('GET', `/v2/statuspages/${sp.uuid}`)).body.statuspage.sections[0].services;
    assert.deepEqual(
      {
        id: read[0].id,
        uuid: read[0].uuid,
        type: read[0].type,
        name: read[0].name,
        show_response_times: read[0].show_response_times,
      },
      {
        id: hc.publicUuid,
        uuid: hc.publicUuid,
        type: 'healthcheck',
        name: { en: 'Nightly backup' },
        show_response_times: false,
      },
    );
    assert.equal(read[1].type, undefined, 'a group has no type');
    assert.deepEqual(
      read[1].services.map((s: any) => [s.id, s.uuid, s.type, s.name.en]),
      [
        [sync.publicUuid, sync.publicUuid, 'healthcheck', 'Sync'],
        [api.id, api.uuid, 'monitor', 'API'],
      ],
    );

    // Watched since three days ago; down for an hour this morning.
    const id = (
      await h.ctx.store.db.selectFrom('healthchecks').select('id').where('uuid', '=', hc.uuid).executeTakeFirstOrThrow()
    ).id;
    await h.ctx.store.db
      .updateTable('healthchecks')
      .set({ created_at: NOW - 3 * DAY })
      .where('id', '=', id)
      .execute();
    await h.ctx.store.db
      .insertInto('outages')
      .values({
        uuid: `outage_hc${seq++}`,
        project_id: h.project.id,
        monitor_id: null,
        healthcheck_id: id,
        outage_type: 'automatic',
        started_at: NOW - 2 * HOUR,
        ended_at: NOW - HOUR,
        status_code: 0,
        description: 'no ping',
        detected_location: 'local',
        confirmed_locations: '',
        protocol: 'healthcheck',
        error_header: null,
        acknowledged_at: null,
        acknowledged_by: null,
        escalation_policy_id: null,
        created_at: NOW - 2 * HOUR,
      })
      .execute();
    let html = (await get(`/status/${sp.subdomain}`)).text;
    assert.match(html, /<span class="name">Nightly backup<\/span><span class="state up">Operational<\/span>/);
    assert.ok(!html.includes('backup-job-internal'));
    const days = bars(html, 'Nightly backup');
    assert.equal(days[89], 'major|Mar 15, 2026: 92.00% uptime', '1 h down of the 12.5 h watched today');
    assert.equal(days[88], 'ok|Mar 14, 2026: 100.00% uptime');
    assert.equal(days[86], 'ok|Mar 12, 2026: 100.00% uptime');
    assert.equal(days[85], 'none|Mar 11, 2026: No data');

    await h.ctx.store.db.updateTable('healthchecks').set({ is_down: 1 }).where('id', '=', id).execute();
    assert.equal((await h.request('PUT', `/v2/statuspages/${sp.uuid}`, { body: { name: 'Acme' } })).status, 200); // a new page version: no cached figures
    html = (await get(`/status/${sp.subdomain}`)).text;
    assert.match(html, /<span class="name">Nightly backup<\/span><span class="state down">Outage<\/span>/);

    // A deleted healthcheck drops out of the page and of the API's sections.
    assert.equal((await h.request('DELETE', `/v2/healthchecks/${hc.uuid}`)).status, 200);
    assert.equal((await h.request('GET', `/v2/statuspages/${sp.uuid}`)).body.statuspage.sections[0].services.length, 1);
    assert.ok(!(await get(`/status/${sp.subdomain}`)).text.includes('Nightly backup'));
  });

  test("a healthcheck is placed by its publicUuid only: its ping token, response times or another project's healthcheck are 422", async () => {
    const hc = (
      await expectStatus(
        201,
        h.request('POST', '/v2/healthchecks', {
          body: {
            name: 'job',
            period_value: 1,
            period_type: 'hours',
            grace_period_value: 5,
            grace_period_type: 'minutes',
          },
        }),
      )
    ).body.healthcheck;
    const theirs = (
      await expectStatus(
        201,
        h.request('POST', '/v2/healthchecks', {
          key: h.other.rw,
          body: {
            name: 'theirs',
            period_value: 1,
            period_type: 'hours',
            grace_period_value: 5,
            grace_period_type: 'minutes',
          },
        }),
      )
    ).body.healthcheck;
    for (const [service, message] of [
      [{ monitor_uuid: hc.uuid }, /publicUuid \(hc_…\), never by its ping token/],
      [{ monitor_uuid: hc.publicUuid, show_response_times: true }, /a healthcheck has no response times/],
      [{ monitor_uuid: theirs.publicUuid }, /Healthcheck hc_\w+ in sections does not exist/],
      [
        { is_group: true, name_shown: 'g', services: [{ uuid: hc.uuid }] },
        /services\[0\]\.services\[0\]\.uuid: a healthcheck is shown by its publicUuid/,
      ],
    ] as const) {
      const res = await h.request('POST', '/v2/statuspages', {
        body: { name: 'x', subdomain: unique('hc'), sections: [{ name: 's', services: [service] }] },
      });
      assert.equal(res.status, 422, JSON.stringify(service));
      assert.match(res.body.message, message);
    }
  });

  test('SECURITY 22: every user string is escaped: page, description, sections, services, incidents, maintenance', async () => {
    const m = await monitor('m');
    for (const payload of XSS) {
      const sp = await page({
        name: payload,
        description: payload,
        languages: ['en'],
        sections: [
          {
            name: payload,
            services: [
              { monitor_uuid: m.uuid, name_shown: payload, description: payload, show_response_times: true },
              { is_group: true, name_shown: payload, services: [{ uuid: m.uuid, name: { en: payload } }] },
            ],
          },
        ],
      });
      await incident({
        title: { en: payload },
        text: { en: payload },
        statuspages: [sp.uuid],
        affectedComponents: [m.uuid],
        updates: [{ type: 'identified', text: { en: payload } }],
      });
      await maintenance({
        title: { en: payload },
        text: { en: payload },
        start_date: new Date(NOW + HOUR).toISOString(),
        end_date: new Date(NOW + 2 * HOUR).toISOString(),
        monitors: [m.uuid],
        statuspages: [sp.uuid],
      });
      const escaped = payload
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/"/g, '&quot;');
      for (const path of [`/status/${sp.subdomain}`, `/status/${sp.subdomain}?lang=${encodeURIComponent(payload)}`]) {
        const html = (await get(path)).text;
        assert.ok(!html.includes(payload), `${payload} appears unescaped`);
        assert.doesNotMatch(html, /<script|<img|onerror=alert\(1\)>/);
        // name, description, section, service, its description, group, child, incident title, its text, its update, affected, maintenance title, its text
        assert.ok(
          html.split(escaped).length - 1 >= 12,
          `escaped ${payload} shows ${html.split(escaped).length - 1} times`,
        );
      }
      const feed = await get(`/status/${sp.subdomain}/feed.rss`);
      assert.ok(!feed.text.includes(payload));
      assertWellFormedXml(feed.text);
    }
  });

  test('SECURITY 22: a password-protected page, its feed and badge stay closed until the password is given', async () => {
    const m = await monitor('m');
    const sp = await page({
      name: 'Internal Acme',
      password: 'secret-pass',
      sections: [{ name: 'Private section', services: [{ monitor_uuid: m.uuid, name_shown: 'Private service' }] }],
    });
    const base = `/status/${sp.subdomain}`;
    for (const path of [base, `${base}/feed.rss`, `${base}/badge.svg`]) {
      const res = await get(path);
      assert.equal(res.status, 401, path);
      assert.match(res.text, /Password required/);
      assert.match(res.text, new RegExp(`<form method="post" action="${base}/auth">`));
      for (const secret of ['Internal Acme', 'Private section', 'Private service'])
        assert.ok(!res.text.includes(secret), `${secret} leaked by ${path}`);
      assert.equal(res.headers['cache-control'], 'no-store');
    }
    const wrong = await call('POST', `${base}/auth`, { form: { password: 'nope' } });
    assert.equal(wrong.status, 401);
    assert.match(wrong.text, /Wrong password/);
    assert.equal(wrong.headers['set-cookie'], undefined);
    const empty = await call('POST', `${base}/auth`, { raw: '' });
    assert.equal(empty.status, 401);

    const right = await call('POST', `${base}/auth`, { form: { password: 'secret-pass' } });
    assert.equal(right.status, 303);
    assert.equal(right.headers.location, base);
    const setCookie = right.headers['set-cookie']![0];
    assert.match(
      setCookie,
      new RegExp(
        `^vigil_sp_${sp.uuid}=\\d+\\.[A-Za-z0-9_-]{43}; Path=${base}; Max-Age=604800; HttpOnly; SameSite=Lax$`,
      ),
    );
    const cookie = setCookie.split(';')[0];
    const open = await get(base, { cookie });
    assert.equal(open.status, 200);
    assert.match(open.text, /Private service/);
    assert.equal(open.headers['cache-control'], 'private, no-store');
    assert.equal((await get(`${base}/feed.rss`, { cookie })).status, 200);
    assert.equal((await get(`${base}/badge.svg`, { cookie })).status, 200);

    // A forged or tampered cookie opens nothing.
    const [name, value] = cookie.split('=');
    const [exp, sig] = value.split('.');
    assert.equal((await get(base, { cookie: `${name}=${Number(exp) + 1}.${sig}` })).status, 401);
    assert.equal(
      (await get(base, { cookie: `${name}=${exp}.${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}` })).status,
      401,
    );
    // Changing the password signs everyone out.
    assert.equal(
      (await h.request('PUT', `/v2/statuspages/${sp.uuid}`, { body: { password: 'another-pass' } })).status,
      200,
    );
    assert.equal((await get(base, { cookie })).status, 401);
    // Turning protection off opens the page to all.
    assert.equal((await h.request('PUT', `/v2/statuspages/${sp.uuid}`, { body: { password: '' } })).status, 200);
    assert.equal((await get(base)).status, 200);
  });

  test('failed passwords are throttled per address and page: the 11th attempt in a minute gets 429', async () => {
    const sp = await page({ password: 'secret-pass' });
    const base = `/status/${sp.subdomain}`;
    for (let i = 0; i < 10; i++)
      assert.equal((await call('POST', `${base}/auth`, { form: { password: `wrong${i}` } })).status, 401);
    const limited = await call('POST', `${base}/auth`, { form: { password: 'secret-pass' } });
    assert.equal(limited.status, 429);
    assert.match(String(limited.headers['retry-after']), /^\d+$/);
    assert.match(limited.text, /Too many attempts/);
    // Another page is not affected.
    const other = await page({ password: 'other-pass' });
    assert.equal(
      (await call('POST', `/status/${other.subdomain}/auth`, { form: { password: 'other-pass' } })).status,
      303,
    );
  });

  test("a request whose Host is a page's hostname gets that page at /, with its feed and badge", async () => {
    const hostname = `${unique('status')}.example.com`;
    const sp = await hostedPage({ name: 'Hosted Acme', hostname });
    for (const host of [hostname, `${hostname.toUpperCase()}:8080`, `${hostname}.`]) {
      const res = await get('/', { host });
      assert.equal(res.status, 200, host);
      assert.match(res.text, /Hosted Acme/);
      assert.match(res.text, /<a href="\/feed.rss">/);
    }
    const feed = await get('/feed.rss', { host: hostname });
    assert.equal(feed.status, 200);
    assert.match(feed.text, new RegExp(`<link>http://${hostname.replace(/\./g, '\\.')}/</link>`));
    assert.equal((await get('/badge.svg', { host: hostname })).status, 200);
    // The same page stays reachable by its subdomain path.
    assert.equal((await get(`/status/${sp.subdomain}`, { host: hostname })).status, 200);
    // Any other host is led from / to the dashboard.
    for (const host of ['other.example.com', '127.0.0.1', '']) {
      const miss = await get('/', { host });
      assert.equal(miss.status, 302);
      assert.equal(miss.headers.location, '/app');
    }
    assert.equal((await get('/feed.rss', { host: 'other.example.com' })).status, 404);

    // The password cookie of a hosted page is scoped to its host's root.
    const secured = `${unique('secure')}.example.com`;
    await hostedPage({ hostname: secured, password: 'secret-pass' });
    const auth = await call('POST', '/auth', { headers: { host: secured }, form: { password: 'secret-pass' } });
    assert.equal(auth.status, 303);
    assert.equal(auth.headers.location, '/');
    assert.match(auth.headers['set-cookie']![0], /; Path=\/; /);
    assert.equal((await get('/', { host: secured, cookie: auth.headers['set-cookie']![0].split(';')[0] })).status, 200);
  });

  test("?lang picks one of the page's languages (fixed strings and localized texts), else the default", async () => {
    const m = await monitor('m');
    const sp = await page({
      languages: ['en', 'fr'],
      description: { en: 'English description', fr: 'Description française' },
      sections: [{ name: { en: 'Servers', fr: 'Serveurs' }, services: [{ monitor_uuid: m.uuid, name_shown: 'Web' }] }],
    });
    const fr = (await get(`/status/${sp.subdomain}?lang=fr`)).text;
    assert.match(fr, /<html lang="fr">/);
    assert.match(fr, /Tous les systèmes sont opérationnels/);
    assert.match(fr, /<h2>Serveurs<\/h2>/);
    assert.match(fr, /Description française/);
    assert.match(fr, /Opérationnel/);
    assert.match(fr, /il y a 90 jours/);
    assert.match(fr, /<input type="hidden" name="lang" value="fr">/);
    assert.match(fr, /<a href="\?lang=en" hreflang="en">EN<\/a>/);
    for (const q of ['', '?lang=de', '?lang=xx', '?lang=', '?lang=en&lang=fr', `?lang=${'x'.repeat(5000)}`]) {
      const res = await get(`/status/${sp.subdomain}${q}`);
      assert.equal(res.status, 200, q);
      assert.match(res.text, /<html lang="en">/, q);
      assert.match(res.text, /<h2>Servers<\/h2>/, q);
    }
    // A text missing in the chosen language falls back to the default language.
    const only = await page({
      languages: ['en', 'de'],
      description: 'Only English',
      sections: [{ name: 'Only English section', services: [] }],
    });
    const de = (await get(`/status/${only.subdomain}?lang=de`)).text;
    assert.match(de, /Alle Systeme betriebsbereit/);
    assert.match(de, /Only English section/);
  });

  test('theme, accent colour, font, logo, favicon, robots, auto refresh and hide_powered_by shape the page', async () => {
    const dark = await page({
      theme: 'dark',
      accent_color: '#FF0000',
      font: 'Merriweather',
      hide_powered_by: true,
      hide_from_search_engines: true,
      auto_refresh: true,
      logo: 'https://cdn.example.com/logo.png',
      logo_height: '40px',
      favicon: 'https://icons.example.net/fav.ico',
      banner_header: false,
    });
    const res = await get(`/status/${dark.subdomain}`);
    const html = res.text;
    assert.match(html, /:root\{--bg:#0e1217;[^}]*color-scheme:dark\}/);
    assert.doesNotMatch(html, /prefers-color-scheme/);
    assert.match(html, /--accent:#ff0000;--on-accent:#ffffff/);
    assert.match(html, /font:15px\/1\.55 Merriweather, Georgia/);
    assert.match(html, /\.logo\{height:40px;/);
    assert.match(html, /<img class="logo" src="https:\/\/cdn\.example\.com\/logo\.png" alt="Acme">/);
    assert.match(html, /<link rel="icon" href="https:\/\/icons\.example\.net\/fav\.ico">/);
    assert.match(html, /<meta name="robots" content="noindex, nofollow">/);
    assert.match(html, /<meta http-equiv="refresh" content="60">/);
    assert.match(html, /<header class="top">/);
    assert.doesNotMatch(html, /Powered by/);
    assert.match(
      String(res.headers['content-security-policy']),
      /img-src 'self' data: https:\/\/cdn\.example\.com https:\/\/icons\.example\.net;/,
    );

    const light = (await get(`/status/${(await page({ theme: 'light', accent_color: '#ffff00' })).subdomain}`)).text;
    assert.match(light, /color-scheme:light/);
    assert.doesNotMatch(light, /color-scheme:dark/);
    assert.match(light, /--on-accent:#101828/, 'dark text on a light accent');
    const system = (await get(`/status/${(await page({})).subdomain}`)).text;
    assert.match(system, /@media \(prefers-color-scheme:dark\)\{:root\{--bg:#0e1217/);
    assert.match(system, /--accent:#36b27e/);
    assert.match(system, /Powered by Vigil/);
    assert.match(system, /<header class="top banner">/);
    assert.doesNotMatch(system, /name="robots"|http-equiv="refresh"/);
    assert.match(system, /<link rel="icon" href="data:image\/svg\+xml,/);
    assert.doesNotMatch(system, /googletagmanager|google-analytics/);
  });

  test("feed.rss lists the page's incidents with their updates and its maintenance windows; badge.svg shows the overall state", async () => {
    const m = await monitor('m');
    const sp = await page({
      name: 'Feed & Co',
      sections: [{ name: 'S', services: [{ monitor_uuid: m.uuid, name_shown: 'Web' }] }],
    });
    const other = await page({ name: 'Other' });
    const badge = await get(`/status/${sp.subdomain}/badge.svg`);
    assert.equal(badge.status, 200);
    assert.match(String(badge.headers['content-type']), /^image\/svg\+xml/);
    assert.match(String(badge.headers['cache-control']), /max-age=60/);
    assert.match(badge.text, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*aria-label="status: operational"/);
    assertWellFormedXml(`<?xml version="1.0" encoding="UTF-8"?>${badge.text}`);

    const inc = await incident({
      title: { en: 'API errors & timeouts' },
      statuspages: [sp.uuid],
      date: new Date(NOW - 2 * HOUR).toISOString(),
      updates: [{ type: 'investigating', text: { en: 'Looking <closely>' }, date: new Date(NOW - HOUR).toISOString() }],
    });
    await incident({ title: { en: 'Not on this page' }, statuspages: [other.uuid] });
    await maintenance({
      title: { en: 'Database upgrade' },
      start_date: new Date(NOW + DAY).toISOString(),
      end_date: new Date(NOW + DAY + HOUR).toISOString(),
      monitors: [m.uuid],
      statuspages: [sp.uuid],
    });
    const feed = await get(`/status/${sp.subdomain}/feed.rss`);
    assert.equal(feed.status, 200);
    assert.match(String(feed.headers['content-type']), /^application\/rss\+xml; charset=utf-8/);
    assertWellFormedXml(feed.text);
    assert.match(feed.text, /<rss version="2\.0"/);
    assert.match(
      feed.text,
      /<channel><title>Feed &amp; Co<\/title><link>http:\/\/localhost:\d+\/status\/[\w-]+<\/link>/,
    );
    assert.match(
      feed.text,
      new RegExp(
        `<item><title>API errors &amp; timeouts</title><link>[^<]*#incident-${inc}</link><guid isPermaLink="false">${inc}</guid><pubDate>Sun, 15 Mar 2026 11:30:00 GMT</pubDate>`,
      ),
    );
    assert.match(feed.text, /Investigating \(Mar 15, 2026, 11:30 UTC\): Looking &lt;closely&gt;/);
    assert.match(feed.text, /<item><title>Database upgrade<\/title>/);
    assert.ok(!feed.text.includes('Not on this page'));
    assert.ok(feed.text.indexOf('Database upgrade') < feed.text.indexOf('API errors'), 'newest first');

    assert.match((await get(`/status/${sp.subdomain}/badge.svg`)).text, /status: partial outage/);
    await results(m.id, [
      [NOW - 1000, false],
      [NOW - 500, false],
    ]);
    assert.match((await get(`/status/${sp.subdomain}/badge.svg`)).text, /status: major outage/);
  });

  test('the subscribe form adds an email subscriber; invalid emails get a readable 422; unsubscribe asks, then removes', async () => {
    const sp = await page({ languages: ['en', 'fr'] });
    const base = `/status/${sp.subdomain}`;
    const html = (await get(base)).text;
    assert.match(html, new RegExp(`<form class="row" method="post" action="${base}/subscribe">`));
    const ok = await call('POST', `${base}/subscribe`, { form: { email: ' Jane@Example.com ', lang: 'fr' } });
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.location, `${base}?subscribed=1&lang=fr#subscribe`);
    const list = await h.request('GET', `/v2/statuspages/${sp.uuid}/subscribers`);
    assert.equal(list.body.subscribers.length, 1);
    assert.equal(list.body.subscribers[0].email, 'jane@example.com');
    assert.equal(list.body.subscribers[0].language, 'fr');
    assert.match((await get(`${base}?subscribed=1&lang=fr`)).text, /<p class="notice" role="status">Presque terminé/);
    // Subscribing again reads the same (the form does not tell who is subscribed) and adds nobody.
    const again = await call('POST', `${base}/subscribe`, { form: { email: 'jane@example.com' } });
    assert.equal(again.status, 303);
    assert.equal((await h.request('GET', `/v2/statuspages/${sp.uuid}/subscribers`)).body.subscribers.length, 1);

    for (const email of ['not-an-email', '', '"><script>alert(1)</script>@x.y', 'a@b']) {
      const bad = await call('POST', `${base}/subscribe`, { form: { email } });
      assert.equal(bad.status, 422, email);
      assert.match(bad.text, /<p class="error" role="alert">Please enter a valid email address\.<\/p>/);
      assert.doesNotMatch(bad.text, /<script/);
    }
    assert.equal((await h.request('GET', `/v2/statuspages/${sp.uuid}/subscribers`)).body.subscribers.length, 1);

    const { token } = await h.ctx.store.db
      .selectFrom('status_page_subscribers')
      .select('token')
      .where('email', '=', 'jane@example.com')
      .executeTakeFirstOrThrow();
    const ask = await get(`${base}/unsubscribe/${token}`);
    assert.equal(ask.status, 200);
    assert.match(ask.text, new RegExp(`<form method="post" action="${base}/unsubscribe/${token}">`));
    assert.equal(
      (await h.request('GET', `/v2/statuspages/${sp.uuid}/subscribers`)).body.subscribers.length,
      1,
      'GET changes nothing',
    );
    // Another page's path does not accept this page's token.
    const other = await page({});
    assert.equal((await call('POST', `/status/${other.subdomain}/unsubscribe/${token}`, { form: {} })).status, 404);
    const done = await call('POST', `${base}/unsubscribe/${token}`, { form: {} });
    assert.equal(done.status, 200);
    assert.match(done.text, /You have been unsubscribed/);
    assert.equal((await h.request('GET', `/v2/statuspages/${sp.uuid}/subscribers`)).body.subscribers.length, 0);
    const twice = await call('POST', `${base}/unsubscribe/${token}`, { form: {} });
    assert.equal(twice.status, 404);
    assert.match(twice.text, /no longer valid/);
    assert.equal((await get(`${base}/unsubscribe/${'x'.repeat(300)}`)).status, 404);

    // With subscriptions off there is no form and the endpoint is gone.
    const closed = await page({ subscribe: { enabled: false } });
    assert.doesNotMatch((await get(`/status/${closed.subdomain}`)).text, /action="[^"]*\/subscribe"/);
    assert.equal(
      (await call('POST', `/status/${closed.subdomain}/subscribe`, { form: { email: 'a@example.com' } })).status,
      404,
    );
  });

  test('unknown pages are an HTML 404 and odd input never causes a 500', async () => {
    const missing = await get('/status/no-such-page');
    assert.equal(missing.status, 404);
    assert.match(String(missing.headers['content-type']), /^text\/html/);
    assert.match(missing.text, /Page not found/);
    const sp = await page({});
    const paths = [
      '/status',
      '/status/',
      `/status/${'a'.repeat(300)}`,
      '/status/%00',
      '/status/%E2%9C%93',
      '/status/..%2f..%2fetc',
      `/status/${sp.subdomain}/nope`,
      `/status/${sp.subdomain}/unsubscribe/`,
      `/status/${sp.subdomain}/unsubscribe/%00`,
      `/status/UPPER-${sp.subdomain}`,
      '/status/-x-',
      `/status/${sp.subdomain}?lang[]=fr`,
      `/status/${sp.subdomain}?subscribed[a]=1`,
    ];
    for (const p of paths) {
      const res = await get(p);
      assert.ok(res.status < 500, `${p} → ${res.status}`);
    }
    assert.equal((await get(`/status/${sp.subdomain.toUpperCase()}`)).status, 200, 'subdomains are case-insensitive');
    const bodies: { raw: string; type?: string }[] = [
      { raw: 'email=%zz&lang=%' },
      { raw: 'email=a@b.co&email=c@d.co' },
      { raw: '{"email":["x"]}', type: 'application/json' },
      { raw: 'not json', type: 'application/json' },
      { raw: 'email=x', type: 'text/plain' },
      { raw: `email=${'a'.repeat(20_000)}` },
      { raw: '' },
      { raw: 'password=%00' },
    ];
    for (const target of ['subscribe', 'auth', 'unsubscribe/abc']) {
      for (const b of bodies) {
        const res = await call('POST', `/status/${sp.subdomain}/${target}`, b);
        assert.ok(res.status < 500, `${target} ${JSON.stringify(b).slice(0, 60)} → ${res.status}`);
      }
    }
    const large = await call('POST', `/status/${sp.subdomain}/subscribe`, { raw: `email=${'a'.repeat(20_000)}` });
    assert.equal(large.status, 413);
    assert.match(String(large.headers['content-type']), /^text\/html/);
  });

  test('an ongoing maintenance window shows, and holds its services in maintenance', async () => {
    const m = await monitor('m');
    const sp = await page({ sections: [{ name: 'S', services: [{ monitor_uuid: m.uuid, name_shown: 'Storage' }] }] });
    await maintenance({
      title: { en: 'Storage migration' },
      text: { en: 'Moving disks' },
      start_date: new Date(NOW - HOUR).toISOString(),
      end_date: new Date(NOW + HOUR).toISOString(),
      monitors: [m.uuid],
      statuspages: [sp.uuid],
    });
    await maintenance({
      title: { en: 'Network work' },
      start_date: new Date(NOW + 2 * DAY).toISOString(),
      end_date: new Date(NOW + 2 * DAY + HOUR).toISOString(),
      monitors: [m.uuid],
      statuspages: [sp.uuid],
    });
    await maintenance({
      title: { en: 'Long finished' },
      start_date: new Date(NOW - 2 * DAY).toISOString(),
      end_date: new Date(NOW - DAY).toISOString(),
      monitors: [m.uuid],
      statuspages: [sp.uuid],
    });
    const html = (await get(`/status/${sp.subdomain}`)).text;
    assert.match(html, /<div class="overall maintenance"[^>]*>.*<strong>Maintenance in progress<\/strong>/);
    assert.match(
      html,
      /<h2>Scheduled maintenance<\/h2><article class="item" id="maintenance-mw_\w+"><h3>Storage migration<\/h3><p class="muted"><span class="tag maintenance">In progress<\/span>/,
    );
    assert.match(html, /Moving disks/);
    assert.match(html, /<h3>Network work<\/h3><p class="muted"><span class="tag ">Scheduled<\/span>/);
    assert.doesNotMatch(html, /Long finished/);
    assert.match(html, /<span class="name">Storage<\/span><span class="state maintenance">Maintenance<\/span>/);
    assert.doesNotMatch(html, /internal name/, 'the internal name of a window stays internal');
  });

  test('an incident linked to the page shows as active, then in the history once resolved', async () => {
    const m = await monitor('m');
    const sp = await page({ sections: [{ name: 'S', services: [{ monitor_uuid: m.uuid, name_shown: 'Checkout' }] }] });
    const base = `/status/${sp.subdomain}`;
    assert.match((await get(base)).text, /No incidents reported in the last 90 days\./);
    const inc = await incident({
      title: { en: 'Checkout failing' },
      statuspages: [sp.uuid],
      affectedComponents: [m.uuid],
      date: new Date(NOW - HOUR).toISOString(),
    });
    let html = (await get(base)).text;
    assert.match(html, /<div class="overall degraded"/);
    assert.match(
      html,
      new RegExp(`<h2>Active incidents</h2><article class="item" id="incident-${inc}"><h3>Checkout failing</h3>`),
    );
    assert.match(html, /Affected: Checkout/);
    assert.match(html, /We are looking into it/);
    const upd = await h.request('POST', `/v3/incidents/${inc}/updates`, {
      body: { type: 'resolved', text: { en: 'Fixed the payment gateway' }, date: new Date(NOW - 60_000).toISOString() },
    });
    assert.equal(upd.status, 201, JSON.stringify(upd.body));
    html = (await get(base)).text;
    assert.doesNotMatch(html, /Active incidents/);
    assert.match(html, /<div class="overall operational"/);
    assert.match(
      html,
      new RegExp(
        `<h2>Past incidents</h2><article class="item" id="incident-${inc}"><h3>Checkout failing</h3><p class="muted"><span class="tag resolved">Resolved</span>`,
      ),
    );
    assert.match(
      html,
      /<strong>Resolved<\/strong> · <time datetime="2026-03-15T12:29:00.000Z">Mar 15, 2026, 12:29 UTC<\/time><p class="text">Fixed the payment gateway<\/p>/,
    );
    // An outage-type incident makes a major outage.
    await incident({ title: { en: 'Everything down' }, type: 'outage', statuspages: [sp.uuid] });
    assert.match((await get(base)).text, /<div class="overall major"/);
  });

  test('a page is computed once and kept until something on it changes: visitors in between cost only its fingerprint', async () => {
    const monitors = [];
    for (let i = 0; i < 30; i++) monitors.push(await monitor(`cached ${i}`, { paused: true }));
    const sp = await page({
      sections: [{ name: 'S', services: monitors.map((m) => ({ monitor_uuid: m.uuid, show_response_times: true })) }],
    });
    const base = `/status/${sp.subdomain}`;
    const queries = countQueries(h.ctx);
    try {
      const first = await get(base);
      const computed = queries.count;
      queries.reset();
      const again = [];
      for (let i = 0; i < 10; i++) again.push(await get(base));
      const perVisit = queries.count / 10;
      assert.ok(perVisit < computed / 2, `a repeat visit runs ${perVisit} queries, the first ${computed}`);
      assert.ok(perVisit <= 7, `${perVisit} queries a repeat visit: the page lookup and the fingerprint`);
      const strip = (t: string) => t.replace(/nonce-[^'"]+|nonce="[^"]+"/g, '');
      for (const r of again) assert.equal(strip(r.text), strip(first.text));
      // A change shows at the next visit: an incident, and a monitor going down.
      const inc = await incident({ title: { en: 'Cache check' }, statuspages: [sp.uuid] });
      assert.match((await get(base)).text, new RegExp(`id="incident-${inc}"`));
      await h.ctx.store.db
        .updateTable('monitors')
        .set({ status: 'down', paused: 0 })
        .where('id', '=', monitors[0].id)
        .execute();
      assert.match((await get(base)).text, /<span class="state down">/);
    } finally {
      queries.restore();
    }
  });
});
