import { newId } from '../domain/ids.ts';
import { NotFoundError, ValidationError } from '../domain/errors.ts';
import { parseEmail } from '../domain/users.ts';
import type { Ctx } from './context.ts';
import type { Quorum } from '../domain/quorum.ts';
import type { ProjectRow } from '../storage/schema.ts';

export type Project = Omit<ProjectRow, 'id'> & { id: number };

/**
 * A new project; with `ownerEmail`, that existing user becomes its owner in the same
 * transaction (an unknown email creates nothing).
 */
export async function createProject(ctx: Ctx, name: string, opts: { ownerEmail?: string } = {}): Promise<Project> {
  const trimmed = (name ?? '').trim();
  if (!trimmed) throw new ValidationError('Project name must not be empty');
  if (trimmed.length > 255) throw new ValidationError('Project name must be at most 255 characters');
  const owner = opts.ownerEmail === undefined ? null : await existingUser(ctx, opts.ownerEmail);
  return ctx.store.db.transaction().execute(async (trx) => {
    const project = await trx
      .insertInto('projects')
      .values({ uuid: newId('proj'), name: trimmed, created_at: ctx.clock() })
      .returningAll()
      .executeTakeFirstOrThrow();
    if (owner)
      await trx
        .insertInto('project_members')
        .values({ project_id: project.id, user_id: owner.id, role: 'owner', created_at: ctx.clock() })
        .execute();
    return project;
  });
}

/** A user who has an account, by email; anyone else is refused with what to do instead. */
export async function existingUser(ctx: Ctx, email: string): Promise<{ id: number; uuid: string; email: string }> {
  const address = parseEmail(email);
  const user = await ctx.store.db
    .selectFrom('users')
    .select(['id', 'uuid', 'email'])
    .where('email', '=', address)
    .executeTakeFirst();
  if (!user) throw new ValidationError(`No user has the email ${address}: create one first with vigil users create`);
  return { id: Number(user.id), uuid: user.uuid, email: user.email };
}

export async function listProjects(ctx: Ctx): Promise<Project[]> {
  return ctx.store.db.selectFrom('projects').selectAll().orderBy('id').execute();
}

export async function getProject(ctx: Ctx, uuid: string): Promise<Project> {
  const row = await ctx.store.db.selectFrom('projects').selectAll().where('uuid', '=', uuid).executeTakeFirst();
  if (!row) throw new NotFoundError('Project');
  return row;
}

/** A project named by its uuid (proj_…) or by its name when no other project has that name (the CLI's --project). */
export async function findProject(ctx: Ctx, ref: string): Promise<Project> {
  if (/^proj_/.test(ref)) return getProject(ctx, ref);
  const rows = await ctx.store.db.selectFrom('projects').selectAll().where('name', '=', ref).limit(2).execute();
  if (rows.length === 0) throw new NotFoundError(`Project "${ref}"`);
  if (rows.length > 1)
    throw new ValidationError(`Several projects are named "${ref}": name it by its uuid (vigil projects list)`);
  return rows[0];
}

/** On an empty database, creates the "Default" project; returns it when it was just made. */
export async function ensureDefaultProject(ctx: Ctx): Promise<Project | null> {
  return ctx.store.db.transaction().execute(async (trx) => {
    const any = await trx.selectFrom('projects').select('id').limit(1).executeTakeFirst();
    if (any) return null;
    return trx
      .insertInto('projects')
      .values({ uuid: newId('proj'), name: 'Default', created_at: ctx.clock() })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

/** Sets how many of a monitor's reporting locations must agree to change its status (see domain/quorum.ts). */
export async function setProjectQuorum(ctx: Ctx, uuid: string, quorum: Quorum): Promise<Project> {
  const project = await getProject(ctx, uuid);
  const value = quorum === 'majority' ? null : quorum;
  await ctx.store.db.updateTable('projects').set({ quorum: value }).where('id', '=', project.id).execute();
  return { ...project, quorum: value };
}
