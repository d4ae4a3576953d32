import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConflictError, ValidationError } from '../../../domain/errors.ts';
import { checkPassword } from '../../../domain/users.ts';
import { changePassword, endUserSessions } from '../../../services/users.ts';
import {
  confirmEnrolment,
  disableTwoFactor,
  pendingEnrolment,
  renewRecoveryCodes,
  startEnrolment,
  twoFactorStatus,
} from '../../../services/two-factor.ts';
import { checkField, type FieldErrors } from '../../ui/forms.ts';
import { waitText } from '../credential-throttle.ts';
import { doneOf, form, sendScreen, type Deps } from '../handler.ts';
import { SESSION_COOKIE, csrfToken, setCookie } from '../session.ts';
import { accountScreen, enrolScreen, recoveryCodesScreen } from './views.ts';

/**
 * The Account page (/app/account): the signed-in user changes their password, signs out
 * everywhere, and sets up or turns off two-factor sign-in. Every password or code typed here
 * counts in the sign-in throttle.
 */
export default function accountRoutes(app: FastifyInstance, { ctx, assets, throttle }: Deps) {
  const me = (req: FastifyRequest) => req.dash.user!;
  const attemptOf = (req: FastifyRequest) => ({ email: me(req).email, ip: req.ip, account: String(me(req).id) });

  async function accountPage(
    req: FastifyRequest,
    reply: FastifyReply,
    status: number,
    errors: FieldErrors = {},
    alert?: string,
  ) {
    const ended = Number((req.query as Record<string, unknown>).ended);
    return sendScreen(
      assets,
      req,
      reply,
      status,
      accountScreen({
        email: me(req).email,
        csrf: csrfToken(req, reply),
        twoFactor: await twoFactorStatus(ctx, me(req).id),
        done: doneOf(req),
        ended: Number.isInteger(ended) && ended > 0 ? ended : 0,
        errors,
        alert,
      }),
    );
  }

  /** While too many passwords or codes were wrong, the page says how long to wait (429); null when the check may go ahead. */
  function throttled(req: FastifyRequest, reply: FastifyReply): Promise<unknown> | null {
    const wait = throttle.waitFor(attemptOf(req));
    if (wait === 0) return null;
    reply.header('Retry-After', String(wait));
    return accountPage(req, reply, 429, {}, `Too many wrong passwords or codes. ${waitText(wait)}`);
  }

  app.get('/account', async (req, reply) => accountPage(req, reply, 200));

  app.post('/account/password', async (req, reply) => {
    const f = form(req);
    const errors: FieldErrors = {};
    const next = checkField(errors, 'new_password', () => checkPassword(f.get('new_password')));
    if (next !== undefined && f.get('confirm_password') !== next)
      errors.confirm_password = 'The two new passwords are not the same';
    if (!f.get('current')) errors.current = 'Type your current password';
    if (Object.keys(errors).length) return accountPage(req, reply, 422, errors);
    const wait = throttled(req, reply);
    if (wait) return wait;
    let changed: { sessionsEnded: number } | null;
    try {
      changed = await changePassword(ctx, me(req).id, {
        current: f.get('current')!,
        next: next!,
        keepSession: req.dash.session!,
      });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return accountPage(req, reply, 422, { new_password: err.message });
    }
    if (!changed) {
      throttle.fail(attemptOf(req));
      return accountPage(req, reply, 422, { current: 'This is not your current password' });
    }
    throttle.succeeded(attemptOf(req));
    return reply.redirect(`/app/account?done=password&ended=${changed.sessionsEnded}`, 303);
  });

  app.post('/account/sign-out-everywhere', async (req, reply) => {
    await endUserSessions(ctx, me(req).id);
    setCookie(req, reply, SESSION_COOKIE, '', 0);
    return reply.redirect('/app/login', 303);
  });

  app.post('/account/2fa/start', async (req, reply) => {
    try {
      await startEnrolment(ctx, me(req));
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
    return reply.redirect('/app/account/2fa', 303);
  });

  app.get('/account/2fa', async (req, reply) => {
    const enrolment = await pendingEnrolment(ctx, me(req));
    if (!enrolment) return reply.redirect('/app/account', 303);
    return sendScreen(assets, req, reply, 200, enrolScreen({ csrf: csrfToken(req, reply), enrolment }));
  });

  app.post('/account/2fa', async (req, reply) => {
    const enrolment = await pendingEnrolment(ctx, me(req));
    if (!enrolment) return reply.redirect('/app/account', 303);
    const wait = throttled(req, reply);
    if (wait) return wait;
    try {
      const codes = await confirmEnrolment(ctx, me(req).id, form(req).get('code') ?? '');
      throttle.succeeded(attemptOf(req));
      return sendScreen(assets, req, reply, 200, recoveryCodesScreen({ codes, fresh: true }));
    } catch (err) {
      if (err instanceof ConflictError) return reply.redirect('/app/account', 303);
      if (!(err instanceof ValidationError)) throw err;
      throttle.fail(attemptOf(req));
      return sendScreen(
        assets,
        req,
        reply,
        422,
        enrolScreen({ csrf: csrfToken(req, reply), enrolment, error: err.message }),
      );
    }
  });

  app.post('/account/2fa/disable', async (req, reply) => {
    const wait = throttled(req, reply);
    if (wait) return wait;
    if (!(await disableTwoFactor(ctx, me(req).id, form(req).get('proof') ?? ''))) {
      throttle.fail(attemptOf(req));
      return accountPage(req, reply, 422, {
        proof: 'This is neither your password nor a current code: two-factor sign-in stays on',
      });
    }
    throttle.succeeded(attemptOf(req));
    return reply.redirect('/app/account?done=2fa-off', 303);
  });

  app.post('/account/2fa/recovery-codes', async (req, reply) => {
    const wait = throttled(req, reply);
    if (wait) return wait;
    try {
      const codes = await renewRecoveryCodes(ctx, me(req).id, form(req).get('renew_password') ?? '');
      if (!codes) {
        throttle.fail(attemptOf(req));
        return accountPage(req, reply, 422, {
          renew_password: 'This is not your password: the recovery codes are unchanged',
        });
      }
      throttle.succeeded(attemptOf(req));
      return sendScreen(assets, req, reply, 200, recoveryCodesScreen({ codes, fresh: false }));
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      return reply.redirect('/app/account', 303);
    }
  });
}
