import { newId } from '../domain/ids.ts';
import { NotFoundError, ValidationError } from '../domain/errors.ts';
import { firstCheckAt, gridPhase } from '../domain/schedule.ts';
import { applyMonitorInput, registrableDomain, type MonitorSettings, type Protocol } from '../domain/monitors.ts';
import type { ActorCtx } from './context.ts';
import type { Selectable } from 'kysely';
import type { MonitorRow } from '../storage/schema.ts';
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

const monitorByUuid = prepared((db, uuid: string, projectId: number) =>
  db.selectFrom('monitors').selectAll().where('uuid', '=', uuid).where('project_id', '=', projectId), { cached: true });
const monitorsOfProject = prepared((db, projectId: number) =>
  db.selectFrom('monitors').selectAll().where('project_id', '=', projectId).orderBy('id'), { cached: true });

export async function listMonitors(ctx: ActorCtx): Promise<Monitor[]> {
  const rows = await monitorsOfProject(ctx.store, ctx.actor.projectId);
  const policies = await policyRefs(ctx, rows.map((r) => r.escalation_policy_id));
  return rows.map((r) => (r.escalation_policy_id === null ? shared(r, ctx.actor.projectUuid) : toMonitor(r, ctx.actor.projectUuid, policies)));
}

/** Synchronous where the store reads at once (SQLite) and no policy is named: the hot read makes no promise. */
export function getMonitor(ctx: ActorCtx, uuid: string): Monitor | Promise<Monitor> {
  const rows = monitorByUuid.now(ctx.store, uuid, ctx.actor.projectId);
  return rows ? withPolicy(ctx, rows[0]) : monitorByUuid(ctx.store, uuid, ctx.actor.projectId).then(([row]) => withPolicy(ctx, row));
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
  return policyRefs(ctx, [row.escalation_policy_id]).then((policies) => toMonitor(row, ctx.actor.projectUuid, policies));
}

export async function createMonitor(ctx: ActorCtx, input: Record<string, unknown>): Promise<Monitor> {
  checkOwnership(ctx, input);
  const settings = applyMonitorInput(null, input);
  const policy = await policyIdFor(ctx, input?.escalation_policy);
  const now = ctx.clock();
  const row = await ctx.store.db.transaction().execute(async (trx) => {
    await ensureRoom(trx, ctx.store, ctx, 'monitors', ctx.actor.projectId);
    return trx.insertInto('monitors').values({
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
    }).returningAll().executeTakeFirstOrThrow();
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
        : settings.domain_alert_days < 0 ? { domain_expiration: null } : {}),
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
  const rows = await ctx.store.db.selectFrom('monitors').select(['uuid', 'paused'])
    .where('project_id', '=', ctx.actor.projectId).where('uuid', 'in', list).where('paused', '=', paused ? 0 : 1).execute();
  for (const r of rows) await updateMonitor(ctx, r.uuid, { paused });
  return rows.length;
}

/** Deletes several of the project's monitors, as deleteMonitor does one; unknown uuids and other projects' are skipped. Answers how many went. */
export async function deleteMonitors(ctx: ActorCtx, uuids: string[]): Promise<number> {
  const list = bulkSelection(uuids);
  if (list.length === 0) return 0;
  const res = await ctx.store.db.deleteFrom('monitors').where('project_id', '=', ctx.actor.projectId).where('uuid', 'in', list).executeTakeFirst();
  return Number(res.numDeletedRows);
}
