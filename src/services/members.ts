import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.ts';
import { parseEmail, type Role } from '../domain/users.ts';
import { revokeKeysMadeBy } from './api-keys.ts';
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
  const rows = await ctx.store.db
    .selectFrom('project_members')
    .innerJoin('users', 'users.id', 'project_members.user_id')
    .select(['users.id', 'users.uuid', 'users.email', 'project_members.role', 'project_members.created_at'])
    .where('project_members.project_id', '=', projectId)
    .orderBy('users.email')
    .execute();
  return rows
    .map((r) => ({
      userId: Number(r.id),
      uuid: r.uuid,
      email: r.email,
      role: r.role as Role,
      since: Number(r.created_at),
    }))
    .sort((a, b) => (a.role === b.role ? 0 : a.role === 'owner' ? -1 : 1));
}

/**
 * Adds a user who has an account to the project (the operator's CLI). People join from the
 * dashboard by invitation (services/invitations.ts): nobody sets another person's password.
 */
export async function addMember(ctx: Ctx, projectId: number, input: { email: string; role: unknown }): Promise<Member> {
  const email = parseEmail(input.email);
  const role = parseRole(input.role);
  const user = await ctx.store.db.selectFrom('users').select(['id']).where('email', '=', email).executeTakeFirst();
  if (!user) throw new NotFoundError('User');
  const userId = Number(user.id);
  const now = ctx.clock();
  const added = await ctx.store.db
    .insertInto('project_members')
    .values({ project_id: projectId, user_id: userId, role, created_at: now })
    .onConflict((oc) => oc.columns(['project_id', 'user_id']).doNothing())
    .returning('user_id')
    .executeTakeFirst();
  if (!added) throw new ConflictError(`${email} is already a member of this project`);
  return (await listMembers(ctx, projectId)).find((m) => m.userId === userId)!;
}

/** Adds a user who already has an account to a project named by uuid (the CLI's `members add`). */
export async function addExistingMember(
  ctx: Ctx,
  projectUuid: string,
  input: { email: string; role: unknown },
): Promise<Member & { projectUuid: string }> {
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
async function changeMembership<T>(
  ctx: Ctx,
  projectId: number,
  userUuid: string,
  change: (trx: Transaction<Database>, userId: number, role: Role) => Promise<[Role | null, T]>,
): Promise<T> {
  return ctx.store.db.transaction().execute(async (trx) => {
    await ctx.store.lockRows(trx.selectFrom('projects').select('id').where('id', '=', projectId)).execute();
    const row = await trx
      .selectFrom('project_members')
      .innerJoin('users', 'users.id', 'project_members.user_id')
      .select(['users.id', 'project_members.role'])
      .where('project_members.project_id', '=', projectId)
      .where('users.uuid', '=', userUuid)
      .executeTakeFirst();
    if (!row) throw new NotFoundError('Member');
    const [after, result] = await change(trx, Number(row.id), row.role as Role);
    if (row.role === 'owner' && after !== 'owner') {
      const [{ n }] = await trx
        .selectFrom('project_members')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('project_id', '=', projectId)
        .where('role', '=', 'owner')
        .execute();
      if (Number(n) === 0)
        throw new ValidationError('A project keeps at least one owner: make someone else owner first');
    }
    return result;
  });
}

export async function setMemberRole(ctx: Ctx, projectId: number, userUuid: string, role: unknown): Promise<void> {
  const next = parseRole(role);
  await changeMembership(ctx, projectId, userUuid, async (trx, userId) => {
    await trx
      .updateTable('project_members')
      .set({ role: next })
      .where('project_id', '=', projectId)
      .where('user_id', '=', userId)
      .execute();
    return [next, undefined];
  });
}

/**
 * Removes a member (their account stays) and revokes the API keys they made in the project,
 * returning how many; the last owner cannot be removed. `actor` names who removed them (audit).
 */
export async function removeMember(
  ctx: Ctx,
  projectId: number,
  userUuid: string,
  actor = 'cli',
): Promise<{ keysRevoked: number }> {
  return changeMembership(ctx, projectId, userUuid, async (trx, userId) => {
    await trx.deleteFrom('project_members').where('project_id', '=', projectId).where('user_id', '=', userId).execute();
    return [null, { keysRevoked: await revokeKeysMadeBy(trx, projectId, userId, actor, ctx.clock()) }];
  });
}
