import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../harness.ts';
import { monitorsUnderMaintenance } from '../../src/services/maintenance.ts';
import { createProject } from '../../src/services/projects.ts';
import { createApiKey } from '../../src/services/api-keys.ts';

let h: Harness;
let frozen: number | null = null;
const clock = () => frozen ?? Date.now();
before(async () => {
  h = await startHarness({ clock });
  await makePages();
});
after(async () => {
  await h.stop();
});

/** Real status pages of the project (incidents and maintenance may only name those). */
const SP: Record<string, string> = {};
async function makePages() {
  for (const k of ['p0', 'p1']) {
    SP[k] = (await h.request('POST', '/v2/statuspages', { body: { name: `page ${k}` } })).body.statuspage.uuid;
  }
}

const H = 3_600_000;
const MW = /^mw_[A-Za-z0-9]{14}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const GET_KEYS = [
  'uuid',
  'name',
  'title',
  'text',
  'start_date',
  'end_date',
  'timezone',
  'monitors',
  'statuspages',
  'bulkUuid',
  'createdBy',
  'createdAt',
  'notificationOption',
  'notificationMinutes',
  'updates',
  'createdByProfilePictureUrl',
  'createdBySsoPictureUrl',
  'scheduledNotificationStatus',
  'scheduledNotificationSentAt',
  'scheduledNotificationBreakdown',
  'status',
];
const LIST_KEYS = [
  'uuid',
  'bulkUuid',
  'name',
  'title',
  'text',
  'start_date',
  'end_date',
  'timezone',
  'monitors',
  'statuspages',
  'createdBy',
  'createdAt',
  'updates',
  'status',
  'createdByProfilePictureUrl',
  'createdBySsoPictureUrl',
];
const iso = (ms: number) => new Date(ms).toISOString();

/** A fresh project with a read-write key, for counts no other test disturbs. */
async function freshProjectKey(): Promise<string> {
  const project = await createProject(h.ctx, 'Paging');
  return (
    await createApiKey(h.ctx, { projectUuid: project.uuid, name: 'paging', permission: 'read_write', actor: 'test' })
  ).key;
}

async function monitor(key = h.rw) {
  const res = await h.request('POST', '/v1/monitors', {
    key,
    body: { name: 'svc', url: 'https://example.org', paused: true },
  });
  assert.equal(res.status, 201);
  const row = await h.ctx.store.db
    .selectFrom('monitors')
    .select('id')
    .where('uuid', '=', res.body.uuid)
    .executeTakeFirstOrThrow();
  return { uuid: res.body.uuid as string, id: row.id as number };
}

async function window(body: Record<string, unknown>, key = h.rw) {
  const now = Date.now();
  const res = await h.request('POST', '/v1/maintenance-windows', {
    key,
    body: { name: 'db upgrade', start_date: iso(now + H), end_date: iso(now + 2 * H), monitors: [], ...body },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

describe('/v1/maintenance-windows', () => {
  test('create answers 201 with the full GET shape, every default and null included', async () => {
    const m = await monitor();
    frozen = Date.parse('2026-02-28T10:00:00.000Z');
    try {
      const res = await h.request('POST', '/v1/maintenance-windows', {
        body: {
          name: 'db',
          title: { en: 'DB upgrade' },
          text: { en: 'Short downtime' },
          start_date: '2026-03-01T02:00:00Z',
          end_date: '2026-03-01T04:00:00+00:00',
          monitors: [m.uuid],
        },
      });
      assert.equal(res.status, 201);
      assert.match(res.headers.get('content-type')!, /^application\/json; charset=utf-8/);
      const w = res.body;
      assert.match(w.uuid, MW);
      assert.deepEqual(w, {
        uuid: w.uuid,
        name: 'db',
        title: { en: 'DB upgrade' },
        text: { en: 'Short downtime' },
        start_date: '2026-03-01T02:00:00.000Z',
        end_date: '2026-03-01T04:00:00.000Z',
        timezone: 'UTC',
        monitors: [m.uuid],
        statuspages: [],
        bulkUuid: null,
        createdBy: 'rw',
        createdAt: '2026-02-28T10:00:00.000Z',
        notificationOption: 'none',
        notificationMinutes: 60,
        updates: [],
        createdByProfilePictureUrl: null,
        createdBySsoPictureUrl: null,
        scheduledNotificationStatus: null,
        scheduledNotificationSentAt: null,
        scheduledNotificationBreakdown: null,
        status: 'upcoming',
      });
      assert.deepEqual(Object.keys(w), GET_KEYS);
      const got = await h.request('GET', `/v1/maintenance-windows/${w.uuid}`);
      assert.equal(got.status, 200);
      assert.deepEqual(got.body, w);
      assert.deepEqual(Object.keys(got.body), GET_KEYS);
    } finally {
      frozen = null;
    }
  });

  test('create honours every writable field; title and text default to {}', async () => {
    const [a, b] = [await monitor(), await monitor()];
    const w = await window({
      monitors: [b.uuid, a.uuid, b.uuid],
      statuspages: [SP.p0],
      notificationOption: 'scheduled',
      notificationMinutes: 15,
    });
    assert.deepEqual(
      {
        title: w.title,
        text: w.text,
        monitors: w.monitors,
        statuspages: w.statuspages,
        notificationOption: w.notificationOption,
        notificationMinutes: w.notificationMinutes,
      },
      {
        title: {},
        text: {},
        monitors: [b.uuid, a.uuid],
        statuspages: [SP.p0],
        notificationOption: 'scheduled',
        notificationMinutes: 15,
      },
    );
    assert.match(w.createdAt, ISO);
    // The Go client sends a nil slice as null.
    const nulls = await window({ monitors: null, statuspages: null, title: null });
    assert.deepEqual([nulls.monitors, nulls.statuspages, nulls.title], [[], [], {}]);
  });

  test('status is derived from now: upcoming, ongoing, completed — start inclusive, end exclusive', async () => {
    const now = Date.now();
    const upcoming = await window({ start_date: iso(now + H), end_date: iso(now + 2 * H) });
    const ongoing = await window({ start_date: iso(now - H), end_date: iso(now + H) });
    const completed = await window({ start_date: iso(now - 2 * H), end_date: iso(now - H) });
    assert.deepEqual([upcoming.status, ongoing.status, completed.status], ['upcoming', 'ongoing', 'completed']);
    const start = Date.parse(upcoming.start_date);
    const end = Date.parse(upcoming.end_date);
    try {
      for (const [at, status] of [
        [start - 1, 'upcoming'],
        [start, 'ongoing'],
        [end - 1, 'ongoing'],
        [end, 'completed'],
      ] as const) {
        frozen = at;
        assert.equal((await h.request('GET', `/v1/maintenance-windows/${upcoming.uuid}`)).body.status, status, iso(at));
      }
      const list = (await h.request('GET', '/v1/maintenance-windows')).body.maintenanceWindows;
      assert.equal(list.find((x: any) => x.uuid === upcoming.uuid).status, 'completed');
    } finally {
      frozen = null;
    }
  });

  test('the list pages 20 at a time, newest first, with the recorded item shape', async () => {
    const key = await freshProjectKey();
    const other = await freshProjectKey();
    const m = await monitor(key);
    const made: string[] = [];
    for (let i = 0; i < 25; i++) made.push((await window({ name: `w${i}`, monitors: [m.uuid] }, key)).uuid);
    await window({ name: 'theirs' }, other);
    const first = await h.request('GET', '/v1/maintenance-windows?page=0', { key });
    assert.equal(first.status, 200);
    assert.deepEqual(Object.keys(first.body), ['maintenanceWindows', 'hasNextPage', 'total']);
    assert.equal(first.body.maintenanceWindows.length, 20);
    assert.equal(first.body.hasNextPage, true);
    assert.equal(first.body.total, 25);
    const second = await h.request('GET', '/v1/maintenance-windows?page=1', { key });
    assert.equal(second.body.maintenanceWindows.length, 5);
    assert.equal(second.body.hasNextPage, false);
    assert.equal(second.body.total, 25);
    const all = [...first.body.maintenanceWindows, ...second.body.maintenanceWindows].map((w: any) => w.uuid);
    assert.deepEqual(all, [...made].reverse());
    const item = first.body.maintenanceWindows[0];
    assert.deepEqual(Object.keys(item), LIST_KEYS);
    const full = (await h.request('GET', `/v1/maintenance-windows/${item.uuid}`, { key })).body;
    assert.deepEqual(item, Object.fromEntries(LIST_KEYS.map((k) => [k, full[k]])));
    const beyond = await h.request('GET', '/v1/maintenance-windows?page=2', { key });
    assert.deepEqual(beyond.body, { maintenanceWindows: [], hasNextPage: false, total: 25 });
    assert.deepEqual(
      (await h.request('GET', '/v1/maintenance-windows', { key })).body,
      first.body,
      'page defaults to 0',
    );
    const bad = await h.request('GET', '/v1/maintenance-windows?page=-1', { key });
    assert.equal(bad.status, 422);
    const theirs = await h.request('GET', '/v1/maintenance-windows', { key: other });
    assert.equal(theirs.body.total, 1);
    assert.equal(theirs.body.maintenanceWindows[0].name, 'theirs');
  });

  test('exactly 20 windows fit on one page: hasNextPage is false', async () => {
    const key = await freshProjectKey();
    for (let i = 0; i < 20; i++) await window({ name: `w${i}` }, key);
    const res = await h.request('GET', '/v1/maintenance-windows?page=0', { key });
    assert.equal(res.body.maintenanceWindows.length, 20);
    assert.equal(res.body.hasNextPage, false);
    assert.equal(res.body.total, 20);
  });

  test('PUT changes only the keys it sends and returns the full object', async () => {
    const [a, b] = [await monitor(), await monitor()];
    const created = await window({ title: { en: 'Upgrade' }, monitors: [a.uuid] });
    const renamed = await h.request('PUT', `/v1/maintenance-windows/${created.uuid}`, { body: { name: 'renamed' } });
    assert.equal(renamed.status, 200);
    assert.deepEqual(renamed.body, { ...created, name: 'renamed' });
    const start = Date.parse(created.start_date);
    const moved = await h.request('PUT', `/v1/maintenance-windows/${created.uuid}`, {
      body: {
        end_date: iso(start + 3 * H),
        monitors: [b.uuid, a.uuid],
        notificationOption: 'immediate',
        text: { en: 'More' },
        statuspages: [SP.p1],
      },
    });
    assert.equal(moved.status, 200);
    assert.deepEqual(moved.body, {
      ...created,
      name: 'renamed',
      end_date: iso(start + 3 * H),
      monitors: [b.uuid, a.uuid],
      notificationOption: 'immediate',
      text: { en: 'More' },
      statuspages: [SP.p1],
    });
    assert.deepEqual(Object.keys(moved.body), GET_KEYS);
    const cleared = await h.request('PUT', `/v1/maintenance-windows/${created.uuid}`, {
      body: { monitors: [], text: { en: '' }, uuid: 'mw_forged' },
    });
    assert.deepEqual(cleared.body, { ...moved.body, monitors: [], text: { en: '' } });
    assert.deepEqual((await h.request('GET', `/v1/maintenance-windows/${created.uuid}`)).body, cleared.body);
  });

  test('DELETE answers 200 {"message":"Ok"}, then the window is gone', async () => {
    const created = await window({});
    const del = await h.request('DELETE', `/v1/maintenance-windows/${created.uuid}`, {
      headers: { 'content-type': 'application/json' },
      raw: '',
    });
    assert.equal(del.status, 200);
    assert.deepEqual(del.body, { message: 'Ok' });
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const res = await h.request(method, `/v1/maintenance-windows/${created.uuid}`, {
        body: method === 'PUT' ? { name: 'x' } : undefined,
      });
      assert.equal(res.status, 404, method);
      assert.deepEqual(res.body, { message: 'Maintenance window not found' });
    }
  });

  test('an unknown id is 404 before validation', async () => {
    const res = await h.request('PUT', '/v1/maintenance-windows/mw_AAAAAAAAAAAAAA', {
      body: { notificationMinutes: 0 },
    });
    assert.equal(res.status, 404);
    assert.deepEqual(res.body, { message: 'Maintenance window not found' });
  });

  test('invalid input is 422 with one readable sentence', async () => {
    const theirs = await monitor(h.other.rw);
    const ok = { name: 'n', start_date: '2030-01-01T00:00:00Z', end_date: '2030-01-01T01:00:00Z', monitors: [] };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...ok, name: undefined }, /^name is required$/],
      [{ ...ok, start_date: undefined }, /^start_date is required$/],
      [{ ...ok, end_date: undefined }, /^end_date is required$/],
      [{ ...ok, monitors: undefined }, /^monitors is required$/],
      [{ ...ok, name: '' }, /^name must not be empty$/],
      [{ ...ok, name: '   ' }, /^name must not be empty$/],
      [{ ...ok, start_date: 'tomorrow' }, /^start_date must be an ISO 8601 date-time with a zone/],
      [{ ...ok, end_date: '2030-01-01T00:00:00Z' }, /^end_date must be after start_date$/],
      [{ ...ok, end_date: '2029-12-31T23:00:00Z' }, /^end_date must be after start_date$/],
      [{ ...ok, monitors: ['mon_AAAAAAAAAAAAAA'] }, /^Monitor mon_AAAAAAAAAAAAAA in monitors does not exist$/],
      [{ ...ok, monitors: [theirs.uuid] }, new RegExp(`^Monitor ${theirs.uuid} in monitors does not exist$`)],
      [{ ...ok, statuspages: ['status-1'] }, /^statuspages holds "status-1", which is not a valid id$/],
      [{ ...ok, statuspages: ['sp_AAAAAAAAAAAAAA'] }, /^Status page sp_AAAAAAAAAAAAAA in statuspages does not exist$/],
      [{ ...ok, notificationOption: 'email' }, /^notificationOption must be one of none, scheduled, immediate$/],
      [{ ...ok, notificationMinutes: 0 }, /^notificationMinutes must be at least 1$/],
      [{ ...ok, notificationMinutes: 1.5 }, /^notificationMinutes must be a whole number$/],
      [{ ...ok, title: { en: 'x'.repeat(256) } }, /^title\.en must be at most 255 characters$/],
      [{ ...ok, title: { klingon: 'x' } }, /^title\.klingon is not a supported language/],
    ];
    for (const [body, re] of cases) {
      const res = await h.request('POST', '/v1/maintenance-windows', { body });
      assert.equal(res.status, 422, JSON.stringify(body));
      assert.match(res.body.message, re, JSON.stringify(body));
      assert.deepEqual(Object.keys(res.body), ['message']);
    }
    const created = await window({});
    const put = await h.request('PUT', `/v1/maintenance-windows/${created.uuid}`, {
      body: { end_date: created.start_date },
    });
    assert.equal(put.status, 422);
    assert.deepEqual(put.body, { message: 'end_date must be after start_date' });
    assert.deepEqual(
      (await h.request('GET', `/v1/maintenance-windows/${created.uuid}`)).body,
      created,
      'a refused PUT changes nothing',
    );
  });

  test("SECURITY 6: another project's window gets the same 404 as an unknown id; lists never include it", async () => {
    const mine = await window({ name: 'mine' });
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const body = method === 'PUT' ? { name: 'stolen' } : undefined;
      const theirs = await h.request(method, `/v1/maintenance-windows/${mine.uuid}`, { key: h.other.rw, body });
      const unknown = await h.request(method, '/v1/maintenance-windows/mw_AAAAAAAAAAAAAA', { key: h.other.rw, body });
      assert.equal(theirs.status, 404, method);
      assert.deepEqual(theirs.body, { message: 'Maintenance window not found' });
      assert.equal(theirs.text, unknown.text);
    }
    const list = await h.request('GET', '/v1/maintenance-windows', { key: h.other.rw });
    assert.ok(!list.body.maintenanceWindows.some((w: any) => w.uuid === mine.uuid));
    assert.equal((await h.request('GET', `/v1/maintenance-windows/${mine.uuid}`)).body.name, 'mine');
  });

  test('a deleted monitor drops out of the windows that listed it', async () => {
    const [a, b] = [await monitor(), await monitor()];
    const created = await window({ monitors: [a.uuid, b.uuid] });
    assert.equal((await h.request('DELETE', `/v1/monitors/${a.uuid}`)).status, 204);
    assert.deepEqual((await h.request('GET', `/v1/maintenance-windows/${created.uuid}`)).body.monitors, [b.uuid]);
  });
});

describe('monitorsUnderMaintenance', () => {
  test('returns the monitors an ongoing window covers at now, start inclusive and end exclusive', async () => {
    const now = Date.now();
    const [inside, upcoming, done, free, spare] = [
      await monitor(),
      await monitor(),
      await monitor(),
      await monitor(),
      await monitor(),
    ];
    const theirs = await monitor(h.other.rw);
    await window({ monitors: [inside.uuid, spare.uuid], start_date: iso(now - H), end_date: iso(now + H) });
    await window({ monitors: [upcoming.uuid], start_date: iso(now + H), end_date: iso(now + 2 * H) });
    await window({ monitors: [done.uuid, inside.uuid], start_date: iso(now - 3 * H), end_date: iso(now - 2 * H) });
    await window({ monitors: [theirs.uuid], start_date: iso(now - H), end_date: iso(now + H) }, h.other.rw);

    const ids = [inside.id, upcoming.id, done.id, free.id, theirs.id];
    assert.deepEqual(await monitorsUnderMaintenance(h.ctx, ids, now), new Set([inside.id, theirs.id]));
    assert.deepEqual(
      await monitorsUnderMaintenance(h.ctx, [upcoming.id], now + H),
      new Set([upcoming.id]),
      'the start instant is covered',
    );
    assert.deepEqual(await monitorsUnderMaintenance(h.ctx, [upcoming.id], now + H - 1), new Set());
    assert.deepEqual(
      await monitorsUnderMaintenance(h.ctx, [upcoming.id], now + 2 * H),
      new Set(),
      'the end instant is not',
    );
    assert.deepEqual(await monitorsUnderMaintenance(h.ctx, [done.id], now - 2.5 * H), new Set([done.id]));
    assert.deepEqual(await monitorsUnderMaintenance(h.ctx, [], now), new Set());
    assert.deepEqual(await monitorsUnderMaintenance(h.ctx, [free.id, 999_999_999], now), new Set());
  });

  test('many monitor ids are answered in chunks; edits and deletions take effect at once', async () => {
    const now = Date.now();
    const m = await monitor();
    const w = await window({ monitors: [m.uuid], start_date: iso(now - H), end_date: iso(now + H) });
    const many = [...Array.from({ length: 1200 }, (_, i) => 10_000_000 + i), m.id];
    assert.deepEqual(await monitorsUnderMaintenance(h.ctx, many, now), new Set([m.id]));
    assert.equal(
      (await h.request('PUT', `/v1/maintenance-windows/${w.uuid}`, { body: { end_date: iso(now - 1) } })).status,
      200,
    );
    assert.deepEqual(await monitorsUnderMaintenance(h.ctx, [m.id], now), new Set(), 'ended early');
    assert.equal(
      (await h.request('PUT', `/v1/maintenance-windows/${w.uuid}`, { body: { end_date: iso(now + H), monitors: [] } }))
        .status,
      200,
    );
    assert.deepEqual(await monitorsUnderMaintenance(h.ctx, [m.id], now), new Set(), 'monitor removed');
    assert.equal(
      (await h.request('PUT', `/v1/maintenance-windows/${w.uuid}`, { body: { monitors: [m.uuid] } })).status,
      200,
    );
    assert.deepEqual(await monitorsUnderMaintenance(h.ctx, [m.id], now), new Set([m.id]));
    assert.equal((await h.request('DELETE', `/v1/maintenance-windows/${w.uuid}`)).status, 200);
    assert.deepEqual(await monitorsUnderMaintenance(h.ctx, [m.id], now), new Set(), 'window deleted');
  });
});
