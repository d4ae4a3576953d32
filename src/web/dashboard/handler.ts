import type { FastifyReply, FastifyRequest } from 'fastify';
import { getUserProject, type MemberProject } from '../../services/users.ts';
import type { ActorCtx, Ctx } from '../../services/context.ts';
import type { PickerAsk } from '../../services/dashboard-views.ts';
import { messageScreen, page, type Assets, type Screen } from '../ui/layout.ts';
import { ROLE_TABLE, may, type Ability } from '../../domain/roles.ts';
import { csrfToken } from './session.ts';
import type { CredentialThrottle } from './credential-throttle.ts';

/**
 * What every dashboard handler shares: how it reads its request (the form, the notice asked
 * for, the member's project named in the URL) and how it answers (a screen in the frame).
 */

/** What every feature's routes receive. */
export interface Deps {
  ctx: Ctx;
  assets: Assets;
  /** Base of the heartbeat ping URLs shown with healthchecks. */
  publicUrl: string;
  /** Charts read raw check results (with phases) for periods within this many days. */
  rawRetentionDays: number;
  /** VIGIL_REGION: where the built-in probe checks from. */
  builtInLocation: string;
  /** A regional probe is live while heard from within this (VIGIL_PROBE_LIVE_SECONDS). */
  probeLiveMs: number;
  /** Counts wrong passwords and codes: sign-in and the Account page share it. */
  throttle: CredentialThrottle;
}

/** The urlencoded body of a dashboard form (anything else reads as an empty form). */
export function form(req: FastifyRequest): URLSearchParams {
  return req.body instanceof URLSearchParams ? req.body : new URLSearchParams();
}

/** The `?done=` of a redirect after a change: the view shows the notice it names, if it knows it. */
export const doneOf = (req: FastifyRequest): unknown => (req.query as Record<string, unknown>).done;

/** A page number from `?page=`: 1 unless it is a plain number of up to six digits. */
export function pageOf(req: FastifyRequest): number {
  const page = (req.query as Record<string, unknown>).page;
  return typeof page === 'string' && /^\d{1,6}$/.test(page) ? Math.max(1, Number(page)) : 1;
}

/** A monitor picker of the page: its chosen monitors, and its search box's text (`find_<name>`, posted with the form or in the query). */
export function pickerAsk(req: FastifyRequest, name: string, chosen: string[]): PickerAsk {
  const raw = form(req).get(`find_${name}`) ?? ((req.query ?? {}) as Record<string, unknown>)[`find_${name}`];
  return { name, chosen, search: typeof raw === 'string' ? raw.replaceAll('\0', '').trim().slice(0, 100) : '' };
}

/**
 * Whether a posted form with monitor pickers asks for a search rather than a save: a picker's
 * Search button, or Enter (ui/pickers.ts implicitSubmit) while a search box holds other text than
 * the search shown. The handler then shows the form again, filled from what was posted.
 */
export function searchAsked(req: FastifyRequest): boolean {
  const f = form(req);
  if (f.get('find') !== null) return true;
  if (f.get('enter') === null) return false;
  return [...f.keys()].some(
    (k) => k.startsWith('find_') && (f.get(k) ?? '').trim() !== (f.get(`searched_${k.slice(5)}`) ?? '').trim(),
  );
}

/** The signed-in user's project named in the URL; any other is the same 404 as an unknown one. */
export function userProject(ctx: Ctx, req: FastifyRequest): Promise<MemberProject> {
  return getUserProject(ctx, req.dash.user!.id, (req.params as { uuid: string }).uuid);
}

/**
 * The services' actor for a member acting in the dashboard: the same rules as a read-write key
 * of the project. There is no key; with `user`, what records who acted (an acknowledgement)
 * names the signed-in user.
 */
export function actorFor(ctx: Ctx, project: MemberProject, user?: { uuid: string; email: string } | null): ActorCtx {
  return {
    ...ctx,
    actor: {
      projectId: project.id,
      projectUuid: project.uuid,
      permission: 'read_write',
      keyId: null,
      user: user ? { uuid: user.uuid, email: user.email } : null,
    },
  };
}

export function sendPage(reply: FastifyReply, status: number, body: string) {
  return reply.code(status).type('text/html; charset=utf-8').send(body);
}

/** A screen for the signed-in user (the header with their email and the sign-out form). */
export function sendScreen(assets: Assets, req: FastifyRequest, reply: FastifyReply, status: number, screen: Screen) {
  return sendPage(reply, status, page({ assets, user: req.dash.user, csrf: csrfToken(req, reply) }, screen));
}

/**
 * Whether the member's role may do this (domain/roles.ts); when not, the 403 "Owners only" screen
 * is sent and the handler returns the reply.
 */
export function allowed(
  assets: Assets,
  req: FastifyRequest,
  reply: FastifyReply,
  p: MemberProject,
  ability: Ability,
  back: { href: string; text: string },
): boolean {
  if (may(p.role, ability)) return true;
  const what = ROLE_TABLE[ability].what;
  sendScreen(
    assets,
    req,
    reply,
    403,
    messageScreen('Owners only', `Only the project’s owners may ${what}. Nothing was changed.`, back),
  );
  return false;
}
