import { ValidationError } from '../../domain/errors.ts';
import type { LocalizedText } from '../../domain/localized.ts';
import { html, type Markup } from './html.ts';

/**
 * The dashboard's form fields, each labelled and tied to its hint and error for screen readers,
 * and the helpers that put a service's refusal beside the field it is about.
 */

export type FieldErrors = Record<string, string>;

/** Runs one field's domain rule; its ValidationError message goes beside that field. */
export function checkField<T>(errors: FieldErrors, name: string, rule: () => T): T | undefined {
  try {
    return rule();
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    errors[name] = err.message;
    return undefined;
  }
}

export interface FieldOptions {
  label: string;
  name: string;
  type?: string;
  value?: string;
  error?: string | null;
  hint?: string;
  required?: boolean;
  autocomplete?: string;
  attrs?: Markup;
}

/** A labelled input with its hint and error, tied together for screen readers. */
export function field(f: FieldOptions): Markup {
  const id = `f-${f.name}`;
  const described = [f.hint ? `${id}-hint` : '', f.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field${f.error ? ' invalid' : ''}">
  <label for="${id}">${f.label}</label>
  ${f.hint ? html`<p class="hint" id="${id}-hint">${f.hint}</p>` : ''}
  <input id="${id}" name="${f.name}" type="${f.type ?? 'text'}" value="${f.value ?? ''}"${f.required ? html` required` : ''}${f.autocomplete ? html` autocomplete="${f.autocomplete}"` : ''}${described ? html` aria-describedby="${described}"` : ''}${f.error ? html` aria-invalid="true"` : ''}${f.attrs ?? ''}>
  ${fieldError(id, f.error)}
</div>`;
}

export function fieldError(id: string, error: string | null | undefined): Markup | '' {
  return error ? html`<p class="field-error" id="${id}-error">${error}</p>` : '';
}

export const csrfInput = (token: string) => html`<input type="hidden" name="_csrf" value="${token}">`;

export function radio(
  name: string,
  value: string,
  checked: boolean,
  label: Markup,
  opts: { required?: boolean; invalid?: boolean } = {},
): Markup {
  return html`<label class="choice"><input type="radio" name="${name}" value="${value}"${checked ? html` checked` : ''}${opts.required ? html` required` : ''}${opts.invalid ? html` aria-invalid="true"` : ''}> <span>${label}</span></label>`;
}

/** A labelled <select>; options are [value, label]. */
export function selectField(f: {
  label: string;
  name: string;
  value: string;
  options: readonly (readonly [string, string])[];
  error?: string | null;
  hint?: string;
}): Markup {
  const id = `f-${f.name}`;
  const described = [f.hint ? `${id}-hint` : '', f.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field${f.error ? ' invalid' : ''}">
  <label for="${id}">${f.label}</label>
  ${f.hint ? html`<p class="hint" id="${id}-hint">${f.hint}</p>` : ''}
  <select id="${id}" name="${f.name}"${described ? html` aria-describedby="${described}"` : ''}${f.error ? html` aria-invalid="true"` : ''}>${f.options.map(([v, l]) => html`<option value="${v}"${v === f.value ? html` selected` : ''}>${l}</option>`)}</select>
  ${fieldError(id, f.error)}
</div>`;
}

export function textareaField(f: {
  label: string;
  name: string;
  value: string;
  error?: string | null;
  hint?: string;
  rows?: number;
  attrs?: Markup;
}): Markup {
  const id = `f-${f.name}`;
  const described = [f.hint ? `${id}-hint` : '', f.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field${f.error ? ' invalid' : ''}">
  <label for="${id}">${f.label}</label>
  ${f.hint ? html`<p class="hint" id="${id}-hint">${f.hint}</p>` : ''}
  <textarea id="${id}" name="${f.name}" rows="${f.rows ?? 3}"${described ? html` aria-describedby="${described}"` : ''}${f.error ? html` aria-invalid="true"` : ''}${f.attrs ?? ''}>${f.value}</textarea>
  ${fieldError(id, f.error)}
</div>`;
}

/**
 * The form field a service's validation message is about: the first pattern that matches
 * (specific ones first), else the first field name the message mentions, else '' (the form).
 */
export function messageField(message: string, fields: string[], patterns: [RegExp, string][] = []): string {
  return (
    patterns.find(([re]) => re.test(message))?.[1] ?? fields.find((f) => new RegExp(`\\b${f}\\b`).test(message)) ?? ''
  );
}

/** A form-level error (one no field owns), shown above the form. */
export const formError = (errors: FieldErrors): Markup | '' =>
  errors[''] ? html`<p class="alert" role="alert">${errors['']}</p>` : '';

/** Ids typed or pasted one per line, or separated by commas or spaces. */
export const idsOf = (s: string) => s.split(/[\s,]+/).filter(Boolean);

/** The English text of a form over the other languages of a stored text ("" removes the English one). */
export function withEnglish(current: LocalizedText, en: string): LocalizedText {
  const { en: _old, ...others } = current as Record<string, string>;
  return en ? { ...others, en } : others;
}
