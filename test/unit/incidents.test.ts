import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  INCIDENT_TYPES,
  UPDATE_TYPES,
  applyIncidentInput,
  idList,
  incidentStatus,
  parseIncidentUpdate,
  parseInstant,
  statuspageIds,
  type IncidentFields,
} from '../../src/domain/incidents.ts';
import { ValidationError } from '../../src/domain/errors.ts';

const NOW = Date.parse('2026-11-27T12:00:00Z');
const isValidation = (field: RegExp) => (e: unknown) => e instanceof ValidationError && field.test(e.message);

describe('incident status', () => {
  test('is the type of the latest update, investigating before any', () => {
    assert.equal(incidentStatus([]), 'investigating');
    assert.equal(incidentStatus([{ type: 'identified' }]), 'identified');
    assert.equal(incidentStatus([{ type: 'investigating' }, { type: 'monitoring' }, { type: 'resolved' }]), 'resolved');
    assert.equal(incidentStatus([{ type: 'resolved' }, { type: 'update' }]), 'update');
  });
});

describe('instants', () => {
  test('an ISO 8601 date-time with a zone is read to the millisecond, offsets included', () => {
    assert.equal(parseInstant('2026-03-01T02:00:00Z', 'date'), Date.parse('2026-03-01T02:00:00Z'));
    assert.equal(parseInstant('2026-03-01T03:00:00+01:00', 'date'), Date.parse('2026-03-01T02:00:00Z'));
    assert.equal(parseInstant('2026-03-01T02:00Z', 'date'), Date.parse('2026-03-01T02:00:00Z'));
    assert.equal(parseInstant('2026-03-01T02:00:00.123Z', 'date'), Date.parse('2026-03-01T02:00:00Z') + 123);
  });

  test('the wall-clock hour skipped by a DST change is still one exact instant when the offset is given', () => {
    // 2026-03-29 02:30 does not exist in Paris; with its offset the instant is unambiguous.
    assert.equal(parseInstant('2026-03-29T02:30:00+01:00', 'date'), Date.parse('2026-03-29T01:30:00Z'));
    assert.equal(
      parseInstant('2026-10-25T02:30:00+02:00', 'date') + 3_600_000,
      parseInstant('2026-10-25T02:30:00+01:00', 'date'),
    );
  });

  test('a date without a zone, a date alone, an impossible day or anything else is refused, naming the field', () => {
    for (const bad of [
      '2026-03-01T02:00:00',
      '2026-03-01',
      '2026-02-30T00:00:00Z',
      '2026-02-29T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-03-01T25:00:00Z',
      '1969-12-31T23:59:59Z',
      'yesterday',
      1_700_000_000_000,
      null,
      '',
    ]) {
      assert.throws(() => parseInstant(bad, 'start_date'), isValidation(/start_date/), String(bad));
    }
    assert.equal(parseInstant('2028-02-29T00:00:00Z', 'date'), Date.parse('2028-02-29T00:00:00Z'));
  });

  test('"" means now only where a now is given', () => {
    assert.equal(parseInstant('', 'date', NOW), NOW);
    assert.throws(() => parseInstant('', 'date'), /date/);
  });
});

describe('id lists', () => {
  test('duplicates are dropped and order kept', () => {
    assert.deepEqual(idList(['b', 'a', 'b', 'c', 'a'], 'monitors'), ['b', 'a', 'c']);
    assert.deepEqual(idList([], 'monitors'), []);
  });

  test('a list of 1 to 128-character strings, at most 500 of them', () => {
    for (const bad of ['mon_a', null, [''], [3], ['x'.repeat(129)], Array.from({ length: 501 }, (_, i) => `m${i}`)]) {
      assert.throws(
        () => idList(bad, 'affectedComponents'),
        isValidation(/affectedComponents/),
        JSON.stringify(bad)?.slice(0, 40),
      );
    }
    assert.equal(
      idList(
        Array.from({ length: 500 }, (_, i) => `m${i}`),
        'x',
      ).length,
      500,
    );
    assert.equal(idList(['x'.repeat(128)], 'x')[0].length, 128);
  });

  test('status page ids must look like sp_ ids, and the offending id is named', () => {
    assert.deepEqual(statuspageIds(['sp_abc', 'sp_A-b_9']), ['sp_abc', 'sp_A-b_9']);
    for (const bad of ['mon_abc', 'sp_', 'sp_a b', 'sp_é']) {
      assert.throws(
        () => statuspageIds([bad]),
        (e: unknown) => e instanceof ValidationError && /statuspages/.test(e.message) && e.message.includes(bad),
        bad,
      );
    }
    assert.throws(() => statuspageIds(['x'], 'pages'), /pages/);
  });
});

describe('incident updates', () => {
  test('text and type are required; the date defaults to now', () => {
    assert.deepEqual(parseIncidentUpdate({ text: { en: 'Fixed' }, type: 'resolved' }, NOW), {
      text: { en: 'Fixed' },
      type: 'resolved',
      at: NOW,
    });
    assert.equal(parseIncidentUpdate({ text: { en: 'x' }, type: 'update', date: null }, NOW).at, NOW);
    assert.equal(parseIncidentUpdate({ text: { en: 'x' }, type: 'update', date: '' }, NOW).at, NOW);
    assert.equal(
      parseIncidentUpdate({ text: { en: 'x' }, type: 'update', date: '2026-11-27T11:00:00Z' }, NOW).at,
      NOW - 3_600_000,
    );
    assert.throws(() => parseIncidentUpdate({ type: 'update' }, NOW), isValidation(/text/));
    assert.throws(() => parseIncidentUpdate({ text: { en: 'x' } }, NOW), isValidation(/type/));
  });

  test('every update type and only those are accepted', () => {
    for (const type of UPDATE_TYPES) assert.equal(parseIncidentUpdate({ text: { en: 'x' }, type }, NOW).type, type);
    for (const type of ['closed', 'Resolved', '', 1])
      assert.throws(() => parseIncidentUpdate({ text: { en: 'x' }, type }, NOW), isValidation(/type/), String(type));
  });

  test('the text needs one non-blank language', () => {
    assert.throws(() => parseIncidentUpdate({ text: { en: '  ' }, type: 'update' }, NOW), isValidation(/text/));
    assert.throws(() => parseIncidentUpdate({ text: 'plain', type: 'update' }, NOW), isValidation(/text/));
  });

  test('errors inside a list name the entry', () => {
    assert.throws(
      () => parseIncidentUpdate({ text: { en: 'x' }, type: 'nope' }, NOW, 'updates[2]'),
      isValidation(/updates\[2\]\.type/),
    );
    assert.throws(
      () => parseIncidentUpdate({ text: { en: 'x' }, type: 'update', date: 'soon' }, NOW, 'updates[0]'),
      isValidation(/updates\[0\]\.date/),
    );
  });

  test('the body must be an object', () => {
    for (const bad of [null, [], 'x', 3]) assert.throws(() => parseIncidentUpdate(bad, NOW), ValidationError);
  });
});

describe('incident input', () => {
  const current: IncidentFields = {
    at: NOW - 86_400_000,
    title: { en: 'Old' },
    text: { en: 'body' },
    type: 'outage',
    affectedComponents: ['mon_a'],
    statuspages: ['sp_a'],
  };

  test('a new incident needs a title; it starts now as an incident with empty lists', () => {
    assert.deepEqual(applyIncidentInput(null, { title: { en: 'API slow' } }, NOW), {
      at: NOW,
      title: { en: 'API slow' },
      text: {},
      type: 'incident',
      affectedComponents: [],
      statuspages: [],
      updates: [],
    });
    assert.throws(() => applyIncidentInput(null, {}, NOW), isValidation(/title/));
    assert.throws(() => applyIncidentInput(null, { title: { en: '' } }, NOW), isValidation(/title/));
  });

  test('a create may carry its first updates, each parsed with its position', () => {
    const r = applyIncidentInput(
      null,
      {
        title: { en: 't' },
        updates: [
          { text: { en: 'a' }, type: 'investigating' },
          { text: { en: 'b' }, type: 'identified', date: '2026-11-27T12:10:00Z' },
        ],
      },
      NOW,
    );
    assert.deepEqual(r.updates, [
      { text: { en: 'a' }, type: 'investigating', at: NOW },
      { text: { en: 'b' }, type: 'identified', at: NOW + 600_000 },
    ]);
    assert.throws(
      () =>
        applyIncidentInput(
          null,
          { title: { en: 't' }, updates: [{ text: { en: 'a' }, type: 'investigating' }, { type: 'identified' }] },
          NOW,
        ),
      isValidation(/updates\[1\]\.text/),
    );
    assert.throws(() => applyIncidentInput(null, { title: { en: 't' }, updates: {} }, NOW), isValidation(/updates/));
    assert.throws(
      () =>
        applyIncidentInput(
          null,
          { title: { en: 't' }, updates: Array.from({ length: 501 }, () => ({ text: { en: 'a' }, type: 'update' })) },
          NOW,
        ),
      isValidation(/updates/),
    );
    assert.deepEqual(applyIncidentInput(null, { title: { en: 't' }, updates: null }, NOW).updates, []);
  });

  test('an update ignores updates in the body: the timeline has its own route', () => {
    assert.deepEqual(
      applyIncidentInput(current, { updates: [{ text: { en: 'a' }, type: 'resolved' }] }, NOW).updates,
      [],
    );
    assert.deepEqual(applyIncidentInput(current, { updates: 'garbage' }, NOW).updates, []);
  });

  test('a partial update keeps every unsent key and does not mutate the current incident', () => {
    const copy = structuredClone(current);
    assert.deepEqual(applyIncidentInput(current, {}, NOW), { ...current, updates: [] });
    assert.deepEqual(applyIncidentInput(current, { type: 'incident', unknown: 1 }, NOW), {
      ...current,
      type: 'incident',
      updates: [],
    });
    assert.deepEqual(current, copy);
  });

  test('the date: "" or null keeps it on update and means now on create; otherwise an ISO instant', () => {
    assert.equal(applyIncidentInput(current, { date: '' }, NOW).at, current.at);
    assert.equal(applyIncidentInput(current, { date: null }, NOW).at, current.at);
    assert.equal(applyIncidentInput(null, { title: { en: 't' }, date: '' }, NOW).at, NOW);
    assert.equal(
      applyIncidentInput(current, { date: '2026-01-01T00:00:00Z' }, NOW).at,
      Date.parse('2026-01-01T00:00:00Z'),
    );
    assert.throws(() => applyIncidentInput(current, { date: '2026-01-01' }, NOW), isValidation(/date/));
  });

  test('type is incident or outage', () => {
    for (const type of INCIDENT_TYPES) assert.equal(applyIncidentInput(current, { type }, NOW).type, type);
    assert.throws(() => applyIncidentInput(current, { type: 'maintenance' }, NOW), isValidation(/type/));
  });

  test('text may be empty; the title may not be blanked on update', () => {
    assert.deepEqual(applyIncidentInput(current, { text: {} }, NOW).text, {});
    assert.throws(() => applyIncidentInput(current, { title: { en: ' ' } }, NOW), isValidation(/title/));
    assert.throws(
      () => applyIncidentInput(current, { title: { en: 'x'.repeat(256) } }, NOW),
      isValidation(/title\.en/),
    );
  });

  test('null lists clear components and pages; page ids are checked by form', () => {
    const r = applyIncidentInput(current, { affectedComponents: null, statuspages: null }, NOW);
    assert.deepEqual([r.affectedComponents, r.statuspages], [[], []]);
    assert.deepEqual(applyIncidentInput(current, { affectedComponents: ['mon_b', 'mon_b'] }, NOW).affectedComponents, [
      'mon_b',
    ]);
    assert.throws(() => applyIncidentInput(current, { statuspages: ['page1'] }, NOW), isValidation(/statuspages/));
    assert.throws(
      () => applyIncidentInput(current, { affectedComponents: 'mon_b' }, NOW),
      isValidation(/affectedComponents/),
    );
  });

  test('the body must be a JSON object', () => {
    for (const bad of [null, [], 'x']) assert.throws(() => applyIncidentInput(null, bad, NOW), ValidationError);
  });
});
