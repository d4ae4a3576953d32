import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Ctx } from '../../services/context.ts';
import { ValidationError } from '../../domain/errors.ts';
import type { PageLanguage } from '../../domain/statuspages.ts';
import { isSubscriberEmail, type StatusPage } from '../../services/statuspages.ts';
import {
  confirmSubscription,
  findPageByHost,
  findPageBySubdomain,
  isProtected,
  loadPageIncident,
  loadPageStatus,
  pagePasswordMatches,
  subscribeFromPage,
  subscriberExists,
  unsubscribeFromPage,
} from '../../services/public-pages.ts';
import { createWindowThrottle } from '../../domain/throttle.ts';
import { ACCESS_TTL_MS, AttemptLimiter, accessCookieName, hasAccess, signAccess } from './access.ts';
import {
  confirmForm,
  passwordForm,
  renderIncidentPage,
  renderSmallPage,
  renderStatusPage,
  safeUrl,
  unsubscribeForm,
  type Rendered,
} from './views.ts';
import { RenderCache, type Prepared } from './rendered.ts';
import { renderFeed } from './feed.ts';
import { renderBadge } from './badge.ts';
import { pickLanguage, stringsFor } from './strings.ts';

/**
 * The public status pages, outside the authenticated API: /status/<subdomain>[/…] on any host,
 * and / (with the same sub-paths) on a host that is a page's custom `hostname`.
 */

const FORM_BYTES = 8 * 1024;
/** Public subscriptions per client address, and per page, per hour (per server process). */
export const SUBSCRIBE_PER_ADDRESS = 5;
export const SUBSCRIBE_PER_PAGE = 100;
const TOKEN = /^[A-Za-z0-9]{1,64}$/;
const hide = { schema: { hide: true } };

type Form = Record<string, unknown>;

interface Mount {
  /** The route path for a sub-path of the page ('' is the page itself). */
  at(sub: string): string;
  find(req: FastifyRequest): Promise<StatusPage | null>;
  /** Path prefix of the page's links ('' at the root of its own host). */
  base(page: StatusPage): string;
  /** Absolute URL of the page, for the feed. */
  url(req: FastifyRequest, page: StatusPage): string;
  miss(req: FastifyRequest, reply: FastifyReply): Promise<unknown> | FastifyReply;
}

const newNonce = () => randomBytes(16).toString('base64');

interface Sent {
  imgOrigins?: (string | null)[];
  cache?: string;
}

function htmlHeaders(reply: FastifyReply, code: number, nonce: string, opts: Sent): FastifyReply {
  const img = ["'self'", 'data:', ...new Set(opts.imgOrigins?.filter((o): o is string => !!o) ?? [])].join(' ');
  return reply
    .code(code)
    .type('text/html; charset=utf-8')
    .header(
      'content-security-policy',
      `default-src 'none'; style-src 'nonce-${nonce}'; img-src ${img}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    )
    .header('cache-control', opts.cache ?? 'no-store');
}

function sendHtml(reply: FastifyReply, code: number, build: (nonce: string) => string, opts: Sent = {}): FastifyReply {
  const nonce = newNonce();
  return htmlHeaders(reply, code, nonce, opts).send(build(nonce));
}

/** A document rendered once (rendered.ts): a long one is written from the shared bytes, not copied. */
function sendPrepared(reply: FastifyReply, code: number, doc: Prepared, opts: Sent = {}): FastifyReply {
  const nonce = newNonce();
  const open = Buffer.from(`${doc.open}${nonce}`);
  htmlHeaders(reply, code, nonce, opts);
  return reply.send(
    doc.close.length < 256 * 1024 ? Buffer.concat([open, doc.close]) : Readable.from([open, doc.close]),
  );
}

const prepare = (r: Rendered): Prepared => ({ open: r.open, close: Buffer.from(r.close) });

/** At most this much rendered HTML and RSS is kept for the public pages (per server process). */
const RENDERED_BYTES = 64 * 1024 * 1024;
const INCIDENT_ID = /^inci_[A-Za-z0-9_-]{1,125}$/;

/** The origin of a URL for a CSP source list, only when it is a plain scheme://host[:port]. */
function cspOrigin(u: string | null): string | null {
  if (!u) return null;
  const origin = new URL(u).origin;
  return /^https?:\/\/(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i.test(origin) ? origin : null;
}

const formOf = (req: FastifyRequest): Form =>
  req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as Form) : {};
const field = (f: Form, k: string): string => (typeof f[k] === 'string' ? (f[k] as string) : '');

function langOf(page: StatusPage | null, requested: unknown): PageLanguage {
  const s = page?.settings;
  return pickLanguage(requested, Array.isArray(s?.languages) ? s.languages : ['en'], s?.default_language ?? 'en');
}

function queryLang(req: FastifyRequest): unknown {
  return (req.query as Record<string, unknown> | undefined)?.lang;
}

function withLang(path: string, page: StatusPage, lang: PageLanguage): string {
  return lang === page.settings.default_language ? path : `${path}${path.includes('?') ? '&' : '?'}lang=${lang}`;
}

export function notFoundPage(reply: FastifyReply): FastifyReply {
  const t = stringsFor('en');
  return sendHtml(reply, 404, (nonce) =>
    renderSmallPage({ lang: 'en', nonce, settings: null, title: t.notFound, text: t.notFoundText }),
  );
}

export default async function publicPageRoutes(app: FastifyInstance, opts: { ctx: Ctx; publicUrl: string }) {
  const { ctx } = opts;
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_BYTES },
    (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    },
  );
  app.addHook('onSend', async (_req, reply) => {
    reply
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('x-frame-options', 'DENY');
  });
  // Errors of these routes (a body too large, a type not accepted) answer in HTML, not JSON.
  app.setErrorHandler((err: { statusCode?: number }, req, reply) => {
    const code =
      typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (code === 500) req.log.error({ err, reqId: req.id }, 'status page error');
    const t = stringsFor('en');
    return sendHtml(reply, code, (nonce) =>
      renderSmallPage({ lang: 'en', nonce, settings: null, title: t.error, text: `HTTP ${code}` }),
    );
  });

  const rendered = new RenderCache(RENDERED_BYTES);
  const limiter = new AttemptLimiter(10, 60_000);
  const byAddress = createWindowThrottle(SUBSCRIBE_PER_ADDRESS, ctx.clock, 3600_000);
  const byPage = createWindowThrottle(SUBSCRIBE_PER_PAGE, ctx.clock, 3600_000);
  const authorized = (req: FastifyRequest, page: StatusPage) =>
    !isProtected(page) || hasAccess(req.headers.cookie, page.row.uuid, page.row.password_hash!, ctx.clock());

  function gate(
    reply: FastifyReply,
    m: Mount,
    page: StatusPage,
    lang: PageLanguage,
    code: number,
    error?: string,
  ): FastifyReply {
    const t = stringsFor(lang);
    return sendHtml(reply, code, (nonce) =>
      renderSmallPage({
        lang,
        nonce,
        settings: page.settings,
        title: t.protectedTitle,
        text: t.protectedText,
        error,
        form: passwordForm(`${m.base(page)}/auth`, lang),
      }),
    );
  }

  function mount(m: Mount) {
    const home = (page: StatusPage) => m.base(page) || '/';
    const img = (page: StatusPage) => [
      cspOrigin(safeUrl(page.settings.logo)),
      cspOrigin(safeUrl(page.settings.favicon)),
    ];
    const cache = (page: StatusPage) => (isProtected(page) ? 'private, no-store' : 'no-cache');

    app.get(m.at(''), hide, async (req, reply) => {
      const page = await m.find(req);
      if (!page) return m.miss(req, reply);
      const lang = langOf(page, queryLang(req));
      if (!authorized(req, page)) return gate(reply, m, page, lang, 401);
      const status = await loadPageStatus(ctx, page);
      const notice =
        (req.query as Record<string, unknown>)?.subscribed === '1' ? stringsFor(lang).subscribed : undefined;
      const base = m.base(page);
      const doc = await rendered.get(`${page.row.id}|page|${lang}|${base}|${notice ?? ''}`, status, () =>
        renderStatusPage({ page, status, lang, base, notice, mail: ctx.emailEnabled === true }),
      );
      return sendPrepared(reply, 200, doc!, { imgOrigins: img(page), cache: cache(page) });
    });

    // One incident in full: the page shows the latest updates of each, cut (public-pages.ts).
    app.get(m.at('/incidents/:uuid'), hide, async (req, reply) => {
      const page = await m.find(req);
      if (!page) return m.miss(req, reply);
      const lang = langOf(page, queryLang(req));
      if (!authorized(req, page)) return gate(reply, m, page, lang, 401);
      const uuid = String((req.params as Record<string, unknown>).uuid ?? '');
      const asked = Number((req.query as Record<string, unknown> | undefined)?.page ?? 1);
      const at = Number.isSafeInteger(asked) && asked >= 1 && asked <= 100_000 ? asked - 1 : 0;
      if (!INCIDENT_ID.test(uuid)) return notFoundPage(reply);
      const status = await loadPageStatus(ctx, page);
      const base = m.base(page);
      const doc = await rendered.get(`${page.row.id}|incident|${uuid}|${at}|${lang}|${base}`, status, async () => {
        const found = await loadPageIncident(ctx, page, uuid, at);
        return (
          found &&
          renderIncidentPage({ page, lang, base, incident: found.incident, at: found.page, pages: found.pages })
        );
      });
      if (!doc) return notFoundPage(reply);
      return sendPrepared(reply, 200, doc, { imgOrigins: img(page), cache: cache(page) });
    });

    app.get(m.at('/feed.rss'), hide, async (req, reply) => {
      const page = await m.find(req);
      if (!page) return m.miss(req, reply);
      const lang = langOf(page, queryLang(req));
      if (!authorized(req, page)) return gate(reply, m, page, lang, 401);
      const status = await loadPageStatus(ctx, page);
      const url = m.url(req, page);
      const doc = await rendered.get(`${page.row.id}|feed|${lang}|${url}`, status, async () => ({
        open: '',
        close: renderFeed(page, status, lang, url),
      }));
      return reply
        .type('application/rss+xml; charset=utf-8')
        .header('cache-control', isProtected(page) ? 'private, no-store' : 'public, max-age=60')
        .send(doc!.close);
    });

    app.get(m.at('/badge.svg'), hide, async (req, reply) => {
      const page = await m.find(req);
      if (!page) return m.miss(req, reply);
      if (!authorized(req, page)) return gate(reply, m, page, langOf(page, queryLang(req)), 401);
      const status = await loadPageStatus(ctx, page);
      return reply
        .type('image/svg+xml; charset=utf-8')
        .header('content-security-policy', "default-src 'none'")
        .header('cache-control', isProtected(page) ? 'private, no-store' : 'public, max-age=60')
        .send(renderBadge(status.overall));
    });

    app.post(m.at('/auth'), hide, async (req, reply) => {
      const page = await m.find(req);
      if (!page) return m.miss(req, reply);
      const form = formOf(req);
      const lang = langOf(page, form.lang);
      if (!isProtected(page)) return reply.redirect(withLang(home(page), page, lang), 303);
      const t = stringsFor(lang);
      const now = ctx.clock();
      const key = `${req.ip}|${page.row.id}`;
      const wait = limiter.retryAfter(key, now);
      if (wait > 0) {
        reply.header('retry-after', String(wait));
        return gate(reply, m, page, lang, 429, t.tooManyAttempts);
      }
      if (!(await pagePasswordMatches(page, field(form, 'password')))) {
        limiter.fail(key, now);
        return gate(reply, m, page, lang, 401, t.wrongPassword);
      }
      const expires = now + ACCESS_TTL_MS;
      const cookie = [
        `${accessCookieName(page.row.uuid)}=${signAccess(page.row.uuid, page.row.password_hash!, expires)}`,
        `Path=${home(page)}`,
        `Max-Age=${ACCESS_TTL_MS / 1000}`,
        'HttpOnly',
        'SameSite=Lax',
        ...(req.protocol === 'https' ? ['Secure'] : []),
      ].join('; ');
      return reply.header('set-cookie', cookie).redirect(withLang(home(page), page, lang), 303);
    });

    app.post(m.at('/subscribe'), hide, async (req, reply) => {
      const page = await m.find(req);
      if (!page) return m.miss(req, reply);
      const form = formOf(req);
      const lang = langOf(page, form.lang);
      if (!authorized(req, page)) return gate(reply, m, page, lang, 401);
      // Without mail (VIGIL_SMTP_URL) no confirmation could be sent: the page offers no email subscription.
      if (!(ctx.emailEnabled && page.settings.subscribe?.enabled && page.settings.subscribe?.email))
        return notFoundPage(reply);
      const email = field(form, 'email').slice(0, 320);
      const formPage = async (code: number, formError: string) => {
        const status = await loadPageStatus(ctx, page);
        return sendPrepared(
          reply,
          code,
          prepare(await renderStatusPage({ page, status, lang, base: m.base(page), formError, email, mail: true })),
          { imgOrigins: img(page), cache: 'no-store' },
        );
      };
      if (!isSubscriberEmail(email)) return formPage(422, stringsFor(lang).invalidEmail);
      // Each address, and each page, may start only so many subscriptions an hour: a form that
      // sends email must not become a way to flood someone's inbox (an address over its own
      // budget takes nothing from the page's).
      const wait = byAddress.take(req.ip) || byPage.take(page.row.uuid);
      if (wait > 0) {
        reply.header('retry-after', String(wait));
        return formPage(429, stringsFor(lang).tooManySubscriptions);
      }
      try {
        // Stored unconfirmed; the address gets a confirmation email and nothing else until it is followed.
        await subscribeFromPage(ctx, page, { email, language: lang });
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        return formPage(422, stringsFor(lang).invalidEmail);
      }
      return reply.redirect(`${withLang(`${home(page)}?subscribed=1`, page, lang)}#subscribe`, 303);
    });

    const unsubscribeHandler = (apply: boolean) => async (req: FastifyRequest, reply: FastifyReply) => {
      const page = await m.find(req);
      if (!page) return m.miss(req, reply);
      const form = formOf(req);
      const lang = langOf(page, apply ? form.lang : queryLang(req));
      const t = stringsFor(lang);
      const token = String((req.params as Record<string, unknown>).token ?? '');
      // The token is the subscriber's credential: no password needed, and nothing of a protected page is shown.
      const settings = isProtected(page) ? null : page.settings;
      const back = isProtected(page) ? undefined : withLang(home(page), page, lang);
      const valid =
        TOKEN.test(token) &&
        (apply ? await unsubscribeFromPage(ctx, page.row.id, token) : await subscriberExists(ctx, page.row.id, token));
      if (!valid)
        return sendHtml(reply, 404, (nonce) =>
          renderSmallPage({ lang, nonce, settings, title: t.unsubscribeTitle, text: t.linkInvalid, back }),
        );
      if (apply)
        return sendHtml(reply, 200, (nonce) =>
          renderSmallPage({ lang, nonce, settings, title: t.unsubscribeTitle, text: t.unsubscribed, back }),
        );
      // GET only asks: mail scanners that follow links must not unsubscribe anyone.
      return sendHtml(reply, 200, (nonce) =>
        renderSmallPage({
          lang,
          nonce,
          settings,
          title: t.unsubscribeTitle,
          text: t.unsubscribeText,
          form: unsubscribeForm(`${m.base(page)}/unsubscribe/${token}`, lang),
        }),
      );
    };
    app.get(m.at('/unsubscribe/:token'), hide, unsubscribeHandler(false));
    app.post(m.at('/unsubscribe/:token'), hide, unsubscribeHandler(true));

    // The confirmation email's link: GET asks (mail scanners follow links), POST confirms.
    const confirmHandler = (apply: boolean) => async (req: FastifyRequest, reply: FastifyReply) => {
      const page = await m.find(req);
      if (!page) return m.miss(req, reply);
      const lang = langOf(page, apply ? formOf(req).lang : queryLang(req));
      const t = stringsFor(lang);
      const token = String((req.params as Record<string, unknown>).token ?? '');
      const settings = isProtected(page) ? null : page.settings;
      const back = isProtected(page) ? undefined : withLang(home(page), page, lang);
      const valid =
        TOKEN.test(token) &&
        (apply ? await confirmSubscription(ctx, page.row.id, token) : await subscriberExists(ctx, page.row.id, token));
      if (!valid)
        return sendHtml(reply, 404, (nonce) =>
          renderSmallPage({ lang, nonce, settings, title: t.confirmTitle, text: t.confirmInvalid, back }),
        );
      if (apply)
        return sendHtml(reply, 200, (nonce) =>
          renderSmallPage({ lang, nonce, settings, title: t.confirmTitle, text: t.confirmed, back }),
        );
      return sendHtml(reply, 200, (nonce) =>
        renderSmallPage({
          lang,
          nonce,
          settings,
          title: t.confirmTitle,
          text: t.confirmText,
          form: confirmForm(`${m.base(page)}/confirm/${token}`, lang),
        }),
      );
    };
    app.get(m.at('/confirm/:token'), hide, confirmHandler(false));
    app.post(m.at('/confirm/:token'), hide, confirmHandler(true));
  }

  mount({
    at: (sub) => `/status/:subdomain${sub}`,
    find: (req) => findPageBySubdomain(ctx, String((req.params as Record<string, unknown>).subdomain ?? '')),
    base: (page) => `/status/${page.row.subdomain}`,
    url: (_req, page) => `${opts.publicUrl}/status/${page.row.subdomain}`,
    miss: (_req, reply) => notFoundPage(reply),
  });
  // On any other host, / leads to the dashboard and the rest keeps the app's JSON 404.
  mount({
    at: (sub) => sub || '/',
    find: (req) => findPageByHost(ctx, req.host),
    base: () => '',
    url: (req, page) => `${req.protocol}://${page.row.hostname}/`,
    miss: (req, reply) => {
      if (req.method === 'GET' && req.url.split('?')[0] === '/') return reply.redirect('/app', 302);
      reply.callNotFound();
      return reply;
    },
  });
  app.route({ method: ['GET', 'POST'], url: '/status', ...hide, handler: (_req, reply) => notFoundPage(reply) });
  app.route({ method: ['GET', 'POST'], url: '/status/*', ...hide, handler: (_req, reply) => notFoundPage(reply) });
}
