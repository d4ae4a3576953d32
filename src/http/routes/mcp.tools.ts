/**
 * The MCP tools (api-contract §10): each one an input schema (its validation and its
 * `tools/list` entry) and a thin adapter over the services that the REST routes use.
 */
import { Type, type TSchema } from 'typebox';
import { NotFoundError, ValidationError } from '../../domain/errors.ts';
import { RESOLUTIONS, type Resolution } from '../../domain/insights.ts';
import { DATE_MAX, ID_LIST_MAX, ID_MAX, SEARCH_MAX } from '../../domain/limits.ts';
import { Search } from '../schemas.ts';
import { iso, type ActorCtx } from '../../services/context.ts';
import { getIncident, incidentPages } from '../../services/incidents.ts';
import {
  checkLogs,
  monitorAnomalies,
  monitorOutages,
  mtta,
  mttr,
  outageTimeline,
  recentAlerts,
  responseTimes,
  statusSummary,
  uptime,
  windowOf,
} from '../../services/insights.ts';
import {
  countMonitors,
  createMonitor,
  deleteMonitor,
  getMonitor,
  monitorsById,
  monitorsInState,
  searchMonitorIds,
  updateMonitor,
} from '../../services/monitors.ts';
import { getOutage, listOutages } from '../../services/outages.ts';
import { getStatusPage, listStatusPageSummaries } from '../../services/statuspages.ts';
import { incidentWire } from './incidents.ts';
import { monitorWire } from './monitors.ts';
import { CreateMonitorBody } from './monitors.schema.ts';
import { PER_PAGE, outagePageWire, outageWire } from './outages.ts';
import { statusPageWire } from './statuspages.ts';
import { getIntegration, listIntegrations } from '../../services/integrations.ts';
import { getPolicy, listPolicies, type EscalationPolicy } from '../../services/escalation-policies.ts';
import { outageDeliveries } from '../../services/alerting.ts';
import { integrationWire } from './integrations.ts';

export interface ToolEnv {
  publicUrl: string;
}

export interface Tool {
  name: string;
  title: string;
  description: string;
  inputSchema: TSchema;
  call(ctx: ActorCtx, args: any, env: ToolEnv): Promise<unknown>;
}

/**
 * One answer's JSON holds at most this much (the bound a batch's answers share, mcp.ts): a
 * tool that lists stops reading once its items pass it and asks for less instead.
 */
export const MAX_ANSWER = 2 * 1024 * 1024;

export const tooLarge = (howToAskForLess: string) =>
  new ValidationError(`The answer would pass ${MAX_ANSWER / 1024 / 1024} MiB: ${howToAskForLess}`);

/** The items' wire shapes, read page by page while their JSON stays within MAX_ANSWER. */
async function withinAnswer<T, W>(
  pages: AsyncIterable<T[]>,
  wire: (item: T) => W,
  howToAskForLess: string,
): Promise<W[]> {
  const out: W[] = [];
  let size = 0;
  for await (const page of pages) {
    for (const item of page) {
      const w = wire(item);
      size += JSON.stringify(w).length + 1;
      if (size > MAX_ANSWER) throw tooLarge(howToAskForLess);
      out.push(w);
    }
  }
  return out;
}

function tool(
  name: string,
  title: string,
  description: string,
  props: Record<string, TSchema>,
  call: Tool['call'],
): Tool {
  return { name, title, description, inputSchema: Type.Object(props, { additionalProperties: false }), call };
}

const opt = <T extends TSchema>(t: T) => Type.Optional(t);
const Uuid = (what: string) => Type.String({ minLength: 1, maxLength: ID_MAX, description: what });
const Page = (size: string) =>
  opt(Type.Integer({ minimum: 0, maximum: 1_000_000, description: `Zero-indexed page, ${size}. Default 0.` }));
const Window = {
  from: opt(Type.String({ maxLength: DATE_MAX, description: 'ISO start date. Default: 30 days before `to`.' })),
  to: opt(Type.String({ maxLength: DATE_MAX, description: 'ISO end date. Default: now.' })),
  monitor_uuids: opt(
    Type.Array(Uuid('Monitor UUID (mon_…)'), {
      maxItems: ID_LIST_MAX,
      description: 'Restrict to these monitor UUIDs. Default: every monitor.',
    }),
  ),
  uuid: opt(
    Uuid(
      'One monitor UUID, as older SDKs (hyperping-go before 0.7) send it: the same as monitor_uuids with that one UUID.',
    ),
  ),
};
const ResolutionArg = opt(
  Type.Enum([...RESOLUTIONS], { description: 'Time grouping (UTC; weeks start on Monday). Default "day".' }),
);
const OutageStatus = opt(Type.Enum(['all', 'ongoing', 'resolved'], { description: 'Default "all".' }));

/** The monitor fields an MCP client may write: the REST field schemas, the MCP key set. */
const MONITOR_FIELDS = [
  'name',
  'url',
  'protocol',
  'port',
  'http_method',
  'regions',
  'check_frequency',
  'follow_redirects',
  'timeout',
  'expected_status_code',
  'request_body',
  'request_headers',
  'required_keyword',
  'paused',
  'alerts_wait',
  'dns_record_type',
  'dns_nameserver',
  'dns_expected_answer',
  'escalation_policy',
  'group_id',
] as const;
const monitorFields = Object.fromEntries(
  MONITOR_FIELDS.map((k) => [k, opt(CreateMonitorBody.properties[k])]),
) as Record<string, TSchema>;

const windowArgs = (
  ctx: ActorCtx,
  a: { from?: string; to?: string; monitor_uuids?: string[]; uuid?: string; resolution?: Resolution },
) => ({
  period: windowOf(ctx.clock(), a.from, a.to),
  monitorUuids: a.monitor_uuids ?? (a.uuid === undefined ? undefined : [a.uuid]),
  resolution: a.resolution,
});

/** Objects Vigil does not have yet (alerting arrives later): lists are empty, gets find nothing. */
const none = (resource: string) => async () => {
  throw new NotFoundError(resource);
};

/** The MCP policy shape (Hyperping's: flat steps of {delay (minutes here), target_type, target_id}). */
function mcpPolicy(p: EscalationPolicy) {
  const steps = p.steps.flatMap((s) => [
    ...s.integrations.map((id) => ({ delay: s.delayMinutes, target_type: 'integration', target_id: id })),
    ...s.emails.map((e) => ({ delay: s.delayMinutes, target_type: 'user', target_id: e })),
  ]);
  return { uuid: p.uuid, name: p.name, team: null, steps, isDefault: p.isDefault };
}

function checkWire(c: {
  id: number | bigint;
  at: number;
  location: string;
  ok: number;
  status_code: number | null;
  total_ms: number | null;
  error: string | null;
}) {
  return {
    timestamp: iso(Number(c.at)),
    location: c.location,
    ok: c.ok === 1,
    status: c.status_code,
    responseTime: c.total_ms,
    error: c.error,
  };
}

export const TOOLS: Tool[] = [
  tool(
    'list_monitors',
    'List monitors',
    'Paginated monitors in the project. Optional status filter (up/down/paused/ssl_expiring: certificate expires within 30 days).',
    {
      status: opt(Type.Enum(['up', 'down', 'paused', 'ssl_expiring'], { description: 'Filter by state.' })),
      page: Page('rows of `limit`'),
      limit: opt(Type.Integer({ minimum: 1, maximum: 200, description: 'Rows per page. Default 50, max 200.' })),
    },
    async (ctx, a) => {
      const page = a.page ?? 0;
      const limit = a.limit ?? 50;
      const total = await countMonitors(ctx, a.status);
      const monitors = await withinAnswer(
        monitorsInState(ctx, { state: a.status, offset: page * limit, limit }),
        monitorWire,
        `these monitors are large; ask for fewer per page (limit)`,
      );
      return { monitors, total, page, limit };
    },
  ),
  tool(
    'get_monitor',
    'Get monitor',
    'Fetch a single monitor by its UUID.',
    { uuid: Uuid('Monitor UUID (mon_…)') },
    async (ctx, a) => monitorWire(await getMonitor(ctx, a.uuid)),
  ),
  tool(
    'create_monitor',
    'Create monitor',
    'Create a monitor. Requires name and url; the fields and rules of POST /v1/monitors.',
    { ...monitorFields, name: CreateMonitorBody.properties.name, url: CreateMonitorBody.properties.url },
    async (ctx, a) => monitorWire(await createMonitor(ctx, a)),
  ),
  tool(
    'update_monitor',
    'Update monitor',
    'Patch a monitor: only the fields given change (as PUT /v1/monitors/{uuid}).',
    { uuid: Uuid('UUID of the monitor to update.'), ...monitorFields },
    async (ctx, { uuid, ...fields }) => monitorWire(await updateMonitor(ctx, uuid, fields)),
  ),
  tool(
    'delete_monitor',
    'Delete monitor',
    'Delete a monitor and its check history.',
    { uuid: Uuid('UUID of the monitor to delete.') },
    async (ctx, a) => {
      await deleteMonitor(ctx, a.uuid);
      return { message: 'Monitor deleted', uuid: a.uuid };
    },
  ),
  tool(
    'pause_monitor',
    'Pause monitor',
    'Pause a monitor: no checks run. Same as update_monitor with paused=true.',
    { uuid: Uuid('UUID of the monitor to pause.') },
    async (ctx, a) => monitorWire(await updateMonitor(ctx, a.uuid, { paused: true })),
  ),
  tool(
    'resume_monitor',
    'Resume monitor',
    'Resume a paused monitor. Same as update_monitor with paused=false.',
    { uuid: Uuid('UUID of the monitor to resume.') },
    async (ctx, a) => monitorWire(await updateMonitor(ctx, a.uuid, { paused: false })),
  ),
  tool(
    'search_monitors_by_name',
    'Search monitors by name',
    'Case-insensitive substring search across monitor names and URLs.',
    {
      query: Type.String({
        minLength: 1,
        maxLength: SEARCH_MAX,
        description: 'Substring matched against monitor names or URLs.',
      }),
    },
    async (ctx, a) => {
      const ids = await searchMonitorIds(ctx, a.query);
      return withinAnswer(
        monitorsById(ctx, ids),
        monitorWire,
        `${ids.length} monitors match; search for a longer part of a name or URL`,
      );
    },
  ),
  tool(
    'get_status_summary',
    'Status summary',
    'Up/down/paused counts with the UUIDs of the down and the paused monitors.',
    {},
    async (ctx) => statusSummary(ctx),
  ),
  tool(
    'list_outages',
    'List outages',
    'Paginated outages of the project (20 per page, newest first), as GET /v2/outages.',
    {
      page: Page('20 outages per page'),
      search: opt(Search('Substring of the monitor name or URL, or of the description.')),
      status: OutageStatus,
      type: opt(Type.Enum(['all', 'manual', 'monitor'], { description: 'Default "all".' })),
    },
    async (ctx, a) => {
      const page = a.page ?? 0;
      const r = await listOutages(ctx, {
        page,
        perPage: PER_PAGE,
        status: a.status ?? 'all',
        type: a.type ?? 'all',
        search: a.search,
      });
      return outagePageWire(r, page, ctx.clock());
    },
  ),
  tool(
    'get_outage',
    'Get outage',
    'Fetch a single outage by UUID (the object of GET /v2/outages/{uuid}).',
    { uuid: Uuid('Outage UUID (outage_…)') },
    async (ctx, a) => {
      const o = await getOutage(ctx, a.uuid);
      return outageWire(o, ctx.clock(), true, await outageDeliveries(ctx, o.id));
    },
  ),
  tool(
    'get_outage_timeline',
    'Get outage timeline',
    'An outage with its events (started, acknowledged, resolved) and the check results of its monitor from 10 minutes before to 10 minutes after it (at most 500).',
    {
      uuid: Uuid('Outage UUID (outage_…)'),
    },
    async (ctx, a) => {
      const { outage: o, checks } = await outageTimeline(ctx, a.uuid);
      const events: { timestamp: string; status: string; user?: string; note?: string }[] = [
        { timestamp: iso(o.started_at), status: 'started', note: o.description },
      ];
      if (o.acknowledged_at !== null) {
        const by = o.acknowledged_by ? JSON.parse(o.acknowledged_by).name : undefined;
        events.push({ timestamp: iso(o.acknowledged_at), status: 'acknowledged', ...(by ? { user: by } : {}) });
      }
      if (o.ended_at !== null) events.push({ timestamp: iso(o.ended_at), status: 'resolved' });
      events.sort((x, y) => x.timestamp.localeCompare(y.timestamp));
      return {
        uuid: o.uuid,
        monitor_uuid: o.monitor.uuid,
        outage: outageWire(o, ctx.clock(), true),
        events,
        checks: checks.map(checkWire),
      };
    },
  ),
  tool(
    'get_monitor_outages',
    'Get outages for a monitor',
    'Paginated outages of one monitor (20 per page, newest first).',
    {
      monitor_uuid: Uuid('Monitor UUID (mon_…)'),
      page: Page('20 per page'),
      status: OutageStatus,
    },
    async (ctx, a) => {
      const page = a.page ?? 0;
      const r = await monitorOutages(ctx, a.monitor_uuid, { page, perPage: PER_PAGE, status: a.status ?? 'all' });
      return outagePageWire(r, page, ctx.clock());
    },
  ),
  tool(
    'list_recent_alerts',
    'List recent alerts',
    'Down/up transitions Vigil detected (the start and the end of each automatic outage) over a date range, counted per period. Defaults to the last 30 days.',
    {
      ...Window,
      resolution: ResolutionArg,
    },
    async (ctx, a) => {
      const r = await recentAlerts(ctx, windowArgs(ctx, a));
      return {
        ...r,
        rawAlerts: r.rawAlerts.map((x) => ({
          uuid: x.outageUuid,
          monitor_uuid: x.subjectUuid,
          monitor_name: x.subjectName,
          status: x.status,
          triggered_at: iso(x.at),
          ...(x.acknowledgedBy ? { acknowledged_by: x.acknowledgedBy } : {}),
          ...(x.resolvedAt !== null ? { resolved_at: iso(x.resolvedAt) } : {}),
        })),
      };
    },
  ),
  tool(
    'get_monitor_uptime',
    'Get uptime (SLA) stats',
    'Uptime percentage over a date window from the outage history, per monitor and per period.',
    {
      ...Window,
      resolution: ResolutionArg,
    },
    async (ctx, a) => uptime(ctx, windowArgs(ctx, a)),
  ),
  tool(
    'get_monitor_response_time',
    'Get response time',
    'Average response time of successful checks over a date window (from the hourly or daily rollups), per period, per monitor and per location, with a p95 estimated from the latency histogram. Milliseconds.',
    {
      ...Window,
      resolution: ResolutionArg,
    },
    async (ctx, a) => responseTimes(ctx, windowArgs(ctx, a)),
  ),
  tool(
    'get_monitor_mttr',
    'Get MTTR per monitor',
    'Mean time to resolve per monitor with outages in the window, in seconds.',
    Window,
    async (ctx, a) => mttr(ctx, windowArgs(ctx, a)),
  ),
  tool(
    'get_monitor_mtta',
    'Get MTTA per monitor',
    'Mean time to acknowledge (acknowledgement − start) of the outages started in the window, in seconds.',
    Window,
    async (ctx, a) => mtta(ctx, windowArgs(ctx, a)),
  ),
  tool(
    'get_monitor_anomalies',
    'Get monitor anomalies',
    'The last 24 hours of checks of a monitor: failed checks (score 1) and latency spikes — successful checks slower than 3× the p95 of the period, once there are 20 timed checks (score 1 − p95/response time).',
    {
      uuid: Uuid('Monitor UUID (mon_…)'),
    },
    async (ctx, a) => {
      const r = await monitorAnomalies(ctx, a.uuid);
      return {
        uuid: r.monitor.uuid,
        from: iso(r.from),
        to: iso(r.to),
        checksAnalyzed: r.checked,
        p95ResponseTime: r.p95,
        anomalies: r.anomalies.map((x) => ({
          uuid: `check_${x.check.id}`,
          monitor_uuid: r.monitor.uuid,
          detected_at: iso(x.check.at),
          score: x.score,
          type: x.type,
          location: x.check.location,
          responseTime: x.check.totalMs,
          status: x.check.statusCode,
          error: x.check.error,
        })),
      };
    },
  ),
  tool(
    'get_monitor_http_logs',
    'Get monitor check logs',
    'Recent check results of a monitor, newest first: level "info" is a passed check, "error" a failed one (no check is "warn").',
    {
      uuid: Uuid('Monitor UUID (mon_…)'),
      page: Page('rows of `limit`'),
      limit: opt(Type.Integer({ minimum: 1, maximum: 200, description: 'Rows per page. Default 50, max 200.' })),
      level: opt(Type.Array(Type.Enum(['info', 'warn', 'error']), { maxItems: 3, description: 'Filter by level.' })),
    },
    async (ctx, a) => {
      const page = a.page ?? 0;
      const limit = a.limit ?? 50;
      const r = await checkLogs(ctx, a.uuid, { page, limit, levels: a.level });
      return {
        uuid: r.monitor.uuid,
        logs: r.checks.map((c) => ({
          ...checkWire(c),
          level: c.ok === 1 ? 'info' : 'error',
          timings: { dns: c.dns_ms, connect: c.connect_ms, tls: c.tls_ms, ttfb: c.ttfb_ms },
        })),
        total: r.total,
        page,
        limit,
        hasNextPage: (page + 1) * limit < r.total,
      };
    },
  ),
  tool(
    'list_on_call_schedules',
    'List on-call schedules',
    'On-call schedules. Vigil has none yet: always {"schedules":[]}.',
    {},
    async () => ({ schedules: [] }),
  ),
  tool(
    'get_on_call_schedule',
    'Get on-call schedule',
    'One on-call schedule. Vigil has none yet, so every UUID is not found.',
    { uuid: Uuid('Schedule UUID (sch_…)') },
    none('On-call schedule'),
  ),
  tool(
    'list_escalation_policies',
    'List escalation policies',
    'Escalation policies of the project; each step target is an integration or a person (email), with its delay in minutes.',
    {},
    async (ctx) => (await listPolicies(ctx)).map(mcpPolicy),
  ),
  tool(
    'get_escalation_policy',
    'Get escalation policy',
    'One escalation policy by UUID.',
    { uuid: Uuid('Escalation policy UUID (esc_…)') },
    async (ctx, a) => mcpPolicy(await getPolicy(ctx, a.uuid)),
  ),
  tool(
    'list_team_members',
    'List team members',
    'Team members. Vigil has none yet (API keys act, not users): always [].',
    {},
    async () => [],
  ),
  tool(
    'list_integrations',
    'List integrations',
    'Notification channels (email, webhook, Slack, …) of the project, secrets masked.',
    {},
    async (ctx) => (await listIntegrations(ctx)).map((c) => integrationWire(c)),
  ),
  tool(
    'get_integration',
    'Get integration',
    'One notification channel by UUID, secrets masked.',
    { uuid: Uuid('Integration UUID (int_…)') },
    async (ctx, a) => integrationWire(await getIntegration(ctx, a.uuid)),
  ),
  // Vigil's own read tools over incidents and status pages (the REST read shapes).
  tool(
    'list_incidents',
    'List incidents',
    'Status-page incidents, newest first (as GET /v3/incidents).',
    {},
    async (ctx) =>
      withinAnswer(
        incidentPages(ctx),
        incidentWire,
        'the incidents are too large to list here; read them one by one with get_incident, their uuids from GET /v3/incidents',
      ),
  ),
  tool(
    'get_incident',
    'Get incident',
    'One incident with its updates (as GET /v3/incidents/{uuid}).',
    { uuid: Uuid('Incident UUID (inci_…)') },
    async (ctx, a) => incidentWire(await getIncident(ctx, a.uuid)),
  ),
  tool(
    'list_status_pages',
    'List status pages',
    'Status pages, 20 per page, newest first, each in full (settings and sections).',
    {
      page: Page('20 per page'),
      search: opt(Search('Substring of the name, subdomain or hostname.')),
    },
    async (ctx, a, env) => {
      const page = a.page ?? 0;
      const r = await listStatusPageSummaries(ctx, { page, perPage: PER_PAGE, search: a.search });
      async function* full() {
        for (const p of r.pages) yield [await getStatusPage(ctx, p.row.uuid)];
      }
      const pages = await withinAnswer(
        full(),
        (p) => statusPageWire(p, env.publicUrl),
        'these status pages are too large to list in full; read them one by one with get_status_page',
      );
      return {
        statuspages: pages,
        hasNextPage: (page + 1) * PER_PAGE < r.total,
        total: r.total,
        page,
        resultsPerPage: PER_PAGE,
      };
    },
  ),
  tool(
    'get_status_page',
    'Get status page',
    'One status page (the object of GET /v2/statuspages/{uuid}).',
    { uuid: Uuid('Status page UUID (sp_…)') },
    async (ctx, a, env) => statusPageWire(await getStatusPage(ctx, a.uuid), env.publicUrl),
  ),
];

export const TOOLS_BY_NAME = new Map(TOOLS.map((t) => [t.name, t]));
