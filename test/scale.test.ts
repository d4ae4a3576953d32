// Scale-out on PostgreSQL (issue 7): two real `vigil serve` nodes on one database and three
// dedicated `vigil probe` processes (frankfurt, london, tokyo) check loopback targets every 10 s.
// Mid-run one node and the london probe are killed -9, and the frankfurt probe's link to its
// server (a TCP proxy) is cut and then loses answers. Afterwards every (monitor, location, slot)
// ran at most once; every built-in and tokyo slot ran exactly once (the dead node's claims are
// taken over), and frankfurt and london ones outside their fault windows; the targets saw exactly
// the checks that were stored; and one outage's DOWN and UP alerts reached each of two webhook
// channels once (an id may repeat only across the kill: at-least-once delivery).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { client, freshDatabase, runCli, PG_URL, type Db, waitFor, sleep } from './harness.ts';
import { closedPort } from './support/targets.ts';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.ts';
import { loadConfig } from '../src/config.ts';
import { openContext } from '../src/main.ts';
import type { Ctx } from '../src/services/context.ts';

const BIN = path.resolve(import.meta.dirname, '../bin/vigil.js');
const F = 10_000; // the shortest check frequency, ms
const LIVE_S = 6; // VIGIL_PROBE_LIVE_SECONDS and VIGIL_PROBE_LEASE_SECONDS of both nodes
const quiet = { info() {}, warn() {}, error() {} };

// Targets: /t/<monitor name> answers 200 and is counted; /o is the outage monitor's, its status settable.
const hits: { name: string; at: number }[] = [];
let outageStatus = 200;
const target = http.createServer((req, res) => {
  const m = /^\/t\/([^/?]+)/.exec(req.url ?? '');
  if (m) hits.push({ name: decodeURIComponent(m[1]), at: Date.now() });
  res.writeHead(m ? 200 : outageStatus, { 'content-type': 'text/plain' }).end('ok');
});
// The webhook receiver answers after 200–900 ms, so a kill can land mid-delivery.
const arrivals: { channel: string; id: string; type: string; body: string; at: number }[] = [];
const receiver = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString();
    let type = '';
    try {
      type = JSON.parse(body).type;
    } catch {}
    arrivals.push({ channel: req.url ?? '', id: String(req.headers['webhook-id']), type, body, at: Date.now() });
    setTimeout(() => res.writeHead(200).end('{}'), 200 + Math.random() * 700);
  });
});

const children = new Set<ChildProcess>();
let db: Db | null = null;
let ctx: Ctx | null = null;
let proxy: TcpProxy | null = null;
after(async () => {
  for (const c of children) c.kill('SIGKILL');
  await proxy?.close();
  for (const s of [target, receiver]) {
    s.closeAllConnections();
    if (s.listening) await new Promise((r) => s.close(r));
  }
  await ctx?.store.close();
  await db?.drop();
});

function spawnVigil(args: string[], env: Record<string, string>): ChildProcess & { log: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  for (const s of [child.stdout!, child.stderr!])
    s.on('data', (d) => {
      err = (err + d).slice(-20_000);
    });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return Object.assign(child, { log: () => err });
}

async function kill(child: ChildProcess): Promise<number> {
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await gone;
  return Date.now();
}

test("two nodes and three probes on PostgreSQL, one node and one probe killed -9, a probe's link cut: each check runs once per location and slot, each alert reaches each channel once", {
  skip: !PG_URL && 'PostgreSQL only: several nodes share one database only on PostgreSQL (set VIGIL_TEST_DATABASE_URL)',
  timeout: 180_000,
}, async (t) => {
  db = await freshDatabase();
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
  const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const env = {
    ...db.env,
    VIGIL_HOST: '127.0.0.1',
    VIGIL_LOG_LEVEL: 'warn',
    VIGIL_ROLE: 'all',
    VIGIL_RATE_LIMIT_PER_HOUR: '0',
    VIGIL_AUTH_FAILURES_PER_MINUTE: '0',
    VIGIL_PROBE_LIVE_SECONDS: String(LIVE_S),
    VIGIL_PROBE_LEASE_SECONDS: String(LIVE_S),
    VIGIL_NOTIFY_TIMEOUT: '3',
    // The address behind the load balancer: every node must put the same links in its alerts.
    VIGIL_PUBLIC_URL: 'https://vigil.example',
  };
  ctx = await openContext(loadConfig(env), quiet);
  const project = JSON.parse((await runCli(['projects', 'create', '--name', 'scale', '--json'], env)).stdout);
  const key = JSON.parse(
    (
      await runCli(
        ['keys', 'create', '--project', project.uuid, '--name', 'rw', '--permission', 'read_write', '--json'],
        env,
      )
    ).stdout,
  ).key;

  const node = async (name: string) => {
    const port = await closedPort();
    const child = spawnVigil(['serve'], { ...env, VIGIL_PORT: String(port) });
    const api = client(`http://127.0.0.1:${port}`, key);
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`node ${name} exited: ${child.log()}`);
        try {
          return (await api.request('GET', '/healthz')).status === 200;
        } catch {
          return false;
        }
      },
      `node ${name} to listen`,
      60_000,
    );
    return { child, api, port };
  };
  const [a, b] = await Promise.all([node('a'), node('b')]);
  // The frankfurt probe talks to node b through the proxy; the london probe to node a; tokyo to node b.
  proxy = await startTcpProxy(b.port);
  const probe = async (region: string, server: string) => {
    const out = await runCli(['probes', 'create', '--project', project.uuid, '--region', region, '--json'], env);
    assert.equal(out.code, 0, out.stderr);
    return spawnVigil(['probe', '--server', server, '--token', JSON.parse(out.stdout).token, '--region', region], {
      VIGIL_LOG_LEVEL: 'warn',
      VIGIL_PROBE_POLL_MS: '200',
    });
  };
  const fra = await probe('frankfurt', proxy.url);
  const lon = await probe('london', `http://127.0.0.1:${a.port}`);
  await probe('tokyo', `http://127.0.0.1:${b.port}`);

  // Alerts: two webhook channels on the project's default policy.
  const channels: string[] = [];
  for (const c of ['/one', '/two']) {
    const res = await b.api.request('POST', '/v1/integrations', {
      body: { name: c, type: 'webhook', settings: { url: hookUrl + c } },
    });
    assert.equal(res.status, 201, res.text);
    channels.push(res.body.uuid);
  }
  assert.equal(
    (
      await b.api.request('POST', '/v1/escalation-policies', {
        body: { name: 'now', isDefault: true, steps: [{ delayMinutes: 0, integrations: channels }] },
      })
    ).status,
    201,
  );

  // X: three probe regions and a built-in one; Y: frankfurt only; Z: london only (falls back to the built-in probe).
  const kinds = { X: ['frankfurt', 'london', 'tokyo', 'virginia'], Y: ['frankfurt'], Z: ['london'] } as const;
  const monitors: { name: string; kind: keyof typeof kinds; id: number; phase: number }[] = [];
  for (const kind of Object.keys(kinds) as (keyof typeof kinds)[]) {
    for (let i = 0; i < 4; i++) {
      const name = `${kind}${i}`;
      const res = await b.api.request('POST', '/v1/monitors', {
        body: { name, url: `${targetUrl}/t/${name}`, check_frequency: F / 1000, timeout: 5, regions: kinds[kind] },
      });
      assert.equal(res.status, 201, res.text);
      const row = await ctx.store.db
        .selectFrom('monitors')
        .select(['id', 'check_phase'])
        .where('uuid', '=', res.body.uuid)
        .executeTakeFirstOrThrow();
      monitors.push({ name, kind, id: row.id, phase: Number(row.check_phase) });
    }
  }
  const outage = await b.api.request('POST', '/v1/monitors', {
    body: { name: 'outage', url: `${targetUrl}/o`, check_frequency: F / 1000, timeout: 5, regions: ['virginia'] },
  });
  assert.equal(outage.status, 201, outage.text);
  const outageId = (
    await ctx.store.db
      .selectFrom('monitors')
      .select('id')
      .where('uuid', '=', outage.body.uuid)
      .executeTakeFirstOrThrow()
  ).id;
  const ids = monitors.map((m) => m.id);
  await waitFor(
    async () =>
      (await ctx!.store.db.selectFrom('region_checks').select('monitor_id').where('monitor_id', 'in', ids).execute())
        .length === 20,
    "the probes' schedule rows",
    30_000,
  );
  // Slots are counted from the first one due after every process is up and every row exists.
  const from = Date.now() + 1000;

  // The outage begins; the kill lands while its DOWN alert is written or delivered.
  // Two intervals of undisturbed running first.
  await sleep(from + 2 * F - Date.now());
  outageStatus = 503;
  await waitFor(
    async () =>
      (await ctx!.store.db.selectFrom('notifications').select('id').where('event', '=', 'outage.down').execute())
        .length > 0,
    'the DOWN alert to be written',
    60_000,
  );
  await sleep(Math.random() * 600);
  const killed = await kill(a.child);
  await kill(lon);
  t.diagnostic(`node a and the london probe killed ${killed - from} ms into the run`);

  // The frankfurt probe's link: down for 2.5 s, then 2 s of lost answers, then up.
  await sleep(4000);
  const faultStart = Date.now();
  proxy.setMode('refuse');
  await sleep(2500);
  proxy.setMode('drop-answers');
  await sleep(2000);
  proxy.setMode('open');
  const faultEnd = Date.now();
  outageStatus = 200;
  await waitFor(
    async () => {
      const rows = await ctx!.store.db
        .selectFrom('notifications')
        .select(['delivered_at'])
        .where('event', '=', 'outage.up')
        .execute();
      return rows.length === 2 && rows.every((r) => r.delivered_at !== null);
    },
    'both UP alerts delivered',
    90_000,
  );
  // Run on until the london-only monitors have been on the built-in probe for two intervals.
  const runUntil = Math.max(faultEnd + 2 * F, killed + LIVE_S * 1000 + 3 * F + 2000);
  await sleep(Math.max(0, runUntil - Date.now()));
  const to = Date.now() - 6000; // slots due later may still be in flight
  await sleep(1500);

  // Stored results per (monitor, location, slot); slot k of a monitor is due at phase + k·F. A check
  // starts on or after its due time (a timer may fire a hair early), and less than F late: a lease
  // whose answer was lost is taken over after VIGIL_PROBE_LEASE_SECONDS, late but in its own slot.
  const slotOf = (m: { phase: number }, at: number) => Math.floor((at - m.phase + 300) / F);
  const dueOf = (m: { phase: number }, k: number) => m.phase + k * F;
  const rows = await ctx.store.db
    .selectFrom('check_results')
    .select(['monitor_id', 'location', 'at'])
    .where('monitor_id', 'in', ids)
    .execute();
  const stored = new Map<string, number>();
  const storedPerSlot = new Map<string, number>();
  for (const r of rows) {
    const m = monitors.find((x) => x.id === r.monitor_id)!;
    const k = slotOf(m, Number(r.at));
    stored.set(`${m.name}|${r.location}|${k}`, (stored.get(`${m.name}|${r.location}|${k}`) ?? 0) + 1);
    storedPerSlot.set(`${m.name}|${k}`, (storedPerSlot.get(`${m.name}|${k}`) ?? 0) + 1);
  }
  const hitsPerSlot = new Map<string, number>();
  for (const h of hits) {
    const m = monitors.find((x) => x.name === h.name)!;
    const k = slotOf(m, h.at);
    hitsPerSlot.set(`${m.name}|${k}`, (hitsPerSlot.get(`${m.name}|${k}`) ?? 0) + 1);
  }
  // Never twice in a slot of the run.
  const times = { from, killed, faultStart, faultEnd };
  for (const [k, n] of stored) {
    const [name, loc, slot] = k.split('|');
    const m = monitors.find((x) => x.name === name)!;
    // A new monitor is checked at once, then on its grid: while the run is set up, its first check
    // and its first slot's may fall in one slot. Slots count from the first due after `from`.
    if (Number(slot) < Math.ceil((from - m.phase) / F)) continue;
    const ats = rows
      .filter((r) => r.monitor_id === m.id && r.location === loc && `${name}|${loc}|${slotOf(m, Number(r.at))}` === k)
      .map((r) => Number(r.at) - m.phase);
    assert.equal(
      n,
      1,
      `${k} was stored ${n} times: at ${ats.map((x) => `slot+${x % F} ms`).join(', ')}; ${JSON.stringify(Object.fromEntries(Object.entries(times).map(([w, v]) => [w, ats.map((x) => x + m.phase - v)])))}`,
    );
  }

  // The takeover windows: a built-in slot the dead node had claimed is taken over once its claim
  // lapses (timeout + margin), late in its slot; london's slots move to the built-in probe once the
  // dead probe is no longer live. A killed process's in-flight checks reached the target unstored.
  const nearKill = (due: number) => due > killed - 4000 && due < killed + 3000;
  const londonGone = (due: number) => due >= killed - 4000; // the dead probe's last leased slot may be lost
  const localCoversLondon = (due: number) => due >= killed + LIVE_S * 1000 + 1500;
  // Slots due while frankfurt's link is faulty may be skipped: a lease cannot be fetched, or its
  // answer is lost and the lease is only taken over after it expires, by when the retry backoff may
  // have passed the next slot (a skipped check, never a lost or repeated result: see the hits below).
  const inFault = (due: number) => due > faultStart - 1000 && due < faultEnd + LIVE_S * 1000 + 8000;
  let skipped = 0;
  let both = 0;
  let slots = 0;
  let exact = 0;
  for (const m of monitors) {
    for (let k = Math.ceil((from - m.phase) / F); dueOf(m, k) <= to; k++) {
      const due = dueOf(m, k);
      const n = (loc: string) => stored.get(`${m.name}|${loc}|${k}`) ?? 0;
      const where = `${m.name} slot due ${due - from} ms into the run (kill at ${killed - from})`;
      const expect: Record<string, number | null> = {}; // null: 0 or 1 (takeover window)
      if (m.kind === 'X') {
        expect.frankfurt = inFault(due) ? null : 1;
        expect.london = londonGone(due) ? (due > killed + 1000 ? 0 : null) : 1;
        expect.tokyo = 1;
        expect.local = 1;
      } else if (m.kind === 'Y') {
        expect.frankfurt = inFault(due) ? null : 1;
        expect.local = inFault(due) ? null : 0; // its one region has a live probe (the fault may outlast the live window)
        expect.london = 0;
        expect.tokyo = 0;
        if (n('frankfurt') + n('local') > 1) both++;
      } else {
        expect.frankfurt = 0;
        expect.tokyo = 0;
        expect.london = londonGone(due) ? (due > killed + 1000 ? 0 : null) : 1;
        expect.local = localCoversLondon(due) ? 1 : londonGone(due) ? null : 0;
        assert.ok(n('london') + n('local') <= 1, `${where}: london checked by both the probe and the built-in probe`);
      }
      for (const [loc, want] of Object.entries(expect)) {
        if (want === null) assert.ok(n(loc) <= 1, `${where}: ${loc}`);
        else assert.equal(n(loc), want, `${where}: ${loc}`);
      }
      // The targets saw each stored check, and no check that was not stored, except around the
      // kill (a killed process's checks can have run without being stored).
      const seen = hitsPerSlot.get(`${m.name}|${k}`) ?? 0;
      const kept = storedPerSlot.get(`${m.name}|${k}`) ?? 0;
      if (nearKill(due)) assert.ok(seen >= kept, `${where}: ${seen} requests for ${kept} results`);
      else assert.equal(seen, kept, `${where}: the target saw ${seen} requests for ${kept} stored results`);
      slots++;
      if (m.kind !== 'Z' && n('frankfurt') === 0) skipped++;
      if (!Object.values(expect).includes(null)) exact++;
    }
  }
  assert.ok(slots >= 12 * 5, `only ${slots} slots observed`);
  // Built-in slots started 5 s (the timeout) or more after they were due: the dead node's claims, taken over.
  const takenOver = rows.filter(
    (r) => r.location === 'local' && (Number(r.at) - monitors.find((m) => m.id === r.monitor_id)!.phase) % F >= 5000,
  ).length;

  // The frankfurt probe really went through the fault, and its results still arrived once each.
  assert.ok(proxy.cut > 0, 'the proxy cut connections');
  assert.match(fra.log(), /failed; retrying/, 'the frankfurt probe saw the network fault');
  assert.equal(fra.exitCode, null, 'the frankfurt probe is still running');

  // Alerts: the outage's DOWN and UP, once per channel in the outbox; each arrived, none invented,
  // and an id arrived again only across the kill.
  const notes = await ctx.store.db
    .selectFrom('notifications')
    .select(['uuid', 'event', 'channel_id', 'delivered_at'])
    .where('outage_id', 'is not', null)
    .execute();
  assert.deepEqual(notes.map((r) => r.event).sort(), ['outage.down', 'outage.down', 'outage.up', 'outage.up']);
  assert.equal(
    new Set(notes.filter((r) => r.event === 'outage.down').map((r) => r.channel_id)).size,
    2,
    'one DOWN per channel',
  );
  assert.equal(
    new Set(notes.filter((r) => r.event === 'outage.up').map((r) => r.channel_id)).size,
    2,
    'one UP per channel',
  );
  const outages = await ctx.store.db.selectFrom('outages').select('id').where('monitor_id', '=', outageId).execute();
  assert.equal(outages.length, 1, 'one outage');
  const alertArrivals = arrivals.filter((x) => x.type === 'outage.down' || x.type === 'outage.up');
  const byId = new Map<string, typeof alertArrivals>();
  for (const x of alertArrivals) byId.set(x.id, [...(byId.get(x.id) ?? []), x]);
  assert.deepEqual(
    [...byId.keys()].sort(),
    notes.map((r) => r.uuid).sort(),
    'every alert arrived, and nothing else did',
  );
  for (const ch of ['/one', '/two']) {
    assert.deepEqual(
      [...new Set(alertArrivals.filter((x) => x.channel === ch).map((x) => `${x.type}`))].sort(),
      ['outage.down', 'outage.up'],
      ch,
    );
  }
  let repeats = 0;
  for (const [id, list] of byId) {
    for (let i = 1; i < list.length; i++) {
      repeats++;
      assert.equal(list[i].body, list[0].body, `${id}: a repeat is the same message`);
      assert.ok(list[i - 1].at <= killed && killed <= list[i].at, `${id} arrived twice without a kill in between`);
    }
  }
  t.diagnostic(
    `${slots} monitor slots checked (${exact} outside the takeover and fault windows, each exactly once per location; ${takenOver} built-in slots taken over from the dead node; ${skipped} frankfurt slots skipped and ${both} checked by both frankfurt and the built-in probe during the fault), ${rows.length} results, ${hits.length} target requests, ${proxy.cut} connections cut, ${alertArrivals.length} alert arrivals (${repeats} repeats across the kill)`,
  );
});
