import type { Transaction } from 'kysely';
import { newId } from '../domain/ids.ts';
import { NotFoundError, ValidationError } from '../domain/errors.ts';
import { alertAt, applyHealthcheckInput, nextDue, type HealthcheckSettings, type PeriodType } from '../domain/healthchecks.ts';
import type { ActorCtx, Ctx } from './context.ts';
import type { Database, HealthcheckRow, PingRow } from '../storage/schema.ts';

type Row = Omit<HealthcheckRow, 'id'> & { id: number };
export type Healthcheck = Row & { settings: HealthcheckSettings };
export type Ping = Omit<PingRow, 'id'> & { id: number };
type Trx = Transaction<Database>;

export const PING_BODY_LIMIT = 10 * 1024;

function settingsOf(r: Row): HealthcheckSettings {
  return {
    name: r.name,
    cron: r.cron,
    timezone: r.timezone,
    period_value: r.period_value,
    period_type: r.period_type as PeriodType | null,
    grace_value: r.grace_value,
    grace_type: r.grace_type as PeriodType,
  };
}

const withSettings = (r: Row): Healthcheck => ({ ...r, settings: settingsOf(r) });

function refuseLinkedPolicy(input: Record<string, unknown>) {
  // Escalation policies arrive with the alerting work; until then only "none" (or "") is meaningful.
  const e = input?.escalation_policy;
  if (typeof e === 'string' && e !== '' && e !== 'none') throw new ValidationError('Escalation policy not found');
}

export async function listHealthchecks(ctx: ActorCtx): Promise<Healthcheck[]> {
  const rows = await ctx.store.db.selectFrom('healthchecks').selectAll().where('project_id', '=', ctx.actor.projectId).orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
  return rows.map(withSettings);
}

export async function getHealthcheck(ctx: ActorCtx, uuid: string): Promise<Healthcheck> {
  const row = await ctx.store.db.selectFrom('healthchecks').selectAll().where('uuid', '=', uuid).where('project_id', '=', ctx.actor.projectId).executeTakeFirst();
  if (!row) throw new NotFoundError('Healthcheck');
  return withSettings(row);
}

export async function createHealthcheck(ctx: ActorCtx, input: Record<string, unknown>): Promise<Healthcheck> {
  refuseLinkedPolicy(input);
  const s = applyHealthcheckInput(null, input);
  const now = ctx.clock();
  const row = await ctx.store.db
    .insertInto('healthchecks')
    .values({
      uuid: newId('tok', 24), project_id: ctx.actor.projectId, name: s.name, cron: s.cron, timezone: s.timezone,
      period_value: s.period_value, period_type: s.period_type, grace_value: s.grace_value, grace_type: s.grace_type,
      paused: 0, is_down: 0, due_at: null, alert_at: null, last_ping_at: null, last_start_at: null, last_downtime_at: null,
      state_version: 0, created_at: now, updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return withSettings(row);
}

export async function updateHealthcheck(ctx: ActorCtx, uuid: string, input: Record<string, unknown>): Promise<Healthcheck> {
  const current = await getHealthcheck(ctx, uuid);
  refuseLinkedPolicy(input);
  const s = applyHealthcheckInput(current.settings, input);
  // A new schedule moves the due date of an armed check (from its last ping).
  const due = current.last_ping_at === null ? null : nextDue(s, current.last_ping_at);
  const row = await ctx.store.db
    .updateTable('healthchecks')
    .set({
      name: s.name, cron: s.cron, timezone: s.timezone, period_value: s.period_value, period_type: s.period_type,
      grace_value: s.grace_value, grace_type: s.grace_type, due_at: due, alert_at: due === null ? null : alertAt(s, due),
      state_version: current.state_version + 1, updated_at: ctx.clock(),
    })
    .where('id', '=', current.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return withSettings(row);
}

export async function deleteHealthcheck(ctx: ActorCtx, uuid: string): Promise<void> {
  const res = await ctx.store.db.deleteFrom('healthchecks').where('uuid', '=', uuid).where('project_id', '=', ctx.actor.projectId).executeTakeFirst();
  if (Number(res.numDeletedRows) === 0) throw new NotFoundError('Healthcheck');
}

export async function setHealthcheckPaused(ctx: ActorCtx, uuid: string, paused: boolean): Promise<Healthcheck> {
  const current = await getHealthcheck(ctx, uuid);
  const row = await ctx.store.db
    .updateTable('healthchecks')
    .set({ paused: paused ? 1 : 0, state_version: current.state_version + 1, updated_at: ctx.clock() })
    .where('id', '=', current.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return withSettings(row);
}

export async function recentPings(ctx: Ctx, healthcheckId: number, limit = 50): Promise<Ping[]> {
  return ctx.store.db.selectFrom('healthcheck_pings').selectAll().where('healthcheck_id', '=', healthcheckId).orderBy('id', 'desc').limit(limit).execute();
}

export async function lastRuns(ctx: ActorCtx, ids: number[]) {
  if (ids.length === 0) return new Map<number, { start: number | null; end: number | null }>();
  const rows = await ctx.store.db
    .selectFrom('healthcheck_pings')
    .select(['healthcheck_id', 'kind', (eb) => eb.fn.max('at').as('at')])
    .where('healthcheck_id', 'in', ids)
    .groupBy(['healthcheck_id', 'kind'])
    .execute();
  const out = new Map<number, { start: number | null; end: number | null }>();
  for (const r of rows) {
    const e = out.get(r.healthcheck_id) ?? { start: null, end: null };
    const at = Number(r.at);
    if (r.kind === 'start') e.start = at;
    else e.end = Math.max(e.end ?? 0, at);
    out.set(r.healthcheck_id, e);
  }
  return out;
}

async function openOutage(trx: Trx, h: Row, at: number, description: string, now: number) {
  await trx.insertInto('outages').values({
    uuid: newId('outage'), project_id: h.project_id, monitor_id: null, healthcheck_id: h.id, outage_type: 'automatic',
    started_at: at, ended_at: null, status_code: 0, description, detected_location: 'ping', confirmed_locations: '',
    protocol: 'healthcheck', error_header: null, acknowledged_at: null, acknowledged_by: null, escalation_policy_id: null, created_at: now,
  }).execute();
}

async function closeOutage(trx: Trx, h: Row, at: number) {
  await trx.updateTable('outages').set({ ended_at: at }).where('healthcheck_id', '=', h.id).where('ended_at', 'is', null).execute();
}

export interface PingInput {
  kind: 'success' | 'fail' | 'start';
  sourceIp: string | null;
  userAgent: string | null;
  body: string | null;
}

/**
 * Records a ping and applies it in one transaction before the caller answers, so an
 * acknowledged ping is never lost: success re-arms the due date and ends an outage, fail
 * turns the check down at once, start marks the beginning of a run. Paused checks record
 * pings but change no status.
 */
export async function recordPing(ctx: Ctx, token: string, ping: PingInput): Promise<boolean> {
  const now = ctx.clock();
  return ctx.store.db.transaction().execute(async (trx) => {
    const h = await trx.selectFrom('healthchecks').selectAll().where('uuid', '=', token).executeTakeFirst();
    if (!h) return false;
    const duration = ping.kind !== 'start' && h.last_start_at !== null ? now - h.last_start_at : null;
    await trx.insertInto('healthcheck_pings').values({
      healthcheck_id: h.id, at: now, kind: ping.kind, source_ip: ping.sourceIp, user_agent: ping.userAgent?.slice(0, 300) ?? null,
      body: ping.body ? ping.body.slice(0, PING_BODY_LIMIT) : null, duration_ms: duration,
    }).execute();
    if (ping.kind === 'start') {
      await trx.updateTable('healthchecks').set({ last_start_at: now }).where('id', '=', h.id).execute();
      return true;
    }
    const s = settingsOf(h);
    const due = nextDue(s, now);
    const down = ping.kind === 'fail';
    const paused = h.paused === 1;
    const statusChange = !paused && (down ? h.is_down === 0 : h.is_down === 1);
    await trx
      .updateTable('healthchecks')
      .set({
        last_ping_at: now, last_start_at: null, due_at: due, alert_at: alertAt(s, due),
        ...(statusChange ? { is_down: down ? 1 : 0, state_version: h.state_version + 1, ...(down ? { last_downtime_at: now } : {}) } : {}),
      })
      .where('id', '=', h.id)
      .execute();
    if (statusChange && down) await openOutage(trx, h, now, 'failure reported by ping', now);
    if (statusChange && !down) await closeOutage(trx, h, now);
    return true;
  });
}

/**
 * Turns down every armed, unpaused check whose due date plus grace has passed, each by a
 * conditional update (safe with several nodes), and opens its outage in the same transaction.
 */
export async function sweepOverdueHealthchecks(ctx: Ctx, limit = 500): Promise<number> {
  const now = ctx.clock();
  const overdue = await ctx.store.db
    .selectFrom('healthchecks')
    .selectAll()
    .where('alert_at', '<=', now)
    .where('is_down', '=', 0)
    .where('paused', '=', 0)
    .orderBy('alert_at')
    .limit(limit)
    .execute();
  let turned = 0;
  for (const h of overdue) {
    await ctx.store.db.transaction().execute(async (trx) => {
      const res = await trx
        .updateTable('healthchecks')
        .set({ is_down: 1, last_downtime_at: h.alert_at, state_version: h.state_version + 1 })
        .where('id', '=', h.id)
        .where('state_version', '=', h.state_version)
        .where('alert_at', '=', h.alert_at) // a ping since the read re-armed it
        .where('is_down', '=', 0)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) return;
      await openOutage(trx, h, h.alert_at!, 'no ping received in time', now);
      turned++;
    });
  }
  return turned;
}
