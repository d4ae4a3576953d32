import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConflictError, ValidationError } from '../../../domain/errors.ts';
import {
  addSubscriber,
  createStatusPage,
  deleteSubscriber,
  getStatusPage,
  listStatusPages,
  listSubscribers,
  updateStatusPage,
  type StatusPageView,
} from '../../../services/statuspages.ts';
import { monitorPickers } from '../../../services/dashboard-views.ts';
import type { MemberProject } from '../../../services/users.ts';
import { messageField, type FieldErrors } from '../../ui/forms.ts';
import {
  actorFor,
  doneOf,
  form,
  pageOf,
  pickerAsk,
  searchAsked,
  sendScreen,
  userProject,
  type Deps,
} from '../handler.ts';
import { csrfToken } from '../session.ts';
import { formOf, pickerFields, readPageForm, sectionRows, sectionsInput, type PageForm } from './form.ts';
import {
  newStatusPageScreen,
  statusPageScreen,
  statusPagesPath as base,
  statusPagesScreen,
  subscribersScreen,
} from './views.ts';

const FIELDS = ['subdomain', 'accent_color', 'description', 'theme', 'name'];
const PATTERNS: [RegExp, string][] = [[/^sections|in sections|services/, 'sections']];
const SUB_PER_PAGE = 100;

export default function statusPageRoutes(app: FastifyInstance, { ctx, assets }: Deps) {
  async function statusPageOf(req: FastifyRequest): Promise<[MemberProject, StatusPageView]> {
    const p = await userProject(ctx, req);
    return [p, await getStatusPage(actorFor(ctx, p), (req.params as { sp: string }).sp)];
  }

  app.get('/projects/:uuid/statuspages', async (req, reply) => {
    const p = await userProject(ctx, req);
    const { pages } = await listStatusPages(actorFor(ctx, p), { page: 0, perPage: 200 });
    return sendScreen(assets, req, reply, 200, statusPagesScreen({ project: p, pages, done: doneOf(req) }));
  });

  function newPage(
    req: FastifyRequest,
    reply: FastifyReply,
    p: MemberProject,
    status: number,
    v: { name: string; subdomain: string; theme: string },
    e: FieldErrors,
  ) {
    return sendScreen(
      assets,
      req,
      reply,
      status,
      newStatusPageScreen({ project: p, csrf: csrfToken(req, reply), values: v, errors: e }),
    );
  }

  app.get('/projects/:uuid/statuspages/new', async (req, reply) =>
    newPage(req, reply, await userProject(ctx, req), 200, { name: '', subdomain: '', theme: 'system' }, {}),
  );
  app.post('/projects/:uuid/statuspages', async (req, reply) => {
    const p = await userProject(ctx, req);
    const f = form(req);
    const v = { name: f.get('name') ?? '', subdomain: (f.get('subdomain') ?? '').trim(), theme: f.get('theme') ?? '' };
    try {
      const sp = await createStatusPage(actorFor(ctx, p), {
        name: v.name,
        theme: v.theme,
        ...(v.subdomain ? { subdomain: v.subdomain } : {}),
      });
      return reply.redirect(`${base(p)}/${sp.row.uuid}?done=created`, 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return newPage(req, reply, p, 422, v, { [messageField(err.message, FIELDS)]: err.message });
    }
  });
  async function editPage(
    req: FastifyRequest,
    reply: FastifyReply,
    p: MemberProject,
    sp: StatusPageView,
    status: number,
    v: PageForm,
    e: FieldErrors,
  ) {
    const rows = sectionRows(v);
    // Each picker's list (at scale its chosen monitors and search matches), fetched before rendering.
    const lists = await monitorPickers(
      actorFor(ctx, p),
      pickerFields(rows).map(([name, chosen]) => pickerAsk(req, name, chosen)),
    );
    return sendScreen(
      assets,
      req,
      reply,
      status,
      statusPageScreen({
        project: p,
        page: sp,
        rows,
        lists,
        csrf: csrfToken(req, reply),
        values: v,
        errors: e,
        done: doneOf(req),
      }),
    );
  }

  app.get('/projects/:uuid/statuspages/:sp', async (req, reply) => {
    const [p, sp] = await statusPageOf(req);
    return editPage(req, reply, p, sp, 200, formOf(sp), {});
  });
  app.post('/projects/:uuid/statuspages/:sp', async (req, reply) => {
    const [p, sp] = await statusPageOf(req);
    const v = readPageForm(form(req), sp);
    if (searchAsked(req)) return editPage(req, reply, p, sp, 200, v, {});
    const input: Record<string, unknown> = {
      name: v.name,
      subdomain: v.subdomain,
      theme: v.theme,
      accent_color: v.accent_color,
      description: v.description,
      sections: sectionsInput(sp, v.sections),
    };
    try {
      await updateStatusPage(actorFor(ctx, p), sp.row.uuid, input);
      return reply.redirect(`${base(p)}/${sp.row.uuid}?done=saved`, 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return editPage(req, reply, p, sp, 422, v, { [messageField(err.message, FIELDS, PATTERNS)]: err.message });
    }
  });

  async function subscribersPage(
    req: FastifyRequest,
    reply: FastifyReply,
    p: MemberProject,
    sp: StatusPageView,
    status: number,
    entry: { type: string; contact: string },
    error?: string,
  ) {
    const page = pageOf(req);
    const { subscribers, total } = await listSubscribers(actorFor(ctx, p), sp.row.uuid, {
      page: page - 1,
      perPage: SUB_PER_PAGE,
    });
    return sendScreen(
      assets,
      req,
      reply,
      status,
      subscribersScreen({
        project: p,
        page: sp,
        subscribers,
        total,
        perPage: SUB_PER_PAGE,
        pageNumber: page,
        csrf: csrfToken(req, reply),
        entry,
        error,
        done: doneOf(req),
        mailReady: ctx.emailEnabled === true,
      }),
    );
  }

  app.get('/projects/:uuid/statuspages/:sp/subscribers', async (req, reply) => {
    const [p, sp] = await statusPageOf(req);
    return subscribersPage(req, reply, p, sp, 200, { type: 'email', contact: '' });
  });
  app.post('/projects/:uuid/statuspages/:sp/subscribers', async (req, reply) => {
    const [p, sp] = await statusPageOf(req);
    const f = form(req);
    const entry = { type: f.get('type') ?? 'email', contact: (f.get('contact') ?? '').trim() };
    // The API's body for the chosen type (POST /v1/statuspages/{uuid}/subscribers).
    const key = { email: 'email', sms: 'phone', teams: 'teams_webhook_url' }[entry.type] ?? 'email';
    try {
      await addSubscriber(actorFor(ctx, p), sp.row.uuid, { type: entry.type, [key]: entry.contact });
      return reply.redirect(`${base(p)}/${sp.row.uuid}/subscribers?done=subscribed`, 303);
    } catch (err) {
      if (!(err instanceof ValidationError || err instanceof ConflictError)) throw err;
      return subscribersPage(req, reply, p, sp, 422, entry, err.message);
    }
  });
  app.post('/projects/:uuid/statuspages/:sp/subscribers/:id/delete', async (req, reply) => {
    const [p, sp] = await statusPageOf(req);
    const id = (req.params as { id: string }).id;
    if (!/^\d{1,15}$/.test(id)) return reply.callNotFound();
    await deleteSubscriber(actorFor(ctx, p), sp.row.uuid, Number(id));
    return reply.redirect(`${base(p)}/${sp.row.uuid}/subscribers?done=unsubscribed`, 303);
  });
}
