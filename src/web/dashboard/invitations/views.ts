import { MIN_PASSWORD_LENGTH } from '../../../domain/users.ts';
import type { OpenInvitation } from '../../../services/invitations.ts';
import { html } from '../../ui/html.ts';
import { csrfInput, field, type FieldErrors } from '../../ui/forms.ts';
import type { Screen } from '../../ui/layout.ts';

/** The page an invitation link opens: join as the signed-in invitee, sign in first, or choose a password. */

const ROLE_LABELS: Record<string, string> = { owner: 'an owner', member: 'a member' };

export function invitationScreen(d: {
  invitation: OpenInvitation;
  action: string;
  csrf: string;
  signedInAs: string | null;
  errors: FieldErrors;
}): Screen {
  const i = d.invitation;
  const title = `Join ${i.projectName}`;
  const intro = html`<h1>${title}</h1><p>You are invited to join the project <strong>${i.projectName}</strong> on Vigil as ${ROLE_LABELS[i.role]}.</p>`;
  if (d.signedInAs === i.email) {
    return {
      title,
      body: html`<section class="card narrow">${intro}
  <form method="post" action="${d.action}">${csrfInput(d.csrf)}
    <div class="actions"><button type="submit" class="primary">Join ${i.projectName}</button></div></form>
</section>`,
    };
  }
  if (d.signedInAs) {
    return {
      title,
      body: html`<section class="card narrow">${intro}
  <p class="alert" role="alert">This invitation is for ${i.email}, and you are signed in as ${d.signedInAs}. Sign out, then open the link again.</p>
  <form method="post" action="/app/logout">${csrfInput(d.csrf)}<button type="submit">Sign out</button></form>
</section>`,
    };
  }
  if (i.hasAccount) {
    const login = `/app/login?next=${encodeURIComponent(d.action)}&email=${encodeURIComponent(i.email)}`;
    return {
      title,
      body: html`<section class="card narrow">${intro}
  <p>${i.email} already has an account: sign in with it to join.</p>
  <div class="actions"><a class="button primary" href="${login}">Sign in to join</a></div>
</section>`,
    };
  }
  return {
    title,
    body: html`<section class="card narrow">${intro}
  <form method="post" action="${d.action}">${csrfInput(d.csrf)}
    <p>Your account will be <strong>${i.email}</strong>. Choose its password:</p>
    ${field({ label: 'Password', name: 'password', type: 'password', error: d.errors.password, hint: `At least ${MIN_PASSWORD_LENGTH} characters.`, required: true, autocomplete: 'new-password', attrs: html` minlength="${MIN_PASSWORD_LENGTH}" maxlength="1024"` })}
    <div class="actions"><button type="submit" class="primary">Create account and join</button></div>
  </form>
</section>`,
  };
}
