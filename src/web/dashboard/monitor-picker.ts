import type { FastifyRequest } from 'fastify';
import { monitorChoices, monitorChoicesOf, searchMonitorChoices, type MonitorChoice } from '../../services/dashboard-views.ts';
import type { ActorCtx } from '../../services/context.ts';
import { html, type Markup } from './html.ts';
import { fieldError } from './forms.ts';

/** Past this many monitors a picker lists the chosen ones and a search box, not every monitor. */
export const PICKER_LIMIT = 200;
const MATCHES = 50;
/** The page's GET form the search boxes belong to (through form=…): forms cannot nest. */
const SEARCH_FORM = 'monitor-search';

/** Every monitor of the project when it has at most PICKER_LIMIT; `all: null` means search. */
export interface PickerSource { actor: ActorCtx; all: MonitorChoice[] | null; query: Record<string, unknown> }

/** What one picker offers: its monitors, and at scale its search box's value and match count. */
export interface PickerList { monitors: MonitorChoice[]; search?: { value: string; matches: number | null } }

export async function pickerSource(actor: ActorCtx, req: FastifyRequest): Promise<PickerSource> {
  const first = await monitorChoices(actor, PICKER_LIMIT + 1);
  return { actor, all: first.length > PICKER_LIMIT ? null : first, query: (req.query ?? {}) as Record<string, unknown> };
}

/** The monitors one picker lists: all of them, or the chosen ones then the matches of its search box (find_<name>). */
export async function pickerList(src: PickerSource, name: string, chosen: string[]): Promise<PickerList> {
  if (src.all) return { monitors: src.all };
  const raw = src.query[`find_${name}`];
  const value = typeof raw === 'string' ? raw.trim().slice(0, 100) : '';
  const [picked, found] = await Promise.all([monitorChoicesOf(src.actor, chosen), value ? searchMonitorChoices(src.actor, value, MATCHES) : null]);
  const known = new Set(picked.map((m) => m.uuid));
  return { monitors: [...picked, ...(found ?? []).filter((m) => !known.has(m.uuid))], search: { value, matches: found ? found.length : null } };
}

/** The empty GET form of a page whose pickers search; place it after the page's main form. */
export function monitorSearchForm(action: string): Markup {
  return html`<form id="${SEARCH_FORM}" method="get" action="${action}"></form>`;
}

function searchBox(name: string, search: NonNullable<PickerList['search']>): Markup {
  const id = `find-${name}`;
  const result = search.matches === null
    ? 'This project has many monitors: the chosen ones are listed; search by name to add others.'
    : search.matches === 0 ? `No monitor’s name contains “${search.value}”.`
    : `${search.matches === MATCHES ? `The first ${MATCHES}` : search.matches} monitor${search.matches === 1 ? '' : 's'} named like “${search.value}” follow the chosen ones.`;
  return html`<div class="picker-search">
    <label for="${id}">Find monitors by name</label>
    <p class="hint" id="${id}-hint">${result} Searching reloads the form: save your other changes first.</p>
    <div class="inline-form"><input type="search" id="${id}" name="find_${name}" value="${search.value}" form="${SEARCH_FORM}" maxlength="100" autocomplete="off" aria-describedby="${id}-hint"><button type="submit" form="${SEARCH_FORM}">Search</button></div>
  </div>`;
}

/**
 * Monitors chosen by name: a fieldset of labelled checkboxes (value: the monitor's uuid) in a
 * scrolling box. Chosen uuids that are no longer monitors of the project are kept as hidden
 * inputs, so the service names them in its refusal instead of the form dropping them silently.
 */
export function monitorCheckboxes(o: { name: string; legend: string; monitors: MonitorChoice[]; chosen: string[]; error?: string | null; hint?: string; search?: PickerList['search'] }): Markup {
  const id = `f-${o.name}`;
  const known = new Set(o.monitors.map((m) => m.uuid));
  const chosen = new Set(o.chosen);
  const described = [o.hint ? `${id}-hint` : '', o.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`<fieldset class="field monitor-picker${o.error ? ' invalid' : ''}" id="${id}"${described ? html` aria-describedby="${described}"` : ''}><legend>${o.legend}</legend>
  ${o.hint ? html`<p class="hint" id="${id}-hint">${o.hint}</p>` : ''}
  ${o.search ? searchBox(o.name, o.search) : ''}
  ${o.monitors.length
    ? html`<div class="picker-list">${o.monitors.map((m, i) => html`<label class="choice"><input type="checkbox" name="${o.name}" value="${m.uuid}" id="${id}-${i}"${chosen.has(m.uuid) ? html` checked` : ''}> <span>${m.name}<span class="url">${m.url}</span></span></label>`)}</div>`
    : o.search ? '' : html`<p class="hint">This project has no monitor yet.</p>`}
  ${o.chosen.filter((u) => !known.has(u)).map((u) => html`<input type="hidden" name="${o.name}" value="${u}">`)}
  ${fieldError(id, o.error)}
</fieldset>`;
}

/** One monitor chosen by name from a labelled <select> (at scale: the chosen one and the search's matches). */
export function monitorSelect(o: { name: string; label: string; monitors: MonitorChoice[]; value: string; error?: string | null; search?: PickerList['search'] }): Markup {
  const id = `f-${o.name}`;
  return html`<div class="field${o.error ? ' invalid' : ''}">
  ${o.search ? searchBox(o.name, o.search) : ''}
  <label for="${id}">${o.label}</label>
  <select id="${id}" name="${o.name}" required${o.error ? html` aria-invalid="true" aria-describedby="${id}-error"` : ''}><option value="">Choose a monitor</option>${o.monitors.map((m) => html`<option value="${m.uuid}"${m.uuid === o.value ? html` selected` : ''}>${m.name}</option>`)}</select>
  ${fieldError(id, o.error)}
</div>`;
}
