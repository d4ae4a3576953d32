import { THEMES } from '../../../domain/statuspages.ts';
import type { StatusPage, StatusPageView, Subscriber } from '../../../services/statuspages.ts';
import type { PickerList } from '../../../services/dashboard-views.ts';
import type { MemberProject } from '../../../services/users.ts';
import { html, type Markup } from '../../ui/html.ts';
import {
  csrfInput,
  field,
  fieldError,
  formError,
  selectField,
  textareaField,
  type FieldErrors,
} from '../../ui/forms.ts';
import { time } from '../../ui/format.ts';
import type { Screen } from '../../ui/layout.ts';
import { mailNotSetUp, notice } from '../../ui/notices.ts';
import { pager } from '../../ui/tables.ts';
import { implicitSubmit, monitorCheckboxes } from '../../ui/pickers.ts';
import { projectHeader, projectPath } from '../project-nav.ts';
import { NEW_GROUP, type GroupForm, type PageForm, type SectionForm, type ShownName } from './form.ts';

/** The status page screens: the list, the create form, the editor of a page's sections, its subscribers. */

const NOTICES: Record<string, string> = {
  created: 'The status page was created. Add sections and monitors below, then preview it.',
  saved: 'The status page was saved.',
  subscribed: 'The subscriber was added.',
  unsubscribed: 'The subscriber was removed.',
};
const THEME_LABELS: Record<string, string> = { light: 'Light', dark: 'Dark', system: 'Follow the visitor’s system' };
const SUBSCRIBER_TYPES = [
  ['email', 'Email'],
  ['sms', 'SMS'],
  ['teams', 'Microsoft Teams'],
] as const;

export const statusPagesPath = (p: MemberProject) => projectPath(p.uuid, 'statuspages');
const base = statusPagesPath;
const publicPath = (subdomain: string) => `/status/${encodeURIComponent(subdomain)}`;

export function statusPagesScreen(d: { project: MemberProject; pages: StatusPage[]; done: unknown }): Screen {
  const { project: p, pages } = d;
  return {
    title: `Status pages · ${p.name}`,
    body: html`${projectHeader(p, 'statuspages')}
<div class="page-head"><div><h1>Status pages</h1><p class="hint">Public pages showing the monitors you choose, incidents and maintenance.</p></div><a class="button primary" href="${base(p)}/new">Create status page</a></div>
${notice(d.done, NOTICES)}
<section class="card">
  ${
    pages.length
      ? html`<table class="list statuspages"><caption class="sr-only">Status pages of ${p.name}</caption>
    <thead><tr><th scope="col">Name</th><th scope="col">Public address</th><th scope="col">Theme</th><th scope="col" class="num">Sections</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
    <tbody>${pages.map(
      (sp) => html`<tr>
      <td data-label="Name" class="name-cell"><a href="${base(p)}/${sp.row.uuid}">${sp.row.name}</a>${sp.row.hostname ? html`<span class="url">${sp.row.hostname}</span>` : ''}</td>
      <td data-label="Public address"><a href="${publicPath(sp.row.subdomain)}" target="_blank" rel="noopener">${publicPath(sp.row.subdomain)}<span class="sr-only"> (preview, opens a new tab)</span></a></td>
      <td data-label="Theme">${THEME_LABELS[sp.settings.theme] ?? sp.settings.theme}</td>
      <td data-label="Sections" class="num">${sp.sections.length}</td>
      <td class="row-actions"><a href="${base(p)}/${sp.row.uuid}/subscribers">Subscribers<span class="sr-only"> of ${sp.row.name}</span></a></td>
    </tr>`,
    )}</tbody></table>`
      : html`<p class="empty">No status page yet.</p>`
  }
</section>`,
  };
}

export function newStatusPageScreen(d: {
  project: MemberProject;
  csrf: string;
  values: { name: string; subdomain: string; theme: string };
  errors: FieldErrors;
}): Screen {
  const { project: p, values: v, errors: e } = d;
  return {
    title: 'Create status page',
    body: html`${projectHeader(p, 'statuspages', [{ text: 'New' }])}
<h1>Create status page</h1>
<section class="card narrow"><form method="post" action="${base(p)}">
  ${csrfInput(d.csrf)}
  ${formError(e)}
  ${field({ label: 'Name', name: 'name', value: v.name, error: e.name, required: true, attrs: html` maxlength="255" autocomplete="off"` })}
  ${field({ label: 'Address', name: 'subdomain', value: v.subdomain, error: e.subdomain, hint: 'Optional: the page is served at /status/<address>; made from the name when empty.', attrs: html` maxlength="63" autocomplete="off" spellcheck="false"` })}
  ${selectField({ label: 'Theme', name: 'theme', value: v.theme, options: THEMES.map((t) => [t, THEME_LABELS[t]] as const), error: e.theme })}
  <div class="actions"><button type="submit" class="primary">Create status page</button> <a class="button" href="${base(p)}">Cancel</a></div>
</form></section>`,
  };
}

/**
 * The page's settings and its sections: per section (and a new one) its monitors, its groups (and
 * a new one) and the names shown; `lists` holds each picker's monitors by field name.
 */
export function statusPageScreen(d: {
  project: MemberProject;
  page: StatusPageView;
  rows: SectionForm[];
  lists: Map<string, PickerList>;
  csrf: string;
  values: PageForm;
  errors: FieldErrors;
  done: unknown;
}): Screen {
  const { project: p, page: sp, rows, values: v, errors: e } = d;
  // At scale every picker searches; a search posts the whole form back (ui/pickers.ts).
  const searching = [...d.lists.values()].some((l) => l.search !== undefined);
  const picker = (name: string, legend: string, chosen: string[]) =>
    monitorCheckboxes({
      name,
      legend,
      monitors: d.lists.get(name)!.monitors,
      search: d.lists.get(name)!.search,
      chosen,
    });
  const shownNames = (prefix: string, shown: ShownName[]) =>
    shown.length
      ? html`<fieldset class="field shown-names"><legend>Names shown on the page</legend>
        <p class="hint">What visitors read for each monitor already on the page; empty shows the monitor’s own name.</p>
        ${shown.map((x) => field({ label: x.monitor, name: `${prefix}${x.uuid}`, value: x.value, attrs: html` maxlength="255" autocomplete="off"` }))}
      </fieldset>`
      : '';
  const groupBox = (
    i: number,
    j: number,
    g: GroupForm,
  ) => html`<fieldset class="group-box group-row"><legend>${g.name ? `Group “${g.name}”` : 'New group'}</legend>
        ${g.orig === null ? '' : html`<input type="hidden" name="group_orig_${i}_${j}" value="${g.orig}">`}
        ${field({ label: 'Group name', name: `group_name_${i}_${j}`, value: g.name, hint: 'Shown on the page as one row that opens onto its monitors. Clear the name and the monitors to remove the group.', attrs: html` maxlength="255" autocomplete="off"` })}
        ${picker(`group_monitors_${i}_${j}`, 'Monitors in the group', g.monitors)}
        ${shownNames(`group_shown_${i}_${j}_`, g.shown)}
      </fieldset>`;
  const sectionRows: Markup[] = rows.map(
    (
      s,
      i,
    ) => html`<fieldset class="group-box section-row"><legend>${s.name || (i === rows.length - 1 ? 'New section' : `Section ${i + 1}`)}</legend>
      ${s.orig === null ? '' : html`<input type="hidden" name="section_orig_${i}" value="${s.orig}">`}
      ${field({ label: 'Section name', name: `section_name_${i}`, value: s.name, hint: 'Clear the name, the monitors and the groups to remove the section.', attrs: html` maxlength="255" autocomplete="off"` })}
      ${picker(`section_monitors_${i}`, 'Monitors in this section', s.monitors)}
      ${shownNames(`section_shown_${i}_`, s.shown)}
      <label class="choice"><input type="checkbox" name="section_rt_${i}"${s.rt ? html` checked` : ''}> <span>Show response times</span></label>
      ${s.groups.map((g, j) => groupBox(i, j, g))}
      <details class="add-group"${d.lists.get(`group_monitors_${i}_${s.groups.length}`)?.search?.value ? html` open` : ''}><summary>Add a group to ${s.name ? `“${s.name}”` : 'this section'}</summary>${groupBox(i, s.groups.length, NEW_GROUP)}</details>
    </fieldset>`,
  );
  return {
    title: `${sp.row.name} · ${p.name}`,
    body: html`${projectHeader(p, 'statuspages', [{ text: sp.row.name }])}
<div class="page-head">
  <div class="title-block"><h1>${sp.row.name}</h1><p class="meta">Public at <a href="${publicPath(sp.row.subdomain)}" target="_blank" rel="noopener">${publicPath(sp.row.subdomain)}</a></p></div>
  <div class="actions head-actions"><a class="button" href="${publicPath(sp.row.subdomain)}" target="_blank" rel="noopener">Preview<span class="sr-only"> the public page (opens a new tab)</span></a><a class="button" href="${base(p)}/${sp.row.uuid}/subscribers">Subscribers</a></div>
</div>
${notice(d.done, NOTICES)}
<form method="post" action="${base(p)}/${sp.row.uuid}">
  ${searching ? implicitSubmit() : ''}${csrfInput(d.csrf)}
  ${formError(e)}
  <section class="card narrow-wide"><h2>Page</h2>
    ${field({ label: 'Name', name: 'name', value: v.name, error: e.name, required: true, attrs: html` maxlength="255" autocomplete="off"` })}
    ${field({ label: 'Address', name: 'subdomain', value: v.subdomain, error: e.subdomain, hint: 'The page is served at /status/<address>.', attrs: html` maxlength="63" autocomplete="off" spellcheck="false"` })}
    <div class="grid-2">
      ${selectField({ label: 'Theme', name: 'theme', value: v.theme, options: THEMES.map((t) => [t, THEME_LABELS[t]] as const), error: e.theme })}
      ${field({ label: 'Accent colour', name: 'accent_color', value: v.accent_color, error: e.accent_color, hint: 'Such as #36b27e', attrs: html` maxlength="7" autocomplete="off" spellcheck="false"` })}
    </div>
    ${textareaField({ label: 'Description', name: 'description', value: v.description, error: e.description, hint: 'Optional text under the page title.' })}
  </section>
  <section class="card narrow-wide" aria-labelledby="sections-h"><h2 id="sections-h">Sections and services</h2>
    ${fieldError('f-sections', e.sections)}${sectionRows}
  </section>
  <div class="actions"><button type="submit" class="primary">Save status page</button> <a class="button" href="${base(p)}">Cancel</a></div>
</form>`,
  };
}

/** One page of the subscribers, and the form that adds one (`entry`, `error`: a refused one). */
export function subscribersScreen(d: {
  project: MemberProject;
  page: StatusPageView;
  subscribers: Subscriber[];
  total: number;
  perPage: number;
  pageNumber: number;
  csrf: string;
  entry: { type: string; contact: string };
  error?: string;
  done: unknown;
  mailReady?: boolean;
}): Screen {
  const { project: p, page: sp, subscribers, total, csrf, entry, error } = d;
  const page = d.pageNumber;
  const path = `${base(p)}/${sp.row.uuid}/subscribers`;
  const pages = Math.max(1, Math.ceil(total / d.perPage));
  return {
    title: `Subscribers · ${sp.row.name}`,
    body: html`${projectHeader(p, 'statuspages', [{ text: sp.row.name, href: `${base(p)}/${sp.row.uuid}` }, { text: 'Subscribers' }])}
<h1>Subscribers of ${sp.row.name}</h1>
${notice(d.done, NOTICES)}
${d.mailReady === false ? mailNotSetUp('email subscribers get nothing, and the public page offers no email subscription, until it is.') : ''}
<section class="card">
  <form method="post" action="${path}" class="inline-form">
    ${csrfInput(csrf)}
    ${selectField({ label: 'Notify by', name: 'type', value: entry.type, options: SUBSCRIBER_TYPES })}
    ${field({ label: 'Add a subscriber', name: 'contact', value: entry.contact, error, hint: 'An email address, a phone number such as +12125551234 (sms: no text is sent yet, see docs/alerting.md), or a Microsoft Teams incoming-webhook URL.', attrs: html` maxlength="2048" autocomplete="off"` })}
    <button type="submit" class="primary">Add</button>
  </form>
</section>
<section class="card" aria-labelledby="subs-h"><h2 id="subs-h">${total} subscriber${total === 1 ? '' : 's'}</h2>
  ${
    subscribers.length
      ? html`<table class="list subscribers"><caption class="sr-only">Subscribers, page ${page} of ${pages}</caption>
    <thead><tr><th scope="col">Contact</th><th scope="col">Type</th><th scope="col">Language</th><th scope="col">Since</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
    <tbody>${subscribers.map(
      (
        s,
      ) => html`<tr><td data-label="Contact" class="name-cell">${s.value}</td><td data-label="Type">${s.type}</td><td data-label="Language">${s.language}</td><td data-label="Since">${time(s.created_at)}</td>
      <td class="row-actions"><form method="post" action="${path}/${s.id}/delete">${csrfInput(csrf)}<button type="submit" class="link danger-link">Remove<span class="sr-only"> ${s.value}</span></button></form></td></tr>`,
    )}</tbody></table>`
      : html`<p class="empty">Nobody has subscribed yet.</p>`
  }
  ${pager(page, pages, (n) => `${path}?page=${n}`)}
</section>`,
  };
}
