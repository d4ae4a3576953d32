import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ValidationError } from '../../domain/errors.ts';
import { maintenanceStatus } from '../../domain/maintenance.ts';
import { createMaintenance, deleteMaintenance, getMaintenance, listMaintenance, updateMaintenance, type MaintenanceWindow } from '../../services/maintenance.ts';
import { monitorNames } from '../../services/dashboard-views.ts';
import type { MemberProject } from '../../services/users.ts';
import { html } from './html.ts';
import { csrfInput, field, form, formError, messageField, textareaField, type FieldErrors } from './forms.ts';
import { sendUserPage, time, type Deps } from './layout.ts';
import { csrfToken } from './session.ts';
import { actorFor, projectHeader, projectPath, userProject } from './project-nav.ts';
import { notice } from './monitors.ts';
import { idsOf, projectStatusPages, statusPageChoices, textOf, withEnglish } from './incidents.ts';
import { monitorCheckboxes, monitorSearchForm, pickerList, pickerSource } from './monitor-picker.ts';

const PER_PAGE = 50;
const NOTICES: Record<string, string> = {
  created: 'The maintenance window was created. While it runs, its monitors keep being checked but open no outage.',
  deleted: 'The maintenance window was deleted.',
  saved: 'The maintenance window was saved.',
};
const STATUS_LABELS = { upcoming: 'Upcoming', ongoing: 'In progress', completed: 'Completed' } as const;

interface WindowForm { name: string; title: string; text: string; starts: string; ends: string; monitors: string[]; statuspages: string[] }
const PATTERNS: [RegExp, string][] = [[/^end_date/, 'ends'], [/^start_date/, 'starts'], [/monitors|Monitor /, 'monitors'], [/statuspages|Status page/, 'statuspages'], [/^title/, 'title'], [/^text/, 'text']];

/** A datetime-local value is read as UTC (the form says so); anything else goes to the rules as typed. */
const instant = (v: string) => (/^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(v) ? `${v}:00Z` : v);
const local = (ms: number) => new Date(ms).toISOString().slice(0, 16);

export default function maintenanceRoutes(app: FastifyInstance, { ctx, assets }: Deps) {
  const base = (p: MemberProject) => projectPath(p.uuid, 'maintenance');
  async function windowOf(req: FastifyRequest): Promise<[MemberProject, MaintenanceWindow]> {
    const p = await userProject(ctx, req);
    return [p, await getMaintenance(actorFor(ctx, p), (req.params as { mw: string }).mw)];
  }

  app.get('/projects/:uuid/maintenance', async (req, reply) => {
    const p = await userProject(ctx, req);
    const q = req.query as Record<string, unknown>;
    const page = typeof q.page === 'string' && /^\d{1,6}$/.test(q.page) ? Math.max(1, Number(q.page)) : 1;
    const { windows, total } = await listMaintenance(actorFor(ctx, p), page - 1, PER_PAGE);
    const pages = Math.max(1, Math.ceil(total / PER_PAGE));
    const now = ctx.clock();
    const body = html`${projectHeader(p, 'maintenance')}
<div class="page-head"><div><h1>Maintenance windows</h1><p class="hint">Planned work: checks go on, outages and alerts hold, status pages announce it.</p></div><a class="button primary" href="${base(p)}/new">Schedule maintenance</a></div>
${notice(req, NOTICES)}
<section class="card">
  ${windows.length ? html`<table class="list windows"><caption class="sr-only">Maintenance windows, newest first</caption>
    <thead><tr><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Starts</th><th scope="col">Ends</th><th scope="col" class="num">Monitors</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
    <tbody>${windows.map((w) => {
      const s = maintenanceStatus(w.startsAt, w.endsAt, now);
      return html`<tr>
      <td data-label="Name" class="name-cell">${w.name}${textOf(w.title) ? html`<span class="url">${textOf(w.title)}</span>` : ''}</td>
      <td data-label="Status"><span class="tag ${s}">${STATUS_LABELS[s]}</span></td>
      <td data-label="Starts">${time(w.startsAt)}</td><td data-label="Ends">${time(w.endsAt)}</td>
      <td data-label="Monitors" class="num">${w.monitors.length}</td>
      <td class="row-actions"><a href="${base(p)}/${w.uuid}/edit">Edit<span class="sr-only"> ${w.name}</span></a> <a class="danger-link" href="${base(p)}/${w.uuid}/delete">Delete<span class="sr-only"> ${w.name}</span></a></td>
    </tr>`;
    })}</tbody></table>` : html`<p class="empty">No maintenance scheduled.</p>`}
  ${pages > 1 ? html`<nav class="pager" aria-label="Pages">${page > 1 ? html`<a rel="prev" href="${base(p)}?page=${page - 1}">‹ Previous</a>` : html`<span></span>`}<span>Page ${page} of ${pages}</span>${page < pages ? html`<a rel="next" href="${base(p)}?page=${page + 1}">Next ›</a>` : html`<span></span>`}</nav>` : ''}
</section>`;
    return sendUserPage(assets, req, reply, 200, `Maintenance · ${p.name}`, body);
  });

  /** The create form, or with `w` the edit form of that window. */
  async function formPage(req: FastifyRequest, reply: FastifyReply, p: MemberProject, status: number, v: WindowForm, e: FieldErrors, w?: MaintenanceWindow) {
    const [pages, source] = await Promise.all([projectStatusPages(actorFor(ctx, p)), pickerSource(actorFor(ctx, p), req)]);
    const picker = await pickerList(source, 'monitors', v.monitors);
    const title = w ? `Edit ${w.name}` : 'Schedule maintenance';
    const body = html`${projectHeader(p, 'maintenance', w ? [{ text: w.name }, { text: 'Edit' }] : [{ text: 'New' }])}
<h1>${title}</h1>
<section class="card narrow-wide"><form method="post" action="${w ? `${base(p)}/${w.uuid}/edit` : base(p)}">
  ${csrfInput(csrfToken(req, reply))}
  ${formError(e)}
  ${field({ label: 'Name', name: 'name', value: v.name, error: e.name, required: true, hint: 'For you; visitors read the title.', attrs: html` maxlength="255" autocomplete="off"` })}
  ${field({ label: 'Title', name: 'title', value: v.title, error: e.title, hint: 'Optional: shown on status pages.', attrs: html` maxlength="255" autocomplete="off"` })}
  ${textareaField({ label: 'Description', name: 'text', value: v.text, error: e.text, hint: 'Optional: shown on status pages.' })}
  <div class="grid-2">
    ${field({ label: 'Starts (UTC)', name: 'starts', type: 'datetime-local', value: v.starts, error: e.starts, required: true })}
    ${field({ label: 'Ends (UTC)', name: 'ends', type: 'datetime-local', value: v.ends, error: e.ends, required: true })}
  </div>
  ${monitorCheckboxes({ name: 'monitors', legend: 'Monitors', monitors: picker.monitors, search: picker.search, chosen: v.monitors, error: e.monitors, hint: 'Checked monitors open no outage while the window runs.' })}
  ${statusPageChoices(pages, v.statuspages, e.statuspages)}
  <div class="actions"><button type="submit" class="primary">${w ? 'Save maintenance window' : 'Schedule maintenance'}</button> <a class="button" href="${base(p)}">Cancel</a></div>
</form>${picker.search ? monitorSearchForm(w ? `${base(p)}/${w.uuid}/edit` : `${base(p)}/new`) : ''}</section>`;
    return sendUserPage(assets, req, reply, status, title, body);
  }

  function valuesOf(req: FastifyRequest): WindowForm {
    const f = form(req);
    const get = (k: string) => f.get(k) ?? '';
    // Checkboxes send one id each; a typed list (older forms, scripts) may hold several.
    return { name: get('name'), title: get('title'), text: get('text'), starts: get('starts'), ends: get('ends'), monitors: [...new Set(f.getAll('monitors').flatMap(idsOf))], statuspages: f.getAll('statuspages') };
  }

  app.get('/projects/:uuid/maintenance/new', async (req, reply) => {
    const now = ctx.clock();
    const start = now - (now % 3_600_000) + 24 * 3_600_000;
    return formPage(req, reply, await userProject(ctx, req), 200, { name: '', title: '', text: '', starts: local(start), ends: local(start + 3_600_000), monitors: [], statuspages: [] }, {});
  });
  app.post('/projects/:uuid/maintenance', async (req, reply) => {
    const p = await userProject(ctx, req);
    const v = valuesOf(req);
    try {
      await createMaintenance(actorFor(ctx, p), {
        name: v.name, title: v.title ? { en: v.title } : {}, text: v.text ? { en: v.text } : {},
        start_date: instant(v.starts), end_date: instant(v.ends), monitors: v.monitors, statuspages: v.statuspages,
      });
      return reply.redirect(`${base(p)}?done=created`, 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return formPage(req, reply, p, 422, v, { [messageField(err.message, ['name'], PATTERNS)]: err.message });
    }
  });

  app.get('/projects/:uuid/maintenance/:mw/edit', async (req, reply) => {
    const [p, w] = await windowOf(req);
    const v: WindowForm = { name: w.name, title: textOf(w.title), text: textOf(w.text), starts: local(w.startsAt), ends: local(w.endsAt), monitors: w.monitors, statuspages: w.statuspages };
    return formPage(req, reply, p, 200, v, {}, w);
  });
  app.post('/projects/:uuid/maintenance/:mw/edit', async (req, reply) => {
    const [p, w] = await windowOf(req);
    const v = valuesOf(req);
    try {
      await updateMaintenance(actorFor(ctx, p), w.uuid, {
        name: v.name, title: withEnglish(w.title, v.title), text: withEnglish(w.text, v.text),
        start_date: instant(v.starts), end_date: instant(v.ends), monitors: v.monitors, statuspages: v.statuspages,
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
    const body = html`${projectHeader(p, 'maintenance', [{ text: w.name }, { text: 'Delete' }])}
<section class="card narrow"><h1>Delete maintenance window</h1>
  <p>Delete <strong>${w.name}</strong> (${time(w.startsAt)} to ${time(w.endsAt)}${w.monitors.length ? `, ${w.monitors.map((u) => names.get(u) ?? u).join(', ')}` : ''})? This cannot be undone.</p>
  <form method="post" action="${base(p)}/${w.uuid}/delete">${csrfInput(csrfToken(req, reply))}<div class="actions"><button type="submit" class="danger">Delete window</button> <a class="button" href="${base(p)}">Cancel</a></div></form></section>`;
    return sendUserPage(assets, req, reply, 200, `Delete ${w.name}`, body);
  });
  app.post('/projects/:uuid/maintenance/:mw/delete', async (req, reply) => {
    const [p, w] = await windowOf(req);
    await deleteMaintenance(actorFor(ctx, p), w.uuid);
    return reply.redirect(`${base(p)}?done=deleted`, 303);
  });
}
