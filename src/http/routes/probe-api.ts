import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { ValidationError } from '../../domain/errors.ts';
import { MAX_RESULTS_PER_POST } from '../../domain/probes.ts';
import type { Ctx } from '../../services/context.ts';
import {
  authenticateProbe,
  leaseChecks,
  recordProbeResults,
  touchProbe,
  type ProbeActor,
} from '../../services/probes.ts';
import { AuthError, Message, Nullable, requestErrors } from '../schemas.ts';
import { UNAUTHORIZED } from '../errors.ts';
import { bearerToken } from '../auth.ts';
import { createFailureThrottle } from '../../domain/throttle.ts';

declare module 'fastify' {
  interface FastifyRequest {
    probe: ProbeActor;
  }
}

export interface ProbeApiOptions {
  ctx: Ctx;
  liveMs: number;
  leaseMs: number;
  authFailuresPerMinute: number;
}

const tags = ['Regional probes'];
const security = [{ probeToken: [] }];
const errors = { ...requestErrors, 401: AuthError, 422: Message, 429: Message };

const Register = Type.Object({
  region: Type.Optional(
    Type.String({ maxLength: 64, description: "The region the worker was started for; must be its token's" }),
  ),
  version: Type.Optional(Type.String({ maxLength: 64 })),
});
const Registered = Type.Object({
  probe: Type.Object({ id: Type.String(), region: Type.String(), projectUuid: Type.String() }),
  heartbeatSeconds: Type.Integer(),
  leaseSeconds: Type.Integer(),
  serverTime: Type.Integer(),
});
const LeaseBody = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'Checks at most (default 100)' })),
  lookaheadMs: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 10_000,
      description: 'Lease checks due this far ahead (default 1000); each is started on its due time',
    }),
  ),
});
const Target = Type.Object({
  protocol: Type.String(),
  url: Type.String(),
  port: Nullable(Type.Integer()),
  http_method: Type.String(),
  request_headers: Nullable(Type.Array(Type.Object({ name: Type.String(), value: Type.String() }))),
  request_body: Type.String(),
  follow_redirects: Type.Boolean(),
  expected_status_code: Type.String(),
  required_keyword: Nullable(Type.String()),
  timeout: Type.Integer(),
  dns_record_type: Nullable(Type.String()),
  dns_nameserver: Nullable(Type.String()),
  dns_expected_answer: Nullable(Type.String()),
  ip_version: Type.Optional(Type.Union([Type.Literal(4), Type.Literal(6)])),
});
const Leased = Type.Object({
  leases: Type.Array(
    Type.Object({ leaseId: Type.String(), due: Type.Integer(), monitorUuid: Type.String(), check: Target }),
  ),
  more: Type.Boolean({
    description:
      'The batch holds fewer checks than asked because their targets passed the size a lease answer carries (LEASE_TARGET_BYTES); more are due: lease again at once',
  }),
  leaseSeconds: Type.Integer(),
  serverTime: Type.Integer(),
});
const Ms = Nullable(Type.Number({ minimum: 0, maximum: 86_400_000 }));
const ResultItem = Type.Object({
  leaseId: Type.String({ minLength: 1, maxLength: 80, description: 'The lease the result is for: its idempotency id' }),
  at: Type.Integer({ minimum: 0, maximum: 8_640_000_000_000, description: 'When the check started (epoch ms)' }),
  ok: Type.Boolean(),
  statusCode: Nullable(Type.Integer({ minimum: 0, maximum: 999 })),
  totalMs: Ms,
  dnsMs: Ms,
  connectMs: Ms,
  tlsMs: Ms,
  ttfbMs: Ms,
  error: Nullable(Type.String({ maxLength: 1000 })),
  sslExpiresAt: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 8_640_000_000_000 }))),
  sslFingerprint: Type.Optional(
    Nullable(
      Type.String({
        maxLength: 128,
        pattern: '^[0-9A-F:]+$',
        description: 'SHA-256 fingerprint of the certificate (AA:BB:…)',
      }),
    ),
  ),
});
const ResultsBody = Type.Object({ results: Type.Array(ResultItem, { maxItems: MAX_RESULTS_PER_POST }) });
const Posted = Type.Object({
  recorded: Type.Integer({ description: 'Results stored now' }),
  ignored: Type.Integer({ description: 'Results already stored (a retried post) or whose lease was taken over' }),
});

/**
 * The API of dedicated regional probes (`vigil probe`), authenticated by a pt_ probe token
 * rather than an API key. Every failure answers the API's one 401 body. Each authenticated
 * request counts as a heartbeat.
 */
export default async function probeApiRoutes(app: FastifyInstance, opts: ProbeApiOptions) {
  const { ctx } = opts;
  const throttle = createFailureThrottle(opts.authFailuresPerMinute, ctx.clock);
  app.decorateRequest('probe', null as never);
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const wait = throttle.blockedFor(req.ip);
    if (wait > 0)
      return reply
        .code(429)
        .header('Retry-After', String(wait))
        .send({ message: 'Too many failed authentication attempts; try again later' });
    const token = bearerToken(req);
    const probe = token ? await authenticateProbe(ctx, token) : null;
    if (!probe) {
      throttle.fail(req.ip);
      return reply.code(401).header('WWW-Authenticate', 'Bearer').send(UNAUTHORIZED);
    }
    req.probe = probe;
    await touchProbe(ctx, probe, opts.liveMs);
  });

  const registered = (req: FastifyRequest) => {
    const body = (req.body ?? {}) as Static<typeof Register>;
    if (body.region !== undefined && body.region !== req.probe.region) {
      throw new ValidationError(`This probe token serves region ${req.probe.region}, not ${body.region}`);
    }
    return {
      probe: { id: req.probe.id, region: req.probe.region, projectUuid: req.probe.projectUuid },
      heartbeatSeconds: Math.max(1, Math.floor(opts.liveMs / 2000)),
      leaseSeconds: Math.floor(opts.leaseMs / 1000),
      serverTime: ctx.clock(),
    };
  };
  for (const [url, summary] of [
    ['/v1/probe/register', 'Register a probe worker (checks its region against its token)'],
    ['/v1/probe/heartbeat', 'Tell the server the probe is alive'],
  ]) {
    app.post(
      url,
      { schema: { tags, summary, security, body: Type.Optional(Register), response: { 200: Registered, ...errors } } },
      async (req) => registered(req),
    );
  }

  app.post(
    '/v1/probe/lease',
    {
      schema: {
        tags,
        summary: "Lease the due checks of the probe's region",
        security,
        body: Type.Optional(LeaseBody),
        response: { 200: Leased, ...errors },
      },
    },
    async (req) => {
      const body = (req.body ?? {}) as Static<typeof LeaseBody>;
      const { leases, more } = await leaseChecks(ctx, req.probe, {
        limit: body.limit ?? 100,
        lookaheadMs: body.lookaheadMs ?? 1000,
        leaseMs: opts.leaseMs,
      });
      return { leases, more, leaseSeconds: Math.floor(opts.leaseMs / 1000), serverTime: ctx.clock() };
    },
  );

  app.post(
    '/v1/probe/results',
    {
      schema: {
        tags,
        summary: 'Post check results (idempotent per lease id)',
        security,
        body: ResultsBody,
        response: { 200: Posted, ...errors },
      },
    },
    async (req) => {
      const { results } = req.body as Static<typeof ResultsBody>;
      return recordProbeResults(ctx, req.probe, results, opts.liveMs);
    },
  );
}
