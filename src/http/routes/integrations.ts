import { Type } from 'typebox';
import type { ApiApp } from '../api-app.ts';
import {
  createIntegration,
  deleteIntegration,
  getIntegration,
  listIntegrations,
  sendTestNotification,
  updateIntegration,
  type Integration,
} from '../../services/integrations.ts';
import {
  CHANNEL_FIELDS,
  CHANNEL_KINDS,
  CHANNEL_SETTING_MAX,
  MAX_EMAIL_RECIPIENTS,
  RECIPIENTS_TEXT_MAX,
  maskSecret,
  maskedSettings,
} from '../../domain/channels.ts';
import { OBJECT_KEYS_MAX } from '../../domain/limits.ts';
import { iso, isoOrNull } from '../../services/context.ts';
import { Email, Message, Name, Nullable, UuidParam, apiErrors, idErrors } from '../schemas.ts';

const tags = ['Integrations'];
const errors = { ...apiErrors, 404: Message, 422: Message };

const settingsDoc = CHANNEL_KINDS.map(
  (k) =>
    `${k}: ${CHANNEL_FIELDS[k].map((f) => `${f.name}${f.required ? '' : '?'}${f.secret ? ' (secret)' : ''}`).join(', ')}`,
).join('; ');

/** Every setting any kind takes (which kind takes which is the domain's rule): recipients are a list. */
const Recipients = Type.Union([
  Type.Array(Email(), { maxItems: MAX_EMAIL_RECIPIENTS }),
  Type.String({ maxLength: RECIPIENTS_TEXT_MAX, description: 'Comma-separated' }),
]);
const settingFields = new Map(CHANNEL_KINDS.flatMap((k) => CHANNEL_FIELDS[k]).map((f) => [f.name, f]));
const Settings = Type.Object(
  Object.fromEntries(
    [...settingFields.values()].map((f) => [
      f.name,
      Type.Optional(Nullable(f.type === 'emails' ? Recipients : Type.String({ maxLength: CHANNEL_SETTING_MAX }))),
    ]),
  ),
  {
    maxProperties: OBJECT_KEYS_MAX,
    description: `Settings by type — ${settingsDoc}. Secret settings are write-only: reads mask them, and an update that omits one keeps it.`,
  },
);

const Body = {
  name: Name(),
  type: Type.Enum([...CHANNEL_KINDS], { description: 'The channel kind (cannot change on update)' }),
  settings: Type.Optional(Settings),
  secret: Type.Optional(
    Nullable(
      Type.String({
        maxLength: 200,
        description:
          'Webhooks: the Standard Webhooks signing secret (whsec_…); generated when absent and shown in full only in the create response',
      }),
    ),
  ),
  enabled: Type.Optional(
    Type.Boolean({ description: 'false disables the channel; true re-enables one that a 410 answer disabled' }),
  ),
};

const IntegrationSchema = Type.Object(
  {
    uuid: Type.String(),
    name: Type.String(),
    type: Type.String(),
    settings: Type.Object({}, { additionalProperties: true }),
    secret: Type.Optional(Type.String()),
    enabled: Type.Boolean(),
    disabledAt: Nullable(Type.String()),
    disabledReason: Nullable(Type.String()),
    lastDelivery: Nullable(
      Type.Object({ event: Type.String(), at: Type.String(), status: Type.String(), detail: Nullable(Type.String()) }),
    ),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { description: 'A notification channel (Vigil extension)' },
);

/** The read shape of a channel: secrets masked (in full only right after creation). */
export function integrationWire(c: Integration, revealSecret = false) {
  const last = c.lastDelivery;
  return {
    uuid: c.uuid,
    name: c.name,
    type: c.kind,
    settings: maskedSettings(c.kind, c.config),
    ...(c.secret ? { secret: revealSecret ? c.secret : `whsec_${maskSecret(c.secret)}` } : {}),
    enabled: c.disabledAt === null,
    disabledAt: isoOrNull(c.disabledAt),
    disabledReason: c.disabledReason,
    lastDelivery: last && {
      event: last.event,
      at: iso(last.at),
      status: last.delivered ? 'delivered' : last.pending ? 'pending' : 'failed',
      detail: last.status,
    },
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
  };
}

export default async function integrationRoutes(app: ApiApp) {
  const Params = UuidParam('int');
  const exists = {
    exists: (req: { ctx: any; params: unknown }) => getIntegration(req.ctx, (req.params as { uuid: string }).uuid),
  };

  app.get(
    '/v1/integrations',
    {
      schema: {
        tags,
        summary: 'List notification channels (integrations)',
        response: { 200: Type.Array(IntegrationSchema), ...apiErrors },
      },
    },
    async (req) => (await listIntegrations(req.ctx)).map((c) => integrationWire(c)),
  );

  app.post(
    '/v1/integrations',
    {
      schema: {
        tags,
        summary: 'Create a notification channel',
        body: Type.Object(Body),
        response: { 201: IntegrationSchema, ...errors },
      },
    },
    async (req, reply) => reply.code(201).send(integrationWire(await createIntegration(req.ctx, req.body), true)),
  );

  app.get(
    '/v1/integrations/:uuid',
    {
      schema: {
        tags,
        summary: 'Get a notification channel',
        params: Params,
        response: { 200: IntegrationSchema, ...apiErrors, ...idErrors },
      },
    },
    async (req) => integrationWire(await getIntegration(req.ctx, req.params.uuid)),
  );

  app.put(
    '/v1/integrations/:uuid',
    {
      schema: {
        tags,
        summary: 'Update a notification channel (only sent keys change)',
        params: Params,
        body: Type.Object({ ...Body, name: Type.Optional(Body.name), type: Type.Optional(Body.type) }),
        response: { 200: IntegrationSchema, ...errors },
      },
      config: exists,
    },
    async (req) => integrationWire(await updateIntegration(req.ctx, req.params.uuid, req.body)),
  );

  app.delete(
    '/v1/integrations/:uuid',
    {
      schema: {
        tags,
        summary: 'Delete a notification channel and its delivery history',
        params: Params,
        response: { 204: Type.Null({ description: 'Deleted' }), ...apiErrors, ...idErrors },
      },
    },
    async (req, reply) => {
      await deleteIntegration(req.ctx, req.params.uuid);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/integrations/:uuid/test',
    {
      schema: {
        tags,
        summary: 'Send a test notification through the channel (queued in the outbox; see lastDelivery)',
        params: Params,
        response: {
          202: Type.Object({
            message: Type.String(),
            uuid: Type.String({ description: 'The message id (webhook-id)' }),
          }),
          ...errors,
        },
      },
    },
    async (req, reply) =>
      reply
        .code(202)
        .send({ message: 'Test notification queued', uuid: await sendTestNotification(req.ctx, req.params.uuid) }),
  );
}
