import { newId } from '../domain/ids.ts';
import { NotFoundError, ValidationError } from '../domain/errors.ts';
import { firstCheckAt, gridPhase } from '../domain/schedule.ts';
import { applyMonitorInput, registrableDomain, type MonitorSettings, type Protocol } from '../domain/monitors.ts';
import { yieldToLoop, type ActorCtx } from './context.ts';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, MonitorRow } from '../storage/schema.ts';
import { prepared } from '../storage/prepared.ts';
import { policyIdFor, policyRefs } from './escalation-policies.ts';
import { ensureRoom } from './limits.ts';

export interface Monitor extends MonitorSettings {
  id: number;
  uuid: string;
  projectUuid: string;
  status: 'up' | 'down';
  ssl_expiration: number | null;
  domain_expiration: number | null;
  escalation_policy_ref: { uuid: string; name: string } | null;
  createdAt: number;
  updatedAt: number;
}

type Row = Selectable<MonitorRow>;

function toSettings(row: Row): MonitorSettings {
  return {
    name: row.name,
    url: row.url,
    protocol: row.protocol as Protocol,
    paused: row.paused === 1,
    port: row.port,
    http_method: row.http_method,
    regions: JSON.parse(row.regions),
    check_frequency: row.check_frequency,
    timeout: row.timeout,
    follow_redirects: row.follow_redirects === 1,
    expected_status_code: row.expected_status_code,
    request_body: row.request_body,
    request_headers: row.request_headers ? JSON.parse(row.request_headers) : null,
    required_keyword: row.required_keyword,
    dns_record_type: row.dns_record_type,
    dns_nameserver: row.dns_nameserver,
    dns_expected_answer: row.dns_expected_answer,
    alerts_wait: row.alerts_wait,
    group_id: row.group_id === null ? null : JSON.parse(row.group_id),
    sort_order: row.sort_order,
    show_url: row.show_url === 1,
    escalation_policy: null,
    ip_version: row.ip_version === 6 ? 6 : 4,
    ssl_alert_days: row.ssl_alert_days,
    ssl_reminders: row.ssl_reminders === 1,
    ssl_notify_on_change: row.ssl_notify_on_change === 1,
    domain_alert_days: row.domain_alert_days,
  };
}

type PolicyRefs = Map<number, { uuid: string; name: string }>;

function toMonitor(row: Row, projectUuid: string, policies: PolicyRefs = new Map()): Monitor {
  // Built field by field: spreading driver rows is several times slower on large lists.
  const s = toSettings(row) as Monitor;
  s.id = row.id;
  s.uuid = row.uuid;
  s.projectUuid = projectUuid;
  s.status = row.status as 'up' | 'down';
  s.ssl_expiration = row.ssl_expiration;
  s.domain_expiration = row.domain_expiration;
  const policy = row.escalation_policy_id === null ? undefined : policies.get(row.escalation_policy_id);
  s.escalation_policy_ref = policy ? { uuid: policy.uuid, name: policy.name } : null;
  s.escalation_policy = policy?.uuid ?? null;
  s.createdAt = row.created_at;
  s.updatedAt = row.updated_at;
  return s;
}

function toColumns(s: MonitorSettings) {
  return {
    name: s.name,
    url: s.url,
    protocol: s.protocol,
    paused: s.paused ? 1 : 0,
    port: s.port,
    http_method: s.http_method,
    regions: JSON.stringify(s.regions),
    check_frequency: s.check_frequency,
    timeout: s.timeout,
    follow_redirects: s.follow_redirects ? 1 : 0,
    expected_status_code: s.expected_status_code,
    request_body: s.request_body,
    request_headers: s.request_headers ? JSON.stringify(s.request_headers) : null,
    required_keyword: s.required_keyword,
    dns_record_type: s.dns_record_type,
    dns_nameserver: s.dns_nameserver,
    dns_expected_answer: s.dns_expected_answer,
    alerts_wait: s.alerts_wait,
    group_id: s.group_id === null ? null : JSON.stringify(s.group_id),
    sort_order: s.sort_order,
    show_url: s.show_url ? 1 : 0,
    ip_version: s.ip_version,
    ssl_alert_days: s.ssl_alert_days,
    ssl_reminders: s.ssl_reminders ? 1 : 0,
    ssl_notify_on_change: s.ssl_notify_on_change ? 1 : 0,
    domain_alert_days: s.domain_alert_days,
    domain: registrableDomain(s.protocol, s.url),
  };
}

/**
 * When the next check runs: paused monitors never; a new, resumed or re-timed one within a few
 * seconds, then on its grid (whose phase is spread over the interval).
 */
function schedule(s: MonitorSettings, now: number): { next_check_at: number | null; check_phase: number } {
  if (s.paused) return { next_check_at: null, check_phase: 0 };
  return { next_check_at: firstCheckAt(now, s.check_frequency), check_phase: gridPhase(s.check_frequency) };
}

/** Server-owned and cross-project fields are refused or ignored before the rules run. */
function checkOwnership(ctx: ActorCtx, input: Record<string, unknown>): void {
  const p = input?.projectUuid;
  if (p !== undefined && p !== null && p !== '' && p !== ctx.actor.projectUuid) {
    throw new ValidationError('projectUuid must be the project of the API key');
  }
}

const monitorByUuid = prepared(
  (db, uuid: string, projectId: number) =>
    db.selectFrom('monitors').selectAll().where('uuid', '=', uuid).where('project_id', '=', projectId),
  { cached: true },
);
// How large each monitor is, from the stored lengths alone (SQLite and PostgreSQL read them
// without reading the texts), and then the rows of one page.
const monitorSizes = prepared(
  (db, projectId: number, afterId: number, limit: number) =>
    db
      .selectFrom('monitors')
      .select([
        'id',
        sql<number>`octet_length(url) + octet_length(request_body) + COALESCE(octet_length(request_headers), 0)`.as(
          'bytes',
        ),
      ])
      .where('project_id', '=', projectId)
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit),
  { cached: true },
);
const monitorsBetween = prepared(
  (db, projectId: number, afterId: number, lastId: number) =>
    db
      .selectFrom('monitors')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('id', '>', afterId)
      .where('id', '<=', lastId)
      .orderBy('id'),
  { cached: true },
);

/**
 * A page of a walk over the whole project holds about this much (a monitor at every bound is
 * 515 KB; 10,000 of them are 5 GB), and at most PAGE_MONITORS monitors.
 */
export const PAGE_BYTES = 2 * 1024 * 1024;
const PAGE_MONITORS = 1000;
/** What a monitor's JSON adds to its URL, body and headers, about. */
const MONITOR_OVERHEAD = 1000;

/**
 * The project's monitors in id order, a page of about PAGE_BYTES at a time: callers that stream
 * or filter the list never hold all of it. A monitor created or deleted meanwhile may or may
 * not be seen.
 */
export async function* monitorPages(
  ctx: ActorCtx,
  page = { bytes: PAGE_BYTES, monitors: PAGE_MONITORS },
): AsyncGenerator<Monitor[]> {
  for (let after = 0; ; ) {
    // One read of sizes serves every page it covers: read again for each page, the sizes of a
    // list of large monitors filled the read cache (64 MB) with near copies of one another.
    const sizes = await monitorSizes(ctx.store, ctx.actor.projectId, after, page.monitors);
    for (let start = 0; start < sizes.length; ) {
      let bytes = 0;
      let end = start; // the page is sizes[start .. end): at least one monitor, then while they fit
      while (end < sizes.length) {
        const next = Number(sizes[end].bytes) + MONITOR_OVERHEAD;
        if (end > start && bytes + next > page.bytes) break;
        bytes += next;
        end++;
      }
      yield await monitorsOf(ctx, start === 0 ? after : sizes[start - 1].id, sizes[end - 1].id);
      start = end;
    }
    if (sizes.length < page.monitors) return;
    after = sizes[sizes.length - 1].id;
  }
}

// Apart from monitorPages so that the rows are not held while the page is written: their
// texts (a monitor's headers are one string of up to 400 KB) would outlive young collections.
async function monitorsOf(ctx: ActorCtx, after: number, last: number): Promise<Monitor[]> {
  const rows = await monitorsBetween(ctx.store, ctx.actor.projectId, after, last);
  const policies = await policyRefs(
    ctx,
    rows.map((r) => r.escalation_policy_id),
  );
  return rows.map((r) =>
    r.escalation_policy_id === null ? shared(r, ctx.actor.projectUuid) : toMonitor(r, ctx.actor.projectUuid, policies),
  );
}

/** Monitors read at a time by the MCP listings, which stop at a 2 MiB answer: 10 at every bound are 5 MB. */
export const MONITOR_PAGE = 10;

/** The states list_monitors filters on: ssl_expiring is a certificate known to expire within 30 days. */
export type MonitorStateFilter = 'up' | 'down' | 'paused' | 'ssl_expiring';
export const SSL_EXPIRING_DAYS = 30;

function inState<Q extends { where: (...args: any[]) => Q }>(q: Q, state: MonitorStateFilter | undefined): Q {
  if (state === 'paused') return q.where('paused', '=', 1);
  if (state === 'up' || state === 'down') return q.where('paused', '=', 0).where('status', '=', state);
  if (state === 'ssl_expiring')
    return q.where('ssl_expiration', 'is not', null).where('ssl_expiration', '<=', SSL_EXPIRING_DAYS);
  return q;
}

/** How many of the project's monitors are in a state (all of them without one). */
export async function countMonitors(ctx: ActorCtx, state?: MonitorStateFilter): Promise<number> {
  const q = inState(ctx.store.db.selectFrom('monitors').where('project_id', '=', ctx.actor.projectId), state);
  return Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
}

/** The monitors in a state from `offset` on, at most `limit`, in id order, MONITOR_PAGE at a time. */
export async function* monitorsInState(
  ctx: ActorCtx,
  f: { state?: MonitorStateFilter; offset: number; limit: number },
): AsyncGenerator<Monitor[]> {
  // The ids first, filtered from the state index (migration 018) and then sorted: `+id` keeps
  // SQLite from walking the rows in id order instead, reading each one's status past its texts.
  const ids = (
    await inState(
      ctx.store.db.selectFrom('monitors').select('id').where('project_id', '=', ctx.actor.projectId),
      f.state,
    )
      .orderBy(sql`+id`)
      .limit(f.limit)
      .offset(f.offset)
      .execute()
  ).map((r) => r.id);
  yield* monitorsById(ctx, ids);
}

/** The monitors with these ids, in that order, MONITOR_PAGE at a time (ids of other projects are skipped). */
export async function* monitorsById(ctx: ActorCtx, ids: number[]): AsyncGenerator<Monitor[]> {
  for (let i = 0; i < ids.length; i += MONITOR_PAGE) {
    const part = ids.slice(i, i + MONITOR_PAGE);
    const rows = await ctx.store.db
      .selectFrom('monitors')
      .selectAll()
      .where('project_id', '=', ctx.actor.projectId)
      .where('id', 'in', part)
      .execute();
    const policies = await policyRefs(
      ctx,
      rows.map((r) => r.escalation_policy_id),
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    yield part.flatMap((id) => {
      const r = byId.get(id);
      return r ? [toMonitor(r, ctx.actor.projectUuid, policies)] : [];
    });
    await yieldToLoop(); // 10 monitors at their bounds are 5 MB to read and parse
  }
}

/**
 * The few columns that summaries and searches need, of every monitor of the project: a
 * project at its limit is 10,000 short rows, never the monitors' bodies and headers.
 */
export async function monitorOutlines(ctx: ActorCtx): Promise<MonitorOutline[]> {
  // Columns stored before the url (2 KB at its bound): read from a row's first page.
  const rows = await ctx.store.db
    .selectFrom('monitors')
    .select(['id', 'uuid', 'name', 'protocol', 'paused'])
    .where('project_id', '=', ctx.actor.projectId)
    .orderBy('id')
    .execute();
  const down = await downMonitorIds(ctx.store.db, ctx.actor.projectId);
  return rows.map((r) => ({
    id: r.id,
    uuid: r.uuid,
    name: r.name,
    protocol: r.protocol,
    paused: r.paused === 1,
    status: down.has(r.id) ? 'down' : 'up',
  }));
}

/** The regions of some monitors (by id), 500 at a time with a turn of the event loop between. */
export async function monitorRegions(ctx: ActorCtx, ids: number[]): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  for (let i = 0; i < ids.length; i += 500) {
    if (i > 0) await yieldToLoop();
    const rows = await ctx.store.db
      .selectFrom('monitors')
      .select(['id', 'regions'])
      .where('project_id', '=', ctx.actor.projectId)
      .where('id', 'in', ids.slice(i, i + 500))
      .execute();
    for (const r of rows) out.set(r.id, JSON.parse(r.regions));
  }
  return out;
}

/**
 * Ids of a project's monitors whose status is down, read from an index: on SQLite `status`
 * follows a monitor's request body and headers in its row, so reading it from the table reads
 * the whole row (515 KB for a monitor at its bounds; migration 018).
 */
export async function downMonitorIds(db: Kysely<Database>, projectId: number): Promise<Set<number>> {
  const rows = await db
    .selectFrom('monitors')
    .select('id')
    .where('project_id', '=', projectId)
    .where('status', '=', 'down')
    .execute();
  return new Set(rows.map((r) => r.id));
}

export interface MonitorOutline {
  id: number;
  uuid: string;
  name: string;
  protocol: string;
  paused: boolean;
  status: 'up' | 'down';
}

/**
 * Ids of the monitors whose name or URL contains `term` (any case), in id order: names and
 * URLs are read a thousand at a time, never the rest of the monitors.
 */
export async function searchMonitorIds(ctx: ActorCtx, term: string): Promise<number[]> {
  const needle = term.toLowerCase();
  const ids: number[] = [];
  for (let after = 0; ; ) {
    const rows = await ctx.store.db
      .selectFrom('monitors')
      .select(['id', 'name', 'url'])
      .where('project_id', '=', ctx.actor.projectId)
      .where('id', '>', after)
      .orderBy('id')
      .limit(1000)
      .execute();
    for (const r of rows)
      if (r.name.toLowerCase().includes(needle) || r.url.toLowerCase().includes(needle)) ids.push(r.id);
    if (rows.length < 1000) return ids;
    after = rows[rows.length - 1].id;
    // SQLite reads at once: without a turn here the 10 reads of a project at its limit are one long task.
    await yieldToLoop();
  }
}

/** Every monitor of the project at once (small projects, tests); the API walks monitorPages. */
export async function listMonitors(ctx: ActorCtx): Promise<Monitor[]> {
  const all: Monitor[] = [];
  for await (const page of monitorPages(ctx)) all.push(...page);
  return all;
}

/** Synchronous where the store reads at once (SQLite) and no policy is named: the hot read makes no promise. */
export function getMonitor(ctx: ActorCtx, uuid: string): Monitor | Promise<Monitor> {
  const rows = monitorByUuid.now(ctx.store, uuid, ctx.actor.projectId);
  return rows
    ? withPolicy(ctx, rows[0])
    : monitorByUuid(ctx.store, uuid, ctx.actor.projectId).then(([row]) => withPolicy(ctx, row));
}

// A cached row (Store.readNow) is the same object until the database changes, and so is its
// Monitor: callers treat what getMonitor and listMonitors return as read-only.
const fromRow = new WeakMap<Row, Monitor>();
function shared(row: Row, projectUuid: string): Monitor {
  let m = fromRow.get(row);
  if (!m) fromRow.set(row, (m = toMonitor(row, projectUuid)));
  return m;
}

function withPolicy(ctx: ActorCtx, row: Row | undefined): Monitor | Promise<Monitor> {
  if (!row) throw new NotFoundError('Monitor');
  if (row.escalation_policy_id === null) return shared(row, ctx.actor.projectUuid);
  return policyRefs(ctx, [row.escalation_policy_id]).then((policies) =>
    toMonitor(row, ctx.actor.projectUuid, policies),
  );
}

export async function createMonitor(ctx: ActorCtx, input: Record<string, unknown>): Promise<Monitor> {
  checkOwnership(ctx, input);
  const settings = applyMonitorInput(null, input);
  const policy = await policyIdFor(ctx, input?.escalation_policy);
  const now = ctx.clock();
  const row = await ctx.store.db.transaction().execute(async (trx) => {
    await ensureRoom(trx, ctx.store, ctx, 'monitors', ctx.actor.projectId);
    return trx
      .insertInto('monitors')
      .values({
        ...toColumns(settings),
        ...schedule(settings, now),
        state_version: 0,
        uuid: newId('mon'),
        project_id: ctx.actor.projectId,
        status: 'up',
        ssl_expiration: null,
        escalation_policy_id: policy ?? null,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
  return toMonitor(row, ctx.actor.projectUuid, await policyRefs(ctx, [row.escalation_policy_id]));
}

export async function updateMonitor(ctx: ActorCtx, uuid: string, input: Record<string, unknown>): Promise<Monitor> {
  const current = await getMonitor(ctx, uuid);
  checkOwnership(ctx, input);
  const settings = applyMonitorInput(current, input);
  const policy = await policyIdFor(ctx, input?.escalation_policy);
  const now = ctx.clock();
  const retimed = settings.paused !== current.paused || settings.check_frequency !== current.check_frequency;
  const row = await ctx.store.db
    .updateTable('monitors')
    .set({
      ...toColumns(settings),
      ...(retimed ? schedule(settings, now) : {}),
      ...(policy !== undefined ? { escalation_policy_id: policy } : {}),
      // A paused monitor forgets a half-confirmed change; it starts clean when resumed.
      ...(settings.paused ? { confirming: null, confirm_since: null, confirm_locations: null } : {}),
      // Another target: its certificate and domain are not known yet (and a new certificate is no "change").
      ...(settings.url !== current.url || settings.protocol !== current.protocol
        ? { ssl_expiration: null, ssl_expires_at: null, ssl_fingerprint: null, domain_expiration: null }
        : settings.domain_alert_days < 0
          ? { domain_expiration: null }
          : {}),
      updated_at: now,
    })
    .where('id', '=', current.id)
    .where('project_id', '=', ctx.actor.projectId)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new NotFoundError('Monitor');
  return toMonitor(row, ctx.actor.projectUuid, await policyRefs(ctx, [row.escalation_policy_id]));
}

export async function deleteMonitor(ctx: ActorCtx, uuid: string): Promise<void> {
  const res = await ctx.store.db
    .deleteFrom('monitors')
    .where('uuid', '=', uuid)
    .where('project_id', '=', ctx.actor.projectId)
    .executeTakeFirst();
  if (Number(res.numDeletedRows) === 0) throw new NotFoundError('Monitor');
}

/** At most this many monitors in one bulk action (the dashboard's list shows 50 a page). */
export const BULK_MAX = 200;

/** The uuids of a bulk action: duplicates and impossible ids dropped; more than BULK_MAX is a 422. */
export function bulkSelection(uuids: string[]): string[] {
  const list = [...new Set(uuids)].filter((u) => u !== '' && u.length <= 128 && !u.includes('\0')); // PostgreSQL refuses NUL
  if (list.length > BULK_MAX) throw new ValidationError(`At most ${BULK_MAX} monitors at once`);
  return list;
}

/**
 * Pauses or resumes several of the project's monitors, each as updateMonitor does; unknown
 * uuids and other projects' are skipped. Answers how many changed.
 */
export async function setMonitorsPaused(ctx: ActorCtx, uuids: string[], paused: boolean): Promise<number> {
  const list = bulkSelection(uuids);
  if (list.length === 0) return 0;
  const rows = await ctx.store.db
    .selectFrom('monitors')
    .select(['uuid', 'paused'])
    .where('project_id', '=', ctx.actor.projectId)
    .where('uuid', 'in', list)
    .where('paused', '=', paused ? 0 : 1)
    .execute();
  for (const r of rows) await updateMonitor(ctx, r.uuid, { paused });
  return rows.length;
}

/** Deletes several of the project's monitors, as deleteMonitor does one; unknown uuids and other projects' are skipped. Answers how many went. */
export async function deleteMonitors(ctx: ActorCtx, uuids: string[]): Promise<number> {
  const list = bulkSelection(uuids);
  if (list.length === 0) return 0;
  const res = await ctx.store.db
    .deleteFrom('monitors')
    .where('project_id', '=', ctx.actor.projectId)
    .where('uuid', 'in', list)
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}
