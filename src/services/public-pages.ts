import { sql } from 'kysely';
import { DAY, HISTOGRAM_COLUMNS, HOUR, bucketStart } from '../domain/rollups.ts';
import type { LocalizedText } from '../domain/localized.ts';
import type { StoredSection, StoredService } from '../domain/statuspages.ts';
import type { UpdateType } from '../domain/incidents.ts';
import { insertSubscriber, parsePage, unsubscribe, type PageRow, type StatusPage } from './statuspages.ts';
import { enqueue } from './outbox.ts';
import type { SubscriberPayload } from './subscriber-notices.ts';
import { ConflictError } from '../domain/errors.ts';
import { monitorsUnderMaintenance } from './maintenance.ts';
import { downMonitorIds } from './monitors.ts';
import { yieldToLoop, type Ctx } from './context.ts';
import { verifyPassword } from '../domain/passwords.ts';

/**
 * The read model of the public status pages: what a visitor may see of a page, computed from
 * monitors, rollups, incidents and maintenance windows with a handful of batched queries.
 * Only what was placed on the page is returned (never another monitor's name or figures).
 */

export const UPTIME_DAYS = 90;
export const RESPONSE_HOURS = 24;
const HISTORY_DAYS = 90;
const CHUNK = 500;
/**
 * What the page shows of incidents and maintenance, whatever the project holds (incidents of
 * 1 MiB, 500 updates each, 500 windows of 200 KB): the newest ongoing and resolved incidents,
 * each with its text and latest updates cut to TEXT_PREVIEW characters, linking to the whole.
 */
export const ONGOING_SHOWN = 10;
export const HISTORY_LIMIT = 20;
export const UPDATES_SHOWN = 5;
export const TEXT_PREVIEW = 1000;
export const MAINTENANCE_SHOWN = 20;
/** Incidents a page considers (the newest of its project), and updates per page of one incident. */
const INCIDENTS_READ = 500;
export const INCIDENT_PAGE_UPDATES = 50;

export type ServiceState = 'up' | 'down' | 'paused' | 'maintenance';
export type Overall = 'operational' | 'degraded' | 'major' | 'maintenance';

export interface DayFigure {
  checks: number;
  failures: number;
  /** Healthchecks: seconds watched and seconds down instead of checks and failed checks. */
  seconds?: true;
}

export interface ServiceStatus {
  id: number;
  name: LocalizedText;
  description: LocalizedText;
  isGroup: boolean;
  /** null for a service without a monitor (or an empty group). */
  state: ServiceState | null;
  showUptime: boolean;
  showResponseTimes: boolean;
  /** UPTIME_DAYS figures, oldest first; null where there were no checks. */
  days: (DayFigure | null)[];
  /** Mean response time (ms) per hour, oldest first, RESPONSE_HOURS of them when shown. */
  hours: (number | null)[];
  services: ServiceStatus[];
}

export interface SectionStatus {
  name: LocalizedText;
  services: ServiceStatus[];
}

export interface IncidentView {
  uuid: string;
  at: number;
  title: LocalizedText;
  text: LocalizedText;
  type: string;
  /** The latest updates (all of them on the incident's own page), oldest first. */
  updates: { at: number; text: LocalizedText; type: UpdateType }[];
  /** How many updates the incident has in all. */
  updateCount: number;
  /** Whether the page shows less than the whole incident (a text cut, updates left out). */
  cut: boolean;
  resolvedAt: number | null;
  /** Names (as the page shows them) of the affected services that are on this page. */
  affected: LocalizedText[];
}

export interface MaintenanceView {
  uuid: string;
  title: LocalizedText;
  text: LocalizedText;
  startsAt: number;
  endsAt: number;
  ongoing: boolean;
}

export interface PageStatus {
  now: number;
  /** Start of the first of the UPTIME_DAYS day buckets (UTC midnight). */
  firstDay: number;
  /** Start of the first of the RESPONSE_HOURS hour buckets. */
  firstHour: number;
  overall: Overall;
  sections: SectionStatus[];
  /** The ONGOING_SHOWN newest ongoing incidents. */
  ongoing: IncidentView[];
  /** Ongoing incidents not shown. */
  ongoingMore: number;
  /** The HISTORY_LIMIT newest incidents resolved in the last HISTORY_DAYS. */
  history: IncidentView[];
  /** The MAINTENANCE_SHOWN ongoing and upcoming windows, soonest first. */
  maintenance: MaintenanceView[];
  /** The MAINTENANCE_SHOWN windows that ended last in the last HISTORY_DAYS (the feed lists them too), latest first. */
  pastMaintenance: MaintenanceView[];
}

const SUBDOMAIN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const HOSTNAME = /^[a-z0-9.-]{1,253}$/;

export async function findPageBySubdomain(ctx: Ctx, subdomain: string): Promise<StatusPage | null> {
  const s = subdomain.toLowerCase();
  if (!SUBDOMAIN.test(s)) return null;
  const row = await ctx.store.db.selectFrom('status_pages').selectAll().where('subdomain', '=', s).executeTakeFirst();
  return row ? parseKept(row as PageRow) : null;
}

/**
 * Every public request reads its page: its settings and sections (up to 1 MiB) are parsed once
 * and kept while their text stays the same (comparing strings costs far less than parsing).
 */
const parsedPages = new Map<number, { settings: string; sections: string; page: StatusPage }>();
function parseKept(row: PageRow): StatusPage {
  const hit = parsedPages.get(row.id);
  if (hit && hit.settings === row.settings && hit.sections === row.sections) return { ...hit.page, row };
  const page = parsePage(row);
  if (parsedPages.size >= CACHED_PAGES && !parsedPages.has(row.id))
    parsedPages.delete(parsedPages.keys().next().value!);
  parsedPages.set(row.id, { settings: row.settings, sections: row.sections, page });
  return page;
}

/** The page whose proven custom `hostname` is this Host header (lowercased, port and final dot dropped). */
export async function findPageByHost(ctx: Ctx, host: string | undefined): Promise<StatusPage | null> {
  const h = (host ?? '').toLowerCase().replace(/:\d*$/, '').replace(/\.$/, '');
  if (!HOSTNAME.test(h)) return null;
  // Never the server's own host, whatever a page proved before VIGIL_PUBLIC_URL pointed here.
  if (ctx.publicUrl && h === new URL(ctx.publicUrl).hostname.toLowerCase()) return null;
  const row = await ctx.store.db.selectFrom('status_pages').selectAll().where('hostname', '=', h).executeTakeFirst();
  return row ? parseKept(row as PageRow) : null;
}

/** Protected only with both the switch on and a password to check. */
export function isProtected(page: StatusPage): boolean {
  return page.row.password_hash !== null && page.settings.authentication?.password_protection === true;
}

/** Whether a visitor's password opens a protected page (one over 1024 characters is not even hashed). */
export async function pagePasswordMatches(page: StatusPage, password: string): Promise<boolean> {
  if (password === '' || password.length > 1024) return false;
  try {
    return await verifyPassword(password, page.row.password_hash!);
  } catch {
    return false;
  }
}

export async function subscriberExists(ctx: Ctx, pageId: number, token: string): Promise<boolean> {
  const row = await ctx.store.db
    .selectFrom('status_page_subscribers')
    .select('id')
    .where('token', '=', token)
    .where('status_page_id', '=', pageId)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The public form's subscription: stored unconfirmed, with a confirmation email queued in the same
 * transaction (when email is set up); nothing else is sent to it until it is confirmed. An address
 * already subscribed, confirmed or not, is left as it is: the form answers the same either way.
 */
export async function subscribeFromPage(
  ctx: Ctx,
  page: StatusPage,
  input: { email: string; language: string },
): Promise<void> {
  try {
    await ctx.store.db.transaction().execute(async (trx) => {
      const sub = await insertSubscriber(
        ctx,
        page.row.id,
        { type: 'email', email: input.email, language: input.language },
        { confirmed: false, db: trx },
      );
      if (!ctx.emailEnabled) return;
      const confirmPage = `${ctx.publicUrl ?? ''}/status/${page.row.subdomain}/confirm/${sub.token}`;
      const payload: SubscriberPayload = {
        event: 'statuspage.confirm',
        change: 'created',
        at: new Date(ctx.clock()).toISOString(),
        page: { uuid: page.row.uuid, name: page.row.name, subdomain: page.row.subdomain },
        token: sub.token,
        language: sub.language,
        confirm: confirmPage,
      };
      await enqueue(
        trx,
        [
          {
            project_id: page.row.project_id,
            channel_id: null,
            kind: 'email',
            recipient: sub.email,
            outage_id: null,
            step: null,
            event: payload.event,
            payload,
          },
        ],
        ctx.clock(),
      );
    });
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err;
  }
}

/** The confirmation link's action: true when the token is a subscriber of this page (confirmed now or before). */
export async function confirmSubscription(ctx: Ctx, pageId: number, token: string): Promise<boolean> {
  const row = await ctx.store.db
    .selectFrom('status_page_subscribers')
    .select(['id', 'confirmed_at'])
    .where('token', '=', token)
    .where('status_page_id', '=', pageId)
    .executeTakeFirst();
  if (!row) return false;
  if (row.confirmed_at === null)
    await ctx.store.db
      .updateTable('status_page_subscribers')
      .set({ confirmed_at: ctx.clock() })
      .where('id', '=', row.id)
      .where('confirmed_at', 'is', null)
      .execute();
  return true;
}

/** Removes a subscriber of this page by the secret of their unsubscribe link. */
export async function unsubscribeFromPage(ctx: Ctx, pageId: number, token: string): Promise<boolean> {
  return (await subscriberExists(ctx, pageId, token)) && unsubscribe(ctx, token);
}

/**
 * A page's status is computed once and kept until something on the page changes: its settings
 * (`updated_at`), the state or settings of a monitor or heartbeat check it shows, or an incident
 * or maintenance window of its project. That fingerprint is a few aggregate queries over indexed
 * rows, so a flood of visitors costs little; the daily bars and response times, which move with
 * every check, are recomputed at least every minute. Bursts share one computation.
 */
const STATUS_TTL_MS = 60_000;
const CACHED_PAGES = 1000;

interface CachedStatus {
  /** The page row as it was: settings, sections, name and updated_at. */
  key: string;
  fingerprint: string;
  status: PageStatus;
  computedAt: number;
}
const cached = new Map<number, CachedStatus>();
const inFlight = new Map<string, Promise<PageStatus>>();

/** Aggregates of what the page shows: a change to any of them changes the string. */
async function pageFingerprint(ctx: Ctx, page: StatusPage): Promise<string> {
  const monitors = new Set<number>();
  const checks = new Set<number>();
  for (const sec of Array.isArray(page.sections) ? page.sections : []) {
    walk(sec.services ?? [], (s) => {
      if (typeof s.monitor_id === 'number') monitors.add(s.monitor_id);
      if (typeof s.healthcheck_id === 'number') checks.add(s.healthcheck_id);
    });
  }
  const db = ctx.store.db;
  const projectId = page.row.project_id;
  const parts: unknown[] = [];
  for (const part of chunks([...monitors])) {
    parts.push(
      await db
        .selectFrom('monitors')
        .where('project_id', '=', projectId)
        .where('id', 'in', part)
        .select((eb) => [
          eb.fn.sum<number>('state_version').as('v'),
          eb.fn.max('updated_at').as('u'),
          eb.fn.countAll<number>().as('n'),
          eb.fn.sum<number>('paused').as('p'),
          eb.fn.sum<number>(eb.case().when('status', '=', 'down').then(1).else(0).end()).as('d'),
        ])
        .executeTakeFirst(),
    );
  }
  for (const part of chunks([...checks])) {
    parts.push(
      await db
        .selectFrom('healthchecks')
        .where('project_id', '=', projectId)
        .where('id', 'in', part)
        .select((eb) => [
          eb.fn.sum<number>('state_version').as('v'),
          eb.fn.max('updated_at').as('u'),
          eb.fn.countAll<number>().as('n'),
          eb.fn.sum<number>('paused').as('p'),
          eb.fn.sum<number>('is_down').as('d'),
        ])
        .executeTakeFirst(),
    );
  }
  parts.push(
    await db
      .selectFrom('outages')
      .where('project_id', '=', projectId)
      .select((eb) => [eb.fn.max('id').as('m'), eb.fn.countAll<number>().as('n')])
      .executeTakeFirst(),
  );
  parts.push(
    await db
      .selectFrom('incidents')
      .where('project_id', '=', projectId)
      .select((eb) => [
        eb.fn.max('updated_at').as('u'),
        eb.fn.countAll<number>().as('n'),
        eb
          .selectFrom('incident_updates')
          .innerJoin('incidents as i', 'i.id', 'incident_updates.incident_id')
          .where('i.project_id', '=', projectId)
          .select((u) => u.fn.max('incident_updates.id').as('x'))
          .as('x'),
      ])
      .executeTakeFirst(),
  );
  parts.push(
    await db
      .selectFrom('maintenance_windows')
      .where('project_id', '=', projectId)
      .select((eb) => [eb.fn.max('updated_at').as('u'), eb.fn.countAll<number>().as('n')])
      .executeTakeFirst(),
  );
  return JSON.stringify(parts);
}

function computeOnce(ctx: Ctx, page: StatusPage, key: string, fingerprint: string, now: number): Promise<PageStatus> {
  const flight = `${page.row.id}|${key}|${fingerprint}`;
  let p = inFlight.get(flight);
  if (!p) {
    p = computePageStatus(ctx, page)
      .then((status) => {
        if (cached.size >= CACHED_PAGES && !cached.has(page.row.id)) cached.delete(cached.keys().next().value!);
        cached.set(page.row.id, { key, fingerprint, status, computedAt: now });
        return status;
      })
      .finally(() => inFlight.delete(flight));
    inFlight.set(flight, p);
  }
  return p;
}

export async function loadPageStatus(ctx: Ctx, page: StatusPage): Promise<PageStatus> {
  const now = ctx.clock();
  const key = `${page.row.updated_at}|${page.row.name}|${page.row.settings}|${page.row.sections}`;
  const hit = cached.get(page.row.id);
  const fresh = hit && hit.key === key && now - hit.computedAt < STATUS_TTL_MS && now >= hit.computedAt;
  const fingerprint = await pageFingerprint(ctx, page);
  if (fresh && hit.fingerprint === fingerprint) return hit.status;
  return computeOnce(ctx, page, key, fingerprint, now);
}

function chunks<T>(list: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/**
 * Reads that walk many rows go a few monitors (or incidents) at a time, with a turn of the event
 * loop between: a page of 500 services in 18 regions is 800,000 daily rollups, and its incidents
 * may carry 50,000 updates. Each read then holds the loop for tens of milliseconds.
 */
const ROLLUP_CHUNK = 5;
const UPDATE_CHUNK = 3;
const INCIDENT_CHUNK = 10;
const WINDOW_CHUNK = 20;

async function* paced<T>(parts: T[][]): AsyncGenerator<T[]> {
  for (const [i, part] of parts.entries()) {
    if (i > 0) await yieldToLoop();
    yield part;
  }
}

function walk(services: StoredService[], fn: (s: StoredService) => void): void {
  for (const s of services) {
    fn(s);
    walk(s.services ?? [], fn);
  }
}

interface MonitorFacts {
  name: string;
  state: ServiceState;
  days: (DayFigure | null)[];
  /** Per hour: [sum of ms, samples]. */
  hours: [number, number][];
}

async function computePageStatus(ctx: Ctx, page: StatusPage): Promise<PageStatus> {
  const db = ctx.store.db;
  const now = ctx.clock();
  const firstDay = bucketStart(now, DAY) - (UPTIME_DAYS - 1) * DAY;
  const firstHour = bucketStart(now, HOUR) - (RESPONSE_HOURS - 1) * HOUR;
  const projectId = page.row.project_id;
  const sections = Array.isArray(page.sections) ? page.sections : [];

  const ids = new Set<number>();
  const timed = new Set<number>();
  for (const sec of sections) {
    walk(sec.services ?? [], (s) => {
      if (typeof s.monitor_id !== 'number') return;
      ids.add(s.monitor_id);
      if (s.show_response_times) timed.add(s.monitor_id);
    });
  }
  // A service shown as part of a group with response times needs its children's hours too.
  for (const sec of sections) {
    walk(sec.services ?? [], (s) => {
      if (s.is_group && s.show_response_times)
        walk(s.services ?? [], (c) => {
          if (typeof c.monitor_id === 'number') timed.add(c.monitor_id);
        });
    });
  }

  const facts = new Map<number, MonitorFacts>();
  const down = ids.size ? await downMonitorIds(db, projectId) : new Set<number>(); // status from an index (migration 018)
  for (const part of chunks([...ids])) {
    const rows = await db
      .selectFrom('monitors')
      .select(['id', 'name', 'paused'])
      .where('project_id', '=', projectId)
      .where('id', 'in', part)
      .execute();
    for (const r of rows) {
      facts.set(Number(r.id), {
        name: r.name,
        state: r.paused ? 'paused' : down.has(Number(r.id)) ? 'down' : 'up',
        days: new Array(UPTIME_DAYS).fill(null),
        hours: Array.from({ length: RESPONSE_HOURS }, () => [0, 0] as [number, number]),
      });
    }
  }
  const known = [...facts.keys()];
  const maintained = known.length ? await monitorsUnderMaintenance(ctx, known, now) : new Set<number>();
  for (const id of maintained) {
    const f = facts.get(id);
    if (f && f.state !== 'paused') f.state = 'maintenance';
  }

  for await (const part of paced(chunks(known, ROLLUP_CHUNK))) {
    const days = await db
      .selectFrom('check_rollups')
      .select(['monitor_id', 'bucket'])
      .select((eb) => [eb.fn.sum<number>('checks').as('checks'), eb.fn.sum<number>('failures').as('failures')])
      .where('granularity', '=', 'day')
      .where('monitor_id', 'in', part)
      .where('bucket', '>=', firstDay)
      .groupBy(['monitor_id', 'bucket'])
      .execute();
    for (const d of days) {
      const i = Math.floor((Number(d.bucket) - firstDay) / DAY);
      const f = facts.get(Number(d.monitor_id));
      if (f && i >= 0 && i < UPTIME_DAYS && Number(d.checks) > 0)
        f.days[i] = { checks: Number(d.checks), failures: Number(d.failures) };
    }
  }
  const timedKnown = known.filter((id) => timed.has(id));
  // Samples are the histogram counts: only successful checks with a timing add to sum_ms.
  const samples = sql<number>`${sql.join(
    HISTOGRAM_COLUMNS.map((c) => sql.ref(c)),
    sql` + `,
  )}`;
  for await (const part of paced(chunks(timedKnown, ROLLUP_CHUNK))) {
    const hours = await db
      .selectFrom('check_rollups')
      .select(['monitor_id', 'bucket'])
      .select((eb) => [eb.fn.sum<number>('sum_ms').as('sum_ms'), eb.fn.sum<number>(samples).as('samples')])
      .where('granularity', '=', 'hour')
      .where('monitor_id', 'in', part)
      .where('bucket', '>=', firstHour)
      .groupBy(['monitor_id', 'bucket'])
      .execute();
    for (const h of hours) {
      const i = Math.floor((Number(h.bucket) - firstHour) / HOUR);
      const f = facts.get(Number(h.monitor_id));
      if (f && i >= 0 && i < RESPONSE_HOURS) f.hours[i] = [Number(h.sum_ms), Number(h.samples)];
    }
  }

  const checks = await healthcheckFacts(ctx, sections, projectId, firstDay, now);
  const factsOf = (s: StoredService): MonitorFacts | undefined =>
    typeof s.monitor_id === 'number'
      ? facts.get(s.monitor_id)
      : typeof s.healthcheck_id === 'number'
        ? checks.get(s.healthcheck_id)
        : undefined;
  const toStatus = (s: StoredService): ServiceStatus | null => {
    const own = factsOf(s);
    // A service whose monitor or healthcheck was deleted (or belongs elsewhere) drops out.
    if ((typeof s.monitor_id === 'number' || typeof s.healthcheck_id === 'number') && !own) return null;
    const children = (s.services ?? []).map(toStatus).filter((c): c is ServiceStatus => c !== null);
    const base = {
      id: s.id,
      name: nonEmpty(s.name) ? s.name : { en: own?.name ?? '' },
      description: s.description ?? {},
      isGroup: s.is_group === true,
      showUptime: s.show_uptime !== false,
      showResponseTimes: s.show_response_times === true,
      services: children,
    };
    if (own) return { ...base, state: own.state, days: own.days, hours: s.show_response_times ? meanHours([own]) : [] };
    const leaves: MonitorFacts[] = [];
    walk(s.services ?? [], (c) => {
      const f = factsOf(c);
      if (f) leaves.push(f);
    });
    return {
      ...base,
      state: worstState(leaves.map((l) => l.state)),
      days: sumDays(leaves),
      hours: s.show_response_times && leaves.length ? meanHours(leaves) : [],
    };
  };
  const sectionStatus = sections.map((sec) => ({
    name: sec.name ?? {},
    services: (sec.services ?? []).map(toStatus).filter((c): c is ServiceStatus => c !== null),
  }));

  const incidents = await loadIncidents(ctx, page, now, facts, sections);
  const windows = await loadMaintenance(ctx, page, now);
  const leafStates: ServiceState[] = [];
  for (const sec of sections)
    walk(sec.services ?? [], (s) => {
      const f = factsOf(s);
      if (f) leafStates.push(f.state);
    });
  return {
    now,
    firstDay,
    firstHour,
    overall: overallStatus(
      leafStates,
      incidents.ongoingTypes.map((type) => ({ type })),
      windows.coming.some((w) => w.ongoing),
    ),
    sections: sectionStatus,
    ongoing: incidents.ongoing,
    ongoingMore: incidents.ongoingMore,
    history: incidents.history,
    maintenance: windows.coming,
    pastMaintenance: windows.past,
  };
}

/**
 * The healthchecks shown on the page: state from their last ping (paused, down or up), and per
 * day the seconds watched (since creation) and the seconds down (their outages), for uptime bars.
 */
async function healthcheckFacts(
  ctx: Ctx,
  sections: StoredSection[],
  projectId: number,
  firstDay: number,
  now: number,
): Promise<Map<number, MonitorFacts>> {
  const ids = new Set<number>();
  for (const sec of sections)
    walk(sec.services ?? [], (s) => {
      if (typeof s.healthcheck_id === 'number') ids.add(s.healthcheck_id);
    });
  const out = new Map<number, MonitorFacts>();
  for (const part of chunks([...ids])) {
    const rows = await ctx.store.db
      .selectFrom('healthchecks')
      .select(['id', 'name', 'paused', 'is_down', 'created_at'])
      .where('project_id', '=', projectId)
      .where('id', 'in', part)
      .execute();
    const outages = await ctx.store.db
      .selectFrom('outages')
      .select(['healthcheck_id', 'started_at', 'ended_at'])
      .where('healthcheck_id', 'in', part)
      .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>', firstDay)]))
      .execute();
    for (const r of rows) {
      const days: (DayFigure | null)[] = new Array(UPTIME_DAYS).fill(null);
      const mine = outages.filter((o) => Number(o.healthcheck_id) === Number(r.id));
      for (let i = 0; i < UPTIME_DAYS; i++) {
        const from = Math.max(firstDay + i * DAY, Number(r.created_at));
        const to = Math.min(firstDay + (i + 1) * DAY, now);
        if (to <= from) continue;
        let down = 0;
        for (const o of mine)
          down += Math.max(
            0,
            Math.min(to, o.ended_at === null ? now : Number(o.ended_at)) - Math.max(from, Number(o.started_at)),
          );
        days[i] = { checks: Math.round((to - from) / 1000), failures: Math.round(down / 1000), seconds: true };
      }
      const hours = Array.from({ length: RESPONSE_HOURS }, () => [0, 0] as [number, number]); // no response times
      out.set(Number(r.id), { name: r.name, state: r.paused ? 'paused' : r.is_down ? 'down' : 'up', days, hours });
    }
  }
  return out;
}

const nonEmpty = (t: LocalizedText | undefined): t is LocalizedText =>
  !!t && Object.values(t).some((v) => typeof v === 'string' && v.trim() !== '');

/** A group is as bad as its worst member; it is paused only when all of them are. */
function worstState(states: ServiceState[]): ServiceState | null {
  if (states.length === 0) return null;
  for (const s of ['down', 'maintenance', 'up'] as const) if (states.includes(s)) return s;
  return 'paused';
}

/** A group's days: its members' checks added up; with a healthcheck among them, each member weighs one day. */
function sumDays(list: MonitorFacts[]): (DayFigure | null)[] {
  const mixed = list.some((f) => f.days.some((d) => d?.seconds));
  return Array.from({ length: UPTIME_DAYS }, (_, i) => {
    let checks = 0;
    let failures = 0;
    for (const f of list) {
      const d = f.days[i];
      if (!d || d.checks === 0) continue;
      checks += mixed ? DAY / 1000 : d.checks;
      failures += mixed ? Math.round((d.failures / d.checks) * (DAY / 1000)) : d.failures;
    }
    return checks > 0 ? { checks, failures, ...(mixed ? { seconds: true as const } : {}) } : null;
  });
}

function meanHours(list: MonitorFacts[]): (number | null)[] {
  return Array.from({ length: RESPONSE_HOURS }, (_, i) => {
    let sum = 0;
    let n = 0;
    for (const f of list) {
      sum += f.hours[i][0];
      n += f.hours[i][1];
    }
    return n > 0 ? Math.round(sum / n) : null;
  });
}

/**
 * Down monitors make a partial outage, or a major one when every running monitor is down;
 * an ongoing incident counts at least as a partial outage (a major one for type `outage`);
 * otherwise ongoing maintenance shows.
 */
export function overallStatus(
  states: ServiceState[],
  ongoing: { type: string }[],
  maintenanceOngoing: boolean,
): Overall {
  const running = states.filter((s) => s !== 'paused');
  const down = running.filter((s) => s === 'down').length;
  const rank: Overall[] = ['operational', 'maintenance', 'degraded', 'major'];
  let overall: Overall = 'operational';
  const raise = (o: Overall) => {
    if (rank.indexOf(o) > rank.indexOf(overall)) overall = o;
  };
  if (maintenanceOngoing || states.includes('maintenance')) raise('maintenance');
  if (down > 0) raise(down === running.length ? 'major' : 'degraded');
  for (const i of ongoing) raise(i.type === 'outage' ? 'major' : 'degraded');
  return overall;
}

/** `statuspages` is a JSON array of ids: LIKE narrows the rows, the parsed array decides. */
function mentionsPage(json: string, uuid: string): boolean {
  try {
    const list = JSON.parse(json);
    return Array.isArray(list) && list.includes(uuid);
  } catch {
    return false;
  }
}

const pattern = (uuid: string) => `%"${uuid.replace(/[\\%_]/g, (c) => `\\${c}`)}"%`;

/** A text cut to `max` characters in every language (never inside a surrogate pair), with whether it was cut. */
export function clipText(t: LocalizedText, max: number): { text: LocalizedText; cut: boolean } {
  let cut = false;
  const text: LocalizedText = {};
  for (const [lang, value] of Object.entries(t) as [keyof LocalizedText, string | undefined][]) {
    if (typeof value !== 'string' || value.length <= max) {
      text[lang] = value;
      continue;
    }
    const end = /[\ud800-\udbff]/.test(value[max - 1]) ? max - 1 : max;
    text[lang] = `${value.slice(0, end).trimEnd()}…`;
    cut = true;
  }
  return { text, cut };
}

interface IncidentsOfPage {
  ongoing: IncidentView[];
  /** Ongoing incidents past the ONGOING_SHOWN newest: counted (and weighed in the overall state), not shown. */
  ongoingMore: number;
  ongoingTypes: string[];
  history: IncidentView[];
}

/**
 * The incidents of a page, read in two passes: first, INCIDENT_CHUNK at a time, what places them
 * (date, type, pages, and their latest update's type and date, from the index), then only for the
 * ones shown, their texts cut to TEXT_PREVIEW and their UPDATES_SHOWN latest updates. Incidents
 * of 1 MiB with 500 updates each cost the page a bounded read, and the page a bounded size; the
 * whole incident is at /status/<page>/incidents/<uuid>.
 */
async function loadIncidents(
  ctx: Ctx,
  page: StatusPage,
  now: number,
  facts: Map<number, MonitorFacts>,
  sections: StatusPage['sections'],
): Promise<IncidentsOfPage> {
  const db = ctx.store.db;
  const projectId = page.row.project_id;
  // Ids from the index first: on SQLite `type` and `statuspages` follow the texts in the row.
  const ids = (
    await db
      .selectFrom('incidents')
      .select('id')
      .where('project_id', '=', projectId)
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(INCIDENTS_READ)
      .execute()
  ).map((r) => Number(r.id));
  const placed: {
    id: number;
    uuid: string;
    at: number;
    title: string;
    type: string;
    lastType: string | null;
    lastAt: number | null;
    updates: number;
  }[] = [];
  for await (const part of paced(chunks(ids, INCIDENT_CHUNK))) {
    const rows = await db
      .selectFrom('incidents as i')
      .select(['i.id', 'i.uuid', 'i.at', 'i.title', 'i.type', 'i.statuspages'])
      .select((eb) => [
        eb
          .selectFrom('incident_updates as u')
          .select('u.type')
          .whereRef('u.incident_id', '=', 'i.id')
          .orderBy('u.at', 'desc')
          .orderBy('u.id', 'desc')
          .limit(1)
          .as('last_type'),
        eb
          .selectFrom('incident_updates as u')
          .select('u.at')
          .whereRef('u.incident_id', '=', 'i.id')
          .orderBy('u.at', 'desc')
          .orderBy('u.id', 'desc')
          .limit(1)
          .as('last_at'),
        eb
          .selectFrom('incident_updates as u')
          .select((u) => u.fn.countAll<number>().as('n'))
          .whereRef('u.incident_id', '=', 'i.id')
          .as('updates'),
      ])
      .where('i.id', 'in', part)
      .where(sql<boolean>`i.statuspages LIKE ${pattern(page.row.uuid)} ESCAPE '\\'`)
      .orderBy('i.at', 'desc')
      .orderBy('i.id', 'desc')
      .execute();
    for (const r of rows) {
      if (!mentionsPage(r.statuspages, page.row.uuid)) continue;
      placed.push({
        id: Number(r.id),
        uuid: r.uuid,
        at: Number(r.at),
        title: r.title,
        type: r.type,
        lastType: r.last_type ?? null,
        lastAt: r.last_at === null || r.last_at === undefined ? null : Number(r.last_at),
        updates: Number(r.updates ?? 0),
      });
    }
  }
  const ongoingAll = placed.filter((r) => r.lastType !== 'resolved');
  const historyAll = placed.filter((r) => r.lastType === 'resolved' && r.at >= now - HISTORY_DAYS * DAY);
  const shown = [...ongoingAll.slice(0, ONGOING_SHOWN), ...historyAll.slice(0, HISTORY_LIMIT)];

  // Affected monitors are named as this page names them, and only if the page shows them.
  const shownAs = new Map<number, LocalizedText>();
  for (const sec of sections) {
    walk(sec.services ?? [], (s) => {
      if (typeof s.monitor_id === 'number' && facts.has(s.monitor_id) && !shownAs.has(s.monitor_id)) {
        shownAs.set(s.monitor_id, nonEmpty(s.name) ? s.name : { en: facts.get(s.monitor_id)!.name });
      }
    });
  }
  const views = new Map<number, IncidentView>();
  for await (const part of paced(chunks(shown, UPDATE_CHUNK))) {
    const partIds = part.map((r) => r.id);
    const [texts, links, ...latest] = await Promise.all([
      db.selectFrom('incidents').select(['id', 'text']).where('id', 'in', partIds).execute(),
      db
        .selectFrom('incident_monitors')
        .select(['incident_id', 'monitor_id'])
        .where('incident_id', 'in', partIds)
        .orderBy('incident_id')
        .orderBy('position')
        .execute(),
      ...partIds.map((id) =>
        db
          .selectFrom('incident_updates')
          .select(['at', 'text', 'type'])
          .where('incident_id', '=', id)
          .orderBy('at', 'desc')
          .orderBy('id', 'desc')
          .limit(UPDATES_SHOWN)
          .execute(),
      ),
    ]);
    part.forEach((r, k) => {
      const text = clipText(parseText(texts.find((t) => Number(t.id) === r.id)?.text ?? '{}'), TEXT_PREVIEW);
      let cut = text.cut;
      const updates = latest[k].reverse().map((u) => {
        const clipped = clipText(parseText(u.text), TEXT_PREVIEW);
        cut ||= clipped.cut;
        return { at: Number(u.at), text: clipped.text, type: u.type as UpdateType };
      });
      views.set(r.id, {
        uuid: r.uuid,
        at: r.at,
        title: parseText(r.title),
        text: text.text,
        type: r.type,
        updates,
        updateCount: r.updates,
        cut: cut || r.updates > updates.length,
        resolvedAt: r.lastType === 'resolved' ? r.lastAt : null,
        affected: links
          .filter((l) => Number(l.incident_id) === r.id)
          .flatMap((l) => (shownAs.has(Number(l.monitor_id)) ? [shownAs.get(Number(l.monitor_id))!] : [])),
      });
    });
  }
  return {
    ongoing: ongoingAll.slice(0, ONGOING_SHOWN).map((r) => views.get(r.id)!),
    ongoingMore: Math.max(0, ongoingAll.length - ONGOING_SHOWN),
    ongoingTypes: ongoingAll.map((r) => r.type),
    history: historyAll.slice(0, HISTORY_LIMIT).map((r) => views.get(r.id)!),
  };
}

/**
 * One incident of a page in full (its updates newest first, a page of INCIDENT_PAGE_UPDATES at a
 * time), or null when it does not exist or is not on this page.
 */
export async function loadPageIncident(
  ctx: Ctx,
  page: StatusPage,
  uuid: string,
  pageNo: number,
): Promise<{ incident: IncidentView; page: number; pages: number } | null> {
  const db = ctx.store.db;
  const row = await db
    .selectFrom('incidents')
    .select(['id', 'uuid', 'at', 'title', 'text', 'type', 'statuspages'])
    .where('project_id', '=', page.row.project_id)
    .where('uuid', '=', uuid)
    .executeTakeFirst();
  if (!row || !mentionsPage(row.statuspages, page.row.uuid)) return null;
  const id = Number(row.id);
  const [counted, last, updates, links] = await Promise.all([
    db
      .selectFrom('incident_updates')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('incident_id', '=', id)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('incident_updates')
      .select(['at', 'type'])
      .where('incident_id', '=', id)
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst(),
    db
      .selectFrom('incident_updates')
      .select(['at', 'text', 'type'])
      .where('incident_id', '=', id)
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(INCIDENT_PAGE_UPDATES)
      .offset(pageNo * INCIDENT_PAGE_UPDATES)
      .execute(),
    db.selectFrom('incident_monitors').select('monitor_id').where('incident_id', '=', id).orderBy('position').execute(),
  ]);
  const shownAs = new Map<number, LocalizedText>();
  const linked = new Set(links.map((l) => Number(l.monitor_id)));
  const names = linked.size
    ? await db
        .selectFrom('monitors')
        .select(['id', 'name'])
        .where('project_id', '=', page.row.project_id)
        .where('id', 'in', [...linked].slice(0, CHUNK))
        .execute()
    : [];
  for (const sec of Array.isArray(page.sections) ? page.sections : []) {
    walk(sec.services ?? [], (s) => {
      if (typeof s.monitor_id !== 'number' || !linked.has(s.monitor_id) || shownAs.has(s.monitor_id)) return;
      const stored = names.find((n) => Number(n.id) === s.monitor_id);
      if (stored) shownAs.set(s.monitor_id, nonEmpty(s.name) ? s.name : { en: stored.name });
    });
  }
  const total = Number(counted.n);
  return {
    incident: {
      uuid: row.uuid,
      at: Number(row.at),
      title: parseText(row.title),
      text: parseText(row.text),
      type: row.type,
      updates: updates
        .reverse()
        .map((u) => ({ at: Number(u.at), text: parseText(u.text), type: u.type as UpdateType })),
      updateCount: total,
      cut: false,
      resolvedAt: last?.type === 'resolved' ? Number(last.at) : null,
      affected: links.flatMap((l) => (shownAs.has(Number(l.monitor_id)) ? [shownAs.get(Number(l.monitor_id))!] : [])),
    },
    page: pageNo,
    pages: Math.max(1, Math.ceil(total / INCIDENT_PAGE_UPDATES)),
  };
}

type WindowRow = {
  id: number;
  uuid: string;
  title: string;
  text: string;
  starts_at: number;
  ends_at: number;
  statuspages: string;
};

/**
 * The page's windows: the MAINTENANCE_SHOWN ongoing or next (soonest first; the ongoing ones
 * start first) and the MAINTENANCE_SHOWN that ended last within HISTORY_DAYS (latest first), read
 * WINDOW_CHUNK at a time (a window's texts are up to 200 KB) until that many are on this page.
 */
async function loadMaintenance(
  ctx: Ctx,
  page: StatusPage,
  now: number,
): Promise<{ coming: MaintenanceView[]; past: MaintenanceView[] }> {
  const base = () =>
    ctx.store.db
      .selectFrom('maintenance_windows')
      .select(['id', 'uuid', 'title', 'text', 'starts_at', 'ends_at', 'statuspages'])
      .where('project_id', '=', page.row.project_id)
      .where(sql<boolean>`statuspages LIKE ${pattern(page.row.uuid)} ESCAPE '\\'`);
  const collect = async (read: (after: WindowRow | null) => Promise<WindowRow[]>): Promise<WindowRow[]> => {
    const out: WindowRow[] = [];
    for (let after: WindowRow | null = null, first = true; out.length < MAINTENANCE_SHOWN; first = false) {
      if (!first) await yieldToLoop();
      const part = await read(after);
      out.push(...part.filter((r) => mentionsPage(r.statuspages, page.row.uuid)));
      if (part.length < WINDOW_CHUNK) break;
      after = part[part.length - 1];
    }
    return out.slice(0, MAINTENANCE_SHOWN);
  };
  const coming = await collect((after) =>
    base()
      .where('ends_at', '>', now)
      .$if(after !== null, (q) =>
        q.where((eb) =>
          eb.or([
            eb('starts_at', '>', after!.starts_at),
            eb.and([eb('starts_at', '=', after!.starts_at), eb('id', '>', after!.id)]),
          ]),
        ),
      )
      .orderBy('starts_at')
      .orderBy('id')
      .limit(WINDOW_CHUNK)
      .execute(),
  );
  const past = await collect((after) =>
    base()
      .where('ends_at', '<=', now)
      .where('ends_at', '>', now - HISTORY_DAYS * DAY)
      .$if(after !== null, (q) =>
        q.where((eb) =>
          eb.or([
            eb('ends_at', '<', after!.ends_at),
            eb.and([eb('ends_at', '=', after!.ends_at), eb('id', '<', after!.id)]),
          ]),
        ),
      )
      .orderBy('ends_at', 'desc')
      .orderBy('id', 'desc')
      .limit(WINDOW_CHUNK)
      .execute(),
  );
  const view = (r: WindowRow): MaintenanceView => ({
    uuid: r.uuid,
    title: parseText(r.title),
    text: parseText(r.text),
    startsAt: Number(r.starts_at),
    endsAt: Number(r.ends_at),
    ongoing: Number(r.starts_at) <= now && now < Number(r.ends_at),
  });
  return { coming: coming.map(view), past: past.map(view) };
}

function parseText(json: string): LocalizedText {
  try {
    const v = JSON.parse(json);
    return v && typeof v === 'object' && !Array.isArray(v) ? v : {};
  } catch {
    return {};
  }
}
