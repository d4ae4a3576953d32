import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConflictError } from '../../../domain/errors.ts';
import { checkPassword, parseEmail } from '../../../domain/users.ts';
import {
  authenticateUser,
  createSession,
  createUser,
  endSession,
  hasUsers,
  listUserProjects,
} from '../../../services/users.ts';
import {
  completePendingSignIn,
  endPendingSignIn,
  findPendingSignIn,
  hasTwoFactor,
  PENDING_SIGN_IN_MS,
  startPendingSignIn,
} from '../../../services/two-factor.ts';
import { waitText } from '../credential-throttle.ts';
import { checkField, type FieldErrors } from '../../ui/forms.ts';
import { messageScreen, page } from '../../ui/layout.ts';
import { form, sendPage, type Deps } from '../handler.ts';
import { SESSION_COOKIE, csrfToken, readCookies, setCookie, startSessionCookie } from '../session.ts';
import { codeScreen, loginScreen, setupScreen } from './views.ts';

export { SIGN_IN_FAILURES, SIGN_IN_ADDRESS_FAILURES } from '../credential-throttle.ts';

/** Between a right password and the second factor: the pending sign-in's token (services/two-factor.ts), not a session. */
const PENDING_COOKIE = 'vigil_pending';

// Only an invitation's page may be where a sign-in leads: never another site.
const NEXT = /^\/app\/invite\/inv_[A-Za-z0-9]{40}$/;
const nextOf = (v: unknown): string | null => (typeof v === 'string' && NEXT.test(v) ? v : null);

export default function signInRoutes(app: FastifyInstance, { ctx, assets, throttle }: Deps) {
  // Nobody is signed in on these pages: no account header.
  function setupPage(
    req: FastifyRequest,
    reply: FastifyReply,
    status: number,
    values: { email?: string },
    errors: FieldErrors,
  ) {
    return sendPage(
      reply,
      status,
      page({ assets }, setupScreen({ csrf: csrfToken(req, reply), email: values.email, errors })),
    );
  }

  function loginPage(
    req: FastifyRequest,
    reply: FastifyReply,
    status: number,
    email: string,
    alert?: string,
    next?: string | null,
  ) {
    return sendPage(reply, status, page({ assets }, loginScreen({ csrf: csrfToken(req, reply), email, alert, next })));
  }

  function codePage(req: FastifyRequest, reply: FastifyReply, status: number, error?: string) {
    return sendPage(reply, status, page({ assets }, codeScreen({ csrf: csrfToken(req, reply), error })));
  }

  const pendingToken = (req: FastifyRequest) => readCookies(req.headers.cookie).get(PENDING_COOKIE);

  async function signIn(req: FastifyRequest, reply: FastifyReply, userId: number, next?: string | null) {
    if (req.dash.session) await endSession(ctx, req.dash.session);
    const { token } = await createSession(ctx, userId);
    startSessionCookie(req, reply, token);
    if (next) return reply.redirect(next, 303);
    // Someone with one project lands on its monitors; with several, on the list of projects.
    const projects = await listUserProjects(ctx, userId);
    return reply.redirect(projects.length === 1 ? `/app/projects/${projects[0].uuid}/monitors` : '/app/projects', 303);
  }

  app.get('/', async (req, reply) => {
    if (!(await hasUsers(ctx))) return reply.redirect('/app/setup', 303);
    return reply.redirect(req.dash.user ? '/app/projects' : '/app/login', 303);
  });

  app.get('/setup', async (req, reply) => {
    if (await hasUsers(ctx)) return reply.redirect('/app/login', 303);
    return setupPage(req, reply, 200, {}, {});
  });

  app.post('/setup', async (req, reply) => {
    const f = form(req);
    const errors: FieldErrors = {};
    const email = checkField(errors, 'email', () => parseEmail(f.get('email')));
    const password = checkField(errors, 'password', () => checkPassword(f.get('password')));
    try {
      if (email === undefined || password === undefined) {
        if (await hasUsers(ctx)) throw new ConflictError('Vigil is already set up: sign in instead');
        return setupPage(req, reply, 422, { email: f.get('email') ?? '' }, errors);
      }
      const user = await createUser(ctx, { email, password, onlyFirst: true });
      return signIn(req, reply, user.id);
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      return sendPage(
        reply,
        403,
        page({ assets }, messageScreen('Already set up', `${err.message}.`, { href: '/app/login', text: 'Sign in' })),
      );
    }
  });

  app.get('/login', async (req, reply) => {
    const next = nextOf((req.query as Record<string, unknown>).next);
    if (req.dash.user) return reply.redirect(next ?? '/app/projects', 303);
    if (!(await hasUsers(ctx))) return reply.redirect('/app/setup', 303);
    return loginPage(
      req,
      reply,
      200,
      typeof (req.query as Record<string, unknown>).email === 'string'
        ? String((req.query as Record<string, unknown>).email).slice(0, 254)
        : '',
      undefined,
      next,
    );
  });

  app.post('/login', async (req, reply) => {
    const f = form(req);
    const next = nextOf(f.get('next'));
    const email = (f.get('email') ?? '').trim().toLowerCase();
    const attempt = { email, ip: req.ip };
    const wait = throttle.waitFor(attempt);
    if (wait > 0) {
      reply.header('Retry-After', String(wait));
      return loginPage(req, reply, 429, email, `Too many failed sign-in attempts. ${waitText(wait)}`, next);
    }
    const user = await authenticateUser(ctx, email, f.get('password') ?? '');
    if (!user) {
      throttle.fail(attempt);
      return loginPage(req, reply, 401, email, 'Incorrect email or password.', next);
    }
    if (await hasTwoFactor(ctx, user.id)) {
      // The counts stay until the code is right too: a known password buys no fresh guesses.
      setCookie(req, reply, PENDING_COOKIE, await startPendingSignIn(ctx, user.id, next), PENDING_SIGN_IN_MS);
      return reply.redirect('/app/login/code', 303);
    }
    throttle.succeeded(attempt);
    return signIn(req, reply, user.id, next);
  });

  app.get('/login/code', async (req, reply) => {
    if (req.dash.user) return reply.redirect('/app/projects', 303);
    if (!(await findPendingSignIn(ctx, pendingToken(req)))) return reply.redirect('/app/login', 303);
    return codePage(req, reply, 200);
  });

  app.post('/login/code', async (req, reply) => {
    const token = pendingToken(req);
    const pending = await findPendingSignIn(ctx, token);
    const again = (alert: string) => {
      setCookie(req, reply, PENDING_COOKIE, '', 0);
      return loginPage(req, reply, 401, pending?.email ?? '', alert, pending?.next);
    };
    if (!pending || !token) return again('This sign-in has expired. Sign in again.');
    const attempt = { email: pending.email, ip: req.ip, account: String(pending.userId) };
    const wait = throttle.waitFor(attempt);
    if (wait > 0) {
      reply.header('Retry-After', String(wait));
      return codePage(req, reply, 429, `Too many wrong codes. ${waitText(wait)}`);
    }
    const result = await completePendingSignIn(ctx, token, form(req).get('code') ?? '');
    if (result !== 'ok') {
      throttle.fail(attempt);
      if (result === 'ended') return again('Too many wrong codes for this sign-in. Sign in again.');
      return codePage(
        req,
        reply,
        401,
        'That code is not right. Type the 6 digits your app shows now, or a recovery code.',
      );
    }
    throttle.succeeded(attempt);
    setCookie(req, reply, PENDING_COOKIE, '', 0);
    return signIn(req, reply, pending.userId, pending.next);
  });

  /** Leaves the code step: the pending sign-in is forgotten. */
  app.post('/login/cancel', async (req, reply) => {
    await endPendingSignIn(ctx, pendingToken(req));
    setCookie(req, reply, PENDING_COOKIE, '', 0);
    return reply.redirect('/app/login', 303);
  });

  app.post('/logout', async (req, reply) => {
    if (req.dash.session) await endSession(ctx, req.dash.session);
    setCookie(req, reply, SESSION_COOKIE, '', 0);
    return reply.redirect('/app/login', 303);
  });
}
