import { Type } from 'typebox';
import type { FastifyRequest } from 'fastify';
import type { ApiApp } from '../api-app.ts';
import {
  addSubscriber, createStatusPage, deleteStatusPage, deleteSubscriber, getStatusPage, listStatusPages, listSubscribers, updateStatusPage,
  type PageRow, type ResolvedService, type StatusPageView, type Subscriber,
} from '../../services/statuspages.ts';
import { FONTS, HOSTED_DOMAIN, PAGE_LANGUAGES, SUBSCRIBER_TYPES, THEMES } from '../../domain/statuspages.ts';
import { iso } from '../../services/context.ts';
import { Message, Nullable, PageNumber, UuidParam, apiErrors } from '../schemas.ts';

const PER_PAGE = 20;
const tags = ['Status pages'];
const NotFound = Type.Object({ error: Type.String() }, { description: 'Status page or subscriber not found' });
const errors = { ...apiErrors, 404: NotFound, 409: Message, 422: Message };

const Localized = Type.Union([Type.String(), Type.Record(Type.String(), Type.String())], { description: 'A text, or texts by language' });
const ServiceBody = Type.Object({
  monitor_uuid: Type.Optional(Type.Union([Type.String(), Type.Integer()], { description: "The monitor's mon_ uuid or numeric id" })),
  uuid: Type.Optional(Type.Union([Type.String(), Type.Integer()], { description: 'Same as monitor_uuid (inside groups)' })),
  name_shown: Type.Optional(Nullable(Localized)),
  name: Type.Optional(Nullable(Localized)),
  description: Type.Optional(Nullable(Localized)),
  is_group: Type.Optional(Type.Boolean()),
  show_uptime: Type.Optional(Type.Boolean()),
  show_response_times: Type.Optional(Type.Boolean()),
  services: Type.Optional(Nullable(Type.Array(Type.Object({}, { additionalProperties: true })))),
});
const Body = {
  name: Type.String({ minLength: 1, maxLength: 255 }),
  subdomain: Type.Optional(Nullable(Type.String({ maxLength: 200, description: `Public path /status/<subdomain> (a ".${HOSTED_DOMAIN}" suffix is stripped)` }))),
  hostname: Type.Optional(Nullable(Type.String({ maxLength: 253, description: 'Custom domain whose / serves the page' }))),
  website: Type.Optional(Nullable(Type.String())),
  description: Type.Optional(Nullable(Localized)),
  languages: Type.Optional(Type.Array(Type.Enum([...PAGE_LANGUAGES]), { minItems: 1 })),
  default_language: Type.Optional(Type.Enum([...PAGE_LANGUAGES])),
  theme: Type.Optional(Type.Enum([...THEMES])),
  font: Type.Optional(Type.Enum([...FONTS])),
  accent_color: Type.Optional(Type.String({ description: '#rrggbb' })),
  auto_refresh: Type.Optional(Type.Boolean()),
  banner_header: Type.Optional(Type.Boolean()),
  logo: Type.Optional(Nullable(Type.String())),
  logo_height: Type.Optional(Type.String()),
  favicon: Type.Optional(Nullable(Type.String())),
  hide_powered_by: Type.Optional(Type.Boolean()),
  hide_from_search_engines: Type.Optional(Type.Boolean()),
  google_analytics: Type.Optional(Nullable(Type.String())),
  password: Type.Optional(Nullable(Type.String({ description: 'Never returned; "" removes it' }))),
  subscribe: Type.Optional(Type.Object({ enabled: Type.Optional(Type.Boolean()), email: Type.Optional(Type.Boolean()), slack: Type.Optional(Type.Boolean()), teams: Type.Optional(Type.Boolean()), sms: Type.Optional(Type.Boolean()) })),
  authentication: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'password_protection, google_sso, saml_sso, google_allowed_domains, sso_connection_uuid' })),
  sections: Type.Optional(Type.Array(Type.Object({ name: Localized, is_split: Type.Optional(Type.Boolean()), services: Type.Optional(Nullable(Type.Array(ServiceBody))) }))),
};
const CreateBody = Type.Object(Body, { description: 'Flat write body: settings are top-level keys (api-contract §8.2)' });
const UpdateBody = Type.Object({ ...Body, name: Type.Optional(Body.name) });
const PageSchema = Type.Object({}, { additionalProperties: true, description: 'Status page: uuid, name, hostname, hostedsubdomain, url, password_protected, settings{…}, sections[…]' });
const SummarySchema = Type.Object({
  uuid: Type.String(), name: Type.String(), hostname: Nullable(Type.String()), hostedsubdomain: Type.String(), url: Type.String(), password_protected: Type.Boolean(), public_url: Type.String(),
});
const SubscriberSchema = Type.Object({
  id: Type.Integer(), type: Type.String(), value: Type.String(), email: Nullable(Type.String()), phone: Nullable(Type.String()),
  teams_webhook_url: Nullable(Type.String()), slack_channel: Nullable(Type.String()), language: Type.String(), created_at: Type.String(),
});

/** The summary keys every shape starts with (list items are only these, api-contract §8.3). */
function summaryWire(r: PageRow, passwordProtected: boolean, publicUrl: string) {
  const hosted = `${r.subdomain}.${HOSTED_DOMAIN}`;
  return {
    uuid: r.uuid,
    name: r.name,
    hostname: r.hostname,
    hostedsubdomain: hosted,
    url: r.hostname ?? hosted,
    password_protected: passwordProtected,
    // Superset: where Vigil itself serves the page.
    public_url: `${publicUrl}/status/${r.subdomain}`,
  };
}

/**
 * A service as read: `id` is the monitor's numeric id (what Hyperping's renderer keys on) or the
 * healthcheck's public id, `uuid` its mon_/hc_ id and `type` which of the two (groups have none).
 */
function serviceWire(s: ResolvedService): Record<string, unknown> {
  return {
    id: s.monitor?.id ?? s.healthcheck?.publicUuid ?? s.id,
    uuid: s.monitor?.uuid ?? s.healthcheck?.publicUuid ?? null,
    name: s.name,
    is_group: s.is_group,
    ...(s.is_group ? {} : { type: s.healthcheck ? 'healthcheck' : 'monitor' }),
    show_uptime: s.show_uptime,
    show_response_times: s.show_response_times,
    description: s.description,
    ...(s.is_group ? { services: s.services.map(serviceWire) } : {}),
  };
}

/** The full read shape (api-contract §8.3): settings nested, sections with localized names. */
export function statusPageWire(p: StatusPageView, publicUrl: string) {
  const protectedNow = p.settings.authentication.password_protection && p.row.password_hash !== null;
  return {
    ...summaryWire(p.row, protectedNow, publicUrl),
    settings: { name: p.row.name, ...p.settings, authentication: { ...p.settings.authentication, sso_connection: null } },
    sections: p.resolved.map((s) => ({ name: s.name, is_split: s.is_split, services: s.services.map(serviceWire) })),
  };
}

function subscriberWire(s: Subscriber) {
  return {
    id: s.id, type: s.type, value: s.value, email: s.email, phone: s.phone, teams_webhook_url: s.teams_webhook_url,
    slack_channel: s.slack_channel, language: s.language, created_at: iso(s.created_at),
  };
}

const Params = UuidParam('sp');
const exists = (req: FastifyRequest) => getStatusPage(req.ctx, (req.params as { uuid: string }).uuid);

export default async function statusPageRoutes(app: ApiApp, opts: { publicUrl: string }) {
  const { publicUrl } = opts;

  app.get('/v2/statuspages', {
    schema: {
      tags, summary: 'List status pages (20 per page, newest first; search matches name, subdomain, hostname)',
      querystring: Type.Object({ page: Type.Optional(PageNumber), search: Type.Optional(Type.String({ maxLength: 200 })) }),
      response: { 200: Type.Object({ statuspages: Type.Array(SummarySchema), hasNextPage: Type.Boolean(), total: Type.Integer(), page: Type.Integer(), resultsPerPage: Type.Integer() }), ...errors },
    },
  }, async (req) => {
    const page = req.query.page ?? 0;
    const r = await listStatusPages(req.ctx, { page, perPage: PER_PAGE, search: req.query.search });
    return {
      statuspages: r.pages.map((p) => summaryWire(p.row, p.settings.authentication.password_protection && p.row.password_hash !== null, publicUrl)),
      hasNextPage: (page + 1) * PER_PAGE < r.total,
      total: r.total,
      page,
      resultsPerPage: PER_PAGE,
    };
  });

  app.post('/v2/statuspages', {
    schema: { tags, summary: 'Create a status page', body: CreateBody, response: { 201: Type.Object({ message: Type.String(), statuspage: PageSchema }), ...errors } },
  }, async (req, reply) => reply.code(201).send({ message: 'Status page created', statuspage: statusPageWire(await createStatusPage(req.ctx, req.body), publicUrl) }));

  app.get('/v2/statuspages/:uuid', {
    schema: { tags, summary: 'Get a status page', params: Params, response: { 200: Type.Object({ statuspage: PageSchema }), ...errors } },
  }, async (req) => ({ statuspage: statusPageWire(await getStatusPage(req.ctx, req.params.uuid), publicUrl) }));

  app.put('/v2/statuspages/:uuid', {
    schema: { tags, summary: 'Update a status page (only sent keys change; sections are replaced whole)', params: Params, body: UpdateBody, response: { 200: Type.Object({ message: Type.String(), statuspage: PageSchema }), ...errors } },
    config: { exists },
  }, async (req) => ({ message: 'Status page updated', statuspage: statusPageWire(await updateStatusPage(req.ctx, req.params.uuid, req.body), publicUrl) }));

  app.delete('/v2/statuspages/:uuid', {
    schema: { tags, summary: 'Delete a status page and its subscribers', params: Params, response: { 200: Message, ...errors } },
  }, async (req) => {
    await deleteStatusPage(req.ctx, req.params.uuid);
    return { message: 'Status page deleted' };
  });

  app.get('/v2/statuspages/:uuid/subscribers', {
    schema: {
      tags, summary: 'List subscribers (20 per page, oldest first)', params: Params,
      querystring: Type.Object({ page: Type.Optional(PageNumber), type: Type.Optional(Type.Enum([...SUBSCRIBER_TYPES])) }),
      response: { 200: Type.Object({ subscribers: Type.Array(SubscriberSchema), hasNextPage: Type.Boolean(), total: Type.Integer(), page: Type.Integer(), resultsPerPage: Type.Integer() }), ...errors },
    },
    config: { exists },
  }, async (req) => {
    const page = req.query.page ?? 0;
    const r = await listSubscribers(req.ctx, req.params.uuid, { page, perPage: PER_PAGE, type: req.query.type });
    return { subscribers: r.subscribers.map(subscriberWire), hasNextPage: (page + 1) * PER_PAGE < r.total, total: r.total, page, resultsPerPage: PER_PAGE };
  });

  app.post('/v2/statuspages/:uuid/subscribers', {
    schema: {
      tags, summary: 'Add a subscriber (email, sms or teams)', params: Params,
      body: Type.Object({
        type: Type.String({ description: 'email, sms or teams' }),
        email: Type.Optional(Nullable(Type.String())),
        phone: Type.Optional(Nullable(Type.String({ description: 'E.164, such as +12125551234' }))),
        teams_webhook_url: Type.Optional(Nullable(Type.String())),
        language: Type.Optional(Nullable(Type.String())),
      }),
      response: { 201: Type.Object({ message: Type.String(), subscriber: SubscriberSchema }), ...errors },
    },
    config: { exists },
  }, async (req, reply) => reply.code(201).send({ message: 'Subscriber added', subscriber: subscriberWire(await addSubscriber(req.ctx, req.params.uuid, req.body)) }));

  app.delete('/v2/statuspages/:uuid/subscribers/:id', {
    schema: {
      tags, summary: 'Remove a subscriber (numeric id)',
      params: Type.Object({ uuid: Params.properties.uuid, id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) }),
      response: { 200: Message, ...errors },
    },
  }, async (req) => {
    await deleteSubscriber(req.ctx, req.params.uuid, req.params.id);
    return { message: 'Subscriber deleted' };
  });
}
