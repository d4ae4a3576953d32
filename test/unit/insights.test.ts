import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_PERIODS,
  MIN_SAMPLES_FOR_SPIKES,
  RESOLUTIONS,
  SPIKE_FACTOR,
  findAnomalies,
  nextPeriod,
  percentile,
  periodLabel,
  periodStart,
  periodsOf,
  type CheckSample,
} from '../../src/domain/insights.ts';
import { ValidationError } from '../../src/domain/errors.ts';

const at = (iso: string) => Date.parse(iso);
const HOUR = 3_600_000;
const DAY = 86_400_000;

describe('periods', () => {
  test('the start of the UTC hour, day, ISO week (Monday) and month holding an instant', () => {
    const t = at('2026-06-07T10:42:13.500Z'); // a Sunday
    assert.equal(periodStart(t, 'hour'), at('2026-06-07T10:00:00Z'));
    assert.equal(periodStart(t, 'day'), at('2026-06-07T00:00:00Z'));
    assert.equal(periodStart(t, 'week'), at('2026-06-01T00:00:00Z'));
    assert.equal(periodStart(t, 'month'), at('2026-06-01T00:00:00Z'));
  });

  test('an instant on a boundary starts its own period; a Monday starts its own week', () => {
    const monday = at('2026-06-08T00:00:00Z');
    for (const res of RESOLUTIONS)
      assert.equal(periodStart(at('2026-06-01T00:00:00Z'), res), at('2026-06-01T00:00:00Z'), res);
    assert.equal(periodStart(monday, 'week'), monday);
    assert.equal(periodStart(monday - 1, 'week'), at('2026-06-01T00:00:00Z'));
  });

  test('instants before 1970 round down too, not towards zero', () => {
    const t = at('1969-12-31T23:30:00Z'); // a Wednesday
    assert.equal(periodStart(t, 'hour'), at('1969-12-31T23:00:00Z'));
    assert.equal(periodStart(t, 'day'), at('1969-12-31T00:00:00Z'));
    assert.equal(periodStart(t, 'week'), at('1969-12-29T00:00:00Z'));
    assert.equal(periodStart(t, 'month'), at('1969-12-01T00:00:00Z'));
  });

  test('periods are UTC: the day of a European DST change still lasts 24 hours', () => {
    for (const d of ['2026-03-29', '2026-10-25']) {
      const [p] = periodsOf(at(`${d}T12:00:00Z`), at(`${d}T12:00:01Z`), 'day');
      assert.equal(p.end - p.start, DAY, d);
      assert.equal(p.label, d);
    }
  });

  test('the next period follows the calendar: months of 28 to 31 days, across a year', () => {
    assert.equal(nextPeriod(at('2026-06-07T10:00:00Z'), 'hour'), at('2026-06-07T11:00:00Z'));
    assert.equal(nextPeriod(at('2026-06-07T00:00:00Z'), 'day'), at('2026-06-08T00:00:00Z'));
    assert.equal(nextPeriod(at('2026-06-01T00:00:00Z'), 'week'), at('2026-06-08T00:00:00Z'));
    assert.equal(nextPeriod(at('2026-01-01T00:00:00Z'), 'month'), at('2026-02-01T00:00:00Z'));
    assert.equal(nextPeriod(at('2026-02-01T00:00:00Z'), 'month') - at('2026-02-01T00:00:00Z'), 28 * DAY);
    assert.equal(nextPeriod(at('2028-02-01T00:00:00Z'), 'month') - at('2028-02-01T00:00:00Z'), 29 * DAY);
    assert.equal(nextPeriod(at('2026-12-01T00:00:00Z'), 'month'), at('2027-01-01T00:00:00Z'));
  });

  test('labels: the full instant for hours, the first day otherwise', () => {
    assert.equal(periodLabel(at('2026-06-07T10:00:00Z'), 'hour'), '2026-06-07T10:00:00.000Z');
    assert.equal(periodLabel(at('2026-06-01T00:00:00Z'), 'week'), '2026-06-01');
    assert.equal(periodLabel(at('2026-06-01T00:00:00Z'), 'month'), '2026-06-01');
  });

  test('a window lists every period it overlaps, oldest first, its end excluded', () => {
    const ps = periodsOf(at('2026-06-07T10:30:00Z'), at('2026-06-07T13:00:00Z'), 'hour');
    assert.deepEqual(
      ps.map((p) => p.label),
      ['2026-06-07T10:00:00.000Z', '2026-06-07T11:00:00.000Z', '2026-06-07T12:00:00.000Z'],
    );
    for (const p of ps) assert.equal(p.end - p.start, HOUR);
    assert.deepEqual(
      periodsOf(at('2026-01-15T00:00:00Z'), at('2026-03-01T00:00:01Z'), 'month').map((p) => p.label),
      ['2026-01-01', '2026-02-01', '2026-03-01'],
    );
    assert.deepEqual(
      periodsOf(at('2026-06-07T00:00:00Z'), at('2026-06-10T00:00:00Z'), 'week').map((p) => p.label),
      ['2026-06-01', '2026-06-08'],
    );
  });

  test('an empty or reversed window has no periods', () => {
    const t = at('2026-06-07T10:30:00Z');
    assert.deepEqual(periodsOf(t, t, 'hour'), []);
    assert.deepEqual(periodsOf(t, t - HOUR, 'day'), []);
  });

  test('a window of MAX_PERIODS periods is fine; one more is refused, naming the resolution', () => {
    const from = at('2026-01-01T00:00:00Z');
    assert.equal(periodsOf(from, from + MAX_PERIODS * HOUR, 'hour').length, MAX_PERIODS);
    assert.throws(
      () => periodsOf(from, from + MAX_PERIODS * HOUR + 1, 'hour'),
      (e: unknown) => e instanceof ValidationError && /hour/.test(e.message),
    );
    assert.throws(() => periodsOf(from, from + 365 * DAY, 'hour'), ValidationError);
    assert.equal(periodsOf(from, from + 365 * DAY, 'day').length, 365);
  });
});

describe('percentiles', () => {
  test('nearest rank: the smallest value with at least q of the values at or below it', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted on purpose
    assert.equal(percentile(values, 0.95), 95);
    assert.equal(percentile(values, 0.5), 50);
    assert.equal(percentile(values, 0.951), 96);
    assert.equal(percentile(values, 1), 100);
    assert.equal(percentile(values, 0), 1);
    assert.equal(percentile([7], 0.95), 7);
    assert.equal(percentile([3, 1, 2], 0.5), 2);
  });

  test('no values, no percentile; the input is left unsorted', () => {
    assert.equal(percentile([], 0.5), null);
    const v = [3, 1, 2];
    percentile(v, 0.5);
    assert.deepEqual(v, [3, 1, 2]);
  });
});

describe('anomalies', () => {
  const T = at('2026-06-07T10:00:00Z');
  let nextId = 1;
  const check = (over: Partial<CheckSample>): CheckSample => ({
    id: nextId++,
    at: T,
    ok: true,
    totalMs: 100,
    location: 'paris',
    statusCode: 200,
    error: null,
    ...over,
  });
  const steady = (n: number) => Array.from({ length: n }, (_, i) => check({ at: T + i * 60_000 }));

  test('every failed check is an anomaly scoring 1, whatever the sample size', () => {
    const fail = check({ ok: false, totalMs: null, statusCode: 500, error: 'HTTP 500' });
    const r = findAnomalies([check({}), fail]);
    assert.deepEqual(r.anomalies, [{ check: fail, type: 'check_failure', score: 1 }]);
    assert.equal(r.p95, 100);
  });

  test('a success over SPIKE_FACTOR × p95 is a latency spike scored 1 − p95/time, once there are enough timed successes', () => {
    const slow = check({ at: T + DAY, totalMs: 1000 });
    const r = findAnomalies([...steady(MIN_SAMPLES_FOR_SPIKES), slow]);
    assert.equal(r.p95, 100);
    assert.deepEqual(r.anomalies, [{ check: slow, type: 'latency_spike', score: 0.9 }]);
    const third = findAnomalies([...steady(MIN_SAMPLES_FOR_SPIKES), check({ totalMs: 300.1 })]).anomalies;
    assert.equal(third.length, 1);
    assert.equal(third[0].score, 0.67);
  });

  test('exactly SPIKE_FACTOR × p95 is not a spike', () => {
    assert.equal(SPIKE_FACTOR, 3);
    assert.deepEqual(findAnomalies([...steady(MIN_SAMPLES_FOR_SPIKES), check({ totalMs: 300 })]).anomalies, []);
  });

  test('below MIN_SAMPLES_FOR_SPIKES timed successes no spike is reported', () => {
    const slow = check({ totalMs: 10_000 });
    assert.deepEqual(findAnomalies([...steady(MIN_SAMPLES_FOR_SPIKES - 2), slow]).anomalies, []);
    // Failures and untimed successes do not count towards the sample.
    const mixed = [
      ...steady(MIN_SAMPLES_FOR_SPIKES - 2),
      check({ totalMs: null }),
      check({ ok: false, totalMs: 50 }),
      slow,
    ];
    assert.deepEqual(
      findAnomalies(mixed).anomalies.map((a) => a.type),
      ['check_failure'],
    );
  });

  test('a p95 of 0 ms reports no spikes', () => {
    assert.deepEqual(
      findAnomalies([...Array.from({ length: 25 }, () => check({ totalMs: 0 })), check({ totalMs: 5 })]).anomalies,
      [],
    );
  });

  test('anomalies come newest first, ties broken by the higher id', () => {
    const a = check({ ok: false, at: T + 1000 });
    const b = check({ ok: false, at: T + 5000 });
    const c = check({ ok: false, at: T + 1000 });
    assert.deepEqual(
      findAnomalies([a, b, c]).anomalies.map((x) => x.check.id),
      [b.id, c.id, a.id],
    );
  });

  test('no checks: no p95 and no anomalies', () => {
    assert.deepEqual(findAnomalies([]), { p95: null, anomalies: [] });
  });
});
