import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseExpiry, parseKeyName, parsePermission } from '../../../domain/api-keys.ts';
import { NotFoundError } from '../../../domain/errors.ts';
import { createApiKey, listApiKeys, revokeApiKey, type ApiKeyView } from '../../../services/api-keys.ts';
import type { MemberProject } from '../../../services/users.ts';
import { checkField, type FieldErrors } from '../../ui/forms.ts';
import { allowed, form, sendScreen, userProject, type Deps } from '../handler.ts';
import { may } from '../../../domain/roles.ts';
import { csrfToken } from '../session.ts';
import { settingsPath } from '../project-nav.ts';
import { createKeyScreen, developersScreen, keyCreatedScreen, revokeKeyScreen, type KeyFormValues } from './views.ts';

const EMPTY_FORM: KeyFormValues = { name: '', permission: '', expiration: 'never', expiresOn: '' };

export default function developerRoutes(app: FastifyInstance, { ctx, assets }: Deps) {
  const actor = (req: FastifyRequest) => `user:${req.dash.user!.email}`;
  const base = (p: MemberProject) => settingsPath(p.uuid, 'developers');
  const back = (p: MemberProject) => ({ href: base(p), text: 'Back to the API keys' });

  function createPage(
    req: FastifyRequest,
    reply: FastifyReply,
    p: MemberProject,
    status: number,
    v: KeyFormValues,
    errors: FieldErrors,
  ) {
    return sendScreen(
      assets,
      req,
      reply,
      status,
      createKeyScreen({ project: p, csrf: csrfToken(req, reply), values: v, errors, now: ctx.clock() }),
    );
  }

  app.get('/projects/:uuid/settings/developers', async (req, reply) => {
    const p = await userProject(ctx, req);
    const now = ctx.clock();
    const keys = await listApiKeys(ctx, p.uuid);
    const revoked = (req.query as Record<string, string>).revoked === '1';
    return sendScreen(
      assets,
      req,
      reply,
      200,
      developersScreen({
        project: p,
        keys,
        empty: EMPTY_FORM,
        revoked,
        now,
        csrf: csrfToken(req, reply),
        me: req.dash.user!.id,
      }),
    );
  });

  app.get('/projects/:uuid/settings/developers/new', async (req, reply) =>
    createPage(req, reply, await userProject(ctx, req), 200, EMPTY_FORM, {}),
  );

  app.post('/projects/:uuid/settings/developers/keys', async (req, reply) => {
    const p = await userProject(ctx, req);
    const f = form(req);
    const v: KeyFormValues = {
      name: f.get('name') ?? '',
      permission: f.get('permission') ?? '',
      expiration: f.get('expiration') ?? '',
      expiresOn: (f.get('expires_on') ?? '').trim(),
    };
    // A date without a choice counts as "on a date" (the no-JS form cannot tick the radio for you).
    if (v.expiration !== 'never' && v.expiresOn) v.expiration = 'date';
    const expires = v.expiration === 'date' ? v.expiresOn : null;
    const errors: FieldErrors = {};
    checkField(errors, 'name', () => parseKeyName(v.name));
    checkField(errors, 'permission', () => parsePermission(v.permission));
    if (v.expiration === 'date' && !v.expiresOn) errors.expires = 'Choose an expiration date, or Never';
    else checkField(errors, 'expires', () => parseExpiry(expires, ctx.clock()));
    if (Object.keys(errors).length) return createPage(req, reply, p, 422, v, errors);
    if (!allowed(assets, req, reply, p, v.permission === 'read_write' ? 'read-write keys' : 'read-only keys', back(p)))
      return reply;
    const key = await createApiKey(ctx, {
      projectUuid: p.uuid,
      name: v.name,
      permission: v.permission,
      expires,
      actor: actor(req),
      sourceIp: req.ip,
      createdBy: req.dash.user,
    });
    reply.header('Cache-Control', 'no-store');
    return sendScreen(assets, req, reply, 201, keyCreatedScreen({ project: p, key }));
  });
  async function keyOf(req: FastifyRequest): Promise<[MemberProject, ApiKeyView]> {
    const p = await userProject(ctx, req);
    const k = (await listApiKeys(ctx, p.uuid)).find((x) => x.id === (req.params as { keyId: string }).keyId);
    if (!k) throw new NotFoundError('API key');
    return [p, k];
  }

  app.get('/projects/:uuid/settings/developers/keys/:keyId/revoke', async (req, reply) => {
    const [p, k] = await keyOf(req);
    if (k.createdBy !== req.dash.user!.id && !allowed(assets, req, reply, p, 'any key', back(p))) return reply;
    return sendScreen(assets, req, reply, 200, revokeKeyScreen({ project: p, key: k, csrf: csrfToken(req, reply) }));
  });

  app.post('/projects/:uuid/settings/developers/keys/:keyId/revoke', async (req, reply) => {
    const [p, k] = await keyOf(req);
    if (k.createdBy !== req.dash.user!.id && !allowed(assets, req, reply, p, 'any key', back(p))) return reply;
    // Checked again inside the revoking transaction: a member revokes only what they made.
    await revokeApiKey(ctx, k.id, actor(req), req.ip, p.id, may(p.role, 'any key') ? undefined : req.dash.user!.id);
    return reply.redirect(`${base(p)}?revoked=1`, 303);
  });
}
