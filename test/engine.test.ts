import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startHarness, type Harness, waitFor } from './harness.ts';
import { openStore } from '../src/storage/store.ts';
import { loadConfig } from '../src/config.ts';
import { startEngine } from '../src/engine.ts';
import { pruneOnce } from '../src/services/retention.ts';
import { CLAIM_MARGIN_MS, claimDueMonitors } from '../src/services/schedule.ts';
import { insertResultRows, recordResults } from '../src/services/results.ts';
import { DAY } from '../src/domain/rollups.ts';

/** A loopback target whose answer the test sets. */
function target() {
  let status = 200;
  let hang = false;
  const server = http.createServer((_req, res) => {
    if (hang) return; // never answers
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  return {
    server,
    set(s: number) {
      status = s;
    },
    hang(on: boolean) {
      hang = on;
    },
    async start() {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    },
    stop: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(r));
    },
  };
}

let h: Harness;
const t = target();
let url = '';
before(async () => {
  url = await t.start();
  h = await startHarness({ env: { VIGIL_ROLE: 'all' } });
});
after(async () => {
  await h.stop();
  await t.stop();
});

async function createMonitor(body: Record<string, unknown>) {
  const res = await h.request('POST', '/v1/monitors', {
    body: { name: 'engine', url, check_frequency: 600, timeout: 2, ...body },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const row = await h.ctx.store.db
    .selectFrom('monitors')
    .select('id')
    .where('uuid', '=', res.body.uuid)
    .executeTakeFirstOrThrow();
  return { uuid: res.body.uuid as string, id: row.id };
}

/** Makes a monitor due now (what the passing of its interval does). */
async function makeDue(id: number, at = Date.now()) {
  await h.ctx.store.db.updateTable('monitors').set({ next_check_at: at }).where('id', '=', id).execute();
}

const results = (id: number) =>
  h.ctx.store.db.selectFrom('check_results').selectAll().where('monitor_id', '=', id).orderBy('id').execute();
const monitorRow = (id: number) =>
  h.ctx.store.db.selectFrom('monitors').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('monitoring engine', () => {
  test('SECURITY 25: a failure is confirmed by an immediate recheck, opens one outage, and recovery closes it', async () => {
    t.set(200);
    const m = await createMonitor({});
    await makeDue(m.id);
    await waitFor(async () => (await results(m.id)).length >= 1, 'first result');
    const first = (await results(m.id))[0];
    assert.equal(first.ok, 1);
    assert.equal(first.status_code, 200);
    assert.equal(first.location, 'local');
    assert.ok(first.total_ms !== null && first.connect_ms !== null && first.ttfb_ms !== null);
    assert.equal((await h.request('GET', `/v1/monitors/${m.uuid}`)).body.status, 'up');

    t.set(503);
    await makeDue(m.id);
    await waitFor(async () => (await monitorRow(m.id)).status === 'down', 'status down');
    const failures = (await results(m.id)).filter((r) => !r.ok);
    assert.equal(failures.length, 2, 'the failure and its confirming recheck');
    assert.equal(failures[0].error, 'expected 2xx, got 503');
    const list = await h.request('GET', '/v2/outages?status=ongoing');
    const mine = list.body.outages.filter((o: any) => o.monitor.uuid === m.uuid);
    assert.equal(mine.length, 1);
    assert.equal(mine[0].statusCode, 503);
    assert.equal(mine[0].description, 'expected 2xx, got 503');
    assert.equal(mine[0].detectedLocation, 'local');
    assert.equal(mine[0].confirmedLocations, 'local,local');
    assert.equal(mine[0].startDate, new Date(failures[0].at).toISOString(), 'the outage starts at the first failure');
    assert.equal((await h.request('GET', `/v1/monitors/${m.uuid}`)).body.status, 'down');

    t.set(200);
    await makeDue(m.id);
    await waitFor(async () => (await monitorRow(m.id)).status === 'up', 'status up');
    const o = (await h.request('GET', `/v2/outages/${mine[0].uuid}`)).body.outage;
    assert.equal(o.isResolved, true);
    const recovered = (await results(m.id)).filter((r) => r.ok && r.at > failures[1].at);
    assert.equal(o.endDate, new Date(recovered[0].at).toISOString(), 'the outage ends at the first good check');
    assert.equal(
      (await h.request('GET', '/v2/outages')).body.outages.filter((x: any) => x.monitor.uuid === m.uuid).length,
      1,
      'exactly one outage',
    );

    // every result went into the hour and day rollups
    const all = await results(m.id);
    for (const granularity of ['hour', 'day']) {
      const rollups = await h.ctx.store.db
        .selectFrom('check_rollups')
        .selectAll()
        .where('monitor_id', '=', m.id)
        .where('granularity', '=', granularity as 'hour')
        .execute();
      assert.equal(
        rollups.reduce((a, r) => a + r.checks, 0),
        all.length,
        granularity,
      );
      assert.equal(
        rollups.reduce((a, r) => a + r.failures, 0),
        all.filter((r) => !r.ok).length,
        granularity,
      );
      const hist = rollups.reduce(
        (a, r) => a + r.h0 + r.h1 + r.h2 + r.h3 + r.h4 + r.h5 + r.h6 + r.h7 + r.h8 + r.h9 + r.h10 + r.h11,
        0,
      );
      assert.equal(hist, all.filter((r) => r.ok).length, 'successful checks fill the latency histogram');
    }
  });

  test('SECURITY 25: a single failed check is a blip: no outage, status stays up', async () => {
    let calls = 0;
    const flaky = http.createServer((_req, res) => {
      calls++;
      res.writeHead(calls === 1 ? 500 : 200);
      res.end();
    });
    await new Promise<void>((r) => flaky.listen(0, '127.0.0.1', r));
    try {
      const m = await createMonitor({ url: `http://127.0.0.1:${(flaky.address() as AddressInfo).port}/` });
      await makeDue(m.id);
      await waitFor(async () => (await results(m.id)).length >= 2, 'the failure and its recheck');
      const row = await monitorRow(m.id);
      assert.equal(row.status, 'up');
      assert.equal(row.confirming, null);
      const outages = await h.ctx.store.db.selectFrom('outages').select('id').where('monitor_id', '=', m.id).execute();
      assert.equal(outages.length, 0);
    } finally {
      flaky.closeAllConnections();
      await new Promise((r) => flaky.close(r));
    }
  });

  test('during an ongoing maintenance window checks run and are stored, but no outage opens', async () => {
    t.set(500);
    const m = await createMonitor({});
    const now = Date.now();
    const mw = await h.request('POST', '/v1/maintenance-windows', {
      body: {
        name: 'db upgrade',
        start_date: new Date(now - 60_000).toISOString(),
        end_date: new Date(now + 3_600_000).toISOString(),
        monitors: [m.uuid],
      },
    });
    assert.equal(mw.status, 201, JSON.stringify(mw.body));
    assert.equal(mw.body.status, 'ongoing');
    await makeDue(m.id);
    await waitFor(async () => (await results(m.id)).length >= 1, 'a check during maintenance');
    await new Promise((r) => setTimeout(r, 600));
    assert.equal((await results(m.id))[0].ok, 0, 'the failing check is stored');
    assert.equal((await monitorRow(m.id)).status, 'up');
    const outages = await h.ctx.store.db.selectFrom('outages').select('id').where('monitor_id', '=', m.id).execute();
    assert.equal(outages.length, 0);
    t.set(200);
  });

  test('a new hourly monitor is checked within seconds, then on its grid; resuming it checks it at once again', async () => {
    t.set(200);
    const created = Date.now();
    const m = await createMonitor({ check_frequency: 3600 });
    await waitFor(async () => (await results(m.id)).length >= 1, 'the first check of an hourly monitor', 10_000);
    const first = (await results(m.id))[0];
    assert.ok(first.at - created < 6_000, `first check ${first.at - created} ms after creation`);
    const row = await monitorRow(m.id);
    assert.ok(
      row.next_check_at! > first.at && row.next_check_at! <= first.at + 3_600_000,
      'the next check is on its hourly grid',
    );
    assert.equal(row.next_check_at! % 3_600_000, Number(row.check_phase), 'on the grid of its phase');
    await h.request('PUT', `/v1/monitors/${m.uuid}`, { body: { paused: true } });
    const resumed = Date.now();
    await h.request('PUT', `/v1/monitors/${m.uuid}`, { body: { paused: false } });
    await waitFor(async () => (await results(m.id)).length >= 2, 'the check of the resumed monitor', 10_000);
    assert.ok((await results(m.id))[1].at - resumed < 6_000);
  });

  test('paused monitors are never checked', async () => {
    const m = await createMonitor({ paused: true });
    assert.equal((await monitorRow(m.id)).next_check_at, null);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal((await results(m.id)).length, 0);
    const resumed = await h.request('PUT', `/v1/monitors/${m.uuid}`, { body: { paused: false } });
    assert.equal(resumed.status, 200);
    const next = (await monitorRow(m.id)).next_check_at!;
    assert.ok(
      next >= Date.now() - 1000 && next <= Date.now() + 60_000,
      'resuming schedules the first check within a minute',
    );
  });

  test('SECURITY 24: after a restart an overdue monitor runs once, then on its grid (no replay)', async () => {
    const m = await createMonitor({ check_frequency: 60 });
    // A new monitor is checked at once: that check first, then the overdue one.
    await waitFor(async () => (await results(m.id)).length >= 1, 'the first check');
    const row = await monitorRow(m.id);
    const overdue = Date.now() - 3 * 3_600_000 - 7_000;
    await makeDue(m.id, overdue - ((overdue - row.check_phase) % 60_000)); // a slot three hours ago
    await waitFor(async () => (await results(m.id)).length >= 2, 'the overdue check');
    await new Promise((r) => setTimeout(r, 700));
    assert.equal((await results(m.id)).length, 2, 'missed slots are not replayed');
    const after = await monitorRow(m.id);
    assert.ok(after.next_check_at! > Date.now() && after.next_check_at! <= Date.now() + 60_000);
    assert.equal((after.next_check_at! - after.check_phase) % 60_000, 0, 'still on its grid');
  });

  test('a slow target does not hold back other monitors', async () => {
    const slow = http.createServer(() => {}); // accepts, never answers
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    try {
      const s = await createMonitor({ url: `http://127.0.0.1:${(slow.address() as AddressInfo).port}/`, timeout: 5 });
      const fast = await createMonitor({});
      t.set(200);
      await makeDue(s.id);
      await new Promise((r) => setTimeout(r, 300));
      await makeDue(fast.id);
      await waitFor(async () => (await results(fast.id)).length >= 1, 'the fast check');
      assert.equal((await results(s.id)).length, 0, 'the slow check is still running');
      await waitFor(async () => (await results(s.id)).length >= 1, 'the slow check times out', 10_000);
      assert.equal((await results(s.id))[0].error, 'timeout after 5 s');
    } finally {
      slow.closeAllConnections();
      await new Promise((r) => slow.close(r));
    }
  });

  test('two schedulers on one database never run the same check twice', async () => {
    await h.running.engine!.stop(); // only the two schedulers below run from here on
    const ids: number[] = [];
    for (let i = 0; i < 60; i++) ids.push((await createMonitor({ check_frequency: 10 })).id);
    const second = await openStore({ databaseUrl: h.config.databaseUrl, dataDir: h.config.dataDir });
    const starts: string[] = [];
    const record = (m: { id: number; due: number }) => {
      if (ids.includes(m.id)) starts.push(`${m.id}@${m.due}`);
    };
    const config = loadConfig({ ...h.db.env, VIGIL_ROLE: 'all' });
    const a = startEngine({ ...h.ctx }, config, { onStart: record });
    const b = startEngine({ store: second, clock: Date.now, log: h.ctx.log }, config, { onStart: record });
    try {
      const now = Date.now();
      for (const [i, id] of ids.entries()) await makeDue(id, now + (i % 10) * 50);
      await new Promise((r) => setTimeout(r, 2500));
    } finally {
      await a.stop();
      await b.stop();
      await second.close();
    }
    assert.equal(new Set(starts).size, starts.length, 'no slot ran twice');
    for (const id of ids)
      assert.ok(
        starts.some((s) => s.startsWith(`${id}@`)),
        `monitor ${id} was checked`,
      );
  });

  test("a claim whose node died mid-check lapses after the timeout and is taken over in its slot; a stored result ends it; a paused monitor's lapsed claim is dropped", async () => {
    // The engine is stopped (previous test): the claims below are made by hand with explicit clocks.
    const m = await createMonitor({ check_frequency: 60, timeout: 2 });
    const T = (await monitorRow(m.id)).next_check_at!;
    // A slot of its grid (a first check is off it: the grid's phase is its own).
    await h.ctx.store.db
      .updateTable('monitors')
      .set({ check_phase: T % 60_000 })
      .where('id', '=', m.id)
      .execute();
    const claim = async (now: number) =>
      (await claimDueMonitors(h.ctx, now + 500, 100, now)).filter((c) => c.id === m.id);
    const first = await claim(T - 200);
    assert.deepEqual(
      first.map((c) => c.due),
      [T],
      'claimed for its slot',
    );
    assert.equal(
      (await monitorRow(m.id)).claim_until,
      T + 2000 + CLAIM_MARGIN_MS,
      'held for the timeout and the margin',
    );
    assert.deepEqual(await claim(T + 3000), [], "a held claim is nobody else's");
    const taken = await claim(T + 2000 + CLAIM_MARGIN_MS);
    assert.deepEqual(
      taken.map((c) => c.due),
      [T],
      'the lapsed claim is taken over, for the same slot',
    );
    assert.equal((await monitorRow(m.id)).next_check_at, T + 60_000, 'the grid did not move again');
    const ok = {
      ok: true,
      statusCode: 200,
      totalMs: 5,
      dnsMs: null,
      connectMs: null,
      tlsMs: null,
      ttfbMs: null,
      error: null,
    };
    await recordResults(h.ctx, [{ ...ok, monitorId: m.id, at: T + 4100, location: 'local', due: T }]);
    assert.equal((await monitorRow(m.id)).claim_until, null, 'storing the result ended the claim');
    assert.deepEqual(await claim(T + 50_000), [], 'nothing to take over, and the next slot is not due');
    // The next slot is claimed and its node dies; the monitor is paused before anyone takes over.
    assert.deepEqual(
      (await claim(T + 60_000)).map((c) => c.due),
      [T + 60_000],
    );
    assert.equal((await h.request('PUT', `/v1/monitors/${m.uuid}`, { body: { paused: true } })).status, 200);
    assert.deepEqual(await claim(T + 70_000), [], 'a paused monitor is not checked');
    assert.equal((await monitorRow(m.id)).claim_until, null, 'its lapsed claim is dropped');
    assert.equal((await results(m.id)).length, 1);
  });

  test('SECURITY 28: retention deletes raw results and rollups past their age, in batches', async () => {
    const m = await createMonitor({ paused: true });
    const now = Date.now();
    const rows = Array.from({ length: 120 }, (_, i) => ({
      monitor_id: m.id,
      at: i < 100 ? now - 8 * DAY - i * 1000 : now - i * 1000,
      location: 'local',
      ok: 1,
      status_code: 200,
      total_ms: 12,
      dns_ms: null,
      connect_ms: 1,
      tls_ms: null,
      ttfb_ms: 5,
      error: null,
    }));
    await insertResultRows(h.ctx.store, h.ctx.store.db, rows);
    const rollup = (granularity: 'hour' | 'day', bucket: number) => ({
      monitor_id: m.id,
      granularity,
      bucket,
      location: 'local',
      checks: 1,
      failures: 0,
      sum_ms: 12,
      min_ms: 12,
      max_ms: 12,
      h0: 1,
      h1: 0,
      h2: 0,
      h3: 0,
      h4: 0,
      h5: 0,
      h6: 0,
      h7: 0,
      h8: 0,
      h9: 0,
      h10: 0,
      h11: 0,
    });
    await h.ctx.store.db
      .insertInto('check_rollups')
      .values([
        rollup('hour', now - 40 * DAY),
        rollup('hour', now - DAY),
        rollup('day', now - 40 * DAY),
        rollup('day', now - 500 * DAY),
      ])
      .execute();
    const deleted = await pruneOnce(h.ctx, { rawDays: 7, hourlyDays: 30, dailyDays: 400 });
    assert.ok(deleted >= 102);
    const left = await results(m.id);
    assert.equal(left.length, 20);
    assert.ok(left.every((r) => r.at > now - 7 * DAY));
    const rollups = await h.ctx.store.db
      .selectFrom('check_rollups')
      .select(['granularity', 'bucket'])
      .where('monitor_id', '=', m.id)
      .orderBy('bucket')
      .execute();
    assert.deepEqual(rollups.map((r) => r.granularity).sort(), ['day', 'hour']);
  });
});

describe('certificate expiry', () => {
  test('an https check feeds the days until the certificate expires into ssl_expiration', async () => {
    const { makeCertificate, startHttps } = await import('./support/targets.ts');
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const cert = await makeCertificate(45);
    const server = await startHttps(cert, (_req, res) => res.end('ok'));
    const caFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-ca-')), 'ca.pem');
    fs.writeFileSync(caFile, cert.cert);
    const hs = await startHarness({ env: { VIGIL_ROLE: 'all', VIGIL_TLS_CA_FILE: caFile } });
    try {
      const res = await hs.request('POST', '/v1/monitors', {
        body: { name: 'tls', url: `${server.url}/`, check_frequency: 600 },
      });
      assert.equal(res.body.ssl_expiration, null, 'unknown until checked');
      const row = await hs.ctx.store.db
        .selectFrom('monitors')
        .select('id')
        .where('uuid', '=', res.body.uuid)
        .executeTakeFirstOrThrow();
      await hs.ctx.store.db
        .updateTable('monitors')
        .set({ next_check_at: Date.now() })
        .where('id', '=', row.id)
        .execute();
      const m = await waitFor(async () => {
        const got = (await hs.request('GET', `/v1/monitors/${res.body.uuid}`)).body;
        return got.ssl_expiration !== null && got;
      }, 'ssl_expiration');
      assert.equal(m.ssl_expiration, Math.floor((cert.notAfter - Date.now()) / DAY));
      assert.ok(m.ssl_expiration >= 44 && m.ssl_expiration <= 45);
      assert.equal(m.status, 'up');
      const r = await hs.ctx.store.db
        .selectFrom('check_results')
        .selectAll()
        .where('monitor_id', '=', row.id)
        .executeTakeFirstOrThrow();
      assert.ok(r.tls_ms !== null, 'TLS handshake time recorded');
    } finally {
      await hs.stop();
      await server.close();
    }
  });
});
