import { Type } from 'typebox';
import type { ApiApp } from '../api-app.ts';
import {
  REPORT_PERIODS,
  monitorReportPages,
  monitorReports,
  parsePeriod,
  type MonitorReport,
} from '../../services/reports.ts';
import { sendJsonArray } from '../json-array.ts';
import { formatDuration } from '../../domain/reports.ts';
import { iso, isoOrNull } from '../../services/context.ts';
import { NotFoundError } from '../../domain/errors.ts';
import { DATE_MAX } from '../../domain/limits.ts';
import { Message, UuidParam, apiErrors } from '../schemas.ts';

function reportWire(r: MonitorReport, withDetails: boolean) {
  const o = r.summary;
  return {
    uuid: r.uuid,
    name: r.name,
    protocol: r.protocol,
    sla: r.sla,
    outages: {
      count: o.count,
      totalDowntime: o.totalDowntime,
      totalDowntimeFormatted: formatDuration(o.totalDowntime),
      longestOutage: o.longestOutage,
      longestOutageFormatted: formatDuration(o.longestOutage),
      ...(withDetails
        ? {
            details: o.details.map((d) => ({
              startDate: iso(d.start),
              endDate: isoOrNull(d.end),
              duration: d.seconds,
              durationFormatted: formatDuration(d.seconds),
            })),
          }
        : {}),
    },
    mttr: o.mttr,
    mttrFormatted: formatDuration(o.mttr),
  };
}

const Query = Type.Object({
  from: Type.Optional(
    Type.String({ maxLength: DATE_MAX, description: 'ISO 8601; default: `period` (7 days) before `to`' }),
  ),
  to: Type.Optional(Type.String({ maxLength: DATE_MAX, description: 'ISO 8601; default: now' })),
  period: Type.Optional(
    Type.Enum(Object.keys(REPORT_PERIODS) as (keyof typeof REPORT_PERIODS)[], {
      description: 'The window ending at `to` when `from` is not given (default 7d)',
    }),
  ),
});
const Outages = Type.Object({
  count: Type.Integer(),
  totalDowntime: Type.Integer(),
  totalDowntimeFormatted: Type.String(),
  longestOutage: Type.Integer(),
  longestOutageFormatted: Type.String(),
  details: Type.Optional(
    Type.Array(
      Type.Object({
        startDate: Type.String(),
        endDate: Type.Union([Type.String(), Type.Null()]),
        duration: Type.Integer(),
        durationFormatted: Type.String(),
      }),
    ),
  ),
});
const Report = Type.Object({
  uuid: Type.String(),
  name: Type.String(),
  protocol: Type.String(),
  sla: Type.Number(),
  outages: Outages,
  mttr: Type.Integer(),
  mttrFormatted: Type.String(),
});
const PeriodSchema = Type.Object({ from: Type.String(), to: Type.String() });
const tags = ['Reports'];

export default async function reportRoutes(app: ApiApp) {
  app.get(
    '/v2/reporting/monitor-reports',
    {
      schema: {
        tags,
        summary: 'SLA, outages and MTTR of every active monitor',
        querystring: Query,
        response: {
          200: Type.Object({ period: PeriodSchema, monitors: Type.Array(Report) }),
          ...apiErrors,
          422: Message,
        },
      },
    },
    async (req, reply) => {
      const period = parsePeriod(req.ctx.clock(), req.query.from, req.query.to, req.query.period);
      // The schema's JSON text, a page of monitors at a time with the loop turning between pages.
      const head = { period: { from: iso(period.from), to: iso(period.to) } };
      return sendJsonArray(reply, monitorReportPages(req.ctx, period), (r) => JSON.stringify(reportWire(r, false)), {
        key: 'monitors',
        head,
      });
    },
  );

  app.get(
    '/v2/reporting/monitor-reports/:uuid',
    {
      schema: {
        tags,
        summary: 'Report of one monitor (paused monitors have none)',
        params: UuidParam('mon'),
        querystring: Query,
        response: {
          200: Type.Object({ ...Report.properties, period: PeriodSchema }),
          ...apiErrors,
          404: Type.Object({ error: Type.Boolean(), message: Type.String() }),
          422: Message,
        },
      },
    },
    async (req, reply) => {
      const period = parsePeriod(req.ctx.clock(), req.query.from, req.query.to, req.query.period);
      try {
        const [r] = await monitorReports(req.ctx, period, req.params.uuid);
        return { ...reportWire(r, true), period: { from: iso(period.from), to: iso(period.to) } };
      } catch (err) {
        // The recorded 404 of this endpoint has a boolean `error` (api-contract §7).
        if (err instanceof NotFoundError)
          return reply.code(404).send({ error: true, message: 'Monitor not found' } as never);
        throw err;
      }
    },
  );
}
