// The live dashboard: GET /app/projects/:uuid/live streams the project's events (Server-Sent
// Events) as results, state changes, pings and outages are stored, through the real server and
// database (PostgreSQL's LISTEN/NOTIFY with VIGIL_TEST_DATABASE_URL, in the process on SQLite).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Harness } from '../harness.ts';
import type { FormClient } from '../support/browser-client.ts';
import { actorOf, dashboardProject, plain, signIn } from '../support/dashboard-session.ts';
import { openStream, type SseStream } from '../support/sse.ts';
import { createMonitor, type Monitor } from '../../src/services/monitors.ts';
import { createOutage, resolveOutage } from '../../src/services/outages.ts';
import { createHealthcheck, recordPing } from '../../src/services/healthchecks.ts';
import { insertResultRows, recordResults, type ObservedResult } from '../../src/services/results.ts';
import { addProjectMember, createUser } from '../../src/services/users.ts';
import { removeMember } from '../../src/services/members.ts';
import { MAX_STREAMS_PER_USER, liveTiming } from '../../src/web/dashboard/live/routes.ts';
import type { ActorCtx } from '../../src/services/context.ts';

let h: Harness;
let admin: FormClient;
let actor: ActorCtx;
let at: (rest: string) => string;
let web: Monitor;
let api: Monitor;
const streams: SseStream[] = [];

const cookie = (b: FormClient) => ({ cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ') });
async function stream(path: string, b: FormClient = admin): Promise<SseStream> {
  const s = await openStream(h.url + path, cookie(b));
  streams.push(s);
  return s;
}
const result = (m: Monitor, ok: boolean, atMs: number, ms = 42): ObservedResult => ({
  monitorId: m.id,
  at: atMs,
  location: 'local',
  ok,
  statusCode: ok ? 200 : 503,
  totalMs: ms,
  dnsMs: null,
  connectMs: null,
  tlsMs: null,
  ttfbMs: null,
  error: ok ? null : 'expected 2xx, got 503',
});

before(async () => {
  ({ h, admin, actor, at } = await dashboardProject());
  web = await createMonitor(actor, { name: 'Web', url: 'https://web.example.org' });
  api = await createMonitor(actor, { name: 'API', url: 'https://api.example.org' });
});
after(async () => {
  for (const s of streams) s.close();
  await h.stop();
});

describe('the live stream of a project', () => {
  test("a stored result reaches an open stream of the monitors page, with the monitor's status and the check", async () => {
    const list = await admin.get(at('monitors'));
    const liveUrl = /data-live="([^"]+)"/.exec(list.text)![1].replace(/&amp;/g, '&');
    assert.match(liveUrl, /\/live\?monitors=mon_\w+%2Cmon_\w+|\/live\?monitors=mon_\w+,mon_\w+/);
    const s = await stream(liveUrl);
    assert.equal(s.status, 200);
    assert.match(s.headers.get('content-type')!, /^text\/event-stream/);
    assert.equal(s.headers.get('cache-control'), 'no-store');
    const now = Date.now();
    await recordResults(h.ctx, [result(web, true, now, 87)]);
    const msg = await s.next((d) => d.monitors?.some((m: any) => m.id === web.uuid));
    assert.deepEqual(
      msg.monitors.find((m: any) => m.id === web.uuid),
      { id: web.uuid, state: 'up', checks: [{ at: now, ok: true, ms: 87, location: 'local' }] },
    );
  });

  test("a confirmed failure turns the monitor down and opens its outage: both reach its page's stream", async () => {
    const s = await stream(`/app/projects/${h.project.uuid}/live?monitors=${api.uuid}`);
    const t = Date.now();
    await recordResults(h.ctx, [result(api, false, t)]);
    await recordResults(h.ctx, [result(api, false, t + 1000)]); // the recheck confirms
    const down = await s.next((d) => d.monitors?.some((m: any) => m.state === 'down'));
    assert.equal(down.monitors[0].id, api.uuid);
    const opened = await s.next((d) => d.outages?.length);
    assert.equal(opened.outages[0].subject, api.uuid);
    assert.equal(opened.outages[0].open, true);
    assert.match(opened.outages[0].id, /^outage_/);
    // Nothing about the other monitor on this page's stream.
    await recordResults(h.ctx, [result(web, true, t + 2000)]);
    await recordResults(h.ctx, [result(api, true, t + 3000)]);
    await recordResults(h.ctx, [result(api, true, t + 4000)]); // confirmed up
    const up = await s.next((d) => d.monitors?.some((m: any) => m.state === 'up'));
    assert.equal(up.monitors.length, 1);
    assert.ok(
      s.messages.every((m) => !(m.data.monitors ?? []).some((x: any) => x.id === web.uuid)),
      'only the monitors the page asked for',
    );
    const closed = await s.next((d) => d.outages?.some((o: any) => !o.open));
    assert.equal(closed.outages[0].id, opened.outages[0].id);
  });

  test('the outages page hears manual outages opened and resolved; the healthchecks page hears pings', async () => {
    const outages = await stream(`/app/projects/${h.project.uuid}/live?outages=1`);
    const o = await createOutage(actor, {
      monitorUuid: web.uuid,
      startDate: new Date().toISOString(),
      statusCode: 500,
      description: 'by hand',
    });
    assert.equal((await outages.next((d) => d.outages?.some((x: any) => x.id === o.uuid))).outages[0].open, true);
    await resolveOutage(actor, o.uuid);
    await outages.next((d) => d.outages?.some((x: any) => x.id === o.uuid && !x.open));

    const hc = await createHealthcheck(actor, {
      name: 'nightly',
      period_value: 1,
      period_type: 'days',
      grace_period_value: 1,
      grace_period_type: 'hours',
    });
    const pings = await stream(`/app/projects/${h.project.uuid}/live?healthchecks=1`);
    await recordPing(h.ctx, hc.uuid, { kind: 'success', sourceIp: '127.0.0.1', userAgent: 'curl', body: null });
    const ping = await pings.next((d) => d.healthchecks?.length);
    assert.equal(ping.healthchecks[0].id, hc.uuid);
    assert.equal(ping.healthchecks[0].state, 'up');
    assert.ok(Math.abs(ping.healthchecks[0].lastPing - Date.now()) < 10_000);
    await recordPing(h.ctx, hc.uuid, { kind: 'fail', sourceIp: '127.0.0.1', userAgent: 'curl', body: null });
    await pings.next((d) => d.healthchecks?.some((x: any) => x.state === 'down'));
    assert.ok(
      pings.messages.every((m) => !m.data.monitors),
      'no monitor results on a page that asked for none',
    );
  });

  test("another project's results and outages never reach the stream, even asked for by id", async () => {
    const other = await h.ctx.store.db
      .selectFrom('projects')
      .select(['id', 'uuid'])
      .where('uuid', '=', h.other.uuid)
      .executeTakeFirstOrThrow();
    const foreign = await createMonitor(actorOf(h.ctx, { id: Number(other.id), uuid: other.uuid }), {
      name: 'Foreign',
      url: 'https://foreign.example.org',
    });
    const s = await stream(
      `/app/projects/${h.project.uuid}/live?monitors=${foreign.uuid},${web.uuid}&outages=1&healthchecks=1`,
    );
    const t = Date.now();
    await recordResults(h.ctx, [result(foreign, false, t), result(web, true, t)]);
    await recordResults(h.ctx, [result(foreign, false, t + 1000)]); // the foreign monitor goes down, its outage opens
    await recordResults(h.ctx, [result(web, true, t + 2000)]);
    await s.next((d) => d.monitors?.some((m: any) => m.checks.some((c: any) => c.at === t + 2000)));
    await new Promise((r) => setTimeout(r, 300));
    const text = JSON.stringify(s.messages);
    assert.ok(!text.includes(foreign.uuid), text);
    assert.ok(!/"outages"/.test(text), 'the foreign outage is not announced');
    // The other project's own stream is not the admin's to open once they are no member.
    await h.ctx.store.db.deleteFrom('project_members').where('project_id', '=', Number(other.id)).execute();
    const refused = await stream(`/app/projects/${other.uuid}/live?monitors=${foreign.uuid}`);
    assert.equal(refused.status, 404);
    assert.equal(refused.messages.length, 0);
  });

  test('signed out: no stream, a redirect to the sign-in page', async () => {
    const s = await openStream(`${h.url}/app/projects/${h.project.uuid}/live?monitors=${web.uuid}`);
    assert.equal(s.status, 303);
    assert.equal(s.headers.get('location'), '/app/login');
    assert.doesNotMatch(s.headers.get('content-type') ?? '', /event-stream/);
    const forged = await openStream(`${h.url}/app/projects/${h.project.uuid}/live`, {
      cookie: 'vigil_session=not-a-session',
    });
    assert.equal(forged.status, 303);
  });

  test('a burst is coalesced: a few messages with every check and the latest status', async () => {
    const s = await stream(`/app/projects/${h.project.uuid}/live?monitors=${web.uuid}`);
    const t = Date.now() + 10_000;
    for (let i = 0; i < 20; i++) await recordResults(h.ctx, [result(web, true, t + i, 100 + i)]);
    await s.next((d) => d.monitors?.some((m: any) => m.checks.some((c: any) => c.at === t + 19)));
    const checks = s.messages.flatMap((m) => m.data.monitors ?? []).flatMap((m: any) => m.checks.map((c: any) => c.at));
    assert.deepEqual(
      checks,
      Array.from({ length: 20 }, (_, i) => t + i),
      'every check once, in order',
    );
    assert.ok(s.messages.length < 20, `${s.messages.length} messages for 20 results`);
    const gaps = s.messages.slice(1).map((m, i) => m.at - s.messages[i].at);
    assert.ok(
      gaps.every((g) => g >= liveTiming.intervalMs - 20),
      `one message per ${liveTiming.intervalMs} ms at most: ${gaps}`,
    );
  });

  test('junk in the query changes nothing: the stream opens with what is valid', async () => {
    for (const q of [
      '?monitors=%00%ff',
      '?monitors[]=x&outages=yes',
      `?monitors=${'a'.repeat(5000)}`,
      '?healthchecks=1&healthchecks=2',
      `?monitors=${Array.from({ length: 500 }, (_, i) => `mon_${i}`).join(',')}`,
    ]) {
      const s = await stream(`/app/projects/${h.project.uuid}/live${q}`);
      assert.ok(s.status === 200 || s.status === 400, `${q}: ${s.status}`);
      s.close();
    }
    const s = await stream(`/app/projects/${h.project.uuid}/live?monitors=nope`);
    assert.equal(s.status, 200);
    const head = await fetch(`${h.url}/app/projects/${h.project.uuid}/live`, {
      method: 'HEAD',
      headers: cookie(admin),
    });
    assert.notEqual(head.status, 200);
    assert.ok(head.status < 500);
  });

  test(`at most ${MAX_STREAMS_PER_USER} streams per user; a closed one frees its place`, async () => {
    for (const s of streams.splice(0)) s.close();
    await new Promise((r) => setTimeout(r, 200)); // the server sees them close
    const path = `/app/projects/${h.project.uuid}/live?monitors=${web.uuid}`;
    const open: SseStream[] = [];
    for (let i = 0; i < MAX_STREAMS_PER_USER; i++) open.push(await stream(path));
    assert.ok(open.every((s) => s.status === 200));
    const refused = await stream(path);
    assert.equal(refused.status, 429);
    // Another member is not limited by the admin's pages.
    await createUser(h.ctx, { email: 'member@example.org', password: 'correct horse battery' });
    const member = await h.ctx.store.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', 'member@example.org')
      .executeTakeFirstOrThrow();
    await addProjectMember(h.ctx, h.project.id, member.id, 'member');
    const memberClient = await signIn(h, 'member@example.org', 'correct horse battery');
    assert.equal((await stream(path, memberClient)).status, 200);
    open[0].close();
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await stream(path)).status, 200);
  });

  test('the stream ends at the next heartbeat once the session is signed out or the member removed; comments keep it alive meanwhile', async () => {
    for (const s of streams.splice(0)) s.close();
    const saved = liveTiming.heartbeatMs;
    liveTiming.heartbeatMs = 300;
    try {
      const b = await signIn(h, 'member@example.org', 'correct horse battery');
      const kept = await stream(`/app/projects/${h.project.uuid}/live`, b);
      const removed = await stream(`/app/projects/${h.project.uuid}/live`, b);
      await new Promise((r) => setTimeout(r, 800));
      assert.ok(kept.comments >= 1, 'heartbeat comments');
      assert.equal((await b.submit(at('monitors'), '/app/logout', {})).status, 303);
      await Promise.race([
        kept.ended,
        new Promise((_, rej) => setTimeout(() => rej(new Error('stream still open after sign-out')), 3000)),
      ]);
      // Removal from the project, with the session alive.
      const c = await signIn(h, 'member@example.org', 'correct horse battery');
      const other = await stream(`/app/projects/${h.project.uuid}/live`, c);
      const member = await h.ctx.store.db
        .selectFrom('users')
        .select('uuid')
        .where('email', '=', 'member@example.org')
        .executeTakeFirstOrThrow();
      await removeMember(h.ctx, h.project.id, member.uuid);
      await Promise.race([
        other.ended,
        new Promise((_, rej) => setTimeout(() => rej(new Error('stream still open after removal')), 3000)),
      ]);
      removed.close();
    } finally {
      liveTiming.heartbeatMs = saved;
    }
  });
});

describe('beats', () => {
  test('the list shows the last 30 checks of each monitor, oldest first, with time, location and response time; the page the last 90', async () => {
    const t = Date.UTC(2026, 0, 2, 3, 4, 5);
    const batch = Array.from({ length: 95 }, (_, i) => result(web, i % 10 !== 3, t + i * 1000, 50 + i));
    await insertResultRows(
      h.ctx.store,
      h.ctx.store.db,
      batch.map((r) => ({
        monitor_id: r.monitorId,
        at: r.at,
        location: 'london',
        ok: r.ok ? 1 : 0,
        status_code: r.statusCode,
        total_ms: r.totalMs,
        dns_ms: null,
        connect_ms: null,
        tls_ms: null,
        ttfb_ms: null,
        error: r.error,
      })),
    );
    const list = await admin.get(at('monitors'));
    const row = /<tr data-monitor="([^"]+)"[^>]*>(?:(?!<\/tr>)[\s\S])*<\/tr>/g;
    const rows = new Map([...list.text.matchAll(row)].map((m) => [m[1], m[0]]));
    const beatsOf = (html: string) =>
      [...html.matchAll(/<i( class="(up|down)")?( title="([^"]*)")?><\/i>/g)].map((m) => ({
        kind: m[2] ?? 'none',
        title: m[4],
      }));
    // Web has checks newer than these (the stream tests): find the seeded ones by their date.
    const webBeats = beatsOf(rows.get(web.uuid)!);
    assert.equal(webBeats.length, 30);
    const apiBeats = beatsOf(rows.get(api.uuid)!);
    assert.equal(apiBeats.length, 30);
    assert.ok(
      apiBeats.slice(0, 26).every((b) => b.kind === 'none' && b.title === undefined),
      'grey before the first check',
    );
    assert.deepEqual(
      apiBeats.slice(26).map((b) => b.kind),
      ['down', 'down', 'up', 'up'],
    );
    assert.match(
      apiBeats[29].title!,
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC · 42 ms$/,
      "the list's tooltips: time and response time",
    );
    assert.match(apiBeats[27].title!, / UTC · failed$/);
    const rowsNoChecks = await createMonitor(actor, { name: 'Zeta new', url: 'https://zeta.example.org' });
    const fresh = await admin.get(at('monitors'));
    const zeta = [...fresh.text.matchAll(row)].find((m) => m[1] === rowsNoChecks.uuid)![0];
    assert.match(zeta, /aria-label="No checks yet"/);
    assert.match(plain(zeta), /Pending/);
    // The monitor page: 90 beats, the seeded ones with their tooltips.
    const page = await admin.get(at(`monitors/${web.uuid}`));
    const bar = /<span class="beats wide"[^>]*>[\s\S]*?<\/span><\/dd>/.exec(page.text)![0];
    const beats = beatsOf(bar);
    assert.equal(beats.length, 90);
    assert.match(bar, /role="img" aria-label="Last 90 checks: \d+ up, \d+ failed"/);
    const seeded = beats.filter((b) => b.title?.startsWith('2026-01-02'));
    assert.ok(seeded.length > 0);
    assert.ok(
      seeded.some((b) => b.title === '2026-01-02 03:04:39 UTC · london · 84 ms'),
      seeded.map((b) => b.title).join('\n'),
    );
    assert.ok(seeded.some((b) => b.kind === 'down' && / · london · failed$/.test(b.title!)));
  });
});
