import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { runCli, snapshot, startHarness, type Harness } from './harness.ts';
import { createProject } from '../src/services/projects.ts';
import { createApiKey } from '../src/services/api-keys.ts';

// Two servers over two fresh databases: the source is filled through its REST API, `vigil import`
// runs against the destination's database, and the result is read back through its REST API.
let src: Harness;
let dst: Harness;
before(async () => {
  [src, dst] = await Promise.all([startHarness(), startHarness()]);
});
after(async () => {
  await Promise.all([src?.stop(), dst?.stop()]);
});

async function importInto(project: string, opts: { from?: string; key?: string; args?: string[] } = {}) {
  const res = await runCli(
    [
      'import',
      '--from',
      opts.from ?? src.url,
      '--key',
      opts.key ?? src.ro,
      '--project',
      project,
      '--json',
      ...(opts.args ?? []),
    ],
    dst.db.env,
  );
  let report: any = null;
  try {
    report = JSON.parse(res.stdout);
  } catch {}
  return { ...res, report };
}

/** kind → [found, created, updated, unchanged, skipped, failed] */
function counts(report: any): Record<string, number[]> {
  return Object.fromEntries(
    report.kinds.map((k: any) => [k.kind, [k.found, k.created, k.updated, k.unchanged, k.skipped, k.failed]]),
  );
}

async function ok(res: Promise<{ status: number; body: any; text: string }>, status = 200) {
  const r = await res;
  assert.equal(r.status, status, r.text);
  return r.body;
}

const strip = (o: any, keys: string[]) => Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));

describe('vigil import from another Vigil server', () => {
  const mon: Record<string, any> = {};
  let page: any;
  let privatePage: any;
  let incident: any;
  let maintenance: any;
  const future = Date.now() + 7 * 86400_000;

  before(async () => {
    const post = (path: string, body: unknown) => ok(src.request('POST', path, { body }), 201);
    mon.api = await post('/v1/monitors', {
      name: 'API',
      url: 'https://api.example.org/health',
      protocol: 'http',
      http_method: 'POST',
      check_frequency: 120,
      regions: ['london', 'tokyo'],
      request_headers: [{ name: 'X-Token', value: 'abc' }],
      request_body: '{"ping":1}',
      follow_redirects: false,
      expected_status_code: '2xx',
      required_keyword: 'ok',
      alerts_wait: 5,
    });
    mon.db = await post('/v1/monitors', {
      name: 'DB',
      url: 'https://db.example.org',
      protocol: 'port',
      port: 5432,
      check_frequency: 300,
      regions: ['frankfurt'],
      expected_status_code: 200,
    });
    mon.dns = await post('/v1/monitors', {
      name: 'DNS',
      url: 'example.org',
      protocol: 'dns',
      dns_record_type: 'MX',
      dns_nameserver: '1.1.1.1',
      dns_expected_answer: 'mail.example.org',
      check_frequency: 600,
    });
    mon.icmp = await post('/v1/monitors', {
      name: 'Gateway',
      url: 'https://gw.example.org',
      protocol: 'icmp',
      check_frequency: 60,
    });
    mon.paused = await post('/v1/monitors', { name: 'Old site', url: 'https://old.example.org', paused: true });

    await post('/v2/healthchecks', {
      name: 'nightly backup',
      cron: '0 3 * * *',
      timezone: 'Europe/Paris',
      grace_period_value: 30,
      grace_period_type: 'minutes',
    });
    const beat = (
      await post('/v2/healthchecks', {
        name: 'heartbeat',
        period_value: 5,
        period_type: 'minutes',
        grace_period_value: 60,
        grace_period_type: 'seconds',
      })
    ).healthcheck;
    await ok(src.request('POST', `/v2/healthchecks/${beat.uuid}/pause`));

    page = (
      await post('/v2/statuspages', {
        name: 'Acme status',
        subdomain: 'acme-src',
        hostname: 'status.acme.test',
        theme: 'dark',
        accent_color: '#123456',
        languages: ['en', 'fr'],
        description: 'All systems',
        subscribe: { enabled: true, sms: true, teams: true },
        sections: [
          {
            name: 'Core',
            services: [
              { monitor_uuid: mon.api.uuid, name_shown: 'Public API', show_response_times: true },
              { monitor_uuid: String(mon.db.id) },
            ],
          },
          {
            name: { en: 'Edge', fr: 'Bord' },
            is_split: true,
            services: [
              {
                is_group: true,
                name_shown: 'Network',
                services: [{ uuid: mon.dns.uuid, name: { en: 'Name servers' } }, { uuid: mon.icmp.id }],
              },
            ],
          },
        ],
      })
    ).statuspage;
    privatePage = (
      await post('/v2/statuspages', { name: 'Internal', subdomain: 'internal-src', password: 'secret-pass' })
    ).statuspage;
    for (let i = 0; i < 22; i++)
      await post(`/v2/statuspages/${page.uuid}/subscribers`, {
        type: 'email',
        email: `reader${i}@example.org`,
        language: i % 2 ? 'fr' : 'en',
      });
    await post(`/v2/statuspages/${page.uuid}/subscribers`, { type: 'sms', phone: '+12125551234' });
    await post(`/v2/statuspages/${page.uuid}/subscribers`, {
      type: 'teams',
      teams_webhook_url: 'https://acme.webhook.office.com/hook/1',
    });
    // Slack subscribers come from the page's Slack sign-in, never the API: put one in by hand.
    const pageRow = await src.ctx.store.db
      .selectFrom('status_pages')
      .select('id')
      .where('uuid', '=', page.uuid)
      .executeTakeFirstOrThrow();
    await src.ctx.store.db
      .insertInto('status_page_subscribers')
      .values({
        status_page_id: pageRow.id,
        type: 'slack',
        value: '#status',
        email: null,
        phone: null,
        teams_webhook_url: null,
        slack_channel: '#status',
        language: 'en',
        token: 'slacktoken0000000000000000000000',
        created_at: Date.now(),
      })
      .execute();

    maintenance = await post('/v1/maintenance-windows', {
      name: 'DB upgrade',
      title: { en: 'Database upgrade' },
      text: { en: 'A short downtime' },
      start_date: new Date(future).toISOString(),
      end_date: new Date(future + 7200_000).toISOString(),
      monitors: [mon.db.uuid, mon.api.uuid],
      statuspages: [page.uuid],
      notificationOption: 'scheduled',
      notificationMinutes: 30,
    });
    incident = await post('/v3/incidents', {
      title: { en: 'API errors', fr: "Erreurs de l'API" },
      text: { en: 'Elevated error rates' },
      type: 'incident',
      date: '2026-01-10T10:00:00Z',
      statuspages: [page.uuid],
      affectedComponents: [mon.api.uuid],
      updates: [{ text: { en: 'Looking into it' }, type: 'investigating', date: '2026-01-10T10:05:00Z' }],
    });
    incident = await ok(
      src.request('POST', `/v3/incidents/${incident.uuid}/updates`, {
        body: { text: { en: 'Fixed' }, type: 'resolved', date: '2026-01-10T11:00:00Z' },
      }),
      201,
    );
  });

  /** Source uuid → destination uuid, by monitor name (names are unique in this fixture). */
  async function monitorMap(): Promise<Map<string, string>> {
    const [a, b] = await Promise.all([ok(src.request('GET', '/v1/monitors')), ok(dst.request('GET', '/v1/monitors'))]);
    const byName = new Map(b.map((m: any) => [m.name, m.uuid]));
    return new Map(a.map((m: any) => [m.uuid, byName.get(m.name) as string]));
  }

  test('the first run copies every object and says so in one JSON document', async () => {
    const res = await importInto(dst.project.uuid);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(counts(res.report), {
      monitor: [5, 5, 0, 0, 0, 0],
      healthcheck: [2, 2, 0, 0, 0, 0],
      statuspage: [2, 2, 0, 0, 0, 0],
      subscriber: [25, 24, 0, 0, 1, 0],
      maintenance: [1, 1, 0, 0, 0, 0],
      incident: [1, 1, 0, 0, 0, 0],
    });
    assert.deepEqual(res.report.failures, []);
    assert.ok(
      res.report.notes.some((n: any) => n.kind === 'subscriber' && /Slack/.test(n.note)),
      JSON.stringify(res.report.notes),
    );
    assert.ok(
      res.report.notes.some((n: any) => n.kind === 'statuspage' && n.name === 'Internal' && /password/.test(n.note)),
    );
    // Copies are not news: the imported subscribers are not emailed about the imported incident.
    assert.deepEqual(await dst.ctx.store.db.selectFrom('notifications').select('id').execute(), []);
  });

  test('monitors arrive with the same settings, the paused one paused', async () => {
    const [a, b] = await Promise.all([ok(src.request('GET', '/v1/monitors')), ok(dst.request('GET', '/v1/monitors'))]);
    const local = ['id', 'uuid', 'projectUuid'];
    assert.deepEqual(
      b.map((m: any) => strip(m, local)),
      a.map((m: any) => strip(m, local)),
    );
    assert.equal(b.find((m: any) => m.name === 'Old site').paused, true);
    assert.ok(b.every((m: any) => m.projectUuid === dst.project.uuid));
  });

  test('healthchecks keep their cron and timezone or period, grace and pause', async () => {
    const keys = [
      'name',
      'cron',
      'tz',
      'periodValue',
      'periodType',
      'period',
      'gracePeriodValue',
      'gracePeriodType',
      'gracePeriod',
      'isPaused',
    ];
    const pick = (h: any) => Object.fromEntries(keys.map((k) => [k, h[k]]));
    const [a, b] = await Promise.all([
      ok(src.request('GET', '/v2/healthchecks')),
      ok(dst.request('GET', '/v2/healthchecks')),
    ]);
    const sort = (l: any[]) => l.map(pick).sort((x, y) => x.name.localeCompare(y.name));
    assert.deepEqual(sort(b.healthchecks), sort(a.healthchecks));
    assert.deepEqual(
      sort(b.healthchecks).map((h) => [h.name, h.cron, h.tz, h.isPaused]),
      [
        ['heartbeat', null, 'UTC', true],
        ['nightly backup', '0 3 * * *', 'Europe/Paris', false],
      ],
    );
  });

  test('status pages keep their settings, and their sections point at the imported monitors', async () => {
    const map = await monitorMap();
    const list = (await ok(dst.request('GET', '/v2/statuspages'))).statuspages;
    assert.equal(list.length, 2);
    const find = (name: string) => list.find((p: any) => p.name === name);
    const got = (await ok(dst.request('GET', `/v2/statuspages/${find('Acme status').uuid}`))).statuspage;
    const want = (await ok(src.request('GET', `/v2/statuspages/${page.uuid}`))).statuspage;
    assert.deepEqual(got.settings, want.settings);
    assert.equal(got.hostedsubdomain, want.hostedsubdomain);
    assert.equal(got.hostname, 'status.acme.test');
    const remapped = JSON.parse(JSON.stringify(want.sections), (k, v) => (k === 'uuid' && map.has(v) ? map.get(v) : v));
    assert.deepEqual(got.sections, remapped);
    assert.equal(got.sections[0].services[0].uuid, map.get(mon.api.uuid));
    assert.equal(got.sections[1].services[0].services[1].uuid, map.get(mon.icmp.uuid));
    assert.notEqual(got.sections[0].services[0].uuid, mon.api.uuid);
    // The password cannot be read from the source: the copy stays protected with a new one.
    const locked = (await ok(dst.request('GET', `/v2/statuspages/${find('Internal').uuid}`))).statuspage;
    assert.equal(locked.password_protected, true);
    assert.equal(privatePage.password_protected, true);
  });

  test('email, sms and teams subscribers are copied across pages of the list; slack is skipped', async () => {
    const pageUuid = (await ok(dst.request('GET', '/v2/statuspages?search=acme'))).statuspages[0].uuid;
    const all: any[] = [];
    for (let p = 0; ; p++) {
      const r = await ok(dst.request('GET', `/v2/statuspages/${pageUuid}/subscribers?page=${p}`));
      all.push(...r.subscribers);
      if (!r.hasNextPage) break;
    }
    assert.equal(all.length, 24);
    const key = (s: any) => `${s.type} ${s.value} ${s.language}`;
    const want = [
      ...Array.from({ length: 22 }, (_, i) => `email reader${i}@example.org ${i % 2 ? 'fr' : 'en'}`),
      'sms +12125551234 en',
      'teams https://acme.webhook.office.com/hook/1 en',
    ];
    assert.deepEqual(all.map(key).sort(), want.sort());
  });

  test('maintenance windows and incidents name the imported monitors and pages, with the timeline', async () => {
    const map = await monitorMap();
    const localPage = (await ok(dst.request('GET', '/v2/statuspages?search=acme'))).statuspages[0].uuid;
    const windows = (await ok(dst.request('GET', '/v1/maintenance-windows'))).maintenanceWindows;
    assert.equal(windows.length, 1);
    const w = await ok(dst.request('GET', `/v1/maintenance-windows/${windows[0].uuid}`));
    for (const k of [
      'name',
      'title',
      'text',
      'start_date',
      'end_date',
      'notificationOption',
      'notificationMinutes',
      'status',
    ])
      assert.deepEqual(w[k], maintenance[k], k);
    assert.deepEqual(w.monitors, [map.get(mon.db.uuid), map.get(mon.api.uuid)]);
    assert.deepEqual(w.statuspages, [localPage]);

    const [i] = await ok(dst.request('GET', '/v3/incidents'));
    for (const k of ['title', 'text', 'type', 'date']) assert.deepEqual(i[k], incident[k], k);
    assert.deepEqual(i.affectedComponents, [map.get(mon.api.uuid)]);
    assert.deepEqual(i.statuspages, [localPage]);
    assert.deepEqual(
      i.updates.map((u: any) => [u.date, u.type, u.text]),
      incident.updates.map((u: any) => [u.date, u.type, u.text]),
    );
  });

  test('a second run changes nothing: every count unchanged, the database identical', async () => {
    const before = await snapshot(dst.ctx);
    const res = await importInto(dst.project.uuid);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(counts(res.report), {
      monitor: [5, 0, 0, 5, 0, 0],
      healthcheck: [2, 0, 0, 2, 0, 0],
      statuspage: [2, 0, 0, 2, 0, 0],
      subscriber: [25, 0, 0, 24, 1, 0],
      maintenance: [1, 0, 0, 1, 0, 0],
      incident: [1, 0, 0, 1, 0, 0],
    });
    assert.deepEqual(await snapshot(dst.ctx), before);
  });

  test('a monitor changed at the source is the only object the next run updates', async () => {
    await ok(
      src.request('PUT', `/v1/monitors/${mon.dns.uuid}`, {
        body: { check_frequency: 1800, dns_expected_answer: 'mx2.example.org' },
      }),
    );
    const res = await importInto(dst.project.uuid);
    assert.equal(res.code, 0, res.stderr);
    const c = counts(res.report);
    assert.deepEqual(c.monitor, [5, 0, 1, 4, 0, 0]);
    for (const kind of ['healthcheck', 'statuspage', 'maintenance', 'incident'])
      assert.equal(c[kind][2] + c[kind][1], 0, kind);
    const local = (await ok(dst.request('GET', '/v1/monitors'))).find((m: any) => m.name === 'DNS');
    assert.equal(local.check_frequency, 1800);
    assert.equal(local.dns_expected_answer, 'mx2.example.org');
  });

  test('a new incident update at the source is appended on the next run', async () => {
    await ok(
      src.request('POST', `/v3/incidents/${incident.uuid}/updates`, {
        body: { text: { en: 'Post-mortem published' }, type: 'update', date: '2026-01-11T09:00:00Z' },
      }),
      201,
    );
    const res = await importInto(dst.project.uuid);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(counts(res.report).incident, [1, 0, 1, 0, 0, 0]);
    const [i] = await ok(dst.request('GET', '/v3/incidents'));
    assert.deepEqual(
      i.updates.map((u: any) => u.type),
      ['investigating', 'resolved', 'update'],
    );
    assert.deepEqual(await dst.ctx.store.db.selectFrom('notifications').select('id').execute(), []);
    assert.deepEqual(counts((await importInto(dst.project.uuid)).report).incident, [1, 0, 0, 1, 0, 0]);
  });

  test('--dry-run reports what a run would do and writes nothing', async () => {
    const fresh = await createProject(dst.ctx, 'Dry');
    const before = await snapshot(dst.ctx);
    const res = await importInto(fresh.uuid, { args: ['--dry-run'] });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.report.dryRun, true);
    assert.deepEqual(counts(res.report).monitor, [5, 5, 0, 0, 0, 0]);
    assert.deepEqual(counts(res.report).subscriber, [25, 24, 0, 0, 1, 0]);
    assert.deepEqual(await snapshot(dst.ctx), before);
  });

  test('without --json it prints a summary table', async () => {
    const res = await runCli(['import', '--from', src.url, '--key', src.ro, '--project', dst.project.uuid], dst.db.env);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /KIND\s+FOUND\s+CREATED\s+UPDATED\s+UNCHANGED\s+SKIPPED\s+FAILED/);
    assert.match(res.stdout, /^monitors\s+5\s+0\s+0\s+5\s+0\s+0$/m);
    assert.match(res.stdout, /^subscribers\s+25\s+0\s+0\s+24\s+1\s+0$/m);
    assert.equal(res.stderr, ''); // no progress bar when stderr is not a terminal
  });

  test('a refused key, an unreachable source or an unknown project: one line, non-zero exit, nothing written', async () => {
    const fresh = await createProject(dst.ctx, 'Refused');
    const before = await snapshot(dst.ctx);
    const cases: [Parameters<typeof importInto>[1] & { project?: string }, RegExp][] = [
      [{ key: 'sk_wrongwrongwrongwrongwrongwrong00' }, /refused the key \(HTTP 401\)/],
      [{ from: 'http://127.0.0.1:1' }, /cannot reach http:\/\/127\.0\.0\.1:1/],
      [{ from: 'ftp://example.org' }, /--from must be an http or https URL/],
      [{ project: 'proj_nope0000000000' }, /project proj_nope0000000000 does not exist/],
    ];
    for (const [opts, re] of cases) {
      const res = await importInto(opts.project ?? fresh.uuid, opts);
      assert.notEqual(res.code, 0, re.source);
      assert.equal(res.stdout, '');
      assert.match(res.stderr, re);
      assert.equal(res.stderr.trim().split('\n').length, 1, res.stderr);
    }
    assert.deepEqual(await snapshot(dst.ctx), before);
  });

  test('an object that cannot be written is reported, the others are imported, the exit code is non-zero', async () => {
    // The second source project has a page whose subdomain is already taken on the destination.
    const other = (path: string, body: unknown) => ok(src.request('POST', path, { key: src.other.rw, body }), 201);
    const m = await other('/v1/monitors', { name: 'Other', url: 'https://other.example.org' });
    await other('/v2/statuspages', {
      name: 'Clash',
      subdomain: 'taken-here',
      sections: [{ name: 'S', services: [{ monitor_uuid: m.uuid }] }],
    });
    await ok(
      dst.request('POST', '/v2/statuspages', { key: dst.other.rw, body: { name: 'Mine', subdomain: 'taken-here' } }),
      201,
    );
    const fresh = await createProject(dst.ctx, 'Partial');
    const res = await importInto(fresh.uuid, { key: src.other.rw });
    assert.equal(res.code, 1);
    assert.deepEqual(counts(res.report).monitor, [1, 1, 0, 0, 0, 0]);
    assert.deepEqual(counts(res.report).statuspage, [1, 0, 0, 0, 0, 1]);
    assert.deepEqual(
      res.report.failures.map((f: any) => [f.kind, f.name, f.error]),
      [['statuspage', 'Clash', 'subdomain taken-here is already taken']],
    );
    assert.match(res.stderr, /statuspage "Clash" \(sp_\w+\) failed: subdomain taken-here is already taken/);
    const links = await dst.ctx.store.db
      .selectFrom('import_links')
      .select('kind')
      .where('project_id', '=', fresh.id)
      .execute();
    assert.deepEqual(
      links.map((l) => l.kind),
      ['monitor'],
    );
  });

  test('429 and 5xx answers from the source are retried (after Retry-After)', async () => {
    let hits = 0;
    const flaky = http.createServer(async (req, res) => {
      hits++;
      if (hits === 1)
        return res
          .writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' })
          .end('{"message":"Too many requests"}');
      if (hits === 2) return res.writeHead(503).end('busy');
      const upstream = await fetch(src.url + req.url, { headers: { authorization: req.headers.authorization ?? '' } });
      res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text());
    });
    await new Promise<void>((r) => flaky.listen(0, '127.0.0.1', r));
    try {
      const started = Date.now();
      const res = await importInto(dst.project.uuid, {
        from: `http://127.0.0.1:${(flaky.address() as AddressInfo).port}`,
        args: ['--dry-run'],
      });
      assert.equal(res.code, 0, res.stderr);
      assert.deepEqual(counts(res.report).monitor, [5, 5, 0, 0, 0, 0]); // another source URL: other links
      assert.ok(Date.now() - started >= 1500, 'waited for Retry-After and the backoff');
      assert.ok(hits > 2);
    } finally {
      flaky.close();
    }
  });

  test('the recorded Hyperping shapes are read too: wrapped or bare lists, summaries, numeric service ids', async () => {
    // Canned answers in the shapes recorded from api.hyperping.io (api-contract §2–§9 and appendix A).
    const sp = 'sp_HpAcmePage0001';
    const answers: Record<string, unknown> = {
      '/v1/monitors': {
        monitors: [
          {
            id: 116375,
            name: 'api',
            url: 'https://example.org/health',
            uuid: 'mon_HpMonitor00001',
            protocol: 'http',
            projectUuid: 'proj_HpProject00001',
            paused: false,
            port: null,
            http_method: 'GET',
            regions: ['london', 'frankfurt'],
            check_frequency: 60,
            follow_redirects: true,
            expected_status_code: 200,
            request_body: '',
            request_headers: null,
            status: 'up',
            ssl_expiration: 27,
            alerts_wait: 0,
            group_id: null,
            sort_order: 0,
            show_url: false,
            escalation_policy: null,
          },
        ],
      },
      '/v2/healthchecks': {
        healthchecks: [
          {
            uuid: 'tok_HpHealthcheck0000000001',
            name: 'backup',
            cron: null,
            tz: 'UTC',
            slug: null,
            period: 60,
            periodValue: 60,
            periodType: 'seconds',
            gracePeriod: 300,
            gracePeriodValue: 300,
            gracePeriodType: 'seconds',
            createdAt: '2026-02-10T10:48:49.000Z',
            lastPing: null,
            dueDate: null,
            isDown: false,
            pingUrl: 'https://hc.hyperping.io/tok_HpHealthcheck0000000001',
            lastLogStartDate: null,
            lastLogEndDate: null,
          },
        ],
      },
      '/v2/statuspages?page=0': {
        statuspages: [
          {
            uuid: sp,
            name: 'Acme',
            hostname: null,
            hostedsubdomain: 'acme-hp.hyperping.app',
            url: 'acme-hp.hyperping.app',
            password_protected: false,
          },
        ],
        hasNextPage: false,
        total: 1,
        page: 0,
        resultsPerPage: 20,
      },
      [`/v2/statuspages/${sp}`]: {
        statuspage: {
          uuid: sp,
          name: 'Acme',
          hostname: null,
          hostedsubdomain: 'acme-hp.hyperping.app',
          url: 'acme-hp.hyperping.app',
          password_protected: false,
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
            subscribe: { enabled: true, email: true, slack: true, teams: true, sms: false },
            authentication: {
              password_protection: false,
              google_sso: false,
              google_allowed_domains: [],
              saml_sso: false,
              sso_connection_uuid: null,
              sso_connection: null,
            },
          },
          sections: [
            {
              name: { en: 'Main' },
              services: [
                {
                  id: '1',
                  uuid: '116375',
                  name: { en: 'API' },
                  is_group: false,
                  show_uptime: true,
                  show_response_times: false,
                },
              ],
            },
          ],
        },
      },
      [`/v2/statuspages/${sp}/subscribers?page=0`]: {
        subscribers: [
          {
            id: 17705,
            type: 'email',
            value: 'ann@example.org',
            email: 'ann@example.org',
            phone: null,
            slack_channel: null,
            created_at: '2026-02-10T10:49:00.000Z',
          },
          {
            id: 17706,
            type: 'teams',
            value: 'https://acme.webhook.office.com/hp',
            email: null,
            phone: null,
            slack_channel: null,
            created_at: '2026-02-10T10:49:00.000Z',
          },
          {
            id: 17707,
            type: 'slack',
            value: '#ops',
            email: null,
            phone: null,
            slack_channel: '#ops',
            created_at: '2026-02-10T10:49:00.000Z',
          },
        ],
        hasNextPage: false,
        total: 3,
        page: 0,
        resultsPerPage: 20,
      },
      '/v1/maintenance-windows?page=0': {
        maintenanceWindows: [
          {
            uuid: 'mw_HpMaintenance01',
            bulkUuid: null,
            name: 'db',
            title: { en: 'DB upgrade' },
            start_date: '2030-03-01T02:00:00.000Z',
            end_date: '2030-03-01T04:00:00.000Z',
            timezone: 'UTC',
            monitors: ['mon_HpMonitor00001'],
            statuspages: [sp],
            createdBy: 'ann@example.org',
            createdAt: '2026-02-10T10:48:49.000Z',
            updates: [],
            status: 'upcoming',
          },
        ],
        hasNextPage: false,
        total: 1,
      },
      '/v1/maintenance-windows/mw_HpMaintenance01': {
        uuid: 'mw_HpMaintenance01',
        name: 'db',
        title: { en: 'DB upgrade' },
        start_date: '2030-03-01T02:00:00.000Z',
        end_date: '2030-03-01T04:00:00.000Z',
        timezone: 'UTC',
        monitors: ['mon_HpMonitor00001'],
        statuspages: [sp],
        bulkUuid: null,
        createdBy: 'ann@example.org',
        createdAt: '2026-02-10T10:48:49.000Z',
        notificationOption: 'immediate',
        notificationMinutes: 60,
        updates: [],
        status: 'upcoming',
      },
      '/v3/incidents': [
        {
          uuid: 'inci_HpIncident0001',
          date: '2026-02-10T10:48:49.000Z',
          title: { en: 'Degraded API' },
          type: 'incident',
          affectedComponents: [],
          statuspages: [sp],
          updates: [],
        },
      ],
    };
    const seen: string[] = [];
    const fake = http.createServer((req, res) => {
      seen.push(`${req.headers.authorization} ${req.url}`);
      const body = answers[req.url!];
      res
        .writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' })
        .end(JSON.stringify(body ?? { message: 'Not found' }));
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
    try {
      const project = await createProject(dst.ctx, 'From Hyperping');
      const localKey = (
        await createApiKey(dst.ctx, { projectUuid: project.uuid, name: 'k', permission: 'read_only', actor: 'test' })
      ).key;
      const res = await importInto(project.uuid, {
        from: `http://127.0.0.1:${(fake.address() as AddressInfo).port}/`,
        key: 'sk_HyperpingKey',
      });
      assert.equal(res.code, 0, res.stderr);
      assert.ok(
        seen.every((s) => s.startsWith('Bearer sk_HyperpingKey ')),
        seen.join('\n'),
      );
      assert.deepEqual(counts(res.report), {
        monitor: [1, 1, 0, 0, 0, 0],
        healthcheck: [1, 1, 0, 0, 0, 0],
        statuspage: [1, 1, 0, 0, 0, 0],
        subscriber: [3, 2, 0, 0, 1, 0],
        maintenance: [1, 1, 0, 0, 0, 0],
        incident: [1, 1, 0, 0, 0, 0],
      });
      const get = (path: string) => ok(dst.request('GET', path, { key: localKey }));
      const [m] = await get('/v1/monitors');
      assert.deepEqual(
        [m.name, m.expected_status_code, m.regions, m.check_frequency],
        ['api', 200, ['london', 'frankfurt'], 60],
      );
      const [h] = (await get('/v2/healthchecks')).healthchecks;
      assert.deepEqual(
        [h.periodValue, h.periodType, h.gracePeriodValue, h.gracePeriodType, h.cron],
        [60, 'seconds', 300, 'seconds', null],
      );
      const [summary] = (await get('/v2/statuspages')).statuspages;
      assert.equal(summary.hostedsubdomain, 'acme-hp.hyperping.app');
      const page = (await get(`/v2/statuspages/${summary.uuid}`)).statuspage;
      assert.equal(page.sections[0].services[0].uuid, m.uuid);
      assert.deepEqual(page.settings.subscribe, { enabled: true, email: true, slack: true, teams: true, sms: false });
      const subs = (await get(`/v2/statuspages/${summary.uuid}/subscribers`)).subscribers;
      assert.deepEqual(
        subs.map((s: any) => [s.type, s.value]),
        [
          ['email', 'ann@example.org'],
          ['teams', 'https://acme.webhook.office.com/hp'],
        ],
      );
      const [w] = (await get('/v1/maintenance-windows')).maintenanceWindows;
      const full = await get(`/v1/maintenance-windows/${w.uuid}`);
      assert.deepEqual(
        [full.notificationOption, full.monitors, full.statuspages],
        ['immediate', [m.uuid], [summary.uuid]],
      );
      const [i] = await get('/v3/incidents');
      assert.deepEqual(
        [i.title, i.statuspages, i.date],
        [{ en: 'Degraded API' }, [summary.uuid], '2026-02-10T10:48:49.000Z'],
      );
    } finally {
      fake.close();
    }
  });
});
