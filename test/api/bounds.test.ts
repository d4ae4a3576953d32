// Bounded work per request (issue "Abuse resistance"): every collection a request may carry is
// bounded at every level of nesting and every string has a length bound. One table drives the
// checks: /openapi.json shows each bound with the domain's own constant, one past it is refused
// with 422 naming the field and stores nothing (through the API and through the services the
// dashboard calls), and exactly at it passes where that is cheap.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { expectStatus, snapshot, startHarness, type Harness } from '../harness.ts';
import type { ActorCtx } from '../../src/services/context.ts';
import { ValidationError } from '../../src/domain/errors.ts';
import { DATE_MAX, ID_LIST_MAX, ID_MAX, LANGUAGES_MAX, NAME_MAX, TEXT_MAX } from '../../src/domain/limits.ts';
import {
  HEADER_NAME_MAX,
  HEADER_VALUE_MAX,
  MAX_REGIONS,
  MAX_REQUEST_HEADERS,
  MONITOR_TEXT_MAX,
  REGIONS,
} from '../../src/domain/monitors.ts';
import {
  MAX_ALLOWED_DOMAINS,
  MAX_GROUP_SERVICES,
  MAX_PAGE_SERVICES,
  MAX_SECTION_SERVICES,
  MAX_SECTIONS,
  PAGE_TEXT_MAX,
} from '../../src/domain/statuspages.ts';
import { MAX_INITIAL_UPDATES } from '../../src/domain/incidents.ts';
import { MAX_EMAIL_RECIPIENTS, RECIPIENTS_TEXT_MAX } from '../../src/domain/channels.ts';
import { MAX_STEP_TARGETS, MAX_STEPS } from '../../src/domain/alerting.ts';
import { CRON_MAX } from '../../src/domain/healthchecks.ts';
import { MAX_RESULTS_PER_POST } from '../../src/domain/probes.ts';
import { createMonitor } from '../../src/services/monitors.ts';
import { createStatusPage } from '../../src/services/statuspages.ts';
import { createIncident } from '../../src/services/incidents.ts';
import { createMaintenance } from '../../src/services/maintenance.ts';
import { createIntegration } from '../../src/services/integrations.ts';
import { createPolicy } from '../../src/services/escalation-policies.ts';
import { createHealthcheck } from '../../src/services/healthchecks.ts';
import { createProbe } from '../../src/services/probes.ts';
import { TOOLS } from '../../src/http/routes/mcp.tools.ts';

let h: Harness;
let ctx: ActorCtx;
interface Fixtures {
  monitor: string;
  page: string;
  integration: string;
  probeToken: string;
}
const f = {} as Fixtures;

before(async () => {
  h = await startHarness();
  ctx = {
    ...h.ctx,
    actor: { projectId: h.project.id, projectUuid: h.project.uuid, permission: 'read_write', keyId: null },
  };
  f.monitor = (
    await expectStatus(
      201,
      h.request('POST', '/v1/monitors', { body: { name: 'svc', url: 'https://example.org', paused: true } }),
    )
  ).body.uuid;
  f.page = (
    await expectStatus(201, h.request('POST', '/v2/statuspages', { body: { name: 'Bounds' } }))
  ).body.statuspage.uuid;
  f.integration = (
    await expectStatus(
      201,
      h.request('POST', '/v1/integrations', {
        body: { name: 'hook', type: 'webhook', settings: { url: 'https://example.org/hook' } },
      }),
    )
  ).body.uuid;
  f.probeToken = (await createProbe(h.ctx, { projectUuid: h.project.uuid, region: 'paris', actor: 'test' })).token;
});
after(async () => {
  await h.stop();
});

const times = <T>(n: number, item: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => item(i));
/** n distinct two-letter keys: a map by language of n entries. */
const texts = (n: number) =>
  Object.fromEntries(times(n, (i) => [String.fromCharCode(97 + Math.floor(i / 26), 97 + (i % 26)), 'x']));
const window = { name: 'w', start_date: '2030-01-01T00:00:00Z', end_date: '2030-01-01T01:00:00Z', monitors: [] };
const step = { delayMinutes: 0, emails: ['ops@example.com'] };
const probeResult = {
  leaseId: 'lease',
  at: 0,
  ok: true,
  statusCode: 200,
  totalMs: 1,
  dnsMs: null,
  connectMs: null,
  tlsMs: null,
  ttfbMs: null,
  error: null,
};
const service = () => ({ monitor_uuid: f.monitor });
const group = (n: number) => ({ is_group: true, name_shown: 'Group', services: times(n, () => ({ uuid: f.monitor })) });

interface Bound {
  what: string;
  route: string;
  /** Where the bound sits in the route's schema: `a.b` keys, `[]` list items, `{}` map values, `?q` a query parameter. */
  at: string;
  /** Absent for a bound no schema can state (a count across lists): the domain alone enforces it. */
  keyword?: 'maxItems' | 'maxLength' | 'maxProperties';
  max: number;
  /** The request with n where the bound is (the body, or the query string). */
  body?: (n: number) => unknown;
  query?: (n: number) => string;
  /** The field path the refusal names. */
  field?: string;
  /** A request exactly at the bound is cheap and must pass. */
  exact?: boolean;
}

const BOUNDS: Bound[] = [
  // Status pages
  {
    what: 'status page sections',
    route: 'POST /v2/statuspages',
    at: 'sections',
    keyword: 'maxItems',
    max: MAX_SECTIONS,
    body: (n) => ({ name: 'p', sections: times(n, () => ({ name: 's' })) }),
    field: 'sections',
    exact: true,
  },
  {
    what: 'services in a section',
    route: 'POST /v2/statuspages',
    at: 'sections[].services',
    keyword: 'maxItems',
    max: MAX_SECTION_SERVICES,
    body: (n) => ({ name: 'p', sections: [{ name: 's', services: times(n, service) }] }),
    field: 'sections[0].services',
    exact: true,
  },
  {
    what: 'services in a group',
    route: 'POST /v2/statuspages',
    at: 'sections[].services[].services',
    keyword: 'maxItems',
    max: MAX_GROUP_SERVICES,
    body: (n) => ({ name: 'p', sections: [{ name: 's', services: [service(), service(), service(), group(n)] }] }),
    field: 'sections[0].services[3].services',
    exact: true,
  },
  {
    what: 'services on a page in all, groups and their services included',
    route: 'POST /v2/statuspages',
    at: 'sections',
    max: MAX_PAGE_SERVICES,
    // Five sections of a group of 99 are 500 services; the 501st is a sixth section's service.
    body: (n) => ({
      name: 'p',
      sections: [
        ...times(5, () => ({ name: 's', services: [group(99)] })),
        ...(n > 500 ? [{ name: 't', services: times(n - 500, service) }] : []),
      ],
    }),
    field: 'sections[5].services[0]',
    exact: true,
  },
  {
    what: "a status page's languages",
    route: 'POST /v2/statuspages',
    at: 'languages',
    keyword: 'maxItems',
    max: LANGUAGES_MAX,
    body: (n) => ({ name: 'p', languages: times(n, () => 'en') }),
    field: 'languages',
    exact: true,
  },
  {
    what: 'languages of a page description',
    route: 'POST /v2/statuspages',
    at: 'description',
    keyword: 'maxProperties',
    max: LANGUAGES_MAX,
    body: (n) => ({ name: 'p', description: texts(n) }),
    field: 'description',
    exact: true,
  },
  {
    what: 'languages of a section name',
    route: 'POST /v2/statuspages',
    at: 'sections[].name',
    keyword: 'maxProperties',
    max: LANGUAGES_MAX,
    body: (n) => ({ name: 'p', sections: [{ name: texts(n) }] }),
    field: 'sections[0].name',
    exact: true,
  },
  {
    what: "languages of a grouped service's name",
    route: 'POST /v2/statuspages',
    at: 'sections[].services[].services[].name',
    keyword: 'maxProperties',
    max: LANGUAGES_MAX,
    body: (n) => ({
      name: 'p',
      sections: [{ name: 's', services: [{ ...group(1), services: [{ uuid: f.monitor, name: texts(n) }] }] }],
    }),
    field: 'sections[0].services[0].services[0].name',
    exact: true,
  },
  {
    what: 'google_allowed_domains',
    route: 'POST /v2/statuspages',
    at: 'authentication.google_allowed_domains',
    keyword: 'maxItems',
    max: MAX_ALLOWED_DOMAINS,
    body: (n) => ({ name: 'p', authentication: { google_allowed_domains: times(n, (i) => `d${i}.example.com`) } }),
    field: 'authentication.google_allowed_domains',
    exact: true,
  },
  {
    what: "a page description's length",
    route: 'POST /v2/statuspages',
    at: 'description',
    keyword: 'maxLength',
    max: PAGE_TEXT_MAX.description,
    body: (n) => ({ name: 'p', description: 'x'.repeat(n) }),
    field: 'description',
    exact: true,
  },
  {
    what: "a grouped service's description",
    route: 'POST /v2/statuspages',
    at: 'sections[].services[].services[].description{}',
    keyword: 'maxLength',
    max: PAGE_TEXT_MAX.service_description,
    body: (n) => ({
      name: 'p',
      sections: [
        { name: 's', services: [{ ...group(1), services: [{ uuid: f.monitor, description: { en: 'x'.repeat(n) } }] }] },
      ],
    }),
    field: 'sections[0].services[0].services[0].description.en',
    exact: true,
  },
  // Monitors
  {
    what: 'monitor regions',
    route: 'POST /v1/monitors',
    at: 'regions',
    keyword: 'maxItems',
    max: MAX_REGIONS,
    body: (n) => ({
      name: 'm',
      url: 'https://example.org',
      paused: true,
      regions: times(n, (i) => REGIONS[i % REGIONS.length]),
    }),
    field: 'regions',
    exact: true,
  },
  {
    what: 'monitor request headers',
    route: 'POST /v1/monitors',
    at: 'request_headers',
    keyword: 'maxItems',
    max: MAX_REQUEST_HEADERS,
    body: (n) => ({
      name: 'm',
      url: 'https://example.org',
      paused: true,
      request_headers: times(n, (i) => ({ name: `X-H${i}`, value: 'v' })),
    }),
    field: 'request_headers',
    exact: true,
  },
  {
    what: "a request header's name",
    route: 'POST /v1/monitors',
    at: 'request_headers[].name',
    keyword: 'maxLength',
    max: HEADER_NAME_MAX,
    body: (n) => ({
      name: 'm',
      url: 'https://example.org',
      paused: true,
      request_headers: [
        { name: 'A', value: 'a' },
        { name: 'B', value: 'b' },
        { name: 'x'.repeat(n), value: 'v' },
      ],
    }),
    field: 'request_headers[2].name',
    exact: true,
  },
  {
    what: "a request header's value",
    route: 'POST /v1/monitors',
    at: 'request_headers[].value',
    keyword: 'maxLength',
    max: HEADER_VALUE_MAX,
    body: (n) => ({
      name: 'm',
      url: 'https://example.org',
      paused: true,
      request_headers: [
        { name: 'A', value: 'a' },
        { name: 'B', value: 'b' },
        { name: 'C', value: 'x'.repeat(n) },
      ],
    }),
    field: 'request_headers[2].value',
    exact: true,
  },
  {
    what: "a monitor's request body",
    route: 'POST /v1/monitors',
    at: 'request_body',
    keyword: 'maxLength',
    max: MONITOR_TEXT_MAX.request_body,
    body: (n) => ({
      name: 'm',
      url: 'https://example.org',
      paused: true,
      http_method: 'POST',
      request_body: 'x'.repeat(n),
    }),
    field: 'request_body',
    exact: true,
  },
  // Incidents
  {
    what: 'incident affectedComponents',
    route: 'POST /v3/incidents',
    at: 'affectedComponents',
    keyword: 'maxItems',
    max: ID_LIST_MAX,
    body: (n) => ({ title: { en: 't' }, affectedComponents: times(n, () => f.monitor) }),
    field: 'affectedComponents',
    exact: true,
  },
  {
    what: 'incident statuspages',
    route: 'POST /v3/incidents',
    at: 'statuspages',
    keyword: 'maxItems',
    max: ID_LIST_MAX,
    body: (n) => ({ title: { en: 't' }, statuspages: times(n, () => f.page) }),
    field: 'statuspages',
    exact: true,
  },
  {
    what: "an incident's initial updates",
    route: 'POST /v3/incidents',
    at: 'updates',
    keyword: 'maxItems',
    max: MAX_INITIAL_UPDATES,
    body: (n) => ({ title: { en: 't' }, updates: times(n, () => ({ text: { en: 'u' }, type: 'update' })) }),
    field: 'updates',
    exact: true,
  },
  {
    what: 'languages of an incident title',
    route: 'POST /v3/incidents',
    at: 'title',
    keyword: 'maxProperties',
    max: LANGUAGES_MAX,
    body: (n) => ({ title: texts(n) }),
    field: 'title',
  },
  {
    what: "an initial update's text",
    route: 'POST /v3/incidents',
    at: 'updates[].text.en',
    keyword: 'maxLength',
    max: TEXT_MAX,
    body: (n) => ({
      title: { en: 't' },
      updates: [
        { text: { en: 'u' }, type: 'update' },
        { text: { en: 'x'.repeat(n) }, type: 'update' },
      ],
    }),
    field: 'updates[1].text.en',
    exact: true,
  },
  // Maintenance windows
  {
    what: 'maintenance window monitors',
    route: 'POST /v1/maintenance-windows',
    at: 'monitors',
    keyword: 'maxItems',
    max: ID_LIST_MAX,
    body: (n) => ({ ...window, monitors: times(n, () => f.monitor) }),
    field: 'monitors',
    exact: true,
  },
  {
    what: 'maintenance window statuspages',
    route: 'POST /v1/maintenance-windows',
    at: 'statuspages',
    keyword: 'maxItems',
    max: ID_LIST_MAX,
    body: (n) => ({ ...window, statuspages: times(n, () => f.page) }),
    field: 'statuspages',
    exact: true,
  },
  {
    what: 'a maintenance title',
    route: 'POST /v1/maintenance-windows',
    at: 'title.fr',
    keyword: 'maxLength',
    max: NAME_MAX,
    body: (n) => ({ ...window, title: { en: 't', fr: 'x'.repeat(n) } }),
    field: 'title.fr',
    exact: true,
  },
  // Integrations and escalation policies
  {
    what: 'email recipients',
    route: 'POST /v1/integrations',
    at: 'settings.to',
    keyword: 'maxItems',
    max: MAX_EMAIL_RECIPIENTS,
    body: (n) => ({ name: 'mail', type: 'email', settings: { to: times(n, (i) => `p${i}@example.com`) } }),
    field: 'settings.to',
    exact: true,
  },
  {
    what: 'email recipients written as one text',
    route: 'POST /v1/integrations',
    at: 'settings.to',
    keyword: 'maxLength',
    max: RECIPIENTS_TEXT_MAX,
    body: (n) => ({ name: 'mail', type: 'email', settings: { to: `a@example.com,${' '.repeat(n - 14)}` } }),
    field: 'settings.to',
    exact: true,
  },
  {
    what: 'escalation policy steps',
    route: 'POST /v1/escalation-policies',
    at: 'steps',
    keyword: 'maxItems',
    max: MAX_STEPS,
    body: (n) => ({ name: 'p', steps: times(n, () => step) }),
    field: 'steps',
    exact: true,
  },
  {
    what: 'emails of a step',
    route: 'POST /v1/escalation-policies',
    at: 'steps[].emails',
    keyword: 'maxItems',
    max: MAX_STEP_TARGETS,
    body: (n) => ({ name: 'p', steps: [{ delayMinutes: 0, emails: times(n, (i) => `p${i}@example.com`) }] }),
    field: 'steps[0].emails',
    exact: true,
  },
  {
    what: 'integrations of a step',
    route: 'POST /v1/escalation-policies',
    at: 'steps[].integrations',
    keyword: 'maxItems',
    max: MAX_STEP_TARGETS,
    body: (n) => ({ name: 'p', steps: [step, { delayMinutes: 5, integrations: times(n, () => f.integration) }] }),
    field: 'steps[1].integrations',
    exact: true,
  },
  // Healthchecks, probes, reports
  {
    what: 'a cron expression',
    route: 'POST /v2/healthchecks',
    at: 'cron',
    keyword: 'maxLength',
    max: CRON_MAX,
    body: (n) => ({
      name: 'c',
      cron: `* * * * *${' '.repeat(n - 9)}`,
      grace_period_value: 1,
      grace_period_type: 'minutes',
    }),
    field: 'cron',
    exact: true,
  },
  {
    what: 'probe result batches',
    route: 'POST /v1/probe/results',
    at: 'results',
    keyword: 'maxItems',
    max: MAX_RESULTS_PER_POST,
    body: (n) => ({ results: times(n, () => probeResult) }),
    field: 'results',
    exact: true,
  },
  {
    what: 'report dates',
    route: 'GET /v2/reporting/monitor-reports',
    at: '?from',
    keyword: 'maxLength',
    max: DATE_MAX,
    query: (n) => `?from=${'x'.repeat(n)}`,
    field: 'from',
  },
  // Stated in the schema only: the table checks /openapi.json.
  {
    what: 'ids in a list',
    route: 'PUT /v3/incidents/{uuid}',
    at: 'affectedComponents[]',
    keyword: 'maxLength',
    max: ID_MAX,
  },
  {
    what: 'a status page password',
    route: 'PUT /v2/statuspages/{uuid}',
    at: 'password',
    keyword: 'maxLength',
    max: PAGE_TEXT_MAX.password,
  },
  {
    what: 'a section name',
    route: 'PUT /v2/statuspages/{uuid}',
    at: 'sections[].name',
    keyword: 'maxLength',
    max: PAGE_TEXT_MAX.section_name,
  },
  {
    what: 'an incident update',
    route: 'POST /v3/incidents/{uuid}/updates',
    at: 'text.en',
    keyword: 'maxLength',
    max: TEXT_MAX,
  },
  {
    what: 'languages of an incident update',
    route: 'POST /v3/incidents/{uuid}/updates',
    at: 'text',
    keyword: 'maxProperties',
    max: LANGUAGES_MAX,
  },
  {
    what: 'maintenance window monitors (update)',
    route: 'PUT /v1/maintenance-windows/{uuid}',
    at: 'monitors',
    keyword: 'maxItems',
    max: ID_LIST_MAX,
  },
  {
    what: 'monitor regions (update)',
    route: 'PUT /v1/monitors/{uuid}',
    at: 'regions',
    keyword: 'maxItems',
    max: MAX_REGIONS,
  },
  {
    what: 'monitor request headers (update)',
    route: 'PUT /v1/monitors/{uuid}',
    at: 'request_headers',
    keyword: 'maxItems',
    max: MAX_REQUEST_HEADERS,
  },
  {
    what: 'services in a group (update)',
    route: 'PUT /v2/statuspages/{uuid}',
    at: 'sections[].services[].services',
    keyword: 'maxItems',
    max: MAX_GROUP_SERVICES,
  },
];

/** The services the dashboard and the CLI call: the domain rules behind each create route. */
const SERVICES: Record<string, (ctx: ActorCtx, body: any) => Promise<unknown>> = {
  'POST /v1/monitors': createMonitor,
  'POST /v2/statuspages': createStatusPage,
  'POST /v3/incidents': createIncident,
  'POST /v1/maintenance-windows': createMaintenance,
  'POST /v1/integrations': createIntegration,
  'POST /v1/escalation-policies': createPolicy,
  'POST /v2/healthchecks': createHealthcheck,
};

type Schema = Record<string, any>;
/** A schema's alternatives, unions flattened. */
const alternatives = (s: Schema): Schema[] => (s.anyOf ? s.anyOf.flatMap(alternatives) : [s]);

function requestSchema(doc: Schema, route: string, at: string): Schema {
  const [method, path] = route.split(' ');
  const op = doc.paths[path]?.[method.toLowerCase()];
  assert.ok(op, `${route} is in /openapi.json`);
  if (at.startsWith('?')) return op.parameters.find((p: Schema) => p.in === 'query' && p.name === at.slice(1)).schema;
  return op.requestBody.content['application/json'].schema;
}

/** The schemas at `at`: `a.b` properties, `[]` list items, `{}` values of a map. */
function schemasAt(root: Schema, at: string): Schema[] {
  let here = alternatives(root);
  for (const step of at.replace(/^\?\w+/, '').match(/[^.[\]{}]+|\[\]|\{\}/g) ?? []) {
    here = here.flatMap((s) => {
      if (step === '[]') return s.items ? alternatives(s.items) : [];
      if (step === '{}') return typeof s.additionalProperties === 'object' ? alternatives(s.additionalProperties) : [];
      return s.properties?.[step] ? alternatives(s.properties[step]) : [];
    });
  }
  return here;
}

const KIND = { maxItems: 'array', maxLength: 'string', maxProperties: 'object' } as const;

/** Every refusal starts with the path of the field it is about. */
function assertNames(message: unknown, field: string) {
  assert.equal(typeof message, 'string');
  const m = message as string;
  assert.ok(m.startsWith(field) && [' ', ':'].includes(m[field.length]), `"${m}" names ${field}`);
}

describe('Bounded work per request', () => {
  test("every string, list and map of every request body and query in /openapi.json, and of every MCP tool's arguments, has a bound", async () => {
    const doc = (await h.request('GET', '/openapi.json')).body;
    const unbounded: string[] = [];
    const walk = (s: Schema, where: string): void => {
      for (const alt of alternatives(s)) {
        if (alt.type === 'string' && alt.maxLength === undefined && !alt.enum && alt.const === undefined)
          unbounded.push(where);
        if (alt.type === 'array') {
          if (alt.maxItems === undefined) unbounded.push(`${where} (items)`);
          walk(alt.items ?? {}, `${where}[]`);
        }
        for (const [k, v] of Object.entries<Schema>(alt.properties ?? {})) walk(v, `${where}.${k}`);
        if (alt.additionalProperties === true || typeof alt.additionalProperties === 'object') {
          if (alt.maxProperties === undefined) unbounded.push(`${where} (keys)`);
          if (typeof alt.additionalProperties === 'object') walk(alt.additionalProperties, `${where}{}`);
        }
      }
    };
    let routes = 0;
    for (const [path, ops] of Object.entries<Schema>(doc.paths)) {
      for (const [method, op] of Object.entries<Schema>(ops)) {
        const body = op.requestBody?.content?.['application/json']?.schema;
        // /v1/mcp takes any JSON-RPC message; its tools' arguments are walked below.
        if (body && path !== '/v1/mcp') {
          routes++;
          walk(body, `${method.toUpperCase()} ${path}`);
        }
        for (const p of op.parameters ?? [])
          if (p.in === 'query') walk(p.schema, `${method.toUpperCase()} ${path} ?${p.name}`);
      }
    }
    assert.ok(routes >= 20, `${routes} routes with a body`);
    for (const t of TOOLS) walk(t.inputSchema, `MCP ${t.name}`);
    assert.deepEqual(unbounded, []);
  });

  test('/openapi.json states each bound of the table with the constant the domain enforces', async () => {
    const doc = (await h.request('GET', '/openapi.json')).body;
    for (const b of BOUNDS.filter((x) => x.keyword)) {
      const found = schemasAt(requestSchema(doc, b.route, b.at), b.at).filter((s) => s.type === KIND[b.keyword!]);
      assert.ok(found.length > 0, `${b.route} ${b.at}: a ${KIND[b.keyword!]} schema`);
      for (const s of found) assert.equal(s[b.keyword!], b.max, `${b.route} ${b.at} ${b.keyword}`);
    }
  });

  for (const b of BOUNDS.filter((x) => x.field)) {
    const title = `${b.what}: ${b.max + 1} is refused with 422 naming ${b.field}, through the API${SERVICES[b.route] ? ' and the services' : ''}, and nothing is stored${b.exact ? `; ${b.max} passes` : ''}`;
    test(title, async () => {
      const [method, path] = b.route.split(' ');
      const key = path.startsWith('/v1/probe') ? f.probeToken : h.rw;
      const send = (n: number) => h.request(method, path + (b.query?.(n) ?? ''), { key, body: b.body?.(n) });
      // Every authenticated probe request is its heartbeat: the probe's last-seen time moves.
      const stored = async () => {
        const { probes: _, ...rest } = await snapshot(h.ctx);
        return rest;
      };
      const before = await stored();
      const over = await send(b.max + 1);
      assert.equal(over.status, 422, JSON.stringify(over.body));
      assertNames(over.body.message, b.field!);
      const direct = SERVICES[b.route];
      if (direct && b.body) {
        // The dashboard calls the services without a schema: the domain refuses with the same words.
        await assert.rejects(direct(ctx, b.body(b.max + 1)), (err: Error) => {
          assert.ok(err instanceof ValidationError, String(err));
          assertNames(err.message, b.field!);
          return true;
        });
      }
      assert.ok(isDeepStrictEqual(await stored(), before), 'nothing is stored');
      if (b.exact) {
        const at = await send(b.max);
        assert.ok(
          at.status >= 200 && at.status < 300,
          `${b.max}: ${at.status} ${JSON.stringify(at.body)?.slice(0, 300)}`,
        );
      }
    });
  }

  test('a refusal inside a union names the innermost field; a map over its bound names the map', async () => {
    const monitor = { name: 'm', url: 'https://example.org', paused: true };
    const cases: [string, unknown, string][] = [
      [
        '/v1/monitors',
        { ...monitor, request_headers: [{ name: 'A', value: 'a' }, { name: 'B' }] },
        'request_headers[1].value is required',
      ],
      ['/v1/monitors', { ...monitor, group_id: true }, 'group_id must be a string or a whole number'],
      ['/v2/statuspages', { name: 'p', sections: [{ name: { en: 5 } }] }, 'sections[0].name.en must be a string'],
      [
        '/v2/statuspages',
        { name: 'p', sections: [{ name: texts(LANGUAGES_MAX + 1) }] },
        `sections[0].name must have at most ${LANGUAGES_MAX} entries`,
      ],
      [
        '/v1/integrations',
        { name: 'n', type: 'email', settings: { to: ['a@example.com', 5] } },
        'settings.to[1] must be a string',
      ],
    ];
    for (const [path, body, message] of cases) {
      const res = await h.request('POST', path, { body });
      assert.equal(res.status, 422);
      assert.equal(res.body.message, message);
    }
  });
});
