import { Type, type Static } from 'typebox';
import type { ApiApp } from '../api-app.ts';
import {
  acknowledgeOutage,
  createOutage,
  deleteOutage,
  escalateOutage,
  getOutage,
  listOutages,
  resolveOutage,
  unacknowledgeOutage,
  type Outage,
} from '../../services/outages.ts';
import { iso, isoOrNull } from '../../services/context.ts';
import { outageDeliveries } from '../../services/alerting.ts';
import { Id, IsoDate, Message, Nullable, PageNumber, Search, UuidParam, apiErrors, idErrors } from '../schemas.ts';
import { NAME_MAX, TEXT_MAX } from '../../domain/limits.ts';

/** Outages a page of GET /v2/outages (and the MCP outage lists) holds. */
export const PER_PAGE = 20;

const MonitorRef = Type.Object({
  uuid: Nullable(Type.String()),
  name: Nullable(Type.String()),
  url: Nullable(Type.String()),
  protocol: Nullable(Type.String()),
});
const outageProps = {
  id: Type.Integer(),
  uuid: Type.String(),
  startDate: Type.String(),
  endDate: Nullable(Type.String()),
  durationMs: Type.Integer(),
  statusCode: Type.Integer(),
  description: Type.String(),
  isResolved: Type.Boolean(),
  detectedLocation: Type.String(),
  confirmedLocations: Type.String(),
  protocol: Type.String(),
  outageType: Type.String(),
  errorHeader: Type.Optional(Nullable(Type.String())),
  acknowledgedAt: Nullable(Type.String()),
  acknowledgedBy: Nullable(Type.Object({ uuid: Type.String(), email: Type.String(), name: Type.String() })),
  monitor: MonitorRef,
  escalationPolicy: Nullable(
    Type.Object({ uuid: Type.String(), name: Type.String(), alertedSteps: Type.Integer(), totalSteps: Type.Integer() }),
  ),
  alertedChannels: Type.Optional(
    Type.Array(
      Type.Unknown({ description: 'Each message sent about the outage: channel, event, step, delivery status' }),
    ),
  ),
  severity: Type.Optional(Type.String()),
  summary: Type.Optional(Type.String()),
};
const OutageItem = Type.Object(outageProps);
const CreatedOutage = Type.Object({
  message: Type.String(),
  outage: Type.Object({ ...outageProps, escalationPolicyUuid: Nullable(Type.String()) }),
});

const CreateBody = Type.Object({
  monitorUuid: Id('A monitor of this project (mon_…)'),
  startDate: IsoDate('When the outage began'),
  endDate: Type.Optional(
    Nullable(IsoDate('When it ended, not before startDate; when given the outage is created resolved')),
  ),
  statusCode: Type.Integer({ minimum: 100, maximum: 599 }),
  description: Type.String({ minLength: 1, maxLength: TEXT_MAX }),
  outageType: Type.Optional(Type.Enum(['manual'], { description: 'Only manual outages are created through the API' })),
  escalationPolicyUuid: Type.Optional(
    Nullable(
      Id('An escalation policy (esc_…) of this project alerts for the outage; another value is stored as given'),
    ),
  ),
  severity: Type.Optional(Nullable(Type.String({ maxLength: NAME_MAX }))),
  summary: Type.Optional(Nullable(Type.String({ maxLength: TEXT_MAX }))),
});

const ActionResult = Type.Object({ message: Type.String(), uuid: Type.String() });
const errors = { ...apiErrors, 404: Message, 422: Message };

type OutageWire = Static<typeof OutageItem>;
type Delivery = Awaited<ReturnType<typeof outageDeliveries>>[number];

/** One message about an outage, as `alertedChannels` lists it (a Vigil shape: Hyperping's is unrecorded). */
export function deliveryWire(d: Delivery) {
  return {
    uuid: d.channel_uuid,
    name: d.channel_name ?? d.recipient,
    type: d.kind,
    event: d.event,
    step: d.step === null ? null : Number(d.step) + 1,
    status: d.delivered_at !== null ? 'delivered' : d.gave_up_at !== null ? 'failed' : 'pending',
    attempts: Number(d.attempts),
    createdAt: iso(d.created_at),
    deliveredAt: isoOrNull(d.delivered_at),
    lastAttemptAt: isoOrNull(d.last_attempt_at),
    error: d.delivered_at !== null ? null : (d.give_up_reason ?? d.last_status),
    webhookId: d.uuid,
  };
}

/** The recorded outage shape (api-contract §6.3, key order included), plus `outageType`, `severity` and `summary` (§14.3). */
/** A page of outages as GET /v2/outages (and the MCP outage lists) answer it. */
export function outagePageWire(
  r: { outages: Outage[]; total: number; ongoingCount: number },
  page: number,
  now: number,
) {
  return {
    outages: r.outages.map((o) => outageWire(o, now, false)),
    hasNextPage: (page + 1) * PER_PAGE < r.total,
    total: r.total,
    ongoingCount: r.ongoingCount,
    page,
    resultsPerPage: PER_PAGE,
  };
}

export function outageWire(o: Outage, now: number, full: boolean, deliveries: Delivery[] = []): OutageWire {
  return {
    id: o.id,
    uuid: o.uuid,
    startDate: iso(o.started_at),
    endDate: isoOrNull(o.ended_at),
    durationMs: (o.ended_at ?? now) - o.started_at,
    statusCode: o.status_code,
    description: o.description,
    isResolved: o.ended_at !== null,
    detectedLocation: o.detected_location,
    confirmedLocations: o.confirmed_locations,
    protocol: o.protocol,
    ...(full ? { errorHeader: o.error_header } : {}),
    acknowledgedAt: isoOrNull(o.acknowledged_at),
    acknowledgedBy: o.acknowledged_by ? JSON.parse(o.acknowledged_by) : null,
    monitor: o.monitor,
    escalationPolicy: o.policy,
    ...(full ? { alertedChannels: deliveries.map(deliveryWire) } : {}),
    outageType: o.outage_type === 'manual' ? 'manual' : 'automatic',
    ...(o.severity !== null ? { severity: o.severity } : {}),
    ...(o.summary !== null ? { summary: o.summary } : {}),
  };
}

const Params = UuidParam('outage');

/** The body-less actions on one outage: [path, message, service, summary]. */
const actions = [
  [
    'acknowledge',
    'Outage acknowledged',
    acknowledgeOutage,
    'Acknowledge an outage (again: keeps the first acknowledgement)',
  ],
  ['unacknowledge', 'Outage unacknowledged', unacknowledgeOutage, 'Clear the acknowledgement'],
  ['resolve', 'Outage resolved', resolveOutage, 'Resolve an outage now (a resolved one keeps its endDate)'],
  [
    'escalate',
    'Outage escalated',
    escalateOutage,
    'Escalate an ongoing outage: alert the next step of its escalation policy now',
  ],
] as const;

const tags = ['Outages'];

export default async function outageRoutes(app: ApiApp) {
  app.get(
    '/v2/outages',
    {
      schema: {
        tags,
        summary: 'List outages (20 per page, newest first)',
        querystring: Type.Object({
          page: Type.Optional(PageNumber),
          status: Type.Optional(Type.Enum(['all', 'ongoing', 'resolved'], { default: 'all' })),
          type: Type.Optional(Type.Enum(['all', 'manual', 'monitor'], { default: 'all' })),
          search: Type.Optional(Search()),
        }),
        response: {
          200: Type.Object({
            outages: Type.Array(OutageItem),
            hasNextPage: Type.Boolean(),
            total: Type.Integer(),
            ongoingCount: Type.Integer(),
            page: Type.Integer(),
            resultsPerPage: Type.Integer(),
          }),
          ...apiErrors,
          422: Message,
        },
      },
    },
    async (req) => {
      const page = req.query.page ?? 0;
      const r = await listOutages(req.ctx, {
        page,
        perPage: PER_PAGE,
        status: req.query.status ?? 'all',
        type: req.query.type ?? 'all',
        search: req.query.search,
      });
      return outagePageWire(r, page, req.ctx.clock());
    },
  );

  app.post(
    '/v2/outages',
    {
      schema: {
        tags,
        summary: 'Create a manual outage',
        body: CreateBody,
        response: { 201: CreatedOutage, ...errors },
      },
    },
    async (req, reply) => {
      const o = await createOutage(req.ctx, req.body);
      return reply.code(201).send({
        message: 'Incident created',
        outage: { ...outageWire(o, req.ctx.clock(), true), escalationPolicyUuid: o.escalation_policy_uuid },
      });
    },
  );

  app.get(
    '/v2/outages/:uuid',
    {
      schema: {
        tags,
        summary: 'Get an outage',
        params: Params,
        response: { 200: Type.Object({ outage: OutageItem }), ...apiErrors, ...idErrors },
      },
    },
    async (req) => {
      const o = await getOutage(req.ctx, req.params.uuid);
      return { outage: outageWire(o, req.ctx.clock(), true, await outageDeliveries(req.ctx, o.id)) };
    },
  );

  app.delete(
    '/v2/outages/:uuid',
    {
      schema: { tags, summary: 'Delete an outage', params: Params, response: { 200: Message, ...errors } },
    },
    async (req) => {
      await deleteOutage(req.ctx, req.params.uuid);
      return { message: 'Outage deleted' };
    },
  );

  for (const [action, message, act, summary] of actions) {
    app.post(
      `/v2/outages/:uuid/${action}`,
      {
        schema: { tags, summary, params: Params, response: { 200: ActionResult, ...errors } },
      },
      async (req) => {
        await act(req.ctx, req.params.uuid);
        return { message, uuid: req.params.uuid };
      },
    );
  }
}
