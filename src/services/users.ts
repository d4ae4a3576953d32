import { newId, randomAlnum } from '../domain/ids.ts';
import type { Kysely } from 'kysely';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.ts';
import { hashPassword, verifyPassword } from '../domain/passwords.ts';
import {
  SESSION_SEEN_EVERY_MS,
  SESSION_TTL_MS,
  SESSION_TOKEN_PATTERN,
  checkPassword,
  generateSessionToken,
  hashSessionToken,
  parseEmail,
  type Role,
} from '../domain/users.ts';
import { createProject, ensureDefaultProject, type Project } from './projects.ts';
import { isUniqueViolation } from './statuspages.ts';
import type { Database } from '../storage/schema.ts';
import type { Ctx } from './context.ts';

export interface User {
  id: number;
  uuid: string;
  email: string;
  createdAt: number;
}

export type MemberProject = Project & { role: Role };

const toUser = (r: { id: number; uuid: string; email: string; created_at: number }): User => ({
  id: r.id,
  uuid: r.uuid,
  email: r.email,
  createdAt: r.created_at,
});

export async function hasUsers(ctx: Ctx): Promise<boolean> {
  return !!(await ctx.store.db.selectFrom('users').select('id').limit(1).executeTakeFirst());
}

/**
 * Creates a user. The first user of an installation becomes owner of every existing project
 * (so "Default" is theirs). `onlyFirst` is the one-time setup form: refused once a user exists.
 */
export async function createUser(
  ctx: Ctx,
  input: { email: string; password: string; onlyFirst?: boolean },
): Promise<User & { owns: string[] }> {
  const email = parseEmail(input.email);
  const passwordHash = await hashPassword(checkPassword(input.password));
  // A first user made (by the CLI) before the server ever started still gets the "Default" project.
  if (!(await hasUsers(ctx))) await ensureDefaultProject(ctx);
  const now = ctx.clock();
  try {
    return await ctx.store.db.transaction().execute(async (trx) => {
      // Two setup forms submitted at once must not both see "no user yet".
      await ctx.store.serialize(trx, 727275);
      const first = !(await trx.selectFrom('users').select('id').limit(1).executeTakeFirst());
      if (input.onlyFirst && !first) throw new ConflictError('Vigil is already set up: sign in instead');
      if (await trx.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()) {
        throw new ConflictError(`A user with email ${email} already exists`);
      }
      const row = await trx
        .insertInto('users')
        .values({ uuid: newId('user'), email, password_hash: passwordHash, created_at: now })
        .returning(['id', 'uuid', 'email', 'created_at'])
        .executeTakeFirstOrThrow();
      const owns = first ? await trx.selectFrom('projects').select(['id', 'uuid']).orderBy('id').execute() : [];
      if (owns.length) {
        await trx
          .insertInto('project_members')
          .values(owns.map((p) => ({ project_id: p.id, user_id: row.id, role: 'owner', created_at: now })))
          .execute();
      }
      return { ...toUser(row), owns: owns.map((p) => p.uuid) };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError(`A user with email ${email} already exists`);
    throw err;
  }
}

// Unknown emails are checked against this hash, so they cost as much time as a wrong password.
let dummyHash: Promise<string> | null = null;

/** The user when the email and password match, else null (the caller cannot tell which was wrong). */
export async function authenticateUser(ctx: Ctx, email: string, password: string): Promise<User | null> {
  const row = await ctx.store.db
    .selectFrom('users')
    .selectAll()
    .where('email', '=', (email ?? '').trim().toLowerCase())
    .executeTakeFirst();
  dummyHash ??= hashPassword(randomAlnum(24));
  const ok = await verifyPassword(password ?? '', row?.password_hash ?? (await dummyHash));
  return row && ok ? toUser(row) : null;
}

/** Starts a session; the returned token goes into the cookie and is stored only as a hash. */
export async function createSession(ctx: Ctx, userId: number): Promise<{ token: string; expiresAt: number }> {
  const token = generateSessionToken();
  const now = ctx.clock();
  const expiresAt = now + SESSION_TTL_MS;
  await ctx.store.db
    .insertInto('sessions')
    .values({
      token_hash: hashSessionToken(token),
      user_id: userId,
      created_at: now,
      expires_at: expiresAt,
      last_seen_at: now,
    })
    .execute();
  return { token, expiresAt };
}

/** The signed-in user of a cookie token, or null when it is unknown or expired. */
export async function sessionUser(ctx: Ctx, token: string): Promise<User | null> {
  if (!SESSION_TOKEN_PATTERN.test(token)) return null;
  const hash = hashSessionToken(token);
  const row = await ctx.store.db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'users.id',
      'users.uuid',
      'users.email',
      'users.created_at',
      'sessions.expires_at',
      'sessions.last_seen_at',
    ])
    .where('sessions.token_hash', '=', hash)
    .executeTakeFirst();
  const now = ctx.clock();
  if (!row || now >= row.expires_at) return null;
  if (now - row.last_seen_at >= SESSION_SEEN_EVERY_MS) {
    ctx.store.db
      .updateTable('sessions')
      .set({ last_seen_at: now })
      .where('token_hash', '=', hash)
      .execute()
      .catch((err) => ctx.log.warn({ err }, 'could not record session last_seen_at'));
  }
  return toUser(row);
}

export async function endSession(ctx: Ctx, token: string): Promise<void> {
  const now = ctx.clock();
  await ctx.store.db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('token_hash', '=', hashSessionToken(token)), eb('expires_at', '<=', now)]))
    .execute();
}

/**
 * Ends a user's sessions, and their sign-ins waiting for a second factor, in `trx`; `except` is
 * the cookie token of the one to keep. Returns how many sessions ended.
 */
async function endSessionsOf(trx: Kysely<Database>, userId: number, except?: string): Promise<number> {
  let q = trx.deleteFrom('sessions').where('user_id', '=', userId);
  if (except) q = q.where('token_hash', '!=', hashSessionToken(except));
  const ended = await q.executeTakeFirst();
  await trx.deleteFrom('pending_sign_ins').where('user_id', '=', userId).execute();
  return Number(ended.numDeletedRows);
}

/** Signs a user out everywhere, this browser included ("Sign out everywhere"). */
export async function endUserSessions(ctx: Ctx, userId: number): Promise<number> {
  return endSessionsOf(ctx.store.db, userId);
}

/** Whether `password` is the user's (never throws; costs one scrypt either way). */
export async function verifyUserPassword(ctx: Ctx, userId: number, password: string): Promise<boolean> {
  const row = await ctx.store.db
    .selectFrom('users')
    .select('password_hash')
    .where('id', '=', userId)
    .executeTakeFirst();
  dummyHash ??= hashPassword(randomAlnum(24));
  const ok = await verifyPassword(password ?? '', row?.password_hash ?? (await dummyHash));
  return !!row && ok;
}

/**
 * The Account page's password change: null when `current` is not the user's password (nothing
 * changes); otherwise the new one is set and every other session of theirs ends, the one of
 * `keepSession` (this browser) excepted.
 */
export async function changePassword(
  ctx: Ctx,
  userId: number,
  input: { current: string; next: string; keepSession: string },
): Promise<{ sessionsEnded: number } | null> {
  const next = checkPassword(input.next);
  if (!(await verifyUserPassword(ctx, userId, input.current))) return null;
  if (next === input.current) throw new ValidationError('The new password must differ from the current one');
  const hash = await hashPassword(next);
  return ctx.store.db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ password_hash: hash }).where('id', '=', userId).execute();
    return { sessionsEnded: await endSessionsOf(trx, userId, input.keepSession) };
  });
}

/**
 * `vigil users reset-password`, the way back in: sets a forgotten password and/or turns off
 * two-factor sign-in (a lost phone), then ends every session of the user, in one transaction.
 */
export async function resetPassword(
  ctx: Ctx,
  email: string,
  input: { password?: string; disableTwoFactor?: boolean },
): Promise<User & { sessionsEnded: number; twoFactorDisabled: boolean }> {
  const address = parseEmail(email);
  if (input.password === undefined && !input.disableTwoFactor)
    throw new ValidationError('Nothing to do: give a new password, or turn off two-factor sign-in');
  const hash = input.password === undefined ? null : await hashPassword(checkPassword(input.password));
  return ctx.store.db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('users')
      .select(['id', 'uuid', 'email', 'created_at', 'totp_secret'])
      .where('email', '=', address)
      .executeTakeFirst();
    if (!row) throw new NotFoundError('User');
    if (hash) await trx.updateTable('users').set({ password_hash: hash }).where('id', '=', row.id).execute();
    if (input.disableTwoFactor) {
      await trx
        .updateTable('users')
        .set({ totp_secret: null, totp_pending_secret: null, totp_last_step: null, totp_enabled_at: null })
        .where('id', '=', row.id)
        .execute();
      await trx.deleteFrom('recovery_codes').where('user_id', '=', row.id).execute();
    }
    const sessionsEnded = await endSessionsOf(trx, row.id);
    return { ...toUser(row), sessionsEnded, twoFactorDisabled: !!input.disableTwoFactor && row.totp_secret !== null };
  });
}

/** Every user of the installation with the projects they belong to, oldest first. */
export async function listUsers(ctx: Ctx): Promise<(User & { projects: number })[]> {
  const rows = await ctx.store.db
    .selectFrom('users')
    .leftJoin('project_members', 'project_members.user_id', 'users.id')
    .select([
      'users.id',
      'users.uuid',
      'users.email',
      'users.created_at',
      (eb) => eb.fn.count<number>('project_members.project_id').as('projects'),
    ])
    .groupBy(['users.id', 'users.uuid', 'users.email', 'users.created_at'])
    .orderBy('users.id')
    .execute();
  return rows.map((r) => ({ ...toUser(r), projects: Number(r.projects) }));
}

export async function listUserProjects(ctx: Ctx, userId: number): Promise<MemberProject[]> {
  const rows = await ctx.store.db
    .selectFrom('projects')
    .innerJoin('project_members', 'project_members.project_id', 'projects.id')
    .selectAll('projects')
    .select('project_members.role')
    .where('project_members.user_id', '=', userId)
    .orderBy('projects.id')
    .execute();
  return rows.map((r) => ({ ...r, role: r.role as Role }));
}

/** A project the user belongs to; any other uuid is the same NotFoundError as an unknown one. */
export async function getUserProject(ctx: Ctx, userId: number, uuid: string): Promise<MemberProject> {
  const row = await ctx.store.db
    .selectFrom('projects')
    .innerJoin('project_members', 'project_members.project_id', 'projects.id')
    .selectAll('projects')
    .select('project_members.role')
    .where('project_members.user_id', '=', userId)
    .where('projects.uuid', '=', uuid)
    .executeTakeFirst();
  if (!row) throw new NotFoundError('Project');
  return { ...row, role: row.role as Role };
}

export async function addProjectMember(ctx: Ctx, projectId: number, userId: number, role: Role): Promise<void> {
  await ctx.store.db
    .insertInto('project_members')
    .values({ project_id: projectId, user_id: userId, role, created_at: ctx.clock() })
    .execute();
}

/** A new project owned by the user who made it. */
export async function createUserProject(ctx: Ctx, userId: number, name: string): Promise<MemberProject> {
  const project = await createProject(ctx, name);
  await addProjectMember(ctx, project.id, userId, 'owner');
  return { ...project, role: 'owner' };
}
