import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ValidationError } from '../../../domain/errors.ts';
import { parseQuorum } from '../../../domain/quorum.ts';
import { setProjectQuorum } from '../../../services/projects.ts';
import { probeRegions } from '../../../services/probes.ts';
import type { MemberProject } from '../../../services/users.ts';
import type { FieldErrors } from '../../ui/forms.ts';
import { actorFor, allowed, doneOf, form, sendScreen, userProject, type Deps } from '../handler.ts';
import { csrfToken } from '../session.ts';
import { settingsPath } from '../project-nav.ts';
import { generalScreen, type QuorumForm } from './views.ts';

export default function generalSettingsRoutes(
  app: FastifyInstance,
  { ctx, assets, builtInLocation, probeLiveMs }: Deps,
) {
  const base = (p: MemberProject) => settingsPath(p.uuid, 'general');

  async function generalPage(
    req: FastifyRequest,
    reply: FastifyReply,
    p: MemberProject,
    status: number,
    v: QuorumForm,
    e: FieldErrors,
  ) {
    // The locations a quorum could count: this server's probe and the regions of the project's probes.
    const probes = await probeRegions(actorFor(ctx, p), probeLiveMs);
    return sendScreen(
      assets,
      req,
      reply,
      status,
      generalScreen({
        project: p,
        csrf: csrfToken(req, reply),
        values: v,
        errors: e,
        done: doneOf(req),
        builtInLocation,
        probeRegions: probes.map((x) => x.region),
      }),
    );
  }

  const current = (p: MemberProject): QuorumForm => ({
    mode: p.quorum === null ? 'majority' : 'locations',
    locations: p.quorum === null ? '' : String(p.quorum),
  });

  app.get('/projects/:uuid/settings/general', async (req, reply) => {
    const p = await userProject(ctx, req);
    return generalPage(req, reply, p, 200, current(p), {});
  });

  app.post('/projects/:uuid/settings/general', async (req, reply) => {
    const p = await userProject(ctx, req);
    if (!allowed(assets, req, reply, p, 'settings', { href: base(p), text: 'Back to the settings' })) return reply;
    const f = form(req);
    const v: QuorumForm = { mode: f.get('quorum') ?? '', locations: (f.get('locations') ?? '').trim() };
    try {
      await setProjectQuorum(ctx, p.uuid, parseQuorum(v.mode === 'majority' ? 'majority' : v.locations));
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return generalPage(req, reply, p, 422, v, { locations: err.message });
    }
    return reply.redirect(`${base(p)}?done=quorum`, 303);
  });
}
