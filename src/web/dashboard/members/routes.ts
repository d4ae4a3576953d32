import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConflictError, NotFoundError, ValidationError } from '../../../domain/errors.ts';
import { listMembers, removeMember, setMemberRole, type Member } from '../../../services/members.ts';
import { inviteMember, listInvitations, revokeInvitation } from '../../../services/invitations.ts';
import type { MemberProject } from '../../../services/users.ts';
import { messageField, type FieldErrors } from '../../ui/forms.ts';
import { allowed, doneOf, form, sendScreen, userProject, type Deps } from '../handler.ts';
import { csrfToken } from '../session.ts';
import { settingsPath } from '../project-nav.ts';
import { membersScreen, removeMemberScreen, type InviteForm, type Invited } from './views.ts';

const PATTERNS: [RegExp, string][] = [
  [/Email|email|member of|invitations/, 'email'],
  [/Role/, 'role'],
];
const EMPTY: InviteForm = { email: '', role: 'member' };

export default function memberRoutes(app: FastifyInstance, { ctx, assets }: Deps) {
  const base = (p: MemberProject) => settingsPath(p.uuid, 'members');
  const back = (p: MemberProject) => ({ href: base(p), text: 'Back to the members' });

  async function memberOf(p: MemberProject, req: FastifyRequest): Promise<Member> {
    const m = (await listMembers(ctx, p.id)).find((x) => x.uuid === (req.params as { user: string }).user);
    if (!m) throw new NotFoundError('Member');
    return m;
  }

  async function membersPage(
    req: FastifyRequest,
    reply: FastifyReply,
    p: MemberProject,
    status: number,
    v: InviteForm,
    e: FieldErrors,
    extra: { listError?: string; invited?: Invited } = {},
  ) {
    const [members, invitations] = await Promise.all([
      listMembers(ctx, p.id),
      p.role === 'owner' ? listInvitations(ctx, p.id) : [],
    ]);
    const keys = Number((req.query as Record<string, unknown>).keys);
    return sendScreen(
      assets,
      req,
      reply,
      status,
      membersScreen({
        project: p,
        members,
        invitations,
        me: req.dash.user!.id,
        csrf: csrfToken(req, reply),
        values: v,
        errors: e,
        listError: extra.listError ?? '',
        invited: extra.invited ?? null,
        done: doneOf(req),
        keysRevoked: Number.isInteger(keys) && keys > 0 ? keys : 0,
      }),
    );
  }

  app.get('/projects/:uuid/settings/members', async (req, reply) =>
    membersPage(req, reply, await userProject(ctx, req), 200, EMPTY, {}),
  );

  // An invitation, never an account: the link is shown here once (and emailed when mail is set up).
  app.post('/projects/:uuid/settings/members', async (req, reply) => {
    const p = await userProject(ctx, req);
    if (!allowed(assets, req, reply, p, 'members', back(p))) return reply;
    const f = form(req);
    const v: InviteForm = { email: (f.get('email') ?? '').trim(), role: f.get('role') ?? '' };
    try {
      const inv = await inviteMember(ctx, p, v, req.dash.user!);
      reply.header('Cache-Control', 'no-store');
      return membersPage(
        req,
        reply,
        p,
        201,
        EMPTY,
        {},
        {
          invited: { email: inv.email, role: inv.role, link: inv.link, emailed: inv.emailed, expiresAt: inv.expiresAt },
        },
      );
    } catch (err) {
      if (!(err instanceof ValidationError || err instanceof ConflictError)) throw err;
      return membersPage(req, reply, p, 422, v, { [messageField(err.message, [], PATTERNS)]: err.message });
    }
  });

  app.post('/projects/:uuid/settings/members/invitations/:inv/revoke', async (req, reply) => {
    const p = await userProject(ctx, req);
    if (!allowed(assets, req, reply, p, 'members', back(p))) return reply;
    await revokeInvitation(ctx, p.id, (req.params as { inv: string }).inv);
    return reply.redirect(`${base(p)}?done=uninvited`, 303);
  });

  app.post('/projects/:uuid/settings/members/:user/role', async (req, reply) => {
    const p = await userProject(ctx, req);
    if (!allowed(assets, req, reply, p, 'members', back(p))) return reply;
    const m = await memberOf(p, req);
    try {
      await setMemberRole(ctx, p.id, m.uuid, form(req).get('role'));
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return membersPage(req, reply, p, 422, EMPTY, {}, { listError: err.message });
    }
    // An owner who made themself a member can no longer manage members: back to the list, read-only.
    return reply.redirect(`${base(p)}?done=role`, 303);
  });

  /** Owners remove anyone; a member may only leave. */
  async function removable(req: FastifyRequest, reply: FastifyReply): Promise<[MemberProject, Member] | null> {
    const p = await userProject(ctx, req);
    const m = await memberOf(p, req);
    if (m.userId !== req.dash.user!.id && !allowed(assets, req, reply, p, 'members', back(p))) return null;
    return [p, m];
  }

  app.get('/projects/:uuid/settings/members/:user/remove', async (req, reply) => {
    const found = await removable(req, reply);
    if (!found) return reply;
    const [p, m] = found;
    return sendScreen(
      assets,
      req,
      reply,
      200,
      removeMemberScreen({ project: p, member: m, self: m.userId === req.dash.user!.id, csrf: csrfToken(req, reply) }),
    );
  });

  app.post('/projects/:uuid/settings/members/:user/remove', async (req, reply) => {
    const found = await removable(req, reply);
    if (!found) return reply;
    const [p, m] = found;
    let keysRevoked: number;
    try {
      ({ keysRevoked } = await removeMember(ctx, p.id, m.uuid, `user:${req.dash.user!.email}`));
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return membersPage(req, reply, p, 422, EMPTY, {}, { listError: err.message });
    }
    if (m.userId === req.dash.user!.id) return reply.redirect('/app/projects', 303);
    return reply.redirect(`${base(p)}?done=removed${keysRevoked ? `&keys=${keysRevoked}` : ''}`, 303);
  });
}
