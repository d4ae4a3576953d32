import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ValidationError } from '../../domain/errors.ts';
import { parseQuorum } from '../../domain/status.ts';
import { setProjectQuorum } from '../../services/projects.ts';
import type { MemberProject } from '../../services/users.ts';
import { html } from './html.ts';
import { csrfInput, field, form, type FieldErrors } from './forms.ts';
import { messagePage, sendPage, sendUserPage, type Deps } from './layout.ts';
import { csrfToken } from './session.ts';
import { projectPath, userProject } from './project-nav.ts';
import { radio, settingsHeader } from './developers.ts';
import { notice } from './monitors.ts';

const NOTICES = { quorum: 'The quorum was changed.' };

interface QuorumForm { mode: string; locations: string }

const quorumText = (q: number | null) => (q === null ? 'Majority (more than half)' : `${q} locations`);

export default function generalSettingsRoutes(app: FastifyInstance, { ctx, assets }: Deps) {
  const base = (p: MemberProject) => projectPath(p.uuid, 'settings/general');

  function generalPage(req: FastifyRequest, reply: FastifyReply, p: MemberProject, status: number, v: QuorumForm, e: FieldErrors) {
    const owner = p.role === 'owner';
    const body = html`${settingsHeader(p, 'general')}
${notice(req, NOTICES)}
<section class="card narrow-wide" aria-labelledby="quorum-h">
  <h2 id="quorum-h">Cross-region quorum</h2>
  <p class="hint">How many of a monitor’s reporting locations must agree before its status changes, so that one broken probe or region cannot declare an outage alone.${owner ? '' : ' Only owners can change it.'}</p>
  <dl class="facts"><dt>Current quorum</dt><dd id="quorum-current">${quorumText(p.quorum)}</dd></dl>
  ${owner ? html`<form method="post" action="${base(p)}">
    ${csrfInput(csrfToken(req, reply))}
    <fieldset class="field${e.locations ? ' invalid' : ''}">
      <legend>New quorum</legend>
      ${radio('quorum', 'majority', v.mode === 'majority', html`<strong>Majority</strong> <span class="hint">more than half of the locations that voted (2 of 2 or 3, 3 of 4 or 5)</span>`)}
      ${radio('quorum', 'locations', v.mode !== 'majority', html`A number of locations`)}
      <div class="sub-field">${field({ label: 'Locations that must agree', name: 'locations', type: 'number', value: v.locations, error: e.locations, hint: 'From 2 to 18; capped at the locations voting.', attrs: html` min="2" max="18" step="1"` })}</div>
    </fieldset>
    <div class="actions"><button type="submit" class="primary">Save quorum</button></div>
  </form>` : ''}
</section>`;
    return sendUserPage(assets, req, reply, status, `General · ${p.name}`, body);
  }

  const current = (p: MemberProject): QuorumForm => ({ mode: p.quorum === null ? 'majority' : 'locations', locations: p.quorum === null ? '' : String(p.quorum) });

  app.get('/projects/:uuid/settings/general', async (req, reply) => {
    const p = await userProject(ctx, req);
    return generalPage(req, reply, p, 200, current(p), {});
  });

  app.post('/projects/:uuid/settings/general', async (req, reply) => {
    const p = await userProject(ctx, req);
    if (p.role !== 'owner') {
      return sendPage(reply, 403, messagePage(assets, 'Owners only', 'Only the project’s owners can change its settings. Nothing was changed.', req.dash.user, csrfToken(req, reply), { href: base(p), text: 'Back to the settings' }));
    }
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
