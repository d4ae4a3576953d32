import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseExpiry, parseKeyName, parsePermission, type Permission } from '../../domain/api-keys.ts';
import { NotFoundError } from '../../domain/errors.ts';
import { createApiKey, listApiKeys, revokeApiKey, type ApiKeyView } from '../../services/api-keys.ts';
import { getUserProject, type MemberProject } from '../../services/users.ts';
import { html, type Markup } from './html.ts';
import { checkField, csrfInput, field, fieldError, form, type FieldErrors } from './forms.ts';
import { sendUserPage, time, type Deps } from './layout.ts';
import { csrfToken } from './session.ts';
import { developersPath } from './projects.ts';
import { projectHeader } from './project-nav.ts';

const PERMISSION_LABELS: Record<Permission, string> = { read_write: 'Read & Write', read_only: 'Read-only' };

interface KeyFormValues {
  name: string;
  permission: string;
  expiration: string; // 'never' | 'date'
  expiresOn: string; // YYYY-MM-DD
}

const EMPTY_FORM: KeyFormValues = { name: '', permission: '', expiration: 'never', expiresOn: '' };

/** The settings pages' heading and their tabs (Developers, Members, General). */
export function settingsHeader(project: MemberProject, current: 'developers' | 'members' | 'general'): Markup {
  const tab = (key: string, label: string) => html`<a href="${developersPath(project.uuid).replace(/developers$/, key)}"${current === key ? html` aria-current="page"` : ''}>${label}</a>`;
  return html`${projectHeader(project, 'settings')}
<h1>${project.name} <span class="subtitle">settings</span></h1>
<nav class="tabs" aria-label="Project settings">${tab('developers', 'Developers')}${tab('members', 'Members')}${tab('general', 'General')}</nav>`;
}

const tomorrow = (now: number) => new Date(now + 86_400_000).toISOString().slice(0, 10);

export function radio(name: string, value: string, checked: boolean, label: Markup, opts: { required?: boolean; invalid?: boolean } = {}): Markup {
  return html`<label class="choice"><input type="radio" name="${name}" value="${value}"${checked ? html` checked` : ''}${opts.required ? html` required` : ''}${opts.invalid ? html` aria-invalid="true"` : ''}> <span>${label}</span></label>`;
}

/** The create form: the body of the modal, of the no-JS create page, and of a refused submit. */
function keyFormPanel(project: MemberProject, csrf: string, v: KeyFormValues, errors: FieldErrors, now: number): Markup {
  const base = developersPath(project.uuid);
  return html`<section id="key-panel" class="key-panel">
  <h2 id="key-panel-title">Create API key</h2>
  <form method="post" action="${base}/keys" data-swap="key-panel">
    ${csrfInput(csrf)}
    ${field({ label: 'Name', name: 'name', value: v.name, error: errors.name, required: true, hint: 'A label such as “Production” or “CI/CD Pipeline”.', attrs: html` maxlength="255" autocomplete="off"` })}
    <fieldset class="field${errors.permission ? ' invalid' : ''}"${errors.permission ? html` aria-describedby="f-permission-error"` : ''}>
      <legend>Permissions</legend>
      ${radio('permission', 'read_write', v.permission === 'read_write', html`<strong>Read & Write</strong> <span class="hint">every endpoint: create, read, update, delete</span>`, { required: true, invalid: !!errors.permission })}
      ${radio('permission', 'read_only', v.permission === 'read_only', html`<strong>Read-only</strong> <span class="hint">only reading endpoints (GET and HEAD)</span>`, { invalid: !!errors.permission })}
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
  <div class="actions"><a class="button primary" href="${developersPath(project.uuid)}" data-close-dialog>Done</a></div>
</section>`;
}

function expiresCell(k: ApiKeyView, now: number): Markup | string {
  if (!k.expiresAt) return 'Never';
  const at = Date.parse(k.expiresAt);
  return at <= now ? html`<span class="badge expired">Expired</span>` : time(at);
}

function keyTable(project: MemberProject, keys: ApiKeyView[], now: number): Markup {
  if (!keys.length) return html`<p class="empty">No API keys yet. Create one to use the API.</p>`;
  const base = developersPath(project.uuid);
  return html`<table class="keys">
  <caption class="sr-only">API keys of ${project.name}</caption>
  <thead><tr><th scope="col">Name</th><th scope="col">Permission</th><th scope="col">Key</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
  <tbody>${keys.map((k) => html`<tr data-key-id="${k.id}">
    <td data-label="Name">${k.name}</td>
    <td data-label="Permission">${PERMISSION_LABELS[k.permission]}</td>
    <td data-label="Key"><code>${k.masked}</code></td>
    <td data-label="Created">${time(Date.parse(k.createdAt))}</td>
    <td data-label="Expires">${expiresCell(k, now)}</td>
    <td data-label="Last used">${k.lastUsedAt ? time(Date.parse(k.lastUsedAt)) : 'Never'}</td>
    <td class="row-actions"><a class="danger-link" href="${base}/keys/${k.id}/revoke">Revoke<span class="sr-only"> ${k.name}</span></a></td>
  </tr>`)}</tbody>
</table>`;
}

export default function developerRoutes(app: FastifyInstance, { ctx, assets }: Deps) {
  const project = (req: FastifyRequest) => getUserProject(ctx, req.dash.user!.id, (req.params as { uuid: string }).uuid);
  const actor = (req: FastifyRequest) => `user:${req.dash.user!.email}`;

  function createPage(req: FastifyRequest, reply: FastifyReply, p: MemberProject, status: number, v: KeyFormValues, errors: FieldErrors) {
    const body = html`${settingsHeader(p, 'developers')}<div class="card narrow">${keyFormPanel(p, csrfToken(req, reply), v, errors, ctx.clock())}</div>`;
    return sendUserPage(assets, req, reply, status, 'Create API key', body);
  }

  app.get('/projects/:uuid/settings/developers', async (req, reply) => {
    const p = await project(req);
    const now = ctx.clock();
    const keys = await listApiKeys(ctx, p.uuid);
    const revoked = (req.query as Record<string, string>).revoked === '1';
    const csrf = csrfToken(req, reply);
    const body = html`${settingsHeader(p, 'developers')}
<section class="card">
  <div class="section-head">
    <div><h2>API keys</h2><p class="hint">Keys give access to this project through the API. Each key is shown once, when it is created.</p></div>
    <a class="button primary" href="${developersPath(p.uuid)}/new" data-open-dialog="create-key">Create key</a>
  </div>
  ${revoked ? html`<p class="notice" role="status">The key was revoked: requests using it now get 401.</p>` : ''}
  ${keyTable(p, keys, now)}
</section>
<dialog id="create-key" aria-labelledby="key-panel-title">${keyFormPanel(p, csrf, EMPTY_FORM, {}, now)}</dialog>`;
    return sendUserPage(assets, req, reply, 200, `Developers · ${p.name}`, body);
  });

  app.get('/projects/:uuid/settings/developers/new', async (req, reply) => createPage(req, reply, await project(req), 200, EMPTY_FORM, {}));

  app.post('/projects/:uuid/settings/developers/keys', async (req, reply) => {
    const p = await project(req);
    const f = form(req);
    const v: KeyFormValues = { name: f.get('name') ?? '', permission: f.get('permission') ?? '', expiration: f.get('expiration') ?? '', expiresOn: (f.get('expires_on') ?? '').trim() };
    // A date without a choice counts as "on a date" (the no-JS form cannot tick the radio for you).
    if (v.expiration !== 'never' && v.expiresOn) v.expiration = 'date';
    const expires = v.expiration === 'date' ? v.expiresOn : null;
    const errors: FieldErrors = {};
    checkField(errors, 'name', () => parseKeyName(v.name));
    checkField(errors, 'permission', () => parsePermission(v.permission));
    if (v.expiration === 'date' && !v.expiresOn) errors.expires = 'Choose an expiration date, or Never';
    else checkField(errors, 'expires', () => parseExpiry(expires, ctx.clock()));
    if (Object.keys(errors).length) return createPage(req, reply, p, 422, v, errors);
    const key = await createApiKey(ctx, { projectUuid: p.uuid, name: v.name, permission: v.permission, expires, actor: actor(req), sourceIp: req.ip });
    reply.header('Cache-Control', 'no-store');
    const body = html`${settingsHeader(p, 'developers')}<div class="card narrow">${createdPanel(p, key)}</div>`;
    return sendUserPage(assets, req, reply, 201, 'API key created', body);
  });

  async function keyOf(req: FastifyRequest): Promise<[MemberProject, ApiKeyView]> {
    const p = await project(req);
    const k = (await listApiKeys(ctx, p.uuid)).find((x) => x.id === (req.params as { keyId: string }).keyId);
    if (!k) throw new NotFoundError('API key');
    return [p, k];
  }

  app.get('/projects/:uuid/settings/developers/keys/:keyId/revoke', async (req, reply) => {
    const [p, k] = await keyOf(req);
    const body = html`${settingsHeader(p, 'developers')}
<section class="card narrow">
  <h2>Revoke API key</h2>
  <p>Revoke <strong>${k.name}</strong> (<code>${k.masked}</code>, ${PERMISSION_LABELS[k.permission]})? Requests using it get 401 from the next request on. This cannot be undone.</p>
  <form method="post" action="${developersPath(p.uuid)}/keys/${k.id}/revoke">
    ${csrfInput(csrfToken(req, reply))}
    <div class="actions"><button type="submit" class="danger">Revoke key</button> <a class="button" href="${developersPath(p.uuid)}">Cancel</a></div>
  </form>
</section>`;
    return sendUserPage(assets, req, reply, 200, `Revoke ${k.name}`, body);
  });

  app.post('/projects/:uuid/settings/developers/keys/:keyId/revoke', async (req, reply) => {
    const [p, k] = await keyOf(req);
    await revokeApiKey(ctx, k.id, actor(req), req.ip, p.id);
    return reply.redirect(`${developersPath(p.uuid)}?revoked=1`, 303);
  });
}
