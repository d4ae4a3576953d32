import { NotFoundError, ValidationError } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import { parseInstant } from '../domain/incidents.ts';
import { resolveMonitorRefs } from './incidents.ts';
import { yieldToLoop, type ActorCtx } from './context.ts';
import { escalateNow, notifyAlerted, startAlerting } from './alerting.ts';
import { sql, type Kysely, type Selectable } from 'kysely';
import { publishLive } from './live.ts';
import type { Database, OutageRow } from '../storage/schema.ts';

export interface Outage extends Selectable<OutageRow> {
  monitor: { uuid: string | null; name: string | null; url: string | null; protocol: string | null };
  policy: { uuid: string; name: string; alertedSteps: number; totalSteps: number } | null;
}

export interface OutageFilter {
  page: number;
  perPage: number;
  status: 'all' | 'ongoing' | 'resolved';
  type: 'all' | 'manual' | 'monitor';
  search?: string;
}

function base(db: Kysely<Database>, projectId: number) {
  return db
    .selectFrom('outages')
    .leftJoin('monitors', 'monitors.id', 'outages.monitor_id')
    .leftJoin('healthchecks', 'healthchecks.id', 'outages.healthcheck_id')
    .leftJoin('escalation_policies', 'escalation_policies.id', 'outages.escalation_policy_id')
    .where('outages.project_id', '=', projectId);
}

const columns = [
  'outages.id',
  'outages.uuid',
  'outages.project_id',
  'outages.monitor_id',
  'outages.outage_type',
  'outages.started_at',
  'outages.ended_at',
  'outages.status_code',
  'outages.description',
  'outages.detected_location',
  'outages.confirmed_locations',
  'outages.protocol',
  'outages.error_header',
  'outages.acknowledged_at',
  'outages.acknowledged_by',
  'outages.escalation_policy_id',
  'outages.created_at',
  'outages.severity',
  'outages.summary',
  'outages.escalation_policy_uuid',
  'outages.escalation_step',
  'outages.escalated_at',
  'monitors.uuid as m_uuid',
  'monitors.name as m_name',
  'monitors.url as m_url',
  'monitors.protocol as m_protocol',
  'healthchecks.uuid as h_uuid',
  'healthchecks.name as h_name',
  'outages.alerted_steps',
  'outages.next_alert_at',
  'escalation_policies.uuid as ep_uuid',
  'escalation_policies.name as ep_name',
  'escalation_policies.steps as ep_steps',
] as const;

type Joined = Selectable<OutageRow> & {
  m_uuid: string | null;
  m_name: string | null;
  m_url: string | null;
  m_protocol: string | null;
  h_uuid: string | null;
  h_name: string | null;
  ep_uuid: string | null;
  ep_name: string | null;
  ep_steps: string | null;
};

/** The `monitor` of an outage: its monitor, or its heartbeat check, or nulls once deleted. */
function toOutage(r: Joined): Outage {
  const { m_uuid, m_name, m_url, m_protocol, h_uuid, h_name, ep_uuid, ep_name, ep_steps, ...rest } = r;
  const monitor = h_uuid
    ? { uuid: h_uuid, name: h_name, url: null, protocol: 'healthcheck' }
    : { uuid: m_uuid, name: m_name, url: m_url, protocol: m_protocol };
  const policy = ep_uuid
    ? {
        uuid: ep_uuid,
        name: ep_name!,
        alertedSteps: Number(r.alerted_steps),
        totalSteps: (JSON.parse(ep_steps!) as unknown[]).length,
      }
    : null;
  return { ...rest, monitor, policy };
}

/** Tells the live dashboard that an outage changed (or, with `open` null, was deleted). */
const changed = (ctx: ActorCtx, db: Kysely<Database>, uuid: string, subject: string | null, open: boolean) =>
  publishLive(ctx.store, db, [{ kind: 'outage', projectId: ctx.actor.projectId, uuid, subject, open }]);

/** One page of the project's outages, newest first, with the totals the wire format carries. */
export async function listOutages(ctx: ActorCtx, f: OutageFilter) {
  const db = ctx.store.db;
  const projectId = ctx.actor.projectId;
  // Filters and paging read the outages table alone; the joined columns are read for the page.
  let q = db.selectFrom('outages').where('outages.project_id', '=', projectId);
  if (f.status === 'ongoing') q = q.where('outages.ended_at', 'is', null);
  if (f.status === 'resolved') q = q.where('outages.ended_at', 'is not', null);
  if (f.type === 'manual') q = q.where('outages.outage_type', '=', 'manual');
  if (f.type === 'monitor') q = q.where('outages.outage_type', '=', 'automatic');
  if (f.search) {
    const term = `%${f.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    // The monitors and checks whose name (or URL) matches, each looked at once, rather than the
    // monitor of every outage (110,000 outages of 10,000 monitors with 2 KB URLs).
    q = q.where((eb) =>
      eb.or([
        eb(
          'outages.monitor_id',
          'in',
          eb
            .selectFrom('monitors')
            .select('monitors.id')
            .where('monitors.project_id', '=', projectId)
            .where((m) =>
              m.or([
                m(m.fn('lower', ['monitors.name']), 'like', m.val(term)),
                m(m.fn('lower', ['monitors.url']), 'like', m.val(term)),
              ]),
            ),
        ),
        eb(eb.fn('lower', ['outages.description']), 'like', eb.val(term)),
        eb(
          'outages.healthcheck_id',
          'in',
          eb
            .selectFrom('healthchecks')
            .select('healthchecks.id')
            .where('healthchecks.project_id', '=', projectId)
            .where((h) => h(h.fn('lower', ['healthchecks.name']), 'like', h.val(term))),
        ),
      ]),
    );
  }
  // Two statements: both counts, and the page (its ids picked by a sub-select) with its joins.
  const [[{ total, ongoing }], rows] = await Promise.all([
    db
      .selectNoFrom((eb) => [
        q.select(eb.fn.countAll<number>().as('n')).as('total'),
        eb
          .selectFrom('outages')
          .where('project_id', '=', projectId)
          .where('ended_at', 'is', null)
          .select(eb.fn.countAll<number>().as('n'))
          .as('ongoing'),
      ])
      .execute(),
    base(db, projectId)
      .where(
        'outages.id',
        'in',
        q
          .select('outages.id')
          .orderBy('outages.id', 'desc')
          .limit(f.perPage)
          .offset(f.page * f.perPage),
      )
      .select(columns)
      .orderBy('outages.id', 'desc')
      .execute(),
  ]);
  return { outages: rows.map((r) => toOutage(r as Joined)), total: Number(total), ongoingCount: Number(ongoing) };
}

export async function getOutage(ctx: ActorCtx, uuid: string): Promise<Outage> {
  const row = await base(ctx.store.db, ctx.actor.projectId)
    .where('outages.uuid', '=', uuid)
    .select(columns)
    .executeTakeFirst();
  if (!row) throw new NotFoundError('Outage');
  return toOutage(row as Joined);
}

/** Monitors whose outages are read per statement when many monitors are summarised. */
const INTERVAL_CHUNK = 200;

/**
 * outageIntervals of many monitors (a report of 10,000), grouped by monitor: read a chunk of
 * monitors at a time, with a turn of the event loop between chunks.
 */
export async function outageIntervalsByMonitor(
  ctx: ActorCtx,
  monitorIds: number[],
  from: number,
  to: number,
): Promise<Map<number, { start: number; end: number | null }[]>> {
  const out = new Map<number, { start: number; end: number | null }[]>();
  for (let i = 0; i < monitorIds.length; i += INTERVAL_CHUNK) {
    if (i > 0) await yieldToLoop();
    for (const o of await outageIntervals(ctx, monitorIds.slice(i, i + INTERVAL_CHUNK), from, to)) {
      const list = out.get(o.monitor_id!);
      if (list) list.push({ start: o.started_at, end: o.ended_at });
      else out.set(o.monitor_id!, [{ start: o.started_at, end: o.ended_at }]);
    }
  }
  return out;
}

/** Outage intervals of some monitors overlapping [from, to] (reports). */
export async function outageIntervals(ctx: ActorCtx, monitorIds: number[], from: number, to: number) {
  if (monitorIds.length === 0) return [];
  return (
    ctx.store.db
      .selectFrom('outages')
      .select(['monitor_id', 'started_at', 'ended_at'])
      // `+project_id`: the monitors' index (outages_monitor) finds their outages; without the plus
      // SQLite reads every outage of the project for each chunk of monitors.
      .where(sql<number>`+project_id`, '=', ctx.actor.projectId)
      .where('monitor_id', 'in', monitorIds)
      .where('started_at', '<=', to)
      .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>=', from)]))
      .orderBy('started_at')
      .execute()
  );
}

export interface CreateOutageInput {
  monitorUuid: string;
  startDate: string;
  endDate?: string | null;
  statusCode: number;
  description: string;
  outageType?: string;
  escalationPolicyUuid?: string | null;
  severity?: string | null;
  summary?: string | null;
}

/** A manual outage, stored with the values submitted (api-contract §6.3 recommendation). */
export async function createOutage(ctx: ActorCtx, input: CreateOutageInput): Promise<Outage> {
  if (input.outageType !== undefined && input.outageType !== 'manual')
    throw new ValidationError('outageType must be manual');
  if (!Number.isInteger(input.statusCode) || input.statusCode < 100 || input.statusCode > 599)
    throw new ValidationError('statusCode must be a whole number from 100 to 599');
  const description = input.description ?? '';
  if (!description.trim()) throw new ValidationError('description must not be empty');
  if (description.length > 10_000) throw new ValidationError('description must be at most 10000 characters');
  // The API's schema says the same before this; the dashboard's form relies on these.
  if (input.severity != null && input.severity.length > 255)
    throw new ValidationError('severity must be at most 255 characters');
  if (input.summary != null && input.summary.length > 10_000)
    throw new ValidationError('summary must be at most 10000 characters');
  const start = parseInstant(input.startDate, 'startDate');
  const end = input.endDate == null ? null : parseInstant(input.endDate, 'endDate');
  if (end !== null && end < start) throw new ValidationError('endDate must not be before startDate');
  const [monitorId] = await resolveMonitorRefs(ctx, [input.monitorUuid], 'monitorUuid');
  const uuid = newId('outage');
  // The policy links the outage and starts its alerts; one this project does not have is refused
  // (another project's included: it would say nothing and alert nobody).
  const policyUuid = input.escalationPolicyUuid || null;
  const policy =
    policyUuid === null
      ? undefined
      : await ctx.store.db
          .selectFrom('escalation_policies')
          .select('id')
          .where('uuid', '=', policyUuid)
          .where('project_id', '=', ctx.actor.projectId)
          .executeTakeFirst();
  if (policyUuid !== null && !policy)
    throw new ValidationError(`escalationPolicyUuid: escalation policy ${policyUuid.slice(0, 64)} does not exist`);
  await ctx.store.db.transaction().execute(async (trx) => {
    const { id } = await trx
      .insertInto('outages')
      .values({
        uuid,
        project_id: ctx.actor.projectId,
        monitor_id: monitorId,
        outage_type: 'manual',
        started_at: start,
        ended_at: end,
        status_code: input.statusCode,
        description,
        detected_location: 'manual',
        confirmed_locations: '',
        protocol: 'manual',
        error_header: null,
        acknowledged_at: null,
        acknowledged_by: null,
        escalation_policy_id: policy?.id ?? null,
        created_at: ctx.clock(),
        severity: input.severity ?? null,
        summary: input.summary ?? null,
        escalation_policy_uuid: policyUuid,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (policy) await startAlerting(trx, [id], ctx.clock());
    await changed(ctx, trx, uuid, input.monitorUuid, end === null);
  });
  return getOutage(ctx, uuid);
}

export async function deleteOutage(ctx: ActorCtx, uuid: string): Promise<void> {
  const res = await ctx.store.db
    .deleteFrom('outages')
    .where('uuid', '=', uuid)
    .where('project_id', '=', ctx.actor.projectId)
    .executeTakeFirst();
  if (Number(res.numDeletedRows) === 0) throw new NotFoundError('Outage');
  await changed(ctx, ctx.store.db, uuid, null, false);
}

/** Sets the acknowledgement once: acknowledging again keeps the first time and actor. */
export async function acknowledgeOutage(ctx: ActorCtx, uuid: string): Promise<void> {
  const o = await getOutage(ctx, uuid);
  if (o.acknowledged_at !== null) return;
  // acknowledgedBy names the API key ({uuid: key id, email: "", name: key name}), or the
  // dashboard user ({uuid: user id, email, name: email}; users have no other name).
  const key = ctx.actor.keyId
    ? await ctx.store.db
        .selectFrom('api_keys')
        .select(['id', 'name'])
        .where('id', '=', ctx.actor.keyId)
        .executeTakeFirst()
    : undefined;
  const user = ctx.actor.user;
  const by = key
    ? JSON.stringify({ uuid: key.id, email: '', name: key.name })
    : user
      ? JSON.stringify({ uuid: user.uuid, email: user.email, name: user.email })
      : null;
  // The walk stops (it skips acknowledged outages); the channels alerted so far are told.
  await ctx.store.db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable('outages')
      .set({ acknowledged_at: ctx.clock(), acknowledged_by: by })
      .where('id', '=', o.id)
      .where('acknowledged_at', 'is', null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 1 && o.ended_at === null)
      await notifyAlerted(trx, [o.id], 'outage.acknowledged', ctx.clock());
    await changed(ctx, trx, o.uuid, o.monitor.uuid, o.ended_at === null);
  });
}

export async function unacknowledgeOutage(ctx: ActorCtx, uuid: string): Promise<void> {
  const o = await getOutage(ctx, uuid);
  await ctx.store.db
    .updateTable('outages')
    .set({ acknowledged_at: null, acknowledged_by: null })
    .where('id', '=', o.id)
    .execute();
  await changed(ctx, ctx.store.db, o.uuid, o.monitor.uuid, o.ended_at === null);
}

/** Ends an ongoing outage now; an already resolved one keeps its end. */
export async function resolveOutage(ctx: ActorCtx, uuid: string): Promise<void> {
  const o = await getOutage(ctx, uuid);
  if (o.ended_at !== null) return;
  // A manual outage may start in the future; it never ends before it starts.
  const end = Math.max(ctx.clock(), o.started_at);
  await ctx.store.db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable('outages')
      .set({ ended_at: end, next_alert_at: null })
      .where('id', '=', o.id)
      .where('ended_at', 'is', null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 1) {
      await notifyAlerted(trx, [o.id], 'outage.up', ctx.clock());
      await changed(ctx, trx, o.uuid, o.monitor.uuid, false);
    }
  });
}

/**
 * Records an escalation request on an ongoing outage (`escalation_step` counts them) and alerts
 * the next step of its policy now, in the same transaction. With every step alerted it records
 * the request only.
 */
export async function escalateOutage(ctx: ActorCtx, uuid: string): Promise<void> {
  const o = await getOutage(ctx, uuid);
  const done = await ctx.store.db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable('outages')
      .set((eb) => ({ escalation_step: eb('escalation_step', '+', 1), escalated_at: ctx.clock() }))
      .where('id', '=', o.id)
      .where('ended_at', 'is', null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) return false;
    await escalateNow(trx, o.id, ctx.clock());
    return true;
  });
  if (!done) {
    await getOutage(ctx, uuid); // deleted meanwhile: 404
    throw new ValidationError('Outage is already resolved');
  }
}
