import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Ctx } from '../../services/context.ts';
import { PING_BODY_LIMIT, recordPing, type PingInput } from '../../services/healthchecks.ts';
import { createWindowThrottle } from '../../domain/throttle.ts';
import { Message } from '../schemas.ts';

/**
 * The heartbeat endpoint, unauthenticated: the token in the path is the credential.
 * GET, HEAD and POST record a ping; /fail a failure, /start the start of a run. The answer is
 * sent only after the ping is committed; one that cannot be stored is answered 503, never 200.
 */
export default async function pingRoutes(
  app: FastifyInstance,
  opts: { ctx: Ctx; pingHistory: number; pingRatePerMinute: number },
) {
  // Per token, before any database work: a leaked ping URL in a loop costs a map lookup.
  const throttle = createWindowThrottle(opts.pingRatePerMinute, opts.ctx.clock);
  // Any body is accepted (only its first 10 KiB is kept).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_req, body, done) => done(null, body));
  const Params = Type.Object({ token: Type.String({ maxLength: 64 }) });
  const kinds: [string, PingInput['kind']][] = [
    ['', 'success'],
    ['/fail', 'fail'],
    ['/start', 'start'],
  ];
  for (const [suffix, kind] of kinds) {
    app.route({
      method: ['GET', 'HEAD', 'POST'],
      url: `/ping/:token${suffix}`,
      schema: {
        tags: ['Heartbeats'],
        summary: `Heartbeat: record a ${kind} ping`,
        security: [],
        params: Params,
        response: {
          200: { description: 'Stored', content: { 'text/plain': { schema: Type.Literal('OK') } } },
          // Any content type is taken, so no 415; a bad percent-encoding is 400, a body over 1 MiB 413.
          400: Message,
          413: Message,
          404: Message,
          422: Message,
          429: Message,
          503: Message,
        },
      },
      handler: async (req, reply) => {
        const { token } = req.params as { token: string };
        const wait = throttle.take(token);
        if (wait > 0) {
          return reply
            .code(429)
            .header('Retry-After', String(wait))
            .send({
              message: `Too many pings for this check: at most ${opts.pingRatePerMinute} a minute (VIGIL_PING_RATE_PER_MINUTE); retry in ${wait} s`,
            });
        }
        // PostgreSQL text cannot hold NUL: both databases store it as U+FFFD, so the ping is never refused.
        const body =
          typeof req.body === 'string' && req.body.length
            ? req.body.slice(0, PING_BODY_LIMIT).replaceAll('\0', '\uFFFD')
            : null;
        const ok = await recordPing(
          opts.ctx,
          token,
          { kind, sourceIp: req.ip, userAgent: req.headers['user-agent'] ?? null, body },
          { keep: opts.pingHistory },
        );
        if (!ok) return reply.code(404).send({ message: 'Healthcheck not found' });
        return reply.type('text/plain; charset=utf-8').send('OK');
      },
    });
  }
}
