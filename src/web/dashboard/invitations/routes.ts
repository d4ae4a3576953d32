import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConflictError, NotFoundError, ValidationError } from '../../../domain/errors.ts';
import {
  acceptInvitation,
  acceptInvitationWithPassword,
  openInvitation,
  type OpenInvitation,
} from '../../../services/invitations.ts';
import { createSession } from '../../../services/users.ts';
import type { FieldErrors } from '../../ui/forms.ts';
import { messageScreen, page } from '../../ui/layout.ts';
import { form, sendPage, type Deps } from '../handler.ts';
import { csrfToken, startSessionCookie } from '../session.ts';
import { invitationScreen } from './views.ts';

/**
 * The pages an invitation link opens (services/invitations.ts), signed in or not: the invitee
 * joins as themself, signs in first, or chooses the password of their new account.
 */
export default function invitationRoutes(app: FastifyInstance, { ctx, assets }: Deps) {
  const path = (req: FastifyRequest) => `/app/invite/${(req.params as { token: string }).token}`;
  const token = (req: FastifyRequest) => (req.params as { token: string }).token;

  function invalid(reply: FastifyReply) {
    return sendPage(
      reply,
      404,
      page(
        { assets },
        messageScreen(
          'Invitation not valid',
          'This invitation link does not work: it was used, revoked or has expired (links last a week). Ask an owner of the project for a new one.',
          { href: '/app/login', text: 'Sign in' },
        ),
      ),
    );
  }

  function show(
    req: FastifyRequest,
    reply: FastifyReply,
    status: number,
    invitation: OpenInvitation,
    errors: FieldErrors = {},
  ) {
    const screen = invitationScreen({
      invitation,
      action: path(req),
      csrf: csrfToken(req, reply),
      signedInAs: req.dash.user?.email ?? null,
      errors,
    });
    return sendPage(reply, status, page({ assets, user: req.dash.user, csrf: csrfToken(req, reply) }, screen));
  }

  app.get('/invite/:token', async (req, reply) => {
    try {
      return show(req, reply, 200, await openInvitation(ctx, token(req)));
    } catch (err) {
      if (err instanceof NotFoundError) return invalid(reply);
      throw err;
    }
  });

  app.post('/invite/:token', async (req, reply) => {
    let invitation: OpenInvitation;
    try {
      invitation = await openInvitation(ctx, token(req));
      if (req.dash.user) {
        await acceptInvitation(ctx, token(req), req.dash.user);
        return reply.redirect(`/app/projects/${invitation.projectUuid}`, 303);
      }
    } catch (err) {
      if (err instanceof NotFoundError) return invalid(reply);
      if (err instanceof ValidationError)
        return sendPage(reply, 403, page({ assets }, messageScreen('Not your invitation', err.message)));
      throw err;
    }
    try {
      const { userId } = await acceptInvitationWithPassword(ctx, token(req), form(req).get('password') ?? '');
      startSessionCookie(req, reply, (await createSession(ctx, userId)).token);
      return reply.redirect(`/app/projects/${invitation.projectUuid}`, 303);
    } catch (err) {
      if (err instanceof NotFoundError) return invalid(reply);
      if (err instanceof ConflictError) return show(req, reply, 409, { ...invitation, hasAccount: true });
      if (err instanceof ValidationError) return show(req, reply, 422, invitation, { password: err.message });
      throw err;
    }
  });
}
