import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { permits } from '../domain/api-keys.ts';
import { audit, createAuthenticator } from '../services/api-keys.ts';
import type { ActorCtx, Ctx } from '../services/context.ts';
import { createFailureThrottle, createRateLimiter } from './rate-limit.ts';
import { FORBIDDEN, UNAUTHORIZED } from './errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    ctx: ActorCtx;
  }
}

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

/**
 * auth-spec.md as an onRequest hook for every API route: 401 → rate limit → 403. It runs
 * before the body is read, so a refused request never reaches validation or a handler.
 */
export function installAuth(app: FastifyInstance, base: Ctx, opts: { rateLimitPerHour: number; authFailuresPerMinute: number }) {
  const authenticate = createAuthenticator(base);
  const limiter = createRateLimiter(opts.rateLimitPerHour, base.clock);
  const throttle = createFailureThrottle(opts.authFailuresPerMinute, base.clock);

  function tooMany(reply: FastifyReply, seconds: number, message: string) {
    return reply.code(429).header('Retry-After', String(seconds)).send({ message });
  }

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const wait = throttle.blockedFor(req.ip);
    if (wait > 0) return tooMany(reply, wait, 'Too many failed authentication attempts; try again later');
    const match = BEARER.exec(req.headers.authorization ?? '');
    const actor = match ? await authenticate(match[1]) : null;
    if (!actor) {
      throttle.fail(req.ip);
      return reply.code(401).header('WWW-Authenticate', 'Bearer').send(UNAUTHORIZED);
    }
    if (limiter.enabled) {
      const rl = limiter.consume(actor.keyId!);
      reply.headers(rl.headers);
      if (rl.limited) return tooMany(reply, rl.retryAfter, 'Too many requests');
    }
    if (!permits(actor.permission, req.method)) {
      audit(base.store.db, {
        projectId: actor.projectId, action: 'api.forbidden', keyId: actor.keyId, actor: `key:${actor.keyId}`,
        sourceIp: req.ip, detail: `${req.method} ${req.url.split('?')[0]}`.slice(0, 300), at: base.clock(),
      }).catch((err) => req.log.warn({ err }, 'could not write audit row'));
      return reply.code(403).send(FORBIDDEN);
    }
    req.ctx = { ...base, actor };
  });
}
