import type { MonitorChoice } from '../../services/dashboard-views.ts';
import { html, type Markup } from './html.ts';
import { fieldError } from './forms.ts';

/**
 * Monitors chosen by name: a fieldset of labelled checkboxes (value: the monitor's uuid) in a
 * scrolling box. Chosen uuids that are no longer monitors of the project are kept as hidden
 * inputs, so the service names them in its refusal instead of the form dropping them silently.
 */
export function monitorCheckboxes(o: { name: string; legend: string; monitors: MonitorChoice[]; chosen: string[]; error?: string | null; hint?: string }): Markup {
  const id = `f-${o.name}`;
  const known = new Set(o.monitors.map((m) => m.uuid));
  const chosen = new Set(o.chosen);
  const described = [o.hint ? `${id}-hint` : '', o.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`<fieldset class="field monitor-picker${o.error ? ' invalid' : ''}" id="${id}"${described ? html` aria-describedby="${described}"` : ''}><legend>${o.legend}</legend>
  ${o.hint ? html`<p class="hint" id="${id}-hint">${o.hint}</p>` : ''}
  ${o.monitors.length
    ? html`<div class="picker-list">${o.monitors.map((m, i) => html`<label class="choice"><input type="checkbox" name="${o.name}" value="${m.uuid}" id="${id}-${i}"${chosen.has(m.uuid) ? html` checked` : ''}> <span>${m.name}<span class="url">${m.url}</span></span></label>`)}</div>`
    : html`<p class="hint">This project has no monitor yet.</p>`}
  ${o.chosen.filter((u) => !known.has(u)).map((u) => html`<input type="hidden" name="${o.name}" value="${u}">`)}
  ${fieldError(id, o.error)}
</fieldset>`;
}

/** One monitor chosen by name from a labelled <select>. */
export function monitorSelect(o: { name: string; label: string; monitors: MonitorChoice[]; value: string; error?: string | null }): Markup {
  const id = `f-${o.name}`;
  return html`<div class="field${o.error ? ' invalid' : ''}">
  <label for="${id}">${o.label}</label>
  <select id="${id}" name="${o.name}" required${o.error ? html` aria-invalid="true" aria-describedby="${id}-error"` : ''}><option value="">Choose a monitor</option>${o.monitors.map((m) => html`<option value="${m.uuid}"${m.uuid === o.value ? html` selected` : ''}>${m.name}</option>`)}</select>
  ${fieldError(id, o.error)}
</div>`;
}
