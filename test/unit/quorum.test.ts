// Which locations vote, with which verdicts, and how many must agree: src/domain/quorum.ts
// (test/quorum.test.ts holds the rule itself and the whole flow through live probes).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { confirmationWindowStart, latestVotes, requiredVotes, votingLocations } from '../../src/domain/quorum.ts';

describe('quorum inputs', () => {
  test("voting locations: each region's live probe, plus the built-in probe only while it serves a region no probe serves", () => {
    const both = votingLocations(['eu', 'us'], new Set(['eu']));
    assert.deepEqual(
      [both.counts('eu'), both.counts('us'), both.counts('local'), both.serving],
      [true, false, true, 2],
    );
    const probesOnly = votingLocations(['eu', 'us'], new Set(['eu', 'us', 'asia']));
    assert.deepEqual(
      [
        probesOnly.counts('eu'),
        probesOnly.counts('us'),
        probesOnly.counts('asia'),
        probesOnly.counts('local'),
        probesOnly.serving,
      ],
      [true, true, false, false, 2],
    );
    assert.equal(votingLocations(['eu'], new Set(['us'])).serving, 1, 'the built-in probe alone');
  });

  test('latest votes: the newest verdict of each voting location inside the window', () => {
    const rows = [
      { location: 'eu', ok: false, at: 300 },
      { location: 'us', ok: true, at: 250 },
      { location: 'eu', ok: true, at: 200 },
      { location: 'asia', ok: false, at: 150 },
      { location: 'us', ok: false, at: 90 },
    ];
    const votes = latestVotes(rows, 100, (l) => l !== 'asia');
    assert.deepEqual(
      [...votes],
      [
        ['eu', { ok: false, at: 300 }],
        ['us', { ok: true, at: 250 }],
      ],
    );
    assert.deepEqual([...latestVotes(rows, 260, () => true)], [['eu', { ok: false, at: 300 }]]);
  });

  test('the window is two check intervals and a minute; votes needed are 0 for one serving location, else the quorum of at least two', () => {
    assert.equal(confirmationWindowStart(30, 1_000_000), 1_000_000 - 60_000 - 60_000);
    assert.equal(requiredVotes(1, 5, 'majority'), 0);
    assert.equal(requiredVotes(3, 1, 'majority'), 2, 'one reporting location still waits for a second');
    assert.equal(requiredVotes(5, 5, 'majority'), 3);
    assert.equal(requiredVotes(5, 5, 2), 2);
    assert.equal(requiredVotes(3, 3, 5), 3, 'never more than there are');
  });
});
