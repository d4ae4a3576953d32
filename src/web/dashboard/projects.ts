import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ValidationError } from '../../domain/errors.ts';
import { createUserProject, getUserProject, listUserProjects } from '../../services/users.ts';
import { html } from './html.ts';
import { csrfInput, field, form } from './forms.ts';
import { sendUserPage, time, type Deps } from './layout.ts';
import { csrfToken } from './session.ts';
import { projectPath } from './project-nav.ts';

export const developersPath = (uuid: string) => `/app/projects/${encodeURIComponent(uuid)}/settings/developers`;

export default function projectRoutes(app: FastifyInstance, { ctx, assets }: Deps) {
  async function projectsPage(req: FastifyRequest, reply: FastifyReply, status: number, name: string, error?: string) {
    const projects = await listUserProjects(ctx, req.dash.user!.id);
    const body = html`<h1>Projects</h1>
${projects.length
  ? html`<ul class="projects">${projects.map((p) => html`<li class="card">
    <a class="project-name" href="${projectPath(p.uuid, 'monitors')}">${p.name}</a>
    <span class="meta"><code>${p.uuid}</code> · ${p.role === 'owner' ? 'Owner' : 'Member'} · created ${time(p.created_at)}</span>
  </li>`)}</ul>`
  : html`<p>You are not a member of any project yet. Create one below.</p>`}
<section class="card">
  <h2>New project</h2>
  <form method="post" action="/app/projects" class="inline-form">
    ${csrfInput(csrfToken(req, reply))}
    ${field({ label: 'Project name', name: 'name', value: name, error, required: true, attrs: html` maxlength="255"` })}
    <button type="submit" class="primary">Create project</button>
  </form>
</section>`;
    return sendUserPage(assets, req, reply, status, 'Projects', body);
  }

  app.get('/projects', async (req, reply) => projectsPage(req, reply, 200, ''));

  app.post('/projects', async (req, reply) => {
    const name = form(req).get('name') ?? '';
    try {
      const project = await createUserProject(ctx, req.dash.user!.id, name);
      return reply.redirect(projectPath(project.uuid, 'monitors'), 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return projectsPage(req, reply, 422, name, err.message);
    }
  });

  // A project opens on its monitors.
  app.get('/projects/:uuid', async (req, reply) => {
    const project = await getUserProject(ctx, req.dash.user!.id, (req.params as { uuid: string }).uuid);
    return reply.redirect(projectPath(project.uuid, 'monitors'), 303);
  });
  app.get('/projects/:uuid/settings', async (req, reply) => {
    const project = await getUserProject(ctx, req.dash.user!.id, (req.params as { uuid: string }).uuid);
    return reply.redirect(developersPath(project.uuid), 303);
  });
}
