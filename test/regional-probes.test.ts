import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startHarness, type Harness, waitFor, sleep } from './harness.ts';
import { startHttp, type Running } from './support/targets.ts';
import { runCheck } from '../src/prober/probe.ts';
import { startProbeWorker, type ProbeWorker } from '../src/prober/remote.ts';
import { createProbe, revokeProbe } from '../src/services/probes.ts';
import { hashProbeToken } from '../src/domain/probes.ts';

const quiet = { info() {}, warn() {}, error() {} };
const UNAUTH = '{"error":"Invalid or missing API key"}';
const LIVE_S = 3; // VIGIL_PROBE_LIVE_SECONDS and VIGIL_PROBE_LEASE_SECONDS of this test's server

let h: Harness;
let target: Running;
before(async () => {
  target = await startHttp((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  h = await startHarness({
    env: { VIGIL_ROLE: 'all', VIGIL_PROBE_LIVE_SECONDS: String(LIVE_S), VIGIL_PROBE_LEASE_SECONDS: String(LIVE_S) },
  });
});
after(async () => {
  await h.stop();
  await target.close();
});

function worker(
  token: string,
  region: string,
  extra: Partial<Parameters<typeof startProbeWorker>[0]> = {},
): ProbeWorker {
  return startProbeWorker({
    server: h.url,
    token,
    region,
    log: quiet,
    pollMs: 200,
    flushMs: 100,
    backoffMs: 100,
    maxBackoffMs: 400,
    check: (t, signal) => runCheck(t, { signal, policy: h.config.targetPolicy }),
    ...extra,
  });
}

/** A monitor on the loopback target whose slots the test starts itself (its grid is an hour away). */
async function monitor(name: string, regions: string[]) {
  const res = await h.request('POST', '/v1/monitors', {
    body: { name, url: target.url, check_frequency: 3600, timeout: 5, regions, paused: true },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const row = await h.ctx.store.db
    .selectFrom('monitors')
    .select('id')
    .where('uuid', '=', res.body.uuid)
    .executeTakeFirstOrThrow();
  await h.ctx.store.db
    .updateTable('monitors')
    .set({ paused: 0, next_check_at: Date.now() + 3_600_000 })
    .where('id', '=', row.id)
    .execute();
  return { uuid: res.body.uuid as string, id: row.id };
}

/** What the passing of one interval does: every slot of these monitors, built-in and regional, is due now. */
async function startSlot(ids: number[]) {
  const now = Date.now();
  await h.ctx.store.db
    .updateTable('region_checks')
    .set({ next_check_at: now })
    .where('monitor_id', 'in', ids)
    .execute();
  await h.ctx.store.db.updateTable('monitors').set({ next_check_at: now }).where('id', 'in', ids).execute();
}

/** monitor id → "location:count" sorted, e.g. ["frankfurt:2", "local:2"]. */
async function counts(id: number): Promise<string[]> {
  const rows = await h.ctx.store.db
    .selectFrom('check_results')
    .select(['location'])
    .where('monitor_id', '=', id)
    .execute();
  const by = new Map<string, number>();
  for (const r of rows) by.set(r.location, (by.get(r.location) ?? 0) + 1);
  return [...by].map(([l, n]) => `${l}:${n}`).sort();
}

const post = (token: string | null, p: string, body: unknown = {}) => h.request('POST', p, { key: token, body });

describe('regional probes', () => {
  test('vigil probes create mints a pt_ token shown once and stored only as its SHA-256; list masks it; revoke refuses it', async () => {
    const bad = await h.cli(['probes', 'create', '--project', h.project.uuid, '--region', 'atlantis', '--json']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Region must be one of london, frankfurt/);
    const out = await h.cli(['probes', 'create', '--project', h.project.uuid, '--region', 'frankfurt', '--json']);
    assert.equal(out.code, 0, out.stderr);
    const created = JSON.parse(out.stdout);
    assert.match(created.token, /^pt_[A-Za-z0-9]{32}$/);
    assert.equal(created.region, 'frankfurt');
    const row = await h.ctx.store.db
      .selectFrom('probes')
      .selectAll()
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.token_hash, hashProbeToken(created.token));
    assert.ok(!JSON.stringify(row).includes(created.token.slice(3)), 'the token itself is not stored');
    const list = await h.cli(['probes', 'list', '--project', h.project.uuid, '--json']);
    assert.ok(!list.stdout.includes(created.token));
    const listed = JSON.parse(list.stdout).find((p: { id: string }) => p.id === created.id);
    assert.equal(listed.masked, `${created.token.slice(0, 7)}…${created.token.slice(-4)}`);
    assert.equal(listed.live, false);
    assert.equal((await post(created.token, '/v1/probe/register', { region: 'frankfurt' })).status, 200);
    const revoke = await h.cli(['probes', 'revoke', created.id]);
    assert.equal(revoke.code, 0, revoke.stderr);
    const after = await post(created.token, '/v1/probe/register', { region: 'frankfurt' });
    assert.equal(after.status, 401);
    assert.equal(after.text, UNAUTH);
    const audit = await h.ctx.store.db
      .selectFrom('audit_log')
      .select('action')
      .where('key_id', '=', created.id)
      .execute();
    assert.deepEqual(audit.map((a) => a.action).sort(), ['probe.create', 'probe.revoke']);
  });

  test('probe routes refuse a missing, malformed, unknown or revoked token and API keys with the one 401 body; they are in /openapi.json', async () => {
    const revoked = await createProbe(h.ctx, { projectUuid: h.project.uuid, region: 'paris', actor: 'test' });
    await revokeProbe(h.ctx, revoked.id, 'test');
    const cases: [string, string | null][] = [
      ['no token', null],
      ['an API key', h.rw],
      ['malformed', 'pt_short'],
      ['unknown', `pt_${'A'.repeat(32)}`],
      ['revoked', revoked.token],
    ];
    for (const p of ['/v1/probe/register', '/v1/probe/heartbeat', '/v1/probe/lease', '/v1/probe/results']) {
      for (const [name, token] of cases) {
        const res = await post(token, p, p.endsWith('results') ? { results: [] } : {});
        assert.equal(res.status, 401, `${p} (${name})`);
        assert.equal(res.text, UNAUTH, `${p} (${name})`);
        assert.equal(res.headers.get('www-authenticate'), 'Bearer');
      }
    }
    // A probe token is no API key.
    const probe = await createProbe(h.ctx, { projectUuid: h.project.uuid, region: 'paris', actor: 'test' });
    const asKey = await h.request('GET', '/v1/monitors', { key: probe.token });
    assert.equal(asKey.status, 401);
    assert.equal(asKey.text, UNAUTH);
    const wrongRegion = await post(probe.token, '/v1/probe/register', { region: 'tokyo' });
    assert.equal(wrongRegion.status, 422);
    assert.match(wrongRegion.body.message, /serves region paris, not tokyo/);
    await revokeProbe(h.ctx, probe.id, 'test');
    const doc = (await h.request('GET', '/openapi.json', { key: null })).body;
    for (const p of ['/v1/probe/register', '/v1/probe/heartbeat', '/v1/probe/lease', '/v1/probe/results']) {
      assert.deepEqual(doc.paths[p].post.security, [{ probeToken: [] }], p);
    }
    assert.ok(doc.paths['/v1/regions'].get);
  });

  test("another project's probe of the same region leases none of this project's checks and cannot post their results", async () => {
    const m = await monitor('isolation', ['sydney']);
    const mine = await createProbe(h.ctx, { projectUuid: h.project.uuid, region: 'sydney', actor: 'test' });
    const theirs = await createProbe(h.ctx, { projectUuid: h.other.uuid, region: 'sydney', actor: 'test' });
    await post(mine.token, '/v1/probe/lease', {}); // creates the region's schedule rows
    await startSlot([m.id]);
    assert.deepEqual((await post(theirs.token, '/v1/probe/lease', {})).body.leases, []);
    const leased = (await post(mine.token, '/v1/probe/lease', {})).body.leases;
    assert.equal(leased.length, 1);
    assert.equal(leased[0].monitorUuid, m.uuid);
    const result = {
      leaseId: leased[0].leaseId,
      at: Date.now(),
      ok: true,
      statusCode: 200,
      totalMs: 1,
      dnsMs: null,
      connectMs: null,
      tlsMs: null,
      ttfbMs: null,
      error: null,
    };
    assert.deepEqual((await post(theirs.token, '/v1/probe/results', { results: [result] })).body, {
      recorded: 0,
      ignored: 1,
    });
    assert.deepEqual((await post(mine.token, '/v1/probe/results', { results: [result] })).body, {
      recorded: 1,
      ignored: 0,
    });
    // The same post again (its answer was lost): nothing is stored twice.
    assert.deepEqual((await post(mine.token, '/v1/probe/results', { results: [result, result] })).body, {
      recorded: 0,
      ignored: 2,
    });
    assert.deepEqual(await counts(m.id), ['sydney:1']);
    await revokeProbe(h.ctx, mine.id, 'test');
    await revokeProbe(h.ctx, theirs.id, 'test');
  });

  test("a dead probe's lease is taken over by another probe of the region after it expires; its late result is not stored", async () => {
    const m = await monitor('takeover', ['seoul']);
    const dead = await createProbe(h.ctx, { projectUuid: h.project.uuid, region: 'seoul', actor: 'test' });
    const alive = await createProbe(h.ctx, { projectUuid: h.project.uuid, region: 'seoul', actor: 'test' });
    await post(dead.token, '/v1/probe/lease', {});
    await startSlot([m.id]);
    const first = (await post(dead.token, '/v1/probe/lease', {})).body.leases;
    assert.equal(first.length, 1);
    assert.deepEqual(
      (await post(alive.token, '/v1/probe/lease', {})).body.leases,
      [],
      'a live lease is not handed out twice',
    );
    await sleep(LIVE_S * 1000 + 300);
    const second = (await post(alive.token, '/v1/probe/lease', {})).body.leases;
    assert.equal(second.length, 1);
    assert.equal(second[0].due, first[0].due, 'the same slot is checked, not a newer one');
    assert.notEqual(second[0].leaseId, first[0].leaseId);
    const result = (leaseId: string) => ({
      leaseId,
      at: Date.now(),
      ok: true,
      statusCode: 200,
      totalMs: 1,
      dnsMs: null,
      connectMs: null,
      tlsMs: null,
      ttfbMs: null,
      error: null,
    });
    assert.deepEqual((await post(alive.token, '/v1/probe/results', { results: [result(second[0].leaseId)] })).body, {
      recorded: 1,
      ignored: 0,
    });
    assert.deepEqual((await post(dead.token, '/v1/probe/results', { results: [result(first[0].leaseId)] })).body, {
      recorded: 0,
      ignored: 1,
    });
    assert.deepEqual(await counts(m.id), ['seoul:1']);
    await revokeProbe(h.ctx, dead.id, 'test');
    await revokeProbe(h.ctx, alive.id, 'test');
  });

  test("two probes and the built-in probe: each check runs once per region per interval, labelled with where it ran; a stopped probe's region falls back to the built-in probe", async () => {
    const fra = await createProbe(h.ctx, { projectUuid: h.project.uuid, region: 'frankfurt', actor: 'test' });
    const lon = await createProbe(h.ctx, { projectUuid: h.project.uuid, region: 'london', actor: 'test' });
    const wf = worker(fra.token, 'frankfurt');
    const wl = worker(lon.token, 'london');
    try {
      await Promise.all([wf.ready, wl.ready]);
      const a = await monitor('three regions', ['frankfurt', 'london', 'virginia']);
      const b = await monitor('frankfurt only', ['frankfurt']);
      const c = await monitor('london and tokyo', ['london', 'tokyo']);
      const ids = [a.id, b.id, c.id];
      await waitFor(
        async () =>
          (
            await h.ctx.store.db
              .selectFrom('region_checks')
              .select('monitor_id')
              .where('monitor_id', 'in', ids)
              .execute()
          ).length === 4,
        "schedule rows of the probes' regions",
      );
      const regions = (await h.request('GET', '/v1/regions')).body;
      assert.equal(regions.builtInLocation, 'local');
      const served = Object.fromEntries(
        regions.regions.map((r: { region: string; servedBy: string }) => [r.region, r.servedBy]),
      );
      assert.deepEqual(
        [served.frankfurt, served.london, served.virginia, served.tokyo],
        ['probe', 'probe', 'built-in', 'built-in'],
      );
      assert.deepEqual(
        regions.regions
          .map((r: { region: string }) => r.region)
          .filter((r: string) => ['frankfurt', 'london', 'virginia', 'tokyo'].includes(r)),
        ['london', 'frankfurt', 'tokyo', 'virginia'],
        'in the order of the region list',
      );
      assert.equal(regions.regions.find((r: { region: string }) => r.region === 'frankfurt').probes[0].id, fra.id);

      for (let slot = 1; slot <= 2; slot++) {
        await startSlot(ids);
        const expected = {
          a: [`frankfurt:${slot}`, `local:${slot}`, `london:${slot}`],
          b: [`frankfurt:${slot}`], // every region served by a live probe: the built-in probe skips it
          c: [`local:${slot}`, `london:${slot}`],
        };
        await waitFor(
          async () =>
            JSON.stringify([await counts(a.id), await counts(b.id), await counts(c.id)]) ===
            JSON.stringify([expected.a, expected.b, expected.c]),
          `slot ${slot} results`,
        );
        await sleep(1000); // nothing more arrives
        assert.deepEqual(
          [await counts(a.id), await counts(b.id), await counts(c.id)],
          [expected.a, expected.b, expected.c],
        );
      }

      await wl.stop();
      await sleep(LIVE_S * 1000 + 500); // london's probe is no longer live
      const after = (await h.request('GET', '/v1/regions')).body.regions;
      assert.deepEqual(
        after.find((r: { region: string }) => r.region === 'london'),
        { region: 'london', servedBy: 'built-in', probes: [] },
      );
      await startSlot(ids);
      await waitFor(
        async () =>
          JSON.stringify([await counts(a.id), await counts(b.id), await counts(c.id)]) ===
          JSON.stringify([['frankfurt:3', 'local:3', 'london:2'], ['frankfurt:3'], ['local:3', 'london:2']]),
        'slot 3 results with london on the built-in probe',
      );
      await sleep(1000);
      assert.deepEqual(await counts(c.id), ['local:3', 'london:2']);
      assert.equal(wf.stats.networkErrors, 0);
    } finally {
      await wf.stop();
      await wl.stop();
      await revokeProbe(h.ctx, fra.id, 'test');
      await revokeProbe(h.ctx, lon.id, 'test');
    }
  });

  test('after network loss the worker retries with backoff: a result whose answer was lost or whose post never arrived is stored exactly once', async () => {
    const m = await monitor('flaky network', ['mumbai']);
    const p = await createProbe(h.ctx, { projectUuid: h.project.uuid, region: 'mumbai', actor: 'test' });
    let mode: 'ok' | 'drop-request' | 'drop-answer' = 'ok';
    let faults = 0;
    const flaky: typeof fetch = async (input, init) => {
      const isPost = String(input).endsWith('/v1/probe/results');
      if (isPost && mode === 'drop-request') {
        faults++;
        throw new TypeError('fetch failed (connection reset)');
      }
      const res = await fetch(input, init);
      if (isPost && mode === 'drop-answer') {
        faults++;
        await res.text();
        throw new TypeError('fetch failed (socket hang up)');
      }
      return res;
    };
    const w = worker(p.token, 'mumbai', { fetch: flaky });
    try {
      await w.ready;
      await waitFor(
        async () =>
          (
            await h.ctx.store.db
              .selectFrom('region_checks')
              .select('monitor_id')
              .where('monitor_id', '=', m.id)
              .execute()
          ).length === 1,
        'schedule row',
      );
      mode = 'drop-request';
      await startSlot([m.id]);
      await waitFor(async () => faults >= 3, 'three failed posts');
      assert.deepEqual(await counts(m.id), []);
      mode = 'drop-answer';
      await waitFor(async () => (await counts(m.id)).length === 1, 'the result stored though its answer was lost');
      await waitFor(async () => faults >= 5, 'the post retried after the lost answer');
      mode = 'ok';
      await waitFor(async () => w.stats.queued === 0 && w.stats.posted >= 1, 'the queue drained');
      assert.deepEqual(await counts(m.id), ['mumbai:1']);
      assert.ok(w.stats.ignored >= 1, 'the retry was recognised as already stored');
      assert.ok(w.stats.networkErrors >= 5);
    } finally {
      await w.stop();
      await revokeProbe(h.ctx, p.id, 'test');
    }
  });

  test('a link down for longer than the lease: once it is back the queued result is delivered before any lease, so the target is checked once and the result stored once', async () => {
    let hits = 0;
    const counted = await startHttp((_req, res) => {
      hits++;
      res.writeHead(200).end('ok');
    });
    const res = await h.request('POST', '/v1/monitors', {
      body: {
        name: 'long fault',
        url: counted.url,
        check_frequency: 3600,
        timeout: 5,
        regions: ['capetown'],
        paused: true,
      },
    });
    assert.equal(res.status, 201);
    const id = (
      await h.ctx.store.db
        .selectFrom('monitors')
        .select('id')
        .where('uuid', '=', res.body.uuid)
        .executeTakeFirstOrThrow()
    ).id;
    await h.ctx.store.db
      .updateTable('monitors')
      .set({ paused: 0, next_check_at: Date.now() + 3_600_000 })
      .where('id', '=', id)
      .execute();
    const p = await createProbe(h.ctx, { projectUuid: h.project.uuid, region: 'capetown', actor: 'test' });
    let mode: 'results refused' | 'down' | 'up' = 'results refused'; // then down once the check has run
    const flaky: typeof fetch = async (input, init) => {
      if (mode === 'down' || (mode === 'results refused' && String(input).endsWith('/v1/probe/results')))
        throw new TypeError('fetch failed (connection refused)');
      return fetch(input, init);
    };
    // Flushes are rare, so after the fault the first call out is a lease: it must carry the result first.
    const w = worker(p.token, 'capetown', { fetch: flaky, flushMs: 2000 });
    try {
      await w.ready;
      await waitFor(
        async () =>
          (await h.ctx.store.db.selectFrom('region_checks').select('monitor_id').where('monitor_id', '=', id).execute())
            .length === 1,
        'schedule row',
      );
      await startSlot([id]);
      await waitFor(async () => hits === 1 && w.stats.checked === 1, 'the check to run');
      mode = 'down';
      await sleep(LIVE_S * 1000 + 1000); // the lease has expired on the server
      mode = 'up';
      await waitFor(async () => w.stats.queued === 0 && w.stats.posted === 1, 'the queued result delivered', 10_000);
      await sleep(600); // a few more lease polls
      assert.deepEqual(await counts(id), ['capetown:1']);
      assert.equal(w.stats.recorded, 1, "the expired but not taken-over lease was still this probe's");
      assert.equal(hits, 1, 'the target was checked once');
    } finally {
      await w.stop();
      await revokeProbe(h.ctx, p.id, 'test');
      await counted.close();
    }
  });

  test('a full lease batch is followed at once by another: 600 due checks are leased in one poll, 500 and then 100', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 600; i += 30) {
      const made = await Promise.all(
        Array.from({ length: 30 }, (_, j) =>
          h.request('POST', '/v1/monitors', {
            body: {
              name: `batch ${i + j}`,
              url: target.url,
              check_frequency: 3600,
              timeout: 5,
              regions: ['bahrain'],
              paused: true,
            },
          }),
        ),
      );
      for (const r of made) assert.equal(r.status, 201);
      const rows = await h.ctx.store.db
        .selectFrom('monitors')
        .select('id')
        .where(
          'uuid',
          'in',
          made.map((r) => r.body.uuid),
        )
        .execute();
      ids.push(...rows.map((r) => r.id));
    }
    await h.ctx.store.db
      .updateTable('monitors')
      .set({ paused: 0, next_check_at: Date.now() + 3_600_000 })
      .where('id', 'in', ids)
      .execute();
    const p = await createProbe(h.ctx, { projectUuid: h.project.uuid, region: 'bahrain', actor: 'test' });
    const answers: { at: number; leases: number }[] = [];
    const watched: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (String(input).endsWith('/v1/probe/lease'))
        answers.push({ at: Date.now(), leases: (await res.clone().json()).leases.length });
      return res;
    };
    const pollMs = 3000;
    const w = worker(p.token, 'bahrain', { fetch: watched, pollMs, concurrency: 1000 });
    try {
      await w.ready;
      await waitFor(
        async () =>
          (
            await h.ctx.store.db
              .selectFrom('region_checks')
              .select('monitor_id')
              .where('region', '=', 'bahrain')
              .execute()
          ).length === 600,
        'the schedule rows',
      );
      const before = answers.length;
      await h.ctx.store.db
        .updateTable('region_checks')
        .set({ next_check_at: Date.now() })
        .where('region', '=', 'bahrain')
        .execute();
      await waitFor(async () => w.stats.leased === 600, 'all 600 leased', 15_000);
      const got = answers.slice(before).filter((a) => a.leases > 0);
      assert.deepEqual(
        got.map((a) => a.leases),
        [500, 100],
      );
      assert.ok(
        got[1].at - got[0].at < pollMs / 2,
        `the second batch followed the first at once (${got[1].at - got[0].at} ms), not a poll later`,
      );
      await waitFor(async () => w.stats.posted === 600, 'the 600 results posted', 30_000);
    } finally {
      await w.stop();
      await revokeProbe(h.ctx, p.id, 'test');
      await h.ctx.store.db.deleteFrom('monitors').where('id', 'in', ids).execute();
    }
  });

  test('vigil probe runs as its own process, and exits 1 once its token is revoked', async () => {
    const m = await monitor('process', ['capetown']);
    const p = await createProbe(h.ctx, { projectUuid: h.project.uuid, region: 'capetown', actor: 'test' });
    const child = spawn(
      process.execPath,
      [
        path.resolve(import.meta.dirname, '../bin/vigil.js'),
        'probe',
        '--server',
        h.url,
        '--token',
        p.token,
        '--region',
        'capetown',
      ],
      {
        env: { ...process.env, VIGIL_LOG_LEVEL: 'silent', VIGIL_PROBE_POLL_MS: '200' },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      await waitFor(
        async () =>
          (
            await h.ctx.store.db
              .selectFrom('region_checks')
              .select('monitor_id')
              .where('monitor_id', '=', m.id)
              .execute()
          ).length === 1,
        'the process leased',
        30_000,
      );
      await startSlot([m.id]);
      await waitFor(async () => (await counts(m.id)).includes('capetown:1'), 'a result from the process', 30_000);
      await revokeProbe(h.ctx, p.id, 'test');
      assert.equal(await exited, 1);
      assert.match(stderr, /refused the probe token/);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
