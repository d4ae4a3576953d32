import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness, waitFor, sleep } from './harness.ts';
import { startHttp, type Running } from './support/targets.ts';
import { runCheck } from '../src/prober/probe.ts';
import { startProbeWorker, type ProbeWorker } from '../src/prober/remote.ts';
import { createProbe, revokeProbe } from '../src/services/probes.ts';
import type { MonitorState } from '../src/domain/status.ts';
import { observeQuorum, parseQuorum, quorumRequired, type Votes } from '../src/domain/quorum.ts';

const quiet = { info() {}, warn() {}, error() {} };

let h: Harness;
let target: Running;
let targetDown = false;
/** Regions whose probe is broken: its checks fail whatever the target answers. */
const broken = new Set<string>();
before(async () => {
  target = await startHttp((_req, res) => {
    res.writeHead(targetDown ? 503 : 200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  h = await startHarness({ env: { VIGIL_ROLE: 'all', VIGIL_PROBE_LIVE_SECONDS: '5', VIGIL_PROBE_LEASE_SECONDS: '5' } });
});
after(async () => {
  await h.stop();
  await target.close();
});

function worker(token: string, region: string): ProbeWorker {
  return startProbeWorker({
    server: h.url,
    token,
    region,
    log: quiet,
    pollMs: 200,
    flushMs: 100,
    backoffMs: 100,
    maxBackoffMs: 400,
    check: async (t, signal) =>
      broken.has(region)
        ? {
            ok: false,
            statusCode: null,
            totalMs: null,
            dnsMs: null,
            connectMs: null,
            tlsMs: null,
            ttfbMs: null,
            error: 'connection refused',
          }
        : runCheck(t, { signal, policy: h.config.targetPolicy }),
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

/** Every slot of the monitor (built-in and the given probe regions, or all) is due now. */
async function startSlot(id: number, regions?: string[]) {
  const now = Date.now();
  let q = h.ctx.store.db.updateTable('region_checks').set({ next_check_at: now }).where('monitor_id', '=', id);
  if (regions) q = q.where('region', 'in', regions);
  await q.execute();
  if (!regions) await h.ctx.store.db.updateTable('monitors').set({ next_check_at: now }).where('id', '=', id).execute();
}

async function counts(id: number): Promise<Record<string, number>> {
  const rows = await h.ctx.store.db
    .selectFrom('check_results')
    .select(['location'])
    .where('monitor_id', '=', id)
    .execute();
  const by: Record<string, number> = {};
  for (const r of rows) by[r.location] = (by[r.location] ?? 0) + 1;
  return Object.fromEntries(Object.entries(by).sort(([a], [b]) => a.localeCompare(b)));
}
const outages = async (uuid: string) =>
  (await h.request('GET', '/v2/outages')).body.outages.filter(
    (o: { monitor: { uuid: string } }) => o.monitor?.uuid === uuid,
  );
const status = async (id: number) =>
  await h.ctx.store.db
    .selectFrom('monitors')
    .select(['status', 'confirming'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();

describe('cross-region quorum', () => {
  test('the rule: more than half of the reporting locations by default, a number when set; a location that agrees again drops out', () => {
    assert.deepEqual(
      [2, 3, 4, 5].map((n) => quorumRequired(n, 'majority')),
      [2, 2, 3, 3],
    );
    assert.equal(quorumRequired(3, 5), 3, 'never more than there are');
    assert.equal(parseQuorum('majority'), 'majority');
    assert.equal(parseQuorum('3'), 3);
    assert.throws(() => parseQuorum('1'), /Quorum must be "majority" or a number of regions from 2 to 18, got "1"/);
    assert.throws(() => parseQuorum('two'), /Quorum must be/);
    const up: MonitorState = { status: 'up', confirming: null, confirmSince: null, confirmLocations: [] };
    const votes: Votes = new Map([
      ['london', { ok: true, at: 1 }],
      ['local', { ok: true, at: 1 }],
    ]);
    votes.set('frankfurt', { ok: false, at: 10 });
    const a = observeQuorum(up, { ok: false, location: 'frankfurt', at: 10 }, votes, 2);
    assert.deepEqual(
      [a.state.confirming, a.state.confirmLocations, a.recheck, a.transition],
      ['down', ['frankfurt'], true, null],
    );
    votes.set('london', { ok: true, at: 11 });
    const b = observeQuorum(a.state, { ok: true, location: 'london', at: 11 }, votes, 2);
    assert.deepEqual(
      [b.state.confirming, b.recheck, b.transition],
      ['down', false, null],
      'a recheck that agrees with the status is no second vote',
    );
    votes.set('frankfurt', { ok: false, at: 20 });
    const c = observeQuorum(b.state, { ok: false, location: 'frankfurt', at: 20 }, votes, 2);
    assert.deepEqual(
      [c.recheck, c.transition],
      [false, null],
      'the same location failing again neither confirms nor asks again',
    );
    votes.set('london', { ok: false, at: 21 });
    const d = observeQuorum(c.state, { ok: false, location: 'london', at: 21 }, votes, 2);
    assert.deepEqual(d.transition, { to: 'down', since: 10, locations: ['frankfurt', 'london'] });
    assert.equal(d.state.status, 'down');
    votes.set('frankfurt', { ok: true, at: 30 });
    const e = observeQuorum(d.state, { ok: true, location: 'frankfurt', at: 30 }, votes, 2);
    assert.deepEqual(
      e.transition,
      { to: 'up', since: 30, locations: ['local', 'frankfurt'] },
      'recovery by the same rule: local never failed, frankfurt is the second',
    );
  });

  test('two probes and the built-in probe: one broken region rechecks the others and declares nothing; two of three declare exactly one outage; recovery and a project quorum of 3 follow the same rule', async () => {
    const fra = await createProbe(h.ctx, { projectUuid: h.project.uuid, region: 'frankfurt', actor: 'test' });
    const lon = await createProbe(h.ctx, { projectUuid: h.project.uuid, region: 'london', actor: 'test' });
    const wf = worker(fra.token, 'frankfurt');
    const wl = worker(lon.token, 'london');
    try {
      await Promise.all([wf.ready, wl.ready]);
      const m = await monitor('three locations', ['frankfurt', 'london', 'virginia']); // virginia: the built-in probe, "local"
      await waitFor(
        async () =>
          (await h.ctx.store.db.selectFrom('region_checks').select('region').where('monitor_id', '=', m.id).execute())
            .length === 2,
        "schedule rows of the probes' regions",
      );

      // Slot 1, all healthy.
      await startSlot(m.id);
      await waitFor(
        async () =>
          JSON.stringify(await counts(m.id)) === JSON.stringify({ frankfurt: 1, local: 1, london: 1 }) || null,
        'slot 1',
      );

      // Frankfurt's probe breaks; only its slot starts. Its failure makes london and the built-in probe recheck at once.
      broken.add('frankfurt');
      await startSlot(m.id, ['frankfurt']);
      await waitFor(async () => {
        const c = await counts(m.id);
        return c.frankfurt === 2 && c.london === 2 && c.local === 2;
      }, "the other regions' rechecks").catch(async (e) => {
        throw new Error(`${e.message}: ${JSON.stringify(await counts(m.id))}`);
      });
      await sleep(1500); // nothing more arrives, nothing is declared
      assert.deepEqual(
        await counts(m.id),
        { frankfurt: 2, local: 2, london: 2 },
        'one recheck per other location, and frankfurt does not recheck itself',
      );
      assert.deepEqual(await outages(m.uuid), []);
      assert.equal((await status(m.id)).status, 'up');

      // A whole slot with frankfurt still broken: still one region of three, still no outage.
      await startSlot(m.id);
      await waitFor(async () => {
        const c = await counts(m.id);
        return c.frankfurt === 3 && c.london === 3 && c.local === 3;
      }, 'slot 3');
      await sleep(1000);
      assert.deepEqual(await outages(m.uuid), []);

      // London breaks too: two of three agree.
      broken.add('london');
      await startSlot(m.id);
      const [outage] = await waitFor(async () => {
        const o = await outages(m.uuid);
        return o.length ? o : null;
      }, 'the outage');
      await sleep(1500);
      const all = await outages(m.uuid);
      assert.equal(all.length, 1, 'exactly one outage');
      assert.equal(outage.detectedLocation, 'frankfurt', 'the first region that saw the failure');
      assert.equal(outage.confirmedLocations, 'frankfurt,london');
      assert.equal(outage.isResolved, false);
      assert.equal((await status(m.id)).status, 'down');

      // Recovery: one healthy region is not enough... but with local already healthy, one more is a majority.
      broken.delete('london');
      await startSlot(m.id, ['london']);
      await waitFor(
        async () => (await outages(m.uuid))[0]?.isResolved === true,
        'the outage closed by london and local',
      );
      assert.equal((await status(m.id)).status, 'up');

      // Project quorum 3: two failing regions of three declare nothing; all three do.
      const set = await h.cli(['projects', 'set', '--project', h.project.uuid, '--quorum', '3', '--json']);
      assert.equal(set.code, 0, set.stderr);
      assert.equal(JSON.parse(set.stdout).quorum, 3);
      const bad = await h.cli(['projects', 'set', '--project', h.project.uuid, '--quorum', '1']);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /Quorum must be "majority" or a number of regions from 2 to 18/);
      broken.add('london');
      const before = await counts(m.id);
      await startSlot(m.id);
      await waitFor(async () => {
        const c = await counts(m.id);
        return c.london > before.london && c.frankfurt > before.frankfurt && c.local > before.local;
      }, 'a slot with two regions failing');
      await sleep(1500);
      assert.equal((await outages(m.uuid)).length, 1, 'no second outage with a quorum of 3');
      targetDown = true;
      await startSlot(m.id);
      await waitFor(async () => (await outages(m.uuid)).length === 2, 'the outage all three regions see');
      const second = (await outages(m.uuid)).find((o: { isResolved: boolean }) => !o.isResolved);
      assert.deepEqual(second.confirmedLocations.split(',').sort(), ['frankfurt', 'local', 'london']);
      assert.equal(second.detectedLocation, 'frankfurt');
    } finally {
      targetDown = false;
      broken.clear();
      await h.cli(['projects', 'set', '--project', h.project.uuid, '--quorum', 'majority']);
      await wf.stop();
      await wl.stop();
      await revokeProbe(h.ctx, fra.id, 'test');
      await revokeProbe(h.ctx, lon.id, 'test');
    }
  });
});
