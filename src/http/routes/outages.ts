import { Type, type Static } from 'typebox';
import type { ApiApp } from '../app.ts';
import { getOutage, listOutages, type Outage } from '../../services/outages.ts';
import { iso, isoOrNull } from '../../services/context.ts';
import { Message, Nullable, UuidParam, apiErrors } from '../schemas.ts';

const PER_PAGE = 20;

const MonitorRef = Type.Object({ uuid: Nullable(Type.String()), name: Nullable(Type.String()), url: Nullable(Type.String()), protocol: Nullable(Type.String()) });
const OutageItem = Type.Object({
  id: Type.Integer(), uuid: Type.String(), startDate: Type.String(), endDate: Nullable(Type.String()), durationMs: Type.Integer(),
  statusCode: Type.Integer(), description: Type.String(), isResolved: Type.Boolean(), detectedLocation: Type.String(),
  confirmedLocations: Type.String(), protocol: Type.String(), outageType: Type.String(),
  errorHeader: Type.Optional(Nullable(Type.String())),
  acknowledgedAt: Nullable(Type.String()), acknowledgedBy: Nullable(Type.Object({ uuid: Type.String(), email: Type.String(), name: Type.String() })),
  monitor: MonitorRef, escalationPolicy: Nullable(Type.Object({ uuid: Type.String(), name: Type.String() })),
  alertedChannels: Type.Optional(Type.Array(Type.Unknown())),
});

type OutageWire = Static<typeof OutageItem>;

/** The recorded outage shape (api-contract §6.3, key order included), plus `outageType`. */
export function outageWire(o: Outage, now: number, full: boolean): OutageWire {
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
    escalationPolicy: null,
    ...(full ? { alertedChannels: [] } : {}),
    outageType: o.outage_type === 'manual' ? 'manual' : 'automatic',
  };
}

const tags = ['Outages'];

export default async function outageRoutes(app: ApiApp) {
  app.get('/v2/outages', {
    schema: {
      tags, summary: 'List outages (20 per page, newest first)',
      querystring: Type.Object({
        page: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
        status: Type.Optional(Type.Enum(['all', 'ongoing', 'resolved'], { default: 'all' })),
        type: Type.Optional(Type.Enum(['all', 'manual', 'monitor'], { default: 'all' })),
        search: Type.Optional(Type.String({ maxLength: 200 })),
      }),
      response: {
        200: Type.Object({ outages: Type.Array(OutageItem), hasNextPage: Type.Boolean(), total: Type.Integer(), ongoingCount: Type.Integer(), page: Type.Integer(), resultsPerPage: Type.Integer() }),
        ...apiErrors, 422: Message,
      },
    },
  }, async (req) => {
    const page = req.query.page ?? 0;
    const r = await listOutages(req.ctx, { page, perPage: PER_PAGE, status: req.query.status ?? 'all', type: req.query.type ?? 'all', search: req.query.search });
    const now = req.ctx.clock();
    return {
      outages: r.outages.map((o) => outageWire(o, now, false)),
      hasNextPage: (page + 1) * PER_PAGE < r.total,
      total: r.total,
      ongoingCount: r.ongoingCount,
      page,
      resultsPerPage: PER_PAGE,
    };
  });

  app.get('/v2/outages/:uuid', {
    schema: { tags, summary: 'Get an outage', params: UuidParam('outage'), response: { 200: Type.Object({ outage: OutageItem }), ...apiErrors, 404: Message } },
  }, async (req) => ({ outage: outageWire(await getOutage(req.ctx, req.params.uuid), req.ctx.clock(), true) }));
}
