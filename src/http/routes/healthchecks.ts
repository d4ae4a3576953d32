import { Type } from 'typebox';
import type { ApiApp } from '../api-app.ts';
import {
  createHealthcheck,
  deleteHealthcheck,
  getHealthcheck,
  healthcheckPages,
  lastRuns,
  recentPings,
  setHealthcheckPaused,
  updateHealthcheck,
  type Healthcheck,
} from '../../services/healthchecks.ts';
import { CRON_MAX, PERIOD_TYPES, TIMEZONE_MAX, periodSeconds, toSeconds } from '../../domain/healthchecks.ts';
import { iso, isoOrNull } from '../../services/context.ts';
import { Id, Message, Name, Nullable, UuidParam, apiErrors, idErrors } from '../schemas.ts';
import { healthcheckPolicy } from '../../services/escalation-policies.ts';
import { sendJsonArray } from '../json-array.ts';

const tags = ['Healthchecks'];
const PeriodType = Type.Enum([...PERIOD_TYPES]);
const ClearablePeriodType = Type.Union([PeriodType, Type.Literal(''), Type.Null()]);
const Body = {
  name: Name(),
  cron: Type.Optional(
    Nullable(Type.String({ maxLength: CRON_MAX, description: '5-field cron expression; "" clears' })),
  ),
  timezone: Type.Optional(
    Nullable(Type.String({ maxLength: TIMEZONE_MAX, description: 'IANA time zone for cron (default UTC)' })),
  ),
  period_value: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  period_type: Type.Optional(ClearablePeriodType),
  grace_period_value: Type.Integer({ minimum: 0 }),
  grace_period_type: PeriodType,
  escalation_policy: Type.Optional(Nullable(Id('An escalation policy uuid (esc_…); "none" or "" unlinks'))),
};
const CreateBody = Type.Object(Body);
const UpdateBody = Type.Object({
  ...Body,
  name: Type.Optional(Body.name),
  grace_period_value: Type.Optional(Body.grace_period_value),
  grace_period_type: Type.Optional(Body.grace_period_type),
});

const Item = Type.Object(
  {},
  { additionalProperties: true, description: 'Healthcheck (api-contract §3.3; field set varies per endpoint)' },
);

/** Each endpoint's recorded field set (api-contract §3.3), plus the superset keys of §14.3. */
export function healthcheckWire(
  h: Healthcheck,
  publicUrl: string,
  shape: 'post' | 'get' | 'put' | 'list',
  extra: { logs?: unknown[]; run?: { start: number | null; end: number | null }; policy?: unknown; now?: number } = {},
) {
  const s = h.settings;
  const period = periodSeconds(s, extra.now ?? Date.now());
  const common = {
    period,
    periodValue: s.period_value,
    periodType: s.period_type,
    gracePeriod: toSeconds(s.grace_value, s.grace_type),
    gracePeriodValue: s.grace_value,
    gracePeriodType: s.grace_type,
  };
  const pingUrl = `${publicUrl}/ping/${h.uuid}`;
  if (shape === 'post') {
    return {
      uuid: h.uuid,
      publicUuid: h.public_uuid,
      name: h.name,
      pingUrl,
      ...common,
      cron: s.cron,
      timezone: s.timezone,
      tz: s.timezone,
      isPaused: h.paused === 1,
      escalationPolicy: extra.policy ?? null,
    };
  }
  const state = {
    createdAt: iso(h.created_at),
    lastPing: isoOrNull(h.last_ping_at),
    ...(shape === 'get' ? { lastDowntime: isoOrNull(h.last_downtime_at) } : {}),
    dueDate: isoOrNull(h.due_at),
    isDown: h.is_down === 1,
    pingUrl,
  };
  return {
    uuid: h.uuid,
    publicUuid: h.public_uuid,
    name: h.name,
    cron: s.cron,
    tz: s.timezone,
    ...(shape !== 'put' ? { slug: null } : {}),
    ...common,
    ...state,
    ...(shape === 'get' ? { logs: extra.logs ?? [], escalationPolicy: extra.policy ?? null } : {}),
    ...(shape === 'list'
      ? { lastLogStartDate: isoOrNull(extra.run?.start ?? null), lastLogEndDate: isoOrNull(extra.run?.end ?? null) }
      : {}),
    timezone: s.timezone,
    isPaused: h.paused === 1,
  };
}

export default async function healthcheckRoutes(app: ApiApp, opts: { publicUrl: string }) {
  const { publicUrl } = opts;
  const Params = UuidParam('tok');
  const exists = {
    exists: (req: { ctx: any; params: unknown }) => getHealthcheck(req.ctx, (req.params as { uuid: string }).uuid),
  };

  app.get(
    '/v2/healthchecks',
    {
      schema: {
        tags,
        summary: 'List healthchecks (newest first)',
        response: { 200: Type.Object({ healthchecks: Type.Array(Item) }), ...apiErrors },
      },
    },
    async (req, reply) => {
      // Written a page at a time: 10,000 checks (each with its next cron runs to find) would hold the loop for seconds.
      const ctx = req.ctx;
      async function* wire() {
        for await (const page of healthcheckPages(ctx)) {
          const runs = await lastRuns(
            ctx,
            page.map((h) => h.id),
          );
          const now = ctx.clock();
          yield page.map((h) => healthcheckWire(h, publicUrl, 'list', { run: runs.get(h.id), now }));
        }
      }
      return sendJsonArray(reply, wire(), (h) => JSON.stringify(h), { key: 'healthchecks' });
    },
  );

  app.post(
    '/v2/healthchecks',
    {
      schema: {
        tags,
        summary: 'Create a healthcheck (a period, or a cron expression with a timezone)',
        body: CreateBody,
        response: { 201: Type.Object({ message: Type.String(), healthcheck: Item }), ...apiErrors, 422: Message },
      },
    },
    async (req, reply) => {
      const h = await createHealthcheck(req.ctx, req.body);
      return reply.code(201).send({
        message: 'Healthcheck created',
        healthcheck: healthcheckWire(h, publicUrl, 'post', {
          policy: await healthcheckPolicy(req.ctx, h),
          now: req.ctx.clock(),
        }),
      });
    },
  );

  app.get(
    '/v2/healthchecks/:uuid',
    {
      schema: {
        tags,
        summary: 'Get a healthcheck with its recent pings',
        params: Params,
        response: { 200: Type.Object({ healthcheck: Item }), ...apiErrors, ...idErrors },
      },
    },
    async (req) => {
      const h = await getHealthcheck(req.ctx, req.params.uuid);
      const logs = (await recentPings(req.ctx, h.id)).map((p) => ({
        date: iso(p.at),
        type: p.kind,
        sourceIp: p.source_ip,
        userAgent: p.user_agent,
        body: p.body,
        durationMs: p.duration_ms,
      }));
      return {
        healthcheck: healthcheckWire(h, publicUrl, 'get', {
          logs,
          policy: await healthcheckPolicy(req.ctx, h),
          now: req.ctx.clock(),
        }),
      };
    },
  );

  app.put(
    '/v2/healthchecks/:uuid',
    {
      schema: {
        tags,
        summary: 'Update a healthcheck (only sent keys change)',
        params: Params,
        body: UpdateBody,
        response: {
          200: Type.Object({ message: Type.String(), healthcheck: Item }),
          ...apiErrors,
          404: Message,
          422: Message,
        },
      },
      config: exists,
    },
    async (req) => ({
      message: 'Healthcheck updated',
      healthcheck: healthcheckWire(await updateHealthcheck(req.ctx, req.params.uuid, req.body), publicUrl, 'put', {
        now: req.ctx.clock(),
      }),
    }),
  );

  app.delete(
    '/v2/healthchecks/:uuid',
    {
      schema: {
        tags,
        summary: 'Delete a healthcheck',
        params: Params,
        response: { 200: Message, ...apiErrors, ...idErrors },
      },
    },
    async (req) => {
      await deleteHealthcheck(req.ctx, req.params.uuid);
      return { message: 'Healthcheck deleted' };
    },
  );

  for (const [action, paused, message] of [
    ['pause', true, 'Healthcheck paused'],
    ['resume', false, 'Healthcheck resumed'],
  ] as const) {
    app.post(
      `/v2/healthchecks/:uuid/${action}`,
      {
        schema: {
          tags,
          summary: `${action[0].toUpperCase()}${action.slice(1)} a healthcheck`,
          params: Params,
          response: { 200: Type.Object({ message: Type.String(), uuid: Type.String() }), ...apiErrors, ...idErrors },
        },
      },
      async (req) => {
        const h = await setHealthcheckPaused(req.ctx, req.params.uuid, paused);
        return { message, uuid: h.uuid };
      },
    );
  }
}
