import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConflictError } from '../../../domain/errors.ts';
import { checkPassword, parseEmail } from '../../../domain/users.ts';
import { authenticateUser, createSession, createUser, endSession, hasUsers, listUserProjects } from '../../../services/users.ts';
import { createFailureThrottle } from '../../../domain/throttle.ts';
import { checkField, type FieldErrors } from '../../ui/forms.ts';
import { messageScreen, page } from '../../ui/layout.ts';
import { form, sendPage, type Deps } from '../handler.ts';
import { SESSION_COOKIE, csrfToken, setCookie, startSessionCookie } from '../session.ts';
import { loginScreen, setupScreen } from './views.ts';

/** Failed sign-ins allowed per email and client address in a 15-minute window. */
export const SIGN_IN_FAILURES = 5;
/** Failed sign-ins allowed per client address across all emails in the same window (guessing one password for many accounts). */
export const SIGN_IN_ADDRESS_FAILURES = 20;
const SIGN_IN_WINDOW_MS = 15 * 60_000;

// Only an invitation's page may be where a sign-in leads: never another site.
const NEXT = /^\/app\/invite\/inv_[A-Za-z0-9]{40}$/;
const nextOf = (v: unknown): string | null => (typeof v === 'string' && NEXT.test(v) ? v : null);

export default function signInRoutes(app: FastifyInstance, { ctx, assets }: Deps) {
  const throttle = createFailureThrottle(SIGN_IN_FAILURES, ctx.clock, SIGN_IN_WINDOW_MS);
  // Never reset by a success: signing in to one's own account must not buy more guesses at others.
  const addressThrottle = createFailureThrottle(SIGN_IN_ADDRESS_FAILURES, ctx.clock, SIGN_IN_WINDOW_MS);

  // Nobody is signed in on these pages: no account header.
  function setupPage(req: FastifyRequest, reply: FastifyReply, status: number, values: { email?: string }, errors: FieldErrors) {
    return sendPage(reply, status, page({ assets }, setupScreen({ csrf: csrfToken(req, reply), email: values.email, errors })));
  }

  function loginPage(req: FastifyRequest, reply: FastifyReply, status: number, email: string, alert?: string, next?: string | null) {
    return sendPage(reply, status, page({ assets }, loginScreen({ csrf: csrfToken(req, reply), email, alert, next })));
  }

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
      return sendPage(reply, 403, page({ assets }, messageScreen('Already set up', `${err.message}.`, { href: '/app/login', text: 'Sign in' })));
    }
  });

  app.get('/login', async (req, reply) => {
    const next = nextOf((req.query as Record<string, unknown>).next);
    if (req.dash.user) return reply.redirect(next ?? '/app/projects', 303);
    if (!(await hasUsers(ctx))) return reply.redirect('/app/setup', 303);
    return loginPage(req, reply, 200, typeof (req.query as Record<string, unknown>).email === 'string' ? String((req.query as Record<string, unknown>).email).slice(0, 254) : '', undefined, next);
  });

  app.post('/login', async (req, reply) => {
    const f = form(req);
    const next = nextOf(f.get('next'));
    const email = (f.get('email') ?? '').trim().toLowerCase();
    const client = `${email}\0${req.ip}`;
    const wait = Math.max(throttle.blockedFor(client), addressThrottle.blockedFor(req.ip));
    if (wait > 0) {
      reply.header('Retry-After', String(wait));
      return loginPage(req, reply, 429, email, `Too many failed sign-in attempts. Wait ${Math.ceil(wait / 60)} minute${wait > 60 ? 's' : ''} and try again.`, next);
    }
    const user = await authenticateUser(ctx, email, f.get('password') ?? '');
    if (!user) {
      throttle.fail(client);
      addressThrottle.fail(req.ip);
      return loginPage(req, reply, 401, email, 'Incorrect email or password.', next);
    }
    throttle.reset(client);
    return signIn(req, reply, user.id, next);
  });

  app.post('/logout', async (req, reply) => {
    if (req.dash.session) await endSession(ctx, req.dash.session);
    setCookie(req, reply, SESSION_COOKIE, '', 0);
    return reply.redirect('/app/login', 303);
  });
}
