import { newId } from '../domain/ids.ts';
import { NotFoundError, ValidationError } from '../domain/errors.ts';
import type { Ctx } from './context.ts';
import type { ProjectRow } from '../storage/schema.ts';

export type Project = Omit<ProjectRow, 'id'> & { id: number };

export async function createProject(ctx: Ctx, name: string): Promise<Project> {
  const trimmed = (name ?? '').trim();
  if (!trimmed) throw new ValidationError('Project name must not be empty');
  if (trimmed.length > 255) throw new ValidationError('Project name must be at most 255 characters');
  return ctx.store.db
    .insertInto('projects')
    .values({ uuid: newId('proj'), name: trimmed, created_at: ctx.clock() })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listProjects(ctx: Ctx): Promise<Project[]> {
  return ctx.store.db.selectFrom('projects').selectAll().orderBy('id').execute();
}

export async function getProject(ctx: Ctx, uuid: string): Promise<Project> {
  const row = await ctx.store.db.selectFrom('projects').selectAll().where('uuid', '=', uuid).executeTakeFirst();
  if (!row) throw new NotFoundError('Project');
  return row;
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
