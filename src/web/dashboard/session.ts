import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomAlnum } from '../../domain/ids.ts';
import { SESSION_TTL_MS } from '../../domain/users.ts';
import type { User } from '../../services/users.ts';

export const SESSION_COOKIE = 'vigil_session';
/** Before sign-in, the setup and sign-in forms take their CSRF token from this cookie. */
export const PRESESSION_COOKIE = 'vigil_presession';

export interface DashState {
  user: User | null;
  /** The session cookie token, when it belongs to a live session. */
  session: string | null;
  presession: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    dash: DashState;
  }
}

export function readCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

/** HttpOnly, SameSite=Lax, scoped to /app; Secure when the request came over https (trustProxy counts). */
export function setCookie(req: FastifyRequest, reply: FastifyReply, name: string, value: string, maxAgeMs: number) {
  const secure = req.protocol === 'https' ? '; Secure' : '';
  reply.header(
    'Set-Cookie',
    `${name}=${value}; Path=/app; Max-Age=${Math.floor(maxAgeMs / 1000)}; HttpOnly; SameSite=Lax${secure}`,
  );
}

export function startSessionCookie(req: FastifyRequest, reply: FastifyReply, token: string) {
  setCookie(req, reply, SESSION_COOKIE, token, SESSION_TTL_MS);
  if (req.dash.presession) setCookie(req, reply, PRESESSION_COOKIE, '', 0);
}

/** The per-session CSRF token: derived from the session (or pre-session) cookie, never stored. */
function deriveCsrf(seed: string): string {
  return createHash('sha256').update(`vigil-csrf\0${seed}`).digest('base64url');
}

/** The token to put in this page's forms; starts a pre-session for a visitor who is not signed in. */
export function csrfToken(req: FastifyRequest, reply: FastifyReply): string {
  if (!req.dash.session && !req.dash.presession) {
    req.dash.presession = randomAlnum(32);
    setCookie(req, reply, PRESESSION_COOKIE, req.dash.presession, 24 * 3600 * 1000);
  }
  return deriveCsrf(req.dash.session ?? req.dash.presession!);
}

export function csrfValid(req: FastifyRequest, sent: string | null): boolean {
  const seed = req.dash.session ?? req.dash.presession;
  if (!seed || !sent) return false;
  const a = Buffer.from(deriveCsrf(seed));
  const b = Buffer.from(sent);
  return a.length === b.length && timingSafeEqual(a, b);
}
