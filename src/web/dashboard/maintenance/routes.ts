import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ValidationError } from '../../../domain/errors.ts';
import {
  createMaintenance,
  deleteMaintenance,
  getMaintenance,
  listMaintenance,
  updateMaintenance,
  type MaintenanceWindow,
} from '../../../services/maintenance.ts';
import { monitorAndStatusPageChoices, monitorNames } from '../../../services/dashboard-views.ts';
import type { MemberProject } from '../../../services/users.ts';
import { textOf } from '../../ui/format.ts';
import { idsOf, messageField, withEnglish, type FieldErrors } from '../../ui/forms.ts';
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
import {
  maintenancePath as base,
  maintenanceScreen,
  windowDeleteScreen,
  windowFormScreen,
  type WindowForm,
} from './views.ts';

const PER_PAGE = 50;
const PATTERNS: [RegExp, string][] = [
  [/^end_date/, 'ends'],
  [/^start_date/, 'starts'],
  [/monitors|Monitor /, 'monitors'],
  [/statuspages|Status page/, 'statuspages'],
  [/^title/, 'title'],
  [/^text/, 'text'],
];

/** A datetime-local value is read as UTC (the form says so); anything else goes to the rules as typed. */
const instant = (v: string) => (/^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(v) ? `${v}:00Z` : v);
const local = (ms: number) => new Date(ms).toISOString().slice(0, 16);

export default function maintenanceRoutes(app: FastifyInstance, { ctx, assets }: Deps) {
  async function windowOf(req: FastifyRequest): Promise<[MemberProject, MaintenanceWindow]> {
    const p = await userProject(ctx, req);
    return [p, await getMaintenance(actorFor(ctx, p), (req.params as { mw: string }).mw)];
  }

  app.get('/projects/:uuid/maintenance', async (req, reply) => {
    const p = await userProject(ctx, req);
    const page = pageOf(req);
    const { windows, total } = await listMaintenance(actorFor(ctx, p), page - 1, PER_PAGE);
    return sendScreen(
      assets,
      req,
      reply,
      200,
      maintenanceScreen({ project: p, windows, total, perPage: PER_PAGE, page, now: ctx.clock(), done: doneOf(req) }),
    );
  });

  /** The create form, or with `w` the edit form of that window. */
  async function formPage(
    req: FastifyRequest,
    reply: FastifyReply,
    p: MemberProject,
    status: number,
    v: WindowForm,
    e: FieldErrors,
    w?: MaintenanceWindow,
  ) {
    const { statusPages, pickers } = await monitorAndStatusPageChoices(actorFor(ctx, p), [
      pickerAsk(req, 'monitors', v.monitors),
    ]);
    return sendScreen(
      assets,
      req,
      reply,
      status,
      windowFormScreen({
        project: p,
        window: w,
        statusPages,
        picker: pickers.get('monitors')!,
        csrf: csrfToken(req, reply),
        values: v,
        errors: e,
      }),
    );
  }

  function valuesOf(req: FastifyRequest): WindowForm {
    const f = form(req);
    const get = (k: string) => f.get(k) ?? '';
    // Checkboxes send one id each; a typed list (older forms, scripts) may hold several.
    return {
      name: get('name'),
      title: get('title'),
      text: get('text'),
      starts: get('starts'),
      ends: get('ends'),
      monitors: [...new Set(f.getAll('monitors').flatMap(idsOf))],
      statuspages: f.getAll('statuspages'),
    };
  }

  app.get('/projects/:uuid/maintenance/new', async (req, reply) => {
    const now = ctx.clock();
    const start = now - (now % 3_600_000) + 24 * 3_600_000;
    return formPage(
      req,
      reply,
      await userProject(ctx, req),
      200,
      {
        name: '',
        title: '',
        text: '',
        starts: local(start),
        ends: local(start + 3_600_000),
        monitors: [],
        statuspages: [],
      },
      {},
    );
  });
  app.post('/projects/:uuid/maintenance', async (req, reply) => {
    const p = await userProject(ctx, req);
    const v = valuesOf(req);
    if (searchAsked(req)) return formPage(req, reply, p, 200, v, {});
    try {
      await createMaintenance(actorFor(ctx, p), {
        name: v.name,
        title: v.title ? { en: v.title } : {},
        text: v.text ? { en: v.text } : {},
        start_date: instant(v.starts),
        end_date: instant(v.ends),
        monitors: v.monitors,
        statuspages: v.statuspages,
      });
      return reply.redirect(`${base(p)}?done=created`, 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return formPage(req, reply, p, 422, v, { [messageField(err.message, ['name'], PATTERNS)]: err.message });
    }
  });

  app.get('/projects/:uuid/maintenance/:mw/edit', async (req, reply) => {
    const [p, w] = await windowOf(req);
    const v: WindowForm = {
      name: w.name,
      title: textOf(w.title),
      text: textOf(w.text),
      starts: local(w.startsAt),
      ends: local(w.endsAt),
      monitors: w.monitors,
      statuspages: w.statuspages,
    };
    return formPage(req, reply, p, 200, v, {}, w);
  });
  app.post('/projects/:uuid/maintenance/:mw/edit', async (req, reply) => {
    const [p, w] = await windowOf(req);
    const v = valuesOf(req);
    if (searchAsked(req)) return formPage(req, reply, p, 200, v, {}, w);
    try {
      await updateMaintenance(actorFor(ctx, p), w.uuid, {
        name: v.name,
        title: withEnglish(w.title, v.title),
        text: withEnglish(w.text, v.text),
        start_date: instant(v.starts),
        end_date: instant(v.ends),
        monitors: v.monitors,
        statuspages: v.statuspages,
      });
      return reply.redirect(`${base(p)}?done=saved`, 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return formPage(req, reply, p, 422, v, { [messageField(err.message, ['name'], PATTERNS)]: err.message }, w);
    }
  });
  app.get('/projects/:uuid/maintenance/:mw/delete', async (req, reply) => {
    const [p, w] = await windowOf(req);
    const names = await monitorNames(actorFor(ctx, p), w.monitors);
    return sendScreen(
      assets,
      req,
      reply,
      200,
      windowDeleteScreen({ project: p, window: w, names, csrf: csrfToken(req, reply) }),
    );
  });
  app.post('/projects/:uuid/maintenance/:mw/delete', async (req, reply) => {
    const [p, w] = await windowOf(req);
    await deleteMaintenance(actorFor(ctx, p), w.uuid);
    return reply.redirect(`${base(p)}?done=deleted`, 303);
  });
}
