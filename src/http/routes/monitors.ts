import { Type } from 'typebox';
import type { ApiApp } from '../api-app.ts';
import {
  createMonitor,
  deleteMonitor,
  getMonitor,
  monitorPages,
  updateMonitor,
  type Monitor,
} from '../../services/monitors.ts';
import { sendJsonArray } from '../json-array.ts';
import { UuidParam } from '../schemas.ts';
import { CreateMonitorBody, MonitorSchema, UpdateMonitorBody, monitorErrors } from './monitors.schema.ts';

/** The recorded wire shape of a monitor (api-contract §2.3), key order included. */
export function monitorWire(m: Monitor) {
  return {
    id: m.id,
    name: m.name,
    url: m.url,
    uuid: m.uuid,
    protocol: m.protocol,
    projectUuid: m.projectUuid,
    paused: m.paused,
    port: m.port,
    http_method: m.http_method,
    regions: m.regions,
    check_frequency: m.check_frequency,
    follow_redirects: m.follow_redirects,
    expected_status_code: /^\d{3}$/.test(m.expected_status_code)
      ? Number(m.expected_status_code)
      : m.expected_status_code,
    request_body: m.request_body,
    request_headers: m.request_headers,
    status: m.status,
    ssl_expiration: m.ssl_expiration,
    alerts_wait: m.alerts_wait,
    group_id: m.group_id,
    sort_order: m.sort_order,
    show_url: m.show_url,
    escalation_policy: m.escalation_policy_ref,
    required_keyword: m.required_keyword,
    dns_record_type: m.dns_record_type,
    dns_nameserver: m.dns_nameserver,
    dns_expected_answer: m.dns_expected_answer,
    ip_version: m.ip_version,
    ssl_alert_days: m.ssl_alert_days,
    ssl_reminders: m.ssl_reminders,
    ssl_notify_on_change: m.ssl_notify_on_change,
    domain_alert_days: m.domain_alert_days,
    domain_expiration: m.domain_expiration,
  };
}

const tags = ['Monitors'];

// An unchanged monitor is the same object from one request to the next (getMonitor): its JSON is made once.
const texts = new WeakMap<Monitor, string>();
function wireText(m: Monitor): string {
  let text = texts.get(m);
  if (!text) texts.set(m, (text = JSON.stringify(monitorWire(m))));
  return text;
}
const Params = UuidParam('mon');

/** Under this a monitor's JSON is made whole and kept (wireText); over it the list writes it in pieces. */
const WHOLE_CHARS = 16 * 1024;

/**
 * A monitor's JSON in pieces, the same characters as wireText: a monitor at its bounds is 515 KB
 * (50 headers of 8 KiB, a body of 100,000 characters), and a string that big, made for each
 * monitor of the list, outlives young collections (json-array.ts).
 */
function* wirePieces(m: Monitor): Generator<string> {
  let sep = '{';
  for (const [key, value] of Object.entries(monitorWire(m))) {
    if (value === undefined) continue;
    const name = `${sep}${JSON.stringify(key)}:`;
    sep = ',';
    if (Array.isArray(value) && value.length > 0) {
      yield `${name}[`;
      for (let i = 0; i < value.length; i++) yield (i > 0 ? ',' : '') + (JSON.stringify(value[i]) ?? 'null');
      yield ']';
    } else yield name + JSON.stringify(value);
  }
  yield sep === '{' ? '{}' : '}';
}

function listText(m: Monitor): string | Iterable<string> {
  let text = texts.get(m);
  if (text) return text;
  let chars = m.request_body?.length ?? 0;
  for (const h of m.request_headers ?? []) chars += h.name.length + h.value.length;
  // Large ones are not kept either: the next list reads them again anyway (a page's rows are not cached).
  if (chars > WHOLE_CHARS) return wirePieces(m);
  texts.set(m, (text = JSON.stringify(monitorWire(m))));
  return text;
}

export default async function monitorRoutes(app: ApiApp) {
  app.get(
    '/v1/monitors',
    {
      schema: { tags, summary: 'List monitors', response: { 200: Type.Array(MonitorSchema), ...monitorErrors } },
    },
    async (req, reply) => {
      // The JSON text of the schema's array, written page by page (10,000 monitors at every bound are 5 GB).
      return sendJsonArray(reply, monitorPages(req.ctx), listText);
    },
  );

  app.post(
    '/v1/monitors',
    {
      schema: {
        tags,
        summary: 'Create a monitor',
        body: CreateMonitorBody,
        response: { 201: MonitorSchema, ...monitorErrors },
      },
    },
    async (req, reply) => reply.code(201).send(monitorWire(await createMonitor(req.ctx, req.body))),
  );

  app.get(
    '/v1/monitors/:uuid',
    {
      schema: { tags, summary: 'Get a monitor', params: Params, response: { 200: MonitorSchema, ...monitorErrors } },
    },
    (req, reply) => {
      // Not async: on SQLite the whole read is synchronous.
      const m = getMonitor(req.ctx, req.params.uuid);
      if (m instanceof Promise) return m.then(monitorWire);
      reply.type('application/json; charset=utf-8').send(wireText(m) as never); // the JSON text of MonitorSchema
    },
  );

  app.put(
    '/v1/monitors/:uuid',
    {
      schema: {
        tags,
        summary: 'Update a monitor (only sent keys change; {"paused":true} pauses)',
        params: Params,
        body: UpdateMonitorBody,
        response: { 200: MonitorSchema, ...monitorErrors },
      },
      config: { exists: async (req) => getMonitor(req.ctx, (req.params as { uuid: string }).uuid) },
    },
    async (req) => monitorWire(await updateMonitor(req.ctx, req.params.uuid, req.body)),
  );

  app.delete(
    '/v1/monitors/:uuid',
    {
      schema: {
        tags,
        summary: 'Delete a monitor',
        params: Params,
        response: { 204: Type.Null({ description: 'Deleted' }), ...monitorErrors },
      },
    },
    async (req, reply) => {
      await deleteMonitor(req.ctx, req.params.uuid);
      return reply.code(204).send(null);
    },
  );
}
