import type { Permission } from '../../../domain/api-keys.ts';
import { may } from '../../../domain/roles.ts';
import type { ApiKeyView } from '../../../services/api-keys.ts';
import type { MemberProject } from '../../../services/users.ts';
import { html, type Markup } from '../../ui/html.ts';
import { csrfInput, field, fieldError, radio, type FieldErrors } from '../../ui/forms.ts';
import { time } from '../../ui/format.ts';
import type { Screen } from '../../ui/layout.ts';
import { settingsHeader, settingsPath } from '../project-nav.ts';

/** The Developers settings: the project's API keys, the form that creates one, the key shown once, revoking. */

const PERMISSION_LABELS: Record<Permission, string> = { read_write: 'Read & Write', read_only: 'Read-only' };

export interface KeyFormValues {
  name: string;
  permission: string;
  expiration: string; // 'never' | 'date'
  expiresOn: string; // YYYY-MM-DD
}

const tomorrow = (now: number) => new Date(now + 86_400_000).toISOString().slice(0, 10);

/** The create form: the body of the modal, of the no-JS create page, and of a refused submit. */
function keyFormPanel(
  project: MemberProject,
  csrf: string,
  v: KeyFormValues,
  errors: FieldErrors,
  now: number,
): Markup {
  const base = settingsPath(project.uuid, 'developers');
  return html`<section id="key-panel" class="key-panel">
  <h2 id="key-panel-title">Create API key</h2>
  <form method="post" action="${base}/keys" data-swap="key-panel">
    ${csrfInput(csrf)}
    ${field({ label: 'Name', name: 'name', value: v.name, error: errors.name, required: true, hint: 'A label such as “Production” or “CI/CD Pipeline”.', attrs: html` maxlength="255" autocomplete="off"` })}
    <fieldset class="field${errors.permission ? ' invalid' : ''}"${errors.permission ? html` aria-describedby="f-permission-error"` : ''}>
      <legend>Permissions</legend>
      ${
        may(project.role, 'read-write keys')
          ? radio(
              'permission',
              'read_write',
              v.permission === 'read_write',
              html`<strong>Read & Write</strong> <span class="hint">every endpoint: create, read, update, delete</span>`,
              { required: true, invalid: !!errors.permission },
            )
          : html`<p class="hint">Only the project’s owners create Read & Write keys.</p>`
      }
      ${radio('permission', 'read_only', v.permission === 'read_only', html`<strong>Read-only</strong> <span class="hint">only reading endpoints (GET and HEAD)</span>`, { required: !may(project.role, 'read-write keys'), invalid: !!errors.permission })}
      ${fieldError('f-permission', errors.permission)}
    </fieldset>
    <fieldset class="field${errors.expires ? ' invalid' : ''}">
      <legend>Expiration</legend>
      ${radio('expiration', 'never', v.expiration !== 'date', html`Never`)}
      ${radio('expiration', 'date', v.expiration === 'date', html`On a date`)}
      <div class="sub-field">
        <label for="f-expires_on">Expiration date</label>
        <p class="hint" id="f-expires_on-hint">The key stops working at 00:00 UTC on this date.</p>
        <input id="f-expires_on" name="expires_on" type="date" value="${v.expiresOn}" min="${tomorrow(now)}" aria-describedby="f-expires_on-hint${errors.expires ? ' f-expires_on-error' : ''}"${errors.expires ? html` aria-invalid="true"` : ''}>
        ${fieldError('f-expires_on', errors.expires)}
      </div>
    </fieldset>
    <div class="actions">
      <button type="submit" class="primary">Create key</button>
      <a class="button" href="${base}" data-close-dialog>Cancel</a>
    </div>
  </form>
</section>`;
}

/** The one time the full key is shown. */
function createdPanel(project: MemberProject, k: ApiKeyView & { key: string }): Markup {
  return html`<section id="key-panel" class="key-panel" data-created="${k.id}">
  <h2 id="key-panel-title">API key created</h2>
  <p class="alert warning" role="alert"><strong>Copy this key now.</strong> It will not be shown again: Vigil keeps only a hash of it.</p>
  <label for="new-key">Key “${k.name}”</label>
  <div class="copy-row">
    <input id="new-key" class="mono" type="text" readonly value="${k.key}" spellcheck="false" autocomplete="off">
    <button type="button" class="copy" data-copy="new-key" hidden>Copy</button>
  </div>
  <p class="copy-status" aria-live="polite"></p>
  <dl class="facts">
    <dt>Permissions</dt><dd>${PERMISSION_LABELS[k.permission]}</dd>
    <dt>Expires</dt><dd>${k.expiresAt ? time(Date.parse(k.expiresAt)) : 'Never'}</dd>
  </dl>
  <p class="hint">Send it as <code>Authorization: Bearer sk_…</code> with every API request.</p>
  <div class="actions"><a class="button primary" href="${settingsPath(project.uuid, 'developers')}" data-close-dialog>Done</a></div>
</section>`;
}

function expiresCell(k: ApiKeyView, now: number): Markup | string {
  if (!k.expiresAt) return 'Never';
  const at = Date.parse(k.expiresAt);
  return at <= now ? html`<span class="badge expired">Expired</span>` : time(at);
}

/** Owners revoke any key; a member, the keys they made. */
const mayRevoke = (project: MemberProject, k: ApiKeyView, me: number) =>
  may(project.role, 'any key') || (k.createdBy === me && may(project.role, 'own keys'));

function keyTable(project: MemberProject, keys: ApiKeyView[], now: number, me: number): Markup {
  if (!keys.length) return html`<p class="empty">No API keys yet. Create one to use the API.</p>`;
  const base = settingsPath(project.uuid, 'developers');
  return html`<table class="keys">
  <caption class="sr-only">API keys of ${project.name}</caption>
  <thead><tr><th scope="col">Name</th><th scope="col">Permission</th><th scope="col">Key</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col">Made by</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
  <tbody>${keys.map(
    (k) => html`<tr data-key-id="${k.id}">
    <td data-label="Name">${k.name}</td>
    <td data-label="Permission">${PERMISSION_LABELS[k.permission]}</td>
    <td data-label="Key"><code>${k.masked}</code></td>
    <td data-label="Created">${time(Date.parse(k.createdAt))}</td>
    <td data-label="Expires">${expiresCell(k, now)}</td>
    <td data-label="Last used">${k.lastUsedAt ? time(Date.parse(k.lastUsedAt)) : 'Never'}</td>
    <td data-label="Made by">${k.createdByEmail ?? '—'}</td>
    <td class="row-actions">${mayRevoke(project, k, me) ? html`<a class="danger-link" href="${base}/keys/${k.id}/revoke">Revoke<span class="sr-only"> ${k.name}</span></a>` : ''}</td>
  </tr>`,
  )}</tbody>
</table>`;
}
/** The list of keys, with the create form in a dialog (a page of its own without scripts). */
/** `me`: the signed-in user's id (the keys they made are theirs to revoke). */
export function developersScreen(d: {
  project: MemberProject;
  keys: ApiKeyView[];
  empty: KeyFormValues;
  revoked: boolean;
  now: number;
  csrf: string;
  me: number;
}): Screen {
  const { project: p, keys, revoked, now, csrf } = d;
  const base = settingsPath(p.uuid, 'developers');
  return {
    title: `Developers · ${p.name}`,
    body: html`${settingsHeader(p, 'developers')}
<section class="card">
  <div class="section-head">
    <div><h2>API keys</h2><p class="hint">Keys give access to this project through the API. Each key is shown once, when it is created.</p></div>
    <a class="button primary" href="${base}/new" data-open-dialog="create-key">Create key</a>
  </div>
  ${revoked ? html`<p class="notice" role="status">The key was revoked: requests using it now get 401.</p>` : ''}
  ${keyTable(p, keys, now, d.me)}
</section>
<dialog id="create-key" aria-labelledby="key-panel-title">${keyFormPanel(p, csrf, d.empty, {}, now)}</dialog>`,
  };
}

export function createKeyScreen(d: {
  project: MemberProject;
  csrf: string;
  values: KeyFormValues;
  errors: FieldErrors;
  now: number;
}): Screen {
  const { project: p, values: v, errors } = d;
  return {
    title: 'Create API key',
    body: html`${settingsHeader(p, 'developers')}<div class="card narrow">${keyFormPanel(p, d.csrf, v, errors, d.now)}</div>`,
  };
}

export function keyCreatedScreen(d: { project: MemberProject; key: ApiKeyView & { key: string } }): Screen {
  const { project: p } = d;
  return {
    title: 'API key created',
    body: html`${settingsHeader(p, 'developers')}<div class="card narrow">${createdPanel(p, d.key)}</div>`,
  };
}

export function revokeKeyScreen(d: { project: MemberProject; key: ApiKeyView; csrf: string }): Screen {
  const { project: p, key: k } = d;
  const base = settingsPath(p.uuid, 'developers');
  return {
    title: `Revoke ${k.name}`,
    body: html`${settingsHeader(p, 'developers')}
<section class="card narrow">
  <h2>Revoke API key</h2>
  <p>Revoke <strong>${k.name}</strong> (<code>${k.masked}</code>, ${PERMISSION_LABELS[k.permission]})? Requests using it get 401 from the next request on. This cannot be undone.</p>
  <form method="post" action="${base}/keys/${k.id}/revoke">
    ${csrfInput(d.csrf)}
    <div class="actions"><button type="submit" class="danger">Revoke key</button> <a class="button" href="${base}">Cancel</a></div>
  </form>
</section>`,
  };
}
