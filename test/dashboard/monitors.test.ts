import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../harness.ts';
import { FormClient, csrfOf, formBody, textOf } from '../support/browser-client.ts';
import { actorOf, countQueries, plain, signIn, signedInAdmin } from '../support/dashboard-session.ts';
import { createMonitor, getMonitor, listMonitors } from '../../src/services/monitors.ts';
import { createProject } from '../../src/services/projects.ts';
import { addProjectMember, createUser } from '../../src/services/users.ts';
import { addMember } from '../../src/services/members.ts';
import { createProbe } from '../../src/services/probes.ts';
import { HOUR, bucketStart } from '../../src/domain/rollups.ts';
import { insertResultRows } from '../../src/services/results.ts';

let h: Harness;
let admin: FormClient;
const list = (uuid: string, query = '') => `/app/projects/${uuid}/monitors${query}`;
const rowsOf = (html: string) =>
  [...html.matchAll(/<td data-label="Name" class="name-cell"><a href="[^"]+">([^<]*)<\/a>/g)].map((m) => m[1]);

before(async () => {
  h = await startHarness();
  admin = await signedInAdmin(h);
  const actor = actorOf(h.ctx, h.project);
  // 120 monitors: every 10th down, every 7th paused; names sort as their numbers.
  for (let i = 1; i <= 120; i++) {
    const n = String(i).padStart(3, '0');
    await createMonitor(actor, {
      name: `Service ${n}`,
      url: `https://svc${n}.example.org/health`,
      paused: i % 7 === 0,
      regions: ['london', 'paris'],
    });
  }
  const all = await listMonitors(actor);
  const ids = all.filter((m) => Number(m.name.slice(-3)) % 10 === 0).map((m) => m.id);
  await h.ctx.store.db.updateTable('monitors').set({ status: 'down' }).where('id', 'in', ids).execute();
  // Every monitor has been checked once, two days ago, except the up ones whose number is a multiple of 9: they are pending.
  const at = Date.now() - 2 * 24 * HOUR;
  const checked = all.filter((m) => {
    const n = Number(m.name.slice(-3));
    return !(n % 9 === 0 && n % 7 !== 0 && n % 10 !== 0);
  });
  await insertResultRows(
    h.ctx.store,
    h.ctx.store.db,
    checked.map((m) => ({
      monitor_id: m.id,
      at,
      location: 'london',
      ok: 1,
      status_code: 200,
      total_ms: 80,
      dns_ms: null,
      connect_ms: null,
      tls_ms: null,
      ttfb_ms: null,
      error: null,
    })),
  );
});
after(async () => {
  await h.stop();
});

describe('dashboard monitors list', () => {
  test('pages 50 monitors at a time, by name, with counts per status', async () => {
    const first = await admin.get(list(h.project.uuid));
    assert.equal(first.status, 200);
    const names = rowsOf(first.text);
    assert.equal(names.length, 50);
    assert.equal(names[0], 'Service 001');
    assert.equal(names[49], 'Service 050');
    assert.match(plain(first.text), /Page 1 of 3 · 120 monitors/);
    // 120 in all; 17 paused (7, 14, … 119); down: the 12 tens minus the paused 70 → 11; pending: the never-checked
    // multiples of 9 that are neither paused nor down (9, 18, … 117 without 63 and 90) → 11; up: the rest.
    for (const [label, n] of [
      ['All', 120],
      ['Up', 81],
      ['Down', 11],
      ['Pending', 11],
      ['Paused', 17],
    ] as const) {
      assert.match(plain(first.text), new RegExp(`${label} ${n}\\b`), label);
    }
    const third = await admin.get(list(h.project.uuid, '?page=3'));
    assert.deepEqual(rowsOf(third.text).slice(0, 2), ['Service 101', 'Service 102']);
    assert.equal(rowsOf(third.text).length, 20);
    assert.match(third.text, /rel="prev" href="[^"]+monitors\?page=2"/);
    // Out-of-range and junk pages land on a real page.
    assert.deepEqual(rowsOf((await admin.get(list(h.project.uuid, '?page=99'))).text), rowsOf(third.text));
    assert.equal(rowsOf((await admin.get(list(h.project.uuid, '?page=abc&status=bogus'))).text)[0], 'Service 001');
  });

  test('searches name and URL, and filters by status, the two together', async () => {
    const search = await admin.get(list(h.project.uuid, '?q=service%2007'));
    assert.deepEqual(rowsOf(search.text), [
      'Service 070',
      'Service 071',
      'Service 072',
      'Service 073',
      'Service 074',
      'Service 075',
      'Service 076',
      'Service 077',
      'Service 078',
      'Service 079',
    ]);
    assert.match(search.text, /value="service 07"/);
    const byUrl = await admin.get(list(h.project.uuid, '?q=SVC119.example'));
    assert.deepEqual(rowsOf(byUrl.text), ['Service 119']);
    const down = await admin.get(list(h.project.uuid, '?status=down'));
    assert.equal(rowsOf(down.text).length, 11);
    assert.ok(rowsOf(down.text).every((n) => n.endsWith('0')));
    assert.match(down.text, /aria-current="true">Down/);
    const paused = await admin.get(list(h.project.uuid, '?status=paused&q=service%2001'));
    assert.deepEqual(rowsOf(paused.text), ['Service 014']);
    // Never checked: Pending, never Up, in the list and on its page.
    const pending = await admin.get(list(h.project.uuid, '?status=pending&q=service%2001'));
    assert.deepEqual(rowsOf(pending.text), ['Service 018']);
    assert.match(
      pending.text,
      /<span class="state state-pending"><span class="dot" aria-hidden="true"><\/span>Pending<\/span>/,
    );
    const up = await admin.get(list(h.project.uuid, '?status=up&q=service%2001'));
    assert.ok(!rowsOf(up.text).includes('Service 018'));
    const m18 = (await listMonitors(actorOf(h.ctx, h.project))).find((x) => x.name === 'Service 018')!;
    const pagePending = await admin.get(`/app/projects/${h.project.uuid}/monitors/${m18.uuid}`);
    assert.match(pagePending.text, /id="current-status"><span class="state state-pending">/);
    // LIKE wildcards in the search are plain characters.
    assert.match(plain((await admin.get(list(h.project.uuid, '?q=%25'))).text), /No monitor matches “%”/);
    assert.match(plain((await admin.get(list(h.project.uuid, '?q=_'))).text), /No monitor matches “_”/);
  });

  test('shows the last response time, the 24 h uptime and a sparkline from hourly rollups', async () => {
    const m = (await listMonitors(actorOf(h.ctx, h.project))).find((x) => x.name === 'Service 002')!;
    const now = Date.now();
    const hour = bucketStart(now, HOUR);
    await h.ctx.store.db
      .insertInto('check_rollups')
      .values([
        {
          monitor_id: m.id,
          granularity: 'hour',
          bucket: hour - 2 * HOUR,
          location: 'london',
          checks: 60,
          failures: 0,
          sum_ms: 6000,
          min_ms: 80,
          max_ms: 120,
          h0: 0,
          h1: 60,
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
        },
        {
          monitor_id: m.id,
          granularity: 'hour',
          bucket: hour - HOUR,
          location: 'london',
          checks: 60,
          failures: 3,
          sum_ms: 11400,
          min_ms: 150,
          max_ms: 250,
          h0: 0,
          h1: 0,
          h2: 57,
          h3: 0,
          h4: 0,
          h5: 0,
          h6: 0,
          h7: 0,
          h8: 0,
          h9: 0,
          h10: 0,
          h11: 0,
        },
        // Older than 24 hours: not in the figure.
        {
          monitor_id: m.id,
          granularity: 'hour',
          bucket: hour - 30 * HOUR,
          location: 'london',
          checks: 60,
          failures: 60,
          sum_ms: 0,
          min_ms: null,
          max_ms: null,
          h0: 0,
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
        },
      ])
      .execute();
    await insertResultRows(h.ctx.store, h.ctx.store.db, [
      {
        monitor_id: m.id,
        at: now - 120_000,
        location: 'london',
        ok: 1,
        status_code: 200,
        total_ms: 99,
        dns_ms: 5,
        connect_ms: 10,
        tls_ms: 20,
        ttfb_ms: 50,
        error: null,
      },
      {
        monitor_id: m.id,
        at: now - 60_000,
        location: 'london',
        ok: 1,
        status_code: 200,
        total_ms: 187,
        dns_ms: 5,
        connect_ms: 10,
        tls_ms: 20,
        ttfb_ms: 140,
        error: null,
      },
    ]);
    const page = await admin.get(list(h.project.uuid));
    const tr = /<tr[ >](?:(?!<\/tr>)[\s\S])*Service 002(?:(?!<\/tr>)[\s\S])*<\/tr>/.exec(page.text)![0];
    assert.match(plain(tr), /187 ms/);
    assert.match(plain(tr), /97\.50%/); // 117 of 120 checks in the last 24 hours
    const spark = /<svg class="spark"[^>]*aria-label="([^"]+)"[^>]*><path[^>]* d="([^"]+)"/.exec(tr)!;
    assert.match(spark[1], /Response time of Service 002, last 24 hours: mean 150 ms/);
    assert.equal(spark[2].split(/[ML]/).filter(Boolean).length, 2, 'two hourly points');
    const other = /<tr[ >](?:(?!<\/tr>)[\s\S])*Service 009(?:(?!<\/tr>)[\s\S])*<\/tr>/.exec(page.text)![0];
    assert.match(
      plain(other),
      /local — — No data/,
      'checked from the built-in probe (no regional probe): not its regions',
    );
    assert.match(other, /No data/);
  });

  test('the page costs the same number of queries with 10 monitors as with 100', async () => {
    const small = await createProject(h.ctx, 'Small');
    const large = await createProject(h.ctx, 'Large');
    const user = (await h.ctx.store.db.selectFrom('users').select('id').executeTakeFirstOrThrow()).id;
    for (const [p, n] of [
      [small, 10],
      [large, 100],
    ] as const) {
      await addProjectMember(h.ctx, p.id, user, 'owner');
      const rows = Array.from({ length: n }, (_, i) => i);
      for (const i of rows) await createMonitor(actorOf(h.ctx, p), { name: `m${i}`, url: `https://m${i}.example.org` });
    }
    const counter = countQueries(h.ctx);
    try {
      const counts: number[] = [];
      for (const p of [small, large, small, large]) {
        await admin.get(list(p.uuid)); // warm (sessions' last-seen writes are throttled)
        counter.reset();
        const res = await admin.get(list(p.uuid));
        assert.equal(res.status, 200);
        counts.push(counter.count);
      }
      assert.equal(counts[0], counts[1], `10 monitors: ${counts[0]} queries, 100 monitors: ${counts[1]}`);
      assert.equal(counts[2], counts[3]);
      // 6 for the page (session, project, counts, live probes, the page's rows, their rollups and latest checks as one statement), 3 for the alerting banner's check (checks, policies in use, enabled channels).
      assert.ok(counts[0] <= 9, `${counts[0]} queries`);
    } finally {
      counter.restore();
    }
  });
});

describe('dashboard monitors list: order, bulk actions, where checks run', () => {
  const names = async (query: string) => rowsOf((await admin.get(list(h.project.uuid, query))).text);
  const n = (k: number) => `Service ${String(k).padStart(3, '0')}`;

  test('sorts by status (down, pending, up, paused), name, last response and uptime, either way, through links in the column headers', async () => {
    const byName = new Map((await listMonitors(actorOf(h.ctx, h.project))).map((m) => [m.name, m]));
    const now = Date.now();
    const result = (name: string, ok: boolean, ms: number | null) => ({
      monitor_id: byName.get(name)!.id,
      at: now - 30_000,
      location: 'london',
      ok: ok ? 1 : 0,
      status_code: ok ? 200 : 503,
      total_ms: ms,
      dns_ms: null,
      connect_ms: null,
      tls_ms: null,
      ttfb_ms: null,
      error: ok ? null : 'expected 2xx, got 503',
    });
    await insertResultRows(h.ctx.store, h.ctx.store.db, [result(n(5), true, 900), result(n(6), false, 40)]);
    const hour = bucketStart(now, HOUR);
    const rollup = (name: string, checks: number, failures: number) => ({
      monitor_id: byName.get(name)!.id,
      granularity: 'hour' as const,
      bucket: hour,
      location: 'paris',
      checks,
      failures,
      sum_ms: 0,
      min_ms: null,
      max_ms: null,
      h0: 0,
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
      .values([rollup(n(3), 10, 5), rollup(n(4), 10, 0)])
      .execute();

    const down = [10, 20, 30, 40, 50, 60, 80, 90, 100, 110, 120].map(n);
    const pending = [9, 18, 27, 36, 45, 54, 72, 81, 99, 108, 117].map(n);
    const byStatus = await names('?sort=status&dir=asc');
    assert.deepEqual(byStatus.slice(0, 22), [...down, ...pending], 'down, then pending, each by name');
    assert.equal(byStatus[22], n(1), 'then up');
    assert.deepEqual((await names('?sort=status&dir=desc')).slice(0, 3), [n(7), n(14), n(21)], 'paused first');
    assert.deepEqual((await names('?sort=name&dir=desc')).slice(0, 2), [n(120), n(119)]);
    // Last response: the slowest first; a failed last check and never-checked monitors come last, either way.
    assert.equal((await names('?sort=response&dir=desc'))[0], n(5));
    const lastPage = await names('?sort=response&dir=desc&page=3');
    assert.deepEqual(lastPage.slice(-12), [n(6), ...pending]);
    assert.deepEqual((await names('?sort=response&dir=asc&page=3')).slice(-12), [n(6), ...pending]);
    // Uptime over 24 hours (Service 002 has 97.5% from the test above): lowest first, no checks last.
    assert.deepEqual((await names('?q=service%2000&sort=uptime&dir=asc')).slice(0, 4), [n(3), n(2), n(4), n(1)]);
    assert.deepEqual((await names('?q=service%2000&sort=uptime&dir=desc')).slice(0, 4), [n(4), n(2), n(3), n(1)]);

    // The headers link to each order; the current one is marked and its link turns it around.
    const page = await admin.get(list(h.project.uuid, '?sort=uptime&dir=asc&status=up&q=service'));
    assert.match(
      page.text,
      /<th scope="col" class="num" aria-sort="ascending"><a href="[^"]+monitors\?q=service&amp;status=up&amp;sort=uptime&amp;dir=desc">Uptime 24 h/,
    );
    assert.match(
      page.text,
      /<th scope="col"><a href="[^"]+monitors\?q=service&amp;status=up&amp;sort=status&amp;dir=asc">Status<\/a><\/th>/,
    );
    assert.match(
      page.text,
      /<a href="[^"]+monitors\?q=service&amp;status=up&amp;sort=response&amp;dir=desc">Last response<\/a>/,
      'the slowest first on the first click',
    );
    // Paging, the status filter and the search keep the order.
    assert.match(
      page.text,
      /rel="next" href="[^"]+monitors\?q=service&amp;status=up&amp;sort=uptime&amp;dir=asc&amp;page=2"/,
    );
    assert.match(page.text, /href="[^"]+monitors\?q=service&amp;status=down&amp;sort=uptime&amp;dir=asc"[^>]*>Down/);
    const search = /<form class="search"[\s\S]*?<\/form>/.exec(page.text)![0];
    assert.match(
      search,
      /<input type="hidden" name="sort" value="uptime"><input type="hidden" name="dir" value="asc">/,
    );
    // Unknown orders read as the default: by name, ascending; never an error.
    for (const q of ['?sort=bogus&dir=sideways', '?sort=&dir=', '?sort[]=x', '?sort=name%00&dir=desc%00']) {
      const res = await admin.get(list(h.project.uuid, q));
      assert.equal(res.status, 200, q);
      assert.equal(rowsOf(res.text)[0], n(1), q);
    }
  });

  test('the sorted page costs the same number of queries with 10 monitors as with 100', async () => {
    const user = (await h.ctx.store.db.selectFrom('users').select('id').executeTakeFirstOrThrow()).id;
    const projects = [];
    for (const k of [10, 100]) {
      const p = await createProject(h.ctx, `Sorted ${k}`);
      await addProjectMember(h.ctx, p.id, user, 'owner');
      for (let i = 0; i < k; i++)
        await createMonitor(actorOf(h.ctx, p), { name: `m${i}`, url: `https://m${i}.example.org` });
      projects.push(p);
    }
    const counter = countQueries(h.ctx);
    try {
      for (const sort of ['status', 'response', 'uptime']) {
        const counts: number[] = [];
        for (const p of projects) {
          await admin.get(list(p.uuid, `?sort=${sort}`));
          counter.reset();
          assert.equal((await admin.get(list(p.uuid, `?sort=${sort}&dir=desc`))).status, 200);
          counts.push(counter.count);
        }
        assert.equal(counts[0], counts[1], `${sort}: ${counts.join(' vs ')}`);
        assert.ok(counts[0] <= 9, `${sort}: ${counts[0]} queries`);
      }
    } finally {
      counter.restore();
    }
  });

  test("bulk pause, resume and delete of the ticked monitors, by owners and members; delete asks on a second screen; other projects' monitors are left alone", async () => {
    const p = await createProject(h.ctx, 'Bulk');
    const user = (await h.ctx.store.db.selectFrom('users').select('id').executeTakeFirstOrThrow()).id;
    await addProjectMember(h.ctx, p.id, user, 'owner');
    const actor = actorOf(h.ctx, p);
    const ms = [];
    for (let i = 1; i <= 4; i++)
      ms.push(await createMonitor(actor, { name: `Bulk ${i}`, url: `https://bulk${i}.example.org` }));
    const otherProject = await h.ctx.store.db
      .selectFrom('projects')
      .selectAll()
      .where('uuid', '=', h.other.uuid)
      .executeTakeFirstOrThrow();
    const foreign = await createMonitor(actorOf(h.ctx, otherProject), {
      name: 'Not yours',
      url: 'https://foreign-bulk.example.org',
    });
    const path = list(p.uuid);
    const paused = async () =>
      (await listMonitors(actor))
        .filter((m) => m.paused)
        .map((m) => m.name)
        .sort();

    const page = await admin.get(`${path}?sort=name&dir=desc`);
    assert.match(
      page.text,
      new RegExp(`<form id="bulk-monitors" method="post" action="${path}/bulk" class="bulk-actions">`),
    );
    assert.match(
      page.text,
      new RegExp(
        `<input type="checkbox" name="monitor" value="${ms[0].uuid}" form="bulk-monitors" aria-label="Select Bulk 1">`,
      ),
    );
    assert.match(
      page.text,
      /<input type="hidden" name="sort" value="name"><input type="hidden" name="dir" value="desc">/,
      'the order rides along',
    );
    const token = csrfOf(page.text);
    const bulk = (fields: Record<string, string>, chosen: string[]) =>
      admin.request(
        'POST',
        `${path}/bulk`,
        formBody(
          { _csrf: token, sort: 'name', dir: 'desc', ...fields },
          chosen.map((u) => ['monitor', u]),
        ),
      );

    const pause = await bulk({ action: 'pause' }, [ms[0].uuid, ms[2].uuid, foreign.uuid, 'mon_unknown', 'x\u0000y']);
    assert.equal(pause.status, 303);
    assert.equal(pause.location, `${path}?sort=name&dir=desc&done=bulk-paused`);
    assert.deepEqual(await paused(), ['Bulk 1', 'Bulk 3']);
    assert.equal((await getMonitor(actorOf(h.ctx, otherProject), foreign.uuid)).paused, false);
    assert.match(plain((await admin.get(pause.location!)).text), /The selected monitors are paused/);
    assert.equal(
      (await bulk({ action: 'resume' }, [ms[0].uuid])).location,
      `${path}?sort=name&dir=desc&done=bulk-resumed`,
    );
    assert.deepEqual(await paused(), ['Bulk 3']);

    // Nothing ticked, an unknown action, a forged form: nothing changes, and never a 500.
    assert.equal((await bulk({ action: 'pause' }, [])).location, `${path}?sort=name&dir=desc&done=none-selected`);
    assert.equal(
      (await bulk({ action: 'delete' }, [foreign.uuid])).location,
      `${path}?sort=name&dir=desc&done=none-selected`,
    );
    const unknown = await bulk({ action: 'explode' }, [ms[1].uuid]);
    assert.equal(unknown.status, 422);
    assert.match(plain(unknown.text), /Choose what to do with the selected monitors: pause, resume or delete/);
    const tooMany = await bulk(
      { action: 'pause' },
      Array.from({ length: 201 }, (_, i) => `mon_${i}`),
    );
    assert.equal(tooMany.status, 422);
    assert.match(plain(tooMany.text), /At most 200 monitors at once/);
    assert.equal(
      (await admin.request('POST', `${path}/bulk`, formBody({ action: 'pause' }, [['monitor', ms[1].uuid]]))).status,
      403,
    );
    assert.deepEqual(await paused(), ['Bulk 3']);

    // Delete: a second screen names the ticked monitors of this project; only its button deletes.
    const confirm = await bulk({ action: 'delete' }, [ms[1].uuid, ms[3].uuid, foreign.uuid]);
    assert.equal(confirm.status, 200);
    assert.match(plain(confirm.text), /Delete 2 monitors/);
    assert.match(plain(confirm.text), /Bulk 2 https:\/\/bulk2\.example\.org Bulk 4/);
    assert.doesNotMatch(confirm.text, /Not yours/);
    assert.match(confirm.text, new RegExp(`<a class="button" href="${path}\\?sort=name&amp;dir=desc">Cancel</a>`));
    assert.equal((await listMonitors(actor)).length, 4, 'nothing deleted yet');
    const form = /<form method="post" action="([^"]+\/bulk\/delete)">([\s\S]*?)<\/form>/.exec(confirm.text)!;
    const fields = [...form[2].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map(
      (m) => [m[1], m[2]] as [string, string],
    );
    const deleted = await admin.request('POST', form[1], formBody({}, [...fields, ['monitor', foreign.uuid]]));
    assert.equal(deleted.status, 303);
    assert.equal(deleted.location, `${path}?sort=name&dir=desc&done=bulk-deleted`);
    assert.deepEqual((await listMonitors(actor)).map((m) => m.name).sort(), ['Bulk 1', 'Bulk 3']);
    assert.equal((await getMonitor(actorOf(h.ctx, otherProject), foreign.uuid)).name, 'Not yours');

    // A member pauses and deletes monitors as an owner does (domain/roles.ts: monitors and pages).
    await createUser(h.ctx, { email: 'member@example.org', password: 'member password 1' });
    await addMember(h.ctx, p.id, { email: 'member@example.org', role: 'member' });
    const member = await signIn(h, 'member@example.org', 'member password 1');
    const memberToken = csrfOf((await member.get(path)).text);
    const res = await member.request(
      'POST',
      `${path}/bulk`,
      formBody({ _csrf: memberToken, action: 'pause' }, [['monitor', ms[0].uuid]]),
    );
    assert.equal(res.status, 303);
    assert.deepEqual(await paused(), ['Bulk 1', 'Bulk 3']);
    const gone = await member.request(
      'POST',
      `${path}/bulk/delete`,
      formBody({ _csrf: memberToken }, [['monitor', ms[2].uuid]]),
    );
    assert.equal(gone.status, 303);
    assert.deepEqual(
      (await listMonitors(actor)).map((m) => m.name),
      ['Bulk 1'],
    );
  });

  test('the list and the monitor page say where checks run: this server (VIGIL_REGION) for regions without a live regional probe, and the live probes', async () => {
    const p = await createProject(h.ctx, 'Where');
    const user = (await h.ctx.store.db.selectFrom('users').select('id').executeTakeFirstOrThrow()).id;
    await addProjectMember(h.ctx, p.id, user, 'owner');
    const actor = actorOf(h.ctx, p);
    const everywhere = await createMonitor(actor, { name: 'Everywhere', url: 'https://everywhere.example.org' });
    const frankfurt = await createMonitor(actor, {
      name: 'Frankfurt only',
      url: 'https://fra.example.org',
      regions: ['frankfurt'],
    });
    const checkedFrom = async (m: { uuid: string }) =>
      plain(/id="checked-from">([\s\S]*?)<\/dd>/.exec((await admin.get(`${list(p.uuid)}/${m.uuid}`)).text)![1]).trim();
    const column = async () =>
      [
        ...(await admin.get(list(p.uuid))).text.matchAll(
          /<td data-label="Checked from" title="([^"]+)">([^<]*)<\/td>/g,
        ),
      ].map((m) => [m[2], m[1]]);

    assert.deepEqual(await column(), [
      ['local', 'Regions: all 18'],
      ['local', 'Regions: frankfurt'],
    ]);
    assert.match(await checkedFrom(everywhere), /^local \(this server\) Regions set: all 18;/);
    assert.doesNotMatch((await admin.get(`${list(p.uuid)}/${everywhere.uuid}`)).text, /All 18 regions/);

    // A frankfurt probe, once live, checks its region; the built-in probe keeps the others.
    const probe = await createProbe(h.ctx, { projectUuid: p.uuid, region: 'frankfurt', actor: 'test' });
    assert.deepEqual(
      (await column()).map((c) => c[0]),
      ['local', 'local'],
      'not live yet',
    );
    await h.ctx.store.db.updateTable('probes').set({ last_seen_at: Date.now() }).where('id', '=', probe.id).execute();
    assert.deepEqual(
      (await column()).map((c) => c[0]),
      ['local, frankfurt', 'frankfurt'],
    );
    assert.match(await checkedFrom(everywhere), /^local \(this server\), frankfurt \(regional probe\)/);
    assert.match(await checkedFrom(frankfurt), /^frankfurt \(regional probe\) Regions set: frankfurt;/);
  });
});

describe('dashboard monitor create, edit, pause, resume, delete', () => {
  const monitorsPath = () => list(h.project.uuid);

  test('a refused create shows the API message beside its field and keeps the input; a valid one is created', async () => {
    const form = await admin.get(`${monitorsPath()}/new`);
    assert.equal(form.status, 200);
    for (const label of [
      'Name',
      'Check type',
      'URL or host',
      'Method',
      'Expected status',
      'Port',
      'Record type',
      'Check every',
      'Timeout (seconds)',
      'Alert',
    ]) {
      assert.match(form.text, new RegExp(`<label for="f-[a-z_]+">${label.replace(/[()]/g, '\\$&')}</label>`), label);
    }
    const before = (await listMonitors(actorOf(h.ctx, h.project))).length;
    const base = {
      _csrf: csrfOf(form.text),
      protocol: 'http',
      http_method: 'GET',
      expected_status_code: '2xx',
      check_frequency: '60',
      timeout: '10',
      alerts_wait: '0',
    };
    const badUrl = await admin.request(
      'POST',
      monitorsPath(),
      new URLSearchParams({ ...base, name: 'Shop <b>', url: 'not a url', regions: 'london' }).toString(),
    );
    assert.equal(badUrl.status, 422);
    assert.equal(textOf(badUrl.text, 'f-url-error'), 'Invalid URL'); // the API's message
    assert.match(badUrl.text, /id="f-url"[^>]*aria-invalid="true"/);
    assert.match(badUrl.text, /value="Shop &lt;b&gt;"/);

    const noPort = await admin.request(
      'POST',
      monitorsPath(),
      new URLSearchParams({
        ...base,
        name: 'db',
        url: 'db.example.org',
        protocol: 'port',
        regions: 'london',
      }).toString(),
    );
    assert.equal(textOf(noPort.text, 'f-port-error'), 'port is required for port monitors');
    const noRegion = await admin.request(
      'POST',
      monitorsPath(),
      new URLSearchParams({ ...base, name: 'db', url: 'https://example.org' }).toString(),
    );
    assert.equal(textOf(noRegion.text, 'f-regions-error'), 'regions must be a non-empty list of regions');
    const badCode = await admin.post(monitorsPath(), {
      ...base,
      name: 'x',
      url: 'https://example.org',
      expected_status_code: '299x',
      regions: 'paris',
    });
    assert.equal(
      textOf(badCode.text, 'f-expected_status_code-error'),
      'expected_status_code must be a status code (200), a class (2xx) or a range (1xx-3xx)',
    );
    const badHeader = await admin.post(monitorsPath(), {
      ...base,
      name: 'x',
      url: 'https://example.org',
      request_headers: 'Host: evil',
      regions: 'paris',
    });
    assert.equal(textOf(badHeader.text, 'f-request_headers-error'), 'request header Host cannot be set');
    const blank = await admin.post(monitorsPath(), {
      ...base,
      name: '  ',
      url: 'https://example.org',
      regions: 'paris',
    });
    assert.equal(textOf(blank.text, 'f-name-error'), 'name must not be empty');
    assert.equal((await listMonitors(actorOf(h.ctx, h.project))).length, before, 'nothing was created');

    const body = new URLSearchParams({
      ...base,
      name: 'Shop',
      url: 'https://shop.example.org/health',
      follow_redirects: 'on',
      request_headers: 'X-Probe: vigil\nAccept: text/html',
    });
    body.append('regions', 'london');
    body.append('regions', 'tokyo');
    const ok = await admin.request('POST', monitorsPath(), body.toString());
    assert.equal(ok.status, 303);
    const uuid = /monitors\/(mon_[A-Za-z0-9]+)\?done=created$/.exec(ok.location!)![1];
    const m = await getMonitor(actorOf(h.ctx, h.project), uuid);
    assert.deepEqual(
      [m.name, m.url, m.regions, m.follow_redirects, m.request_headers],
      [
        'Shop',
        'https://shop.example.org/health',
        ['london', 'tokyo'],
        true,
        [
          { name: 'X-Probe', value: 'vigil' },
          { name: 'Accept', value: 'text/html' },
        ],
      ],
    );
    const shown = await admin.get(ok.location!);
    assert.equal(shown.status, 200);
    assert.match(shown.text, /role="status">The monitor was created/);
  });

  test('edit shows the current values and saves through the same rules', async () => {
    const m = await createMonitor(actorOf(h.ctx, h.project), {
      name: 'Edit me',
      url: 'https://edit.example.org',
      regions: ['paris'],
      check_frequency: 300,
    });
    const path = `${monitorsPath()}/${m.uuid}/edit`;
    const form = await admin.get(path);
    assert.match(form.text, /id="f-name" name="name" type="text" value="Edit me"/);
    assert.match(form.text, /<option value="300" selected>5 minutes<\/option>/);
    assert.match(form.text, /name="regions" value="paris" checked/);
    const fields = {
      _csrf: csrfOf(form.text),
      name: 'Edited',
      url: 'edit.example.org',
      protocol: 'dns',
      dns_record_type: 'AAAA',
      dns_nameserver: '1.1.1.1',
      check_frequency: '600',
      timeout: '5',
      alerts_wait: '-1',
      regions: 'paris',
    };
    const bad = await admin.post(path, { ...fields, dns_nameserver: 'not a server!' });
    assert.equal(bad.status, 422);
    assert.match(textOf(bad.text, 'f-dns_nameserver-error')!, /^dns_nameserver must be an IP address/);
    assert.equal((await getMonitor(actorOf(h.ctx, h.project), m.uuid)).name, 'Edit me');
    const ok = await admin.post(path, fields);
    assert.equal(ok.status, 303);
    assert.match(ok.location!, /\?done=saved$/);
    const after = await getMonitor(actorOf(h.ctx, h.project), m.uuid);
    assert.deepEqual(
      [
        after.name,
        after.protocol,
        after.dns_record_type,
        after.dns_nameserver,
        after.check_frequency,
        after.timeout,
        after.alerts_wait,
      ],
      ['Edited', 'dns', 'AAAA', '1.1.1.1', 600, 5, -1],
    );
  });

  test('the form sets the IP version and the certificate and domain expiry notices; the page shows the domain expiry', async () => {
    const m = await createMonitor(actorOf(h.ctx, h.project), {
      name: 'Expiry',
      url: 'https://expiry.example.org',
      regions: ['paris'],
      paused: true,
    });
    const path = `${monitorsPath()}/${m.uuid}/edit`;
    const form = await admin.get(path);
    for (const label of ['IP version', 'Certificate expiry notice', 'Domain expiry notice'])
      assert.match(form.text, new RegExp(`<label for="f-[a-z_]+">${label}</label>`), label);
    assert.match(form.text, /<option value="30" selected>30 days before<\/option>/);
    assert.match(form.text, /name="ssl_reminders" checked/);
    const fields = {
      _csrf: csrfOf(form.text),
      name: 'Expiry',
      url: 'https://expiry.example.org',
      protocol: 'http',
      http_method: 'GET',
      expected_status_code: '2xx',
      check_frequency: '60',
      timeout: '10',
      alerts_wait: '0',
      regions: 'paris',
      ip_version: '6',
      ssl_alert_days: '7',
      ssl_notify_on_change: 'on',
      domain_alert_days: '30',
    };
    const ok = await admin.post(path, fields);
    assert.equal(ok.status, 303, ok.text);
    const after = await getMonitor(actorOf(h.ctx, h.project), m.uuid);
    assert.deepEqual(
      [
        after.ip_version,
        after.ssl_alert_days,
        after.ssl_reminders,
        after.ssl_notify_on_change,
        after.domain_alert_days,
      ],
      [6, 7, false, true, 30],
    );
    const bad = await admin.post(path, {
      ...fields,
      url: 'https://[2001:db8::1]/',
      ip_version: '6',
      domain_alert_days: '45',
    });
    assert.equal(bad.status, 422);
    assert.equal(
      textOf(bad.text, 'f-domain_alert_days-error'),
      'domain_alert_days must be one of -1, 7, 14, 30, 60, 90',
    );
    // An IP address in the URL decides the IP version: the form's choice is not sent against it.
    const literal = await admin.post(path, { ...fields, url: 'https://[2001:db8::1]/', ip_version: '4' });
    assert.equal(literal.status, 303, literal.text);
    assert.equal((await getMonitor(actorOf(h.ctx, h.project), m.uuid)).ip_version, 6);

    await h.ctx.store.db.updateTable('monitors').set({ domain_expiration: 12 }).where('uuid', '=', m.uuid).execute();
    const page = await admin.get(`${monitorsPath()}/${m.uuid}`);
    assert.match(plain(/id="domain-expiry">([\s\S]*?)<\/dd>/.exec(page.text)![1]), /Registration expires in 12 days/);
  });

  test('pause and resume from the monitor page', async () => {
    const m = await createMonitor(actorOf(h.ctx, h.project), { name: 'Pausable', url: 'https://pause.example.org' });
    const path = `${monitorsPath()}/${m.uuid}`;
    const page = await admin.get(path);
    assert.match(page.text, /action="[^"]+\/pause"/);
    const paused = await admin.post(`${path}/pause`, { _csrf: csrfOf(page.text) });
    assert.equal(paused.status, 303);
    assert.equal((await getMonitor(actorOf(h.ctx, h.project), m.uuid)).paused, true);
    const again = await admin.get(paused.location!);
    assert.match(again.text, /The monitor is paused/);
    assert.match(plain(/id="current-status">([\s\S]*?)<\/dd>/.exec(again.text)![1]), /^ ?Paused/);
    assert.match(again.text, /action="[^"]+\/resume"/);
    await admin.post(`${path}/resume`, { _csrf: csrfOf(again.text) });
    assert.equal((await getMonitor(actorOf(h.ctx, h.project), m.uuid)).paused, false);
  });

  test("delete asks first, needs the CSRF token, and another project's monitor is 404", async () => {
    const m = await createMonitor(actorOf(h.ctx, h.project), { name: 'Doomed', url: 'https://doomed.example.org' });
    const path = `${monitorsPath()}/${m.uuid}`;
    const confirm = await admin.get(`${path}/delete`);
    assert.equal(confirm.status, 200);
    assert.match(plain(confirm.text), /Delete Doomed/);
    const forged = await admin.post(`${path}/delete`, { _csrf: 'forged' });
    assert.equal(forged.status, 403);
    const none = await admin.request('POST', `${path}/delete`, '');
    assert.equal(none.status, 403);
    assert.equal((await getMonitor(actorOf(h.ctx, h.project), m.uuid)).name, 'Doomed');
    const done = await admin.post(`${path}/delete`, { _csrf: csrfOf(confirm.text) });
    assert.equal(done.status, 303);
    assert.match(done.location!, /monitors\?done=deleted$/);
    assert.equal((await admin.get(path)).status, 404);

    // The other project's monitor, through this project's path or its own (the admin is not a member of it).
    const otherProject = await h.ctx.store.db
      .selectFrom('projects')
      .selectAll()
      .where('uuid', '=', h.other.uuid)
      .executeTakeFirstOrThrow();
    const foreign = await createMonitor(actorOf(h.ctx, otherProject), {
      name: 'Foreign',
      url: 'https://foreign.example.org',
    });
    const user = (await h.ctx.store.db.selectFrom('users').select('id').executeTakeFirstOrThrow()).id;
    await h.ctx.store.db
      .deleteFrom('project_members')
      .where('project_id', '=', otherProject.id)
      .where('user_id', '=', user)
      .execute();
    const token = csrfOf(confirm.text);
    for (const p of [
      `${monitorsPath()}/${foreign.uuid}`,
      `${monitorsPath()}/${foreign.uuid}/edit`,
      `${monitorsPath()}/${foreign.uuid}/delete`,
      `/app/projects/${h.other.uuid}/monitors`,
      `/app/projects/${h.other.uuid}/monitors/${foreign.uuid}`,
      `${monitorsPath()}/mon_unknown`,
      `${monitorsPath()}/${'x'.repeat(90)}`,
    ]) {
      const res = await admin.get(p);
      assert.equal(res.status, 404, p);
      assert.match(res.text, /Page not found/);
    }
    for (const action of ['delete', 'pause', 'resume', 'edit']) {
      const res = await admin.post(`${monitorsPath()}/${foreign.uuid}/${action}`, {
        _csrf: token,
        name: 'hijacked',
        url: 'https://x.example.org',
        regions: 'paris',
      });
      assert.equal(res.status, 404, action);
    }
    const still = await getMonitor(actorOf(h.ctx, otherProject), foreign.uuid);
    assert.deepEqual([still.name, still.paused], ['Foreign', false]);
  });

  test('monitor names and URLs are escaped in the list and on the page', async () => {
    const m = await createMonitor(actorOf(h.ctx, h.project), {
      name: '<img src=x onerror=alert(1)>',
      url: 'https://example.org/?a="><script>alert(1)</script>',
    });
    for (const path of [
      list(h.project.uuid, '?q=img'),
      `${monitorsPath()}/${m.uuid}`,
      `${monitorsPath()}/${m.uuid}/edit`,
    ]) {
      const page = await admin.get(path);
      assert.equal(page.status, 200, path);
      assert.ok(!page.text.includes('<img src=x'), path);
      assert.ok(!page.text.includes('<script>alert'), path);
      assert.ok(page.text.includes('&lt;img src=x onerror=alert(1)&gt;'), path);
    }
  });

  test('signed-out visitors are sent to the sign-in page', async () => {
    const res = await new FormClient(h.url).get(list(h.project.uuid));
    assert.equal(res.status, 303);
    assert.equal(res.location, '/app/login');
  });
});
