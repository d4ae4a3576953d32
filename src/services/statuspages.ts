import { newId, randomAlnum } from '../domain/ids.ts';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.ts';
import { hashPassword } from '../domain/passwords.ts';
import {
  ADDABLE_SUBSCRIBER_TYPES,
  PAGE_LANGUAGES,
  applyPageInput,
  defaultSettings,
  slugify,
  type PageFields,
  type PageSettings,
  type StoredSection,
  type StoredService,
  type WrittenService,
} from '../domain/statuspages.ts';
import type { ActorCtx, Ctx } from './context.ts';
import type { Kysely } from 'kysely';
import type { Database, StatusPageRow, SubscriberRow } from '../storage/schema.ts';
import { ensureRoom } from './limits.ts';

type Db = Kysely<Database>;
export type PageRow = Omit<StatusPageRow, 'id'> & { id: number };
export type Subscriber = Omit<SubscriberRow, 'id'> & { id: number };

/** A page as stored, with its JSON columns parsed. */
export interface StatusPage {
  row: PageRow;
  settings: PageSettings;
  sections: StoredSection[];
}

export type ResolvedSection = Omit<StoredSection, 'services'> & { services: ResolvedService[] };

/** A page with its services' monitors looked up (what single-page reads return). */
export interface StatusPageView extends StatusPage {
  resolved: ResolvedSection[];
}

/** A section service with its monitor or healthcheck resolved (a deleted one drops the service). */
export interface ResolvedService extends StoredService {
  monitor: { id: number; uuid: string; name: string } | null;
  healthcheck: { id: number; publicUuid: string; name: string } | null;
  services: ResolvedService[];
}

export function parsePage(row: PageRow): StatusPage {
  return { row, settings: JSON.parse(row.settings), sections: JSON.parse(row.sections) };
}

/** Unique-constraint violations on either database. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

function escapeLike(s: string): string {
  return `%${s.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export async function listStatusPages(ctx: ActorCtx, f: { page: number; perPage: number; search?: string }) {
  const q = pagesMatching(ctx, f.search);
  const [{ total }] = await q.select((eb) => eb.fn.countAll<number>().as('total')).execute();
  const rows = await q
    .selectAll()
    .orderBy('id', 'desc')
    .limit(f.perPage)
    .offset(f.page * f.perPage)
    .execute();
  return { pages: (rows as PageRow[]).map(parsePage), total: Number(total) };
}

/** A page without its sections: what a list shows. */
export type PageSummary = { row: Omit<PageRow, 'sections'>; settings: PageSettings };

/**
 * A page of the list as listStatusPages gives it, without the sections: a page's sections are
 * up to 1 MiB, so 20 of them are 20 MB that a list of names and addresses does not need.
 */
export async function listStatusPageSummaries(
  ctx: ActorCtx,
  f: { page: number; perPage: number; search?: string },
): Promise<{ pages: PageSummary[]; total: number }> {
  const q = pagesMatching(ctx, f.search);
  const [{ total }] = await q.select((eb) => eb.fn.countAll<number>().as('total')).execute();
  const rows = await q
    .select([
      'id',
      'uuid',
      'project_id',
      'name',
      'subdomain',
      'hostname',
      'hostname_claim',
      'hostname_token',
      'hostname_claimed_at',
      'hostname_checked_at',
      'hostname_error',
      'settings',
      'password_hash',
      'created_at',
      'updated_at',
    ])
    .orderBy('id', 'desc')
    .limit(f.perPage)
    .offset(f.page * f.perPage)
    .execute();
  return {
    pages: rows.map((row) => ({ row: row as PageSummary['row'], settings: JSON.parse(row.settings) })),
    total: Number(total),
  };
}

function pagesMatching(ctx: ActorCtx, search?: string) {
  let q = ctx.store.db.selectFrom('status_pages').where('project_id', '=', ctx.actor.projectId);
  if (search) {
    const term = escapeLike(search);
    q = q.where((eb) =>
      eb.or([
        eb(eb.fn('lower', ['name']), 'like', eb.val(term)),
        eb(eb.fn('lower', ['subdomain']), 'like', eb.val(term)),
        eb(eb.fn('lower', ['hostname_claim']), 'like', eb.val(term)),
      ]),
    );
  }
  return q;
}

async function findPage(ctx: ActorCtx, uuid: string): Promise<StatusPage> {
  const row = await ctx.store.db
    .selectFrom('status_pages')
    .selectAll()
    .where('uuid', '=', uuid)
    .where('project_id', '=', ctx.actor.projectId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError('Status page');
  return parsePage(row as PageRow);
}

export async function getStatusPage(ctx: ActorCtx, uuid: string): Promise<StatusPageView> {
  const page = await findPage(ctx, uuid);
  return { ...page, resolved: await resolveSections(ctx.store.db, ctx.actor.projectId, page.sections) };
}

/** Resolves written services (`mon_…` or numeric ids, `hc_…`) to this project's monitors and healthchecks. */
async function storeSections(ctx: ActorCtx, sections: PageFields['sections'], lang: string): Promise<StoredSection[]> {
  if (!sections) return [];
  const refs = new Set<string>();
  const checks = new Set<string>();
  const walk = (list: WrittenService[]) =>
    list.forEach((s) => {
      if (s.monitor) refs.add(s.monitor);
      if (s.healthcheck) checks.add(s.healthcheck);
      walk(s.services);
    });
  for (const s of sections) walk(s.services);
  const hcRows =
    checks.size === 0
      ? []
      : await ctx.store.db
          .selectFrom('healthchecks')
          .select(['id', 'public_uuid', 'name'])
          .where('project_id', '=', ctx.actor.projectId)
          .where('public_uuid', 'in', [...checks])
          .execute();
  const hcByRef = new Map(hcRows.map((r) => [r.public_uuid!, { id: r.id as number, name: r.name }]));
  const uuids = [...refs].filter((r) => r.startsWith('mon_'));
  const ids = [...refs].filter((r) => !r.startsWith('mon_')).map(Number);
  const rows =
    refs.size === 0
      ? []
      : await ctx.store.db
          .selectFrom('monitors')
          .select(['id', 'uuid', 'name'])
          .where('project_id', '=', ctx.actor.projectId)
          .where((eb) =>
            eb.or([...(uuids.length ? [eb('uuid', 'in', uuids)] : []), ...(ids.length ? [eb('id', 'in', ids)] : [])]),
          )
          .execute();
  const byRef = new Map<string, { id: number; name: string }>();
  for (const r of rows) {
    byRef.set(r.uuid, { id: r.id as number, name: r.name });
    byRef.set(String(r.id), { id: r.id as number, name: r.name });
  }
  let next = 1;
  const convert = (s: WrittenService): StoredService => {
    const m = s.monitor ? byRef.get(s.monitor) : undefined;
    if (s.monitor && !m) throw new ValidationError(`Monitor ${s.monitor} in sections does not exist`);
    const hc = s.healthcheck ? hcByRef.get(s.healthcheck) : undefined;
    if (s.healthcheck && !hc) throw new ValidationError(`Healthcheck ${s.healthcheck} in sections does not exist`);
    return {
      id: next++,
      monitor_id: m ? m.id : null,
      healthcheck_id: hc ? hc.id : null,
      // A service without a shown name shows its monitor's (or healthcheck's) name.
      name: s.name ?? { [lang]: m?.name ?? hc?.name ?? '' },
      description: s.description,
      is_group: s.is_group,
      show_uptime: s.show_uptime,
      show_response_times: s.show_response_times,
      services: s.services.map(convert),
    };
  };
  return sections.map((sec) => ({ name: sec.name, is_split: sec.is_split, services: sec.services.map(convert) }));
}

/** Sections with each service's monitor or healthcheck looked up; services of deleted ones drop out. */
export async function resolveSections(
  db: Db,
  projectId: number,
  sections: StoredSection[],
): Promise<ResolvedSection[]> {
  const ids = new Set<number>();
  const checkIds = new Set<number>();
  const walk = (list: StoredService[]) =>
    list.forEach((s) => {
      if (s.monitor_id !== null) ids.add(s.monitor_id);
      if (s.healthcheck_id != null) checkIds.add(s.healthcheck_id);
      walk(s.services);
    });
  for (const s of sections) walk(s.services);
  const rows =
    ids.size === 0
      ? []
      : await db
          .selectFrom('monitors')
          .select(['id', 'uuid', 'name'])
          .where('project_id', '=', projectId)
          .where('id', 'in', [...ids])
          .execute();
  const byId = new Map(rows.map((r) => [r.id as number, { id: r.id as number, uuid: r.uuid, name: r.name }]));
  const hcRows =
    checkIds.size === 0
      ? []
      : await db
          .selectFrom('healthchecks')
          .select(['id', 'public_uuid', 'name'])
          .where('project_id', '=', projectId)
          .where('id', 'in', [...checkIds])
          .execute();
  const hcById = new Map(
    hcRows.map((r) => [r.id as number, { id: r.id as number, publicUuid: r.public_uuid!, name: r.name }]),
  );
  const resolve = (list: StoredService[]): ResolvedService[] =>
    list.flatMap((s) => {
      const monitor = s.monitor_id === null ? null : (byId.get(s.monitor_id) ?? null);
      if (s.monitor_id !== null && !monitor) return [];
      const healthcheck = s.healthcheck_id == null ? null : (hcById.get(s.healthcheck_id) ?? null);
      if (s.healthcheck_id != null && !healthcheck) return [];
      return [{ ...s, monitor, healthcheck, services: resolve(s.services) }];
    });
  return sections.map((s) => ({ ...s, services: resolve(s.services) }));
}

async function freeSubdomain(db: Db, base: string): Promise<string> {
  for (let i = 0; i < 5; i++) {
    const candidate = i === 0 ? base : `${base.slice(0, 50)}-${randomAlnum(4).toLowerCase()}`;
    const taken = await db
      .selectFrom('status_pages')
      .select('id')
      .where('subdomain', '=', candidate)
      .executeTakeFirst();
    if (!taken) return candidate;
  }
  return `status-${randomAlnum(10).toLowerCase()}`;
}

/** Protection is on only with a password to check; the password implies protection unless turned off. */
function protection(fields: PageFields, input: Record<string, unknown>, hadHash: boolean): void {
  const auth = input.authentication as Record<string, unknown> | undefined;
  const explicit = auth && typeof auth === 'object' && 'password_protection' in auth;
  if (fields.password === null) fields.settings.authentication.password_protection = false;
  else if (typeof fields.password === 'string' && !explicit) fields.settings.authentication.password_protection = true;
  const hasPassword = typeof fields.password === 'string' || (fields.password === undefined && hadHash);
  if (fields.settings.authentication.password_protection && !hasPassword) {
    throw new ValidationError('password is required when authentication.password_protection is true');
  }
}

/**
 * The hostname columns a write sets. A changed claim waits for its proof (services/hostnames.ts),
 * looked up at once; sending the same unproven claim again asks for another lookup at once. The
 * server's own host is never a claim.
 */
function hostnameColumns(ctx: Ctx, row: PageRow | null, claim: string | null, now: number) {
  if (claim !== null && ctx.publicUrl && claim === new URL(ctx.publicUrl).hostname.toLowerCase()) {
    throw new ValidationError(`hostname ${claim} is this server's own host name and cannot serve a status page`);
  }
  if (row && claim === row.hostname_claim) {
    return claim !== null && row.hostname !== claim ? { hostname_checked_at: null } : {};
  }
  return {
    hostname: null,
    hostname_claim: claim,
    // One token per page: going back to a name proven before is proven again by the same record.
    hostname_token: row?.hostname_token ?? randomAlnum(32),
    hostname_claimed_at: claim === null ? null : now,
    hostname_checked_at: null,
    hostname_error: null,
  };
}

async function writePage(ctx: ActorCtx, existing: StatusPage | null, input: Record<string, unknown>): Promise<string> {
  const now = ctx.clock();
  const current: PageFields = existing
    ? {
        name: existing.row.name,
        subdomain: existing.row.subdomain,
        hostname: existing.row.hostname_claim,
        settings: existing.settings,
        password: undefined,
        sections: undefined,
      }
    : {
        name: '',
        subdomain: null,
        hostname: null,
        settings: defaultSettings(),
        password: undefined,
        sections: undefined,
      };
  const fields = applyPageInput(current, input, existing === null);
  protection(fields, input, existing?.row.password_hash != null);
  const db = ctx.store.db;
  const subdomain = fields.subdomain ?? existing?.row.subdomain ?? (await freeSubdomain(db, slugify(fields.name)));
  const sections =
    fields.sections !== undefined
      ? await storeSections(ctx, fields.sections, fields.settings.default_language)
      : (existing?.sections ?? []);
  const password_hash =
    fields.password === undefined
      ? (existing?.row.password_hash ?? null)
      : fields.password === null
        ? null
        : await hashPassword(fields.password);
  const values = {
    name: fields.name,
    subdomain,
    ...hostnameColumns(ctx, existing?.row ?? null, fields.hostname, now),
    settings: JSON.stringify(fields.settings),
    sections: JSON.stringify(sections),
    password_hash,
    updated_at: now,
  };
  const uuid = existing?.row.uuid ?? newId('sp');
  try {
    if (existing) {
      const res = await db
        .updateTable('status_pages')
        .set(values)
        .where('id', '=', existing.row.id)
        .where('project_id', '=', ctx.actor.projectId)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) throw new NotFoundError('Status page');
    } else {
      await db.transaction().execute(async (trx) => {
        await ensureRoom(trx, ctx.store, ctx, 'statusPages', ctx.actor.projectId);
        await trx
          .insertInto('status_pages')
          .values({ ...values, uuid, project_id: ctx.actor.projectId, created_at: now })
          .execute();
      });
    }
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    // Only the subdomain is unique among what a write sets: a hostname is a claim until proven.
    throw new ValidationError(`subdomain ${subdomain} is already taken`);
  }
  return uuid;
}

export async function createStatusPage(ctx: ActorCtx, input: Record<string, unknown>): Promise<StatusPageView> {
  return getStatusPage(ctx, await writePage(ctx, null, input));
}

/** Partial update: only the keys present in the body change (`sections` is replaced whole). */
export async function updateStatusPage(
  ctx: ActorCtx,
  uuid: string,
  input: Record<string, unknown>,
): Promise<StatusPageView> {
  await writePage(ctx, await findPage(ctx, uuid), input);
  return getStatusPage(ctx, uuid);
}

export async function deleteStatusPage(ctx: ActorCtx, uuid: string): Promise<void> {
  const res = await ctx.store.db
    .deleteFrom('status_pages')
    .where('uuid', '=', uuid)
    .where('project_id', '=', ctx.actor.projectId)
    .executeTakeFirst();
  if (Number(res.numDeletedRows) === 0) throw new NotFoundError('Status page');
}

/** Incidents and maintenance windows name status pages of their own project only. */
export async function requireStatusPages(ctx: ActorCtx, uuids: string[], field = 'statuspages'): Promise<void> {
  if (uuids.length === 0) return;
  const rows = await ctx.store.db
    .selectFrom('status_pages')
    .select('uuid')
    .where('project_id', '=', ctx.actor.projectId)
    .where('uuid', 'in', uuids)
    .execute();
  const known = new Set(rows.map((r) => r.uuid));
  const missing = uuids.find((u) => !known.has(u));
  if (missing) throw new ValidationError(`Status page ${missing} in ${field} does not exist`);
}

// ---- subscribers (api-contract §9) ----

const EMAIL = /^[^\s@<>()",;:\\[\]]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;
const PHONE = /^\+[1-9]\d{6,14}$/;

export interface SubscriberInput {
  type: string;
  email?: unknown;
  phone?: unknown;
  teams_webhook_url?: unknown;
  language?: unknown;
}

/** The contact a subscriber is reached at, checked for its type. */
/** Whether the public subscribe form's email would be accepted (checked before any throttle counts it). */
export function isSubscriberEmail(email: string): boolean {
  return EMAIL.test(email.trim());
}

function parseSubscriber(
  input: SubscriberInput,
): Pick<SubscriberRow, 'type' | 'value' | 'email' | 'phone' | 'teams_webhook_url' | 'language'> {
  const type = input.type;
  if (type === 'slack') throw new ValidationError('Slack subscriptions are made from the status page, not the API');
  if (!(ADDABLE_SUBSCRIBER_TYPES as readonly string[]).includes(type))
    throw new ValidationError(`type must be one of ${ADDABLE_SUBSCRIBER_TYPES.join(', ')}`);
  const language =
    input.language === undefined || input.language === null || input.language === '' ? 'en' : input.language;
  if (typeof language !== 'string' || !(PAGE_LANGUAGES as readonly string[]).includes(language))
    throw new ValidationError(`language must be one of ${PAGE_LANGUAGES.join(', ')}`);
  const base = { type, email: null, phone: null, teams_webhook_url: null, language };
  if (type === 'email') {
    const email = typeof input.email === 'string' ? input.email.trim() : '';
    if (!email) throw new ValidationError('email is required for an email subscriber');
    if (email.length > 254 || !EMAIL.test(email)) throw new ValidationError('email must be a valid email address');
    return { ...base, value: email.toLowerCase(), email: email.toLowerCase() };
  }
  if (type === 'sms') {
    const phone = typeof input.phone === 'string' ? input.phone.replace(/[\s().-]/g, '') : '';
    if (!phone) throw new ValidationError('phone is required for an sms subscriber');
    if (!PHONE.test(phone)) throw new ValidationError('phone must be an international number such as +12125551234');
    return { ...base, value: phone, phone };
  }
  const url = typeof input.teams_webhook_url === 'string' ? input.teams_webhook_url.trim() : '';
  if (!url) throw new ValidationError('teams_webhook_url is required for a teams subscriber');
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    /* reported below */
  }
  if (parsed?.protocol !== 'https:' || url.length > 2048)
    throw new ValidationError('teams_webhook_url must be an https URL');
  return { ...base, value: url, teams_webhook_url: url };
}

async function pageId(ctx: ActorCtx, uuid: string): Promise<number> {
  const row = await ctx.store.db
    .selectFrom('status_pages')
    .select('id')
    .where('uuid', '=', uuid)
    .where('project_id', '=', ctx.actor.projectId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError('Status page');
  return row.id as number;
}

export async function listSubscribers(
  ctx: ActorCtx,
  uuid: string,
  f: { page: number; perPage: number; type?: string },
) {
  const id = await pageId(ctx, uuid);
  let q = ctx.store.db.selectFrom('status_page_subscribers').where('status_page_id', '=', id);
  if (f.type) q = q.where('type', '=', f.type);
  const [{ total }] = await q.select((eb) => eb.fn.countAll<number>().as('total')).execute();
  const rows = await q
    .selectAll()
    .orderBy('id')
    .limit(f.perPage)
    .offset(f.page * f.perPage)
    .execute();
  return { subscribers: rows as Subscriber[], total: Number(total) };
}

/**
 * Adds a subscriber to a page by row id (the API and the public subscribe form share this). One
 * an owner adds is confirmed; the public form's waits for its confirmation (`confirmed: false`).
 */
export async function insertSubscriber(
  ctx: Ctx,
  statusPageId: number,
  input: SubscriberInput,
  opts: { confirmed?: boolean; db?: Kysely<Database> } = {},
): Promise<Subscriber> {
  const fields = parseSubscriber(input);
  const now = ctx.clock();
  try {
    const row = await (opts.db ?? ctx.store.db)
      .insertInto('status_page_subscribers')
      .values({
        ...fields,
        status_page_id: statusPageId,
        slack_channel: null,
        token: randomAlnum(32),
        created_at: now,
        confirmed_at: opts.confirmed === false ? null : now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return row as Subscriber;
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError(`${fields.value} is already subscribed to this status page`);
    throw err;
  }
}

export async function addSubscriber(ctx: ActorCtx, uuid: string, input: SubscriberInput): Promise<Subscriber> {
  return insertSubscriber(ctx, await pageId(ctx, uuid), input);
}

export async function deleteSubscriber(ctx: ActorCtx, uuid: string, id: number): Promise<void> {
  const page = await pageId(ctx, uuid);
  const res = await ctx.store.db
    .deleteFrom('status_page_subscribers')
    .where('id', '=', id)
    .where('status_page_id', '=', page)
    .executeTakeFirst();
  if (Number(res.numDeletedRows) === 0) throw new NotFoundError('Subscriber');
}

/** The unsubscribe link's action: the token is the subscriber's secret. */
export async function unsubscribe(ctx: Ctx, token: string): Promise<boolean> {
  const res = await ctx.store.db.deleteFrom('status_page_subscribers').where('token', '=', token).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}
