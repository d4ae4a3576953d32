import { MIN_PASSWORD_LENGTH } from '../../../domain/users.ts';
import { groupSecret, RECOVERY_CODE_COUNT } from '../../../domain/totp.ts';
import type { Enrolment, TwoFactorStatus } from '../../../services/two-factor.ts';
import { html, type Markup } from '../../ui/html.ts';
import { csrfInput, field, type FieldErrors } from '../../ui/forms.ts';
import { time } from '../../ui/format.ts';
import type { Screen } from '../../ui/layout.ts';
import { notice } from '../../ui/notices.ts';

/** The signed-in user's own account: password, signing out everywhere, two-factor sign-in. */

const NOTICES: Record<string, string> = {
  '2fa-off': 'Two-factor sign-in is off: you sign in with your password alone.',
};

const crumbs = (trail?: string) =>
  html`<nav class="crumbs" aria-label="Breadcrumb"><a href="/app/projects">Projects</a> <span aria-hidden="true">›</span> ${trail ? html`<a href="/app/account">Account</a> <span aria-hidden="true">›</span> <span>${trail}</span>` : html`<span>Account</span>`}</nav>`;

const newPasswordAttrs = html` minlength="${MIN_PASSWORD_LENGTH}" maxlength="1024"`;

/** The Account page. `ended`: other sessions signed out by the password change just made. */
export function accountScreen(d: {
  email: string;
  csrf: string;
  twoFactor: TwoFactorStatus;
  done: unknown;
  ended: number;
  errors: FieldErrors;
  alert?: string;
}): Screen {
  const e = d.errors;
  const changed =
    d.done === 'password'
      ? html`<p class="notice" role="status">Your password was changed. You are still signed in here; ${d.ended === 0 ? 'no other session was open.' : d.ended === 1 ? 'your 1 other session was signed out.' : `your ${d.ended} other sessions were signed out.`}</p>`
      : notice(d.done, NOTICES);
  return {
    title: 'Account',
    body: html`${crumbs()}
<h1>Account <span class="subtitle">${d.email}</span></h1>
${changed}
${d.alert ? html`<p class="alert" role="alert">${d.alert}</p>` : ''}
<section class="card narrow-wide" aria-labelledby="password-h">
  <h2 id="password-h">Change password</h2>
  <p>Your other sessions are signed out; this one stays.</p>
  <form method="post" action="/app/account/password">
    ${csrfInput(d.csrf)}
    <input type="text" name="username" value="${d.email}" autocomplete="username" hidden>
    ${field({ label: 'Current password', name: 'current', type: 'password', error: e.current, required: true, autocomplete: 'current-password' })}
    ${field({ label: 'New password', name: 'new_password', type: 'password', error: e.new_password, hint: `At least ${MIN_PASSWORD_LENGTH} characters.`, required: true, autocomplete: 'new-password', attrs: newPasswordAttrs })}
    ${field({ label: 'New password again', name: 'confirm_password', type: 'password', error: e.confirm_password, required: true, autocomplete: 'new-password', attrs: newPasswordAttrs })}
    <div class="actions"><button type="submit" class="primary">Change password</button></div>
  </form>
</section>
${twoFactorSection(d.csrf, d.twoFactor, e)}
<section class="card narrow-wide" aria-labelledby="everywhere-h">
  <h2 id="everywhere-h">Sign out everywhere</h2>
  <p>Ends every session of your account, on every browser and device, this one included. Use it when you signed in somewhere you no longer trust.</p>
  <form method="post" action="/app/account/sign-out-everywhere">${csrfInput(d.csrf)}<div class="actions"><button type="submit" class="danger">Sign out everywhere</button></div></form>
</section>`,
  };
}

function twoFactorSection(csrf: string, t: TwoFactorStatus, e: FieldErrors): Markup {
  if (!t.enabled) {
    return html`<section class="card narrow-wide" aria-labelledby="twofactor-h">
  <h2 id="twofactor-h">Two-factor sign-in</h2>
  <p id="twofactor-state"><strong>Off.</strong> With it on, signing in also asks for a 6-digit code from an authenticator app on your phone (any app for TOTP codes), so your password alone is not enough.</p>
  <form method="post" action="/app/account/2fa/start">${csrfInput(csrf)}<div class="actions"><button type="submit" class="primary">Set up two-factor sign-in</button></div></form>
</section>`;
  }
  return html`<section class="card narrow-wide" aria-labelledby="twofactor-h">
  <h2 id="twofactor-h">Two-factor sign-in</h2>
  <p id="twofactor-state"><strong>On</strong> since ${t.enabledAt ? time(t.enabledAt) : '—'}. ${t.recoveryCodesLeft} of ${RECOVERY_CODE_COUNT} recovery codes left.</p>
  <h3>New recovery codes</h3>
  <p>Makes ${RECOVERY_CODE_COUNT} new codes; the old ones stop working.</p>
  <form method="post" action="/app/account/2fa/recovery-codes">
    ${csrfInput(csrf)}
    ${field({ label: 'Your password', name: 'renew_password', type: 'password', error: e.renew_password, required: true, autocomplete: 'current-password' })}
    <div class="actions"><button type="submit">Make new recovery codes</button></div>
  </form>
  <h3>Turn off</h3>
  <form method="post" action="/app/account/2fa/disable">
    ${csrfInput(csrf)}
    ${field({ label: 'Your password, or a code from your app', name: 'proof', type: 'password', error: e.proof, required: true, autocomplete: 'current-password' })}
    <div class="actions"><button type="submit" class="danger">Turn off two-factor sign-in</button></div>
  </form>
</section>`;
}

/** Enrolment: the secret to add to an app (by its otpauth link or typed), then a code to confirm it. */
export function enrolScreen(d: { csrf: string; enrolment: Enrolment; error?: string }): Screen {
  const { secret, uri } = d.enrolment;
  return {
    title: 'Set up two-factor sign-in',
    body: html`${crumbs('Two-factor sign-in')}
<section class="card narrow-wide" aria-labelledby="enrol-h">
  <h1 id="enrol-h">Set up two-factor sign-in</h1>
  <ol>
    <li><p>Add Vigil to your authenticator app: on this device, <a href="${uri}" id="otpauth-link">open the setup link</a>; elsewhere, choose to enter a setup key and type this one (time-based, 6 digits, 30 seconds):</p>
      <div class="copy-scope">
        <p class="mono-wrap"><code id="totp-secret-text">${groupSecret(secret)}</code></p>
        <label for="totp-secret" class="sr-only">Setup key</label>
        <div class="copy-row"><input id="totp-secret" class="mono" type="text" readonly value="${secret}" spellcheck="false" autocomplete="off"><button type="button" class="copy" data-copy="totp-secret" hidden>Copy</button></div>
        <p class="copy-status" aria-live="polite"></p>
        <details><summary>The setup link as text</summary><p class="mono-wrap" id="otpauth-uri">${uri}</p></details>
      </div>
    </li>
    <li><p>Type the code the app shows now, to show it works. Two-factor sign-in turns on only then.</p>
      <form method="post" action="/app/account/2fa">
        ${csrfInput(d.csrf)}
        ${field({ label: 'Code', name: 'code', error: d.error, required: true, autocomplete: 'one-time-code', attrs: html` inputmode="numeric" pattern="[0-9 ]*" maxlength="7" spellcheck="false"` })}
        <div class="actions"><button type="submit" class="primary">Turn on</button><a class="button" href="/app/account">Cancel</a></div>
      </form>
    </li>
  </ol>
</section>`,
  };
}

/** The recovery codes, shown this once (only their hashes are kept). */
export function recoveryCodesScreen(d: { codes: string[]; fresh: boolean }): Screen {
  return {
    title: 'Recovery codes',
    body: html`${crumbs('Recovery codes')}
<section class="card narrow-wide copy-scope" aria-labelledby="codes-h">
  <h1 id="codes-h">${d.fresh ? 'Two-factor sign-in is on' : 'New recovery codes'}</h1>
  <p class="alert warning" role="alert"><strong>Save these recovery codes now.</strong> They are shown once. Each one signs you in once in place of a code from your app, if you lose your phone. ${d.fresh ? '' : 'Your old codes no longer work.'}</p>
  <ol class="recovery-codes mono" id="recovery-codes">${d.codes.map((c) => html`<li>${c}</li>`)}</ol>
  <label for="recovery-codes-text" class="sr-only">The codes as text</label>
  <textarea id="recovery-codes-text" class="mono" rows="${d.codes.length}" readonly hidden>${d.codes.join('\n')}</textarea>
  <div class="actions"><button type="button" class="copy" data-copy="recovery-codes-text" hidden>Copy the codes</button><a class="button primary" href="/app/account">I saved them</a></div>
  <p class="copy-status" aria-live="polite"></p>
</section>`,
  };
}
