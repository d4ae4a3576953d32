import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ValidationError } from '../../../domain/errors.ts';
import {
  addIncidentUpdate,
  createIncident,
  deleteIncident,
  getIncident,
  listIncidents,
  updateIncident,
  type Incident,
} from '../../../services/incidents.ts';
import { incidentLinks, monitorAndStatusPageChoices } from '../../../services/dashboard-views.ts';
import type { MemberProject } from '../../../services/users.ts';
import { textOf } from '../../ui/format.ts';
import { idsOf, messageField, withEnglish, type FieldErrors } from '../../ui/forms.ts';
import { actorFor, doneOf, form, pickerAsk, searchAsked, sendScreen, userProject, type Deps } from '../handler.ts';
import { csrfToken } from '../session.ts';
import {
  incidentDeleteScreen,
  incidentFormScreen,
  incidentScreen,
  incidentsPath as base,
  incidentsScreen,
  latestType,
  type IncidentForm,
} from './views.ts';

const EMPTY: IncidentForm = {
  title: '',
  type: 'incident',
  status: 'investigating',
  message: '',
  affected: [],
  statuspages: [],
};
const PATTERNS: [RegExp, string][] = [
  [/^updates\[0\]\.text|^text/, 'message'],
  [/^updates\[0\]\.type/, 'status'],
  [/affectedComponents/, 'affected'],
  [/statuspages|Status page/, 'statuspages'],
  [/^title/, 'title'],
];

function valuesOf(req: FastifyRequest): IncidentForm {
  const f = form(req);
  const get = (k: string) => f.get(k) ?? '';
  // Checkboxes send one id each; a typed list (older forms, scripts) may hold several.
  return {
    title: get('title'),
    type: get('type'),
    status: get('status'),
    message: get('message'),
    affected: [...new Set(f.getAll('affected').flatMap(idsOf))],
    statuspages: f.getAll('statuspages'),
  };
}

export default function incidentRoutes(app: FastifyInstance, { ctx, assets }: Deps) {
  async function incidentOf(req: FastifyRequest): Promise<[MemberProject, Incident]> {
    const p = await userProject(ctx, req);
    return [p, await getIncident(actorFor(ctx, p), (req.params as { inc: string }).inc)];
  }

  app.get('/projects/:uuid/incidents', async (req, reply) => {
    const p = await userProject(ctx, req);
    const list = (await listIncidents(actorFor(ctx, p))).slice(0, 200);
    return sendScreen(assets, req, reply, 200, incidentsScreen({ project: p, list, done: doneOf(req) }));
  });

  /** The create form, or with `i` the edit form of that incident. */
  async function formPage(
    req: FastifyRequest,
    reply: FastifyReply,
    p: MemberProject,
    status: number,
    v: IncidentForm,
    e: FieldErrors,
    i?: Incident,
  ) {
    const { statusPages, pickers } = await monitorAndStatusPageChoices(actorFor(ctx, p), [
      pickerAsk(req, 'affected', v.affected),
    ]);
    return sendScreen(
      assets,
      req,
      reply,
      status,
      incidentFormScreen({
        project: p,
        incident: i,
        statusPages,
        picker: pickers.get('affected')!,
        csrf: csrfToken(req, reply),
        values: v,
        errors: e,
      }),
    );
  }

  app.get('/projects/:uuid/incidents/new', async (req, reply) =>
    formPage(req, reply, await userProject(ctx, req), 200, EMPTY, {}),
  );
  app.post('/projects/:uuid/incidents', async (req, reply) => {
    const p = await userProject(ctx, req);
    const v = valuesOf(req);
    if (searchAsked(req)) return formPage(req, reply, p, 200, v, {});
    try {
      const i = await createIncident(actorFor(ctx, p), {
        title: { en: v.title },
        text: {},
        type: v.type,
        affectedComponents: v.affected,
        statuspages: v.statuspages,
        updates: [{ text: { en: v.message }, type: v.status }],
      });
      return reply.redirect(`${base(p)}/${i.uuid}?done=created`, 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return formPage(req, reply, p, 422, v, { [messageField(err.message, ['title', 'type'], PATTERNS)]: err.message });
    }
  });

  app.get('/projects/:uuid/incidents/:inc/edit', async (req, reply) => {
    const [p, i] = await incidentOf(req);
    return formPage(
      req,
      reply,
      p,
      200,
      { ...EMPTY, title: textOf(i.title), type: i.type, affected: i.affectedComponents, statuspages: i.statuspages },
      {},
      i,
    );
  });
  app.post('/projects/:uuid/incidents/:inc/edit', async (req, reply) => {
    const [p, i] = await incidentOf(req);
    const v = valuesOf(req);
    if (searchAsked(req)) return formPage(req, reply, p, 200, v, {}, i);
    try {
      // The API's PUT: only these keys change; the title's other languages stay.
      await updateIncident(actorFor(ctx, p), i.uuid, {
        title: withEnglish(i.title, v.title),
        type: v.type,
        affectedComponents: v.affected,
        statuspages: v.statuspages,
      });
      return reply.redirect(`${base(p)}/${i.uuid}?done=saved`, 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return formPage(
        req,
        reply,
        p,
        422,
        v,
        { [messageField(err.message, ['title', 'type'], PATTERNS)]: err.message },
        i,
      );
    }
  });
  async function incidentPage(
    req: FastifyRequest,
    reply: FastifyReply,
    p: MemberProject,
    i: Incident,
    status: number,
    v: { status: string; message: string },
    e: FieldErrors,
  ) {
    const links = await incidentLinks(actorFor(ctx, p), i);
    return sendScreen(
      assets,
      req,
      reply,
      status,
      incidentScreen({
        project: p,
        incident: i,
        ...links,
        csrf: csrfToken(req, reply),
        values: v,
        errors: e,
        done: doneOf(req),
      }),
    );
  }

  app.get('/projects/:uuid/incidents/:inc', async (req, reply) => {
    const [p, i] = await incidentOf(req);
    return incidentPage(
      req,
      reply,
      p,
      i,
      200,
      { status: latestType(i) === 'resolved' ? 'resolved' : 'update', message: '' },
      {},
    );
  });
  app.post('/projects/:uuid/incidents/:inc/updates', async (req, reply) => {
    const [p, i] = await incidentOf(req);
    const f = form(req);
    const v = { status: f.get('status') ?? '', message: f.get('message') ?? '' };
    try {
      await addIncidentUpdate(actorFor(ctx, p), i.uuid, { text: { en: v.message }, type: v.status });
      return reply.redirect(`${base(p)}/${i.uuid}?done=updated`, 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return incidentPage(req, reply, p, i, 422, v, {
        [messageField(
          err.message,
          [],
          [
            [/^text/, 'message'],
            [/^type/, 'status'],
          ],
        )]: err.message,
      });
    }
  });
  app.get('/projects/:uuid/incidents/:inc/delete', async (req, reply) => {
    const [p, i] = await incidentOf(req);
    return sendScreen(
      assets,
      req,
      reply,
      200,
      incidentDeleteScreen({ project: p, incident: i, csrf: csrfToken(req, reply) }),
    );
  });
  app.post('/projects/:uuid/incidents/:inc/delete', async (req, reply) => {
    const [p, i] = await incidentOf(req);
    await deleteIncident(actorFor(ctx, p), i.uuid);
    return reply.redirect(`${base(p)}?done=deleted`, 303);
  });
}
