import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ValidationError } from '../../../domain/errors.ts';
import {
  acknowledgeOutage,
  createOutage,
  getOutage,
  listOutages,
  resolveOutage,
  unacknowledgeOutage,
  type Outage,
} from '../../../services/outages.ts';
import { outageDeliveries } from '../../../services/alerting.ts';
import { alertsNobody, outageFormChoices } from '../../../services/dashboard-views.ts';
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
import {
  STATUSES,
  outageFormScreen,
  outageScreen,
  outagesPath as base,
  outagesScreen,
  type OutageForm,
  type Status,
} from './views.ts';

const PER_PAGE = 50;
const PATTERNS: [RegExp, string][] = [
  [/monitorUuid/, 'monitor'],
  [/^endDate/, 'ends'],
  [/^startDate/, 'starts'],
  [/statusCode/, 'status_code'],
  [/description/, 'description'],
  [/^severity/, 'severity'],
  [/^summary/, 'summary'],
  [/[Ee]scalation policy/, 'policy'],
];
/** A datetime-local value is read as UTC (the form says so); anything else goes to the rules as typed. */
const instant = (v: string) => (/^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(v) ? `${v}:00Z` : v);
const local = (ms: number) => new Date(ms).toISOString().slice(0, 16);

export default function outageRoutes(app: FastifyInstance, { ctx, assets }: Deps) {
  async function outageOf(req: FastifyRequest): Promise<[MemberProject, Outage]> {
    const p = await userProject(ctx, req);
    return [p, await getOutage(actorFor(ctx, p), (req.params as { outage: string }).outage)];
  }

  app.get('/projects/:uuid/outages', async (req, reply) => {
    const p = await userProject(ctx, req);
    const q = req.query as Record<string, unknown>;
    const status: Status = STATUSES.includes(q.status as Status) ? (q.status as Status) : 'all';
    const search = typeof q.q === 'string' ? q.q.slice(0, 200) : '';
    const page = pageOf(req);
    const res = await listOutages(actorFor(ctx, p), {
      page: page - 1,
      perPage: PER_PAGE,
      status,
      type: 'all',
      search: search || undefined,
    });
    return sendScreen(
      assets,
      req,
      reply,
      200,
      outagesScreen({ project: p, res, perPage: PER_PAGE, page, status, search, now: ctx.clock(), done: doneOf(req) }),
    );
  });

  async function newPage(
    req: FastifyRequest,
    reply: FastifyReply,
    p: MemberProject,
    status: number,
    v: OutageForm,
    e: FieldErrors,
  ) {
    const { pickers, policies } = await outageFormChoices(actorFor(ctx, p), [
      pickerAsk(req, 'monitor', v.monitor ? [v.monitor] : []),
    ]);
    return sendScreen(
      assets,
      req,
      reply,
      status,
      outageFormScreen({
        project: p,
        picker: pickers.get('monitor')!,
        policies,
        csrf: csrfToken(req, reply),
        values: v,
        errors: e,
      }),
    );
  }

  app.get('/projects/:uuid/outages/new', async (req, reply) =>
    newPage(
      req,
      reply,
      await userProject(ctx, req),
      200,
      {
        monitor: '',
        starts: local(ctx.clock()),
        ends: '',
        status_code: '500',
        description: '',
        severity: '',
        summary: '',
        policy: '',
      },
      {},
    ),
  );
  app.post('/projects/:uuid/outages', async (req, reply) => {
    const p = await userProject(ctx, req);
    const f = form(req);
    const get = (k: string) => (f.get(k) ?? '').trim();
    const v: OutageForm = {
      monitor: get('monitor'),
      starts: get('starts'),
      ends: get('ends'),
      status_code: get('status_code'),
      description: f.get('description') ?? '',
      severity: get('severity'),
      summary: f.get('summary') ?? '',
      policy: get('policy'),
    };
    if (searchAsked(req)) return newPage(req, reply, p, 200, v, {});
    try {
      if (!v.monitor) throw new ValidationError('Choose the monitor (monitorUuid) the outage is about');
      const o = await createOutage(actorFor(ctx, p, req.dash.user), {
        monitorUuid: v.monitor,
        startDate: instant(v.starts),
        endDate: v.ends ? instant(v.ends) : null,
        statusCode: /^\d{1,4}$/.test(v.status_code) ? Number(v.status_code) : NaN,
        description: v.description,
        escalationPolicyUuid: v.policy || null,
        severity: v.severity || null,
        summary: v.summary.trim() ? v.summary : null,
      });
      return reply.redirect(`${base(p)}/${o.uuid}?done=created`, 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return newPage(req, reply, p, 422, v, { [messageField(err.message, [], PATTERNS)]: err.message });
    }
  });

  app.get('/projects/:uuid/outages/:outage', async (req, reply) => {
    const [p, o] = await outageOf(req);
    const [deliveries, silent] = await Promise.all([outageDeliveries(ctx, o.id), alertsNobody(actorFor(ctx, p))]);
    return sendScreen(
      assets,
      req,
      reply,
      200,
      outageScreen({
        project: p,
        outage: o,
        deliveries,
        now: ctx.clock(),
        csrf: csrfToken(req, reply),
        done: doneOf(req),
        alertsNobody: silent,
      }),
    );
  });

  const actions: [string, (c: ReturnType<typeof actorFor>, uuid: string) => Promise<void>, string][] = [
    ['acknowledge', acknowledgeOutage, 'acknowledged'],
    ['unacknowledge', unacknowledgeOutage, 'unacknowledged'],
    ['resolve', resolveOutage, 'resolved'],
  ];
  for (const [action, run, done] of actions) {
    app.post(`/projects/:uuid/outages/:outage/${action}`, async (req, reply) => {
      const [p, o] = await outageOf(req);
      await run(actorFor(ctx, p, req.dash.user), o.uuid);
      return reply.redirect(`${base(p)}/${o.uuid}?done=${done}`, 303);
    });
  }
}
