import { newId } from '../domain/ids.ts';
import { ForbiddenError, NotFoundError } from '../domain/errors.ts';
import {
  KEY_PATTERN,
  generateApiKey,
  hashApiKey,
  maskApiKey,
  parseExpiry,
  parseKeyName,
  parsePermission,
  type Permission,
} from '../domain/api-keys.ts';
import { iso, isoOrNull, type Actor, type Ctx } from './context.ts';
import { getProject } from './projects.ts';
import type { ApiKeyRow } from '../storage/schema.ts';
import { prepared } from '../storage/prepared.ts';
import type { Store } from '../storage/store.ts';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../storage/schema.ts';
import { ensureRoom } from './limits.ts';

export interface ApiKeyView {
  id: string;
  name: string;
  permission: Permission;
  expiresAt: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  masked: string;
  /** The dashboard user who made it (id and email); null for the CLI's keys and older ones. */
  createdBy: number | null;
  createdByEmail: string | null;
}

export interface CreateKeyInput {
  projectUuid: string;
  name: string;
  permission: string;
  expires?: string | null;
  /** Who asked: "cli", "user:<email>", … (audit only). */
  actor: string;
  sourceIp?: string | null;
  /** The dashboard user making it: their keys are revoked when they leave the project. */
  createdBy?: { id: number; email: string } | null;
}

export function keyView(row: ApiKeyRow & { created_by_email?: string | null }): ApiKeyView {
  return {
    createdBy: row.created_by ?? null,
    createdByEmail: row.created_by_email ?? null,
    id: row.id,
    name: row.name,
    permission: row.permission as Permission,
    expiresAt: isoOrNull(row.expires_at),
    createdAt: iso(row.created_at),
    lastUsedAt: isoOrNull(row.last_used_at),
    masked: row.masked,
  };
}

export async function audit(
  db: Transaction<Database> | Ctx['store']['db'],
  entry: {
    projectId: number | null;
    action: string;
    keyId: string | null;
    actor: string;
    sourceIp?: string | null;
    detail?: string | null;
    at: number;
  },
): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      project_id: entry.projectId,
      action: entry.action,
      key_id: entry.keyId,
      actor: entry.actor,
      source_ip: entry.sourceIp ?? null,
      detail: entry.detail ?? null,
      created_at: entry.at,
    })
    .execute();
}

/** Creates a key; the secret is returned here and nowhere else. */
export async function createApiKey(ctx: Ctx, input: CreateKeyInput): Promise<ApiKeyView & { key: string }> {
  const name = parseKeyName(input.name);
  const permission = parsePermission(input.permission);
  const now = ctx.clock();
  const expiresAt = parseExpiry(input.expires, now);
  const project = await getProject(ctx, input.projectUuid);
  const key = generateApiKey();
  const row: ApiKeyRow = {
    id: newId('key'),
    project_id: project.id,
    name,
    permission,
    key_hash: hashApiKey(key),
    masked: maskApiKey(key),
    expires_at: expiresAt,
    created_at: now,
    last_used_at: null,
    revoked_at: null,
    created_by: input.createdBy?.id ?? null,
  };
  await ctx.store.db.transaction().execute(async (trx) => {
    await ensureRoom(trx, ctx.store, ctx, 'apiKeys', project.id);
    await trx.insertInto('api_keys').values(row).execute();
    await audit(trx, {
      projectId: project.id,
      action: 'api_key.create',
      keyId: row.id,
      actor: input.actor,
      sourceIp: input.sourceIp,
      detail: `${name} (${permission})`,
      at: now,
    });
  });
  return { ...keyView({ ...row, created_by_email: input.createdBy?.email ?? null }), key };
}

export async function listApiKeys(ctx: Ctx, projectUuid: string): Promise<ApiKeyView[]> {
  const project = await getProject(ctx, projectUuid);
  const rows = await ctx.store.db
    .selectFrom('api_keys')
    .leftJoin('users', 'users.id', 'api_keys.created_by')
    .selectAll('api_keys')
    .select('users.email as created_by_email')
    .where('api_keys.project_id', '=', project.id)
    .where('api_keys.revoked_at', 'is', null)
    .orderBy('api_keys.created_at')
    .execute();
  return rows.map(keyView);
}

/** `onlyCreatedBy`: the user may revoke only the keys they made (a member: domain/roles.ts). */
export async function revokeApiKey(
  ctx: Ctx,
  keyId: string,
  actor: string,
  sourceIp?: string | null,
  projectId?: number,
  onlyCreatedBy?: number,
): Promise<void> {
  const now = ctx.clock();
  await ctx.store.db.transaction().execute(async (trx) => {
    let q = trx.selectFrom('api_keys').selectAll().where('id', '=', keyId).where('revoked_at', 'is', null);
    if (projectId !== undefined) q = q.where('project_id', '=', projectId);
    const row = await q.executeTakeFirst();
    if (!row) throw new NotFoundError('API key');
    if (onlyCreatedBy !== undefined && row.created_by !== onlyCreatedBy)
      throw new ForbiddenError('Only owners can revoke API keys that someone else made');
    await trx.updateTable('api_keys').set({ revoked_at: now }).where('id', '=', keyId).execute();
    await audit(trx, {
      projectId: row.project_id,
      action: 'api_key.revoke',
      keyId,
      actor,
      sourceIp,
      detail: row.name,
      at: now,
    });
  });
}

const keyByHash = prepared((db, hash: string) =>
  db
    .selectFrom('api_keys')
    .innerJoin('projects', 'projects.id', 'api_keys.project_id')
    .select([
      'api_keys.id',
      'api_keys.project_id',
      'api_keys.permission',
      'api_keys.expires_at',
      'api_keys.revoked_at',
      'api_keys.last_used_at',
      'projects.uuid as project_uuid',
    ])
    .where('api_keys.key_hash', '=', hash),
);
type KeyRow = Awaited<ReturnType<typeof keyByHash>>[number];
// The keys of many requests at once, by their hashes (PostgreSQL: read with the pin, Store.pinWith).
const keysByHashes = (db: Kysely<Database>) =>
  db
    .selectFrom('api_keys')
    .innerJoin('projects', 'projects.id', 'api_keys.project_id')
    .select([
      'api_keys.key_hash',
      'api_keys.id',
      'api_keys.project_id',
      'api_keys.permission',
      'api_keys.expires_at',
      'api_keys.revoked_at',
      'api_keys.last_used_at',
      'projects.uuid as project_uuid',
    ])
    .where(sql<boolean>`api_keys.key_hash = ANY(${[]}::text[])`)
    .compile();

/** Minimum spacing of last_used_at writes for one key. */
const LAST_USED_EVERY_MS = 60_000;

/**
 * Turns a bearer token into an Actor, or null: a hash and an indexed lookup. On SQLite the
 * row is kept by the SHA-256 of the token until any connection commits a write
 * (Store.generation), so a revocation by any process still counts from the very next request;
 * an unchanged key is then the same Actor object. On PostgreSQL the same holds for a store
 * pinned to the request (Store.pinWith: one round trip that tells whether anything committed).
 * Expiry is checked on every request; last_used_at is written at most once a minute per key,
 * in the background.
 */
export function createAuthenticator(ctx: Ctx) {
  const lastWritten = new Map<string, number>();
  const known = new Map<string, { generation: number; row: KeyRow; actor: Actor }>();
  const actorOf = (row: KeyRow): Actor => ({
    projectId: row.project_id,
    projectUuid: row.project_uuid,
    permission: row.permission as Permission,
    keyId: row.id,
  });
  function check(row: KeyRow | undefined, actor?: Actor): Actor | null {
    const now = ctx.clock();
    if (!row || row.revoked_at !== null || (row.expires_at !== null && now >= row.expires_at)) return null;
    const last = Math.max(row.last_used_at ?? 0, lastWritten.get(row.id) ?? 0);
    if (now - last >= LAST_USED_EVERY_MS) {
      lastWritten.set(row.id, now);
      ctx.store.db
        .updateTable('api_keys')
        .set({ last_used_at: now })
        .where('id', '=', row.id)
        .execute()
        .catch((err) => ctx.log.warn({ err }, 'could not record last_used_at'));
    }
    return actor ?? actorOf(row);
  }
  function remember(hash: string, generation: number, row: KeyRow | undefined): Actor | null {
    if (!row) return null;
    if (known.size >= 10_000) known.clear();
    const actor = actorOf(row);
    known.set(hash, { generation, row, actor });
    return check(row, actor);
  }
  /** Synchronous where the store can read at once (SQLite): no promise on the hot path. */
  function authenticate(token: string): Actor | null | Promise<Actor | null> {
    if (!wellFormedKey(token)) return null;
    const hash = hashApiKey(token);
    const generation = ctx.store.generation?.();
    if (generation === undefined) return keyByHash(ctx.store, hash).then((r) => check(r[0]));
    const hit = known.get(hash);
    if (hit?.generation === generation) return check(hit.row, hit.actor);
    return remember(hash, generation, keyByHash.now(ctx.store, hash)![0]);
  }
  let rider: ReturnType<NonNullable<Store['pinWith']>> | undefined;
  /**
   * Stores that pin (PostgreSQL, Store.pinWith): the key of a well-formed token with the store
   * pinned to the request, both from one statement shared by the requests of a turn. The key is
   * read every time; an unchanged one is the same Actor while nothing has committed.
   */
  async function pinned(token: string): Promise<[Actor | null, Store]> {
    rider ??= ctx.store.pinWith!(keysByHashes(ctx.store.db));
    const hash = hashApiKey(token);
    const { store, rows } = await rider(hash);
    const row = rows.find((r) => r.key_hash === hash) as KeyRow | undefined;
    const generation = store.generation!();
    if (generation === undefined) return [check(row), store];
    const hit = known.get(hash);
    if (hit?.generation === generation) return [check(hit.row, hit.actor), store];
    return [remember(hash, generation, row), store];
  }
  return Object.assign(authenticate, { pinned });
}

/** Whether a bearer token has the shape of a Vigil key (anything else is refused unread). */
export const wellFormedKey = (token: string) => KEY_PATTERN.test(token) && token.length <= 128;

/** Revokes every live key a user made in a project (they left it); returns how many. */
export async function revokeKeysMadeBy(
  trx: Transaction<Database>,
  projectId: number,
  userId: number,
  actor: string,
  now: number,
): Promise<number> {
  const rows = await trx
    .selectFrom('api_keys')
    .select(['id', 'name'])
    .where('project_id', '=', projectId)
    .where('created_by', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
  for (const row of rows) {
    await trx.updateTable('api_keys').set({ revoked_at: now }).where('id', '=', row.id).execute();
    await audit(trx, {
      projectId,
      action: 'api_key.revoke',
      keyId: row.id,
      actor,
      detail: `${row.name} (its maker left the project)`,
      at: now,
    });
  }
  return rows.length;
}
