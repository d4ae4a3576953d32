// SECURITY 28: a short soak (bench/soak.ts, what `npm run soak` runs for longer): a real
// `vigil serve` with monitors, heartbeat pings and API traffic together for 75 s; the rows it
// prints are held to generous bounds, since CI machines are shared.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatRow, runSoak } from '../bench/soak.ts';

test('SECURITY 28: under monitors, pings and API traffic together, memory stays flat, check start drift p99 and event-loop lag p99 stay under 1 s, the WAL stays bounded, and the server stops cleanly', async (t) => {
  const r = await runSoak({ minutes: 1.25, monitors: 100, everyS: 15 });
  for (const row of r.rows) t.diagnostic(JSON.stringify(formatRow(row)));
  assert.deepEqual(r.errors, [], 'no request failed');
  assert.ok(r.rows.length >= 4, `${r.rows.length} rows`);
  // After the first row every 15 s window holds about 150 checks of the 100 monitors.
  for (const row of r.rows.slice(1)) {
    assert.ok(row.checks >= 50, `checks ran at ${row.at} s: ${row.checks}`);
    assert.ok(row.pings > 0 && row.api > 0, `pings and API traffic at ${row.at} s`);
    assert.ok(row.driftP99Ms < 1000, `check start drift p99 ${row.driftP99Ms} ms at ${row.at} s`);
    assert.ok(row.lagP99Ms < 1000, `event-loop lag p99 ${row.lagP99Ms} ms at ${row.at} s`);
    if (row.walMb !== null) assert.ok(row.walMb < 64, `WAL ${row.walMb} MB at ${row.at} s`);
  }
  // Flat memory: the last row is not far above the first (warm-up included), and never large.
  const first = r.rows[0].rssMb;
  const last = r.rows.at(-1)!.rssMb;
  assert.ok(last < first * 1.5 + 64, `RSS grew from ${first.toFixed(0)} MB to ${last.toFixed(0)} MB`);
  assert.ok(Math.max(...r.rows.map((x) => x.rssMb)) < 600, 'RSS under 600 MB');
  assert.equal(r.exitCode, 0, `exit code after SIGTERM; stderr: ${r.stderr.slice(-2000)}`);
  assert.doesNotMatch(
    r.stderr + r.shutdownLog,
    /destroyed|"level":(50|60)/,
    `no error at shutdown: ${r.stderr}${r.shutdownLog}`,
  );
});
