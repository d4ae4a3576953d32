import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ValidationError } from '../../../domain/errors.ts';
import {
  bulkSelection,
  createMonitor,
  deleteMonitor,
  deleteMonitors,
  getMonitor,
  setMonitorsPaused,
  updateMonitor,
  type Monitor,
} from '../../../services/monitors.ts';
import {
  CHART_PERIODS,
  MONITOR_SORTS,
  STATUS_FILTERS,
  alertsNobody,
  monitorActivity,
  monitorChoicesOf,
  monitorListPage,
  type ChartPeriod,
  type MonitorSort,
  type StatusFilter,
} from '../../../services/dashboard-views.ts';
import type { MemberProject } from '../../../services/users.ts';
import { actorFor, doneOf, form, sendScreen, userProject, type Deps } from '../handler.ts';
import { csrfToken } from '../session.ts';
import { emptyForm, fieldOfMessage, formValuesOf, readForm, toInput, type MonitorFormValues } from './form.ts';
import {
  listHref,
  monitorBulkDeleteScreen,
  monitorDeleteScreen,
  monitorFormScreen,
  monitorListScreen,
  monitorPath,
  monitorScreen,
  monitorsPath,
  type ListQuery,
} from './views.ts';
import type { FieldErrors } from '../../ui/forms.ts';

/** The list's search, filter, order and page, from its query string or a bulk form; anything unknown reads as the default. */
function listQuery(q: Record<string, unknown>): ListQuery {
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const status = STATUS_FILTERS.includes(str(q.status) as StatusFilter) ? (str(q.status) as StatusFilter) : 'all';
  const page = /^\d{1,6}$/.test(str(q.page)) ? Number(q.page) : 1;
  const sort = MONITOR_SORTS.includes(str(q.sort) as MonitorSort) ? (str(q.sort) as MonitorSort) : 'name';
  return { search: str(q.q).slice(0, 200), status, page, sort, dir: str(q.dir) === 'desc' ? 'desc' : 'asc' };
}

export default function monitorRoutes(
  app: FastifyInstance,
  { ctx, assets, rawRetentionDays, builtInLocation, probeLiveMs }: Deps,
) {
  async function monitorOf(req: FastifyRequest): Promise<[MemberProject, Monitor]> {
    const p = await userProject(ctx, req);
    return [p, await getMonitor(actorFor(ctx, p), (req.params as { mon: string }).mon)];
  }

  app.get('/projects/:uuid/monitors', async (req, reply) => {
    const p = await userProject(ctx, req);
    const query = listQuery(req.query as Record<string, unknown>);
    const actor = actorFor(ctx, p);
    const [list, silent] = await Promise.all([monitorListPage(actor, { ...query, probeLiveMs }), alertsNobody(actor)]);
    return sendScreen(
      assets,
      req,
      reply,
      200,
      monitorListScreen({
        project: p,
        query,
        list,
        done: doneOf(req),
        alertsNobody: silent,
        csrf: csrfToken(req, reply),
        builtInLocation,
      }),
    );
  });

  // Bulk actions of the list (any member, as for one monitor: domain/roles.ts). Ticked monitors
  // of other projects, or unknown ones, are skipped; the list comes back as it was shown.
  app.post('/projects/:uuid/monitors/bulk', async (req, reply) => {
    const p = await userProject(ctx, req);
    const f = form(req);
    const back = listQuery(Object.fromEntries(f));
    const action = f.get('action');
    if (action !== 'pause' && action !== 'resume' && action !== 'delete')
      throw new ValidationError('Choose what to do with the selected monitors: pause, resume or delete');
    const actor = actorFor(ctx, p);
    const chosen = bulkSelection(f.getAll('monitor'));
    if (action === 'delete') {
      const monitors = await monitorChoicesOf(actor, chosen);
      if (monitors.length === 0) return reply.redirect(listHref(p, back, 'none-selected'), 303);
      return sendScreen(
        assets,
        req,
        reply,
        200,
        monitorBulkDeleteScreen({ project: p, monitors, query: back, csrf: csrfToken(req, reply) }),
      );
    }
    if (chosen.length === 0) return reply.redirect(listHref(p, back, 'none-selected'), 303);
    await setMonitorsPaused(actor, chosen, action === 'pause');
    return reply.redirect(listHref(p, back, action === 'pause' ? 'bulk-paused' : 'bulk-resumed'), 303);
  });
  app.post('/projects/:uuid/monitors/bulk/delete', async (req, reply) => {
    const p = await userProject(ctx, req);
    const f = form(req);
    await deleteMonitors(actorFor(ctx, p), f.getAll('monitor'));
    return reply.redirect(listHref(p, listQuery(Object.fromEntries(f)), 'bulk-deleted'), 303);
  });

  app.get('/projects/:uuid/monitors/:mon', async (req, reply) => {
    const [p, m] = await monitorOf(req);
    const asked = (req.query as Record<string, unknown>).period;
    const period: ChartPeriod =
      typeof asked === 'string' && Object.hasOwn(CHART_PERIODS, asked) ? (asked as ChartPeriod) : '24h';
    const activity = await monitorActivity(actorFor(ctx, p), m.id, period, rawRetentionDays, probeLiveMs);
    return sendScreen(
      assets,
      req,
      reply,
      200,
      monitorScreen({
        project: p,
        monitor: m,
        ...activity,
        period,
        rawRetentionDays,
        now: ctx.clock(),
        csrf: csrfToken(req, reply),
        done: doneOf(req),
        builtInLocation,
      }),
    );
  });

  function formPage(
    req: FastifyRequest,
    reply: FastifyReply,
    p: MemberProject,
    status: number,
    m: Monitor | null,
    values: MonitorFormValues,
    errors: FieldErrors,
  ) {
    return sendScreen(
      assets,
      req,
      reply,
      status,
      monitorFormScreen({ project: p, monitor: m, csrf: csrfToken(req, reply), values, errors }),
    );
  }

  /** Runs a create or update; a refusal goes back to the form with the message beside its field. */
  async function save(req: FastifyRequest, reply: FastifyReply, p: MemberProject, m: Monitor | null) {
    const values = readForm(form(req));
    try {
      const actor = actorFor(ctx, p);
      const saved = m
        ? await updateMonitor(actor, m.uuid, toInput(values))
        : await createMonitor(actor, toInput(values));
      return reply.redirect(`${monitorPath(p, saved)}?done=${m ? 'saved' : 'created'}`, 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return formPage(req, reply, p, 422, m, values, { [fieldOfMessage(err.message)]: err.message });
    }
  }

  app.get('/projects/:uuid/monitors/new', async (req, reply) =>
    formPage(req, reply, await userProject(ctx, req), 200, null, emptyForm(), {}),
  );
  app.post('/projects/:uuid/monitors', async (req, reply) => save(req, reply, await userProject(ctx, req), null));

  app.get('/projects/:uuid/monitors/:mon/edit', async (req, reply) => {
    const [p, m] = await monitorOf(req);
    return formPage(req, reply, p, 200, m, formValuesOf(m), {});
  });
  app.post('/projects/:uuid/monitors/:mon/edit', async (req, reply) => {
    const [p, m] = await monitorOf(req);
    return save(req, reply, p, m);
  });

  for (const [action, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    app.post(`/projects/:uuid/monitors/:mon/${action}`, async (req, reply) => {
      const [p, m] = await monitorOf(req);
      await updateMonitor(actorFor(ctx, p), m.uuid, { paused });
      return reply.redirect(`${monitorPath(p, m)}?done=${paused ? 'paused' : 'resumed'}`, 303);
    });
  }

  app.get('/projects/:uuid/monitors/:mon/delete', async (req, reply) => {
    const [p, m] = await monitorOf(req);
    return sendScreen(
      assets,
      req,
      reply,
      200,
      monitorDeleteScreen({ project: p, monitor: m, csrf: csrfToken(req, reply) }),
    );
  });
  app.post('/projects/:uuid/monitors/:mon/delete', async (req, reply) => {
    const [p, m] = await monitorOf(req);
    await deleteMonitor(actorFor(ctx, p), m.uuid);
    return reply.redirect(`${monitorsPath(p)}?done=deleted`, 303);
  });
}
