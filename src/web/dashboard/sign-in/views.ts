import { html } from '../../ui/html.ts';
import { csrfInput, field, type FieldErrors } from '../../ui/forms.ts';
import type { Screen } from '../../ui/layout.ts';

/** The first start's form: the first account, owner of every existing project. */
export function setupScreen(d: { csrf: string; email?: string; errors: FieldErrors }): Screen {
  return {
    title: 'Set up Vigil',
    body: html`<section class="card narrow">
  <h1>Set up Vigil</h1>
  <p>Create the first account. It becomes the owner of every existing project, including “Default”.</p>
  <form method="post" action="/app/setup">
    ${csrfInput(d.csrf)}
    ${field({ label: 'Email', name: 'email', type: 'email', value: d.email, error: d.errors.email, required: true, autocomplete: 'username' })}
    ${field({ label: 'Password', name: 'password', type: 'password', error: d.errors.password, hint: 'At least 10 characters.', required: true, autocomplete: 'new-password', attrs: html` minlength="10"` })}
    <button type="submit" class="primary">Create account</button>
  </form>
</section>`,
  };
}

/** `next`: where to go once signed in (an invitation's page), carried by the form. */
export function loginScreen(d: { csrf: string; email: string; alert?: string; next?: string | null }): Screen {
  return {
    title: 'Sign in',
    body: html`<section class="card narrow">
  <h1>Sign in</h1>
  ${d.alert ? html`<p class="alert" role="alert">${d.alert}</p>` : ''}
  <form method="post" action="/app/login">
    ${csrfInput(d.csrf)}
    ${d.next ? html`<input type="hidden" name="next" value="${d.next}">` : ''}
    ${field({ label: 'Email', name: 'email', type: 'email', value: d.email, required: true, autocomplete: 'username' })}
    ${field({ label: 'Password', name: 'password', type: 'password', required: true, autocomplete: 'current-password' })}
    <button type="submit" class="primary">Sign in</button>
  </form>
</section>`,
  };
}

/** The second step of a sign-in with two-factor sign-in on: a code of the user's app, or a recovery code. */
export function codeScreen(d: { csrf: string; error?: string }): Screen {
  return {
    title: 'Authentication code',
    body: html`<section class="card narrow">
  <h1>Authentication code</h1>
  <p>Your password was right. Type the code your authenticator app shows for Vigil.</p>
  <form method="post" action="/app/login/code">
    ${csrfInput(d.csrf)}
    ${field({ label: 'Code', name: 'code', error: d.error, hint: 'Six digits, or one of your recovery codes if you cannot use the app.', required: true, autocomplete: 'one-time-code', attrs: html` inputmode="text" autocapitalize="off" spellcheck="false" maxlength="40" autofocus` })}
    <button type="submit" class="primary">Sign in</button>
  </form>
  <form method="post" action="/app/login/cancel">${csrfInput(d.csrf)}<button type="submit" class="link">Cancel and start again</button></form>
</section>`,
  };
}
