import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../harness.ts';

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
  for (const k of ['p0', 'p1', 'p2', 'p3']) {
    SP[k] = (await h.request('POST', '/v2/statuspages', { body: { name: `page ${k}` } })).body.statuspage.uuid;
  }
}

const INCI = /^inci_[A-Za-z0-9]{14}$/;
const UPD = /^upd_[A-Za-z0-9]{14}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const KEYS = ['uuid', 'date', 'title', 'text', 'type', 'affectedComponents', 'statuspages', 'updates'];

async function monitor(key = h.rw) {
  const res = await h.request('POST', '/v1/monitors', {
    key,
    body: { name: 'svc', url: 'https://example.org', paused: true },
  });
  assert.equal(res.status, 201);
  return res.body.uuid as string;
}

async function incident(body: Record<string, unknown> = {}, key = h.rw) {
  const res = await h.request('POST', '/v3/incidents', { key, body: { title: { en: 'Degraded API' }, ...body } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const { message: _, ...rest } = res.body;
  return rest;
}

describe('/v3/incidents', () => {
  test('create answers 201 with the whole incident plus the recorded message; GET returns it bare', async () => {
    frozen = Date.parse('2026-02-10T10:48:49.250Z');
    try {
      const res = await h.request('POST', '/v3/incidents', {
        body: { title: { en: 'Degraded API' }, text: { en: 'Investigating' }, statuspages: [SP.p0] },
      });
      assert.equal(res.status, 201);
      assert.match(res.headers.get('content-type')!, /^application\/json; charset=utf-8/);
      const i = res.body;
      assert.match(i.uuid, INCI);
      assert.deepEqual(i, {
        message: 'Incident created successfully',
        uuid: i.uuid,
        date: '2026-02-10T10:48:49.250Z',
        title: { en: 'Degraded API' },
        text: { en: 'Investigating' },
        type: 'incident',
        affectedComponents: [],
        statuspages: [SP.p0],
        updates: [],
      });
      assert.deepEqual(Object.keys(i), ['message', ...KEYS]);
      const got = await h.request('GET', `/v3/incidents/${i.uuid}`);
      assert.equal(got.status, 200);
      const { message: _, ...bare } = i;
      assert.deepEqual(got.body, bare);
      assert.deepEqual(Object.keys(got.body), KEYS);
    } finally {
      frozen = null;
    }
  });

  test('create honours every field: type, date, monitors (duplicates collapse), status pages, an initial timeline', async () => {
    const [a, b] = [await monitor(), await monitor()];
    const i = await incident({
      title: { en: 'Outage', fr: 'Panne' },
      text: { en: 'Down', de: '' },
      type: 'outage',
      date: '2026-02-11T10:48:49Z',
      affectedComponents: [b, a, b],
      statuspages: [SP.p1, SP.p2],
      updates: [
        { text: { en: 'Fixed' }, type: 'resolved', date: '2026-02-11T12:00:00+01:00' },
        { text: { en: 'Looking' }, type: 'investigating', date: '2026-02-11T10:50:00Z' },
      ],
    });
    assert.deepEqual(i, {
      uuid: i.uuid,
      date: '2026-02-11T10:48:49.000Z',
      title: { en: 'Outage', fr: 'Panne' },
      text: { en: 'Down', de: '' },
      type: 'outage',
      affectedComponents: [b, a],
      statuspages: [SP.p1, SP.p2],
      updates: [
        { uuid: i.updates[0].uuid, date: '2026-02-11T10:50:00.000Z', text: { en: 'Looking' }, type: 'investigating' },
        { uuid: i.updates[1].uuid, date: '2026-02-11T11:00:00.000Z', text: { en: 'Fixed' }, type: 'resolved' },
      ],
    });
    for (const u of i.updates) assert.match(u.uuid, UPD);
    assert.deepEqual(Object.keys(i.updates[0]), ['uuid', 'date', 'text', 'type']);
    // What the Go client sends for an empty request: nil slices as null, empty text as {}.
    const minimal = await incident({ text: {}, type: 'incident', statuspages: null, date: '' });
    assert.deepEqual([minimal.text, minimal.statuspages, minimal.affectedComponents], [{}, [], []]);
    assert.ok(Math.abs(Date.parse(minimal.date) - Date.now()) < 10_000, 'date "" means now');
  });

  test("the list is a bare array, newest date first, holding only this project's incidents", async () => {
    const old = await incident({ date: '2020-01-01T00:00:00Z' });
    const recent = await incident({ date: '2031-01-01T00:00:00Z' });
    const middle = await incident({ date: '2025-06-01T00:00:00Z' });
    const theirs = await incident({}, h.other.rw);
    const list = await h.request('GET', '/v3/incidents');
    assert.equal(list.status, 200);
    assert.ok(Array.isArray(list.body));
    const dates = list.body.map((x: any) => x.date);
    assert.deepEqual(dates, [...dates].sort().reverse());
    const uuids = list.body.map((x: any) => x.uuid);
    assert.ok(
      uuids.indexOf(recent.uuid) < uuids.indexOf(middle.uuid) && uuids.indexOf(middle.uuid) < uuids.indexOf(old.uuid),
    );
    assert.ok(!uuids.includes(theirs.uuid));
    assert.deepEqual(
      list.body.find((x: any) => x.uuid === middle.uuid),
      middle,
    );
    const other = await h.request('GET', '/v3/incidents', { key: h.other.rw });
    assert.deepEqual(
      other.body.map((x: any) => x.uuid),
      [theirs.uuid],
    );
  });

  test('?status= keeps the incidents whose latest update is of that type (investigating before any); others are 422', async () => {
    const fresh = await incident({}, h.other.rw);
    const fixed = await incident({}, h.other.rw);
    for (const type of ['identified', 'resolved']) {
      const res = await h.request('POST', `/v3/incidents/${fixed.uuid}/updates`, {
        key: h.other.rw,
        body: { text: { en: type }, type },
      });
      assert.equal(res.status, 201);
    }
    const list = async (status: string) =>
      (await h.request('GET', `/v3/incidents?status=${status}`, { key: h.other.rw })).body.map((x: any) => x.uuid);
    assert.ok((await list('investigating')).includes(fresh.uuid));
    assert.ok(!(await list('investigating')).includes(fixed.uuid));
    assert.deepEqual(await list('resolved'), [fixed.uuid]);
    assert.deepEqual(await list('identified'), []);
    const bad = await h.request('GET', '/v3/incidents?status=closed', { key: h.other.rw });
    assert.equal(bad.status, 422);
    assert.match(bad.body.message, /status/);
  });

  test('PUT changes only the keys it sends and returns the whole incident', async () => {
    const m = await monitor();
    const created = await incident({ text: { en: 'first' }, affectedComponents: [m], statuspages: [SP.p3] });
    const retitled = await h.request('PUT', `/v3/incidents/${created.uuid}`, { body: { title: { de: 'Störung' } } });
    assert.equal(retitled.status, 200);
    assert.deepEqual(retitled.body, { ...created, title: { de: 'Störung' } });
    const retyped = await h.request('PUT', `/v3/incidents/${created.uuid}`, {
      body: { type: 'outage', text: { en: 'second' } },
    });
    assert.deepEqual(retyped.body, { ...created, title: { de: 'Störung' }, type: 'outage', text: { en: 'second' } });
    const cleared = await h.request('PUT', `/v3/incidents/${created.uuid}`, {
      body: { affectedComponents: [], statuspages: [] },
    });
    assert.deepEqual(cleared.body, { ...retyped.body, affectedComponents: [], statuspages: [] });
    const same = await h.request('PUT', `/v3/incidents/${created.uuid}`, { body: {} });
    assert.deepEqual(same.body, cleared.body);
    const redated = await h.request('PUT', `/v3/incidents/${created.uuid}`, {
      body: { date: '2026-01-01T00:00:00Z', uuid: 'inci_forged0000000' },
    });
    assert.equal(redated.body.date, '2026-01-01T00:00:00.000Z');
    assert.equal(redated.body.uuid, created.uuid);
    assert.deepEqual((await h.request('GET', `/v3/incidents/${created.uuid}`)).body, redated.body);
  });

  test('POST …/updates answers 201 with the whole incident, the new update last with its own uuid', async () => {
    const created = await incident();
    const first = await h.request('POST', `/v3/incidents/${created.uuid}/updates`, {
      body: { text: { en: 'Looking into it' }, type: 'investigating', date: '' },
    });
    assert.equal(first.status, 201);
    assert.deepEqual(Object.keys(first.body), KEYS);
    assert.equal(first.body.updates.length, 1);
    const u1 = first.body.updates[0];
    assert.match(u1.uuid, UPD);
    assert.match(u1.date, ISO);
    assert.ok(Math.abs(Date.parse(u1.date) - Date.now()) < 10_000, 'date "" means now');
    assert.deepEqual(first.body, {
      ...created,
      updates: [{ uuid: u1.uuid, date: u1.date, text: { en: 'Looking into it' }, type: 'investigating' }],
    });
    await new Promise((r) => setTimeout(r, 5));
    const second = await h.request('POST', `/v3/incidents/${created.uuid}/updates`, {
      body: { text: { en: 'Fixed' }, type: 'resolved' },
    });
    assert.equal(second.status, 201);
    assert.deepEqual(
      second.body.updates.map((u: any) => u.type),
      ['investigating', 'resolved'],
    );
    assert.notEqual(second.body.updates[1].uuid, u1.uuid);
    // An entry dated in the past takes its chronological place.
    const backdated = await h.request('POST', `/v3/incidents/${created.uuid}/updates`, {
      body: { text: { en: 'Noticed' }, type: 'identified', date: '2020-01-01T00:00:00Z' },
    });
    assert.deepEqual(
      backdated.body.updates.map((u: any) => u.type),
      ['identified', 'investigating', 'resolved'],
    );
    assert.deepEqual((await h.request('GET', `/v3/incidents/${created.uuid}`)).body, backdated.body);
  });

  test('DELETE answers 200 with the recorded message and removes the incident with its timeline', async () => {
    const created = await incident({ updates: [{ text: { en: 'x' }, type: 'update' }] });
    const del = await h.request('DELETE', `/v3/incidents/${created.uuid}`, {
      headers: { 'content-type': 'application/json' },
      raw: '',
    });
    assert.equal(del.status, 200);
    assert.deepEqual(del.body, { message: 'Incident and associated data deleted successfully' });
    for (const [method, path, body] of [
      ['GET', `/v3/incidents/${created.uuid}`, undefined],
      ['DELETE', `/v3/incidents/${created.uuid}`, undefined],
      ['PUT', `/v3/incidents/${created.uuid}`, { type: 'outage' }],
      ['POST', `/v3/incidents/${created.uuid}/updates`, { text: { en: 'x' }, type: 'update' }],
    ] as const) {
      const res = await h.request(method, path, { body });
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.deepEqual(res.body, { message: 'Incident not found' });
    }
    const left = await h.ctx.store.db
      .selectFrom('incident_updates')
      .select('uuid')
      .where('uuid', '=', created.updates[0].uuid)
      .execute();
    assert.deepEqual(left, []);
  });

  test('an unknown id is 404 before validation', async () => {
    for (const [method, path] of [
      ['PUT', '/v3/incidents/inci_AAAAAAAAAAAAAA'],
      ['POST', '/v3/incidents/inci_AAAAAAAAAAAAAA/updates'],
    ]) {
      const res = await h.request(method, path, { body: { type: 'nonsense' } });
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.deepEqual(res.body, { message: 'Incident not found' });
    }
  });

  test('invalid input is 422 with one readable sentence', async () => {
    const theirMonitor = await monitor(h.other.rw);
    const theirPage = (await h.request('POST', '/v2/statuspages', { key: h.other.rw, body: { name: 'theirs' } })).body
      .statuspage.uuid;
    const cases: [Record<string, unknown>, RegExp][] = [
      [{}, /^title is required$/],
      [{ title: 'Degraded' }, /^title must be an object$/],
      [{ title: {} }, /^title must have a non-empty text in at least one language$/],
      [{ title: { en: '  ' } }, /^title must have a non-empty text in at least one language$/],
      [{ title: { xx: 'a' } }, /^title\.xx is not a supported language \(en, fr, de, ru, nl, es, it, pt, ja, zh\)$/],
      [{ title: { en: 5 } }, /^title\.en must be a string$/],
      [{ title: { en: 'x'.repeat(256) } }, /^title\.en must be at most 255 characters$/],
      [{ title: { en: 'a' }, type: 'minor' }, /^type must be one of incident, outage$/],
      [{ title: { en: 'a' }, date: 'yesterday' }, /^date must be an ISO 8601 date-time with a zone/],
      [{ title: { en: 'a' }, date: '2026-02-10' }, /^date must be an ISO 8601 date-time with a zone/],
      [{ title: { en: 'a' }, date: '2026-02-31T10:00:00Z' }, /^date must be an ISO 8601 date-time with a zone/],
      [{ title: { en: 'a' }, date: '2026-02-10T10:00:00' }, /^date must be an ISO 8601 date-time with a zone/],
      [
        { title: { en: 'a' }, affectedComponents: ['mon_AAAAAAAAAAAAAA'] },
        /^Monitor mon_AAAAAAAAAAAAAA in affectedComponents does not exist$/,
      ],
      [
        { title: { en: 'a' }, affectedComponents: [theirMonitor] },
        new RegExp(`^Monitor ${theirMonitor} in affectedComponents does not exist$`),
      ],
      [{ title: { en: 'a' }, affectedComponents: 'mon_x' }, /^affectedComponents must be a list( or null)?$/],
      [{ title: { en: 'a' }, statuspages: ['page1'] }, /^statuspages holds "page1", which is not a valid id$/],
      [
        { title: { en: 'a' }, statuspages: ['sp_AAAAAAAAAAAAAA'] },
        /^Status page sp_AAAAAAAAAAAAAA in statuspages does not exist$/,
      ],
      [
        { title: { en: 'a' }, statuspages: [theirPage] },
        new RegExp(`^Status page ${theirPage} in statuspages does not exist$`),
      ],
      [
        { title: { en: 'a' }, updates: [{ text: { en: 'a' }, type: 'fixed' }] },
        /^updates\[0\]\.type must be one of investigating, identified, update, monitoring, resolved$/,
      ],
    ];
    for (const [body, re] of cases) {
      const res = await h.request('POST', '/v3/incidents', { body });
      assert.equal(res.status, 422, JSON.stringify(body));
      assert.match(res.body.message, re, JSON.stringify(body));
      assert.deepEqual(Object.keys(res.body), ['message']);
    }
    const created = await incident();
    const updateCases: [Record<string, unknown>, RegExp][] = [
      [{ type: 'update' }, /^text is required$/],
      [{ text: { en: 'a' } }, /^type is required$/],
      [
        { text: { en: 'a' }, type: 'fixed' },
        /^type must be one of investigating, identified, update, monitoring, resolved$/,
      ],
      [{ text: {}, type: 'update' }, /^text must have a non-empty text in at least one language$/],
      [{ text: { en: 'a' }, type: 'update', date: 'soon' }, /^date must be an ISO 8601 date-time with a zone/],
    ];
    for (const [body, re] of updateCases) {
      const res = await h.request('POST', `/v3/incidents/${created.uuid}/updates`, { body });
      assert.equal(res.status, 422, JSON.stringify(body));
      assert.match(res.body.message, re, JSON.stringify(body));
    }
    const put = await h.request('PUT', `/v3/incidents/${created.uuid}`, { body: { title: {} } });
    assert.equal(put.status, 422);
    assert.deepEqual(
      (await h.request('GET', `/v3/incidents/${created.uuid}`)).body,
      created,
      'a refused PUT changes nothing',
    );
  });

  test("SECURITY 6: another project's incident gets the same 404 as an unknown id on every route", async () => {
    const mine = await incident();
    for (const [method, suffix, body] of [
      ['GET', '', undefined],
      ['PUT', '', { title: { en: 'stolen' } }],
      ['DELETE', '', undefined],
      ['POST', '/updates', { text: { en: 'x' }, type: 'update' }],
    ] as const) {
      const theirs = await h.request(method, `/v3/incidents/${mine.uuid}${suffix}`, { key: h.other.rw, body });
      const unknown = await h.request(method, `/v3/incidents/inci_AAAAAAAAAAAAAA${suffix}`, { key: h.other.rw, body });
      assert.equal(theirs.status, 404, `${method} ${suffix}`);
      assert.deepEqual(theirs.body, { message: 'Incident not found' });
      assert.equal(theirs.text, unknown.text);
    }
    assert.deepEqual((await h.request('GET', `/v3/incidents/${mine.uuid}`)).body, mine);
  });

  test('a deleted monitor drops out of affectedComponents', async () => {
    const [a, b] = [await monitor(), await monitor()];
    const created = await incident({ affectedComponents: [a, b] });
    assert.equal((await h.request('DELETE', `/v1/monitors/${a}`)).status, 204);
    assert.deepEqual((await h.request('GET', `/v3/incidents/${created.uuid}`)).body.affectedComponents, [b]);
  });

  test('a read-only key reads incidents but cannot write them', async () => {
    const created = await incident();
    assert.equal((await h.request('GET', `/v3/incidents/${created.uuid}`, { key: h.ro })).status, 200);
    assert.equal((await h.request('GET', '/v3/incidents', { key: h.ro })).status, 200);
    const res = await h.request('POST', `/v3/incidents/${created.uuid}/updates`, {
      key: h.ro,
      body: { text: { en: 'x' }, type: 'update' },
    });
    assert.equal(res.status, 403);
    assert.deepEqual(res.body, { error: 'Insufficient permissions for this action' });
  });
});
