import { Type } from 'typebox';
import type { FastifyRequest } from 'fastify';
import type { ApiApp } from '../api-app.ts';
import {
  createMaintenance,
  deleteMaintenance,
  getMaintenance,
  listMaintenance,
  updateMaintenance,
  type MaintenanceWindow,
} from '../../services/maintenance.ts';
import { maintenanceStatus, NOTIFICATION_OPTIONS, MAX_NOTIFICATION_MINUTES } from '../../domain/maintenance.ts';
import { iso, isoOrNull } from '../../services/context.ts';
import { IdList, IsoDate, Message, Name, Nullable, PageNumber, UuidParam, apiErrors } from '../schemas.ts';
import { Text, Title } from './incidents.schema.ts';

const PER_PAGE = 20;

const writable = {
  name: Name('Internal name'),
  title: Nullable(Title),
  text: Nullable(Text),
  start_date: IsoDate('Start'),
  end_date: IsoDate('End, after the start'),
  // Required, but null is an empty list: the Go client marshals a nil slice as null.
  monitors: Nullable(IdList('Monitor uuids of this project')),
  statuspages: Nullable(IdList('Status page ids (sp_…)')),
  notificationOption: Type.Enum([...NOTIFICATION_OPTIONS], { description: 'Default none' }),
  notificationMinutes: Type.Integer({
    minimum: 1,
    maximum: MAX_NOTIFICATION_MINUTES,
    description: 'Minutes before the start (scheduled); default 60',
  }),
};
type W = typeof writable;
const optional = Object.fromEntries(Object.entries(writable).map(([k, v]) => [k, Type.Optional(v)])) as {
  [K in keyof W]: ReturnType<typeof Type.Optional<W[K]>>;
};

const CreateBody = Type.Object({
  ...optional,
  name: writable.name,
  start_date: writable.start_date,
  end_date: writable.end_date,
  monitors: writable.monitors,
});
const UpdateBody = Type.Object(optional);

const Update = Type.Object({ text: Text, date: Type.String() });
const Status = Type.Enum(['upcoming', 'ongoing', 'completed']);
const common = {
  uuid: Type.String(),
  name: Type.String(),
  title: Title,
  text: Text,
  start_date: Type.String(),
  end_date: Type.String(),
  timezone: Type.String(),
  monitors: Type.Array(Type.String()),
  statuspages: Type.Array(Type.String()),
  bulkUuid: Type.Null(),
  createdBy: Type.String(),
  createdAt: Type.String(),
  updates: Type.Array(Update),
  status: Status,
  createdByProfilePictureUrl: Nullable(Type.String()),
  createdBySsoPictureUrl: Nullable(Type.String()),
};
const MaintenanceSchema = Type.Object({
  ...common,
  notificationOption: Type.String(),
  notificationMinutes: Type.Integer(),
  scheduledNotificationStatus: Nullable(Type.String()),
  scheduledNotificationSentAt: Nullable(Type.String()),
  scheduledNotificationBreakdown: Nullable(Type.Unknown()),
});
const ListItem = Type.Object(common);
const errors = { ...apiErrors, 404: Message, 422: Message };

/** The recorded GET shape (api-contract §5.3, key order included), plus `text` (§14.3). */
export function maintenanceWire(w: MaintenanceWindow, now: number) {
  return {
    uuid: w.uuid,
    name: w.name,
    title: w.title,
    text: w.text,
    start_date: iso(w.startsAt),
    end_date: iso(w.endsAt),
    timezone: 'UTC',
    monitors: w.monitors,
    statuspages: w.statuspages,
    bulkUuid: null,
    createdBy: w.createdBy,
    createdAt: iso(w.createdAt),
    notificationOption: w.notificationOption,
    notificationMinutes: w.notificationMinutes,
    updates: [],
    createdByProfilePictureUrl: null,
    createdBySsoPictureUrl: null,
    // "scheduled" windows: whether the subscriber notice (notificationMinutes before the start) went out.
    scheduledNotificationStatus:
      w.notificationOption === 'scheduled' ? (w.noticeSentAt !== null ? 'sent' : 'pending') : null,
    scheduledNotificationSentAt: isoOrNull(w.noticeSentAt),
    scheduledNotificationBreakdown: null,
    status: maintenanceStatus(w.startsAt, w.endsAt, now),
  };
}

/** The recorded list-item shape (§5.3): no notification fields. */
export function maintenanceListItemWire(w: MaintenanceWindow, now: number) {
  return {
    uuid: w.uuid,
    bulkUuid: null,
    name: w.name,
    title: w.title,
    text: w.text,
    start_date: iso(w.startsAt),
    end_date: iso(w.endsAt),
    timezone: 'UTC',
    monitors: w.monitors,
    statuspages: w.statuspages,
    createdBy: w.createdBy,
    createdAt: iso(w.createdAt),
    updates: [],
    status: maintenanceStatus(w.startsAt, w.endsAt, now),
    createdByProfilePictureUrl: null,
    createdBySsoPictureUrl: null,
  };
}

const tags = ['Maintenance windows'];
const Params = UuidParam('mw');

export default async function maintenanceRoutes(app: ApiApp) {
  app.get(
    '/v1/maintenance-windows',
    {
      schema: {
        tags,
        summary: 'List maintenance windows (20 per page, newest first)',
        querystring: Type.Object({ page: Type.Optional(PageNumber) }),
        response: {
          200: Type.Object({
            maintenanceWindows: Type.Array(ListItem),
            hasNextPage: Type.Boolean(),
            total: Type.Integer(),
          }),
          ...apiErrors,
          422: Message,
        },
      },
    },
    async (req) => {
      const page = req.query.page ?? 0;
      const r = await listMaintenance(req.ctx, page, PER_PAGE);
      const now = req.ctx.clock();
      return {
        maintenanceWindows: r.windows.map((w) => maintenanceListItemWire(w, now)),
        hasNextPage: (page + 1) * PER_PAGE < r.total,
        total: r.total,
      };
    },
  );

  app.post(
    '/v1/maintenance-windows',
    {
      schema: {
        tags,
        summary: 'Create a maintenance window',
        body: CreateBody,
        response: { 201: MaintenanceSchema, ...errors },
      },
    },
    async (req, reply) =>
      reply.code(201).send(maintenanceWire(await createMaintenance(req.ctx, req.body), req.ctx.clock())),
  );

  app.get(
    '/v1/maintenance-windows/:uuid',
    {
      schema: {
        tags,
        summary: 'Get a maintenance window',
        params: Params,
        response: { 200: MaintenanceSchema, ...errors },
      },
    },
    async (req) => maintenanceWire(await getMaintenance(req.ctx, req.params.uuid), req.ctx.clock()),
  );

  app.put(
    '/v1/maintenance-windows/:uuid',
    {
      schema: {
        tags,
        summary: 'Update a maintenance window (only sent keys change)',
        params: Params,
        body: UpdateBody,
        response: { 200: MaintenanceSchema, ...errors },
      },
      config: { exists: (req: FastifyRequest) => getMaintenance(req.ctx, (req.params as { uuid: string }).uuid) },
    },
    async (req) => maintenanceWire(await updateMaintenance(req.ctx, req.params.uuid, req.body), req.ctx.clock()),
  );

  app.delete(
    '/v1/maintenance-windows/:uuid',
    {
      schema: { tags, summary: 'Delete a maintenance window', params: Params, response: { 200: Message, ...errors } },
    },
    async (req) => {
      await deleteMaintenance(req.ctx, req.params.uuid);
      return { message: 'Ok' };
    },
  );
}
