import { Type } from 'typebox';
import type { ApiApp } from '../api-app.ts';
import {
  createPolicy,
  deletePolicy,
  getPolicy,
  policyPages,
  updatePolicy,
  type EscalationPolicy,
} from '../../services/escalation-policies.ts';
import { sendJsonArray } from '../json-array.ts';
import { MAX_DELAY_MINUTES, MAX_STEP_TARGETS, MAX_STEPS } from '../../domain/alerting.ts';
import { iso } from '../../services/context.ts';
import { Email, Id, Message, Name, UuidParam, apiErrors, idErrors } from '../schemas.ts';

const tags = ['Escalation policies'];
const errors = { ...apiErrors, 404: Message, 422: Message };

const Step = Type.Object({
  delayMinutes: Type.Integer({
    minimum: 0,
    maximum: MAX_DELAY_MINUTES,
    description: "Minutes from the outage start (not before the monitor's alerts_wait); not less than the step before",
  }),
  integrations: Type.Optional(
    Type.Array(Id(), { maxItems: MAX_STEP_TARGETS, description: 'Integration uuids (int_…) of this project' }),
  ),
  emails: Type.Optional(
    Type.Array(Email(), { maxItems: MAX_STEP_TARGETS, description: 'People alerted by email (VIGIL_SMTP_URL)' }),
  ),
});
const Body = {
  name: Name(),
  steps: Type.Array(Step, { minItems: 1, maxItems: MAX_STEPS }),
  isDefault: Type.Optional(
    Type.Boolean({
      description: 'The project default, used by monitors and heartbeat checks that link no policy (one per project)',
    }),
  ),
};
const PolicySchema = Type.Object(
  {
    uuid: Type.String(),
    name: Type.String(),
    isDefault: Type.Boolean(),
    steps: Type.Array(
      Type.Object({
        delayMinutes: Type.Integer(),
        integrations: Type.Array(Type.String()),
        emails: Type.Array(Type.String()),
      }),
    ),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { description: 'An escalation policy (Vigil extension)' },
);

export function policyWire(p: EscalationPolicy) {
  return {
    uuid: p.uuid,
    name: p.name,
    isDefault: p.isDefault,
    steps: p.steps,
    createdAt: iso(p.createdAt),
    updatedAt: iso(p.updatedAt),
  };
}

export default async function escalationPolicyRoutes(app: ApiApp) {
  const Params = UuidParam('esc');
  const exists = {
    exists: (req: { ctx: any; params: unknown }) => getPolicy(req.ctx, (req.params as { uuid: string }).uuid),
  };

  app.get(
    '/v1/escalation-policies',
    {
      schema: { tags, summary: 'List escalation policies', response: { 200: Type.Array(PolicySchema), ...apiErrors } },
    },
    async (req, reply) => sendJsonArray(reply, policyPages(req.ctx), (p) => JSON.stringify(policyWire(p))),
  ); // 100 policies at their bounds are 10 MB

  app.post(
    '/v1/escalation-policies',
    {
      schema: {
        tags,
        summary: 'Create an escalation policy (ordered steps, each a delay and integrations or emails)',
        body: Type.Object(Body),
        response: { 201: PolicySchema, ...errors },
      },
    },
    async (req, reply) => reply.code(201).send(policyWire(await createPolicy(req.ctx, req.body))),
  );

  app.get(
    '/v1/escalation-policies/:uuid',
    {
      schema: {
        tags,
        summary: 'Get an escalation policy',
        params: Params,
        response: { 200: PolicySchema, ...apiErrors, ...idErrors },
      },
    },
    async (req) => policyWire(await getPolicy(req.ctx, req.params.uuid)),
  );

  app.put(
    '/v1/escalation-policies/:uuid',
    {
      schema: {
        tags,
        summary: 'Update an escalation policy (only sent keys change; steps are replaced whole)',
        params: Params,
        body: Type.Object({ ...Body, name: Type.Optional(Body.name), steps: Type.Optional(Body.steps) }),
        response: { 200: PolicySchema, ...errors },
      },
      config: exists,
    },
    async (req) => policyWire(await updatePolicy(req.ctx, req.params.uuid, req.body)),
  );

  app.delete(
    '/v1/escalation-policies/:uuid',
    {
      schema: {
        tags,
        summary: 'Delete an escalation policy (monitors and checks using it are unlinked)',
        params: Params,
        response: { 204: Type.Null({ description: 'Deleted' }), ...apiErrors, ...idErrors },
      },
    },
    async (req, reply) => {
      await deletePolicy(req.ctx, req.params.uuid);
      return reply.code(204).send(null);
    },
  );
}
