import { newId } from '../domain/ids.ts';
import { NotFoundError, ValidationError } from '../domain/errors.ts';
import {
  applyIncidentInput,
  incidentStatus,
  parseIncidentUpdate,
  type IncidentFields,
  type IncidentType,
  type IncidentUpdateFields,
  type UpdateType,
} from '../domain/incidents.ts';
import type { LocalizedText } from '../domain/localized.ts';
import type { ActorCtx } from './context.ts';
import { requireStatusPages } from './statuspages.ts';
import { notifySubscribers } from './subscriber-notices.ts';
import { sql, type Kysely } from 'kysely';
import type { Database, IncidentRow } from '../storage/schema.ts';

export interface IncidentUpdate {
  uuid: string;
  at: number;
  text: LocalizedText;
  type: UpdateType;
}

export interface Incident extends IncidentFields {
  id: number;
  uuid: string;
  updates: IncidentUpdate[];
  createdAt: number;
  updatedAt: number;
}

type Row = Omit<IncidentRow, 'id'> & { id: number };
type Db = Kysely<Database>;

/**
 * Row ids of this project's monitors, in the order given. An unknown uuid (or another
 * project's) is a validation error naming the field, never a hint that it exists elsewhere.
 */
export async function resolveMonitorRefs(ctx: ActorCtx, uuids: string[], field: string): Promise<number[]> {
  if (uuids.length === 0) return [];
  const rows = await ctx.store.db
    .selectFrom('monitors')
    .select(['id', 'uuid'])
    .where('project_id', '=', ctx.actor.projectId)
    .where('uuid', 'in', uuids)
    .execute();
  const byUuid = new Map(rows.map((r) => [r.uuid, r.id as number]));
  return uuids.map((u) => {
    const id = byUuid.get(u);
    if (id === undefined) throw new ValidationError(`Monitor ${u} in ${field} does not exist`);
    return id;
  });
}

/** Builds whole incidents (components and, with `timeline`, updates) for some rows with two queries. */
async function assemble(db: Db, rows: Row[], timeline = true): Promise<Incident[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [links, updates] = await Promise.all([
    db
      .selectFrom('incident_monitors')
      .innerJoin('monitors', 'monitors.id', 'incident_monitors.monitor_id')
      .select(['incident_monitors.incident_id', 'monitors.uuid'])
      .where('incident_monitors.incident_id', 'in', ids)
      .orderBy('incident_monitors.incident_id')
      .orderBy('incident_monitors.position')
      .execute(),
    (timeline ? db : null)
      ?.selectFrom('incident_updates')
      .selectAll()
      .where('incident_id', 'in', ids)
      // Chronological, newest last (clients look for a new update from the end).
      .orderBy('incident_id')
      .orderBy('at')
      .orderBy('id')
      .execute(),
  ]);
  const components = new Map<number, string[]>();
  for (const l of links) {
    const list = components.get(l.incident_id) ?? [];
    list.push(l.uuid);
    components.set(l.incident_id, list);
  }
  const byIncident = new Map<number, IncidentUpdate[]>();
  for (const u of updates ?? []) {
    const list = byIncident.get(u.incident_id) ?? [];
    list.push({ uuid: u.uuid, at: u.at, text: JSON.parse(u.text), type: u.type as UpdateType });
    byIncident.set(u.incident_id, list);
  }
  return rows.map((r) => ({
    id: r.id,
    uuid: r.uuid,
    at: r.at,
    title: JSON.parse(r.title),
    text: JSON.parse(r.text),
    type: r.type as IncidentType,
    affectedComponents: components.get(r.id) ?? [],
    statuspages: JSON.parse(r.statuspages),
    updates: byIncident.get(r.id) ?? [],
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }));
}

async function linkMonitors(db: Db, incidentId: number, monitorIds: number[]): Promise<void> {
  await db.deleteFrom('incident_monitors').where('incident_id', '=', incidentId).execute();
  if (monitorIds.length === 0) return;
  await db
    .insertInto('incident_monitors')
    .values(monitorIds.map((monitor_id, position) => ({ incident_id: incidentId, monitor_id, position })))
    .execute();
}

async function insertUpdates(db: Db, incidentId: number, updates: IncidentUpdateFields[], now: number): Promise<void> {
  if (updates.length === 0) return;
  await db
    .insertInto('incident_updates')
    .values(
      updates.map((u) => ({
        uuid: newId('upd'),
        incident_id: incidentId,
        at: u.at,
        text: JSON.stringify(u.text),
        type: u.type,
        created_at: now,
      })),
    )
    .execute();
}

/** The project's incidents, newest `date` first. */
/** Newest first; with `status`, only the incidents whose latest update is of that type. */
export async function listIncidents(ctx: ActorCtx, filter: { status?: UpdateType } = {}): Promise<Incident[]> {
  const all: Incident[] = [];
  for await (const page of incidentPages(ctx, filter)) all.push(...page);
  return all;
}

/**
 * A walk over the project's incidents reads their sizes INCIDENT_SIZES at a time (texts and
 * timelines by their stored lengths), then the incidents themselves in pages of about
 * PAGE_BYTES: an incident at the 1 MiB body limit, its timeline grown since, is megabytes, and
 * a project may hold any number of them; small ones come many to a page, in four statements.
 */
export const INCIDENT_SIZES = 100;
const PAGE_BYTES = 256 * 1024;

/** The project's incidents as listIncidents orders and filters them, a page at a time. */
export async function* incidentPages(
  ctx: ActorCtx,
  filter: { status?: UpdateType } = {},
  page = { bytes: PAGE_BYTES, sizes: INCIDENT_SIZES },
): AsyncGenerator<Incident[]> {
  let last: { at: number; id: number } | null = null;
  for (;;) {
    const from: { at: number; id: number } | null = last;
    const sizes: { id: number; at: number; bytes: number }[] = await ctx.store.db
      .selectFrom('incidents')
      .select([
        'id',
        'at',
        sql<number>`octet_length(title) + octet_length(text) + octet_length(statuspages) + COALESCE((SELECT SUM(octet_length(u.text)) FROM incident_updates u WHERE u.incident_id = incidents.id), 0)`.as(
          'bytes',
        ),
      ])
      .where('project_id', '=', ctx.actor.projectId)
      .$if(from !== null, (q) =>
        q.where((eb) => eb.or([eb('at', '<', from!.at), eb.and([eb('at', '=', from!.at), eb('id', '<', from!.id)])])),
      )
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(page.sizes)
      .execute();
    for (let start = 0; start < sizes.length; ) {
      let bytes = 0;
      let end = start; // the page is sizes[start .. end): at least one incident, then while they fit
      while (end < sizes.length && (end === start || bytes + Number(sizes[end].bytes) <= page.bytes))
        bytes += Number(sizes[end++].bytes);
      yield await incidentsOf(
        ctx,
        sizes.slice(start, end).map((r) => r.id),
        filter,
      );
      start = end;
    }
    if (sizes.length < page.sizes) return;
    const { at, id } = sizes[sizes.length - 1];
    last = { at, id };
  }
}

// Apart from incidentPages so that the rows are not held while the page is written.
async function incidentsOf(ctx: ActorCtx, ids: number[], filter: { status?: UpdateType }): Promise<Incident[]> {
  const rows = (await ctx.store.db
    .selectFrom('incidents')
    .selectAll()
    .where('id', 'in', ids)
    .where('project_id', '=', ctx.actor.projectId)
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .execute()) as Row[];
  // A status filter looks at each incident's latest update first (from the index): only the
  // incidents that pass are read whole.
  const wanted = filter.status ? await latestUpdateIs(ctx.store.db, rows, filter.status) : rows;
  const page = wanted.length ? await assemble(ctx.store.db, wanted) : [];
  return filter.status ? page.filter((i) => incidentStatus(i.updates) === filter.status) : page;
}

async function latestUpdateIs(db: Db, rows: Row[], status: UpdateType): Promise<Row[]> {
  const out: Row[] = [];
  for (const r of rows) {
    const last = await db
      .selectFrom('incident_updates')
      .select('type')
      .where('incident_id', '=', r.id)
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if ((last?.type ?? 'investigating') === status) out.push(r);
  }
  return out;
}

export async function getIncident(ctx: ActorCtx, uuid: string): Promise<Incident> {
  return (await assemble(ctx.store.db, [await incidentRow(ctx, uuid)]))[0];
}

async function incidentRow(ctx: ActorCtx, uuid: string): Promise<Row> {
  const row = await ctx.store.db
    .selectFrom('incidents')
    .selectAll()
    .where('uuid', '=', uuid)
    .where('project_id', '=', ctx.actor.projectId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError('Incident');
  return row as Row;
}

/**
 * An incident without its timeline (`updates` empty): a timeline may be megabytes, and the
 * API writes it piece by piece from incidentUpdatePages.
 */
export async function getIncidentHead(ctx: ActorCtx, uuid: string): Promise<Incident> {
  return (await assemble(ctx.store.db, [await incidentRow(ctx, uuid)], false))[0];
}

/** An update as stored: `text` is its LocalizedText's JSON. */
export interface StoredUpdate {
  uuid: string;
  at: number;
  text: string;
  type: string;
}

/** An incident's timeline oldest first, in pages of about PAGE_BYTES. */
export async function* incidentUpdatePages(ctx: ActorCtx, incidentId: number): AsyncGenerator<StoredUpdate[]> {
  const sizes = await ctx.store.db
    .selectFrom('incident_updates')
    .select(['id', sql<number>`octet_length(text)`.as('bytes')])
    .where('incident_id', '=', incidentId)
    .orderBy('at')
    .orderBy('id')
    .execute();
  for (let start = 0; start < sizes.length; ) {
    let bytes = 0;
    let end = start;
    while (end < sizes.length && (end === start || bytes + Number(sizes[end].bytes) <= PAGE_BYTES))
      bytes += Number(sizes[end++].bytes);
    yield await ctx.store.db
      .selectFrom('incident_updates')
      .select(['uuid', 'at', 'text', 'type'])
      .where('incident_id', '=', incidentId)
      .where(
        'id',
        'in',
        sizes.slice(start, end).map((r) => r.id),
      )
      .orderBy('at')
      .orderBy('id')
      .execute();
    start = end;
  }
}

/** `notify: false` (imports) leaves the pages' subscribers alone. */
export async function createIncident(
  ctx: ActorCtx,
  input: Record<string, unknown>,
  opts: { notify?: boolean } = {},
): Promise<Incident> {
  const now = ctx.clock();
  const { updates, ...fields } = applyIncidentInput(null, input, now);
  const monitorIds = await resolveMonitorRefs(ctx, fields.affectedComponents, 'affectedComponents');
  await requireStatusPages(ctx, fields.statuspages);
  const uuid = newId('inci');
  await ctx.store.db.transaction().execute(async (trx) => {
    const { id } = await trx
      .insertInto('incidents')
      .values({
        uuid,
        project_id: ctx.actor.projectId,
        at: fields.at,
        title: JSON.stringify(fields.title),
        text: JSON.stringify(fields.text),
        type: fields.type,
        statuspages: JSON.stringify(fields.statuspages),
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await linkMonitors(trx, id, monitorIds);
    await insertUpdates(trx, id, updates, now);
    // The pages' email subscribers hear of it with the commit (outbox rows).
    const latest = updates.length ? updates.reduce((a, b) => (b.at >= a.at ? b : a)) : null;
    if (opts.notify !== false)
      await notifySubscribers(
        trx,
        ctx.actor.projectId,
        fields.statuspages,
        {
          kind: 'incident',
          change: 'created',
          uuid,
          title: fields.title,
          text: fields.text,
          type: fields.type,
          update: latest,
        },
        now,
      );
  });
  return getIncident(ctx, uuid);
}

/** Partial update: only the keys present in the body change. Answers the incident without its timeline. */
export async function updateIncident(ctx: ActorCtx, uuid: string, input: Record<string, unknown>): Promise<Incident> {
  const current = await getIncidentHead(ctx, uuid);
  const now = ctx.clock();
  const { updates: _ignored, ...fields } = applyIncidentInput(current, input, now);
  const relink = input.affectedComponents !== undefined;
  const monitorIds = relink ? await resolveMonitorRefs(ctx, fields.affectedComponents, 'affectedComponents') : [];
  if (input.statuspages !== undefined) await requireStatusPages(ctx, fields.statuspages);
  await ctx.store.db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable('incidents')
      .set({
        at: fields.at,
        title: JSON.stringify(fields.title),
        text: JSON.stringify(fields.text),
        type: fields.type,
        statuspages: JSON.stringify(fields.statuspages),
        updated_at: now,
      })
      .where('id', '=', current.id)
      .where('project_id', '=', ctx.actor.projectId)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) throw new NotFoundError('Incident');
    if (relink) await linkMonitors(trx, current.id, monitorIds);
  });
  return getIncidentHead(ctx, uuid);
}

/**
 * Appends a timeline entry (a `resolved` entry is how an incident is resolved). Answers the
 * incident without its timeline.
 */
export async function addIncidentUpdate(
  ctx: ActorCtx,
  uuid: string,
  input: Record<string, unknown>,
  opts: { notify?: boolean } = {},
): Promise<Incident> {
  const current = await getIncidentHead(ctx, uuid);
  const now = ctx.clock();
  const update = parseIncidentUpdate(input, now);
  await ctx.store.db.transaction().execute(async (trx) => {
    await insertUpdates(trx, current.id, [update], now);
    await trx.updateTable('incidents').set({ updated_at: now }).where('id', '=', current.id).execute();
    if (opts.notify !== false)
      await notifySubscribers(
        trx,
        ctx.actor.projectId,
        current.statuspages,
        {
          kind: 'incident',
          change: 'updated',
          uuid,
          title: current.title,
          text: current.text,
          type: current.type,
          update,
        },
        now,
      );
  });
  return getIncidentHead(ctx, uuid);
}

/** Deletes the incident with its timeline and links. */
export async function deleteIncident(ctx: ActorCtx, uuid: string): Promise<void> {
  const res = await ctx.store.db
    .deleteFrom('incidents')
    .where('uuid', '=', uuid)
    .where('project_id', '=', ctx.actor.projectId)
    .executeTakeFirst();
  if (Number(res.numDeletedRows) === 0) throw new NotFoundError('Incident');
}
