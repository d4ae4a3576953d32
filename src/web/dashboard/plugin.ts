import type { FastifyError, FastifyInstance } from 'fastify';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnavailableError,
  ValidationError,
} from '../../domain/errors.ts';
import { databaseUnavailable } from '../../storage/store.ts';
import { sessionUser } from '../../services/users.ts';
import type { Ctx } from '../../services/context.ts';
import { DEFAULT_PROBE_LIVE_MS } from '../../domain/probes.ts';
import { loadAssets } from '../ui/assets/load.ts';
import { messageScreen, page } from '../ui/layout.ts';
import { form, sendPage, type Deps } from './handler.ts';
import { SESSION_COOKIE, PRESESSION_COOKIE, csrfValid, readCookies, setCookie } from './session.ts';
import signInRoutes from './sign-in/routes.ts';
import projectRoutes from './projects/routes.ts';
import developerRoutes from './developers/routes.ts';
import monitorRoutes from './monitors/routes.ts';
import healthcheckRoutes from './healthchecks/routes.ts';
import outageRoutes from './outages/routes.ts';
import incidentRoutes from './incidents/routes.ts';
import maintenanceRoutes from './maintenance/routes.ts';
import statusPageRoutes from './statuspages/routes.ts';
import alertingRoutes from './alerting/routes.ts';
import memberRoutes from './members/routes.ts';
import generalSettingsRoutes from './general/routes.ts';
import invitationRoutes from './invitations/routes.ts';
import accountRoutes from './account/routes.ts';
import { createCredentialThrottle } from './credential-throttle.ts';
import liveRoutes from './live/routes.ts';

/** Dashboard forms are small; anything bigger is refused before it is read. */
const FORM_BODY_LIMIT = 64 * 1024;
const PRESESSION = /^[A-Za-z0-9]{32}$/;

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const STATUS_TEXT: Record<number, [string, string]> = {
  400: ['Bad request', 'The request could not be read.'],
  413: ['Form too large', 'The form was larger than Vigil accepts.'],
  415: ['Unsupported form', 'Send the form from the dashboard page.'],
};

/**
 * The web dashboard, mounted under /app: server-rendered pages, a session cookie, a CSRF token
 * on every POST, and the same services the API and the CLI use.
 */
export default async function dashboard(
  app: FastifyInstance,
  opts: { ctx: Ctx; publicUrl?: string; rawRetentionDays?: number; builtInLocation?: string; probeLiveMs?: number },
) {
  const { ctx } = opts;
  const { assets, files } = loadAssets();
  const deps: Deps = {
    ctx,
    assets,
    publicUrl: opts.publicUrl ?? '',
    rawRetentionDays: opts.rawRetentionDays ?? 7,
    throttle: createCredentialThrottle(ctx.clock),
    builtInLocation: opts.builtInLocation ?? 'local',
    probeLiveMs: opts.probeLiveMs ?? DEFAULT_PROBE_LIVE_MS,
  };
  // Pages outside the signed-in frame: refusals, errors, the 404.
  const message = (title: string, text: string, link?: { href: string; text: string }) =>
    page({ assets }, messageScreen(title, text, link));

  app.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, hide: true }; // not part of the API document
  });
  // The app accepts only JSON; dashboard forms are urlencoded, in this scope only.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT },
    (_req, body, done) => {
      done(null, new URLSearchParams(body as string));
    },
  );

  app.decorateRequest('dash', null as never);
  app.addHook('onRequest', async (req, reply) => {
    const cookies = readCookies(req.headers.cookie);
    const presession = cookies.get(PRESESSION_COOKIE) ?? '';
    req.dash = { user: null, session: null, presession: PRESESSION.test(presession) ? presession : null };
    if (req.url.startsWith('/app/assets/')) return;
    const token = cookies.get(SESSION_COOKIE);
    if (!token) return;
    req.dash.user = await sessionUser(ctx, token);
    if (req.dash.user) req.dash.session = token;
    else setCookie(req, reply, SESSION_COOKIE, '', 0);
  });

  // Every state change is a POST, and every POST carries the session's CSRF token.
  app.addHook('preHandler', async (req, reply) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.is404) return;
    if (!csrfValid(req, form(req).get('_csrf'))) {
      return sendPage(
        reply,
        403,
        message(
          'Form expired',
          'This form was not accepted: it is out of date or was not sent from this dashboard. Nothing was changed. Go back, reload the page and try again.',
          { href: req.dash.user ? '/app/projects' : '/app/login', text: 'Back to the dashboard' },
        ),
      );
    }
  });

  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('Content-Security-Policy', CSP);
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Referrer-Policy', 'same-origin');
    if (!reply.hasHeader('Cache-Control')) reply.header('Cache-Control', 'no-store');
    return payload;
  });

  const notFound = () => message('Page not found', 'There is nothing here, or you do not have access to it.');
  app.setNotFoundHandler((_req, reply) => sendPage(reply, 404, notFound()));
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof NotFoundError) return sendPage(reply, 404, notFound());
    if (err instanceof ValidationError) return sendPage(reply, 422, message('Not accepted', err.message));
    if (err instanceof ConflictError) return sendPage(reply, 409, message('Not accepted', err.message));
    if (err instanceof ForbiddenError)
      return sendPage(
        reply,
        403,
        message('Owners only', `${err.message}. Nothing was changed.`, {
          href: '/app/projects',
          text: 'Back to the dashboard',
        }),
      );
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const [title, text] = STATUS_TEXT[status] ?? ['Not accepted', 'The request was not accepted.'];
      return sendPage(reply, status, message(title, text));
    }
    // The database as a whole refused (locked, full, unreachable): nothing was lost; try again.
    const down = err instanceof UnavailableError ? err.message : databaseUnavailable(err);
    if (down) {
      req.log.warn({ err: err.message }, `database unavailable: ${down}`);
      reply.header('retry-after', '5');
      return sendPage(
        reply,
        503,
        message('Try again in a moment', `Vigil cannot reach its database just now (${down}). Nothing was changed.`),
      );
    }
    req.log.error({ err }, 'unexpected dashboard error');
    return sendPage(
      reply,
      500,
      message('Something went wrong', 'Vigil could not show this page. The error was logged; try again in a moment.'),
    );
  });

  app.get('/assets/:file', async (req, reply) => {
    const file = files.get((req.params as { file: string }).file);
    if (!file) return sendPage(reply, 404, notFound());
    return reply.type(file.type).header('Cache-Control', 'public, max-age=86400').send(file.body);
  });

  signInRoutes(app, deps);
  invitationRoutes(app, deps);
  await app.register(async (signedIn) => {
    signedIn.addHook('preHandler', async (req, reply) => {
      if (!req.dash.user) return reply.redirect('/app/login', 303);
    });
    projectRoutes(signedIn, deps);
    developerRoutes(signedIn, deps);
    monitorRoutes(signedIn, deps);
    healthcheckRoutes(signedIn, deps);
    outageRoutes(signedIn, deps);
    incidentRoutes(signedIn, deps);
    maintenanceRoutes(signedIn, deps);
    statusPageRoutes(signedIn, deps);
    alertingRoutes(signedIn, deps);
    memberRoutes(signedIn, deps);
    generalSettingsRoutes(signedIn, deps);
    accountRoutes(signedIn, deps);
    liveRoutes(signedIn, deps);
  });
}
