import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ValidationError } from '../../../domain/errors.ts';
import { createUserProject, listUserProjects } from '../../../services/users.ts';
import { form, sendScreen, userProject, type Deps } from '../handler.ts';
import { csrfToken } from '../session.ts';
import { projectPath, settingsPath } from '../project-nav.ts';
import { projectsScreen } from './views.ts';

export default function projectRoutes(app: FastifyInstance, { ctx, assets }: Deps) {
  async function projectsPage(req: FastifyRequest, reply: FastifyReply, status: number, name: string, error?: string) {
    const projects = await listUserProjects(ctx, req.dash.user!.id);
    return sendScreen(
      assets,
      req,
      reply,
      status,
      projectsScreen({ projects, csrf: csrfToken(req, reply), name, error }),
    );
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
    const project = await userProject(ctx, req);
    return reply.redirect(projectPath(project.uuid, 'monitors'), 303);
  });
  app.get('/projects/:uuid/settings', async (req, reply) => {
    const project = await userProject(ctx, req);
    return reply.redirect(settingsPath(project.uuid, 'developers'), 303);
  });
}
