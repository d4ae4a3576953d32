import { Type } from 'typebox';
import type { FastifyRequest } from 'fastify';
import type { ApiApp } from '../api-app.ts';
import {
  addSubscriber,
  createStatusPage,
  deleteStatusPage,
  deleteSubscriber,
  getStatusPage,
  listStatusPageSummaries,
  listSubscribers,
  updateStatusPage,
  type PageRow,
  type ResolvedService,
  type StatusPageView,
  type Subscriber,
} from '../../services/statuspages.ts';
import {
  FONTS,
  HOSTED_DOMAIN,
  MAX_ALLOWED_DOMAINS,
  MAX_GROUP_SERVICES,
  MAX_PAGE_SERVICES,
  MAX_SECTION_SERVICES,
  MAX_SECTIONS,
  PAGE_LANGUAGES,
  PAGE_TEXT_MAX as MAX,
  SUBSCRIBER_TYPES,
  THEMES,
} from '../../domain/statuspages.ts';
import { LANGUAGES_MAX, OBJECT_KEYS_MAX, URL_MAX } from '../../domain/limits.ts';
import { iso, isoOrNull } from '../../services/context.ts';
import { hostnameState, proveHostnameNow, type TxtLookup } from '../../services/hostnames.ts';
import { Email, Id, Message, Nullable, PageNumber, Search, TextOrLocalized, UuidParam, apiErrors } from '../schemas.ts';

const PER_PAGE = 20;
const tags = ['Status pages'];
const NotFound = Type.Object({ error: Type.String() }, { description: 'Status page or subscriber not found' });
const errors = { ...apiErrors, 404: NotFound, 409: Message, 422: Message };

/** What a service shows: a monitor (`mon_…` or its numeric id) or a healthcheck (`hc_…`). */
const ServiceRef = (description: string) => Type.Union([Id(), Type.Integer()], { description });
const service = {
  show_uptime: Type.Optional(Type.Boolean()),
  show_response_times: Type.Optional(Type.Boolean()),
  description: Type.Optional(Nullable(TextOrLocalized(MAX.service_description))),
};
/** A service inside a group: `uuid` and a localized `name` (groups do not nest). */
const GroupMember = Type.Object({
  uuid: Type.Optional(ServiceRef("The monitor's mon_ uuid or numeric id, or a healthcheck's hc_ publicUuid")),
  monitor_uuid: Type.Optional(ServiceRef('Same as uuid')),
  name: Type.Optional(Nullable(TextOrLocalized(MAX.service_name))),
  name_shown: Type.Optional(Nullable(TextOrLocalized(MAX.service_name))),
  ...service,
});
const ServiceBody = Type.Object({
  monitor_uuid: Type.Optional(ServiceRef("The monitor's mon_ uuid or numeric id, or a healthcheck's hc_ publicUuid")),
  uuid: Type.Optional(ServiceRef('Same as monitor_uuid (inside groups)')),
  name_shown: Type.Optional(Nullable(TextOrLocalized(MAX.service_name))),
  name: Type.Optional(Nullable(TextOrLocalized(MAX.service_name))),
  is_group: Type.Optional(Type.Boolean()),
  ...service,
  services: Type.Optional(
    Nullable(Type.Array(GroupMember, { maxItems: MAX_GROUP_SERVICES, description: "A group's services" })),
  ),
});
const Section = Type.Object({
  name: TextOrLocalized(MAX.section_name),
  is_split: Type.Optional(Type.Boolean()),
  services: Type.Optional(Nullable(Type.Array(ServiceBody, { maxItems: MAX_SECTION_SERVICES }))),
});
const Url = Nullable(Type.String({ maxLength: URL_MAX, description: 'An http(s) URL' }));
const Body = {
  name: Type.String({ minLength: 1, maxLength: MAX.name }),
  subdomain: Type.Optional(
    Nullable(
      Type.String({
        maxLength: MAX.subdomain,
        description: `Public path /status/<subdomain> (a ".${HOSTED_DOMAIN}" suffix is stripped)`,
      }),
    ),
  ),
  hostname: Type.Optional(
    Nullable(Type.String({ maxLength: MAX.hostname, description: 'Custom domain whose / serves the page' })),
  ),
  website: Type.Optional(Url),
  description: Type.Optional(Nullable(TextOrLocalized(MAX.description))),
  languages: Type.Optional(Type.Array(Type.Enum([...PAGE_LANGUAGES]), { minItems: 1, maxItems: LANGUAGES_MAX })),
  default_language: Type.Optional(Type.Enum([...PAGE_LANGUAGES])),
  theme: Type.Optional(Type.Enum([...THEMES])),
  font: Type.Optional(Type.Enum([...FONTS])),
  accent_color: Type.Optional(Type.String({ maxLength: MAX.accent_color, description: '#rrggbb' })),
  auto_refresh: Type.Optional(Type.Boolean()),
  banner_header: Type.Optional(Type.Boolean()),
  logo: Type.Optional(Url),
  logo_height: Type.Optional(Type.String({ maxLength: MAX.logo_height, description: 'A CSS length such as 32px' })),
  favicon: Type.Optional(Url),
  hide_powered_by: Type.Optional(Type.Boolean()),
  hide_from_search_engines: Type.Optional(Type.Boolean()),
  google_analytics: Type.Optional(Nullable(Type.String({ maxLength: MAX.google_analytics }))),
  password: Type.Optional(
    Nullable(Type.String({ maxLength: MAX.password, description: 'Never returned; "" removes it' })),
  ),
  subscribe: Type.Optional(
    Type.Object(
      {
        enabled: Type.Optional(Type.Boolean()),
        email: Type.Optional(Type.Boolean()),
        slack: Type.Optional(Type.Boolean()),
        teams: Type.Optional(Type.Boolean()),
        sms: Type.Optional(Type.Boolean()),
      },
      { maxProperties: OBJECT_KEYS_MAX },
    ),
  ),
  authentication: Type.Optional(
    Type.Object(
      {
        password_protection: Type.Optional(Type.Boolean()),
        google_sso: Type.Optional(Type.Boolean()),
        saml_sso: Type.Optional(Type.Boolean()),
        google_allowed_domains: Type.Optional(
          Type.Array(Type.String({ maxLength: MAX.google_allowed_domain }), { maxItems: MAX_ALLOWED_DOMAINS }),
        ),
        sso_connection_uuid: Type.Optional(Nullable(Type.String({ maxLength: MAX.sso_connection_uuid }))),
      },
      { maxProperties: OBJECT_KEYS_MAX },
    ),
  ),
  sections: Type.Optional(
    Type.Array(Section, {
      maxItems: MAX_SECTIONS,
      description: `At most ${MAX_SECTIONS} sections, ${MAX_SECTION_SERVICES} services in each, ${MAX_GROUP_SERVICES} in a group and ${MAX_PAGE_SERVICES} on the page in all (groups and their services included)`,
    }),
  ),
};
const CreateBody = Type.Object(Body, {
  description: 'Flat write body: settings are top-level keys (api-contract §8.2)',
});
const UpdateBody = Type.Object({ ...Body, name: Type.Optional(Body.name) });
const PageSchema = Type.Object(
  {},
  {
    additionalProperties: true,
    description:
      'Status page: uuid, name, hostname, hostedsubdomain, url, password_protected, settings{…}, sections[…]',
  },
);
const SummarySchema = Type.Object({
  uuid: Type.String(),
  name: Type.String(),
  hostname: Nullable(Type.String()),
  hostedsubdomain: Type.String(),
  url: Type.String(),
  password_protected: Type.Boolean(),
  public_url: Type.String(),
});
const SubscriberSchema = Type.Object({
  id: Type.Integer(),
  type: Type.String(),
  value: Type.String(),
  email: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  teams_webhook_url: Nullable(Type.String()),
  slack_channel: Nullable(Type.String()),
  language: Type.String(),
  created_at: Type.String(),
});

/** The summary keys every shape starts with (list items are only these, api-contract §8.3). */
function summaryWire(r: Omit<PageRow, 'sections'>, passwordProtected: boolean, publicUrl: string) {
  const hosted = `${r.subdomain}.${HOSTED_DOMAIN}`;
  return {
    uuid: r.uuid,
    name: r.name,
    // As written (clients compare it with what they sent); url is where the page is served.
    hostname: r.hostname_claim,
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

/** Superset: whether the custom hostname is proven, and the DNS record that proves it. */
function verificationWire(r: PageRow) {
  const state = hostnameState(r);
  return (
    state && {
      verified: state.verified,
      type: state.record!.type,
      name: state.record!.name,
      value: state.record!.value,
      checked_at: isoOrNull(state.checked_at),
      error: state.error,
    }
  );
}

/** The full read shape (api-contract §8.3): settings nested, sections with localized names. */
export function statusPageWire(p: StatusPageView, publicUrl: string) {
  const protectedNow = p.settings.authentication.password_protection && p.row.password_hash !== null;
  return {
    ...summaryWire(p.row, protectedNow, publicUrl),
    hostname_verification: verificationWire(p.row),
    settings: {
      name: p.row.name,
      ...p.settings,
      authentication: { ...p.settings.authentication, sso_connection: null },
    },
    sections: p.resolved.map((s) => ({ name: s.name, is_split: s.is_split, services: s.services.map(serviceWire) })),
  };
}

function subscriberWire(s: Subscriber) {
  return {
    id: s.id,
    type: s.type,
    value: s.value,
    email: s.email,
    phone: s.phone,
    teams_webhook_url: s.teams_webhook_url,
    slack_channel: s.slack_channel,
    language: s.language,
    created_at: iso(s.created_at),
  };
}

const Params = UuidParam('sp');
const exists = (req: FastifyRequest) => getStatusPage(req.ctx, (req.params as { uuid: string }).uuid);

export default async function statusPageRoutes(app: ApiApp, opts: { publicUrl: string; txt?: TxtLookup }) {
  const { publicUrl, txt } = opts;

  app.get(
    '/v2/statuspages',
    {
      schema: {
        tags,
        summary: 'List status pages (20 per page, newest first; search matches name, subdomain, hostname)',
        querystring: Type.Object({ page: Type.Optional(PageNumber), search: Type.Optional(Search()) }),
        response: {
          200: Type.Object({
            statuspages: Type.Array(SummarySchema),
            hasNextPage: Type.Boolean(),
            total: Type.Integer(),
            page: Type.Integer(),
            resultsPerPage: Type.Integer(),
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      const page = req.query.page ?? 0;
      const r = await listStatusPageSummaries(req.ctx, { page, perPage: PER_PAGE, search: req.query.search });
      return {
        statuspages: r.pages.map((p) =>
          summaryWire(p.row, p.settings.authentication.password_protection && p.row.password_hash !== null, publicUrl),
        ),
        hasNextPage: (page + 1) * PER_PAGE < r.total,
        total: r.total,
        page,
        resultsPerPage: PER_PAGE,
      };
    },
  );

  app.post(
    '/v2/statuspages',
    {
      schema: {
        tags,
        summary: 'Create a status page',
        body: CreateBody,
        response: { 201: Type.Object({ message: Type.String(), statuspage: PageSchema }), ...errors },
      },
    },
    async (req, reply) =>
      reply.code(201).send({
        message: 'Status page created',
        statuspage: statusPageWire(await createStatusPage(req.ctx, req.body), publicUrl),
      }),
  );

  app.get(
    '/v2/statuspages/:uuid',
    {
      schema: {
        tags,
        summary: 'Get a status page',
        params: Params,
        response: { 200: Type.Object({ statuspage: PageSchema }), ...errors },
      },
    },
    async (req) => ({ statuspage: statusPageWire(await getStatusPage(req.ctx, req.params.uuid), publicUrl) }),
  );

  app.put(
    '/v2/statuspages/:uuid',
    {
      schema: {
        tags,
        summary: 'Update a status page (only sent keys change; sections are replaced whole)',
        params: Params,
        body: UpdateBody,
        response: { 200: Type.Object({ message: Type.String(), statuspage: PageSchema }), ...errors },
      },
      config: { exists },
    },
    async (req) => ({
      message: 'Status page updated',
      statuspage: statusPageWire(await updateStatusPage(req.ctx, req.params.uuid, req.body), publicUrl),
    }),
  );

  if (txt) {
    app.post(
      '/v2/statuspages/:uuid/hostname/verify',
      {
        schema: {
          tags,
          summary:
            'Look up the DNS TXT record proving the custom hostname now (the page is served on it once proven; Vigil also looks every minute)',
          params: Params,
          response: { 200: Type.Object({ message: Type.String(), statuspage: PageSchema }), ...errors },
        },
        config: { exists },
      },
      async (req) => {
        await proveHostnameNow(req.ctx, txt, req.params.uuid);
        const page = await getStatusPage(req.ctx, req.params.uuid);
        const state = hostnameState(page.row)!;
        return {
          message: state.verified ? 'Hostname verified' : `Hostname not verified: ${state.error}`,
          statuspage: statusPageWire(page, publicUrl),
        };
      },
    );
  }

  app.delete(
    '/v2/statuspages/:uuid',
    {
      schema: {
        tags,
        summary: 'Delete a status page and its subscribers',
        params: Params,
        response: { 200: Message, ...errors },
      },
    },
    async (req) => {
      await deleteStatusPage(req.ctx, req.params.uuid);
      return { message: 'Status page deleted' };
    },
  );

  app.get(
    '/v2/statuspages/:uuid/subscribers',
    {
      schema: {
        tags,
        summary: 'List subscribers (20 per page, oldest first)',
        params: Params,
        querystring: Type.Object({
          page: Type.Optional(PageNumber),
          type: Type.Optional(Type.Enum([...SUBSCRIBER_TYPES])),
        }),
        response: {
          200: Type.Object({
            subscribers: Type.Array(SubscriberSchema),
            hasNextPage: Type.Boolean(),
            total: Type.Integer(),
            page: Type.Integer(),
            resultsPerPage: Type.Integer(),
          }),
          ...errors,
        },
      },
      config: { exists },
    },
    async (req) => {
      const page = req.query.page ?? 0;
      const r = await listSubscribers(req.ctx, req.params.uuid, { page, perPage: PER_PAGE, type: req.query.type });
      return {
        subscribers: r.subscribers.map(subscriberWire),
        hasNextPage: (page + 1) * PER_PAGE < r.total,
        total: r.total,
        page,
        resultsPerPage: PER_PAGE,
      };
    },
  );

  app.post(
    '/v2/statuspages/:uuid/subscribers',
    {
      schema: {
        tags,
        summary: 'Add a subscriber (email, sms or teams)',
        params: Params,
        body: Type.Object({
          type: Type.String({ maxLength: 16, description: 'email, sms or teams' }),
          email: Type.Optional(Nullable(Email())),
          phone: Type.Optional(
            Nullable(
              Type.String({
                maxLength: 32,
                description: 'E.164, such as +12125551234 (spaces, dots, dashes and brackets are dropped)',
              }),
            ),
          ),
          teams_webhook_url: Type.Optional(Nullable(Type.String({ maxLength: URL_MAX }))),
          language: Type.Optional(Nullable(Type.String({ maxLength: 16, description: PAGE_LANGUAGES.join(', ') }))),
        }),
        response: { 201: Type.Object({ message: Type.String(), subscriber: SubscriberSchema }), ...errors },
      },
      config: { exists },
    },
    async (req, reply) =>
      reply.code(201).send({
        message: 'Subscriber added',
        subscriber: subscriberWire(await addSubscriber(req.ctx, req.params.uuid, req.body)),
      }),
  );

  app.delete(
    '/v2/statuspages/:uuid/subscribers/:id',
    {
      schema: {
        tags,
        summary: 'Remove a subscriber (numeric id)',
        params: Type.Object({
          uuid: Params.properties.uuid,
          id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
        }),
        response: { 200: Message, ...errors },
      },
    },
    async (req) => {
      await deleteSubscriber(req.ctx, req.params.uuid, req.params.id);
      return { message: 'Subscriber deleted' };
    },
  );
}
