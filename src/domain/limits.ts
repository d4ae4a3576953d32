import { ValidationError } from './errors.ts';

/**
 * Bounds shared by every resource, so that the work one request asks for stays small (docs/api.md
 * "Limits"). The route schemas (http/schemas.ts) and the domain rules, which the dashboard and the
 * CLI reach without a schema, read these same constants; bounds of one resource live beside its
 * rules (MAX_SECTIONS in statuspages.ts, MAX_REQUEST_HEADERS in monitors.ts, …).
 */

/** Any id a request names: mon_…, sp_…, int_…, esc_…, a numeric monitor id. */
export const ID_MAX = 128;
/** Names and titles (per language). */
export const NAME_MAX = 255;
/** Long texts: an incident's or a maintenance window's text (per language), an outage description. */
export const TEXT_MAX = 10_000;
export const URL_MAX = 2048;
export const EMAIL_MAX = 254;
/** An ISO 8601 date-time (the longest valid one, nanoseconds and an offset, is 35 characters). */
export const DATE_MAX = 64;
/** Lists of ids: affectedComponents, statuspages, a maintenance window's monitors. */
export const ID_LIST_MAX = 500;
/** Entries of a text map by language ({en, fr, …}) and of a status page's `languages`. */
export const LANGUAGES_MAX = 20;
/** A search text (list filters). */
export const SEARCH_MAX = 200;
/** Keys of an object whose keys are open (integration settings, a page's authentication). */
export const OBJECT_KEYS_MAX = 50;

/** The sentences of http/errors.ts, so that a bound says the same whichever layer meets it first. */
export function checkItems(list: readonly unknown[], field: string, max: number): void {
  if (list.length > max) throw new ValidationError(`${field} must have at most ${max} items`);
}

export function checkLength(text: string, field: string, max: number): void {
  if (text.length > max) throw new ValidationError(`${field} must be at most ${max} characters`);
}

export function checkEntries(map: object, field: string, max: number): void {
  if (Object.keys(map).length > max) throw new ValidationError(`${field} must have at most ${max} entries`);
}
