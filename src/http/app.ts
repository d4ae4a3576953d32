import Fastify, { LogController, type FastifyRequest } from 'fastify';
import type { ApiApp } from './api-app.ts';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Ajv, type ValidateFunction } from 'ajv';
import { Type } from 'typebox';
import type { Config } from '../config.ts';
import type { Ctx } from '../services/context.ts';
import { installAuth } from './auth.ts';
import { errorHandler } from './errors.ts';
import monitorRoutes from './routes/monitors.ts';
import outageRoutes from './routes/outages.ts';
import reportRoutes from './routes/reports.ts';
import incidentRoutes from './routes/incidents.ts';
import maintenanceRoutes from './routes/maintenance.ts';
import healthcheckRoutes from './routes/healthchecks.ts';
import pingRoutes from './routes/ping.ts';
import publicPageRoutes from '../web/status-pages/routes.ts';
import statusPageRoutes from './routes/statuspages.ts';
import type { TxtLookup } from '../services/hostnames.ts';
import mcpRoutes from './routes/mcp.ts';
import metricsRoutes from './routes/metrics.ts';
import dashboardRoutes from '../web/dashboard/plugin.ts';
import integrationRoutes from './routes/integrations.ts';
import escalationPolicyRoutes from './routes/escalation-policies.ts';
import probeApiRoutes from './routes/probe-api.ts';
import regionRoutes from './routes/regions.ts';
import { DEFAULT_PROBE_LEASE_MS, DEFAULT_PROBE_LIVE_MS } from '../domain/probes.ts';

export const MAX_BODY_BYTES = 1024 * 1024;

export type AppOptions = Pick<
  Config,
  'rateLimitPerHour' | 'authFailuresPerMinute' | 'logLevel' | 'trustProxy' | 'publicUrl'
> &
  Partial<Pick<Config, 'metricsToken' | 'rawRetentionDays'>> &
  Partial<Pick<Config, 'region' | 'probeLiveSeconds' | 'probeLeaseSeconds' | 'pingHistory' | 'pingRatePerMinute'>> & {
    /** DNS for custom hostname proofs (main.ts makes the real one); without it, proofs wait for the engine. */ txt?: TxtLookup;
  };

export async function buildApp(ctx: Ctx, opts: AppOptions): Promise<ApiApp> {
  const app = Fastify({
    logger: { level: opts.logLevel, redact: ['req.headers.authorization'] },
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: MAX_BODY_BYTES,
    trustProxy: opts.trustProxy,
    // The router refuses no path parameter by its length (its default answered 414 past 100
    // characters, before authentication and below the 128 an id may have): each route's schema
    // bounds its parameters, after the key is checked. Node ends a request line past 16 KiB.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 16 * 1024 },
    // A bad percent-encoding gets the JSON {message} of every other 4xx.
    frameworkErrors: (err, req, reply) => errorHandler(err, req, reply),
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Bodies are validated as sent (no coercion, no defaults: PUT is partial); query strings are coerced.
  const ajvBody = new Ajv({ coerceTypes: false, useDefaults: false, strict: false, allErrors: false });
  const ajvOther = new Ajv({ coerceTypes: 'array', useDefaults: true, strict: false, allErrors: false });
  // Compiled on a route's first request, not at start-up: compiling every route's schemas was
  // most of a start's CPU (about half a second), and most servers never see most routes.
  app.setValidatorCompiler(({ schema, httpPart }) => {
    let compiled: ValidateFunction | undefined;
    const validate = (data: unknown) => {
      compiled ??= (httpPart === 'body' ? ajvBody : ajvOther).compile(schema);
      const ok = compiled(data);
      validate.errors = compiled.errors; // what Fastify reads when the answer is false
      return ok;
    };
    validate.errors = null as ValidateFunction['errors'];
    return validate;
  });
  // Response schemas document the wire shape; serialisation stays plain JSON.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    // Clients send Content-Type: application/json with empty GET/DELETE bodies (api-contract §1.3).
    if (body === '' || (body as string).trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(Object.assign(new SyntaxError('Invalid JSON body'), { statusCode: 400 }), undefined);
    }
  });

  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ message: 'Not found' }));

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Vigil API',
        version: '1',
        description: 'Self-hosted uptime monitoring, wire-compatible with the Hyperping API.',
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'API key: sk_…' },
          probeToken: {
            type: 'http',
            scheme: 'bearer',
            description: 'Regional probe token: pt_… (the /v1/probe routes only)',
          },
        },
      },
      security: [{ bearerAuth: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });

  app.get(
    '/healthz',
    {
      schema: {
        hide: false,
        tags: ['System'],
        summary: 'Liveness of the server and its database',
        security: [],
        response: {
          200: Type.Object({ status: Type.String() }),
          503: Type.Object({ status: Type.String(), message: Type.String() }),
        },
      },
    },
    async (_req, reply) => {
      try {
        await ctx.store.ping();
        return { status: 'ok' };
      } catch (err) {
        return reply.code(503).send({ status: 'unavailable', message: `database: ${(err as Error).message}` });
      }
    },
  );
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(pingRoutes, {
    ctx,
    pingHistory: opts.pingHistory ?? 100,
    pingRatePerMinute: opts.pingRatePerMinute ?? 60,
  });
  await app.register(publicPageRoutes, { ctx, publicUrl: opts.publicUrl });
  if (opts.metricsToken)
    await app.register(metricsRoutes, {
      ctx,
      token: opts.metricsToken,
      authFailuresPerMinute: opts.authFailuresPerMinute,
    });
  const probeLiveMs = opts.probeLiveSeconds ? opts.probeLiveSeconds * 1000 : DEFAULT_PROBE_LIVE_MS;
  await app.register(probeApiRoutes, {
    ctx,
    liveMs: probeLiveMs,
    leaseMs: opts.probeLeaseSeconds ? opts.probeLeaseSeconds * 1000 : DEFAULT_PROBE_LEASE_MS,
    authFailuresPerMinute: opts.authFailuresPerMinute,
  });

  await app.register(async (api) => {
    installAuth(api, ctx, opts);
    api.addHook('onRoute', (route) => {
      // 404 before 422: a request the schema refuses first asks whether its resource exists.
      // Only then: a valid one finds out in its handler, without a read of its own.
      const exists = route.config?.exists;
      if (exists) {
        route.attachValidation = true;
        route.preHandler = async (req: FastifyRequest) => {
          if (!req.validationError) return;
          await exists(req);
          throw req.validationError;
        };
      }
    });
    await api.register(monitorRoutes);
    await api.register(outageRoutes);
    await api.register(reportRoutes);
    await api.register(healthcheckRoutes, { publicUrl: opts.publicUrl });
    await api.register(incidentRoutes);
    await api.register(maintenanceRoutes);
    await api.register(statusPageRoutes, { publicUrl: opts.publicUrl, txt: opts.txt });
    await api.register(mcpRoutes, { publicUrl: opts.publicUrl });
    await api.register(integrationRoutes);
    await api.register(escalationPolicyRoutes);
    await api.register(regionRoutes, { liveMs: probeLiveMs, builtInLocation: opts.region ?? 'local' });
  });

  await app.register(dashboardRoutes, {
    prefix: '/app',
    ctx,
    publicUrl: opts.publicUrl,
    rawRetentionDays: opts.rawRetentionDays,
    builtInLocation: opts.region ?? 'local',
    probeLiveMs,
  });

  return app;
}
