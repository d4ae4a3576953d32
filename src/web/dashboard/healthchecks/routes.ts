import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ValidationError } from '../../../domain/errors.ts';
import {
  createHealthcheck,
  deleteHealthcheck,
  getHealthcheck,
  listHealthchecks,
  recentPings,
  saveHealthcheck,
  setHealthcheckPaused,
  type Healthcheck,
} from '../../../services/healthchecks.ts';
import { listPolicies } from '../../../services/escalation-policies.ts';
import type { MemberProject } from '../../../services/users.ts';
import { messageField, type FieldErrors } from '../../ui/forms.ts';
import { actorFor, doneOf, form, sendScreen, userProject, type Deps } from '../handler.ts';
import { csrfToken } from '../session.ts';
import {
  healthcheckDeleteScreen,
  healthcheckFormScreen,
  healthcheckScreen,
  healthchecksPath as base,
  healthchecksScreen,
  type HcForm,
} from './views.ts';

const EMPTY: HcForm = {
  name: '',
  kind: 'period',
  period_value: '1',
  period_type: 'days',
  cron: '',
  timezone: 'UTC',
  grace_period_value: '1',
  grace_period_type: 'hours',
  policy: '',
  paused: '',
};

/** The edit form's values: the healthcheck as it stands. */
function formOf(h: Healthcheck, policyUuid: string): HcForm {
  const s = h.settings;
  return {
    name: h.name,
    kind: s.cron ? 'cron' : 'period',
    period_value: String(s.period_value ?? 1),
    period_type: s.period_type ?? 'days',
    cron: s.cron ?? '',
    timezone: s.timezone,
    grace_period_value: String(s.grace_value),
    grace_period_type: s.grace_type,
    policy: policyUuid,
    paused: h.paused ? 'on' : '',
  };
}
const numberish = (v: string): unknown => (/^\d+$/.test(v.trim()) ? Number(v.trim()) : v);
const PATTERNS: [RegExp, string][] = [
  [/grace/, 'grace_period_value'],
  [/cron/i, 'cron'],
  [/timezone/i, 'timezone'],
  [/period/, 'period_value'],
  [/[Ee]scalation policy/, 'policy'],
];

export default function healthcheckRoutes(app: FastifyInstance, { ctx, assets, publicUrl }: Deps) {
  const pingUrl = (h: Healthcheck) => `${publicUrl}/ping/${h.uuid}`;
  async function hcOf(req: FastifyRequest): Promise<[MemberProject, Healthcheck]> {
    const p = await userProject(ctx, req);
    return [p, await getHealthcheck(actorFor(ctx, p), (req.params as { hc: string }).hc)];
  }

  app.get('/projects/:uuid/healthchecks', async (req, reply) => {
    const p = await userProject(ctx, req);
    const list = await listHealthchecks(actorFor(ctx, p));
    return sendScreen(assets, req, reply, 200, healthchecksScreen({ project: p, list, pingUrl, done: doneOf(req) }));
  });

  /** The create form, or with `hc` the edit form of that healthcheck. */
  async function formPage(
    req: FastifyRequest,
    reply: FastifyReply,
    p: MemberProject,
    status: number,
    v: HcForm,
    e: FieldErrors,
    hc?: Healthcheck,
  ) {
    const policies = await listPolicies(actorFor(ctx, p));
    return sendScreen(
      assets,
      req,
      reply,
      status,
      healthcheckFormScreen({
        project: p,
        healthcheck: hc,
        policies,
        csrf: csrfToken(req, reply),
        values: v,
        errors: e,
      }),
    );
  }

  /** The service input of a submitted form: the chosen schedule replaces the other. */
  function inputOf(req: FastifyRequest): [HcForm, Record<string, unknown>] {
    const f = form(req);
    const v = Object.fromEntries(Object.keys(EMPTY).map((k) => [k, f.get(k) ?? ''])) as unknown as HcForm;
    const input: Record<string, unknown> = {
      name: v.name,
      grace_period_value: numberish(v.grace_period_value),
      grace_period_type: v.grace_period_type,
    };
    if (v.kind === 'cron') Object.assign(input, { cron: v.cron, timezone: v.timezone });
    else Object.assign(input, { period_value: numberish(v.period_value), period_type: v.period_type });
    if (f.has('policy')) input.escalation_policy = v.policy || 'none';
    return [v, input];
  }
  // "A schedule is required" belongs to whichever schedule was chosen.
  const errorField = (v: HcForm, message: string) =>
    /schedule is required/.test(message)
      ? v.kind === 'cron'
        ? 'cron'
        : 'period_value'
      : messageField(message, ['name'], PATTERNS);

  app.get('/projects/:uuid/healthchecks/new', async (req, reply) =>
    formPage(req, reply, await userProject(ctx, req), 200, EMPTY, {}),
  );
  app.post('/projects/:uuid/healthchecks', async (req, reply) => {
    const p = await userProject(ctx, req);
    const [v, input] = inputOf(req);
    try {
      const h = await createHealthcheck(actorFor(ctx, p), input);
      return reply.redirect(`${base(p)}/${h.uuid}?done=created`, 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return formPage(req, reply, p, 422, v, { [errorField(v, err.message)]: err.message });
    }
  });

  app.get('/projects/:uuid/healthchecks/:hc/edit', async (req, reply) => {
    const [p, h] = await hcOf(req);
    const policy = (await listPolicies(actorFor(ctx, p))).find(
      (x) => h.escalation_policy_id != null && Number(x.id) === Number(h.escalation_policy_id),
    );
    return formPage(req, reply, p, 200, formOf(h, policy?.uuid ?? ''), {}, h);
  });
  app.post('/projects/:uuid/healthchecks/:hc/edit', async (req, reply) => {
    const [p, h] = await hcOf(req);
    const [v, input] = inputOf(req);
    try {
      await saveHealthcheck(actorFor(ctx, p), h.uuid, input, v.paused === 'on');
      return reply.redirect(`${base(p)}/${h.uuid}?done=saved`, 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return formPage(req, reply, p, 422, v, { [errorField(v, err.message)]: err.message }, h);
    }
  });

  app.get('/projects/:uuid/healthchecks/:hc', async (req, reply) => {
    const [p, h] = await hcOf(req);
    const pings = await recentPings(ctx, h.id, 25);
    return sendScreen(
      assets,
      req,
      reply,
      200,
      healthcheckScreen({ project: p, healthcheck: h, pings, pingUrl, csrf: csrfToken(req, reply), done: doneOf(req) }),
    );
  });

  for (const [action, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    app.post(`/projects/:uuid/healthchecks/:hc/${action}`, async (req, reply) => {
      const [p, h] = await hcOf(req);
      await setHealthcheckPaused(actorFor(ctx, p), h.uuid, paused);
      return reply.redirect(`${base(p)}/${h.uuid}?done=${paused ? 'paused' : 'resumed'}`, 303);
    });
  }

  app.get('/projects/:uuid/healthchecks/:hc/delete', async (req, reply) => {
    const [p, h] = await hcOf(req);
    return sendScreen(
      assets,
      req,
      reply,
      200,
      healthcheckDeleteScreen({ project: p, healthcheck: h, csrf: csrfToken(req, reply) }),
    );
  });
  app.post('/projects/:uuid/healthchecks/:hc/delete', async (req, reply) => {
    const [p, h] = await hcOf(req);
    await deleteHealthcheck(actorFor(ctx, p), h.uuid);
    return reply.redirect(`${base(p)}?done=deleted`, 303);
  });
}
