// Schema-driven fuzzing (SECURITY.md 23): every route and method of Vigil's own /openapi.json gets
// generated valid and invalid path parameters, query strings, headers and bodies, with a
// read-write key, a read-only key and no key.
// CI: fixed seed, few runs. Longer: npm run fuzz [-- --runs 300 --seed 42] (random seed, printed).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { Ajv, type ValidateFunction } from 'ajv';
import { startHarness, snapshot, type Harness } from './harness.ts';
import { newId } from '../src/domain/ids.ts';

const { values: args } = parseArgs({
  args: process.argv.slice(2),
  options: { runs: { type: 'string' }, seed: { type: 'string' }, long: { type: 'boolean' } },
  strict: false,
});
const long = !!(args.long || args.runs || args.seed || process.env.VIGIL_FUZZ_RUNS);
const RUNS = Number(args.runs ?? process.env.VIGIL_FUZZ_RUNS ?? (long ? 300 : 24));
const SEED = Number(args.seed ?? process.env.VIGIL_FUZZ_SEED ?? (long ? Math.floor(Math.random() * 2 ** 31) : 8));
/** Statuses any route may answer besides its documented ones. */
const ERROR_STATUSES = new Set([400, 401, 403, 404, 409, 413, 414, 415, 422, 429]);

let h: Harness;
let doc: any;
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
before(async () => {
  h = await startHarness({ env: { VIGIL_RATE_LIMIT_PER_HOUR: '0' } });
  doc = (await h.request('GET', '/openapi.json', { key: null })).body;
});
after(async () => {
  agent.destroy();
  await h.stop();
});

interface Sent {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}
interface Got {
  status: number;
  contentType: string;
  text: string;
}

/** node:http rather than fetch: it sends bodies on GET/DELETE and any header. */
function send(r: Sent): Promise<Got> {
  return new Promise((resolve, reject) => {
    // Node sends GET/DELETE bodies without framing unless the length is given.
    const headers =
      r.body === undefined ? r.headers : { ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) };
    const req = http.request(h.url + r.path, { method: r.method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          contentType: String(res.headers['content-type'] ?? ''),
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    req.end(r.body);
  });
}

// ---- ids of real resources, so generated paths and bodies reach the handlers, not only 404s ----

type Kind =
  | 'monitor'
  | 'outage'
  | 'healthcheck'
  | 'incident'
  | 'maintenance'
  | 'statuspage'
  | 'subscriber'
  | 'integration'
  | 'policy';
type Ids = Record<Kind, string[]>;

async function makeResources(key: string): Promise<Record<Kind, string>> {
  const req = (method: string, path: string, body: unknown) => h.request(method, path, { key, body });
  const monitor = (await req('POST', '/v1/monitors', { name: 'fz', url: 'https://example.org', paused: true })).body
    .uuid;
  const m = await h.ctx.store.db
    .selectFrom('monitors')
    .select(['id', 'project_id'])
    .where('uuid', '=', monitor)
    .executeTakeFirstOrThrow();
  const outage = newId('outage');
  await h.ctx.store.db
    .insertInto('outages')
    .values({
      uuid: outage,
      project_id: m.project_id,
      monitor_id: m.id,
      outage_type: 'automatic',
      started_at: Date.now() - 60_000,
      ended_at: null,
      status_code: 500,
      description: 'fuzz',
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
  const healthcheck = (
    await req('POST', '/v2/healthchecks', {
      name: 'fz',
      period_value: 60,
      period_type: 'seconds',
      grace_period_value: 60,
      grace_period_type: 'seconds',
    })
  ).body.healthcheck.uuid;
  const incident = (await req('POST', '/v3/incidents', { title: { en: 'fz' } })).body.uuid;
  const maintenance = (
    await req('POST', '/v1/maintenance-windows', {
      name: 'fz',
      start_date: '2030-01-01T00:00:00Z',
      end_date: '2030-01-01T01:00:00Z',
      monitors: [monitor],
    })
  ).body.uuid;
  const statuspage = (await req('POST', '/v2/statuspages', { name: 'fz' })).body.statuspage.uuid;
  const subscriber = String(
    (
      await req('POST', `/v2/statuspages/${statuspage}/subscribers`, {
        type: 'email',
        email: `fz${Math.random().toString(36).slice(2)}@example.org`,
      })
    ).body.subscriber.id,
  );
  const integration = (
    await req('POST', '/v1/integrations', { name: 'fz', type: 'webhook', settings: { url: 'http://127.0.0.1:9/hook' } })
  ).body.uuid;
  const policy = (
    await req('POST', '/v1/escalation-policies', {
      name: 'fz',
      steps: [{ delayMinutes: 0, emails: ['fz@example.org'] }],
    })
  ).body.uuid;
  return { monitor, outage, healthcheck, incident, maintenance, statuspage, subscriber, integration, policy };
}

/** Fresh resources in this project and in the other one (isolation: theirs must stay invisible). */
async function resources(): Promise<Ids> {
  const [mine, theirs] = [await makeResources(h.rw), await makeResources(h.other.rw)];
  return Object.fromEntries(Object.keys(mine).map((k) => [k, [mine[k as Kind], theirs[k as Kind]]])) as Ids;
}

/** Which resource a path parameter names, from the route family. */
function kindOf(template: string, param: string): Kind | null {
  if (param === 'id' && template.includes('/subscribers/')) return 'subscriber';
  const families: [RegExp, Kind][] = [
    [/^\/v1\/monitors\//, 'monitor'],
    [/^\/v2\/reporting\/monitor-reports\//, 'monitor'],
    [/^\/v2\/outages\//, 'outage'],
    [/^\/v2\/healthchecks\//, 'healthcheck'],
    [/^\/ping\//, 'healthcheck'],
    [/^\/v3\/incidents\//, 'incident'],
    [/^\/v1\/maintenance-windows\//, 'maintenance'],
    [/^\/v2\/statuspages\//, 'statuspage'],
    [/^\/v1\/integrations\//, 'integration'],
    [/^\/v1\/escalation-policies\//, 'policy'],
  ];
  return families.find(([re]) => re.test(template))?.[1] ?? null;
}

// ---- generators from JSON Schema ----

const oddStrings = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  'null',
  '0',
  '-1',
  '1e308',
  'NaN',
  'true',
  '[]',
  '{}',
  '..',
  '../..',
  '%00',
  '%E0%A4%A',
  "' OR 1=1 --",
  '<img src=x onerror=alert(1)>',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4j-style string, sent as written
  '${jndi:x}',
  '__proto__',
  'constructor',
  'mon_AAAAAAAAAAAAAA',
  'a'.repeat(3000),
  '😀',
  '\ud800',
  'x\r\ny: z',
);
const anyString = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  fc.string({ unit: 'binary', maxLength: 20 }),
  oddStrings,
);
const anyJson = fc.oneof(fc.jsonValue({ maxDepth: 3 }), oddStrings);
const isoDate = fc
  .integer({ min: Date.parse('2000-01-01'), max: Date.parse('2040-01-01') })
  .map((t) => new Date(t).toISOString());

/** Realistic values for fields whose schema is only "string", so that valid bodies get past the domain rules. */
function hinted(name: string, ids: Ids): fc.Arbitrary<unknown> | null {
  const n = name.toLowerCase();
  if (n === 'projectuuid') return fc.constantFrom(h.project.uuid, h.other.uuid);
  if (/escalation/.test(n)) return fc.constantFrom(...ids.policy, 'none', 'esc_AAAAAAAAAAAAAA', '');
  if (/integration/.test(n)) return fc.constantFrom(...ids.integration, 'int_AAAAAAAAAAAAAA');
  if (/monitor|affectedcomponents|uuid$/.test(n))
    return fc.constantFrom(...ids.monitor, ...ids.monitor.map((u) => u.replace(/^mon_/, '')), 'mon_AAAAAAAAAAAAAA');
  if (n === 'statuspages') return fc.constantFrom(...ids.statuspage);
  if (/url|website|logo|favicon/.test(n))
    return fc.oneof(
      fc.constantFrom('https://example.org', 'http://127.0.0.1:9/x', 'ftp://x', 'https://[::1]/', 'example.org'),
      fc.webUrl(),
    );
  if (n === 'email') return fc.oneof(fc.emailAddress(), anyString);
  if (/date$|^date|_at$/.test(n)) return fc.oneof({ weight: 4, arbitrary: isoDate }, anyString);
  if (/timezone|^tz$/.test(n)) return fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'Mars/Olympus', '');
  if (n === 'cron') return fc.constantFrom('* * * * *', '30 2 * * *', '0 0 31 2 *', '*/0 * * * *', '* * *', '');
  if (/subdomain|hostname/.test(n)) return fc.oneof(fc.domain(), fc.stringMatching(/^[a-z0-9-]{1,20}$/));
  if (n === 'phone') return fc.oneof(fc.stringMatching(/^\+[1-9]\d{6,14}$/), anyString);
  if (/color/.test(n)) return fc.oneof(fc.stringMatching(/^#[0-9a-f]{6}$/), anyString);
  return null;
}

function valid(s: any, ids: Ids, name = '', depth = 0): fc.Arbitrary<unknown> {
  if (!s || typeof s !== 'object') return anyJson;
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const union = s.anyOf ?? s.oneOf;
  if (union) return fc.oneof(...union.map((b: any) => valid(b, ids, name, depth)));
  switch (s.type) {
    case 'object': {
      if (depth > 4) return fc.constant({});
      const props = Object.entries<any>(s.properties ?? {});
      if (!props.length) return fc.dictionary(fc.string({ maxLength: 8 }), anyJson, { maxKeys: 3 });
      return fc.record(Object.fromEntries(props.map(([k, v]) => [k, valid(v, ids, k, depth + 1)])), {
        requiredKeys: s.required ?? [],
      });
    }
    case 'array': {
      const min = s.minItems ?? 0;
      return fc.array(valid(s.items, ids, name, depth + 1), {
        minLength: min,
        maxLength: Math.min(s.maxItems ?? min + 3, min + 3),
      });
    }
    case 'string': {
      if (s.pattern) return fc.stringMatching(new RegExp(s.pattern));
      const hint = hinted(name, ids);
      const min = s.minLength ?? 0;
      const plain = fc.string({ minLength: min, maxLength: Math.min(s.maxLength ?? min + 30, min + 30) });
      return hint ? fc.oneof({ weight: 3, arbitrary: hint }, plain) : plain;
    }
    case 'integer':
      return fc.integer({ min: s.minimum ?? -1000, max: s.maximum ?? 100_000 });
    case 'number':
      return fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return anyJson;
  }
}

/** A valid value with one thing broken: a field of the wrong kind, a required one dropped, extras added. */
function invalid(s: any, ids: Ids): fc.Arbitrary<unknown> {
  const props = Object.keys(s?.properties ?? {});
  if (s?.type !== 'object' || !props.length) return anyJson;
  return fc
    .tuple(valid(s, ids) as fc.Arbitrary<Record<string, unknown>>, fc.constantFrom(...props), anyJson, fc.nat(3))
    .map(([v, key, bad, how]) => {
      const out: Record<string, unknown> = { ...v };
      if (how === 0) out[key] = bad;
      else if (how === 1) delete out[key];
      else if (how === 2)
        Object.assign(out, {
          id: 1,
          uuid: 'mon_AAAAAAAAAAAAAA',
          projectUuid: h.other.uuid,
          created_at: 0,
          key_hash: 'x',
          [key]: bad,
        });
      else
        return JSON.parse(
          `{"__proto__":{"paused":true,"isAdmin":true},${JSON.stringify(out).slice(1)}`.replace(/,}$/, '}'),
        );
      return out;
    });
}

const encode = (v: unknown) => {
  try {
    return encodeURIComponent(typeof v === 'string' ? v : (JSON.stringify(v) ?? ''));
  } catch {
    return 'x'; // a lone surrogate cannot be percent-encoded
  }
};

interface Op {
  method: string;
  template: string;
  op: any;
}

/** One generated request for `op`: path parameters, query, headers and body. */
function requests(o: Op, ids: Ids, key: string | null, mcp: McpHelp): fc.Arbitrary<Sent> {
  const params: any[] = o.op.parameters ?? [];
  const pathParams = params.filter((p) => p.in === 'path');
  const queryParams = params.filter((p) => p.in === 'query');
  const pathArb = fc
    .tuple(
      ...pathParams.map((p) => {
        const kind = kindOf(o.template, p.name);
        const real = kind ? fc.constantFrom(...ids[kind]) : fc.constant('x');
        return fc.oneof(
          { weight: kind ? 4 : 0, arbitrary: real },
          { weight: 1, arbitrary: anyString.map(encode) },
          { weight: 1, arbitrary: fc.constantFrom('%2e%2e', '%E0%A4%A', 'a%2Fb', '%20') },
        );
      }),
    )
    .map((parts) => {
      let i = 0;
      // An empty segment or one of dots addresses another route ("/v1/monitors/" is the list, "/ping/.." is "/").
      return o.template.replace(/\{[^}]+\}/g, () => parts[i++].replace(/^(?:\.|%2e)*$/i, '$&x'));
    });
  const queryArb = fc
    .tuple(
      fc
        .subarray(queryParams)
        .chain((ps) =>
          fc.tuple(
            ...ps.map((p) => fc.oneof(valid(p.schema, ids, p.name), anyString).map((v) => `${p.name}=${encode(v)}`)),
          ),
        ),
      fc.array(
        fc
          .tuple(fc.constantFrom('page', 'api_key', 'limit', '__proto__', 'x', 'search[]'), anyString)
          .map(([k, v]) => `${k}=${encode(v)}`),
        { maxLength: 2 },
      ),
    )
    .map(([a, b]) => (a.length + b.length ? `?${[...a, ...b].join('&')}` : ''));
  const schema = o.op.requestBody?.content?.['application/json']?.schema;
  const bodyArb: fc.Arbitrary<string | undefined> = fc.oneof(
    {
      weight: schema ? 5 : 0,
      arbitrary: (o.template === '/v1/mcp' ? mcp.message : valid(schema, ids)).map((v) => JSON.stringify(v)),
    },
    { weight: schema ? 3 : 0, arbitrary: invalid(schema, ids).map((v) => JSON.stringify(v)) },
    { weight: schema ? 1 : 4, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: anyJson.map((v) => JSON.stringify(v)) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '{',
        '{"a":',
        '[1,',
        'nul',
        '',
        ' ',
        '\u0000',
        `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`,
        'a'.repeat(1024 * 1024 + 1),
      ),
    },
  );
  const headerArb = fc.record(
    {
      'content-type': fc.oneof(
        { weight: 6, arbitrary: fc.constant('application/json') },
        fc.constantFrom(
          'application/json; charset=utf-8',
          'APPLICATION/JSON',
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/json; charset=latin1',
          '',
        ),
      ),
      accept: fc.constantFrom('application/json', '*/*', 'text/html', 'application/json, text/event-stream'),
      'x-forwarded-for': fc.constantFrom('10.0.0.1', 'not an ip', '::1'),
      'mcp-session-id': fc.oneof(fc.constant(mcp.session), anyString.map(encode)),
    },
    { requiredKeys: [] },
  );
  return fc.tuple(pathArb, queryArb, headerArb, bodyArb).map(([path, query, hdrs, body]) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(hdrs)) if (v) headers[k] = v;
    if (body === undefined) delete headers['content-type'];
    else headers['content-type'] ??= 'application/json';
    if (key) headers.authorization = `Bearer ${key}`;
    return { method: o.method, path: path + query, headers, body };
  });
}

// ---- MCP: JSON-RPC messages for the tools the server lists, with arguments from their inputSchemas ----

interface McpHelp {
  session: string;
  message: fc.Arbitrary<unknown>;
}

async function mcpHelp(ids: Ids): Promise<McpHelp> {
  const init = await h.request('POST', '/v1/mcp', {
    body: {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'fuzz', version: '1' } },
    },
  });
  const session = init.headers.get('mcp-session-id') ?? 'none';
  const tools: any[] = (await h.request('POST', '/v1/mcp', { body: { jsonrpc: '2.0', id: 2, method: 'tools/list' } }))
    .body.result.tools;
  const id = fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.constant(null));
  const call = fc
    .constantFrom(...tools)
    .chain((t) =>
      fc.oneof(valid(t.inputSchema, ids), invalid(t.inputSchema, ids)).map((a) => ({ name: t.name, arguments: a })),
    );
  const one = fc.oneof(
    fc.record({ jsonrpc: fc.constant('2.0'), id, method: fc.constant('tools/call'), params: call }),
    call.map((c) => ({ jsonrpc: '2.0', id: 3, method: c.name, params: c.arguments })),
    fc
      .record(
        {
          jsonrpc: fc.constantFrom('2.0', '1.0'),
          method: fc.constantFrom(
            'initialize',
            'ping',
            'tools/list',
            'notifications/initialized',
            'resources/list',
            'x',
          ),
        },
        { requiredKeys: ['method'] },
      )
      .map((m) => ({ ...m, id: 4 })),
    fc.record({ jsonrpc: fc.constant('2.0'), method: fc.constant('notifications/initialized') }),
  );
  return { session, message: fc.oneof({ weight: 4, arbitrary: one }, fc.array(one, { maxLength: 3 })) };
}

// ---- checks on each answer ----

const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: false });
const validators = new Map<object, ValidateFunction>();
const validatorFor = (schema: object) =>
  validators.get(schema) ?? validators.set(schema, ajv.compile(schema)).get(schema)!;

function checkAnswer(o: Op, r: Sent, res: Got) {
  const where = `${r.method} ${r.path.slice(0, 200)} [${r.headers.authorization ? 'key' : 'no key'}] body=${(r.body ?? '').slice(0, 300)} → ${res.status} ${res.text.slice(0, 300)}`;
  assert.ok(res.status < 500, `5xx: ${where}`);
  const documented = o.op.responses ?? {};
  assert.ok(documented[res.status] || ERROR_STATUSES.has(res.status), `undocumented status: ${where}`);
  if (r.method === 'HEAD' || res.status === 204 || res.status === 202) return;
  const json = /^application\/json/.test(res.contentType);
  const schema = documented[res.status]?.content?.['application/json']?.schema;
  if (res.status >= 400 && !schema) {
    assert.ok(json, `error without JSON: ${where}`);
    const body = JSON.parse(res.text);
    const keys = Object.keys(body);
    assert.ok(
      keys.length === 1 && ['message', 'error'].includes(keys[0]) && typeof body[keys[0]] === 'string',
      `error shape: ${where}`,
    );
  }
  if (schema && Object.keys(schema).some((k) => k !== 'description')) {
    assert.ok(json, `documented JSON, got ${res.contentType}: ${where}`);
    const validate = validatorFor(schema);
    assert.ok(
      validate(JSON.parse(res.text)),
      `body does not match the documented ${res.status} schema (${ajv.errorsText(validate.errors)}): ${where}`,
    );
  }
}

describe(`SECURITY 23: schema-driven fuzzing of every route in /openapi.json (seed ${SEED}, ${RUNS} runs per route and key)`, () => {
  test('SECURITY 23: generated requests never give a 5xx or an undocumented answer, and keys without write permission change nothing', async (t) => {
    t.diagnostic(
      `fast-check seed ${SEED}, ${RUNS} runs per route with a read-write key (a third of that read-only and without a key); rerun with npm run fuzz -- --seed ${SEED} --runs ${RUNS}`,
    );
    const ops: Op[] = [];
    for (const [template, methods] of Object.entries<any>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(methods)) ops.push({ method: method.toUpperCase(), template, op });
    }
    assert.ok(ops.some((o) => o.template === '/v1/mcp'));
    assert.ok(ops.length >= 50, String(ops.length));
    let sent = 0;
    const statuses = new Map<number, number>();
    let ids: Ids | null = null;
    let mcp: McpHelp | null = null;
    let spent = true;
    for (const o of ops) {
      // Fresh resources when the last operation may have deleted them.
      if (spent || o.method === 'DELETE') {
        ids = await resources();
        mcp = await mcpHelp(ids);
      }
      spent = o.method === 'DELETE' || o.template === '/v1/mcp';
      const open = Array.isArray(o.op.security) && o.op.security.length === 0; // /healthz, /ping: no key by design
      let before: Awaited<ReturnType<typeof snapshot>> | null = null;
      for (const [who, key] of [
        ['read-write', h.rw],
        ['read-only', h.ro],
        ['no key', null],
      ] as const) {
        if (who === 'read-only' && !open) before = await snapshot(h.ctx);
        await fc.assert(
          fc.asyncProperty(requests(o, ids!, key, mcp!), async (r) => {
            const res = await send(r);
            sent++;
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
            checkAnswer(o, r, res);
          }),
          {
            seed: SEED,
            numRuns: who === 'read-write' ? RUNS : Math.max(4, Math.ceil(RUNS / 3)),
            endOnFailure: !long,
            includeErrorInReport: true,
          },
        );
      }
      if (before)
        assert.deepEqual(
          await snapshot(h.ctx),
          before,
          `read-only or unauthenticated requests to ${o.method} ${o.template} changed the database`,
        );
    }
    t.diagnostic(
      `${sent} requests over ${ops.length} operations; statuses ${[...statuses]
        .sort((a, b) => a[0] - b[0])
        .map(([s, n]) => `${s}×${n}`)
        .join(' ')}`,
    );
    assert.equal((await h.request('GET', '/healthz', { key: null })).status, 200);
  });

  test('a ping whose body holds a NUL byte is stored like any other (NUL kept as U+FFFD)', async () => {
    const token = (
      await h.request('POST', '/v2/healthchecks', {
        body: {
          name: 'nul',
          period_value: 60,
          period_type: 'seconds',
          grace_period_value: 60,
          grace_period_type: 'seconds',
        },
      })
    ).body.healthcheck.uuid;
    const res = await send({
      method: 'POST',
      path: `/ping/${token}`,
      headers: { 'content-type': 'text/plain' },
      body: 'a\u0000b',
    });
    assert.equal(res.status, 200, res.text);
    const logs = (await h.request('GET', `/v2/healthchecks/${token}`)).body.healthcheck.logs;
    assert.equal(logs[0].body, 'a\uFFFDb');
  });
});
