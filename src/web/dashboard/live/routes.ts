import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';
import { NotFoundError } from '../../../domain/errors.ts';
import { watchProject, type LiveBatch, type LiveFilter, type LiveWatch } from '../../../services/live.ts';
import { getUserProject, sessionUser } from '../../../services/users.ts';
import { messageScreen } from '../../ui/layout.ts';
import { sendScreen, userProject, type Deps } from '../handler.ts';

/**
 * GET /app/projects/:uuid/live: the project's live events as Server-Sent Events, for the pages'
 * script (src/web/ui/assets/dashboard.js). Signed in and a member, like every project screen;
 * only the project's own events, filtered to what the page shows; at most one message per
 * 250 ms; a comment every 25 s keeps proxies from closing the stream, and checks that the
 * session and the membership still hold.
 */

/** Streams one user may hold open at once, over all their tabs and sessions (per node). */
export const MAX_STREAMS_PER_USER = 10;
/** Tests shorten the heartbeat. */
export const liveTiming = { heartbeatMs: 25_000, intervalMs: 250 };
const MAX_MONITORS = 100;
const ID = /^[A-Za-z0-9_]{1,64}$/;

function filterOf(query: unknown): LiveFilter {
  const q = (query ?? {}) as Record<string, unknown>;
  const strings = (v: unknown) => (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
  const monitors = strings(q.monitors)
    .flatMap((v) => v.split(','))
    .filter((id) => ID.test(id))
    .slice(0, MAX_MONITORS);
  return {
    monitors: new Set(monitors),
    outages: strings(q.outages).includes('1'),
    healthchecks: strings(q.healthchecks).includes('1'),
  };
}

/** The browser's message: the changed rows, in the dashboard's words. */
function wire(batch: LiveBatch): string {
  const out: Record<string, unknown[] | boolean> = {};
  if (batch.gap) out.gap = true;
  for (const e of batch.events) {
    const key = `${e.kind}s`;
    const list = (out[key] ??= []) as unknown[];
    if (e.kind === 'monitor') list.push({ id: e.uuid, state: e.state, checks: e.checks });
    else if (e.kind === 'outage') list.push({ id: e.uuid, subject: e.subject, open: e.open });
    else list.push({ id: e.uuid, state: e.state, lastPing: e.lastPing });
  }
  return `data: ${JSON.stringify(out)}\n\n`;
}

export default function liveRoutes(app: FastifyInstance, { ctx, assets }: Deps) {
  const perUser = new Map<number, number>();
  const open = new Set<ServerResponse>();
  // Open streams would hold the server's close() forever: they end first.
  app.addHook('preClose', async () => {
    for (const res of open) res.end();
  });

  app.get('/projects/:uuid/live', { exposeHeadRoute: false }, async (req, reply) => {
    const p = await userProject(ctx, req);
    const user = req.dash.user!;
    const session = req.dash.session!;
    const held = perUser.get(user.id) ?? 0;
    if (held >= MAX_STREAMS_PER_USER) {
      return sendScreen(
        assets,
        req,
        reply,
        429,
        messageScreen(
          'Too many live pages',
          `At most ${MAX_STREAMS_PER_USER} open pages follow changes live; this one shows what it loaded. Close some and reload it.`,
        ),
      );
    }
    perUser.set(user.id, held + 1);
    const res = reply.raw;
    let watch: LiveWatch | null = null;
    let heartbeat: NodeJS.Timeout | null = null;
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      watch?.close();
      if (heartbeat) clearInterval(heartbeat);
      open.delete(res);
      const n = (perUser.get(user.id) ?? 1) - 1;
      if (n > 0) perUser.set(user.id, n);
      else perUser.delete(user.id);
      if (!res.writableEnded) res.end();
    };
    try {
      watch = await watchProject(
        ctx,
        p.id,
        filterOf(req.query),
        (batch) => res.write(wire(batch)),
        liveTiming.intervalMs,
      );
    } catch (err) {
      end();
      throw err; // the database cannot be listened to: the error page, the script stays quiet
    }
    reply.hijack();
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'X-Accel-Buffering': 'no', // nginx: pass each message on at once
      Connection: 'close', // once it ends (sign-out, shutdown), the connection goes too
    });
    res.write('retry: 5000\n\n');
    open.add(res);
    res.on('close', end);
    res.on('error', end);
    res.on('drain', () => watch?.drained());
    if (res.destroyed || req.raw.destroyed) return end(); // gone while the watch was set up
    heartbeat = setInterval(async () => {
      try {
        const still = await sessionUser(ctx, session);
        if (still?.id === user.id) await getUserProject(ctx, user.id, p.uuid);
        else return end();
      } catch (err) {
        if (err instanceof NotFoundError) return end(); // no longer a member
        // the database did not answer: keep the stream, ask again at the next heartbeat
      }
      if (!ended) res.write(': keep-alive\n\n');
    }, liveTiming.heartbeatMs);
  });
}
