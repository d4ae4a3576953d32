import { Type } from 'typebox';
import type { FastifyRequest } from 'fastify';
import type { ApiApp } from '../api-app.ts';
import {
  addIncidentUpdate,
  createIncident,
  deleteIncident,
  getIncidentHead,
  incidentPages,
  incidentUpdatePages,
  updateIncident,
  type Incident,
} from '../../services/incidents.ts';
import type { FastifyReply } from 'fastify';
import { sendJsonArray } from '../json-array.ts';
import { iso } from '../../services/context.ts';
import { UPDATE_TYPES } from '../../domain/incidents.ts';
import { Message, UuidParam } from '../schemas.ts';
import {
  AddUpdateBody,
  CreateIncidentBody,
  CreatedIncidentSchema,
  IncidentSchema,
  UpdateIncidentBody,
  incidentErrors,
} from './incidents.schema.ts';

/** The recorded incident shape (api-contract §4.3, key order included), plus `text` (§14.3). */
export function incidentWire(i: Incident) {
  return {
    uuid: i.uuid,
    date: iso(i.at),
    title: i.title,
    text: i.text,
    type: i.type,
    affectedComponents: i.affectedComponents,
    statuspages: i.statuspages,
    updates: i.updates.map((u) => ({ uuid: u.uuid, date: iso(u.at), text: u.text, type: u.type })),
  };
}

const tags = ['Incidents'];
const Params = UuidParam('inci');
const exists = (req: FastifyRequest) => getIncidentHead(req.ctx, (req.params as { uuid: string }).uuid);

/**
 * One incident as incidentWire writes it, its timeline (the last key; megabytes at the bounds)
 * read a page at a time and written in pieces, each update from its stored JSON.
 */
function sendIncident(req: FastifyRequest, reply: FastifyReply, head: Incident) {
  const { updates: _none, ...rest } = incidentWire(head);
  return sendJsonArray(
    reply,
    incidentUpdatePages(req.ctx, head.id),
    (u) => `{"uuid":${JSON.stringify(u.uuid)},"date":"${iso(u.at)}","text":${u.text},"type":${JSON.stringify(u.type)}}`,
    { key: 'updates', head: rest },
  );
}

export default async function incidentRoutes(app: ApiApp) {
  app.get(
    '/v3/incidents',
    {
      schema: {
        tags,
        summary: 'List incidents (newest date first)',
        querystring: Type.Object({
          status: Type.Optional(
            Type.Enum([...UPDATE_TYPES], {
              description: 'Only incidents whose latest update is of this type (investigating before any update)',
            }),
          ),
        }),
        response: { 200: Type.Array(IncidentSchema), ...incidentErrors },
      },
    },
    async (req, reply) =>
      sendJsonArray(reply, incidentPages(req.ctx, { status: req.query.status }), (i) =>
        JSON.stringify(incidentWire(i)),
      ),
  );

  app.post(
    '/v3/incidents',
    {
      schema: {
        tags,
        summary: 'Create an incident',
        body: CreateIncidentBody,
        response: { 201: CreatedIncidentSchema, ...incidentErrors },
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send({ message: 'Incident created successfully', ...incidentWire(await createIncident(req.ctx, req.body)) }),
  );

  app.get(
    '/v3/incidents/:uuid',
    {
      schema: {
        tags,
        summary: 'Get an incident',
        params: Params,
        response: { 200: IncidentSchema, ...incidentErrors },
      },
    },
    async (req, reply) => sendIncident(req, reply, await getIncidentHead(req.ctx, req.params.uuid)),
  );

  app.put(
    '/v3/incidents/:uuid',
    {
      schema: {
        tags,
        summary: 'Update an incident (only sent keys change)',
        params: Params,
        body: UpdateIncidentBody,
        response: { 200: IncidentSchema, ...incidentErrors },
      },
      config: { exists },
    },
    async (req, reply) => sendIncident(req, reply, await updateIncident(req.ctx, req.params.uuid, req.body)),
  );

  app.delete(
    '/v3/incidents/:uuid',
    {
      schema: {
        tags,
        summary: 'Delete an incident and its updates',
        params: Params,
        response: { 200: Message, ...incidentErrors },
      },
    },
    async (req) => {
      await deleteIncident(req.ctx, req.params.uuid);
      return { message: 'Incident and associated data deleted successfully' };
    },
  );

  app.post(
    '/v3/incidents/:uuid/updates',
    {
      schema: {
        tags,
        summary: 'Add a timeline update (type "resolved" resolves the incident); returns the whole incident',
        params: Params,
        body: AddUpdateBody,
        response: { 201: IncidentSchema, ...incidentErrors },
      },
      config: { exists },
    },
    async (req, reply) =>
      sendIncident(req, reply.code(201), await addIncidentUpdate(req.ctx, req.params.uuid, req.body)),
  );
}
