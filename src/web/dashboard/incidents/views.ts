import { INCIDENT_TYPES, UPDATE_TYPES } from '../../../domain/incidents.ts';
import type { Incident } from '../../../services/incidents.ts';
import type { PickerList } from '../../../services/dashboard-views.ts';
import type { MemberProject } from '../../../services/users.ts';
import { html } from '../../ui/html.ts';
import { csrfInput, field, formError, selectField, textareaField, type FieldErrors } from '../../ui/forms.ts';
import { textOf, time } from '../../ui/format.ts';
import type { Screen } from '../../ui/layout.ts';
import { notice } from '../../ui/notices.ts';
import { implicitSubmit, monitorCheckboxes, statusPageChoices } from '../../ui/pickers.ts';
import { projectHeader, projectPath } from '../project-nav.ts';

/** The incident screens: the list, the form, the incident's page with its timeline, the delete confirmation. */

const NOTICES: Record<string, string> = {
  created: 'The incident was created; the status pages it names show it.',
  saved: 'The incident was saved.',
  updated: 'The update was posted.',
  deleted: 'The incident was deleted.',
};
const LABELS: Record<string, string> = {
  investigating: 'Investigating',
  identified: 'Identified',
  update: 'Update',
  monitoring: 'Monitoring',
  resolved: 'Resolved',
};
const TYPE_LABELS: Record<string, string> = { incident: 'Incident (degraded)', outage: 'Outage (major)' };

export interface IncidentForm {
  title: string;
  type: string;
  status: string;
  message: string;
  affected: string[];
  statuspages: string[];
}

export const incidentsPath = (p: MemberProject) => projectPath(p.uuid, 'incidents');
const base = incidentsPath;

export function latestType(i: Incident): string {
  return i.updates.length ? i.updates[i.updates.length - 1].type : 'investigating';
}

export function incidentsScreen(d: { project: MemberProject; list: Incident[]; done: unknown }): Screen {
  const { project: p, list } = d;
  return {
    title: `Incidents · ${p.name}`,
    body: html`${projectHeader(p, 'incidents')}
<div class="page-head"><div><h1>Incidents</h1><p class="hint">What status page visitors read about a problem, with its timeline of updates.</p></div><a class="button primary" href="${base(p)}/new">Create incident</a></div>
${notice(d.done, NOTICES)}
<section class="card">
  ${
    list.length
      ? html`<table class="list incidents"><caption class="sr-only">Incidents, newest first</caption>
    <thead><tr><th scope="col">Title</th><th scope="col">Status</th><th scope="col">Type</th><th scope="col">Date</th><th scope="col" class="num">Updates</th></tr></thead>
    <tbody>${list.map(
      (i) => html`<tr>
      <td data-label="Title" class="name-cell"><a href="${base(p)}/${i.uuid}">${textOf(i.title)}</a></td>
      <td data-label="Status"><span class="tag ${latestType(i) === 'resolved' ? 'resolved' : 'ongoing'}">${LABELS[latestType(i)]}</span></td>
      <td data-label="Type">${i.type}</td>
      <td data-label="Date">${time(i.at)}</td>
      <td data-label="Updates" class="num">${i.updates.length}</td>
    </tr>`,
    )}</tbody></table>`
      : html`<p class="empty">No incidents. <a href="${base(p)}/new">Create one</a> when something needs explaining.</p>`
  }
</section>`,
  };
}

/** The create form, or with `incident` the edit form of that incident (title, type, monitors, pages; updates are posted on its page). */
export function incidentFormScreen(d: {
  project: MemberProject;
  incident?: Incident;
  statusPages: { uuid: string; name: string }[];
  picker: PickerList;
  csrf: string;
  values: IncidentForm;
  errors: FieldErrors;
}): Screen {
  const { project: p, incident: i, statusPages: pages, picker, values: v, errors: e } = d;
  const title = i ? `Edit ${textOf(i.title)}` : 'Create incident';
  return {
    title,
    body: html`${projectHeader(p, 'incidents', i ? [{ text: textOf(i.title), href: `${base(p)}/${i.uuid}` }, { text: 'Edit' }] : [{ text: 'New' }])}
<h1>${title}</h1>
<section class="card narrow-wide"><form method="post" action="${i ? `${base(p)}/${i.uuid}/edit` : base(p)}">
  ${picker.search ? implicitSubmit() : ''}${csrfInput(d.csrf)}
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
</form></section>`,
  };
}

/** The incident's page; `v` and `e` are the values and errors of its "Post an update" form. */
export function incidentScreen(d: {
  project: MemberProject;
  incident: Incident;
  monitorNames: Map<string, string>;
  statusPages: { uuid: string; name: string }[];
  csrf: string;
  values: { status: string; message: string };
  errors: FieldErrors;
  done: unknown;
}): Screen {
  const { project: p, incident: i, monitorNames: names, values: v, errors: e } = d;
  const pageName = new Map(d.statusPages.map((x) => [x.uuid, x.name]));
  const path = `${base(p)}/${i.uuid}`;
  return {
    title: `${textOf(i.title)} · ${p.name}`,
    body: html`${projectHeader(p, 'incidents', [{ text: textOf(i.title) }])}
<div class="page-head">
  <div class="title-block"><h1>${textOf(i.title)}</h1><p class="meta"><span class="tag ${latestType(i) === 'resolved' ? 'resolved' : 'ongoing'}">${LABELS[latestType(i)]}</span> ${i.type} · ${time(i.at)}</p></div>
  <div class="actions head-actions"><a class="button" href="${path}/edit">Edit</a> <a class="button danger-outline" href="${path}/delete">Delete</a></div>
</div>
${notice(d.done, NOTICES)}
<section class="card">
  <dl class="facts wide">
    <dt>Affected</dt><dd>${i.affectedComponents.length ? i.affectedComponents.map((u, k) => html`${k ? ', ' : ''}<a href="${projectPath(p.uuid, `monitors/${encodeURIComponent(u)}`)}">${names.get(u) ?? u}</a>`) : 'No monitor named'}</dd>
    <dt>Status pages</dt><dd>${i.statuspages.length ? i.statuspages.map((u) => pageName.get(u) ?? u).join(', ') : 'None'}</dd>
  </dl>
  ${textOf(i.text) ? html`<p>${textOf(i.text)}</p>` : ''}
</section>
<section class="card" aria-labelledby="post-h"><h2 id="post-h">Post an update</h2>
  <form method="post" action="${path}/updates">
    ${csrfInput(d.csrf)}
    ${formError(e)}
    ${selectField({ label: 'Status', name: 'status', value: v.status, options: UPDATE_TYPES.map((t) => [t, LABELS[t]] as const), error: e.status })}
    ${textareaField({ label: 'Message', name: 'message', value: v.message, error: e.message, rows: 4 })}
    <div class="actions"><button type="submit" class="primary">Post update</button></div>
  </form>
</section>
<section class="card" aria-labelledby="timeline-h"><h2 id="timeline-h">Timeline</h2>
  ${i.updates.length ? html`<ol class="timeline" reversed>${[...i.updates].reverse().map((u) => html`<li><strong>${LABELS[u.type] ?? u.type}</strong> · ${time(u.at)}<p class="text">${textOf(u.text)}</p></li>`)}</ol>` : html`<p class="empty">No update yet.</p>`}
</section>`,
  };
}

export function incidentDeleteScreen(d: { project: MemberProject; incident: Incident; csrf: string }): Screen {
  const { project: p, incident: i } = d;
  return {
    title: 'Delete incident',
    body: html`${projectHeader(p, 'incidents', [{ text: textOf(i.title), href: `${base(p)}/${i.uuid}` }, { text: 'Delete' }])}
<section class="card narrow"><h1>Delete incident</h1><p>Delete <strong>${textOf(i.title)}</strong> and its ${i.updates.length} updates? Status pages stop showing it. This cannot be undone.</p>
  <form method="post" action="${base(p)}/${i.uuid}/delete">${csrfInput(d.csrf)}<div class="actions"><button type="submit" class="danger">Delete incident</button> <a class="button" href="${base(p)}/${i.uuid}">Cancel</a></div></form></section>`,
  };
}
