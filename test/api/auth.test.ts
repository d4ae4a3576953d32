import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectStatus, startHarness, snapshot, type Harness } from '../harness.ts';
import { hashApiKey, maskApiKey } from '../../src/domain/api-keys.ts';
import { createApiKey, revokeApiKey } from '../../src/services/api-keys.ts';
import { newId } from '../../src/domain/ids.ts';
import http from 'node:http';

let h: Harness;
let offset = 0;
let frozen: number | null = null;
const clock = () => frozen ?? Date.now() + offset;
before(async () => {
  h = await startHarness({ clock });
});
after(async () => {
  await h.stop();
});

const UNAUTH = '{"error":"Invalid or missing API key"}';
const FORBID = '{"error":"Insufficient permissions for this action"}';

/**
 * How to make a resource of each family in a project, so that every route of the OpenAPI
 * document can be called with a real id. A new route family without a fixture fails the test.
 */
const newMonitor = async (key: string) =>
  (
    await expectStatus(
      201,
      h.request('POST', '/v1/monitors', { key, body: { name: 'fx', url: 'https://example.org' } }),
    )
  ).body.uuid as string;
const fixtures: Record<string, (key: string) => Promise<string>> = {
  '/v1/monitors/{uuid}': newMonitor,
  '/v2/reporting/monitor-reports/{uuid}': newMonitor,
  // Outages are made by the engine; the fixture writes the row the engine would write.
  '/v2/outages/{uuid}': async (key) => {
    const m = await h.ctx.store.db
      .selectFrom('monitors')
      .select(['id', 'project_id'])
      .where('uuid', '=', await newMonitor(key))
      .executeTakeFirstOrThrow();
    const uuid = newId('outage');
    await h.ctx.store.db
      .insertInto('outages')
      .values({
        uuid,
        project_id: m.project_id,
        monitor_id: m.id,
        outage_type: 'automatic',
        started_at: Date.now(),
        ended_at: null,
        status_code: 500,
        description: 'fixture',
        detected_location: 'local',
        confirmed_locations: 'local',
        protocol: 'http',
        error_header: null,
        acknowledged_at: null,
        acknowledged_by: null,
        escalation_policy_id: null,
        created_at: Date.now(),
      })
      .execute();
    return uuid;
  },
  '/v2/outages/{uuid}/acknowledge': (key) => fixtures['/v2/outages/{uuid}'](key),
  '/v2/outages/{uuid}/unacknowledge': (key) => fixtures['/v2/outages/{uuid}'](key),
  '/v2/outages/{uuid}/resolve': (key) => fixtures['/v2/outages/{uuid}'](key),
  '/v2/outages/{uuid}/escalate': (key) => fixtures['/v2/outages/{uuid}'](key),
  '/v2/healthchecks/{uuid}': async (key) =>
    (
      await expectStatus(
        201,
        h.request('POST', '/v2/healthchecks', {
          key,
          body: {
            name: 'fx',
            period_value: 60,
            period_type: 'seconds',
            grace_period_value: 60,
            grace_period_type: 'seconds',
          },
        }),
      )
    ).body.healthcheck.uuid,
  '/v2/healthchecks/{uuid}/pause': (key) => fixtures['/v2/healthchecks/{uuid}'](key),
  '/v2/healthchecks/{uuid}/resume': (key) => fixtures['/v2/healthchecks/{uuid}'](key),
  '/v3/incidents/{uuid}': async (key) =>
    (await expectStatus(201, h.request('POST', '/v3/incidents', { key, body: { title: { en: 'fx' } } }))).body
      .uuid as string,
  '/v3/incidents/{uuid}/updates': (key) => fixtures['/v3/incidents/{uuid}'](key),
  '/v1/maintenance-windows/{uuid}': async (key) =>
    (
      await expectStatus(
        201,
        h.request('POST', '/v1/maintenance-windows', {
          key,
          body: {
            name: 'fx',
            start_date: '2030-01-01T00:00:00Z',
            end_date: '2030-01-01T01:00:00Z',
            monitors: [await newMonitor(key)],
          },
        }),
      )
    ).body.uuid as string,
  '/v2/statuspages/{uuid}': async (key) =>
    (await expectStatus(201, h.request('POST', '/v2/statuspages', { key, body: { name: 'fx' } }))).body.statuspage.uuid,
  '/v2/statuspages/{uuid}/subscribers': (key) => fixtures['/v2/statuspages/{uuid}'](key),
  '/v2/statuspages/{uuid}/hostname/verify': (key) => fixtures['/v2/statuspages/{uuid}'](key),
  // The subscriber route has two parameters: a page and one of its subscribers.
  '/v2/statuspages/{uuid}/subscribers/{id}': async (key) => {
    const sp = await fixtures['/v2/statuspages/{uuid}'](key);
    const sub = await expectStatus(
      201,
      h.request('POST', `/v2/statuspages/${sp}/subscribers`, {
        key,
        body: { type: 'email', email: `fx${Math.random().toString(36).slice(2)}@example.org` },
      }),
    );
    return `/v2/statuspages/${sp}/subscribers/${sub.body.subscriber.id}`;
  },
  '/v1/integrations/{uuid}': async (key) =>
    (
      await expectStatus(
        201,
        h.request('POST', '/v1/integrations', {
          key,
          body: { name: 'fx', type: 'webhook', settings: { url: 'https://hooks.example/fx' } },
        }),
      )
    ).body.uuid,
  '/v1/integrations/{uuid}/test': (key) => fixtures['/v1/integrations/{uuid}'](key),
  '/v1/escalation-policies/{uuid}': async (key) =>
    (
      await expectStatus(
        201,
        h.request('POST', '/v1/escalation-policies', {
          key,
          body: { name: 'fx', steps: [{ delayMinutes: 0, emails: ['fx@example.org'] }] },
        }),
      )
    ).body.uuid,
};

interface Route {
  method: string;
  template: string;
}

async function apiRoutes(): Promise<Route[]> {
  const doc = (await h.request('GET', '/openapi.json', { key: null })).body;
  const routes: Route[] = [];
  for (const [template, ops] of Object.entries<any>(doc.paths)) {
    if (!/^\/v[123]\//.test(template)) continue;
    for (const method of Object.keys(ops)) {
      // The regional probe routes take probe tokens, not API keys (test/regional-probes.test.ts).
      if (ops[method].security?.some((s: Record<string, unknown>) => 'probeToken' in s)) continue;
      routes.push({ method: method.toUpperCase(), template });
    }
  }
  return routes;
}

async function fill(template: string, key: string): Promise<string> {
  if (!template.includes('{')) return template;
  const make = fixtures[template];
  assert.ok(make, `no fixture for ${template}: add one so the auth table covers it`);
  const id = await make(key);
  // A fixture for a route with several parameters returns the whole path.
  return id.startsWith('/') ? id : template.replace(/\{[^}]+\}/, id);
}

async function rawKeys() {
  // An expired and a revoked key, made through the services like any other.
  const expiring = await createApiKey(h.ctx, {
    projectUuid: h.project.uuid,
    name: 'soon',
    permission: 'read_write',
    expires: new Date(clock() + 60_000).toISOString(),
    actor: 'test',
  });
  const revoked = await createApiKey(h.ctx, {
    projectUuid: h.project.uuid,
    name: 'gone',
    permission: 'read_write',
    actor: 'test',
  });
  await revokeApiKey(h.ctx, revoked.id, 'test');
  return { expiring: expiring.key, revoked: revoked.key };
}

describe('authentication and permissions on every API route', () => {
  test('the route table is read from /openapi.json and holds the monitor routes', async () => {
    const routes = await apiRoutes();
    const names = routes.map((r) => `${r.method} ${r.template}`);
    for (const r of [
      'GET /v1/monitors',
      'POST /v1/monitors',
      'GET /v1/monitors/{uuid}',
      'PUT /v1/monitors/{uuid}',
      'DELETE /v1/monitors/{uuid}',
    ]) {
      assert.ok(names.includes(r), r);
    }
  });

  test('SECURITY 4: every failure mode answers 401 with the exact body on every route', async () => {
    const { expiring, revoked } = await rawKeys();
    offset = 120_000; // the expiring key is now past its expiry
    try {
      const cases: [string, Record<string, string>][] = [
        ['no header', {}],
        ['Basic scheme', { authorization: `Basic ${Buffer.from(`x:${h.rw}`).toString('base64')}` }],
        ['key without scheme', { authorization: h.rw }],
        ['empty token', { authorization: 'Bearer ' }],
        ['whitespace token', { authorization: 'Bearer    ' }],
        ['malformed', { authorization: 'Bearer sk_short' }],
        ['not an sk_ key', { authorization: 'Bearer pk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }],
        ['unknown', { authorization: 'Bearer sk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }],
        ['revoked', { authorization: `Bearer ${revoked}` }],
        ['expired', { authorization: `Bearer ${expiring}` }],
        ['key in a query-string-like header', { 'x-api-key': h.rw }],
      ];
      for (const route of await apiRoutes()) {
        const path = await fill(route.template, h.rw);
        for (const [name, headers] of cases) {
          const res = await h.request(route.method, path, {
            key: null,
            headers,
            body: ['POST', 'PUT', 'PATCH'].includes(route.method) ? {} : undefined,
          });
          const where = `${route.method} ${route.template} (${name})`;
          assert.equal(res.status, 401, where);
          assert.equal(res.text, UNAUTH, where);
          assert.match(res.headers.get('content-type')!, /^application\/json/, where);
          assert.equal(res.headers.get('www-authenticate'), 'Bearer', where);
          assert.equal(res.headers.get('ratelimit'), null, where);
        }
        const q = await h.request(route.method, `${path}?api_key=${h.rw}`, { key: null });
        assert.equal(q.status, 401, `${route.method} ${route.template} (key in query string)`);
      }
    } finally {
      offset = 0;
    }
  });

  test('two Authorization headers get 401 on every route, even when both carry the same valid key', async () => {
    // Raw requests: fetch would join the two values into one.
    const twice = (method: string, path: string, values: string[]) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const url = new URL(path, h.url);
        const req = http.request(
          { host: url.hostname, port: url.port, method, path: url.pathname + url.search },
          (res) => {
            let body = '';
            res.on('data', (c) => {
              body += c;
            });
            res.on('end', () => resolve({ status: res.statusCode!, body }));
          },
        );
        req.setHeader('authorization', values);
        req.on('error', reject);
        req.end();
      });
    for (const route of (await apiRoutes()).filter((r) => r.method === 'GET')) {
      const path = await fill(route.template, h.rw);
      for (const values of [
        [`Bearer ${h.rw}`, `Bearer ${h.rw}`],
        [`Bearer ${h.rw}`, `Bearer ${h.ro}`],
        [`Bearer ${h.ro}`, 'Basic eDp5'],
      ]) {
        const res = await twice('GET', path, values);
        assert.equal(res.status, 401, `${route.template} ${values.map((v) => v.slice(0, 9)).join(' + ')}`);
        assert.equal(res.body, UNAUTH);
      }
    }
    assert.equal((await twice('GET', '/v1/monitors', [`Bearer ${h.rw}`])).status, 200, 'one header still works');
  });

  test('SECURITY 5: a read-only key gets 403 on every write and the database is unchanged', async () => {
    const routes = (await apiRoutes()).filter((r) => r.method !== 'GET' && r.method !== 'HEAD');
    assert.ok(routes.length >= 3);
    const filled = await Promise.all(routes.map(async (r) => ({ ...r, path: await fill(r.template, h.rw) })));
    const before = await snapshot(h.ctx);
    for (const r of filled) {
      const res = await h.request(r.method, r.path, {
        key: h.ro,
        body: { name: 'changed', url: 'https://example.org', paused: true },
      });
      assert.equal(res.status, 403, `${r.method} ${r.template}`);
      assert.equal(res.text, FORBID);
      assert.match(res.headers.get('content-type')!, /^application\/json/);
    }
    assert.deepEqual(await snapshot(h.ctx), before);
  });

  test('a read-only key reads every GET route', async () => {
    for (const r of (await apiRoutes()).filter((x) => x.method === 'GET')) {
      const res = await h.request('GET', await fill(r.template, h.rw), { key: h.ro });
      assert.equal(res.status, 200, r.template);
      const head = await h.request('HEAD', await fill(r.template, h.rw), { key: h.ro });
      assert.equal(head.status, 200, `HEAD ${r.template}`);
    }
  });

  test("SECURITY 6: another project's resource gets the same 404 as a random id, on every route with an id", async () => {
    for (const r of await apiRoutes()) {
      if (!r.template.includes('{')) continue;
      const mine = await fill(r.template, h.rw);
      const random = r.template.replace(/\{id\}/, '1').replace(/\{[^}]+\}/, 'xyz_AAAAAAAAAAAAAA');
      const body = ['POST', 'PUT', 'PATCH'].includes(r.method) ? { name: 'x' } : undefined;
      const theirs = await h.request(r.method, mine, { key: h.other.rw, body });
      const unknown = await h.request(r.method, random, { key: h.other.rw, body });
      assert.equal(theirs.status, 404, `${r.method} ${r.template}`);
      assert.equal(theirs.text, unknown.text, `${r.method} ${r.template}`);
    }
  });

  test('SECURITY 6: order of checks: 401 before 403 before 404 before 422', async () => {
    const bad = { check_frequency: 7 };
    assert.equal(
      (
        await h.request('PUT', '/v1/monitors/mon_AAAAAAAAAAAAAA', {
          key: 'sk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
          body: bad,
        })
      ).status,
      401,
    );
    assert.equal((await h.request('PUT', '/v1/monitors/mon_AAAAAAAAAAAAAA', { key: h.ro, body: bad })).status, 403);
    assert.equal((await h.request('PUT', '/v1/monitors/mon_AAAAAAAAAAAAAA', { key: h.rw, body: bad })).status, 404);
    const m = (
      await expectStatus(201, h.request('POST', '/v1/monitors', { body: { name: 'o', url: 'https://example.org' } }))
    ).body;
    assert.equal((await h.request('PUT', `/v1/monitors/${m.uuid}`, { key: h.rw, body: bad })).status, 422);
  });

  test('SECURITY 6: an id of any length is judged after the key, on every route with one: 401 without it, 404 up to the 128 characters an id may have, 404 or 422 past them, never 414', async () => {
    // Found by Schemathesis: the router refused a parameter past 100 characters with 414, before authentication.
    for (const r of await apiRoutes()) {
      if (!r.template.includes('{')) continue;
      const body = ['POST', 'PUT', 'PATCH'].includes(r.method) ? { name: 'x' } : undefined;
      for (const length of [101, 128, 129, 3000]) {
        const p = r.template.replace(/\{id\}/, '1').replace(/\{[^}]+\}/, 'a'.repeat(length));
        const what = `${r.method} ${r.template} with an id of ${length}`;
        const anonymous = await h.request(r.method, p, { key: null, body });
        assert.equal(anonymous.status, 401, what);
        assert.equal(anonymous.text, UNAUTH, what);
        const res = await h.request(r.method, p, { key: h.rw, body });
        if (length <= 128) assert.equal(res.status, 404, what);
        else assert.ok([404, 422].includes(res.status), `${what}: ${res.status} ${res.text}`);
      }
    }
  });

  test('SECURITY 7: expiry is exact: the key works 1 ms before expiresAt and fails at it (injected clock)', async () => {
    const at = Math.ceil((Date.now() + 3_600_000) / 1000) * 1000;
    const k = await createApiKey(h.ctx, {
      projectUuid: h.project.uuid,
      name: 'exact',
      permission: 'read_only',
      expires: new Date(at).toISOString(),
      actor: 'test',
    });
    assert.equal(k.expiresAt, new Date(at).toISOString());
    try {
      frozen = at - 1;
      assert.equal((await h.request('GET', '/v1/monitors', { key: k.key })).status, 200);
      frozen = at;
      const res = await h.request('GET', '/v1/monitors', { key: k.key });
      assert.equal(res.status, 401);
      assert.equal(res.text, UNAUTH);
    } finally {
      frozen = null;
    }
  });

  test('SECURITY 8, 9: revocation counts from the very next request, even when another process revokes', async () => {
    const k = await createApiKey(h.ctx, {
      projectUuid: h.project.uuid,
      name: 'to revoke',
      permission: 'read_write',
      actor: 'test',
    });
    const other = await createApiKey(h.ctx, {
      projectUuid: h.project.uuid,
      name: 'stays',
      permission: 'read_write',
      actor: 'test',
    });
    assert.equal((await h.request('GET', '/v1/monitors', { key: k.key })).status, 200);
    const cli = await h.cli(['keys', 'revoke', k.id]);
    assert.equal(cli.code, 0, cli.stderr);
    const res = await h.request('GET', '/v1/monitors', { key: k.key });
    assert.equal(res.status, 401);
    assert.equal(res.text, UNAUTH);
    assert.equal((await h.request('GET', '/v1/monitors', { key: other.key })).status, 200);
    // The same with a key the server has just seen (its row kept in memory) revoked in this process.
    const warm = await createApiKey(h.ctx, {
      projectUuid: h.project.uuid,
      name: 'warm',
      permission: 'read_write',
      actor: 'test',
    });
    for (let i = 0; i < 3; i++) assert.equal((await h.request('GET', '/v1/monitors', { key: warm.key })).status, 200);
    await revokeApiKey(h.ctx, warm.id, 'test');
    assert.equal((await h.request('GET', '/v1/monitors', { key: warm.key })).text, UNAUTH);
  });

  test('SECURITY 2, 11: the key is stored only as a SHA-256 hash; audit rows hold neither key nor hash', async () => {
    const k = await createApiKey(h.ctx, {
      projectUuid: h.project.uuid,
      name: 'audited',
      permission: 'read_write',
      actor: 'test',
      sourceIp: '127.0.0.9',
    });
    const row = await h.ctx.store.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', k.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.key_hash, hashApiKey(k.key));
    assert.equal(row.masked, maskApiKey(k.key));
    assert.match(k.masked, /^sk_[A-Za-z0-9]{4}…[A-Za-z0-9]{4}$/);
    assert.equal((await h.request('DELETE', '/v1/monitors/mon_AAAAAAAAAAAAAA', { key: h.ro })).status, 403);
    await new Promise((r) => setTimeout(r, 50));
    const audit = await h.ctx.store.db.selectFrom('audit_log').selectAll().execute();
    const actions = audit.map((a) => a.action);
    assert.ok(actions.includes('api_key.create'));
    assert.ok(actions.includes('api_key.revoke'));
    const forbidden = audit.find((a) => a.action === 'api.forbidden');
    assert.ok(forbidden, 'a 403 leaves an audit row');
    assert.equal(forbidden!.source_ip, '127.0.0.1');
    const created = audit.find((a) => a.key_id === k.id)!;
    assert.equal(created.source_ip, '127.0.0.9');
    const dump = JSON.stringify(audit);
    assert.ok(!dump.includes(k.key) && !dump.includes(row.key_hash) && !dump.includes(k.key.slice(3)));
  });

  test('SECURITY 10: lastUsedAt is recorded without a write per request', async () => {
    const k = await createApiKey(h.ctx, {
      projectUuid: h.project.uuid,
      name: 'used',
      permission: 'read_only',
      actor: 'test',
    });
    assert.equal(k.lastUsedAt, null);
    assert.equal((await h.request('GET', '/v1/monitors', { key: k.key })).status, 200);
    await new Promise((r) => setTimeout(r, 50));
    const first = (
      await h.ctx.store.db
        .selectFrom('api_keys')
        .select('last_used_at')
        .where('id', '=', k.id)
        .executeTakeFirstOrThrow()
    ).last_used_at;
    assert.ok(first && Math.abs(first - Date.now()) < 10_000);
    for (let i = 0; i < 5; i++) await h.request('GET', '/v1/monitors', { key: k.key });
    await new Promise((r) => setTimeout(r, 50));
    const second = (
      await h.ctx.store.db
        .selectFrom('api_keys')
        .select('last_used_at')
        .where('id', '=', k.id)
        .executeTakeFirstOrThrow()
    ).last_used_at;
    assert.equal(second, first, 'no new write within the minute');
  });
});
