import { maintenanceStatus } from '../../../domain/maintenance.ts';
import type { MaintenanceWindow } from '../../../services/maintenance.ts';
import type { PickerList } from '../../../services/dashboard-views.ts';
import type { MemberProject } from '../../../services/users.ts';
import { html } from '../../ui/html.ts';
import { csrfInput, field, formError, textareaField, type FieldErrors } from '../../ui/forms.ts';
import { textOf, time } from '../../ui/format.ts';
import type { Screen } from '../../ui/layout.ts';
import { notice } from '../../ui/notices.ts';
import { pager } from '../../ui/tables.ts';
import { implicitSubmit, monitorCheckboxes, statusPageChoices } from '../../ui/pickers.ts';
import { projectHeader, projectPath } from '../project-nav.ts';

/** The maintenance screens: the list of windows, the form, the delete confirmation. */

const NOTICES: Record<string, string> = {
  created: 'The maintenance window was created. While it runs, its monitors keep being checked but open no outage.',
  deleted: 'The maintenance window was deleted.',
  saved: 'The maintenance window was saved.',
};
const STATUS_LABELS = { upcoming: 'Upcoming', ongoing: 'In progress', completed: 'Completed' } as const;

export interface WindowForm {
  name: string;
  title: string;
  text: string;
  starts: string;
  ends: string;
  monitors: string[];
  statuspages: string[];
}

export const maintenancePath = (p: MemberProject) => projectPath(p.uuid, 'maintenance');
const base = maintenancePath;

export function maintenanceScreen(d: {
  project: MemberProject;
  windows: MaintenanceWindow[];
  total: number;
  perPage: number;
  page: number;
  now: number;
  done: unknown;
}): Screen {
  const { project: p, windows, page, now } = d;
  const pages = Math.max(1, Math.ceil(d.total / d.perPage));
  return {
    title: `Maintenance · ${p.name}`,
    body: html`${projectHeader(p, 'maintenance')}
<div class="page-head"><div><h1>Maintenance windows</h1><p class="hint">Planned work: checks go on, outages and alerts hold, status pages announce it.</p></div><a class="button primary" href="${base(p)}/new">Schedule maintenance</a></div>
${notice(d.done, NOTICES)}
<section class="card">
  ${
    windows.length
      ? html`<table class="list windows"><caption class="sr-only">Maintenance windows, newest first</caption>
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
    })}</tbody></table>`
      : html`<p class="empty">No maintenance scheduled.</p>`
  }
  ${pager(page, pages, (n) => `${base(p)}?page=${n}`)}
</section>`,
  };
}

/** The create form, or with `window` the edit form of that window. */
export function windowFormScreen(d: {
  project: MemberProject;
  window?: MaintenanceWindow;
  statusPages: { uuid: string; name: string }[];
  picker: PickerList;
  csrf: string;
  values: WindowForm;
  errors: FieldErrors;
}): Screen {
  const { project: p, window: w, statusPages: pages, picker, values: v, errors: e } = d;
  const title = w ? `Edit ${w.name}` : 'Schedule maintenance';
  return {
    title,
    body: html`${projectHeader(p, 'maintenance', w ? [{ text: w.name }, { text: 'Edit' }] : [{ text: 'New' }])}
<h1>${title}</h1>
<section class="card narrow-wide"><form method="post" action="${w ? `${base(p)}/${w.uuid}/edit` : base(p)}">
  ${picker.search ? implicitSubmit() : ''}${csrfInput(d.csrf)}
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
</form></section>`,
  };
}

/** `names`: the names of the window's monitors, by uuid. */
export function windowDeleteScreen(d: {
  project: MemberProject;
  window: MaintenanceWindow;
  names: Map<string, string>;
  csrf: string;
}): Screen {
  const { project: p, window: w, names } = d;
  return {
    title: `Delete ${w.name}`,
    body: html`${projectHeader(p, 'maintenance', [{ text: w.name }, { text: 'Delete' }])}
<section class="card narrow"><h1>Delete maintenance window</h1>
  <p>Delete <strong>${w.name}</strong> (${time(w.startsAt)} to ${time(w.endsAt)}${w.monitors.length ? `, ${w.monitors.map((u) => names.get(u) ?? u).join(', ')}` : ''})? This cannot be undone.</p>
  <form method="post" action="${base(p)}/${w.uuid}/delete">${csrfInput(d.csrf)}<div class="actions"><button type="submit" class="danger">Delete window</button> <a class="button" href="${base(p)}">Cancel</a></div></form></section>`,
  };
}
