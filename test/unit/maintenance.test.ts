import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_NOTIFICATION_MINUTES,
  NOTIFICATION_OPTIONS,
  applyMaintenanceInput,
  maintenanceStatus,
  type MaintenanceFields,
} from '../../src/domain/maintenance.ts';
import { ValidationError } from '../../src/domain/errors.ts';

const at = (iso: string) => Date.parse(iso);
const isValidation = (field: RegExp) => (e: unknown) => e instanceof ValidationError && field.test(e.message);
// A window across the night Paris leaves summer time (03:00 CEST becomes 02:00 CET).
const START = '2026-10-25T02:30:00+02:00';
const END = '2026-10-25T02:30:00+01:00';
const create = { name: 'DB upgrade', start_date: START, end_date: END, monitors: ['mon_a'] };

describe('maintenance status', () => {
  const s = at('2026-10-25T00:30:00Z');
  const e = at('2026-10-25T01:30:00Z');

  test('a window covers [start, end): upcoming before, ongoing from its start, completed at its end', () => {
    assert.equal(maintenanceStatus(s, e, s - 1), 'upcoming');
    assert.equal(maintenanceStatus(s, e, s), 'ongoing');
    assert.equal(maintenanceStatus(s, e, e - 1), 'ongoing');
    assert.equal(maintenanceStatus(s, e, e), 'completed');
    assert.equal(maintenanceStatus(s, e, e + 86_400_000), 'completed');
  });
});

describe('maintenance input', () => {
  const current: MaintenanceFields = {
    name: 'Old',
    title: { en: 'T' },
    text: { en: 'body' },
    startsAt: at('2026-06-01T00:00:00Z'),
    endsAt: at('2026-06-01T02:00:00Z'),
    monitors: ['mon_a'],
    statuspages: ['sp_a'],
    notificationOption: 'scheduled',
    notificationMinutes: 30,
  };

  test('a create needs a name, both dates and the monitors; the rest takes defaults', () => {
    assert.deepEqual(applyMaintenanceInput(null, create), {
      name: 'DB upgrade',
      title: {},
      text: {},
      startsAt: at('2026-10-25T00:30:00Z'),
      endsAt: at('2026-10-25T01:30:00Z'),
      monitors: ['mon_a'],
      statuspages: [],
      notificationOption: 'none',
      notificationMinutes: 60,
    });
    for (const key of ['name', 'start_date', 'end_date', 'monitors'] as const) {
      const { [key]: _, ...rest } = create;
      assert.throws(() => applyMaintenanceInput(null, rest), isValidation(new RegExp(key)), key);
    }
  });

  test('the one-hour window across the DST change lasts one hour, not zero', () => {
    const w = applyMaintenanceInput(null, create);
    assert.equal(w.endsAt - w.startsAt, 3_600_000);
  });

  test('the end must come after the start, on create and on update', () => {
    assert.throws(() => applyMaintenanceInput(null, { ...create, end_date: START }), isValidation(/end_date/));
    assert.throws(
      () => applyMaintenanceInput(null, { ...create, start_date: END, end_date: START }),
      isValidation(/end_date/),
    );
    assert.throws(() => applyMaintenanceInput(current, { end_date: '2026-05-31T23:00:00Z' }), isValidation(/end_date/));
    assert.throws(
      () => applyMaintenanceInput(current, { start_date: '2026-06-01T02:00:00Z' }),
      isValidation(/end_date/),
    );
    assert.equal(
      applyMaintenanceInput(current, { start_date: '2026-06-01T01:59:59Z' }).startsAt,
      current.endsAt - 1000,
    );
  });

  test('dates must be ISO 8601 instants with a zone; "" is not now here', () => {
    for (const bad of ['2026-10-25T02:30:00', '2026-10-25', '', null, 0]) {
      assert.throws(
        () => applyMaintenanceInput(null, { ...create, start_date: bad }),
        isValidation(/start_date/),
        String(bad),
      );
    }
  });

  test('a partial update keeps every unsent key and does not mutate the current window', () => {
    const copy = structuredClone(current);
    assert.deepEqual(applyMaintenanceInput(current, {}), current);
    assert.deepEqual(applyMaintenanceInput(current, { name: 'New', other: 1 }), { ...current, name: 'New' });
    assert.deepEqual(current, copy);
  });

  test('the name is a non-blank string of at most 255 characters, kept as given', () => {
    assert.equal(applyMaintenanceInput(current, { name: ' padded ' }).name, ' padded ');
    assert.equal(applyMaintenanceInput(current, { name: 'x'.repeat(255) }).name.length, 255);
    for (const bad of ['', '   ', 'x'.repeat(256), 3, null])
      assert.throws(() => applyMaintenanceInput(current, { name: bad }), isValidation(/name/), String(bad));
  });

  test('title and text are localized; null clears them', () => {
    assert.deepEqual(applyMaintenanceInput(current, { title: { fr: 'Mise à jour' } }).title, { fr: 'Mise à jour' });
    assert.deepEqual(applyMaintenanceInput(current, { title: null, text: null }), { ...current, title: {}, text: {} });
    assert.throws(() => applyMaintenanceInput(current, { title: 'plain' }), isValidation(/title/));
    assert.throws(() => applyMaintenanceInput(current, { title: { en: 'x'.repeat(256) } }), isValidation(/title\.en/));
    assert.throws(() => applyMaintenanceInput(current, { text: { xx: 'x' } }), isValidation(/text\.xx/));
  });

  test('monitors and status pages: id lists without duplicates; null empties them', () => {
    assert.deepEqual(applyMaintenanceInput(current, { monitors: ['mon_b', 'mon_b', 'mon_c'] }).monitors, [
      'mon_b',
      'mon_c',
    ]);
    assert.deepEqual(applyMaintenanceInput(current, { monitors: null, statuspages: null }), {
      ...current,
      monitors: [],
      statuspages: [],
    });
    assert.throws(() => applyMaintenanceInput(current, { monitors: 'mon_b' }), isValidation(/monitors/));
    assert.throws(() => applyMaintenanceInput(current, { statuspages: ['page'] }), isValidation(/statuspages/));
  });

  test('notificationOption is none, scheduled or immediate', () => {
    for (const o of NOTIFICATION_OPTIONS)
      assert.equal(applyMaintenanceInput(current, { notificationOption: o }).notificationOption, o);
    for (const bad of ['later', '', null])
      assert.throws(
        () => applyMaintenanceInput(current, { notificationOption: bad }),
        isValidation(/notificationOption/),
        String(bad),
      );
  });

  test('notificationMinutes is a whole number from 1 minute to a week', () => {
    assert.equal(MAX_NOTIFICATION_MINUTES, 10_080);
    assert.equal(applyMaintenanceInput(current, { notificationMinutes: 1 }).notificationMinutes, 1);
    assert.equal(
      applyMaintenanceInput(current, { notificationMinutes: MAX_NOTIFICATION_MINUTES }).notificationMinutes,
      MAX_NOTIFICATION_MINUTES,
    );
    for (const bad of [0, -5, 1.5, MAX_NOTIFICATION_MINUTES + 1, '30', null]) {
      assert.throws(
        () => applyMaintenanceInput(current, { notificationMinutes: bad }),
        isValidation(/notificationMinutes/),
        String(bad),
      );
    }
  });

  test('the body must be a JSON object', () => {
    for (const bad of [null, [], 'x', 1]) assert.throws(() => applyMaintenanceInput(null, bad), ValidationError);
  });
});
