import { ValidationError } from './errors.ts';
import { parseLocalizedText, type LocalizedText } from './localized.ts';
import { idList, parseInstant, statuspageIds } from './incidents.ts';
import { NAME_MAX, TEXT_MAX } from './limits.ts';

export const NOTIFICATION_OPTIONS = ['none', 'scheduled', 'immediate'] as const;
export const MAX_NOTIFICATION_MINUTES = 7 * 24 * 60;

export type NotificationOption = (typeof NOTIFICATION_OPTIONS)[number];
export type MaintenanceStatus = 'upcoming' | 'ongoing' | 'completed';

/** A maintenance window's settings as the rules see them; `monitors` are monitor uuids. */
export interface MaintenanceFields {
  name: string;
  title: LocalizedText;
  text: LocalizedText;
  startsAt: number;
  endsAt: number;
  monitors: string[];
  statuspages: string[];
  notificationOption: NotificationOption;
  notificationMinutes: number;
}

type Input = Record<string, unknown>;

function fail(message: string): never {
  throw new ValidationError(message);
}

/** Where a window stands at `now`: it covers [start, end). */
export function maintenanceStatus(startsAt: number, endsAt: number, now: number): MaintenanceStatus {
  if (now < startsAt) return 'upcoming';
  return now < endsAt ? 'ongoing' : 'completed';
}

/**
 * Applies a create (current = null) or partial update body to a window and enforces every
 * field and cross-field rule (the end comes after the start). Unknown keys are ignored.
 */
export function applyMaintenanceInput(current: MaintenanceFields | null, input: unknown): MaintenanceFields {
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    fail('The request body must be a JSON object');
  const body = input as Input;
  const next: MaintenanceFields = current
    ? { ...current }
    : {
        name: '',
        title: {},
        text: {},
        startsAt: 0,
        endsAt: 0,
        monitors: [],
        statuspages: [],
        notificationOption: 'none',
        notificationMinutes: 60,
      };

  if (body.name !== undefined) {
    const n = body.name;
    if (typeof n !== 'string') fail('name must be a string');
    if (n.trim() === '') fail('name must not be empty');
    if (n.length > NAME_MAX) fail(`name must be at most ${NAME_MAX} characters`);
    next.name = n;
  } else if (!current) fail('name is required');

  if (body.title !== undefined)
    next.title =
      body.title === null ? {} : parseLocalizedText(body.title, 'title', { max: NAME_MAX, requireOne: false });
  if (body.text !== undefined)
    next.text = body.text === null ? {} : parseLocalizedText(body.text, 'text', { max: TEXT_MAX, requireOne: false });

  for (const [key, prop] of [
    ['start_date', 'startsAt'],
    ['end_date', 'endsAt'],
  ] as const) {
    if (body[key] !== undefined) next[prop] = parseInstant(body[key], key);
    else if (!current) fail(`${key} is required`);
  }
  if (next.endsAt <= next.startsAt) fail('end_date must be after start_date');

  if (body.monitors !== undefined) next.monitors = idList(body.monitors ?? [], 'monitors');
  else if (!current) fail('monitors is required');
  if (body.statuspages !== undefined) next.statuspages = statuspageIds(body.statuspages ?? []);

  if (body.notificationOption !== undefined) {
    if (!NOTIFICATION_OPTIONS.includes(body.notificationOption as NotificationOption))
      fail(`notificationOption must be one of ${NOTIFICATION_OPTIONS.join(', ')}`);
    next.notificationOption = body.notificationOption as NotificationOption;
  }
  if (body.notificationMinutes !== undefined) {
    const m = body.notificationMinutes;
    if (typeof m !== 'number' || !Number.isInteger(m) || m < 1 || m > MAX_NOTIFICATION_MINUTES) {
      fail(`notificationMinutes must be a whole number of minutes from 1 to ${MAX_NOTIFICATION_MINUTES}`);
    }
    next.notificationMinutes = m;
  }
  return next;
}
