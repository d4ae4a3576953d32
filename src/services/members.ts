import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.ts';
import { parseEmail, type Role } from '../domain/users.ts';
import { createUser } from './users.ts';
import { existingUser, getProject } from './projects.ts';
import type { Ctx } from './context.ts';
import type { Database } from '../storage/schema.ts';
import type { Transaction } from 'kysely';

export const ROLES: readonly Role[] = ['owner', 'member'];

export interface Member {
  userId: number;
  uuid: string;
  email: string;
  role: Role;
  since: number;
}

export function parseRole(v: unknown): Role {
  if (!ROLES.includes(v as Role)) throw new ValidationError('Role must be owner or member');
  return v as Role;
}

/** The project's members, owners first, then by email. */
export async function listMembers(ctx: Ctx, projectId: number): Promise<Member[]> {
  const rows = await ctx.store.db.selectFrom('project_members')
    .innerJoin('users', 'users.id', 'project_members.user_id')
    .select(['users.id', 'users.uuid', 'users.email', 'project_members.role', 'project_members.created_at'])
    .where('project_members.project_id', '=', projectId)
    .orderBy('users.email')
    .execute();
  return rows
    .map((r) => ({ userId: Number(r.id), uuid: r.uuid, email: r.email, role: r.role as Role, since: Number(r.created_at) }))
    .sort((a, b) => (a.role === b.role ? 0 : a.role === 'owner' ? -1 : 1));
}

/**
 * Adds a user to the project by email. A user who has no account yet gets one with the
 * initial password the owner typed; an existing user keeps theirs (a password is refused then,
 * so an owner cannot reset someone else's).
 */
export async function addMember(ctx: Ctx, projectId: number, input: { email: string; role: unknown; password?: string }): Promise<Member> {
  const email = parseEmail(input.email);
  const role = parseRole(input.role);
  const password = input.password ?? '';
  let user = await ctx.store.db.selectFrom('users').select(['id']).where('email', '=', email).executeTakeFirst();
  if (user && password) throw new ValidationError(`${email} already has an account: leave the initial password empty to add them`);
  if (!user) {
    if (!password) throw new ValidationError(`Nobody has an account with ${email} yet: type an initial password to create one`);
    try {
      user = { id: (await createUser(ctx, { email, password })).id };
    } catch (err) {
      // Made by someone else in the meantime: add that account, without the password.
      if (!(err instanceof ConflictError)) throw err;
      throw new ConflictError(`${email} already has an account: leave the initial password empty to add them`);
    }
  }
  const userId = Number(user.id);
  const now = ctx.clock();
  const added = await ctx.store.db.insertInto('project_members')
    .values({ project_id: projectId, user_id: userId, role, created_at: now })
    .onConflict((oc) => oc.columns(['project_id', 'user_id']).doNothing())
    .returning('user_id')
    .executeTakeFirst();
  if (!added) throw new ConflictError(`${email} is already a member of this project`);
  return (await listMembers(ctx, projectId)).find((m) => m.userId === userId)!;
}

/** Adds a user who already has an account to a project named by uuid (the CLI's `members add`). */
export async function addExistingMember(ctx: Ctx, projectUuid: string, input: { email: string; role: unknown }): Promise<Member & { projectUuid: string }> {
  const role = parseRole(input.role);
  const project = await getProject(ctx, projectUuid);
  const user = await existingUser(ctx, input.email);
  return { ...(await addMember(ctx, project.id, { email: user.email, role })), projectUuid: project.uuid };
}

/**
 * Runs a change to one membership with the project's memberships locked, and refuses it when
 * it would leave the project without an owner. The project row is locked, so two owners
 * demoting each other at once cannot both succeed.
 */
async function changeMembership(ctx: Ctx, projectId: number, userUuid: string, change: (trx: Transaction<Database>, userId: number, role: Role) => Promise<Role | null>): Promise<void> {
  await ctx.store.db.transaction().execute(async (trx) => {
    await ctx.store.lockRows(trx.selectFrom('projects').select('id').where('id', '=', projectId)).execute();
    const row = await trx.selectFrom('project_members')
      .innerJoin('users', 'users.id', 'project_members.user_id')
      .select(['users.id', 'project_members.role'])
      .where('project_members.project_id', '=', projectId).where('users.uuid', '=', userUuid)
      .executeTakeFirst();
    if (!row) throw new NotFoundError('Member');
    const after = await change(trx, Number(row.id), row.role as Role);
    if (row.role === 'owner' && after !== 'owner') {
      const [{ n }] = await trx.selectFrom('project_members').select((eb) => eb.fn.countAll<number>().as('n'))
        .where('project_id', '=', projectId).where('role', '=', 'owner').execute();
      if (Number(n) === 0) throw new ValidationError('A project keeps at least one owner: make someone else owner first');
    }
  });
}

export async function setMemberRole(ctx: Ctx, projectId: number, userUuid: string, role: unknown): Promise<void> {
  const next = parseRole(role);
  await changeMembership(ctx, projectId, userUuid, async (trx, userId) => {
    await trx.updateTable('project_members').set({ role: next }).where('project_id', '=', projectId).where('user_id', '=', userId).execute();
    return next;
  });
}

/** Removes a member (their account stays); the last owner cannot be removed. */
export async function removeMember(ctx: Ctx, projectId: number, userUuid: string): Promise<void> {
  await changeMembership(ctx, projectId, userUuid, async (trx, userId) => {
    await trx.deleteFrom('project_members').where('project_id', '=', projectId).where('user_id', '=', userId).execute();
    return null;
  });
}
