import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConflictError } from '../../domain/errors.ts';
import { checkPassword, parseEmail } from '../../domain/users.ts';
import { authenticateUser, createSession, createUser, endSession, hasUsers } from '../../services/users.ts';
import { createFailureThrottle } from '../../http/rate-limit.ts';
import { html } from './html.ts';
import { checkField, csrfInput, field, form, type FieldErrors } from './forms.ts';
import { messagePage, page, sendPage, type Deps } from './layout.ts';
import { SESSION_COOKIE, csrfToken, setCookie, startSessionCookie } from './session.ts';

/** Failed sign-ins allowed per email and client address in a 15-minute window. */
export const SIGN_IN_FAILURES = 5;
const SIGN_IN_WINDOW_MS = 15 * 60_000;

export default function signInRoutes(app: FastifyInstance, { ctx, assets }: Deps) {
  const throttle = createFailureThrottle(SIGN_IN_FAILURES, ctx.clock, SIGN_IN_WINDOW_MS);

  function setupPage(req: FastifyRequest, reply: FastifyReply, status: number, values: { email?: string }, errors: FieldErrors) {
    const body = html`<section class="card narrow">
  <h1>Set up Vigil</h1>
  <p>Create the first account. It becomes the owner of every existing project, including “Default”.</p>
  <form method="post" action="/app/setup">
    ${csrfInput(csrfToken(req, reply))}
    ${field({ label: 'Email', name: 'email', type: 'email', value: values.email, error: errors.email, required: true, autocomplete: 'username' })}
    ${field({ label: 'Password', name: 'password', type: 'password', error: errors.password, hint: 'At least 10 characters.', required: true, autocomplete: 'new-password', attrs: html` minlength="10"` })}
    <button type="submit" class="primary">Create account</button>
  </form>
</section>`;
    return sendPage(reply, status, page({ title: 'Set up Vigil', assets, body }));
  }

  function loginPage(req: FastifyRequest, reply: FastifyReply, status: number, email: string, alert?: string) {
    const body = html`<section class="card narrow">
  <h1>Sign in</h1>
  ${alert ? html`<p class="alert" role="alert">${alert}</p>` : ''}
  <form method="post" action="/app/login">
    ${csrfInput(csrfToken(req, reply))}
    ${field({ label: 'Email', name: 'email', type: 'email', value: email, required: true, autocomplete: 'username' })}
    ${field({ label: 'Password', name: 'password', type: 'password', required: true, autocomplete: 'current-password' })}
    <button type="submit" class="primary">Sign in</button>
  </form>
</section>`;
    return sendPage(reply, status, page({ title: 'Sign in', assets, body }));
  }

  async function signIn(req: FastifyRequest, reply: FastifyReply, userId: number) {
    if (req.dash.session) await endSession(ctx, req.dash.session);
    const { token } = await createSession(ctx, userId);
    startSessionCookie(req, reply, token);
    return reply.redirect('/app/projects', 303);
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
      return sendPage(reply, 403, messagePage(assets, 'Already set up', `${err.message}.`, null, undefined, { href: '/app/login', text: 'Sign in' }));
    }
  });

  app.get('/login', async (req, reply) => {
    if (req.dash.user) return reply.redirect('/app/projects', 303);
    if (!(await hasUsers(ctx))) return reply.redirect('/app/setup', 303);
    return loginPage(req, reply, 200, '');
  });

  app.post('/login', async (req, reply) => {
    const f = form(req);
    const email = (f.get('email') ?? '').trim().toLowerCase();
    const client = `${email}\0${req.ip}`;
    const wait = throttle.blockedFor(client);
    if (wait > 0) {
      reply.header('Retry-After', String(wait));
      return loginPage(req, reply, 429, email, `Too many failed sign-in attempts. Wait ${Math.ceil(wait / 60)} minute${wait > 60 ? 's' : ''} and try again.`);
    }
    const user = await authenticateUser(ctx, email, f.get('password') ?? '');
    if (!user) {
      throttle.fail(client);
      return loginPage(req, reply, 401, email, 'Incorrect email or password.');
    }
    throttle.reset(client);
    return signIn(req, reply, user.id);
  });

  app.post('/logout', async (req, reply) => {
    if (req.dash.session) await endSession(ctx, req.dash.session);
    setCookie(req, reply, SESSION_COOKIE, '', 0);
    return reply.redirect('/app/login', 303);
  });
}
