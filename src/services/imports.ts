import { ConflictError, ValidationError } from '../domain/errors.ts';
import { randomAlnum } from '../domain/ids.ts';
import {
  fingerprint,
  healthcheckBody,
  incidentBody,
  maintenanceBody,
  monitorBody,
  statusPageBody,
  subscriberBody,
  updateKey,
  type ImportKind,
  type ImportRefs,
  type Json,
  type Mapped,
} from '../domain/imports.ts';
import type { ActorCtx, Ctx } from './context.ts';
import { createMonitor, updateMonitor } from './monitors.ts';
import { createHealthcheck, getHealthcheck, setHealthcheckPaused, updateHealthcheck } from './healthchecks.ts';
import { addSubscriber, createStatusPage, updateStatusPage, type SubscriberInput } from './statuspages.ts';
import { createMaintenance, updateMaintenance } from './maintenance.ts';
import { addIncidentUpdate, createIncident, getIncident, updateIncident } from './incidents.ts';
import { getProject } from './projects.ts';

/** Everything read from the source API, in its read shapes. */
export interface SourceData {
  monitors: Json[];
  healthchecks: Json[];
  statuspages: { page: Json; subscribers: Json[] }[];
  maintenance: Json[];
  incidents: Json[];
}

export interface KindCounts {
  kind: ImportKind;
  found: number;
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  failed: number;
}

export interface ImportReport {
  kinds: KindCounts[];
  /** Objects that could not be written (each left as it was). */
  failures: { kind: ImportKind; id: string; name: string; error: string }[];
  /** What could not be carried over, for objects created or updated, and why objects were skipped. */
  notes: { kind: ImportKind; id: string; name: string; note: string }[];
}

export interface ImportOptions {
  /** The source API's base URL: links are kept per source. */
  source: string;
  projectUuid: string;
  dryRun: boolean;
  onProgress?: (kind: ImportKind, done: number, total: number) => void;
}

interface Link {
  local_id: string;
  fingerprint: string;
}

/**
 * Runs `fn` inside one transaction with a ctx whose store is that transaction: the services it
 * calls open no transaction of their own but join this one, so an object, its parts and its
 * import link are written together or not at all.
 */
async function inTransaction<T>(ctx: ActorCtx, fn: (t: ActorCtx) => Promise<T>): Promise<T> {
  return ctx.store.db.transaction().execute(async (trx) => {
    const db = new Proxy(trx, {
      get(target, prop) {
        if (prop === 'transaction') return () => ({ execute: (f: (t: typeof trx) => unknown) => f(trx) });
        const v = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    return fn({ ...ctx, store: { ...ctx.store, db } });
  });
}

/**
 * A taken subdomain (a hostname is only a claim until proven, so several pages may name one), checked before the write: inside the import's transaction the
 * failed insert would abort it on PostgreSQL before the service could say which one clashed.
 */
async function requireFreeAddress(t: ActorCtx, body: Json, own: string | null): Promise<void> {
  const sub = typeof body.subdomain === 'string' ? body.subdomain.toLowerCase() : null;
  if (!sub) return;
  const clash = await t.store.db
    .selectFrom('status_pages')
    .select('subdomain')
    .where('subdomain', '=', sub)
    .$if(own !== null, (q) => q.where('uuid', '!=', own!))
    .executeTakeFirst();
  if (clash) throw new ValidationError(`subdomain ${sub} is already taken`);
}

/** Copies are not news: the pages' subscribers hear nothing of incidents and windows an import writes. */
const quiet = { notify: false };

const message = (err: unknown) => String((err as Error)?.message ?? err).split('\n')[0];

/**
 * Copies a source project into a local one through the services the REST API uses. Objects are
 * matched to earlier imports by the import_links table: unchanged sources are not touched
 * (a second run writes nothing), changed ones are updated, and nothing is ever duplicated.
 * Monitors and status pages go first so the others can name their local twins.
 */
export async function importProject(ctx: Ctx, data: SourceData, opts: ImportOptions): Promise<ImportReport> {
  const project = await getProject(ctx, opts.projectUuid);
  const actx: ActorCtx = {
    ...ctx,
    actor: { projectId: project.id, projectUuid: project.uuid, permission: 'read_write', keyId: null },
  };
  const db = ctx.store.db;
  const links = new Map<string, Link>();
  for (const l of await db
    .selectFrom('import_links')
    .select(['kind', 'source_id', 'local_id', 'fingerprint'])
    .where('project_id', '=', project.id)
    .where('source', '=', opts.source)
    .execute()) {
    links.set(`${l.kind} ${l.source_id}`, l);
  }
  const report: ImportReport = { kinds: [], failures: [], notes: [] };
  const refs: ImportRefs = { monitors: new Map(), statuspages: new Map() };

  const exists: Record<ImportKind, (localId: string) => Promise<boolean>> = {
    monitor: async (id) =>
      !!(await db
        .selectFrom('monitors')
        .select('id')
        .where('uuid', '=', id)
        .where('project_id', '=', project.id)
        .executeTakeFirst()),
    healthcheck: async (id) =>
      !!(await db
        .selectFrom('healthchecks')
        .select('id')
        .where('uuid', '=', id)
        .where('project_id', '=', project.id)
        .executeTakeFirst()),
    statuspage: async (id) =>
      !!(await db
        .selectFrom('status_pages')
        .select('id')
        .where('uuid', '=', id)
        .where('project_id', '=', project.id)
        .executeTakeFirst()),
    maintenance: async (id) =>
      !!(await db
        .selectFrom('maintenance_windows')
        .select('id')
        .where('uuid', '=', id)
        .where('project_id', '=', project.id)
        .executeTakeFirst()),
    incident: async (id) =>
      !!(await db
        .selectFrom('incidents')
        .select('id')
        .where('uuid', '=', id)
        .where('project_id', '=', project.id)
        .executeTakeFirst()),
    subscriber: async (id) =>
      !!(await db
        .selectFrom('status_page_subscribers')
        .innerJoin('status_pages', 'status_pages.id', 'status_page_subscribers.status_page_id')
        .select('status_page_subscribers.id')
        .where('status_page_subscribers.id', '=', Number(id))
        .where('status_pages.project_id', '=', project.id)
        .executeTakeFirst()),
  };

  async function saveLink(t: ActorCtx, kind: ImportKind, sourceId: string, localId: string, print: string) {
    await t.store.db
      .insertInto('import_links')
      .values({
        project_id: project.id,
        source: opts.source,
        kind,
        source_id: sourceId,
        local_id: localId,
        fingerprint: print,
        imported_at: ctx.clock(),
      })
      .onConflict((oc) =>
        oc
          .columns(['project_id', 'source', 'kind', 'source_id'])
          .doUpdateSet({ local_id: localId, fingerprint: print, imported_at: ctx.clock() }),
      )
      .execute();
  }

  /** Creates, updates or leaves one object; returns its local id (a placeholder in a dry run), or null. */
  async function apply(
    counts: KindCounts,
    sourceId: string,
    name: string,
    mapped: Mapped,
    write: { create(t: ActorCtx): Promise<string>; update(t: ActorCtx, localId: string): Promise<void> },
  ): Promise<string | null> {
    const { kind } = counts;
    const link = links.get(`${kind} ${sourceId}`);
    const print = fingerprint(mapped.body);
    const alive = link ? await exists[kind](link.local_id) : false;
    if (link && alive && link.fingerprint === print) {
      counts.unchanged++;
      return link.local_id;
    }
    const note = () => {
      for (const n of mapped.notes) report.notes.push({ kind, id: sourceId, name, note: n });
    };
    if (opts.dryRun) {
      counts[alive ? 'updated' : 'created']++;
      note();
      return alive ? link!.local_id : `new:${sourceId}`;
    }
    try {
      const localId = await inTransaction(actx, async (t) => {
        if (alive) await write.update(t, link!.local_id);
        const id = alive ? link!.local_id : await write.create(t);
        await saveLink(t, kind, sourceId, id, print);
        return id;
      });
      counts[alive ? 'updated' : 'created']++;
      note();
      return localId;
    } catch (err) {
      counts.failed++;
      report.failures.push({ kind, id: sourceId, name, error: message(err) });
      return alive ? link!.local_id : null;
    }
  }

  async function each<T>(
    kind: ImportKind,
    items: T[],
    fn: (item: T, counts: KindCounts) => Promise<void>,
  ): Promise<KindCounts> {
    const counts: KindCounts = {
      kind,
      found: items.length,
      created: 0,
      updated: 0,
      unchanged: 0,
      skipped: 0,
      failed: 0,
    };
    report.kinds.push(counts);
    opts.onProgress?.(kind, 0, items.length);
    for (let i = 0; i < items.length; i++) {
      await fn(items[i], counts);
      opts.onProgress?.(kind, i + 1, items.length);
    }
    return counts;
  }

  await each('monitor', data.monitors, async (m, counts) => {
    const mapped = monitorBody(m);
    const local = await apply(counts, String(m.uuid), String(m.name), mapped, {
      create: async (t) => (await createMonitor(t, mapped.body)).uuid,
      update: async (t, id) => void (await updateMonitor(t, id, mapped.body)),
    });
    if (local) {
      refs.monitors.set(String(m.uuid), local);
      if (m.id !== undefined && m.id !== null) refs.monitors.set(String(m.id), local);
    }
  });

  await each('healthcheck', data.healthchecks, async (h, counts) => {
    const mapped = healthcheckBody(h);
    const paused = mapped.body.paused === true;
    await apply(counts, String(h.uuid), String(h.name), mapped, {
      async create(t) {
        const made = await createHealthcheck(t, mapped.body);
        if (paused) await setHealthcheckPaused(t, made.uuid, true);
        return made.uuid;
      },
      async update(t, id) {
        await updateHealthcheck(t, id, mapped.body);
        if ((await getHealthcheck(t, id)).paused !== (paused ? 1 : 0)) await setHealthcheckPaused(t, id, paused);
      },
    });
  });

  const pages: { source: Json; local: string | null; subscribers: Json[] }[] = [];
  await each('statuspage', data.statuspages, async ({ page, subscribers }, counts) => {
    const mapped = statusPageBody(page, refs);
    const local = await apply(counts, String(page.uuid), String(page.name), mapped, {
      async create(t) {
        await requireFreeAddress(t, mapped.body, null);
        return (await createStatusPage(t, mapped.locked ? { ...mapped.body, password: randomAlnum(24) } : mapped.body))
          .row.uuid;
      },
      async update(t, id) {
        await requireFreeAddress(t, mapped.body, id);
        await updateStatusPage(t, id, mapped.body);
      },
    });
    if (local) refs.statuspages.set(String(page.uuid), local);
    pages.push({ source: page, local, subscribers });
  });

  const allSubscribers = pages.flatMap((p) => p.subscribers.map((s) => ({ page: p, s })));
  await each('subscriber', allSubscribers, async ({ page, s }, counts) => {
    const sourceId = `${page.source.uuid}/${s.id}`;
    const name = String(s.value ?? s.email ?? s.phone ?? s.id);
    const mapped = subscriberBody(s);
    if ('skip' in mapped || page.local === null) {
      counts.skipped++;
      report.notes.push({
        kind: 'subscriber',
        id: sourceId,
        name,
        note: `skipped: ${'skip' in mapped ? mapped.skip : 'its status page was not imported'}`,
      });
      return;
    }
    // Subscribers cannot be edited: one that is there stays as it is.
    const link = links.get(`subscriber ${sourceId}`);
    if (link && (await exists.subscriber(link.local_id))) {
      counts.unchanged++;
      return;
    }
    if (opts.dryRun) {
      counts.created++;
      return;
    }
    const pageUuid = page.local;
    const print = fingerprint(mapped.body);
    try {
      try {
        await inTransaction(actx, async (t) =>
          saveLink(
            t,
            'subscriber',
            sourceId,
            String((await addSubscriber(t, pageUuid, mapped.body as SubscriberInput)).id),
            print,
          ),
        );
        counts.created++;
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
        // Already subscribed here (by hand, or by an import whose link was lost): link that one.
        const raw = String(mapped.body.email ?? mapped.body.phone ?? mapped.body.teams_webhook_url).trim();
        await inTransaction(actx, async (t) => {
          const row = await t.store.db
            .selectFrom('status_page_subscribers')
            .innerJoin('status_pages', 'status_pages.id', 'status_page_subscribers.status_page_id')
            .select('status_page_subscribers.id')
            .where('status_pages.uuid', '=', pageUuid)
            .where('status_page_subscribers.value', 'in', [raw, raw.toLowerCase(), raw.replace(/[\s().-]/g, '')])
            .executeTakeFirstOrThrow();
          await saveLink(t, 'subscriber', sourceId, String(row.id), print);
        });
        counts.unchanged++;
      }
    } catch (err) {
      counts.failed++;
      report.failures.push({ kind: 'subscriber', id: sourceId, name, error: message(err) });
    }
  });

  await each('maintenance', data.maintenance, async (w, counts) => {
    const mapped = maintenanceBody(w, refs);
    await apply(counts, String(w.uuid), String(w.name), mapped, {
      create: async (t) => (await createMaintenance(t, mapped.body, quiet)).uuid,
      update: async (t, id) => void (await updateMaintenance(t, id, mapped.body, quiet)),
    });
  });

  await each('incident', data.incidents, async (i, counts) => {
    const mapped = incidentBody(i, refs);
    const { updates, ...fields } = mapped.body;
    await apply(counts, String(i.uuid), String(i.title?.en ?? Object.values(i.title ?? {})[0] ?? i.uuid), mapped, {
      create: async (t) => (await createIncident(t, mapped.body, quiet)).uuid,
      async update(t, id) {
        // The timeline can only grow: add the source's entries this incident lacks.
        await updateIncident(t, id, fields);
        const current = await getIncident(t, id);
        const have = new Set(current.updates.map((u) => updateKey(u.at, u.type, u.text)));
        for (const u of updates as Json[]) {
          if (!have.has(updateKey(u.date, u.type, u.text))) await addIncidentUpdate(t, id, u, quiet);
        }
      },
    });
  });

  return report;
}
