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
