import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ValidationError } from '../../../domain/errors.ts';
import { CHANNEL_KINDS, type ChannelKind } from '../../../domain/channels.ts';
import {
  createIntegration,
  deleteIntegration,
  getIntegration,
  sendTestNotification,
  updateIntegration,
  type Integration,
} from '../../../services/integrations.ts';
import {
  createPolicy,
  deletePolicy,
  getPolicy,
  setDefaultPolicy,
  updatePolicy,
  type EscalationPolicy,
} from '../../../services/escalation-policies.ts';
import { alertingOverview, firstChannelOffer, policyFormChoices } from '../../../services/dashboard-views.ts';
import type { MemberProject } from '../../../services/users.ts';
import type { FieldErrors } from '../../ui/forms.ts';
import { actorFor, allowed, doneOf, form, sendScreen, userProject, type Deps } from '../handler.ts';
import { csrfToken } from '../session.ts';
import {
  channelField,
  channelFormOf,
  channelInput,
  compact,
  policyErrors,
  policyFormOf,
  policyInput,
  readChannelForm,
  readPolicyForm,
  type ChannelForm,
  type PolicyForm,
} from './form.ts';
import {
  alertingPath as base,
  alertingScreen,
  channelCreatedScreen,
  channelDeleteScreen,
  channelFormScreen,
  channelKindsScreen,
  channelScreen,
  policyDeleteScreen,
  policyFormScreen,
} from './views.ts';

export default function alertingRoutes(app: FastifyInstance, { ctx, assets }: Deps) {
  const actor = (p: MemberProject) => actorFor(ctx, p);
  // Members see the overview; channels (with their addresses and secrets), policies and the default are the owners'.
  const owners = {
    preHandler: async (req: FastifyRequest, reply: FastifyReply) => {
      const p = await userProject(ctx, req);
      if (!allowed(assets, req, reply, p, 'channels', { href: base(p), text: 'Back to alerting' })) return reply;
    },
  };
  async function channelOf(req: FastifyRequest): Promise<[MemberProject, Integration]> {
    const p = await userProject(ctx, req);
    return [p, await getIntegration(actor(p), (req.params as { int: string }).int)];
  }
  async function policyOf(req: FastifyRequest): Promise<[MemberProject, EscalationPolicy]> {
    const p = await userProject(ctx, req);
    return [p, await getPolicy(actor(p), (req.params as { esc: string }).esc)];
  }

  // ---- Overview: channels, policies and the project default ----

  app.get('/projects/:uuid/alerting', async (req, reply) => {
    const p = await userProject(ctx, req);
    const { channels, policies } = await alertingOverview(actor(p));
    return sendScreen(
      assets,
      req,
      reply,
      200,
      alertingScreen({ project: p, channels, policies, csrf: csrfToken(req, reply), done: doneOf(req) }),
    );
  });

  app.post('/projects/:uuid/alerting/default', owners, async (req, reply) => {
    const p = await userProject(ctx, req);
    const chosen = form(req).get('policy') ?? 'none';
    await setDefaultPolicy(actor(p), chosen === 'none' || chosen === '' ? null : chosen);
    return reply.redirect(`${base(p)}?done=default-saved`, 303);
  });

  // ---- Channels ----

  async function channelFormPage(
    req: FastifyRequest,
    reply: FastifyReply,
    p: MemberProject,
    status: number,
    kind: ChannelKind,
    v: ChannelForm,
    e: FieldErrors,
    current: Integration | null,
  ) {
    const offer = current ? null : await firstChannelOffer(actor(p));
    return sendScreen(
      assets,
      req,
      reply,
      status,
      channelFormScreen({
        project: p,
        kind,
        current,
        csrf: csrfToken(req, reply),
        values: v,
        errors: e,
        mailReady: ctx.emailEnabled === true,
        offer,
      }),
    );
  }

  app.get('/projects/:uuid/alerting/channels/new', owners, async (req, reply) => {
    const p = await userProject(ctx, req);
    const type = (req.query as Record<string, unknown>).type;
    if (typeof type === 'string' && (CHANNEL_KINDS as readonly string[]).includes(type)) {
      const kind = type as ChannelKind;
      return channelFormPage(
        req,
        reply,
        p,
        200,
        kind,
        { name: '', enabled: true, values: {}, alertAll: true },
        {},
        null,
      );
    }
    return sendScreen(assets, req, reply, 200, channelKindsScreen({ project: p }));
  });

  app.post('/projects/:uuid/alerting/channels', owners, async (req, reply) => {
    const p = await userProject(ctx, req);
    const f = form(req);
    const type = f.get('type') ?? '';
    if (!(CHANNEL_KINDS as readonly string[]).includes(type))
      throw new ValidationError(`type must be one of ${CHANNEL_KINDS.join(', ')}`);
    const kind = type as ChannelKind;
    const v = readChannelForm(f, kind);
    let c: Integration;
    try {
      c = await createIntegration(
        actor(p),
        { type: kind, ...channelInput(f, kind, v, false) },
        { alertAllMonitors: v.alertAll },
      );
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return channelFormPage(req, reply, p, 422, kind, v, { [channelField(err.message)]: err.message }, null);
    }
    if (!c.secret)
      return reply.redirect(
        `${base(p)}/channels/${c.uuid}?done=${v.alertAll ? 'channel-alerts-all' : 'channel-created'}`,
        303,
      );
    // The signing secret, in full, this once: the receiver needs it to verify signatures.
    return sendScreen(assets, req, reply, 201, channelCreatedScreen({ project: p, channel: c, alertsAll: v.alertAll }));
  });

  app.get('/projects/:uuid/alerting/channels/:int', owners, async (req, reply) => {
    const [p, c] = await channelOf(req);
    return sendScreen(
      assets,
      req,
      reply,
      200,
      channelScreen({
        project: p,
        channel: c,
        csrf: csrfToken(req, reply),
        values: channelFormOf(c),
        done: doneOf(req),
        mailReady: ctx.emailEnabled === true,
      }),
    );
  });

  app.post('/projects/:uuid/alerting/channels/:int', owners, async (req, reply) => {
    const [p, c] = await channelOf(req);
    const f = form(req);
    const v = readChannelForm(f, c.kind);
    try {
      await updateIntegration(actor(p), c.uuid, channelInput(f, c.kind, v, true));
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return channelFormPage(req, reply, p, 422, c.kind, v, { [channelField(err.message)]: err.message }, c);
    }
    return reply.redirect(`${base(p)}/channels/${c.uuid}?done=channel-saved`, 303);
  });

  app.post('/projects/:uuid/alerting/channels/:int/test', owners, async (req, reply) => {
    const [p, c] = await channelOf(req);
    await sendTestNotification(actor(p), c.uuid);
    return reply.redirect(`${base(p)}/channels/${c.uuid}?done=test-queued`, 303);
  });

  app.get('/projects/:uuid/alerting/channels/:int/delete', owners, async (req, reply) => {
    const [p, c] = await channelOf(req);
    return sendScreen(
      assets,
      req,
      reply,
      200,
      channelDeleteScreen({ project: p, channel: c, csrf: csrfToken(req, reply) }),
    );
  });
  app.post('/projects/:uuid/alerting/channels/:int/delete', owners, async (req, reply) => {
    const [p, c] = await channelOf(req);
    await deleteIntegration(actor(p), c.uuid);
    return reply.redirect(`${base(p)}?done=channel-deleted`, 303);
  });

  // ---- Escalation policies ----

  async function policyFormPage(
    req: FastifyRequest,
    reply: FastifyReply,
    p: MemberProject,
    status: number,
    v: PolicyForm,
    e: FieldErrors,
    current: EscalationPolicy | null,
  ) {
    const { channels, members } = await policyFormChoices(actor(p));
    return sendScreen(
      assets,
      req,
      reply,
      status,
      policyFormScreen({
        project: p,
        current,
        channels,
        members,
        csrf: csrfToken(req, reply),
        values: v,
        errors: e,
        done: doneOf(req),
        mailReady: ctx.emailEnabled === true,
      }),
    );
  }

  async function savePolicy(
    req: FastifyRequest,
    reply: FastifyReply,
    p: MemberProject,
    current: EscalationPolicy | null,
  ) {
    const v = readPolicyForm(form(req));
    const input = policyInput(v);
    try {
      const saved = current ? await updatePolicy(actor(p), current.uuid, input) : await createPolicy(actor(p), input);
      return reply.redirect(
        `${base(p)}/policies/${saved.uuid}?done=${current ? 'policy-saved' : 'policy-created'}`,
        303,
      );
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return policyFormPage(req, reply, p, 422, compact(v), policyErrors(err.message), current);
    }
  }

  app.get('/projects/:uuid/alerting/policies/new', owners, async (req, reply) => {
    const p = await userProject(ctx, req);
    return policyFormPage(req, reply, p, 200, { name: '', isDefault: false, steps: [] }, {}, null);
  });
  app.post('/projects/:uuid/alerting/policies', owners, async (req, reply) =>
    savePolicy(req, reply, await userProject(ctx, req), null),
  );

  app.get('/projects/:uuid/alerting/policies/:esc', owners, async (req, reply) => {
    const [p, x] = await policyOf(req);
    const { channels, members } = await policyFormChoices(actor(p));
    return sendScreen(
      assets,
      req,
      reply,
      200,
      policyFormScreen({
        project: p,
        current: x,
        channels,
        members,
        csrf: csrfToken(req, reply),
        values: policyFormOf(x, members),
        errors: {},
        done: doneOf(req),
        mailReady: ctx.emailEnabled === true,
      }),
    );
  });
  app.post('/projects/:uuid/alerting/policies/:esc', owners, async (req, reply) => {
    const [p, x] = await policyOf(req);
    return savePolicy(req, reply, p, x);
  });

  app.get('/projects/:uuid/alerting/policies/:esc/delete', owners, async (req, reply) => {
    const [p, x] = await policyOf(req);
    return sendScreen(
      assets,
      req,
      reply,
      200,
      policyDeleteScreen({ project: p, policy: x, csrf: csrfToken(req, reply) }),
    );
  });
  app.post('/projects/:uuid/alerting/policies/:esc/delete', owners, async (req, reply) => {
    const [p, x] = await policyOf(req);
    await deletePolicy(actor(p), x.uuid);
    return reply.redirect(`${base(p)}?done=policy-deleted`, 303);
  });
}
