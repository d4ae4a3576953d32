import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors.ts';
import { MIN_PASSWORD_LENGTH } from '../../domain/users.ts';
import { addMember, listMembers, removeMember, setMemberRole, type Member } from '../../services/members.ts';
import type { MemberProject } from '../../services/users.ts';
import { html } from './html.ts';
import { csrfInput, field, form, formError, messageField, selectField, type FieldErrors } from './forms.ts';
import { messagePage, sendPage, sendUserPage, time, type Deps } from './layout.ts';
import { csrfToken } from './session.ts';
import { projectPath, userProject } from './project-nav.ts';
import { settingsHeader } from './developers.ts';
import { notice } from './monitors.ts';

const NOTICES: Record<string, string> = {
  added: 'The member was added: they see this project when they sign in.',
  role: 'The role was changed.',
  removed: 'The member was removed: they no longer see this project.',
};
const ROLE_OPTIONS = [['member', 'Member'], ['owner', 'Owner']] as const;
const ROLE_LABELS: Record<string, string> = { owner: 'Owner', member: 'Member' };
const PATTERNS: [RegExp, string][] = [[/password|Password|account/, 'password'], [/Email|email|member of/, 'email'], [/Role/, 'role']];

interface AddForm { email: string; role: string; password: string }
const EMPTY: AddForm = { email: '', role: 'member', password: '' };

export default function memberRoutes(app: FastifyInstance, { ctx, assets }: Deps) {
  const base = (p: MemberProject) => projectPath(p.uuid, 'settings/members');

  /** Any member sees the list; only owners change it (others get 403, and no forms). */
  async function ownerProject(req: FastifyRequest, reply: FastifyReply): Promise<MemberProject | null> {
    const p = await userProject(ctx, req);
    if (p.role === 'owner') return p;
    sendPage(reply, 403, messagePage(assets, 'Owners only', 'Only the project’s owners can add, change or remove its members. Nothing was changed.', req.dash.user, csrfToken(req, reply), { href: base(p), text: 'Back to the members' }));
    return null;
  }

  async function memberOf(p: MemberProject, req: FastifyRequest): Promise<Member> {
    const m = (await listMembers(ctx, p.id)).find((x) => x.uuid === (req.params as { user: string }).user);
    if (!m) throw new NotFoundError('Member');
    return m;
  }

  async function membersPage(req: FastifyRequest, reply: FastifyReply, p: MemberProject, status: number, v: AddForm, e: FieldErrors, listError = '') {
    const members = await listMembers(ctx, p.id);
    const owner = p.role === 'owner';
    const csrf = csrfToken(req, reply);
    const me = req.dash.user!.id;
    const body = html`${settingsHeader(p, 'members')}
${notice(req, NOTICES)}
<section class="card" aria-labelledby="members-h">
  <h2 id="members-h">Members</h2>
  <p class="hint">Owners manage members and everything else; members see and manage the project’s monitors, checks and pages.${owner ? '' : ' Only owners can change who belongs to it.'}</p>
  ${listError ? html`<p class="alert" role="alert" id="members-error">${listError}</p>` : ''}
  <table class="list members"><caption class="sr-only">Members of ${p.name}</caption>
    <thead><tr><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Since</th>${owner ? html`<th scope="col"><span class="sr-only">Actions</span></th>` : ''}</tr></thead>
    <tbody>${members.map((m) => html`<tr data-member="${m.uuid}">
      <td data-label="Email" class="name-cell">${m.email}${m.userId === me ? html` <span class="hint">(you)</span>` : ''}</td>
      <td data-label="Role">${owner ? html`<form method="post" action="${base(p)}/${m.uuid}/role" class="inline-form role-form">${csrfInput(csrf)}
        <label for="role-${m.uuid}" class="sr-only">Role of ${m.email}</label>
        <select id="role-${m.uuid}" name="role">${ROLE_OPTIONS.map(([r, l]) => html`<option value="${r}"${r === m.role ? html` selected` : ''}>${l}</option>`)}</select>
        <button type="submit" class="small">Change<span class="sr-only"> the role of ${m.email}</span></button></form>` : ROLE_LABELS[m.role]}</td>
      <td data-label="Since">${time(m.since)}</td>
      ${owner ? html`<td class="row-actions"><a class="danger-link" href="${base(p)}/${m.uuid}/remove">Remove<span class="sr-only"> ${m.email}</span></a></td>` : ''}
    </tr>`)}</tbody></table>
</section>
${owner ? html`<section class="card narrow-wide" aria-labelledby="add-h"><h2 id="add-h">Add a member</h2>
  <form method="post" action="${base(p)}">
    ${csrfInput(csrf)}
    ${formError(e)}
    ${field({ label: 'Email', name: 'email', type: 'email', value: v.email, error: e.email, required: true, attrs: html` maxlength="254" autocomplete="off"` })}
    ${selectField({ label: 'Role', name: 'role', value: v.role, options: ROLE_OPTIONS, error: e.role })}
    ${field({ label: 'Initial password', name: 'password', type: 'password', value: '', error: e.password, hint: `Only for someone without an account yet: at least ${MIN_PASSWORD_LENGTH} characters; tell it to them, they sign in with it. Leave empty for an existing user.`, attrs: html` autocomplete="new-password" maxlength="1024"` })}
    <div class="actions"><button type="submit" class="primary">Add member</button></div>
  </form>
</section>` : ''}`;
    return sendUserPage(assets, req, reply, status, `Members · ${p.name}`, body);
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
    const self = m.userId === req.dash.user!.id;
    const body = html`${settingsHeader(p, 'members')}
<section class="card narrow"><h2>Remove member</h2>
  <p>Remove <strong>${m.email}</strong> (${ROLE_LABELS[m.role]}) from ${p.name}? ${self ? 'You will no longer see this project.' : 'They will no longer see this project; their account stays.'}</p>
  <form method="post" action="${base(p)}/${m.uuid}/remove">${csrfInput(csrfToken(req, reply))}
    <div class="actions"><button type="submit" class="danger">Remove member</button> <a class="button" href="${base(p)}">Cancel</a></div></form>
</section>`;
    return sendUserPage(assets, req, reply, 200, `Remove ${m.email}`, body);
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
