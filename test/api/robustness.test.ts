import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { client, startHarness, type Harness } from '../harness.ts';
import { createApiKey } from '../../src/services/api-keys.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.stop();
});

describe('bad input never yields a 500', () => {
  test('SECURITY 19: malformed JSON is 400 with a JSON message and creates nothing', async () => {
    const before = (await h.request('GET', '/v1/monitors')).body.length;
    for (const raw of ['{bad', '{"name":', '[1,', 'nul']) {
      const res = await h.request('POST', '/v1/monitors', { raw });
      assert.equal(res.status, 400, raw);
      assert.deepEqual(res.body, { message: 'Invalid JSON body' });
    }
    assert.equal((await h.request('GET', '/v1/monitors')).body.length, before);
  });

  test('a JSON body that is not an object is 422', async () => {
    for (const raw of ['[]', '"x"', '42', 'null', 'true']) {
      const res = await h.request('POST', '/v1/monitors', { raw });
      assert.equal(res.status, 422, raw);
      assert.equal(typeof res.body.message, 'string');
    }
  });

  test('SECURITY 19: a body over 1 MiB is 413', async () => {
    const res = await h.request('POST', '/v1/monitors', {
      raw: JSON.stringify({ name: 'x', url: 'https://e.org', request_body: 'a'.repeat(1024 * 1024 + 10) }),
    });
    assert.equal(res.status, 413);
    assert.equal(typeof res.body.message, 'string');
  });

  test('SECURITY 19: an unknown route is 404 JSON, with or without a key', async () => {
    for (const key of [null, h.rw]) {
      const res = await h.request('GET', '/v1/nothing-here', { key });
      assert.equal(res.status, 404);
      assert.deepEqual(res.body, { message: 'Not found' });
    }
  });

  test('an empty body with Content-Type: application/json is accepted on GET and DELETE', async () => {
    // fetch refuses a GET body, so this one goes through node:http
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${h.url}/v1/monitors`,
        {
          method: 'GET',
          headers: { authorization: `Bearer ${h.rw}`, 'content-type': 'application/json', 'content-length': '0' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 200);
    const del = await h.request('DELETE', '/v1/monitors/mon_AAAAAAAAAAAAAA', {
      raw: '',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(del.status, 404);
  });

  test('another content type is 415 JSON', async () => {
    const res = await h.request('POST', '/v1/monitors', { raw: 'name=x', headers: { 'content-type': 'text/plain' } });
    assert.equal(res.status, 415);
    assert.equal(typeof res.body.message, 'string');
  });

  test('SECURITY 19: odd values, deep nesting, prototype keys and huge numbers give 4xx, and the server stays up', async () => {
    const bodies: unknown[] = [
      { name: 'x', url: 'https://e.org', check_frequency: 1e308 },
      { name: 'x', url: 'https://e.org', port: -1, protocol: 'port' },
      { name: 'x', url: 'https://e.org', regions: 'london' },
      { name: 'x', url: 'https://e.org', request_headers: [null] },
      { name: 'x', url: 'https://e.org', request_headers: 'x' },
      { name: { en: 'x' }, url: 'https://e.org' },
      { name: 'x', url: 'https://e.org', group_id: { a: 1 } },
      JSON.parse('{"name":"x","url":"https://e.org","__proto__":{"paused":true}}'),
      { name: 'x\u0000', url: 'https://e.org' },
      { name: 'x', url: `https://${'a'.repeat(3000)}.org` },
    ];
    const raws = [
      ...bodies.map((b) => JSON.stringify(b)),
      `{"name":"x","url":"https://e.org","nested":${'['.repeat(20000)}${']'.repeat(20000)}}`,
    ];
    for (const raw of raws) {
      const res = await h.request('POST', '/v1/monitors', { raw });
      assert.ok(res.status < 500, `${res.status} for ${raw.slice(0, 80)}`);
      if (res.status === 201) assert.equal(res.body.paused, false);
    }
    const odd = await h.request('GET', '/v1/monitors/%E0%A4%A');
    assert.ok(odd.status < 500);
    const long = await h.request('GET', `/v1/monitors/${'a'.repeat(5000)}`);
    assert.ok([404, 414, 422].includes(long.status), String(long.status));
    assert.equal(typeof long.body.message, 'string');
    assert.equal((await h.request('GET', '/healthz', { key: null })).status, 200);
  });
});

describe('service endpoints', () => {
  test('GET /healthz is 200 without a key', async () => {
    const res = await h.request('GET', '/healthz', { key: null });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: 'ok' });
  });

  test('/openapi.json is an OpenAPI 3 document of every route with the bearer scheme', async () => {
    const res = await h.request('GET', '/openapi.json', { key: null });
    assert.equal(res.status, 200);
    assert.match(res.body.openapi, /^3\./);
    assert.deepEqual(res.body.components.securitySchemes.bearerAuth, {
      type: 'http',
      scheme: 'bearer',
      description: 'API key: sk_…',
    });
    const served = h.running.app!.printRoutes({ commonPrefix: false });
    for (const p of ['/v1/monitors', '/v1/monitors/{uuid}', '/healthz']) assert.ok(res.body.paths[p], p);
    // printRoutes nests paths under / once / itself is a route (custom-domain status pages).
    assert.ok(served.includes('v1/monitors'));
    assert.ok(h.running.app!.hasRoute({ method: 'GET', url: '/v1/monitors' }));
    assert.deepEqual(res.body.paths['/healthz'].get.security, []);
    assert.ok(res.body.paths['/v1/monitors'].post.requestBody);
  });

  test("/openapi.json documents the answers any request can get besides its route's own: 400, 413, 415, 401/403/429 behind a key, 422 for an id in the path, and the ping URLs' 404, 422, 429 and 503", async () => {
    // Found by Schemathesis: these statuses were answered but not documented (the ping URLs documented only 200).
    const doc = (await h.request('GET', '/openapi.json', { key: null })).body;
    let operations = 0;
    for (const [template, ops] of Object.entries<any>(doc.paths)) {
      if (template === '/healthz') continue; // reads no parameter and no body
      for (const [method, op] of Object.entries<any>(ops)) {
        operations++;
        const ping = template.startsWith('/ping/');
        const probe = op.security?.some((s: Record<string, unknown>) => 'probeToken' in s);
        const want = ['400', '413'];
        if (!ping) want.push('415', '401', '429'); // the ping URLs take any body, and no key
        if (!ping && !probe) want.push('403');
        if (template.includes('{')) want.push('422');
        if (ping) want.push('404', '429', '503');
        for (const status of want)
          assert.ok(op.responses[status], `${method.toUpperCase()} ${template} does not document ${status}`);
      }
    }
    assert.ok(operations > 60, String(operations));
    const longToken = await h.request('GET', `/ping/${'a'.repeat(65)}`, { key: null });
    assert.equal(longToken.status, 422);
    assert.deepEqual(longToken.body, { message: 'token must be at most 64 characters' });
    const longId = await h.request('GET', `/v2/outages/${'a'.repeat(129)}`);
    assert.equal(longId.status, 422);
    assert.deepEqual(longId.body, { message: 'uuid must be at most 128 characters' });
  });

  test('/docs renders from local files (no CDN)', async () => {
    const res = await fetch(`${h.url}/docs/`);
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /swagger-ui/i);
    assert.doesNotMatch(html, /https?:\/\/(cdn|unpkg|cdnjs)/);
    const js = await fetch(`${h.url}/docs/static/swagger-ui-bundle.js`);
    assert.equal(js.status, 200);
  });
});

describe('secrets stay secret', () => {
  test('SECURITY 2: a byte search of the database files and logs finds no key after creating one', async () => {
    const k = await createApiKey(h.ctx, {
      projectUuid: h.project.uuid,
      name: 'secret',
      permission: 'read_write',
      actor: 'test',
    });
    assert.equal((await h.request('GET', '/v1/monitors', { key: k.key })).status, 200);
    const listed = await h.cli(['keys', 'list', '--project', h.project.uuid, '--json']);
    assert.ok(!listed.stdout.includes(k.key));
    assert.ok(listed.stdout.includes(k.masked));
    if (h.ctx.store.dialect === 'sqlite') {
      for (const f of fs.readdirSync(h.db.dataDir)) {
        const bytes = fs.readFileSync(path.join(h.db.dataDir, f));
        assert.equal(bytes.indexOf(k.key), -1, f);
        assert.equal(bytes.indexOf(k.key.slice(3)), -1, f);
      }
    }
  });
});

describe('rate limiting (api-contract §1.8)', () => {
  test('SECURITY 13, 14: headers in draft-8 format, 429 with Retry-After past the quota, per key, failures free', async () => {
    const rl = await startHarness({ env: { VIGIL_RATE_LIMIT_PER_HOUR: '3' } });
    try {
      const c = client(rl.url);
      // failed authentications never consume a key's quota
      for (let i = 0; i < 5; i++)
        assert.equal(
          (await c.request('GET', '/v1/monitors', { key: 'sk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })).status,
          401,
        );
      const seen: string[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await c.request('GET', '/v1/monitors', { key: rl.rw });
        assert.equal(res.status, 200);
        seen.push(res.headers.get('ratelimit')!);
        assert.match(res.headers.get('ratelimit-policy')!, /^"3-in-1hr"; q=3; w=3600; pk=:[A-Za-z0-9+/=]+:$/);
      }
      assert.deepEqual(
        seen.map((s) => s.replace(/t=\d+$/, 't=')),
        ['"3-in-1hr"; r=2; t=', '"3-in-1hr"; r=1; t=', '"3-in-1hr"; r=0; t='],
      );
      const t = Number(/t=(\d+)/.exec(seen[0])![1]);
      assert.ok(t > 3500 && t <= 3600, String(t));
      const over = await c.request('GET', '/v1/monitors', { key: rl.rw });
      assert.equal(over.status, 429);
      assert.match(over.headers.get('retry-after')!, /^\d+$/);
      assert.match(
        over.body.message,
        /^Too many requests: this key may make 3 an hour \(VIGIL_RATE_LIMIT_PER_HOUR\); retry in \d+ s$/,
      );
      assert.equal(
        over.body.message,
        `Too many requests: this key may make 3 an hour (VIGIL_RATE_LIMIT_PER_HOUR); retry in ${over.headers.get('retry-after')} s`,
      );
      // 404s count too and carry the headers; another key is untouched
      const other = await c.request('GET', '/v1/monitors/mon_AAAAAAAAAAAAAA', { key: rl.ro });
      assert.equal(other.status, 404);
      assert.match(other.headers.get('ratelimit')!, /r=2;/);
    } finally {
      await rl.stop();
    }
  });

  test('SECURITY 13: VIGIL_RATE_LIMIT_PER_HOUR=0 turns it off', async () => {
    const rl = await startHarness({ env: { VIGIL_RATE_LIMIT_PER_HOUR: '0' } });
    try {
      const res = await rl.request('GET', '/v1/monitors');
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('ratelimit'), null);
    } finally {
      await rl.stop();
    }
  });

  test('SECURITY 14: repeated failed authentications throttle that address only', async () => {
    const rl = await startHarness({ env: { VIGIL_AUTH_FAILURES_PER_MINUTE: '3' } });
    try {
      for (let i = 0; i < 3; i++) assert.equal((await rl.request('GET', '/v1/monitors', { key: null })).status, 401);
      const blocked = await rl.request('GET', '/v1/monitors', { key: null });
      assert.equal(blocked.status, 429);
      assert.match(blocked.headers.get('retry-after')!, /^\d+$/);
      // the key's own quota is untouched by those failures
      const ok = await startHarness({ env: { VIGIL_AUTH_FAILURES_PER_MINUTE: '3' } });
      try {
        assert.equal((await ok.request('GET', '/v1/monitors')).status, 200);
      } finally {
        await ok.stop();
      }
    } finally {
      await rl.stop();
    }
  });
});
