import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConflictError, NotFoundError, ValidationError } from '../../../domain/errors.ts';
import { addMember, listMembers, removeMember, setMemberRole, type Member } from '../../../services/members.ts';
import type { MemberProject } from '../../../services/users.ts';
import { messageField, type FieldErrors } from '../../ui/forms.ts';
import { messageScreen } from '../../ui/layout.ts';
import { doneOf, form, sendScreen, userProject, type Deps } from '../handler.ts';
import { csrfToken } from '../session.ts';
import { settingsPath } from '../project-nav.ts';
import { membersScreen, removeMemberScreen, type AddForm } from './views.ts';

const PATTERNS: [RegExp, string][] = [[/password|Password|account/, 'password'], [/Email|email|member of/, 'email'], [/Role/, 'role']];
const EMPTY: AddForm = { email: '', role: 'member', password: '' };

export default function memberRoutes(app: FastifyInstance, { ctx, assets }: Deps) {
  const base = (p: MemberProject) => settingsPath(p.uuid, 'members');

  /** Any member sees the list; only owners change it (others get 403, and no forms). */
  async function ownerProject(req: FastifyRequest, reply: FastifyReply): Promise<MemberProject | null> {
    const p = await userProject(ctx, req);
    if (p.role === 'owner') return p;
    sendScreen(assets, req, reply, 403, messageScreen('Owners only', 'Only the project’s owners can add, change or remove its members. Nothing was changed.', { href: base(p), text: 'Back to the members' }));
    return null;
  }

  async function memberOf(p: MemberProject, req: FastifyRequest): Promise<Member> {
    const m = (await listMembers(ctx, p.id)).find((x) => x.uuid === (req.params as { user: string }).user);
    if (!m) throw new NotFoundError('Member');
    return m;
  }

  async function membersPage(req: FastifyRequest, reply: FastifyReply, p: MemberProject, status: number, v: AddForm, e: FieldErrors, listError = '') {
    const members = await listMembers(ctx, p.id);
    return sendScreen(assets, req, reply, status, membersScreen({ project: p, members, me: req.dash.user!.id, csrf: csrfToken(req, reply), values: v, errors: e, listError, done: doneOf(req) }));
  }

  app.get('/projects/:uuid/settings/members', async (req, reply) => membersPage(req, reply, await userProject(ctx, req), 200, EMPTY, {}));

  app.post('/projects/:uuid/settings/members', async (req, reply) => {
    const p = await ownerProject(req, reply);
    if (!p) return reply;
    const f = form(req);
    const v: AddForm = { email: (f.get('email') ?? '').trim(), role: f.get('role') ?? '', password: f.get('password') ?? '' };
    try {
      await addMember(ctx, p.id, v);
      return reply.redirect(`${base(p)}?done=added`, 303);
    } catch (err) {
      if (!(err instanceof ValidationError || err instanceof ConflictError)) throw err;
      return membersPage(req, reply, p, 422, v, { [messageField(err.message, [], PATTERNS)]: err.message });
    }
  });

  app.post('/projects/:uuid/settings/members/:user/role', async (req, reply) => {
    const p = await ownerProject(req, reply);
    if (!p) return reply;
    const m = await memberOf(p, req);
    try {
      await setMemberRole(ctx, p.id, m.uuid, form(req).get('role'));
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return membersPage(req, reply, p, 422, EMPTY, {}, err.message);
    }
    // An owner who made themself a member can no longer manage members: back to the list, read-only.
    return reply.redirect(`${base(p)}?done=role`, 303);
  });
  app.get('/projects/:uuid/settings/members/:user/remove', async (req, reply) => {
    const p = await ownerProject(req, reply);
    if (!p) return reply;
    const m = await memberOf(p, req);
    return sendScreen(assets, req, reply, 200, removeMemberScreen({ project: p, member: m, self: m.userId === req.dash.user!.id, csrf: csrfToken(req, reply) }));
  });

  app.post('/projects/:uuid/settings/members/:user/remove', async (req, reply) => {
    const p = await ownerProject(req, reply);
    if (!p) return reply;
    const m = await memberOf(p, req);
    try {
      await removeMember(ctx, p.id, m.uuid);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return membersPage(req, reply, p, 422, EMPTY, {}, err.message);
    }
    if (m.userId === req.dash.user!.id) return reply.redirect('/app/projects', 303);
    return reply.redirect(`${base(p)}?done=removed`, 303);
  });
}
