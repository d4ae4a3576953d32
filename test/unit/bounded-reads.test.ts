// Bounds on what one request keeps or repeats, found by bench/worst-case.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { READ_CACHE_ENTRY_BYTES, openStore, rowBytes, type Store } from '../../src/storage/store.ts';
import { periodSeconds, type HealthcheckSettings } from '../../src/domain/healthchecks.ts';
import { periodAfter, periodIndex, periodsOf, checkFigures, MAX_FIGURES } from '../../src/domain/insights.ts';
import { ValidationError } from '../../src/domain/errors.ts';
import { clipText } from '../../src/services/public-pages.ts';
import { familyText, type Family } from '../../src/http/prometheus.ts';
import { RenderCache } from '../../src/web/status-pages/rendered.ts';
import { newTurn, raw, renderInTurns } from '../../src/web/ui/html.ts';

describe('the SQLite read cache', () => {
  let dir: string;
  let store: Store;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-cache-'));
    store = await openStore({ databaseUrl: null, dataDir: dir });
    await store.db
      .insertInto('projects')
      .values([
        { uuid: 'proj_small', name: 'small', created_at: 0, quorum: null },
        { uuid: 'proj_large', name: 'x'.repeat(READ_CACHE_ENTRY_BYTES + 1), created_at: 0, quorum: null },
      ])
      .execute();
  });
  after(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const read = (uuid: string) =>
    store.readNow!<{ name: string }>('SELECT * FROM projects WHERE uuid = ?', [uuid], true)!;

  test('keeps a small read until the database changes', async () => {
    const first = read('proj_small');
    assert.equal(read('proj_small'), first, 'the same rows');
    await store.db.updateTable('projects').set({ created_at: 1 }).where('uuid', '=', 'proj_small').execute();
    assert.notEqual(read('proj_small'), first, 'read again after a write');
  });

  test('serves a read larger than READ_CACHE_ENTRY_BYTES without keeping it', () => {
    const first = read('proj_large');
    assert.equal(first[0].name.length, READ_CACHE_ENTRY_BYTES + 1);
    assert.notEqual(read('proj_large'), first, 'never kept');
    assert.deepEqual(read('proj_large'), first);
  });

  test('rowBytes counts strings by length and stops counting past its limit', () => {
    assert.equal(rowBytes([{ a: 'abc', b: 1, c: null }]), 64 + 3 + 8 + 8);
    assert.ok(
      rowBytes(
        Array.from({ length: 1000 }, () => ({ a: 'x'.repeat(1000) })),
        5000,
      ) < 10_000,
    );
  });
});

describe('heartbeat periods', () => {
  const weekdays: HealthcheckSettings = {
    name: 'j',
    cron: '0 9 * * 1-5',
    timezone: 'UTC',
    period_value: null,
    period_type: null,
    grace_value: 0,
    grace_type: 'seconds',
  };
  const at = (iso: string) => Date.parse(iso);

  test("a cron check's period is the time between its next two runs, whatever instants are asked in turn", () => {
    // 2026-06-11 is a Thursday: next Friday 9:00 then Monday 9:00 (3 days); after Friday 9:00, Monday then Tuesday (1 day).
    const asked = [
      ['2026-06-11T10:00:00Z', 3 * 86_400],
      ['2026-06-11T10:00:01Z', 3 * 86_400],
      ['2026-06-12T09:00:00Z', 86_400],
      ['2026-06-12T08:59:59Z', 3 * 86_400],
      ['2026-06-15T12:00:00Z', 86_400],
      ['2026-06-11T10:00:00Z', 3 * 86_400],
    ] as const;
    for (const [when, seconds] of asked) assert.equal(periodSeconds(weekdays, at(when)), seconds, when);
  });
});

describe('periods of a window', () => {
  const periods = periodsOf(Date.UTC(2026, 0, 1, 5), Date.UTC(2026, 0, 4), 'day');

  test('periodIndex finds the period holding an instant by bisection, -1 outside', () => {
    assert.equal(periods.length, 3);
    assert.equal(periodIndex(periods, Date.UTC(2026, 0, 1)), 0, 'the first period starts at its UTC midnight');
    assert.equal(periodIndex(periods, Date.UTC(2026, 0, 2) - 1), 0);
    assert.equal(periodIndex(periods, Date.UTC(2026, 0, 2)), 1);
    assert.equal(periodIndex(periods, Date.UTC(2026, 0, 3, 23)), 2);
    assert.equal(periodIndex(periods, Date.UTC(2026, 0, 4)), -1);
    assert.equal(periodIndex(periods, Date.UTC(2025, 11, 31)), -1);
    assert.equal(periodAfter(periods, Date.UTC(2025, 11, 31)), 0);
    assert.equal(periodAfter(periods, Date.UTC(2026, 0, 9)), 3);
  });

  test('checkFigures refuses more figures than an answer holds, naming how to ask for less', () => {
    checkFigures(MAX_FIGURES, 'all of them');
    assert.throws(
      () => checkFigures(MAX_FIGURES + 1, '2 monitors × 25001 periods', ', or choose a coarser resolution'),
      (err: Error) =>
        err instanceof ValidationError &&
        err.message ===
          `The answer would hold more than ${MAX_FIGURES} figures (2 monitors × 25001 periods): name fewer monitors (monitor_uuids), or choose a coarser resolution`,
    );
  });
});

describe('bounded text', () => {
  test('clipText cuts every language past its bound with an ellipsis, never inside a surrogate pair, and says so', () => {
    assert.deepEqual(clipText({ en: 'short', fr: 'abcdef' }, 6), { text: { en: 'short', fr: 'abcdef' }, cut: false });
    assert.deepEqual(clipText({ en: 'abcdefgh' }, 4), { text: { en: 'abcd…' }, cut: true });
    const emoji = `abc${'😀'}`; // the pair is characters 3 and 4
    assert.deepEqual(clipText({ en: `${emoji}xyz` }, 4), { text: { en: 'abc…' }, cut: true });
  });

  test('familyText writes the exposition in pieces of about the size asked, the same text as one piece', () => {
    const families: Family[] = [
      {
        name: 'm',
        help: 'h',
        type: 'gauge',
        samples: Array.from({ length: 500 }, (_, i) => ({ labels: { name: `n"${i}` }, value: i })),
      },
    ];
    const pieces = [...familyText(families, 1000)];
    assert.ok(pieces.length > 5);
    for (const p of pieces.slice(0, -1)) assert.ok(p.length >= 1000 && p.length < 1100, String(p.length));
    assert.equal(pieces.join(''), [...familyText(families, 1e9)].join(''));
    assert.match(pieces.join(''), /^# HELP m h\n# TYPE m gauge\nm\{name="n\\"0"\} 0\n/);
  });

  test('renderInTurns renders a list in order, letting the loop turn once its time is up', async () => {
    let turned = 0;
    setImmediate(function count() {
      turned++;
      if (turned < 1000) setImmediate(count);
    });
    const out = await renderInTurns(
      Array.from({ length: 50 }, (_, i) => i),
      newTurn(0),
      (i) => raw(`<${i}>`),
    );
    assert.equal(out.value, Array.from({ length: 50 }, (_, i) => `<${i}>`).join(''));
    assert.ok(turned >= 40, `the loop turned ${turned} times`);
  });

  test('RenderCache renders once per version, shares a rendering in flight, and keeps at most its bytes', async () => {
    const cache = new RenderCache(100);
    let renders = 0;
    const render = (close: string) => async () => {
      renders++;
      return { open: 'o', close };
    };
    const v1 = {};
    const [a, b] = await Promise.all([cache.get('k', v1, render('x'.repeat(40))), cache.get('k', v1, render('y'))]);
    assert.equal(renders, 1);
    assert.equal(a, b);
    await cache.get('k', v1, render('z'));
    assert.equal(renders, 1, 'kept');
    const v2 = {};
    assert.equal((await cache.get('k', v2, render('new')))!.close.toString(), 'new', 'a new version renders again');
    await cache.get('a', v2, render('a'.repeat(60)));
    await cache.get('b', v2, render('b'.repeat(60))); // past 100 bytes: the least recently used goes
    renders = 0;
    await cache.get('a', v2, render('a'));
    assert.equal(renders, 1, 'evicted');
    assert.equal(await cache.get('none', v2, async () => null), null);
  });
});
