import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { permits } from '../domain/api-keys.ts';
import { audit, createAuthenticator, wellFormedKey } from '../services/api-keys.ts';
import type { Actor, ActorCtx, Ctx } from '../services/context.ts';
import { createRateLimiter } from './rate-limit.ts';
import { createFailureThrottle } from '../domain/throttle.ts';
import { FORBIDDEN, UNAUTHORIZED } from './errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    ctx: ActorCtx;
    /**
     * Counts `n` more requests against the key's quota (an MCP batch counts each call): true
     * when they fit, else the 429 has been sent.
     */
    spend(n: number): boolean;
  }
}

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

/**
 * The bearer token of a request, or null. A request with two Authorization headers has none:
 * Node keeps only the first, and which one a proxy or a client meant cannot be known.
 */
export function bearerToken(req: FastifyRequest): string | null {
  const raw = req.raw.rawHeaders;
  let seen = 0;
  for (let i = 0; i < raw.length; i += 2)
    if (raw[i].length === 13 && raw[i].toLowerCase() === 'authorization' && ++seen > 1) return null;
  return BEARER.exec(req.headers.authorization ?? '')?.[1] ?? null;
}

/**
 * auth-spec.md as an onRequest hook for every API route: 401 → rate limit → 403. It runs
 * before the body is read, so a refused request never reaches validation or a handler.
 */
export function installAuth(
  app: FastifyInstance,
  base: Ctx,
  opts: { rateLimitPerHour: number; authFailuresPerMinute: number },
) {
  const authenticate = createAuthenticator(base);
  const limiter = createRateLimiter(opts.rateLimitPerHour, base.clock);
  const throttle = createFailureThrottle(opts.authFailuresPerMinute, base.clock);

  function tooMany(reply: FastifyReply, seconds: number, message: string) {
    return reply.code(429).header('Retry-After', String(seconds)).send({ message });
  }

  app.decorateRequest('ctx', null as never); // a fixed request shape: every request gets one
  app.decorateRequest('spend', null as never);
  // An unchanged key is the same Actor from one request to the next (createAuthenticator), and
  // keeps its context: services only read ctx.
  const contexts = new WeakMap<Actor, ActorCtx>();
  function admit(
    req: FastifyRequest,
    reply: FastifyReply,
    actor: Actor | null,
    done: (err?: Error) => void,
    store = base.store,
  ) {
    if (!actor) {
      throttle.fail(req.ip);
      return reply.code(401).header('WWW-Authenticate', 'Bearer').send(UNAUTHORIZED);
    }
    if (limiter.enabled) {
      const rl = limiter.consume(actor.keyId!);
      reply.headers(rl.headers);
      if (rl.limited)
        return tooMany(
          reply,
          rl.retryAfter,
          `Too many requests: this key may make ${limiter.limit} an hour (VIGIL_RATE_LIMIT_PER_HOUR); retry in ${rl.retryAfter} s`,
        );
    }
    if (!permits(actor.permission, req.method)) {
      audit(base.store.db, {
        projectId: actor.projectId,
        action: 'api.forbidden',
        keyId: actor.keyId,
        actor: `key:${actor.keyId}`,
        sourceIp: req.ip,
        detail: `${req.method} ${req.url.split('?')[0]}`.slice(0, 300),
        at: base.clock(),
      }).catch((err) => req.log.warn({ err }, 'could not write audit row'));
      return reply.code(403).send(FORBIDDEN);
    }
    let ctx = contexts.get(actor);
    if (ctx?.store !== store) contexts.set(actor, (ctx = { ...base, store, actor }));
    req.ctx = ctx;
    req.spend = (n) => {
      if (!limiter.enabled || n <= 0) return true;
      const rl = limiter.consume(actor.keyId!, n);
      reply.headers(rl.headers);
      if (!rl.limited) return true;
      tooMany(reply, rl.retryAfter, `Too many requests: the batch's ${n + 1} calls do not fit in the key's quota`);
      return false;
    };
    done();
  }

  // Callback style, and synchronous when the key lookup is (SQLite): the hot path of every
  // API request makes no promise. A hook that answers does not call done.
  app.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done) => {
    const wait = throttle.blockedFor(req.ip);
    if (wait > 0) return tooMany(reply, wait, 'Too many failed authentication attempts; try again later');
    const token = bearerToken(req);
    // PostgreSQL: one statement shared by the requests of a turn reads their keys and pins the
    // store: what they read is served from memory while nothing has committed (Store.pinWith).
    if (token && wellFormedKey(token) && base.store.pinWith) {
      authenticate.pinned(token).then(([actor, store]) => admit(req, reply, actor, done, store), done);
      return;
    }
    const actor = token ? authenticate(token) : null;
    if (actor instanceof Promise) actor.then((a) => admit(req, reply, a, done), done);
    else admit(req, reply, actor, done);
  });
}
