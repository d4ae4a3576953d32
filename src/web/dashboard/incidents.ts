import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ValidationError } from '../../domain/errors.ts';
import { INCIDENT_TYPES, UPDATE_TYPES } from '../../domain/incidents.ts';
import type { LocalizedText } from '../../domain/localized.ts';
import { addIncidentUpdate, createIncident, deleteIncident, getIncident, listIncidents, updateIncident, type Incident } from '../../services/incidents.ts';
import { listStatusPages } from '../../services/statuspages.ts';
import { monitorNames } from '../../services/dashboard-views.ts';
import type { MemberProject } from '../../services/users.ts';
import { html, type Markup } from './html.ts';
import { csrfInput, field, fieldError, form, formError, messageField, selectField, textareaField, type FieldErrors } from './forms.ts';
import { sendUserPage, time, type Deps } from './layout.ts';
import { csrfToken } from './session.ts';
import { actorFor, projectHeader, projectPath, userProject } from './project-nav.ts';
import { notice } from './monitors.ts';
import { monitorCheckboxes, monitorSearchForm, pickerList, pickerSource } from './monitor-picker.ts';

const NOTICES: Record<string, string> = {
  created: 'The incident was created; the status pages it names show it.',
  saved: 'The incident was saved.',
  updated: 'The update was posted.',
  deleted: 'The incident was deleted.',
};
const LABELS: Record<string, string> = { investigating: 'Investigating', identified: 'Identified', update: 'Update', monitoring: 'Monitoring', resolved: 'Resolved' };
const TYPE_LABELS: Record<string, string> = { incident: 'Incident (degraded)', outage: 'Outage (major)' };

/** English first, else any language with text: the API stores texts by language. */
export const textOf = (t: LocalizedText | undefined) => (t?.en?.trim() ? t.en : Object.values(t ?? {}).find((x) => x?.trim()) ?? '');
/** Ids typed or pasted one per line, or separated by commas or spaces. */
export const idsOf = (s: string) => s.split(/[\s,]+/).filter(Boolean);
/** The English text of a form over the other languages of a stored text ("" removes the English one). */
export function withEnglish(current: LocalizedText, en: string): LocalizedText {
  const { en: _old, ...others } = current as Record<string, string>;
  return en ? { ...others, en } : others;
}

function latestType(i: Incident): string {
  return i.updates.length ? i.updates[i.updates.length - 1].type : 'investigating';
}

/** Checkboxes of the project's status pages (the incident or window shows on the ticked ones). */
export function statusPageChoices(pages: { uuid: string; name: string }[], chosen: string[], error?: string): Markup {
  if (!pages.length) return html`<p class="hint">No status page yet: the Status pages tab makes one.</p>`;
  return html`<fieldset class="field${error ? ' invalid' : ''}"><legend>Show on status pages</legend>
    ${pages.map((sp) => html`<label class="choice"><input type="checkbox" name="statuspages" value="${sp.uuid}"${chosen.includes(sp.uuid) ? html` checked` : ''}> <span>${sp.name}</span></label>`)}
    ${fieldError('f-statuspages', error)}</fieldset>`;
}

export async function projectStatusPages(actor: ReturnType<typeof actorFor>) {
  return (await listStatusPages(actor, { page: 0, perPage: 200 })).pages.map((x) => ({ uuid: x.row.uuid, name: x.row.name }));
}

interface IncidentForm { title: string; type: string; status: string; message: string; affected: string[]; statuspages: string[] }
const EMPTY: IncidentForm = { title: '', type: 'incident', status: 'investigating', message: '', affected: [], statuspages: [] };
const PATTERNS: [RegExp, string][] = [[/^updates\[0\]\.text|^text/, 'message'], [/^updates\[0\]\.type/, 'status'], [/affectedComponents/, 'affected'], [/statuspages|Status page/, 'statuspages'], [/^title/, 'title']];

function valuesOf(req: FastifyRequest): IncidentForm {
  const f = form(req);
  const get = (k: string) => f.get(k) ?? '';
  // Checkboxes send one id each; a typed list (older forms, scripts) may hold several.
  return { title: get('title'), type: get('type'), status: get('status'), message: get('message'), affected: [...new Set(f.getAll('affected').flatMap(idsOf))], statuspages: f.getAll('statuspages') };
}

export default function incidentRoutes(app: FastifyInstance, { ctx, assets }: Deps) {
  const base = (p: MemberProject) => projectPath(p.uuid, 'incidents');
  async function incidentOf(req: FastifyRequest): Promise<[MemberProject, Incident]> {
    const p = await userProject(ctx, req);
    return [p, await getIncident(actorFor(ctx, p), (req.params as { inc: string }).inc)];
  }

  app.get('/projects/:uuid/incidents', async (req, reply) => {
    const p = await userProject(ctx, req);
    const list = (await listIncidents(actorFor(ctx, p))).slice(0, 200);
    const body = html`${projectHeader(p, 'incidents')}
<div class="page-head"><div><h1>Incidents</h1><p class="hint">What status page visitors read about a problem, with its timeline of updates.</p></div><a class="button primary" href="${base(p)}/new">Create incident</a></div>
${notice(req, NOTICES)}
<section class="card">
  ${list.length ? html`<table class="list incidents"><caption class="sr-only">Incidents, newest first</caption>
    <thead><tr><th scope="col">Title</th><th scope="col">Status</th><th scope="col">Type</th><th scope="col">Date</th><th scope="col" class="num">Updates</th></tr></thead>
    <tbody>${list.map((i) => html`<tr>
      <td data-label="Title" class="name-cell"><a href="${base(p)}/${i.uuid}">${textOf(i.title)}</a></td>
      <td data-label="Status"><span class="tag ${latestType(i) === 'resolved' ? 'resolved' : 'ongoing'}">${LABELS[latestType(i)]}</span></td>
      <td data-label="Type">${i.type}</td>
      <td data-label="Date">${time(i.at)}</td>
      <td data-label="Updates" class="num">${i.updates.length}</td>
    </tr>`)}</tbody></table>` : html`<p class="empty">No incidents. <a href="${base(p)}/new">Create one</a> when something needs explaining.</p>`}
</section>`;
    return sendUserPage(assets, req, reply, 200, `Incidents · ${p.name}`, body);
  });

  /** The create form, or with `i` the edit form of that incident (title, type, monitors, pages; updates are posted on its page). */
  async function formPage(req: FastifyRequest, reply: FastifyReply, p: MemberProject, status: number, v: IncidentForm, e: FieldErrors, i?: Incident) {
    const actor = actorFor(ctx, p);
    const [pages, source] = await Promise.all([projectStatusPages(actor), pickerSource(actor, req)]);
    const picker = await pickerList(source, 'affected', v.affected);
    const title = i ? `Edit ${textOf(i.title)}` : 'Create incident';
    const body = html`${projectHeader(p, 'incidents', i ? [{ text: textOf(i.title), href: `${base(p)}/${i.uuid}` }, { text: 'Edit' }] : [{ text: 'New' }])}
<h1>${title}</h1>
<section class="card narrow-wide"><form method="post" action="${i ? `${base(p)}/${i.uuid}/edit` : base(p)}">
  ${csrfInput(csrfToken(req, reply))}
  ${formError(e)}
  ${field({ label: 'Title', name: 'title', value: v.title, error: e.title, required: true, attrs: html` maxlength="255" autocomplete="off"` })}
  <div class="grid-2">
    ${selectField({ label: 'Type', name: 'type', value: v.type, options: INCIDENT_TYPES.map((t) => [t, TYPE_LABELS[t]] as const), error: e.type })}
    ${i ? '' : selectField({ label: 'Status', name: 'status', value: v.status, options: UPDATE_TYPES.map((t) => [t, LABELS[t]] as const), error: e.status })}
  </div>
  ${i ? '' : textareaField({ label: 'Message', name: 'message', value: v.message, error: e.message, hint: 'The first update of the timeline.', rows: 4 })}
  ${monitorCheckboxes({ name: 'affected', legend: 'Affected monitors', monitors: picker.monitors, search: picker.search, chosen: v.affected, error: e.affected, hint: 'Optional: the monitors the incident is about.' })}
  ${statusPageChoices(pages, v.statuspages, e.statuspages)}
  <div class="actions"><button type="submit" class="primary">${i ? 'Save incident' : 'Create incident'}</button> <a class="button" href="${i ? `${base(p)}/${i.uuid}` : base(p)}">Cancel</a></div>
</form>${picker.search ? monitorSearchForm(i ? `${base(p)}/${i.uuid}/edit` : `${base(p)}/new`) : ''}</section>`;
    return sendUserPage(assets, req, reply, status, title, body);
  }

  app.get('/projects/:uuid/incidents/new', async (req, reply) => formPage(req, reply, await userProject(ctx, req), 200, EMPTY, {}));
  app.post('/projects/:uuid/incidents', async (req, reply) => {
    const p = await userProject(ctx, req);
    const v = valuesOf(req);
    try {
      const i = await createIncident(actorFor(ctx, p), {
        title: { en: v.title }, text: {}, type: v.type, affectedComponents: v.affected, statuspages: v.statuspages,
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
    return formPage(req, reply, p, 200, { ...EMPTY, title: textOf(i.title), type: i.type, affected: i.affectedComponents, statuspages: i.statuspages }, {}, i);
  });
  app.post('/projects/:uuid/incidents/:inc/edit', async (req, reply) => {
    const [p, i] = await incidentOf(req);
    const v = valuesOf(req);
    try {
      // The API's PUT: only these keys change; the title's other languages stay.
      await updateIncident(actorFor(ctx, p), i.uuid, { title: withEnglish(i.title, v.title), type: v.type, affectedComponents: v.affected, statuspages: v.statuspages });
      return reply.redirect(`${base(p)}/${i.uuid}?done=saved`, 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return formPage(req, reply, p, 422, v, { [messageField(err.message, ['title', 'type'], PATTERNS)]: err.message }, i);
    }
  });

  async function incidentPage(req: FastifyRequest, reply: FastifyReply, p: MemberProject, i: Incident, status: number, v: { status: string; message: string }, e: FieldErrors) {
    const [names, pages] = await Promise.all([monitorNames(actorFor(ctx, p), i.affectedComponents), projectStatusPages(actorFor(ctx, p))]);
    const pageName = new Map(pages.map((x) => [x.uuid, x.name]));
    const path = `${base(p)}/${i.uuid}`;
    const body = html`${projectHeader(p, 'incidents', [{ text: textOf(i.title) }])}
<div class="page-head">
  <div class="title-block"><h1>${textOf(i.title)}</h1><p class="meta"><span class="tag ${latestType(i) === 'resolved' ? 'resolved' : 'ongoing'}">${LABELS[latestType(i)]}</span> ${i.type} · ${time(i.at)}</p></div>
  <div class="actions head-actions"><a class="button" href="${path}/edit">Edit</a> <a class="button danger-outline" href="${path}/delete">Delete</a></div>
</div>
${notice(req, NOTICES)}
<section class="card">
  <dl class="facts wide">
    <dt>Affected</dt><dd>${i.affectedComponents.length ? i.affectedComponents.map((u, k) => html`${k ? ', ' : ''}<a href="${projectPath(p.uuid, `monitors/${encodeURIComponent(u)}`)}">${names.get(u) ?? u}</a>`) : 'No monitor named'}</dd>
    <dt>Status pages</dt><dd>${i.statuspages.length ? i.statuspages.map((u) => pageName.get(u) ?? u).join(', ') : 'None'}</dd>
  </dl>
  ${textOf(i.text) ? html`<p>${textOf(i.text)}</p>` : ''}
</section>
<section class="card" aria-labelledby="post-h"><h2 id="post-h">Post an update</h2>
  <form method="post" action="${path}/updates">
    ${csrfInput(csrfToken(req, reply))}
    ${formError(e)}
    ${selectField({ label: 'Status', name: 'status', value: v.status, options: UPDATE_TYPES.map((t) => [t, LABELS[t]] as const), error: e.status })}
    ${textareaField({ label: 'Message', name: 'message', value: v.message, error: e.message, rows: 4 })}
    <div class="actions"><button type="submit" class="primary">Post update</button></div>
  </form>
</section>
<section class="card" aria-labelledby="timeline-h"><h2 id="timeline-h">Timeline</h2>
  ${i.updates.length ? html`<ol class="timeline" reversed>${[...i.updates].reverse().map((u) => html`<li><strong>${LABELS[u.type] ?? u.type}</strong> · ${time(u.at)}<p class="text">${textOf(u.text)}</p></li>`)}</ol>` : html`<p class="empty">No update yet.</p>`}
</section>`;
    return sendUserPage(assets, req, reply, status, `${textOf(i.title)} · ${p.name}`, body);
  }

  app.get('/projects/:uuid/incidents/:inc', async (req, reply) => {
    const [p, i] = await incidentOf(req);
    return incidentPage(req, reply, p, i, 200, { status: latestType(i) === 'resolved' ? 'resolved' : 'update', message: '' }, {});
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
      return incidentPage(req, reply, p, i, 422, v, { [messageField(err.message, [], [[/^text/, 'message'], [/^type/, 'status']])]: err.message });
    }
  });

  app.get('/projects/:uuid/incidents/:inc/delete', async (req, reply) => {
    const [p, i] = await incidentOf(req);
    const body = html`${projectHeader(p, 'incidents', [{ text: textOf(i.title), href: `${base(p)}/${i.uuid}` }, { text: 'Delete' }])}
<section class="card narrow"><h1>Delete incident</h1><p>Delete <strong>${textOf(i.title)}</strong> and its ${i.updates.length} updates? Status pages stop showing it. This cannot be undone.</p>
  <form method="post" action="${base(p)}/${i.uuid}/delete">${csrfInput(csrfToken(req, reply))}<div class="actions"><button type="submit" class="danger">Delete incident</button> <a class="button" href="${base(p)}/${i.uuid}">Cancel</a></div></form></section>`;
    return sendUserPage(assets, req, reply, 200, 'Delete incident', body);
  });
  app.post('/projects/:uuid/incidents/:inc/delete', async (req, reply) => {
    const [p, i] = await incidentOf(req);
    await deleteIncident(actorFor(ctx, p), i.uuid);
    return reply.redirect(`${base(p)}?done=deleted`, 303);
  });
}
