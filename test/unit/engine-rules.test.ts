import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { firstCheckAt, gridPhase, nextSlot, phaseOf } from '../../src/domain/schedule.ts';
import { confirmationRule, observe, type MonitorState } from '../../src/domain/status.ts';
import { formatDuration, slaPercent, summarizeOutages } from '../../src/domain/reports.ts';
import { bucketIndex, percentileFromHistogram } from '../../src/domain/rollups.ts';

const T0 = Date.parse('2026-11-27T12:00:00Z');

describe('schedule grid', () => {
  test('a first check comes within 5 s whatever the interval (less for shorter intervals); the grid after it is spread over the interval', () => {
    assert.equal(firstCheckAt(T0, 30, 0), T0);
    assert.equal(firstCheckAt(T0, 30, 0.999), T0 + 4_995);
    assert.equal(firstCheckAt(T0, 86400, 0.5), T0 + 2_500);
    assert.equal(firstCheckAt(T0, 10, 0.999), T0 + 4_995);
    const starts = Array.from({ length: 1000 }, (_, i) => firstCheckAt(T0, 3600, i / 1000) - T0);
    assert.ok(Math.max(...starts) < 5_000 && Math.min(...starts) === 0);
    assert.equal(gridPhase(3600, 0.5), 1_800_000);
    const phases = Array.from({ length: 1000 }, (_, i) => gridPhase(60, i / 1000));
    assert.ok(Math.max(...phases) < 60_000 && Math.min(...phases) === 0);
  });

  test('nextSlot is strictly after, on the grid, and never drifts over many intervals', () => {
    const phase = phaseOf(T0 + 1234, 60);
    let t = T0 + 1234;
    for (let i = 0; i < 10_000; i++) {
      const n = nextSlot(t, 60, phase);
      assert.equal(n - t, 60_000);
      t = n;
    }
    assert.equal(t, T0 + 1234 + 10_000 * 60_000); // a week later, to the millisecond
  });

  test('SECURITY 24: after downtime the next slot is the first one after now: nothing is replayed', () => {
    const phase = phaseOf(T0, 60);
    const now = T0 + 3 * 3_600_000 + 25_000; // three hours overdue
    const n = nextSlot(now, 60, phase);
    assert.ok(n > now && n - now <= 60_000);
    assert.equal((n - T0) % 60_000, 0);
  });

  test('a 24 h interval lands on the same time each day', () => {
    const phase = phaseOf(T0, 86400);
    assert.equal(nextSlot(T0, 86400, phase), T0 + 86_400_000);
    assert.equal(nextSlot(T0 + 5, 86400, phase), T0 + 86_400_000);
  });
});

describe('status state machine (fixed clock)', () => {
  const up: MonitorState = { status: 'up', confirming: null, confirmSince: null, confirmLocations: [] };
  const one = confirmationRule(1);
  const run = (obs: [boolean, number][], state = up) => {
    const transitions: string[] = [];
    let rechecks = 0;
    for (const [ok, at] of obs) {
      const d = observe(state, { ok, at, location: 'local' }, one);
      state = d.state;
      if (d.recheck) rechecks++;
      if (d.transition) transitions.push(`${d.transition.to}@${d.transition.since}`);
    }
    return { state, transitions, rechecks };
  };

  test('SECURITY 25: one failure is not an outage; it asks for a recheck', () => {
    const r = run([[false, 1]]);
    assert.equal(r.state.status, 'up');
    assert.equal(r.state.confirming, 'down');
    assert.equal(r.rechecks, 1);
    assert.deepEqual(r.transitions, []);
  });

  test('a failure confirmed by the recheck goes down since the first failure', () => {
    const r = run([
      [true, 0],
      [false, 10],
      [false, 12],
    ]);
    assert.equal(r.state.status, 'down');
    assert.deepEqual(r.transitions, ['down@10']);
  });

  test('a blip (fail then ok) changes nothing', () => {
    const r = run([
      [false, 10],
      [true, 12],
      [false, 20],
      [true, 21],
    ]);
    assert.equal(r.state.status, 'up');
    assert.equal(r.state.confirming, null);
    assert.deepEqual(r.transitions, []);
  });

  test('SECURITY 25: recovery is confirmed the same way; flapping gives exactly one down and one up', () => {
    const r = run([
      [false, 10],
      [false, 11],
      [true, 20],
      [false, 21],
      [true, 30],
      [true, 31],
      [true, 40],
    ]);
    assert.deepEqual(r.transitions, ['down@10', 'up@30']);
    assert.equal(r.state.status, 'up');
  });

  test('several locations need a majority of distinct ones', () => {
    const rule = confirmationRule(3);
    assert.deepEqual(rule, { required: 2, distinctLocations: true });
    let d = observe(up, { ok: false, at: 1, location: 'london' }, rule);
    d = observe(d.state, { ok: false, at: 2, location: 'london' }, rule);
    assert.equal(d.state.status, 'up', 'the same location twice is not a quorum');
    d = observe(d.state, { ok: false, at: 3, location: 'paris' }, rule);
    assert.equal(d.state.status, 'down');
    assert.deepEqual(d.transition?.locations, ['london', 'paris']);
    assert.equal(confirmationRule(5).required, 3);
  });
});

describe('report maths', () => {
  const H = 3_600_000;
  test('outages are clipped to the period; an ongoing one runs to now', () => {
    const from = T0;
    const to = T0 + 24 * H;
    const s = summarizeOutages(
      [
        { start: from - 2 * H, end: from + H }, // started before: counts 1 h
        { start: from + 5 * H, end: from + 5 * H + 302_000 }, // 5 min 2 s
        { start: to - H, end: null }, // ongoing, now is past `to`: counts 1 h
        { start: from - 5 * H, end: from - 4 * H }, // before the period: ignored
      ],
      from,
      to,
      to + 5 * H,
    );
    assert.equal(s.count, 3);
    assert.equal(s.totalDowntime, 3600 + 302 + 3600);
    assert.equal(s.longestOutage, 3600);
    assert.equal(s.mttr, Math.round((3600 + 302) / 2));
    assert.equal(slaPercent(s.totalDowntime, from, to), 91.31);
  });

  test('SLA is 100 without outages and never rounds a small outage up to 100', () => {
    assert.equal(slaPercent(0, T0, T0 + 7 * 86_400_000), 100);
    assert.equal(slaPercent(1, T0, T0 + 7 * 86_400_000), 99.99);
  });

  test('durations are formatted like Hyperping', () => {
    assert.equal(formatDuration(0), '0s');
    assert.equal(formatDuration(302), '5min 2s');
    assert.equal(formatDuration(107956), '1d 5hr 59min 16s');
    assert.equal(formatDuration(3600), '1hr');
  });

  test('latency histogram buckets and percentile estimate', () => {
    assert.equal(bucketIndex(10), 0);
    assert.equal(bucketIndex(50), 0);
    assert.equal(bucketIndex(51), 1);
    assert.equal(bucketIndex(60_000), 11);
    assert.equal(percentileFromHistogram([90, 9, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0], 0.95), 100);
    assert.equal(percentileFromHistogram(new Array(12).fill(0), 0.5), null);
  });
});
