import { NotFoundError } from '../domain/errors.ts';
import type { ActorCtx } from './context.ts';
import type { Kysely } from 'kysely';
import type { Database, OutageRow } from '../storage/schema.ts';

export interface Outage extends Omit<OutageRow, 'id'> {
  id: number;
  monitor: { uuid: string | null; name: string | null; url: string | null; protocol: string | null };
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
    .where('outages.project_id', '=', projectId);
}

const columns = [
  'outages.id', 'outages.uuid', 'outages.project_id', 'outages.monitor_id', 'outages.outage_type', 'outages.started_at',
  'outages.ended_at', 'outages.status_code', 'outages.description', 'outages.detected_location', 'outages.confirmed_locations',
  'outages.protocol', 'outages.error_header', 'outages.acknowledged_at', 'outages.acknowledged_by', 'outages.escalation_policy_id',
  'outages.created_at', 'monitors.uuid as m_uuid', 'monitors.name as m_name', 'monitors.url as m_url', 'monitors.protocol as m_protocol',
  'healthchecks.uuid as h_uuid', 'healthchecks.name as h_name',
] as const;

type Joined = OutageRow & { id: number; m_uuid: string | null; m_name: string | null; m_url: string | null; m_protocol: string | null; h_uuid: string | null; h_name: string | null };

/** The `monitor` of an outage: its monitor, or its heartbeat check, or nulls once deleted. */
function toOutage(r: Joined): Outage {
  const { m_uuid, m_name, m_url, m_protocol, h_uuid, h_name, ...rest } = r;
  const monitor = h_uuid
    ? { uuid: h_uuid, name: h_name, url: null, protocol: 'healthcheck' }
    : { uuid: m_uuid, name: m_name, url: m_url, protocol: m_protocol };
  return { ...rest, monitor };
}

/** One page of the project's outages, newest first, with the totals the wire format carries. */
export async function listOutages(ctx: ActorCtx, f: OutageFilter) {
  const db = ctx.store.db;
  let q = base(db, ctx.actor.projectId);
  if (f.status === 'ongoing') q = q.where('outages.ended_at', 'is', null);
  if (f.status === 'resolved') q = q.where('outages.ended_at', 'is not', null);
  if (f.type === 'manual') q = q.where('outages.outage_type', '=', 'manual');
  if (f.type === 'monitor') q = q.where('outages.outage_type', '=', 'automatic');
  if (f.search) {
    const term = `%${f.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) =>
      eb.or([
        eb(eb.fn('lower', ['monitors.name']), 'like', eb.val(term)),
        eb(eb.fn('lower', ['monitors.url']), 'like', eb.val(term)),
        eb(eb.fn('lower', ['outages.description']), 'like', eb.val(term)),
        eb(eb.fn('lower', ['healthchecks.name']), 'like', eb.val(term)),
      ]));
  }
  const [{ total }] = await q.select((eb) => eb.fn.countAll<number>().as('total')).execute();
  const rows = await q.select(columns).orderBy('outages.id', 'desc').limit(f.perPage).offset(f.page * f.perPage).execute();
  const [{ ongoing }] = await base(db, ctx.actor.projectId).where('outages.ended_at', 'is', null).select((eb) => eb.fn.countAll<number>().as('ongoing')).execute();
  return { outages: rows.map((r) => toOutage(r as Joined)), total: Number(total), ongoingCount: Number(ongoing) };
}

export async function getOutage(ctx: ActorCtx, uuid: string): Promise<Outage> {
  const row = await base(ctx.store.db, ctx.actor.projectId).where('outages.uuid', '=', uuid).select(columns).executeTakeFirst();
  if (!row) throw new NotFoundError('Outage');
  return toOutage(row as Joined);
}

/** Outage intervals of some monitors overlapping [from, to] (reports). */
export async function outageIntervals(ctx: ActorCtx, monitorIds: number[], from: number, to: number) {
  if (monitorIds.length === 0) return [];
  return ctx.store.db
    .selectFrom('outages')
    .select(['monitor_id', 'started_at', 'ended_at'])
    .where('project_id', '=', ctx.actor.projectId)
    .where('monitor_id', 'in', monitorIds)
    .where('started_at', '<=', to)
    .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>=', from)]))
    .orderBy('started_at')
    .execute();
}
