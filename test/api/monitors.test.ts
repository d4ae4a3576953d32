import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectStatus, startHarness, type Harness } from '../harness.ts';
import { REGIONS } from '../../src/domain/monitors.ts';
import { openStore } from '../../src/storage/store.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.stop();
});

const MON = /^mon_[A-Za-z0-9]{14}$/;

describe('/v1/monitors', () => {
  test('a new monitor has the recorded wire shape with every default, nulls included', async () => {
    const res = await h.request('POST', '/v1/monitors', { body: { name: 'api', url: 'https://example.org/health' } });
    assert.equal(res.status, 201);
    assert.match(res.headers.get('content-type')!, /^application\/json; charset=utf-8/);
    const m = res.body;
    assert.equal(typeof m.id, 'number');
    assert.match(m.uuid, MON);
    assert.deepEqual(m, {
      id: m.id,
      name: 'api',
      url: 'https://example.org/health',
      uuid: m.uuid,
      protocol: 'http',
      projectUuid: h.project.uuid,
      paused: false,
      port: null,
      http_method: 'GET',
      regions: [...REGIONS],
      check_frequency: 60,
      follow_redirects: true,
      expected_status_code: '2xx',
      request_body: '',
      request_headers: null,
      status: 'up',
      ssl_expiration: null,
      alerts_wait: 0,
      group_id: null,
      sort_order: 0,
      show_url: false,
      escalation_policy: null,
      required_keyword: null,
      dns_record_type: null,
      dns_nameserver: null,
      dns_expected_answer: null,
      ip_version: 4,
      ssl_alert_days: 30,
      ssl_reminders: true,
      ssl_notify_on_change: false,
      domain_alert_days: -1,
      domain_expiration: null,
    });
    assert.deepEqual(Object.keys(m).slice(0, 22), [
      'id',
      'name',
      'url',
      'uuid',
      'protocol',
      'projectUuid',
      'paused',
      'port',
      'http_method',
      'regions',
      'check_frequency',
      'follow_redirects',
      'expected_status_code',
      'request_body',
      'request_headers',
      'status',
      'ssl_expiration',
      'alerts_wait',
      'group_id',
      'sort_order',
      'show_url',
      'escalation_policy',
    ]);
    const got = await h.request('GET', `/v1/monitors/${m.uuid}`);
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, m);
  });

  test('expected_status_code is a number for a plain code (even sent as "200") and a string for patterns', async () => {
    for (const [sent, read] of [
      ['200', 200],
      [204, 204],
      ['2xx', '2xx'],
      ['1xx-3xx', '1xx-3xx'],
    ] as const) {
      const res = await h.request('POST', '/v1/monitors', {
        body: { name: 'c', url: 'http://example.org', expected_status_code: sent },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.strictEqual(res.body.expected_status_code, read);
    }
    for (const bad of ['3xx-1xx', '600', 'abc', '2XX', 99]) {
      const res = await h.request('POST', '/v1/monitors', {
        body: { name: 'c', url: 'http://example.org', expected_status_code: bad },
      });
      assert.equal(res.status, 422, String(bad));
      assert.equal(typeof res.body.message, 'string');
    }
  });

  test('create honours every writable field and the list is a bare array in id order', async () => {
    const body = {
      name: 'full',
      url: 'https://example.org/x',
      protocol: 'http',
      http_method: 'POST',
      check_frequency: 300,
      regions: ['london', 'frankfurt'],
      request_headers: [{ name: 'X-Token', value: 'abc' }],
      request_body: '{"a":1}',
      follow_redirects: false,
      expected_status_code: '1xx-3xx',
      required_keyword: 'ok',
      paused: true,
      alerts_wait: 5,
      timeout: 20,
      extra_unknown: 'ignored',
      id: 5,
      uuid: 'mon_forged000000',
    };
    const res = await h.request('POST', '/v1/monitors', { body });
    assert.equal(res.status, 201);
    const m = res.body;
    assert.notEqual(m.uuid, 'mon_forged000000');
    assert.equal(m.extra_unknown, undefined);
    assert.deepEqual(
      {
        http_method: m.http_method,
        check_frequency: m.check_frequency,
        regions: m.regions,
        request_headers: m.request_headers,
        request_body: m.request_body,
        follow_redirects: m.follow_redirects,
        expected_status_code: m.expected_status_code,
        required_keyword: m.required_keyword,
        paused: m.paused,
        alerts_wait: m.alerts_wait,
      },
      {
        http_method: 'POST',
        check_frequency: 300,
        regions: ['london', 'frankfurt'],
        request_headers: [{ name: 'X-Token', value: 'abc' }],
        request_body: '{"a":1}',
        follow_redirects: false,
        expected_status_code: '1xx-3xx',
        required_keyword: 'ok',
        paused: true,
        alerts_wait: 5,
      },
    );
    const list = await h.request('GET', '/v1/monitors');
    assert.equal(list.status, 200);
    assert.ok(Array.isArray(list.body));
    const ids = list.body.map((x: any) => x.id);
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => a - b),
    );
    assert.ok(list.body.some((x: any) => x.uuid === m.uuid));
  });

  test('PUT changes only the keys it sends; pause and resume are PUT {"paused":…}', async () => {
    const created = (
      await h.request('POST', '/v1/monitors', {
        body: { name: 'p', url: 'https://example.org', regions: ['tokyo'], check_frequency: 30 },
      })
    ).body;
    const paused = await h.request('PUT', `/v1/monitors/${created.uuid}`, { body: { paused: true } });
    assert.equal(paused.status, 200);
    assert.deepEqual(paused.body, { ...created, paused: true });
    const renamed = await h.request('PUT', `/v1/monitors/${created.uuid}`, {
      body: { name: 'q', paused: false, request_headers: [] },
    });
    assert.deepEqual(renamed.body, { ...created, name: 'q' });
    const headers = await h.request('PUT', `/v1/monitors/${created.uuid}`, {
      body: { request_headers: [{ name: 'A', value: 'b' }], required_keyword: 'x' },
    });
    assert.deepEqual(headers.body.request_headers, [{ name: 'A', value: 'b' }]);
    const cleared = await h.request('PUT', `/v1/monitors/${created.uuid}`, {
      body: { request_headers: [], required_keyword: '' },
    });
    assert.equal(cleared.body.request_headers, null);
    assert.equal(cleared.body.required_keyword, null);
  });

  test('DELETE answers 204 with an empty body, then the monitor is gone', async () => {
    const created = (await h.request('POST', '/v1/monitors', { body: { name: 'd', url: 'https://example.org' } })).body;
    const del = await h.request('DELETE', `/v1/monitors/${created.uuid}`, {
      headers: { 'content-type': 'application/json' },
      raw: '',
    });
    assert.equal(del.status, 204);
    assert.equal(del.text, '');
    assert.equal(del.headers.get('content-type'), null);
    const again = await h.request('GET', `/v1/monitors/${created.uuid}`);
    assert.equal(again.status, 404);
    assert.deepEqual(again.body, { message: 'Monitor not found' });
    assert.equal((await h.request('DELETE', `/v1/monitors/${created.uuid}`)).status, 404);
  });

  test('an invalid URL is 422 {"message":"Invalid URL"}', async () => {
    for (const url of ['not-a-valid-url', 'ftp://example.org', 'javascript:alert(1)', 'http://']) {
      const res = await h.request('POST', '/v1/monitors', { body: { name: 'x', url } });
      assert.equal(res.status, 422, url);
      assert.deepEqual(res.body, { message: 'Invalid URL' });
    }
  });

  test('enums and required fields give one readable sentence', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ url: 'https://a.example' }, /^name is required$/],
      [{ name: 'x' }, /^url is required$/],
      [{ name: '', url: 'https://a.example' }, /name must not be empty/],
      [{ name: 'x', url: 'https://a.example', check_frequency: 45 }, /^check_frequency must be one of 10, 20, 30, 60/],
      [{ name: 'x', url: 'https://a.example', regions: ['mars'] }, /regions/],
      [{ name: 'x', url: 'https://a.example', regions: [] }, /regions/],
      [
        { name: 'x', url: 'https://a.example', alerts_wait: 4 },
        /^alerts_wait must be one of -1, 0, 1, 2, 3, 5, 10, 30, 60$/,
      ],
      [{ name: 'x', url: 'https://a.example', protocol: 'smtp' }, /^protocol must be one of http, port, icmp, dns$/],
      [{ name: 'x', url: 'https://a.example', http_method: 'TRACE' }, /^http_method must be one of/],
      [{ name: 'x', url: 'example.org', protocol: 'dns', dns_record_type: 'ANY' }, /^dns_record_type must be one of/],
      [{ name: 'x', url: 'https://a.example', paused: 'yes' }, /^paused must be a boolean$/],
      [{ name: 'x', url: 'https://a.example', request_headers: [{ name: 'Host', value: 'x' }] }, /Host cannot be set/],
      [
        { name: 'x', url: 'https://a.example', request_headers: [{ name: 'X', value: 'a\r\nb' }] },
        /the value of X must not hold control characters/,
      ],
      [{ name: 'x'.repeat(256), url: 'https://a.example' }, /name must be at most 255 characters/],
    ];
    for (const [body, re] of cases) {
      const res = await h.request('POST', '/v1/monitors', { body });
      assert.equal(res.status, 422, JSON.stringify(body));
      assert.match(res.body.message, re, JSON.stringify(body));
      assert.deepEqual(Object.keys(res.body), ['message']);
    }
  });

  test('cross-field rules: port monitors need a port, others refuse one, dns-only fields stay on dns', async () => {
    const noPort = await h.request('POST', '/v1/monitors', {
      body: { name: 'p', url: 'https://db.example', protocol: 'port' },
    });
    assert.equal(noPort.status, 422);
    assert.match(noPort.body.message, /port is required/);
    const port = await h.request('POST', '/v1/monitors', {
      body: { name: 'p', url: 'https://db.example', protocol: 'port', port: 5432 },
    });
    assert.equal(port.status, 201);
    assert.equal(port.body.port, 5432);
    const httpPort = await h.request('POST', '/v1/monitors', {
      body: { name: 'p', url: 'https://db.example', port: 80 },
    });
    assert.equal(httpPort.status, 422);
    assert.match(httpPort.body.message, /port is only allowed for port monitors/);
    const badPort = await h.request('POST', '/v1/monitors', {
      body: { name: 'p', url: 'https://db.example', protocol: 'port', port: 70000 },
    });
    assert.equal(badPort.status, 422);
    const dns = await h.request('POST', '/v1/monitors', {
      body: { name: 'd', url: 'example.org', protocol: 'dns', dns_nameserver: '127.0.0.1' },
    });
    assert.equal(dns.status, 201, JSON.stringify(dns.body));
    assert.equal(dns.body.dns_record_type, 'A');
    assert.equal(dns.body.dns_nameserver, '127.0.0.1');
    const httpDns = await h.request('POST', '/v1/monitors', {
      body: { name: 'd', url: 'https://example.org', dns_record_type: 'MX' },
    });
    assert.equal(httpDns.status, 422);
    const icmpBody = await h.request('POST', '/v1/monitors', {
      body: { name: 'i', url: 'https://example.org', protocol: 'icmp', request_body: 'x' },
    });
    assert.equal(icmpBody.status, 422);
    for (const url of ['; id', '$(id)', '-f']) {
      const icmp = await h.request('POST', '/v1/monitors', { body: { name: 'i', url, protocol: 'icmp' } });
      assert.equal(icmp.status, 422, url);
    }
    const icmp = await h.request('POST', '/v1/monitors', { body: { name: 'i', url: '127.0.0.1', protocol: 'icmp' } });
    assert.equal(icmp.status, 201);
    // switching a port monitor to http drops its port
    const switched = await h.request('PUT', `/v1/monitors/${port.body.uuid}`, { body: { protocol: 'http' } });
    assert.equal(switched.status, 200);
    assert.equal(switched.body.port, null);
  });

  test('regions ["*"] means all 18; duplicates collapse', async () => {
    const all = await h.request('POST', '/v1/monitors', {
      body: { name: 'r', url: 'https://example.org', regions: ['*'] },
    });
    assert.deepEqual(all.body.regions, [...REGIONS]);
    const dup = await h.request('POST', '/v1/monitors', {
      body: { name: 'r', url: 'https://example.org', regions: ['paris', 'paris'] },
    });
    assert.deepEqual(dup.body.regions, ['paris']);
  });

  test('SECURITY 20: server-owned fields cannot be set: another project is refused, ids are ignored', async () => {
    const other = await h.request('POST', '/v1/monitors', {
      body: { name: 'x', url: 'https://example.org', projectUuid: h.other.uuid },
    });
    assert.equal(other.status, 422);
    const own = await h.request('POST', '/v1/monitors', {
      body: { name: 'x', url: 'https://example.org', projectUuid: h.project.uuid },
    });
    assert.equal(own.status, 201);
    const put = await h.request('PUT', `/v1/monitors/${own.body.uuid}`, {
      body: { id: 1, uuid: 'mon_x', status: 'down' },
    });
    assert.equal(put.status, 200);
    assert.equal(put.body.id, own.body.id);
    assert.equal(put.body.uuid, own.body.uuid);
    assert.equal(put.body.status, 'up');
  });

  test('escalation_policy "none" unlinks; an unknown policy is refused', async () => {
    const m = (
      await h.request('POST', '/v1/monitors', {
        body: { name: 'e', url: 'https://example.org', escalation_policy: 'none' },
      })
    ).body;
    assert.equal(m.escalation_policy, null);
    const bad = await h.request('PUT', `/v1/monitors/${m.uuid}`, { body: { escalation_policy: 'esc_doesnotexist' } });
    assert.equal(bad.status, 422);
  });

  test("SECURITY 6: another project never sees this project's monitors", async () => {
    const mine = (
      await expectStatus(201, h.request('POST', '/v1/monitors', { body: { name: 'mine', url: 'https://example.org' } }))
    ).body;
    const list = await h.request('GET', '/v1/monitors', { key: h.other.rw });
    assert.equal(list.status, 200);
    assert.ok(!list.body.some((m: any) => m.uuid === mine.uuid));
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const res = await h.request(method, `/v1/monitors/${mine.uuid}`, {
        key: h.other.rw,
        body: method === 'PUT' ? { name: 'stolen' } : undefined,
      });
      assert.equal(res.status, 404);
      assert.deepEqual(res.body, { message: 'Monitor not found' });
    }
    assert.equal((await h.request('GET', `/v1/monitors/${mine.uuid}`)).body.name, 'mine');
  });

  test('an unknown id is 404 before validation', async () => {
    const res = await h.request('PUT', '/v1/monitors/mon_AAAAAAAAAAAAAA', { body: { check_frequency: 7 } });
    assert.equal(res.status, 404);
    assert.deepEqual(res.body, { message: 'Monitor not found' });
  });

  test('a repeated read is never stale: writes by this process and by another connection show at once', async () => {
    const m = (await h.request('POST', '/v1/monitors', { body: { name: 'fresh', url: 'https://example.org' } })).body;
    const get = async () => (await h.request('GET', `/v1/monitors/${m.uuid}`)).body;
    assert.equal((await get()).name, 'fresh');
    assert.equal((await get()).name, 'fresh'); // served again, from the read cache on SQLite
    // This process, outside the API (as the engine writes a check result).
    await h.ctx.store.db.updateTable('monitors').set({ status: 'down' }).where('uuid', '=', m.uuid).execute();
    assert.equal((await get()).status, 'down');
    // Another connection to the same database (as the CLI or a second node would write).
    const other = await openStore({ databaseUrl: h.config.databaseUrl, dataDir: h.config.dataDir });
    try {
      await other.db.updateTable('monitors').set({ name: 'renamed elsewhere' }).where('uuid', '=', m.uuid).execute();
      assert.equal((await get()).name, 'renamed elsewhere');
      await other.db.deleteFrom('monitors').where('uuid', '=', m.uuid).execute();
      assert.equal((await h.request('GET', `/v1/monitors/${m.uuid}`)).status, 404);
    } finally {
      await other.close();
    }
  });

  test('the alert and IP settings of current clients round-trip, and a partial update changes only what it sends', async () => {
    const body = {
      name: 'tls',
      url: 'https://example.org',
      ip_version: 6,
      ssl_alert_days: 15,
      ssl_reminders: false,
      ssl_notify_on_change: true,
      domain_alert_days: 60,
    };
    const res = await h.request('POST', '/v1/monitors', { body });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const pick = (m: Record<string, unknown>) => ({
      ip_version: m.ip_version,
      ssl_alert_days: m.ssl_alert_days,
      ssl_reminders: m.ssl_reminders,
      ssl_notify_on_change: m.ssl_notify_on_change,
      domain_alert_days: m.domain_alert_days,
    });
    assert.deepEqual(pick(res.body), {
      ip_version: 6,
      ssl_alert_days: 15,
      ssl_reminders: false,
      ssl_notify_on_change: true,
      domain_alert_days: 60,
    });
    assert.equal(res.body.domain_expiration, null);
    const put = await h.request('PUT', `/v1/monitors/${res.body.uuid}`, {
      body: { ssl_alert_days: -1, domain_alert_days: -1 },
    });
    assert.equal(put.status, 200);
    assert.deepEqual(pick(put.body), {
      ip_version: 6,
      ssl_alert_days: -1,
      ssl_reminders: false,
      ssl_notify_on_change: true,
      domain_alert_days: -1,
    });
    assert.deepEqual(pick((await h.request('GET', `/v1/monitors/${res.body.uuid}`)).body), pick(put.body));
  });

  test("a value outside a field's documented set is refused with 422 naming the field, and nothing is stored", async () => {
    const before = (await h.request('GET', '/v1/monitors')).body.length;
    for (const [field, value] of [
      ['ip_version', 5],
      ['ip_version', '6'],
      ['ssl_alert_days', 45],
      ['ssl_alert_days', 0],
      ['domain_alert_days', 3],
      ['domain_alert_days', -7],
      ['ssl_reminders', 'yes'],
      ['ssl_notify_on_change', 1],
    ] as const) {
      const res = await h.request('POST', '/v1/monitors', {
        body: { name: 'bad', url: 'https://example.org', [field]: value },
      });
      assert.equal(res.status, 422, `${field}=${value}`);
      assert.match(res.body.message, new RegExp(field), `${field}=${value}: ${res.body.message}`);
    }
    assert.equal((await h.request('GET', '/v1/monitors')).body.length, before);
  });

  test('an IP address in the URL fixes ip_version: inferred when not sent, 422 when it disagrees', async () => {
    const v6 = await h.request('POST', '/v1/monitors', { body: { name: 'v6', url: 'http://[::1]:8080/' } });
    assert.equal(v6.status, 201);
    assert.equal(v6.body.ip_version, 6);
    const v4 = await h.request('POST', '/v1/monitors', {
      body: { name: 'v4', url: 'http://127.0.0.1:8080/', ip_version: 4 },
    });
    assert.equal(v4.body.ip_version, 4);
    const bad = await h.request('POST', '/v1/monitors', {
      body: { name: 'x', url: 'http://[::1]:8080/', ip_version: 4 },
    });
    assert.equal(bad.status, 422);
    assert.match(bad.body.message, /ip_version 4 cannot reach the IPv6 address/);
    const moved = await h.request('PUT', `/v1/monitors/${v4.body.uuid}`, { body: { url: 'http://[::1]:9090/' } });
    assert.equal(moved.body.ip_version, 6);
  });

  test('control characters in a request header name or value are 422 naming the field (a check could never send them)', async () => {
    const before = (await h.request('GET', '/v1/monitors')).body.length;
    for (const header of [
      { name: 'X-A', value: 'a\u0001b' },
      { name: 'X-A', value: 'tab\tok\u007f' },
      { name: 'X-A', value: 'line\r\nX-Evil: 1' },
      { name: 'X\u0000A', value: 'v' },
      { name: 'X A', value: 'v' },
    ]) {
      const res = await h.request('POST', '/v1/monitors', {
        body: { name: 'h', url: 'https://example.org', request_headers: [header] },
      });
      assert.equal(res.status, 422, JSON.stringify(header));
      assert.match(res.body.message, /request.header/, JSON.stringify(header));
    }
    assert.equal((await h.request('GET', '/v1/monitors')).body.length, before);
    const ok = await h.request('POST', '/v1/monitors', {
      body: {
        name: 'h',
        url: 'https://example.org',
        request_headers: [{ name: 'X-A', value: 'tab\tand spaces, ünïcödé' }],
        paused: true,
      },
    });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
  });
});
