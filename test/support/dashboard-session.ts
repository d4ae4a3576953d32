import assert from 'node:assert/strict';
import { FormClient, csrfOf } from './browser-client.ts';
import { createUser } from '../../src/services/users.ts';
import type { ActorCtx, Ctx } from '../../src/services/context.ts';
import { startHarness, type Harness } from '../harness.ts';

export const ADMIN = { email: 'admin@example.org', password: 'correct horse battery' };

/** Makes the first user (owner of every project the harness made) and signs them in. */
export async function signedInAdmin(h: Harness): Promise<FormClient> {
  await createUser(h.ctx, ADMIN);
  return signIn(h, ADMIN.email, ADMIN.password);
}

export async function signIn(h: Harness, email: string, password: string): Promise<FormClient> {
  const b = new FormClient(h.url);
  const res = await b.submit('/app/login', '/app/login', { email, password });
  assert.equal(res.status, 303, res.text);
  return b;
}

/**
 * The usual start of a dashboard test: a harness, its admin signed in, a read-write actor of
 * its project, and `at('monitors')` for that project's dashboard paths.
 */
export async function dashboardProject(): Promise<{
  h: Harness;
  admin: FormClient;
  actor: ActorCtx;
  at: (rest: string) => string;
}> {
  const h = await startHarness();
  return {
    h,
    admin: await signedInAdmin(h),
    actor: actorOf(h.ctx, h.project),
    at: (rest) => `/app/projects/${h.project.uuid}/${rest}`,
  };
}

/** A read-write actor of a project, for setting up rows through the services. */
export function actorOf(ctx: Ctx, project: { id: number; uuid: string }): ActorCtx {
  return { ...ctx, actor: { projectId: project.id, projectUuid: project.uuid, permission: 'read_write', keyId: null } };
}

/** The harness's second project as an actor, with the admin's membership taken away (for isolation tests). */
export async function foreignProject(h: Harness): Promise<ActorCtx> {
  const row = await h.ctx.store.db
    .selectFrom('projects')
    .select(['id', 'uuid'])
    .where('uuid', '=', h.other.uuid)
    .executeTakeFirstOrThrow();
  await h.ctx.store.db.deleteFrom('project_members').where('project_id', '=', Number(row.id)).execute();
  return actorOf(h.ctx, { id: Number(row.id), uuid: row.uuid });
}

/** Counts the SQL statements sent through kysely (every dashboard read goes through it). */
export function countQueries(ctx: Ctx) {
  const exec = ctx.store.db.getExecutor() as unknown as { executeQuery: (...a: unknown[]) => unknown };
  const original = exec.executeQuery;
  let n = 0;
  exec.executeQuery = function (this: unknown, ...args: unknown[]) {
    n++;
    return original.apply(this, args);
  };
  return {
    get count() {
      return n;
    },
    reset() {
      n = 0;
    },
    restore() {
      exec.executeQuery = original;
    },
  };
}

/** Text of the page without tags (entities of the escaper undone), whitespace collapsed. */
export function plain(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/\s+/g, ' ');
}

/** Each path answers the dashboard's 404 page: read, or posted to with a valid CSRF token when `post`. */
export async function expect404(b: FormClient, paths: string[], post = false): Promise<void> {
  const token = csrfOf((await b.get('/app/projects')).text);
  for (const p of paths) {
    const res = post ? await b.post(p, { _csrf: token }) : await b.get(p);
    assert.equal(res.status, 404, p);
    assert.match(res.text, /Page not found/);
  }
}
