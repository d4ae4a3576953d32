import { PICKER_MATCHES as MATCHES, type MonitorChoice, type PickerList } from '../../services/dashboard-views.ts';
import { html, type Markup } from './html.ts';
import { fieldError } from './forms.ts';

/**
 * Choosing monitors and status pages in a form. A project with many monitors gets, per picker,
 * its chosen monitors and a search box (the service decides: see monitorPickers); a search
 * posts the whole form back, so nothing typed in it is lost.
 */

/**
 * The first button of a form whose pickers search: Enter in any field submits the form through
 * it, not through a picker's Search button. The handler tells a save from a search typed and
 * sent with Enter by `searched_<picker>` (see searchAsked in dashboard/handler.ts).
 */
export function implicitSubmit(): Markup {
  return html`<button type="submit" name="enter" value="1" class="implicit-submit" tabindex="-1" aria-hidden="true" formnovalidate>Submit</button>`;
}

/**
 * A picker's search box, inside the page's form: its Search button posts the whole form, which
 * comes back filled with what was typed and ticked, and the picker lists the matches.
 */
function searchBox(name: string, search: NonNullable<PickerList['search']>): Markup {
  const id = `find-${name}`;
  const result =
    search.matches === null
      ? 'This project has many monitors: the chosen ones are listed; search by name to add others.'
      : search.matches === 0
        ? `No monitor’s name contains “${search.value}”.`
        : `${search.matches === MATCHES ? `The first ${MATCHES}` : search.matches} monitor${search.matches === 1 ? '' : 's'} named like “${search.value}” follow the chosen ones.`;
  return html`<div class="picker-search">
    <label for="${id}">Find monitors by name</label>
    <p class="hint" id="${id}-hint">${result} Searching keeps what you typed and ticked in the form; nothing is saved until you save it.</p>
    <div class="inline-form"><input type="search" id="${id}" name="find_${name}" value="${search.value}" maxlength="100" autocomplete="off" aria-describedby="${id}-hint"><input type="hidden" name="searched_${name}" value="${search.value}"><button type="submit" name="find" value="${name}" formnovalidate>Search</button></div>
  </div>`;
}

/**
 * Monitors chosen by name: a fieldset of labelled checkboxes (value: the monitor's uuid) in a
 * scrolling box. Chosen uuids that are no longer monitors of the project are kept as hidden
 * inputs, so the service names them in its refusal instead of the form dropping them silently.
 */
export function monitorCheckboxes(o: {
  name: string;
  legend: string;
  monitors: MonitorChoice[];
  chosen: string[];
  error?: string | null;
  hint?: string;
  search?: PickerList['search'];
}): Markup {
  const id = `f-${o.name}`;
  const known = new Set(o.monitors.map((m) => m.uuid));
  const chosen = new Set(o.chosen);
  const described = [o.hint ? `${id}-hint` : '', o.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`<fieldset class="field monitor-picker${o.error ? ' invalid' : ''}" id="${id}"${described ? html` aria-describedby="${described}"` : ''}><legend>${o.legend}</legend>
  ${o.hint ? html`<p class="hint" id="${id}-hint">${o.hint}</p>` : ''}
  ${o.search ? searchBox(o.name, o.search) : ''}
  ${
    o.monitors.length
      ? html`<div class="picker-list">${o.monitors.map((m, i) => html`<label class="choice"><input type="checkbox" name="${o.name}" value="${m.uuid}" id="${id}-${i}"${chosen.has(m.uuid) ? html` checked` : ''}> <span>${m.name}<span class="url">${m.url}</span></span></label>`)}</div>`
      : o.search
        ? ''
        : html`<p class="hint">This project has no monitor yet.</p>`
  }
  ${o.chosen.filter((u) => !known.has(u)).map((u) => html`<input type="hidden" name="${o.name}" value="${u}">`)}
  ${fieldError(id, o.error)}
</fieldset>`;
}

/** One monitor chosen by name from a labelled <select> (at scale: the chosen one and the search's matches). */
export function monitorSelect(o: {
  name: string;
  label: string;
  monitors: MonitorChoice[];
  value: string;
  error?: string | null;
  search?: PickerList['search'];
}): Markup {
  const id = `f-${o.name}`;
  return html`<div class="field${o.error ? ' invalid' : ''}">
  ${o.search ? searchBox(o.name, o.search) : ''}
  <label for="${id}">${o.label}</label>
  <select id="${id}" name="${o.name}" required${o.error ? html` aria-invalid="true" aria-describedby="${id}-error"` : ''}><option value="">Choose a monitor</option>${o.monitors.map((m) => html`<option value="${m.uuid}"${m.uuid === o.value ? html` selected` : ''}>${m.name}</option>`)}</select>
  ${fieldError(id, o.error)}
</div>`;
}

/** Checkboxes of the project's status pages (the incident or window shows on the ticked ones). */
export function statusPageChoices(pages: { uuid: string; name: string }[], chosen: string[], error?: string): Markup {
  if (!pages.length) return html`<p class="hint">No status page yet: the Status pages tab makes one.</p>`;
  return html`<fieldset class="field${error ? ' invalid' : ''}"><legend>Show on status pages</legend>
    ${pages.map((sp) => html`<label class="choice"><input type="checkbox" name="statuspages" value="${sp.uuid}"${chosen.includes(sp.uuid) ? html` checked` : ''}> <span>${sp.name}</span></label>`)}
    ${fieldError('f-statuspages', error)}</fieldset>`;
}
