import { newId } from '../domain/ids.ts';
import { NotFoundError } from '../domain/errors.ts';
import { applyMaintenanceInput, type MaintenanceFields, type NotificationOption } from '../domain/maintenance.ts';
import type { ActorCtx, Ctx } from './context.ts';
import { sql, type Kysely } from 'kysely';
import type { Database, MaintenanceWindowRow } from '../storage/schema.ts';
import { resolveMonitorRefs } from './incidents.ts';
import { requireStatusPages } from './statuspages.ts';
import { notifySubscribers, type Notice } from './subscriber-notices.ts';

export interface MaintenanceWindow extends MaintenanceFields {
  id: number;
  uuid: string;
  noticeSentAt: number | null;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
}

type Row = Omit<MaintenanceWindowRow, 'id'> & { id: number };
type Db = Kysely<Database>;

// Bound parameters per query stay far below SQLite's and PostgreSQL's limits.
const CHUNK = 500;

async function assemble(db: Db, rows: Row[]): Promise<MaintenanceWindow[]> {
  if (rows.length === 0) return [];
  const links = await db
    .selectFrom('maintenance_monitors')
    .innerJoin('monitors', 'monitors.id', 'maintenance_monitors.monitor_id')
    .select(['maintenance_monitors.window_id', 'monitors.uuid'])
    .where(
      'maintenance_monitors.window_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('maintenance_monitors.window_id')
    .orderBy('maintenance_monitors.position')
    .execute();
  const monitors = new Map<number, string[]>();
  for (const l of links) {
    const list = monitors.get(l.window_id) ?? [];
    list.push(l.uuid);
    monitors.set(l.window_id, list);
  }
  return rows.map((r) => ({
    id: r.id,
    uuid: r.uuid,
    name: r.name,
    title: JSON.parse(r.title),
    text: JSON.parse(r.text),
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    monitors: monitors.get(r.id) ?? [],
    statuspages: JSON.parse(r.statuspages),
    notificationOption: r.notification_option as NotificationOption,
    notificationMinutes: r.notification_minutes,
    noticeSentAt: r.notice_sent_at ?? null,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }));
}

async function linkMonitors(db: Db, windowId: number, monitorIds: number[]): Promise<void> {
  await db.deleteFrom('maintenance_monitors').where('window_id', '=', windowId).execute();
  if (monitorIds.length === 0) return;
  await db
    .insertInto('maintenance_monitors')
    .values(monitorIds.map((monitor_id, position) => ({ window_id: windowId, monitor_id, position })))
    .execute();
}

function toColumns(f: MaintenanceFields) {
  return {
    name: f.name,
    title: JSON.stringify(f.title),
    text: JSON.stringify(f.text),
    starts_at: f.startsAt,
    ends_at: f.endsAt,
    statuspages: JSON.stringify(f.statuspages),
    notification_option: f.notificationOption,
    notification_minutes: f.notificationMinutes,
  };
}

/**
 * What subscribers are told of a window: with notificationOption "immediate", on creation and on
 * each change; with "scheduled", notificationMinutes before it starts (sendDueMaintenanceNotices).
 */
const notice = (uuid: string, f: MaintenanceFields, change: 'created' | 'updated' | 'upcoming'): Notice => ({
  kind: 'maintenance',
  change,
  uuid,
  name: f.name,
  title: f.title,
  text: f.text,
  startsAt: f.startsAt,
  endsAt: f.endsAt,
});

/** Who made the window, as `createdBy` shows it: the API key's name ("api" without a key). */
async function actorName(ctx: ActorCtx): Promise<string> {
  if (!ctx.actor.keyId) return 'api';
  const key = await ctx.store.db
    .selectFrom('api_keys')
    .select('name')
    .where('id', '=', ctx.actor.keyId)
    .executeTakeFirst();
  return key?.name ?? 'api';
}

/** One page of the project's windows, newest first, with the total. */
export async function listMaintenance(
  ctx: ActorCtx,
  page: number,
  perPage: number,
): Promise<{ windows: MaintenanceWindow[]; total: number }> {
  const db = ctx.store.db;
  const base = db.selectFrom('maintenance_windows').where('project_id', '=', ctx.actor.projectId);
  const [{ total }] = await base.select((eb) => eb.fn.countAll<number>().as('total')).execute();
  const rows = await base
    .selectAll()
    .orderBy('id', 'desc')
    .limit(perPage)
    .offset(page * perPage)
    .execute();
  return { windows: await assemble(db, rows as Row[]), total: Number(total) };
}

export async function getMaintenance(ctx: ActorCtx, uuid: string): Promise<MaintenanceWindow> {
  const row = await ctx.store.db
    .selectFrom('maintenance_windows')
    .selectAll()
    .where('uuid', '=', uuid)
    .where('project_id', '=', ctx.actor.projectId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError('Maintenance window');
  return (await assemble(ctx.store.db, [row as Row]))[0];
}

/** `notify: false` (imports) leaves the pages' subscribers alone. */
export async function createMaintenance(
  ctx: ActorCtx,
  input: Record<string, unknown>,
  opts: { notify?: boolean } = {},
): Promise<MaintenanceWindow> {
  const fields = applyMaintenanceInput(null, input);
  const monitorIds = await resolveMonitorRefs(ctx, fields.monitors, 'monitors');
  await requireStatusPages(ctx, fields.statuspages);
  const now = ctx.clock();
  const uuid = newId('mw');
  const createdBy = await actorName(ctx);
  await ctx.store.db.transaction().execute(async (trx) => {
    const { id } = await trx
      .insertInto('maintenance_windows')
      .values({
        ...toColumns(fields),
        uuid,
        project_id: ctx.actor.projectId,
        created_by: createdBy,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await linkMonitors(trx, id, monitorIds);
    if (fields.notificationOption === 'immediate' && opts.notify !== false)
      await notifySubscribers(trx, ctx.actor.projectId, fields.statuspages, notice(uuid, fields, 'created'), now);
  });
  return getMaintenance(ctx, uuid);
}

/** Partial update: only the keys present in the body change (the end must stay after the start). */
export async function updateMaintenance(
  ctx: ActorCtx,
  uuid: string,
  input: Record<string, unknown>,
  opts: { notify?: boolean } = {},
): Promise<MaintenanceWindow> {
  const current = await getMaintenance(ctx, uuid);
  const fields = applyMaintenanceInput(current, input);
  const relink = input.monitors !== undefined;
  const monitorIds = relink ? await resolveMonitorRefs(ctx, fields.monitors, 'monitors') : [];
  if (input.statuspages !== undefined) await requireStatusPages(ctx, fields.statuspages);
  const now = ctx.clock();
  await ctx.store.db.transaction().execute(async (trx) => {
    // A window that moves is announced again before its new start.
    const moved = fields.startsAt !== current.startsAt || fields.notificationMinutes !== current.notificationMinutes;
    const res = await trx
      .updateTable('maintenance_windows')
      .set({ ...toColumns(fields), updated_at: now, ...(moved ? { notice_sent_at: null } : {}) })
      .where('id', '=', current.id)
      .where('project_id', '=', ctx.actor.projectId)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) throw new NotFoundError('Maintenance window');
    if (relink) await linkMonitors(trx, current.id, monitorIds);
    if (fields.notificationOption === 'immediate' && opts.notify !== false)
      await notifySubscribers(trx, ctx.actor.projectId, fields.statuspages, notice(uuid, fields, 'updated'), now);
  });
  return getMaintenance(ctx, uuid);
}

export async function deleteMaintenance(ctx: ActorCtx, uuid: string): Promise<void> {
  const res = await ctx.store.db
    .deleteFrom('maintenance_windows')
    .where('uuid', '=', uuid)
    .where('project_id', '=', ctx.actor.projectId)
    .executeTakeFirst();
  if (Number(res.numDeletedRows) === 0) throw new NotFoundError('Maintenance window');
}

/**
 * The monitors (numeric row ids) that an ongoing window covers at `now`, among `monitorIds`.
 * The engine asks this before opening an outage: none opens during maintenance.
 * A window covers [start, end), like maintenanceStatus().
 */
export async function monitorsUnderMaintenance(ctx: Ctx, monitorIds: number[], now: number): Promise<Set<number>> {
  const covered = new Set<number>();
  // The windows under way first, from their index (migration 018): on SQLite a window's dates
  // follow its title and text (up to 200 KB), which a join per monitor would read every time.
  const ongoing = (
    await ctx.store.db
      .selectFrom('maintenance_windows')
      .select('id')
      .where('ends_at', '>', now)
      .where('starts_at', '<=', now)
      .execute()
  ).map((r) => r.id);
  if (ongoing.length === 0 || monitorIds.length === 0) return covered;
  for (let i = 0; i < ongoing.length; i += CHUNK) {
    for (let j = 0; j < monitorIds.length; j += CHUNK) {
      const rows = await ctx.store.db
        .selectFrom('maintenance_monitors')
        .select('monitor_id')
        .distinct()
        .where('window_id', 'in', ongoing.slice(i, i + CHUNK))
        .where('monitor_id', 'in', monitorIds.slice(j, j + CHUNK))
        .execute();
      for (const r of rows) covered.add(Number(r.monitor_id));
    }
  }
  return covered;
}

/**
 * Queues the "scheduled" notices that came due: notificationMinutes before a window starts (or at
 * once for one created later than that, while it has not started). Each window's notice is claimed by
 * a conditional update in the transaction that queues its emails: sent once, whatever the workers.
 */
export async function sendDueMaintenanceNotices(ctx: Ctx, limit = 100): Promise<number> {
  const now = ctx.clock();
  const due = await ctx.store.db
    .selectFrom('maintenance_windows')
    .selectAll()
    .where('notification_option', '=', 'scheduled')
    .where('notice_sent_at', 'is', null)
    .where('starts_at', '>', now) // a window already under way (imported, say) is not announced
    .where(sql<boolean>`starts_at <= CAST(${now} AS BIGINT) + CAST(notification_minutes AS BIGINT) * 60000`)
    .orderBy('starts_at')
    .limit(limit)
    .execute();
  let sent = 0;
  for (const row of due) {
    const [w] = await assemble(ctx.store.db, [row as Row]);
    await ctx.store.db.transaction().execute(async (trx) => {
      const res = await trx
        .updateTable('maintenance_windows')
        .set({ notice_sent_at: now })
        .where('id', '=', w.id)
        .where('notice_sent_at', 'is', null)
        .where('starts_at', '=', w.startsAt)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) return;
      await notifySubscribers(trx, row.project_id, w.statuspages, notice(w.uuid, w, 'upcoming'), now);
      sent++;
    });
  }
  return sent;
}
