// The project bench/worst-case.ts measures: every collection a project may hold filled to its
// documented limit (domain/project-limits.ts) and every field at its documented maximum
// (docs/api.md "Limits"). One of each kind is made through the service the REST route calls,
// so the API's own rules accept it; the copies are inserted in bulk. Collections the API does
// not bound (incidents, outages, subscribers, …) get the volumes of UNBOUNDED, stated in the docs.
import { randomBytes } from 'node:crypto';
import type { Insertable } from 'kysely';
import { newId, randomAlnum } from '../src/domain/ids.ts';
import { DEFAULT_LIMITS } from '../src/domain/project-limits.ts';
import {
  HEADER_NAME_MAX,
  HEADER_VALUE_MAX,
  MAX_REQUEST_HEADERS,
  MONITOR_TEXT_MAX,
  REGIONS,
} from '../src/domain/monitors.ts';
import { MAX_PAGE_SERVICES, MAX_SECTIONS, PAGE_LANGUAGES, PAGE_TEXT_MAX } from '../src/domain/statuspages.ts';
import { LANGUAGES } from '../src/domain/localized.ts';
import { ID_LIST_MAX, NAME_MAX, TEXT_MAX, URL_MAX } from '../src/domain/limits.ts';
import { MAX_INITIAL_UPDATES } from '../src/domain/incidents.ts';
import { MAX_EMAIL_RECIPIENTS } from '../src/domain/channels.ts';
import { MAX_STEP_TARGETS, MAX_STEPS } from '../src/domain/alerting.ts';
import { CRON_MAX } from '../src/domain/healthchecks.ts';
import { HISTOGRAM_COLUMNS } from '../src/domain/rollups.ts';
import type { ActorCtx } from '../src/services/context.ts';
import type { Store } from '../src/storage/store.ts';
import type { Database } from '../src/storage/schema.ts';
import { createProject } from '../src/services/projects.ts';
import { createApiKey } from '../src/services/api-keys.ts';
import { createProbe } from '../src/services/probes.ts';
import { createMonitor } from '../src/services/monitors.ts';
import { createHealthcheck } from '../src/services/healthchecks.ts';
import { createStatusPage } from '../src/services/statuspages.ts';
import { addIncidentUpdate, createIncident } from '../src/services/incidents.ts';
import { createMaintenance } from '../src/services/maintenance.ts';
import { createIntegration } from '../src/services/integrations.ts';
import { createPolicy } from '../src/services/escalation-policies.ts';
import { insertResultRows } from '../src/services/results.ts';

/** Volumes of what the API does not bound; per monitor or in all, as named. */
export const UNBOUNDED = {
  /** Incidents of the project, each written at the 1 MiB body limit and shown on the biggest page. */
  incidents: 100,
  /** Updates added later to one incident (each a 10-language text at its maximum). */
  updatesOnOneIncident: 100,
  /** Maintenance windows (500 monitors, 10-language texts at their maximum), on the biggest page. */
  maintenance: 500,
  /** Automatic outages of every monitor over the last 90 days, plus this many on one monitor. */
  outagesPerMonitor: 10,
  outagesOnOneMonitor: 10_000,
  /** Manual outages with a description and a summary at their maximum. */
  manualOutages: 1_000,
  /** Subscribers of the biggest page. */
  subscribers: 10_000,
  /** Pings of every heartbeat check (one check holds the maximum history instead). */
  pingsPerCheck: 10,
  /** Raw results of one monitor: the 7 days of raw retention at 10 s in every region. */
  checkDays: 7,
  checkEverySeconds: 10,
} as const;

/** A valid address of the longest length (254): a local part of 64, labels of at most 63. */
export function longestEmail(tag: string): string {
  const local = `${tag}.${'l'.repeat(64)}`.slice(0, 64);
  return `${local}@${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(57)}.org`;
}

/** The documented maximum ping history (VIGIL_PING_HISTORY, docs/configuration.md). */
export const PING_HISTORY_MAX = 10_000;
/** How far below its limit each counted collection is filled, so that creating one more is the request measured. */
export const ROOM = 5;
export const PING_BODY_MAX = 10 * 1024;

export interface Filled {
  projectUuid: string;
  key: string;
  probeToken: string;
  monitors: string[];
  /** Monitors shown on every status page (the first MAX_PAGE_SERVICES minus the healthchecks). */
  pageMonitors: string[];
  /** The monitor with a week of raw results in every region, and the one with the most outages. */
  checkedMonitor: string;
  outagedMonitor: string;
  outage: string;
  healthcheck: string;
  healthchecks: string[];
  page: { uuid: string; subdomain: string };
  pages: string[];
  incident: string;
  maintenance: string;
  integration: string;
  policy: string;
  counts: Record<string, number>;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
const times = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
/** `text` then 'x' up to exactly n characters. */
const pad = (text: string, n: number, fill = 'x') => (text + fill.repeat(Math.max(0, n - text.length))).slice(0, n);
const byLanguage = <L extends string>(langs: readonly L[], n: number, what: string) =>
  Object.fromEntries(langs.map((l) => [l, pad(`${what} ${l} `, n)]));

/** Rows in batches that stay under SQLite's 32,766 bound parameters. */
async function insertMany<T extends keyof Database>(
  store: Store,
  table: T,
  rows: Insertable<Database[T]>[],
): Promise<void> {
  if (rows.length === 0) return;
  const per = Math.max(1, Math.floor(30_000 / Object.keys(rows[0]).length));
  for (let i = 0; i < rows.length; i += per) {
    await store.db
      .insertInto(table)
      .values(rows.slice(i, i + per) as never)
      .execute();
  }
}

/** The largest monitor POST /v1/monitors takes: every string and list at its bound (about 525 KB of JSON). */
export function maxMonitorBody(i: number, policy: string | null) {
  return {
    name: pad(`monitor ${i} `, NAME_MAX),
    url: pad(`http://127.0.0.1:9/${i}/`, URL_MAX, 'a'),
    protocol: 'http',
    http_method: 'POST',
    paused: false,
    regions: [...REGIONS],
    check_frequency: 10,
    expected_status_code: '2xx-3xx',
    request_body: pad(`body ${i} `, MONITOR_TEXT_MAX.request_body),
    request_headers: times(MAX_REQUEST_HEADERS, (h) => ({
      name: pad(`X-H${h}-`, HEADER_NAME_MAX, 'h'),
      value: pad(`v${h} `, HEADER_VALUE_MAX, 'v'),
    })),
    required_keyword: pad('keyword ', MONITOR_TEXT_MAX.required_keyword, 'k'),
    group_id: pad('group-', MONITOR_TEXT_MAX.group_id, 'g'),
    ...(policy ? { escalation_policy: policy } : {}),
  };
}

/**
 * The largest status page the API takes: 50 sections, 500 services (four groups of 99 among
 * them), texts in every page language, grown until the body reaches the 1 MiB limit.
 */
export function maxPageBody(i: number, monitors: string[], healthchecks: string[], bodyLimit = 1024 * 1024) {
  const build = (serviceText: number) => {
    const refs = [...healthchecks.slice(0, 10), ...monitors].slice(0, MAX_PAGE_SERVICES);
    let next = 0;
    const service = () => {
      const ref = refs[next++ % refs.length];
      return {
        monitor_uuid: ref,
        name_shown: byLanguage(PAGE_LANGUAGES, Math.min(serviceText, PAGE_TEXT_MAX.service_name), 'service'),
        description: byLanguage(PAGE_LANGUAGES, Math.min(serviceText, PAGE_TEXT_MAX.service_description), 'about'),
        show_uptime: true,
        show_response_times: !ref.startsWith('hc_'), // a healthcheck has no response times
      };
    };
    // Four groups of 99 (a group counts as a service): 400; then two services in each of the 46 other sections, and one more in eight.
    const sections = times(MAX_SECTIONS, (s) => {
      const services =
        s < 4
          ? [
              {
                is_group: true,
                name_shown: byLanguage(PAGE_LANGUAGES, 255, 'group'),
                show_response_times: true,
                services: times(99, () => {
                  const x = service();
                  return {
                    uuid: x.monitor_uuid,
                    name: x.name_shown,
                    description: x.description,
                    show_response_times: x.show_response_times,
                  };
                }),
              },
            ]
          : times(s < 12 ? 3 : 2, service);
      return {
        name: byLanguage(PAGE_LANGUAGES, PAGE_TEXT_MAX.section_name, `section ${s}`),
        is_split: s % 2 === 0,
        services,
      };
    });
    return {
      name: pad(`Worst case ${i} `, PAGE_TEXT_MAX.name),
      subdomain: `worst-${i}`,
      website: pad('https://example.org/', URL_MAX, 'w'),
      description: byLanguage(PAGE_LANGUAGES, PAGE_TEXT_MAX.description, 'page'),
      languages: [...PAGE_LANGUAGES],
      default_language: 'en',
      logo: pad('https://example.org/logo/', URL_MAX, 'l'),
      favicon: pad('https://example.org/favicon/', URL_MAX, 'f'),
      google_analytics: pad('G-', PAGE_TEXT_MAX.google_analytics, '1'),
      sections,
    };
  };
  // The longest service texts that keep the body within the limit.
  let lo = 1;
  let hi = PAGE_TEXT_MAX.service_description;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (Buffer.byteLength(JSON.stringify(build(mid))) <= bodyLimit - 1024) lo = mid;
    else hi = mid - 1;
  }
  return build(lo);
}

/** The largest incident POST /v3/incidents takes within the 1 MiB body: 500 updates, texts in every language. */
export function maxIncidentBody(monitors: string[], pages: string[], bodyLimit = 1024 * 1024) {
  const build = (updateText: number) => ({
    title: byLanguage(LANGUAGES, NAME_MAX, 'incident'),
    text: byLanguage(LANGUAGES, TEXT_MAX, 'text'),
    type: 'incident',
    affectedComponents: monitors.slice(0, ID_LIST_MAX),
    statuspages: pages.slice(0, ID_LIST_MAX),
    updates: times(MAX_INITIAL_UPDATES, (u) => ({
      text: { en: pad(`update ${u} `, updateText) },
      type: u === 0 ? 'investigating' : 'update',
    })),
  });
  let lo = 1;
  let hi = TEXT_MAX;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (Buffer.byteLength(JSON.stringify(build(mid))) <= bodyLimit - 1024) lo = mid;
    else hi = mid - 1;
  }
  return build(lo);
}

export function maxMaintenanceBody(i: number, monitors: string[], pages: string[], now: number) {
  // Every tenth window is under way; the others ended or are upcoming within 90 days.
  const start = now + ((i % 10) - 5) * 9 * DAY + (i % 10 === 5 ? -DAY : 0);
  return {
    name: pad(`window ${i} `, NAME_MAX),
    title: byLanguage(LANGUAGES, NAME_MAX, 'maintenance'),
    text: byLanguage(LANGUAGES, TEXT_MAX, 'details'),
    start_date: new Date(start).toISOString(),
    end_date: new Date(start + 2 * DAY).toISOString(),
    monitors: monitors.slice(0, ID_LIST_MAX),
    statuspages: pages.slice(0, ID_LIST_MAX),
  };
}

/** Fills a fresh database; `scale` (0 < scale ≤ 1) shrinks the counts, never the sizes. */
export async function fillProject(
  store: Store,
  opts: { scale: number; log?: (line: string) => void },
): Promise<Filled> {
  const say = opts.log ?? (() => {});
  const n = (count: number) => Math.max(1, Math.round(count * opts.scale));
  // A project at its limit less ROOM: the rows that create one more have room.
  const full = (limit: number) => Math.max(1, Math.round(limit * opts.scale) - ROOM);
  const quiet = { info() {}, warn() {}, error() {} };
  const base = { store, clock: Date.now, log: quiet };
  const now = Date.now();
  const project = await createProject(base, 'worst case');
  const key = (
    await createApiKey(base, { projectUuid: project.uuid, name: 'bench', permission: 'read_write', actor: 'bench' })
  ).key;
  const probeToken = (await createProbe(base, { projectUuid: project.uuid, region: 'paris', actor: 'bench' })).token;
  const ctx: ActorCtx = {
    ...base,
    actor: { projectId: project.id, projectUuid: project.uuid, permission: 'read_write', keyId: null },
  };
  const counts: Record<string, number> = {};
  let t = Date.now();
  const done = (what: string) => {
    say(`  ${what} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
    t = Date.now();
  };

  // Integrations and escalation policies, at their project limits.
  const integrations: string[] = [];
  for (let i = 0; i < full(DEFAULT_LIMITS.channels); i++) {
    const body =
      i % 2
        ? {
            name: pad(`mail ${i} `, NAME_MAX),
            type: 'email',
            settings: { to: times(MAX_EMAIL_RECIPIENTS, (r) => longestEmail(`r${r}.${i}`)) },
          }
        : {
            name: pad(`hook ${i} `, NAME_MAX),
            type: 'webhook',
            settings: { url: pad(`http://127.0.0.1:9/hook/${i}/`, URL_MAX, 'u') },
            secret: `whsec_${randomBytes(64).toString('base64')}`,
          };
    integrations.push((await createIntegration(ctx, body)).uuid);
  }
  counts.integrations = integrations.length;
  const policies: string[] = [];
  for (let i = 0; i < full(DEFAULT_LIMITS.escalationPolicies); i++) {
    const steps = times(MAX_STEPS, (s) => ({
      delayMinutes: s * 5,
      integrations: times(MAX_STEP_TARGETS, (k) => integrations[(s + k) % integrations.length]).filter(
        (v, k, a) => a.indexOf(v) === k,
      ),
      emails: times(MAX_STEP_TARGETS, (k) => longestEmail(`p${s}.${k}`)),
    }));
    policies.push((await createPolicy(ctx, { name: pad(`policy ${i} `, NAME_MAX), steps })).uuid);
  }
  counts.policies = policies.length;
  done(`${integrations.length} integrations, ${policies.length} escalation policies`);

  // Monitors: one through the service, the rest copies of its row.
  const first = await createMonitor(ctx, maxMonitorBody(0, policies[0]));
  const template = await store.db
    .selectFrom('monitors')
    .selectAll()
    .where('id', '=', first.id)
    .executeTakeFirstOrThrow();
  const monitors = [first.uuid];
  const monitorIds = [first.id];
  const total = full(DEFAULT_LIMITS.monitors);
  for (let i = 1; i < total; i += 20) {
    const rows = times(Math.min(20, total - i), (k) => {
      const { id: _, ...row } = template;
      const j = i + k;
      const uuid = newId('mon');
      monitors.push(uuid);
      // One in ten is down, one in twenty paused; every tenth names no escalation policy.
      return {
        ...row,
        uuid,
        name: pad(`monitor ${j} `, NAME_MAX),
        status: j % 10 === 3 ? 'down' : 'up',
        paused: j % 20 === 7 ? 1 : 0,
        escalation_policy_id: j % 10 === 0 ? null : template.escalation_policy_id,
      };
    });
    await insertMany(store, 'monitors', rows);
  }
  for (const r of await store.db
    .selectFrom('monitors')
    .select('id')
    .where('project_id', '=', project.id)
    .where('id', '!=', first.id)
    .orderBy('id')
    .execute())
    monitorIds.push(r.id);
  counts.monitors = monitors.length;
  done(
    `${monitors.length} monitors of ${(JSON.stringify(maxMonitorBody(0, policies[0])).length / 1024).toFixed(0)} KB`,
  );

  // Heartbeat checks: the same way; one keeps the maximum ping history with the longest bodies.
  const hcBody = {
    name: pad('heartbeat 0 ', NAME_MAX),
    cron: pad('*/5 * * * *', CRON_MAX, ' '),
    timezone: 'America/Argentina/ComodRivadavia',
    grace_period_value: 10,
    grace_period_type: 'minutes',
    escalation_policy: policies[1] ?? policies[0],
  };
  const hc = await createHealthcheck(ctx, hcBody);
  const hcTemplate = await store.db
    .selectFrom('healthchecks')
    .selectAll()
    .where('id', '=', hc.id)
    .executeTakeFirstOrThrow();
  const healthchecks = [hc.uuid];
  const hcPublic = [hc.public_uuid!];
  const hcTotal = full(DEFAULT_LIMITS.healthchecks);
  const hcRows = times(hcTotal - 1, (k) => {
    const { id: _, ...row } = hcTemplate;
    const uuid = newId('tok', 24);
    const pub = newId('hc', 24);
    healthchecks.push(uuid);
    hcPublic.push(pub);
    return {
      ...row,
      uuid,
      public_uuid: pub,
      name: pad(`heartbeat ${k + 1} `, NAME_MAX),
      last_ping_at: now - 60_000,
      is_down: k % 10 === 3 ? 1 : 0,
    };
  });
  await insertMany(store, 'healthchecks', hcRows);
  const hcIds = (
    await store.db.selectFrom('healthchecks').select('id').where('project_id', '=', project.id).orderBy('id').execute()
  ).map((r) => r.id);
  counts.healthchecks = hcIds.length;
  const agent = pad('curl/8.5.0 ', 1024, 'a');
  await insertMany(
    store,
    'healthcheck_pings',
    times(n(PING_HISTORY_MAX), (p) => ({
      healthcheck_id: hc.id,
      at: now - (PING_HISTORY_MAX - p) * 300_000,
      kind: p % 3 === 0 ? 'start' : p % 17 === 0 ? 'fail' : 'success',
      source_ip: '127.0.0.1',
      user_agent: agent,
      body: pad(`run ${p} `, PING_BODY_MAX, 'b'),
      duration_ms: p % 3 === 0 ? null : 12_345,
    })),
  );
  const smallPings = [];
  for (const id of hcIds.slice(1)) {
    for (let p = 0; p < UNBOUNDED.pingsPerCheck; p++) {
      smallPings.push({
        healthcheck_id: id,
        at: now - (UNBOUNDED.pingsPerCheck - p) * 300_000,
        kind: p % 2 ? 'success' : 'start',
        source_ip: '127.0.0.1',
        user_agent: 'curl/8.5.0',
        body: null,
        duration_ms: null,
      });
    }
  }
  await insertMany(store, 'healthcheck_pings', smallPings);
  counts.pings = n(PING_HISTORY_MAX) + smallPings.length;
  done(`${hcIds.length} heartbeat checks, ${counts.pings} pings`);

  // Status pages at their limit, each with 500 services at the 1 MiB body limit.
  const pageMonitors = monitors.slice(0, MAX_PAGE_SERVICES - 10);
  const pages: string[] = [];
  let pageBody = maxPageBody(0, pageMonitors, hcPublic);
  for (let i = 0; i < full(DEFAULT_LIMITS.statusPages); i++) {
    pageBody = { ...pageBody, name: pad(`Worst case ${i} `, PAGE_TEXT_MAX.name), subdomain: `worst-${i}` };
    pages.push((await createStatusPage(ctx, pageBody)).row.uuid);
  }
  counts.statusPages = pages.length;
  const pageRow = await store.db
    .selectFrom('status_pages')
    .select(['id', 'subdomain'])
    .where('uuid', '=', pages[0])
    .executeTakeFirstOrThrow();
  await insertMany(
    store,
    'status_page_subscribers',
    times(n(UNBOUNDED.subscribers), (s) => ({
      status_page_id: pageRow.id,
      type: 'email',
      value: longestEmail(`s${s}`),
      email: longestEmail(`s${s}`),
      phone: null,
      teams_webhook_url: null,
      slack_channel: null,
      language: PAGE_LANGUAGES[s % PAGE_LANGUAGES.length],
      token: randomAlnum(32),
      created_at: now - s,
    })),
  );
  counts.subscribers = n(UNBOUNDED.subscribers);
  done(
    `${pages.length} status pages of ${(JSON.stringify(pageBody).length / 1024).toFixed(0)} KB, ${counts.subscribers} subscribers`,
  );

  // 90 days of daily rollups and 24 hours of hourly ones for the monitors on the pages, in every region.
  const rollup = (monitorId: number, granularity: 'hour' | 'day', bucket: number, location: string, r: number) => ({
    monitor_id: monitorId,
    granularity,
    bucket,
    location,
    checks: 8640,
    failures: r % 7,
    sum_ms: 8640 * 120,
    min_ms: 20,
    max_ms: 2400,
    ...(Object.fromEntries(HISTOGRAM_COLUMNS.map((c, h) => [c, h === 3 ? 8000 : h === 4 ? 640 : 0])) as Record<
      (typeof HISTOGRAM_COLUMNS)[number],
      number
    >),
  });
  const today = Math.floor(now / DAY) * DAY;
  const thisHour = Math.floor(now / HOUR) * HOUR;
  const pageIds = monitorIds.slice(0, pageMonitors.length);
  let rollups = 0;
  for (const id of pageIds) {
    const rows = [];
    for (const loc of REGIONS) {
      for (let d = 0; d < 90; d++) rows.push(rollup(id, 'day', today - d * DAY, loc, d));
      for (let h = 0; h < 24; h++) rows.push(rollup(id, 'hour', thisHour - h * HOUR, loc, h));
    }
    await insertMany(store, 'check_rollups', rows);
    rollups += rows.length;
  }
  counts.rollups = rollups;
  done(`${rollups} rollups`);

  // A week of raw results of one monitor, every 10 s in every region.
  const checked = monitorIds[0];
  const perLocation = Math.round(((UNBOUNDED.checkDays * DAY) / (UNBOUNDED.checkEverySeconds * 1000)) * opts.scale);
  let results = 0;
  for (let start = 0; start < perLocation; start += 1000) {
    const rows = [];
    for (let s = start; s < Math.min(perLocation, start + 1000); s++) {
      const at = now - s * UNBOUNDED.checkEverySeconds * 1000;
      for (const [li, loc] of REGIONS.entries()) {
        const ok = (s + li) % 50 !== 0;
        rows.push({
          monitor_id: checked,
          at: at - li * 100,
          location: loc,
          ok: ok ? 1 : 0,
          status_code: ok ? 200 : 503,
          total_ms: ok ? 100 + ((s * 7 + li) % 400) : 3000,
          dns_ms: 2,
          connect_ms: 5,
          tls_ms: 12,
          ttfb_ms: 80,
          error: ok ? null : 'Expected status 2xx-3xx, got 503',
        });
      }
    }
    await insertResultRows(store, store.db, rows);
    results += rows.length;
  }
  counts.checkResults = results;
  done(`${results} raw results of one monitor`);

  // Outages: ten in 90 days on every monitor, 10,000 on one, 1,000 manual ones with the longest texts.
  const outageRow = (monitorId: number, start: number, minutes: number, manual: boolean) => ({
    uuid: newId('outage'),
    project_id: project.id,
    monitor_id: monitorId,
    outage_type: manual ? 'manual' : 'automatic',
    started_at: start,
    ended_at: start + minutes * 60_000,
    status_code: 503,
    description: manual ? pad('manual ', TEXT_MAX, 'd') : 'Expected status 2xx-3xx, got 503',
    detected_location: 'paris',
    confirmed_locations: 'paris,london',
    protocol: 'http',
    error_header: null,
    acknowledged_at: minutes % 2 ? start + 60_000 : null,
    acknowledged_by: minutes % 2 ? JSON.stringify({ uuid: 'key', email: '', name: 'bench' }) : null,
    escalation_policy_id: null,
    created_at: start,
    healthcheck_id: null,
    severity: manual ? pad('major ', NAME_MAX) : null,
    summary: manual ? pad('summary ', TEXT_MAX, 's') : null,
    escalation_policy_uuid: null,
    escalated_at: null,
    next_alert_at: null,
  });
  const outages = [];
  for (const [i, id] of monitorIds.entries()) {
    for (let k = 0; k < UNBOUNDED.outagesPerMonitor; k++)
      outages.push(outageRow(id, now - ((k * 9 + (i % 9)) * DAY + (i % 1000) * 60_000), 5 + (k % 3), false));
    if (outages.length >= 5000) await insertMany(store, 'outages', outages.splice(0));
  }
  const outaged = monitorIds[1] ?? monitorIds[0];
  for (let k = 0; k < n(UNBOUNDED.outagesOnOneMonitor); k++)
    outages.push(outageRow(outaged, now - 90 * DAY + k * 700_000, 3 + (k % 4), false));
  for (let k = 0; k < n(UNBOUNDED.manualOutages); k++)
    outages.push(outageRow(monitorIds[2] ?? monitorIds[0], now - 60 * DAY + k * 3_600_000, 30, true));
  await insertMany(store, 'outages', outages);
  const outageCount = Number(
    (
      await store.db
        .selectFrom('outages')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
  counts.outages = outageCount;
  const outage = (
    await store.db
      .selectFrom('outages')
      .select('uuid')
      .where('monitor_id', '=', outaged)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow()
  ).uuid;
  done(`${outageCount} outages`);

  // Incidents at the body limit, shown on every page; one of them with many later updates.
  const incidentBody = maxIncidentBody(pageMonitors, pages);
  const incidents: string[] = [];
  for (let i = 0; i < n(UNBOUNDED.incidents); i++) {
    incidents.push(
      (await createIncident(ctx, { ...incidentBody, date: new Date(now - i * DAY).toISOString() }, { notify: false }))
        .uuid,
    );
  }
  for (let u = 0; u < n(UNBOUNDED.updatesOnOneIncident); u++) {
    await addIncidentUpdate(
      ctx,
      incidents[0],
      { text: byLanguage(LANGUAGES, TEXT_MAX, `later ${u}`), type: 'monitoring' },
      { notify: false },
    );
  }
  counts.incidents = incidents.length;
  done(`${incidents.length} incidents of ${(JSON.stringify(incidentBody).length / 1024).toFixed(0)} KB`);

  const windows: string[] = [];
  for (let i = 0; i < n(UNBOUNDED.maintenance); i++)
    windows.push(
      (await createMaintenance(ctx, maxMaintenanceBody(i, pageMonitors, pages, now), { notify: false })).uuid,
    );
  counts.maintenance = windows.length;
  done(`${windows.length} maintenance windows`);

  return {
    projectUuid: project.uuid,
    key,
    probeToken,
    monitors,
    pageMonitors,
    checkedMonitor: monitors[0],
    outagedMonitor: monitors[1] ?? monitors[0],
    outage,
    healthcheck: hc.uuid,
    healthchecks,
    page: { uuid: pages[0], subdomain: pageRow.subdomain },
    pages,
    incident: incidents[0],
    maintenance: windows[0],
    integration: integrations[0],
    policy: policies[0],
    counts,
  };
}
