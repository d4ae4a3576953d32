import { ROLE_TABLE } from '../../../domain/roles.ts';
import type { Invitation } from '../../../services/invitations.ts';
import type { Member } from '../../../services/members.ts';
import type { MemberProject } from '../../../services/users.ts';
import { html, type Markup } from '../../ui/html.ts';
import { csrfInput, field, formError, selectField, type FieldErrors } from '../../ui/forms.ts';
import { time } from '../../ui/format.ts';
import type { Screen } from '../../ui/layout.ts';
import { notice } from '../../ui/notices.ts';
import { settingsHeader, settingsPath } from '../project-nav.ts';

/** The Members settings: who belongs to the project, open invitations, and (for owners) inviting, changing and removing. */

const NOTICES: Record<string, string> = {
  role: 'The role was changed.',
  removed: 'The member was removed: they no longer see this project.',
  uninvited: 'The invitation was revoked: its link no longer works.',
};
const ROLE_OPTIONS = [
  ['member', 'Member'],
  ['owner', 'Owner'],
] as const;
const ROLE_LABELS: Record<string, string> = { owner: 'Owner', member: 'Member' };

export interface InviteForm {
  email: string;
  role: string;
}
/** The invitation just made: its link is shown this once. */
export interface Invited {
  email: string;
  role: string;
  link: string;
  emailed: boolean;
  expiresAt: number;
}

const base = (p: MemberProject) => settingsPath(p.uuid, 'members');

function invitedPanel(i: Invited): Markup {
  return html`<section class="card key-panel" id="invited" aria-labelledby="invited-h">
  <h2 id="invited-h">Invitation for ${i.email}</h2>
  <p class="alert warning" role="alert"><strong>Copy this link now.</strong> It is shown once; ${i.emailed ? html`it was also emailed to ${i.email}.` : html`email is not set up on this server (<code>VIGIL_SMTP_URL</code>), so send it to them yourself.`}</p>
  <label for="invite-link">Link for ${i.email} (${ROLE_LABELS[i.role]}), valid until ${time(i.expiresAt)}</label>
  <div class="copy-row">
    <input id="invite-link" class="mono" type="text" readonly value="${i.link}" spellcheck="false" autocomplete="off">
    <button type="button" class="copy" data-copy="invite-link" hidden>Copy</button>
  </div>
  <p class="copy-status" aria-live="polite"></p>
  <p class="hint">With it they choose their own password, or sign in if they already have an account, and join the project. It works once.</p>
</section>`;
}

/** Who may do what: domain/roles.ts, as a table. */
function roleTable(): Markup {
  return html`<details class="roles"><summary>Who may do what</summary>
  <table class="list"><caption class="sr-only">Roles</caption>
    <thead><tr><th scope="col">Action</th><th scope="col">Owner</th><th scope="col">Member</th></tr></thead>
    <tbody>${Object.values(ROLE_TABLE).map((r) => html`<tr><td>${r.what[0].toUpperCase()}${r.what.slice(1)}</td><td>${r.owner ? 'Yes' : 'No'}</td><td>${r.member ? 'Yes' : 'No'}</td></tr>`)}</tbody>
  </table></details>`;
}

/** Any member sees the list; owners get the forms and the open invitations. `me` is the signed-in user's id; `listError`, a refusal about the list. */
export function membersScreen(d: {
  project: MemberProject;
  members: Member[];
  invitations: Invitation[];
  me: number;
  csrf: string;
  values: InviteForm;
  errors: FieldErrors;
  listError: string;
  invited: Invited | null;
  done: unknown;
  keysRevoked: number;
}): Screen {
  const { project: p, members, me, csrf, values: v, errors: e, listError } = d;
  const owner = p.role === 'owner';
  const removedKeys =
    d.done === 'removed' && d.keysRevoked > 0
      ? html`<p class="notice" role="status">The member was removed: they no longer see this project. The ${d.keysRevoked === 1 ? 'API key they made was' : html`${d.keysRevoked} API keys they made were`} revoked.</p>`
      : notice(d.done, NOTICES);
  return {
    title: `Members · ${p.name}`,
    body: html`${settingsHeader(p, 'members')}
${removedKeys}
${d.invited ? invitedPanel(d.invited) : ''}
<section class="card" aria-labelledby="members-h">
  <h2 id="members-h">Members</h2>
  <p class="hint">Owners manage members, alert channels, settings and every API key; members see and manage the project’s monitors, checks and pages, and make Read-only keys.${owner ? '' : ' Only owners can change who belongs to it.'}</p>
  ${roleTable()}
  ${listError ? html`<p class="alert" role="alert" id="members-error">${listError}</p>` : ''}
  <table class="list members"><caption class="sr-only">Members of ${p.name}</caption>
    <thead><tr><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Since</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
    <tbody>${members.map(
      (m) => html`<tr data-member="${m.uuid}">
      <td data-label="Email" class="name-cell">${m.email}${m.userId === me ? html` <span class="hint">(you)</span>` : ''}</td>
      <td data-label="Role">${
        owner
          ? html`<form method="post" action="${base(p)}/${m.uuid}/role" class="inline-form role-form">${csrfInput(csrf)}
        <label for="role-${m.uuid}" class="sr-only">Role of ${m.email}</label>
        <select id="role-${m.uuid}" name="role">${ROLE_OPTIONS.map(([r, l]) => html`<option value="${r}"${r === m.role ? html` selected` : ''}>${l}</option>`)}</select>
        <button type="submit" class="small">Change<span class="sr-only"> the role of ${m.email}</span></button></form>`
          : ROLE_LABELS[m.role]
      }</td>
      <td data-label="Since">${time(m.since)}</td>
      <td class="row-actions">${owner ? html`<a class="danger-link" href="${base(p)}/${m.uuid}/remove">Remove<span class="sr-only"> ${m.email}</span></a>` : m.userId === me ? html`<a class="danger-link" href="${base(p)}/${m.uuid}/remove">Leave the project</a>` : ''}</td>
    </tr>`,
    )}</tbody></table>
</section>
${
  owner && d.invitations.length
    ? html`<section class="card" aria-labelledby="invitations-h"><h2 id="invitations-h">Open invitations</h2>
  <table class="list invitations"><caption class="sr-only">Open invitations to ${p.name}</caption>
    <thead><tr><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Invited by</th><th scope="col">Expires</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
    <tbody>${d.invitations.map(
      (i) => html`<tr data-invitation="${i.uuid}">
      <td data-label="Email" class="name-cell">${i.email}</td><td data-label="Role">${ROLE_LABELS[i.role]}</td>
      <td data-label="Invited by">${i.invitedBy ?? '—'}</td><td data-label="Expires">${time(i.expiresAt)}</td>
      <td class="row-actions"><form method="post" action="${base(p)}/invitations/${i.uuid}/revoke" class="inline-form">${csrfInput(csrf)}<button type="submit" class="small danger">Revoke<span class="sr-only"> the invitation of ${i.email}</span></button></form></td>
    </tr>`,
    )}</tbody></table>
</section>`
    : ''
}
${
  owner
    ? html`<section class="card narrow-wide" aria-labelledby="add-h"><h2 id="add-h">Invite a member</h2>
  <form method="post" action="${base(p)}">
    ${csrfInput(csrf)}
    ${formError(e)}
    ${field({ label: 'Email', name: 'email', type: 'email', value: v.email, error: e.email, required: true, hint: 'They get a link, valid for a week, with which they choose their own password or sign in.', attrs: html` maxlength="254" autocomplete="off"` })}
    ${selectField({ label: 'Role', name: 'role', value: v.role, options: ROLE_OPTIONS, error: e.role })}
    <div class="actions"><button type="submit" class="primary">Invite</button></div>
  </form>
</section>`
    : ''
}`,
  };
}

/** `self`: the signed-in user removing themself. */
export function removeMemberScreen(d: { project: MemberProject; member: Member; self: boolean; csrf: string }): Screen {
  const { project: p, member: m, self } = d;
  return {
    title: `Remove ${m.email}`,
    body: html`${settingsHeader(p, 'members')}
<section class="card narrow"><h2>${self ? 'Leave the project' : 'Remove member'}</h2>
  <p>Remove <strong>${m.email}</strong> (${ROLE_LABELS[m.role]}) from ${p.name}? ${self ? 'You will no longer see this project.' : 'They will no longer see this project; their account stays.'} The API keys ${self ? 'you' : 'they'} made in it are revoked.</p>
  <form method="post" action="${base(p)}/${m.uuid}/remove">${csrfInput(d.csrf)}
    <div class="actions"><button type="submit" class="danger">${self ? 'Leave the project' : 'Remove member'}</button> <a class="button" href="${base(p)}">Cancel</a></div></form>
</section>`,
  };
}
