import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConflictError, ValidationError } from '../../domain/errors.ts';
import { THEMES } from '../../domain/statuspages.ts';
import {
  addSubscriber, createStatusPage, deleteSubscriber, getStatusPage, listStatusPages, listSubscribers, updateStatusPage,
  type ResolvedService, type StatusPageView,
} from '../../services/statuspages.ts';
import type { MemberProject } from '../../services/users.ts';
import { html, type Markup } from './html.ts';
import { csrfInput, field, fieldError, form, formError, messageField, selectField, textareaField, type FieldErrors } from './forms.ts';
import { sendUserPage, time, type Deps } from './layout.ts';
import { csrfToken } from './session.ts';
import { actorFor, projectHeader, projectPath, userProject } from './project-nav.ts';
import { notice } from './monitors.ts';
import { textOf } from './incidents.ts';
import { monitorCheckboxes, monitorSearchForm, pickerList, pickerSource, type PickerList } from './monitor-picker.ts';
import type { LocalizedText } from '../../domain/localized.ts';

const NOTICES: Record<string, string> = {
  created: 'The status page was created. Add sections and monitors below, then preview it.',
  saved: 'The status page was saved.',
  subscribed: 'The subscriber was added.',
  unsubscribed: 'The subscriber was removed.',
};
const THEME_LABELS: Record<string, string> = { light: 'Light', dark: 'Dark', system: 'Follow the visitor’s system' };
const FIELDS = ['subdomain', 'accent_color', 'description', 'theme', 'name'];
const PATTERNS: [RegExp, string][] = [[/^sections|in sections|services/, 'sections']];
const SUB_PER_PAGE = 100;
const SUBSCRIBER_TYPES = [['email', 'Email'], ['sms', 'SMS'], ['teams', 'Microsoft Teams']] as const;

const publicPath = (subdomain: string) => `/status/${encodeURIComponent(subdomain)}`;
/** A monitor service already on the page: the name visitors read (`value`) and its monitor's. */
interface ShownName { uuid: string; monitor: string; value: string }
interface GroupForm { name: string; monitors: string[]; orig: number | null; shown: ShownName[] }
interface SectionForm { name: string; monitors: string[]; rt: boolean; groups: GroupForm[]; orig: number | null; shown: ShownName[] }
interface PageForm { name: string; subdomain: string; theme: string; accent_color: string; description: string; sections: SectionForm[] }

/** The form's values of a page: per section its monitors and its groups (each with its monitors). */
function formOf(sp: StatusPageView): PageForm {
  const uuids = (list: ResolvedService[]) => list.filter((x) => !x.is_group && x.monitor).map((x) => x.monitor!.uuid);
  const shown = (list: ResolvedService[]) => list.filter((x) => !x.is_group && x.monitor).map((x) => ({ uuid: x.monitor!.uuid, monitor: x.monitor!.name, value: textOf(x.name ?? {}) }));
  return {
    name: sp.row.name, subdomain: sp.row.subdomain, theme: sp.settings.theme, accent_color: sp.settings.accent_color,
    description: textOf(sp.settings.description),
    sections: sp.resolved.map((s, i) => ({
      name: textOf(s.name), monitors: uuids(s.services), orig: i, shown: shown(s.services),
      rt: s.services.some((x) => !x.is_group) && s.services.filter((x) => !x.is_group).every((x) => x.show_response_times),
      groups: s.services.flatMap((x, k) => (x.is_group ? [{ name: textOf(x.name), monitors: uuids(x.services), orig: k, shown: shown(x.services) }] : [])),
    })),
  };
}

/** Monitor ids of a field: one per checkbox, or (a typed list) the first word of each line. */
const refsOf = (values: string[]) => [...new Set(values.flatMap((text) => text.split(/\r?\n/).map((l) => l.trim().split(/[\s#]/)[0]).filter(Boolean)))];
const indexOf = (v: string | null) => (v && /^\d{1,3}$/.test(v) ? Number(v) : null);

/**
 * The name a service shows after the form: the stored texts with the form's text in place of
 * the one it showed (textOf's language); untouched, the stored names; empty, its monitor's name.
 */
function shownName(old: LocalizedText | null, value: string | undefined, lang: string): LocalizedText | null {
  if (value === undefined || (old && value === textOf(old))) return old;
  if (value.trim() === '') return null;
  const texts = (old ?? {}) as Record<string, string>;
  const key = texts.en?.trim() ? 'en' : Object.keys(texts).find((k) => texts[k]?.trim()) ?? lang;
  return { ...texts, [key]: value } as LocalizedText;
}

/** What a monitor service already on the page keeps when saved again (description, uptime bar) and its shown name. */
function keepOf(old: ResolvedService | undefined, nested: boolean, shown: ShownName[] | undefined, lang: string) {
  if (!old) return {};
  const name = shownName(old.name, shown?.find((x) => x.uuid === old.monitor?.uuid)?.value, lang);
  return { ...(name ? { [nested ? 'name' : 'name_shown']: name } : {}), description: old.description, show_uptime: old.show_uptime };
}

/**
 * The sections written back: services keep their order on the page (unchecked monitors and
 * emptied groups drop out), newly checked monitors follow, then a new group.
 */
function sectionsInput(sp: StatusPageView, sections: SectionForm[]): unknown[] {
  const before = new Map(sp.resolved.flatMap((s) => s.services.flatMap((x) => [x, ...x.services])).filter((x) => x.monitor).map((x) => [x.monitor!.uuid, x]));
  const lang = sp.settings.default_language;
  // Healthchecks on the page (placed through the API) are not in the form: they stay where they are.
  const healthcheck = (x: ResolvedService, nested: boolean) => ({
    [nested ? 'uuid' : 'monitor_uuid']: x.healthcheck!.publicUuid, [nested ? 'name' : 'name_shown']: x.name, description: x.description, show_uptime: x.show_uptime,
  });
  const group = (g: GroupForm, old?: ResolvedService) => ({
    is_group: true, name_shown: g.name, ...(old ? { description: old.description, show_uptime: old.show_uptime, show_response_times: old.show_response_times } : {}),
    services: [
      ...g.monitors.map((ref) => ({ uuid: ref, ...keepOf(old?.services.find((c) => c.monitor?.uuid === ref) ?? before.get(ref), true, g.shown, lang) })),
      ...(old?.services.filter((c) => c.healthcheck).map((c) => healthcheck(c, true)) ?? []),
    ],
  });
  const kept = (g: GroupForm) => g.name.trim() !== '' || g.monitors.length > 0;
  return sections.flatMap((s) => {
    const orig = s.orig === null ? undefined : sp.resolved[s.orig];
    const services: unknown[] = [];
    const placed = new Set<string>();
    orig?.services.forEach((x, k) => {
      if (x.is_group) {
        const g = s.groups.find((y) => y.orig === k);
        if (g && kept(g)) services.push(group(g, x));
      } else if (x.healthcheck) {
        services.push(healthcheck(x, false));
      } else if (x.monitor && s.monitors.includes(x.monitor.uuid) && !placed.has(x.monitor.uuid)) {
        placed.add(x.monitor.uuid);
        services.push({ monitor_uuid: x.monitor.uuid, show_response_times: s.rt, ...keepOf(x, false, s.shown, lang) });
      }
    });
    for (const ref of s.monitors) if (!placed.has(ref)) services.push({ monitor_uuid: ref, show_response_times: s.rt, ...keepOf(before.get(ref), false, s.shown, lang) });
    for (const g of s.groups) if (g.orig === null && kept(g)) services.push(group(g));
    return s.name.trim() || services.length ? [{ name: s.name, services }] : [];
  });
}

export default function statusPageRoutes(app: FastifyInstance, { ctx, assets }: Deps) {
  const base = (p: MemberProject) => projectPath(p.uuid, 'statuspages');
  async function pageOf(req: FastifyRequest): Promise<[MemberProject, StatusPageView]> {
    const p = await userProject(ctx, req);
    return [p, await getStatusPage(actorFor(ctx, p), (req.params as { sp: string }).sp)];
  }

  app.get('/projects/:uuid/statuspages', async (req, reply) => {
    const p = await userProject(ctx, req);
    const { pages } = await listStatusPages(actorFor(ctx, p), { page: 0, perPage: 200 });
    const body = html`${projectHeader(p, 'statuspages')}
<div class="page-head"><div><h1>Status pages</h1><p class="hint">Public pages showing the monitors you choose, incidents and maintenance.</p></div><a class="button primary" href="${base(p)}/new">Create status page</a></div>
${notice(req, NOTICES)}
<section class="card">
  ${pages.length ? html`<table class="list statuspages"><caption class="sr-only">Status pages of ${p.name}</caption>
    <thead><tr><th scope="col">Name</th><th scope="col">Public address</th><th scope="col">Theme</th><th scope="col" class="num">Sections</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
    <tbody>${pages.map((sp) => html`<tr>
      <td data-label="Name" class="name-cell"><a href="${base(p)}/${sp.row.uuid}">${sp.row.name}</a>${sp.row.hostname ? html`<span class="url">${sp.row.hostname}</span>` : ''}</td>
      <td data-label="Public address"><a href="${publicPath(sp.row.subdomain)}" target="_blank" rel="noopener">${publicPath(sp.row.subdomain)}<span class="sr-only"> (preview, opens a new tab)</span></a></td>
      <td data-label="Theme">${THEME_LABELS[sp.settings.theme] ?? sp.settings.theme}</td>
      <td data-label="Sections" class="num">${sp.sections.length}</td>
      <td class="row-actions"><a href="${base(p)}/${sp.row.uuid}/subscribers">Subscribers<span class="sr-only"> of ${sp.row.name}</span></a></td>
    </tr>`)}</tbody></table>` : html`<p class="empty">No status page yet.</p>`}
</section>`;
    return sendUserPage(assets, req, reply, 200, `Status pages · ${p.name}`, body);
  });

  function newPage(req: FastifyRequest, reply: FastifyReply, p: MemberProject, status: number, v: { name: string; subdomain: string; theme: string }, e: FieldErrors) {
    const body = html`${projectHeader(p, 'statuspages', [{ text: 'New' }])}
<h1>Create status page</h1>
<section class="card narrow"><form method="post" action="${base(p)}">
  ${csrfInput(csrfToken(req, reply))}
  ${formError(e)}
  ${field({ label: 'Name', name: 'name', value: v.name, error: e.name, required: true, attrs: html` maxlength="255" autocomplete="off"` })}
  ${field({ label: 'Address', name: 'subdomain', value: v.subdomain, error: e.subdomain, hint: 'Optional: the page is served at /status/<address>; made from the name when empty.', attrs: html` maxlength="63" autocomplete="off" spellcheck="false"` })}
  ${selectField({ label: 'Theme', name: 'theme', value: v.theme, options: THEMES.map((t) => [t, THEME_LABELS[t]] as const), error: e.theme })}
  <div class="actions"><button type="submit" class="primary">Create status page</button> <a class="button" href="${base(p)}">Cancel</a></div>
</form></section>`;
    return sendUserPage(assets, req, reply, status, 'Create status page', body);
  }

  app.get('/projects/:uuid/statuspages/new', async (req, reply) => newPage(req, reply, await userProject(ctx, req), 200, { name: '', subdomain: '', theme: 'system' }, {}));
  app.post('/projects/:uuid/statuspages', async (req, reply) => {
    const p = await userProject(ctx, req);
    const f = form(req);
    const v = { name: f.get('name') ?? '', subdomain: (f.get('subdomain') ?? '').trim(), theme: f.get('theme') ?? '' };
    try {
      const sp = await createStatusPage(actorFor(ctx, p), { name: v.name, theme: v.theme, ...(v.subdomain ? { subdomain: v.subdomain } : {}) });
      return reply.redirect(`${base(p)}/${sp.row.uuid}?done=created`, 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return newPage(req, reply, p, 422, v, { [messageField(err.message, FIELDS)]: err.message });
    }
  });

  async function editPage(req: FastifyRequest, reply: FastifyReply, p: MemberProject, sp: StatusPageView, status: number, v: PageForm, e: FieldErrors) {
    const source = await pickerSource(actorFor(ctx, p), req);
    const rows: SectionForm[] = [...v.sections, { name: '', monitors: [], rt: false, groups: [], orig: null, shown: [] }];
    const empty: GroupForm = { name: '', monitors: [], orig: null, shown: [] };
    // Each picker's list (at scale its chosen monitors and search matches), fetched before rendering.
    const lists = new Map<string, PickerList>();
    await Promise.all(rows.flatMap((s, i) => [
      [`section_monitors_${i}`, s.monitors] as const,
      ...[...s.groups, empty].map((g, j) => [`group_monitors_${i}_${j}`, g.monitors] as const),
    ]).map(async ([name, chosen]) => { lists.set(name, await pickerList(source, name, chosen)); }));
    const picker = (name: string, legend: string, chosen: string[]) => monitorCheckboxes({ name, legend, monitors: lists.get(name)!.monitors, search: lists.get(name)!.search, chosen });
    const shownNames = (prefix: string, shown: ShownName[]) => (shown.length ? html`<fieldset class="field shown-names"><legend>Names shown on the page</legend>
        <p class="hint">What visitors read for each monitor already on the page; empty shows the monitor’s own name.</p>
        ${shown.map((x) => field({ label: x.monitor, name: `${prefix}${x.uuid}`, value: x.value, attrs: html` maxlength="255" autocomplete="off"` }))}
      </fieldset>` : '');
    const groupBox = (i: number, j: number, g: GroupForm) => html`<fieldset class="group-box group-row"><legend>${g.name ? `Group “${g.name}”` : 'New group'}</legend>
        ${g.orig === null ? '' : html`<input type="hidden" name="group_orig_${i}_${j}" value="${g.orig}">`}
        ${field({ label: 'Group name', name: `group_name_${i}_${j}`, value: g.name, hint: 'Shown on the page as one row that opens onto its monitors. Clear the name and the monitors to remove the group.', attrs: html` maxlength="255" autocomplete="off"` })}
        ${picker(`group_monitors_${i}_${j}`, 'Monitors in the group', g.monitors)}
        ${shownNames(`group_shown_${i}_${j}_`, g.shown)}
      </fieldset>`;
    const sectionRows: Markup[] = rows.map((s, i) => html`<fieldset class="group-box section-row"><legend>${s.name || (i === rows.length - 1 ? 'New section' : `Section ${i + 1}`)}</legend>
      ${s.orig === null ? '' : html`<input type="hidden" name="section_orig_${i}" value="${s.orig}">`}
      ${field({ label: 'Section name', name: `section_name_${i}`, value: s.name, hint: 'Clear the name, the monitors and the groups to remove the section.', attrs: html` maxlength="255" autocomplete="off"` })}
      ${picker(`section_monitors_${i}`, 'Monitors in this section', s.monitors)}
      ${shownNames(`section_shown_${i}_`, s.shown)}
      <label class="choice"><input type="checkbox" name="section_rt_${i}"${s.rt ? html` checked` : ''}> <span>Show response times</span></label>
      ${s.groups.map((g, j) => groupBox(i, j, g))}
      <details class="add-group"><summary>Add a group to ${s.name ? `“${s.name}”` : 'this section'}</summary>${groupBox(i, s.groups.length, empty)}</details>
    </fieldset>`);
    const body = html`${projectHeader(p, 'statuspages', [{ text: sp.row.name }])}
<div class="page-head">
  <div class="title-block"><h1>${sp.row.name}</h1><p class="meta">Public at <a href="${publicPath(sp.row.subdomain)}" target="_blank" rel="noopener">${publicPath(sp.row.subdomain)}</a></p></div>
  <div class="actions head-actions"><a class="button" href="${publicPath(sp.row.subdomain)}" target="_blank" rel="noopener">Preview<span class="sr-only"> the public page (opens a new tab)</span></a><a class="button" href="${base(p)}/${sp.row.uuid}/subscribers">Subscribers</a></div>
</div>
${notice(req, NOTICES)}
<form method="post" action="${base(p)}/${sp.row.uuid}">
  ${csrfInput(csrfToken(req, reply))}
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
</form>${source.all ? '' : monitorSearchForm(`${base(p)}/${sp.row.uuid}`)}`;
    return sendUserPage(assets, req, reply, status, `${sp.row.name} · ${p.name}`, body);
  }

  app.get('/projects/:uuid/statuspages/:sp', async (req, reply) => {
    const [p, sp] = await pageOf(req);
    return editPage(req, reply, p, sp, 200, formOf(sp), {});
  });
  app.post('/projects/:uuid/statuspages/:sp', async (req, reply) => {
    const [p, sp] = await pageOf(req);
    const f = form(req);
    const get = (k: string) => f.get(k) ?? '';
    const v: PageForm = { name: get('name'), subdomain: get('subdomain').trim(), theme: get('theme'), accent_color: get('accent_color').trim(), description: get('description'), sections: [] };
    const monitorName = new Map(sp.resolved.flatMap((s) => s.services.flatMap((x) => [x, ...x.services])).flatMap((x) => (x.monitor ? [[x.monitor.uuid, x.monitor.name] as const] : [])));
    // section_shown_<i>_<uuid>, group_shown_<i>_<j>_<uuid>: names of services already on the page.
    const shownOf = (prefix: string): ShownName[] => [...f.keys()].filter((k) => k.startsWith(prefix) && monitorName.has(k.slice(prefix.length)))
      .map((k) => ({ uuid: k.slice(prefix.length), monitor: monitorName.get(k.slice(prefix.length))!, value: get(k) }));
    for (let i = 0; f.has(`section_name_${i}`); i++) {
      const groups: GroupForm[] = [];
      for (let j = 0; f.has(`group_name_${i}_${j}`); j++) {
        const g = { name: get(`group_name_${i}_${j}`), monitors: refsOf(f.getAll(`group_monitors_${i}_${j}`)), orig: indexOf(f.get(`group_orig_${i}_${j}`)), shown: shownOf(`group_shown_${i}_${j}_`) };
        if (g.orig !== null || g.name.trim() || g.monitors.length) groups.push(g);
      }
      const s: SectionForm = { name: get(`section_name_${i}`), monitors: refsOf(f.getAll(`section_monitors_${i}`)), rt: f.get(`section_rt_${i}`) === 'on', groups, orig: indexOf(f.get(`section_orig_${i}`)), shown: shownOf(`section_shown_${i}_`) };
      if (s.orig !== null || s.name.trim() || s.monitors.length || groups.length) v.sections.push(s);
    }
    const input: Record<string, unknown> = { name: v.name, subdomain: v.subdomain, theme: v.theme, accent_color: v.accent_color, description: v.description, sections: sectionsInput(sp, v.sections) };
    try {
      await updateStatusPage(actorFor(ctx, p), sp.row.uuid, input);
      return reply.redirect(`${base(p)}/${sp.row.uuid}?done=saved`, 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return editPage(req, reply, p, sp, 422, v, { [messageField(err.message, FIELDS, PATTERNS)]: err.message });
    }
  });

  async function subscribersPage(req: FastifyRequest, reply: FastifyReply, p: MemberProject, sp: StatusPageView, status: number, entry: { type: string; contact: string }, error?: string) {
    const q = req.query as Record<string, unknown>;
    const page = typeof q.page === 'string' && /^\d{1,6}$/.test(q.page) ? Math.max(1, Number(q.page)) : 1;
    const { subscribers, total } = await listSubscribers(actorFor(ctx, p), sp.row.uuid, { page: page - 1, perPage: SUB_PER_PAGE });
    const csrf = csrfToken(req, reply);
    const path = `${base(p)}/${sp.row.uuid}/subscribers`;
    const pages = Math.max(1, Math.ceil(total / SUB_PER_PAGE));
    const body = html`${projectHeader(p, 'statuspages', [{ text: sp.row.name, href: `${base(p)}/${sp.row.uuid}` }, { text: 'Subscribers' }])}
<h1>Subscribers of ${sp.row.name}</h1>
${notice(req, NOTICES)}
<section class="card">
  <form method="post" action="${path}" class="inline-form">
    ${csrfInput(csrf)}
    ${selectField({ label: 'Notify by', name: 'type', value: entry.type, options: SUBSCRIBER_TYPES })}
    ${field({ label: 'Add a subscriber', name: 'contact', value: entry.contact, error, hint: 'An email address, a phone number such as +12125551234 (sms: no text is sent yet, see docs/alerting.md), or a Microsoft Teams incoming-webhook URL.', attrs: html` maxlength="2048" autocomplete="off"` })}
    <button type="submit" class="primary">Add</button>
  </form>
</section>
<section class="card" aria-labelledby="subs-h"><h2 id="subs-h">${total} subscriber${total === 1 ? '' : 's'}</h2>
  ${subscribers.length ? html`<table class="list subscribers"><caption class="sr-only">Subscribers, page ${page} of ${pages}</caption>
    <thead><tr><th scope="col">Contact</th><th scope="col">Type</th><th scope="col">Language</th><th scope="col">Since</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
    <tbody>${subscribers.map((s) => html`<tr><td data-label="Contact" class="name-cell">${s.value}</td><td data-label="Type">${s.type}</td><td data-label="Language">${s.language}</td><td data-label="Since">${time(s.created_at)}</td>
      <td class="row-actions"><form method="post" action="${path}/${s.id}/delete">${csrfInput(csrf)}<button type="submit" class="link danger-link">Remove<span class="sr-only"> ${s.value}</span></button></form></td></tr>`)}</tbody></table>` : html`<p class="empty">Nobody has subscribed yet.</p>`}
  ${pages > 1 ? html`<nav class="pager" aria-label="Pages">${page > 1 ? html`<a rel="prev" href="${path}?page=${page - 1}">‹ Previous</a>` : html`<span></span>`}<span>Page ${page} of ${pages}</span>${page < pages ? html`<a rel="next" href="${path}?page=${page + 1}">Next ›</a>` : html`<span></span>`}</nav>` : ''}
</section>`;
    return sendUserPage(assets, req, reply, status, `Subscribers · ${sp.row.name}`, body);
  }

  app.get('/projects/:uuid/statuspages/:sp/subscribers', async (req, reply) => {
    const [p, sp] = await pageOf(req);
    return subscribersPage(req, reply, p, sp, 200, { type: 'email', contact: '' });
  });
  app.post('/projects/:uuid/statuspages/:sp/subscribers', async (req, reply) => {
    const [p, sp] = await pageOf(req);
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
    const [p, sp] = await pageOf(req);
    const id = (req.params as { id: string }).id;
    if (!/^\d{1,15}$/.test(id)) return reply.callNotFound();
    await deleteSubscriber(actorFor(ctx, p), sp.row.uuid, Number(id));
    return reply.redirect(`${base(p)}/${sp.row.uuid}/subscribers?done=unsubscribed`, 303);
  });
}
