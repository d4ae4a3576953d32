import { MIN_PASSWORD_LENGTH } from '../../../domain/users.ts';
import type { Member } from '../../../services/members.ts';
import type { MemberProject } from '../../../services/users.ts';
import { html } from '../../ui/html.ts';
import { csrfInput, field, formError, selectField, type FieldErrors } from '../../ui/forms.ts';
import { time } from '../../ui/format.ts';
import type { Screen } from '../../ui/layout.ts';
import { notice } from '../../ui/notices.ts';
import { settingsHeader, settingsPath } from '../project-nav.ts';

/** The Members settings: who belongs to the project, and (for owners) adding, changing and removing them. */

const NOTICES: Record<string, string> = {
  added: 'The member was added: they see this project when they sign in.',
  role: 'The role was changed.',
  removed: 'The member was removed: they no longer see this project.',
};
const ROLE_OPTIONS = [['member', 'Member'], ['owner', 'Owner']] as const;
const ROLE_LABELS: Record<string, string> = { owner: 'Owner', member: 'Member' };

export interface AddForm { email: string; role: string; password: string }

const base = (p: MemberProject) => settingsPath(p.uuid, 'members');

/** Any member sees the list; owners get the forms. `me` is the signed-in user's id; `listError`, a refusal about the list. */
export function membersScreen(d: { project: MemberProject; members: Member[]; me: number; csrf: string; values: AddForm; errors: FieldErrors; listError: string; done: unknown }): Screen {
  const { project: p, members, me, csrf, values: v, errors: e, listError } = d;
  const owner = p.role === 'owner';
  return {
    title: `Members · ${p.name}`,
    body: html`${settingsHeader(p, 'members')}
${notice(d.done, NOTICES)}
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
</section>` : ''}`,
  };
}

/** `self`: the signed-in user removing themself. */
export function removeMemberScreen(d: { project: MemberProject; member: Member; self: boolean; csrf: string }): Screen {
  const { project: p, member: m, self } = d;
  return {
    title: `Remove ${m.email}`,
    body: html`${settingsHeader(p, 'members')}
<section class="card narrow"><h2>Remove member</h2>
  <p>Remove <strong>${m.email}</strong> (${ROLE_LABELS[m.role]}) from ${p.name}? ${self ? 'You will no longer see this project.' : 'They will no longer see this project; their account stays.'}</p>
  <form method="post" action="${base(p)}/${m.uuid}/remove">${csrfInput(d.csrf)}
    <div class="actions"><button type="submit" class="danger">Remove member</button> <a class="button" href="${base(p)}">Cancel</a></div></form>
</section>`,
  };
}
