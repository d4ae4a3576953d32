import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_DELAY_MINUTES,
  MAX_STEPS,
  applyPolicyInput,
  backoffMs,
  parseRetryAfter,
  stepDueAt,
  type PolicyFields,
  type PolicyStep,
} from '../../src/domain/alerting.ts';
import { ValidationError } from '../../src/domain/errors.ts';

const T0 = Date.parse('2026-11-27T12:00:00Z');
const MINUTE = 60_000;
const step = (delayMinutes: number, extra: Partial<PolicyStep> = {}) => ({
  delayMinutes,
  integrations: ['int_a'],
  emails: [],
  ...extra,
});

describe('escalation policy input', () => {
  test('a new policy needs a name and at least one step; the name is trimmed and isDefault starts false', () => {
    const p = applyPolicyInput(null, { name: '  On call  ', steps: [{ integrations: ['int_a'] }] });
    assert.deepEqual(p, {
      name: 'On call',
      steps: [{ delayMinutes: 0, integrations: ['int_a'], emails: [] }],
      isDefault: false,
    });
    assert.throws(
      () => applyPolicyInput(null, { steps: [step(0)] }),
      (e: unknown) => e instanceof ValidationError && /name/.test(e.message),
    );
    assert.throws(
      () => applyPolicyInput(null, { name: 'p' }),
      (e: unknown) => e instanceof ValidationError && /steps/.test(e.message),
    );
  });

  test('a blank, overlong, non-string or control-character name is refused', () => {
    for (const name of ['', '   ', 'x'.repeat(256), 42, null, 'a\nb', 'a\0b']) {
      assert.throws(() => applyPolicyInput(null, { name, steps: [step(0)] }), /name/, JSON.stringify(name));
    }
    assert.equal(applyPolicyInput(null, { name: 'x'.repeat(255), steps: [step(0)] }).name.length, 255);
  });

  test('a partial update keeps every key it does not send', () => {
    const current: PolicyFields = {
      name: 'p',
      steps: [step(0), step(10, { emails: ['a@example.org'] })],
      isDefault: true,
    };
    assert.deepEqual(applyPolicyInput(current, { name: 'q' }), { ...current, name: 'q' });
    assert.deepEqual(applyPolicyInput(current, { isDefault: false }), { ...current, isDefault: false });
    assert.deepEqual(applyPolicyInput(current, {}), current);
    assert.deepEqual(applyPolicyInput(current, { steps: [step(5)] }).steps, [step(5)]);
  });

  test('the update does not mutate the current policy', () => {
    const current: PolicyFields = { name: 'p', steps: [step(0)], isDefault: false };
    applyPolicyInput(current, { name: 'q', isDefault: true });
    assert.deepEqual(current, { name: 'p', steps: [step(0)], isDefault: false });
  });

  test('isDefault must be a boolean', () => {
    assert.throws(() => applyPolicyInput(null, { name: 'p', steps: [step(0)], isDefault: 'yes' }), /isDefault/);
    assert.equal(applyPolicyInput(null, { name: 'p', steps: [step(0)], isDefault: true }).isDefault, true);
  });

  test('steps must be a list of 1 to MAX_STEPS objects', () => {
    for (const steps of [[], null, {}, 'x', Array.from({ length: MAX_STEPS + 1 }, () => step(0))]) {
      assert.throws(() => applyPolicyInput(null, { name: 'p', steps }), /steps/, JSON.stringify(steps));
    }
    assert.equal(
      applyPolicyInput(null, { name: 'p', steps: Array.from({ length: MAX_STEPS }, () => step(0)) }).steps.length,
      MAX_STEPS,
    );
    for (const bad of [null, 'x', [step(0)]]) {
      assert.throws(() => applyPolicyInput(null, { name: 'p', steps: [step(0), bad] }), /steps\[1\]/);
    }
  });

  test('a delay is a whole number of minutes from 0 to a week, never less than the step before', () => {
    for (const delayMinutes of [-1, 1.5, '5', MAX_DELAY_MINUTES + 1, NaN, null]) {
      assert.throws(
        () => applyPolicyInput(null, { name: 'p', steps: [step(0), { ...step(0), delayMinutes }] }),
        /steps\[1\]\.delayMinutes/,
        String(delayMinutes),
      );
    }
    assert.equal(MAX_DELAY_MINUTES, 7 * 24 * 60);
    assert.equal(
      applyPolicyInput(null, { name: 'p', steps: [step(MAX_DELAY_MINUTES)] }).steps[0].delayMinutes,
      MAX_DELAY_MINUTES,
    );
    assert.throws(() => applyPolicyInput(null, { name: 'p', steps: [step(10), step(5)] }), /steps\[1\]\.delayMinutes/);
    assert.deepEqual(
      applyPolicyInput(null, { name: 'p', steps: [step(5), step(5), step(30)] }).steps.map((s) => s.delayMinutes),
      [5, 5, 30],
    );
  });

  test('each step names at least one integration or email; emails must be addresses; duplicates are dropped', () => {
    assert.throws(() => applyPolicyInput(null, { name: 'p', steps: [{ delayMinutes: 0 }] }), /steps\[0\]/);
    assert.throws(() => applyPolicyInput(null, { name: 'p', steps: [{ integrations: [], emails: [] }] }), /steps\[0\]/);
    assert.throws(
      () => applyPolicyInput(null, { name: 'p', steps: [{ emails: ['not-an-email'] }] }),
      /steps\[0\]\.emails/,
    );
    const s = applyPolicyInput(null, {
      name: 'p',
      steps: [{ integrations: ['int_a', 'int_a', 'int_b'], emails: ['a@example.org', 'a@example.org'] }],
    }).steps[0];
    assert.deepEqual(s, { delayMinutes: 0, integrations: ['int_a', 'int_b'], emails: ['a@example.org'] });
    assert.deepEqual(
      applyPolicyInput(null, { name: 'p', steps: [{ emails: ['ops@example.org'], integrations: null }] }).steps[0]
        .integrations,
      [],
    );
  });

  test('integration and email lists hold at most 20 non-empty strings without control characters', () => {
    const many = Array.from({ length: 21 }, (_, i) => `int_${i}`);
    for (const integrations of [many, 'int_a', [''], [3], ['int\u0007'], ['x'.repeat(255)]]) {
      assert.throws(
        () => applyPolicyInput(null, { name: 'p', steps: [{ integrations }] }),
        /steps\[0\]\.integrations/,
        JSON.stringify(integrations),
      );
    }
    assert.equal(
      applyPolicyInput(null, { name: 'p', steps: [{ integrations: many.slice(0, 20) }] }).steps[0].integrations.length,
      20,
    );
    assert.throws(
      () =>
        applyPolicyInput(null, {
          name: 'p',
          steps: [{ emails: Array.from({ length: 21 }, (_, i) => `a${i}@example.org`) }],
        }),
      /steps\[0\]\.emails/,
    );
  });
});

describe('escalation step timing', () => {
  const steps = [step(0), step(15), step(60)];

  test('a step is due its delay after the outage started', () => {
    assert.equal(stepDueAt(steps, 0, T0, 0), T0);
    assert.equal(stepDueAt(steps, 1, T0, 0), T0 + 15 * MINUTE);
    assert.equal(stepDueAt(steps, 2, T0, 0), T0 + 60 * MINUTE);
  });

  test("no step fires before the monitor's alerts_wait (in minutes)", () => {
    assert.equal(stepDueAt(steps, 0, T0, 5), T0 + 5 * MINUTE);
    assert.equal(stepDueAt(steps, 1, T0, 5), T0 + 15 * MINUTE);
    assert.equal(stepDueAt(steps, 1, T0, 30), T0 + 30 * MINUTE);
  });

  test('alerts off (-1) and a step past the last give no time', () => {
    assert.equal(stepDueAt(steps, 0, T0, -1), null);
    assert.equal(stepDueAt(steps, 3, T0, 0), null);
    assert.equal(stepDueAt([], 0, T0, 0), null);
  });
});

describe('delivery back-off', () => {
  test('the delay doubles each attempt from the base, with half of it jittered', () => {
    assert.equal(backoffMs(1, 1000, 60_000, 0), 500);
    assert.equal(backoffMs(1, 1000, 60_000, 1), 1000);
    assert.equal(backoffMs(2, 1000, 60_000, 0), 1000);
    assert.equal(backoffMs(3, 1000, 60_000, 0.5), 3000);
    assert.equal(backoffMs(4, 1000, 60_000, 1), 8000);
  });

  test('the delay is capped at the maximum, even for absurd attempt counts', () => {
    assert.equal(backoffMs(10, 1000, 60_000, 1), 60_000);
    assert.equal(backoffMs(10, 1000, 60_000, 0), 30_000);
    assert.equal(backoffMs(1_000_000, 1000, 60_000, 1), 60_000);
    assert.ok(Number.isFinite(backoffMs(Number.MAX_SAFE_INTEGER, 1000, 60_000, 0.3)));
  });

  test('attempt 0 or below counts as the first attempt', () => {
    assert.equal(backoffMs(0, 1000, 60_000, 1), 1000);
    assert.equal(backoffMs(-3, 1000, 60_000, 1), 1000);
  });

  test('the jittered delay always lies between half and all of the exponential delay', () => {
    for (let attempt = 1; attempt <= 12; attempt++) {
      const full = Math.min(60_000, 1000 * 2 ** (attempt - 1));
      for (const r of [0, 0.1, 0.5, 0.9, 0.999]) {
        const d = backoffMs(attempt, 1000, 60_000, r);
        assert.ok(d >= full / 2 && d <= full, `${attempt} ${r} ${d}`);
      }
    }
  });
});

describe('Retry-After', () => {
  const now = Date.parse('2026-11-27T12:00:00Z');

  test('delta-seconds become milliseconds, surrounding spaces allowed', () => {
    assert.equal(parseRetryAfter('120', now), 120_000);
    assert.equal(parseRetryAfter('0', now), 0);
    assert.equal(parseRetryAfter(' 30 ', now), 30_000);
  });

  test('an HTTP date becomes the time left until it, never negative', () => {
    assert.equal(parseRetryAfter('Fri, 27 Nov 2026 12:01:30 GMT', now), 90_000);
    assert.equal(parseRetryAfter('Fri, 27 Nov 2026 11:00:00 GMT', now), 0);
  });

  test('absent or unparseable values give null', () => {
    for (const v of [null, undefined, '', 'soon', '5 s', '12abc'])
      assert.equal(parseRetryAfter(v, now), null, String(v));
  });

  test('a negative or fractional number is neither delta-seconds nor an HTTP date: null', () => {
    for (const v of ['1.5', '-5', '0.5']) assert.equal(parseRetryAfter(v, now), null, v);
  });
});
