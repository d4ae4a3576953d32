import { ValidationError } from './errors.ts';
import { parseLocalizedText, type LocalizedText } from './localized.ts';
import { ID_LIST_MAX, ID_MAX, NAME_MAX, TEXT_MAX, checkItems } from './limits.ts';

export const INCIDENT_TYPES = ['incident', 'outage'] as const;
export const UPDATE_TYPES = ['investigating', 'identified', 'update', 'monitoring', 'resolved'] as const;
/** Status-page ids are stored as given until status pages exist; only their form is checked. */
export const STATUSPAGE_ID = /^sp_[A-Za-z0-9_-]{1,125}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;
/** The timeline an incident may be created with (an import brings whole timelines). */
export const MAX_INITIAL_UPDATES = 500;

export type IncidentType = (typeof INCIDENT_TYPES)[number];
export type UpdateType = (typeof UPDATE_TYPES)[number];

/** An incident's status: the type of its latest update (updates are kept oldest first), investigating before any. */
export function incidentStatus(updates: readonly { type: UpdateType }[]): UpdateType {
  return updates.at(-1)?.type ?? 'investigating';
}

/** An incident's settings as the rules see them; `affectedComponents` are monitor uuids. */
export interface IncidentFields {
  at: number;
  title: LocalizedText;
  text: LocalizedText;
  type: IncidentType;
  affectedComponents: string[];
  statuspages: string[];
}

export interface IncidentUpdateFields {
  at: number;
  text: LocalizedText;
  type: UpdateType;
}

type Input = Record<string, unknown>;

function fail(message: string): never {
  throw new ValidationError(message);
}

function requireObject(input: unknown): asserts input is Input {
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    fail('The request body must be a JSON object');
}

/** Date.parse rolls 2026-02-31 over into March; a real calendar day is required. */
function isCalendarDate(s: string): boolean {
  const [y, m, d] = s.slice(0, 10).split('-').map(Number);
  const day = new Date(Date.UTC(y, m - 1, d));
  return day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
}

/** An ISO 8601 date-time with a zone (RFC 3339, as clients send); "" means `now` where allowed. */
export function parseInstant(value: unknown, field: string, now?: number): number {
  if (value === '' && now !== undefined) return now;
  const ms = typeof value === 'string' && ISO_INSTANT.test(value) && isCalendarDate(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms) || ms < 0)
    fail(`${field} must be an ISO 8601 date-time with a zone, such as 2026-03-01T02:00:00Z`);
  return ms;
}

/** A list of ids, duplicates dropped, order kept. */
export function idList(value: unknown, field: string, pattern?: RegExp): string[] {
  if (!Array.isArray(value)) fail(`${field} must be a list of ids`);
  checkItems(value, field, ID_LIST_MAX);
  for (const v of value) {
    if (typeof v !== 'string' || v.length === 0 || v.length > ID_MAX) fail(`${field} must be a list of ids`);
    if (pattern && !pattern.test(v)) fail(`${field} holds "${v}", which is not a valid id`);
  }
  return [...new Set(value as string[])];
}

export function statuspageIds(value: unknown, field = 'statuspages'): string[] {
  return idList(value, field, STATUSPAGE_ID);
}

function oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) fail(`${field} must be one of ${allowed.join(', ')}`);
  return value as T;
}

/** One timeline entry: `text` and `type` required, `date` optional ("" or absent = now). */
export function parseIncidentUpdate(input: unknown, now: number, field = ''): IncidentUpdateFields {
  requireObject(input);
  const f = (k: string) => (field ? `${field}.${k}` : k);
  if (input.text === undefined) fail(`${f('text')} is required`);
  if (input.type === undefined) fail(`${f('type')} is required`);
  return {
    text: parseLocalizedText(input.text, f('text'), { max: TEXT_MAX, requireOne: true }),
    type: oneOf(input.type, f('type'), UPDATE_TYPES),
    at: input.date === undefined || input.date === null ? now : parseInstant(input.date, f('date'), now),
  };
}

/**
 * Applies a create (current = null) or partial update body to an incident and enforces every
 * field rule. Unknown keys are ignored. Monitor existence is checked by the service.
 */
export function applyIncidentInput(
  current: IncidentFields | null,
  input: unknown,
  now: number,
): IncidentFields & { updates: IncidentUpdateFields[] } {
  requireObject(input);
  const next: IncidentFields = current
    ? { ...current }
    : { at: now, title: {}, text: {}, type: 'incident', affectedComponents: [], statuspages: [] };

  if (input.title !== undefined)
    next.title = parseLocalizedText(input.title, 'title', { max: NAME_MAX, requireOne: true });
  else if (!current) fail('title is required');
  if (input.text !== undefined)
    next.text = parseLocalizedText(input.text, 'text', { max: TEXT_MAX, requireOne: false });
  if (input.type !== undefined) next.type = oneOf(input.type, 'type', INCIDENT_TYPES);
  // "" keeps the current date on update and means "now" on create, like an update's date.
  if (input.date !== undefined && input.date !== null && input.date !== '') next.at = parseInstant(input.date, 'date');
  if (input.affectedComponents !== undefined)
    next.affectedComponents = idList(input.affectedComponents ?? [], 'affectedComponents');
  if (input.statuspages !== undefined) next.statuspages = statuspageIds(input.statuspages ?? []);

  let updates: IncidentUpdateFields[] = [];
  if (!current && input.updates !== undefined && input.updates !== null) {
    if (!Array.isArray(input.updates)) fail('updates must be a list of {text, type, date} objects');
    checkItems(input.updates, 'updates', MAX_INITIAL_UPDATES);
    updates = input.updates.map((u, i) => parseIncidentUpdate(u, now, `updates[${i}]`));
  }
  return { ...next, updates };
}
