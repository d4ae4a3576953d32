// Reads served from memory (SQLite: Store.readNow; PostgreSQL: a store pinned to the request,
// Store.pinWith) are never stale: not after another node's write, not after the request's own.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { CompiledQuery } from 'kysely';
import { freshDatabase, PG_URL, startHarness, type Db, type Harness } from '../harness.ts';
import { openStore, type Store } from '../../src/storage/store.ts';

describe('cached reads through the API', () => {
  let h: Harness;
  let node: Store; // a second node: its own connection or pool on the same database
  before(async () => {
    h = await startHarness();
    node = await openStore({ databaseUrl: h.config.databaseUrl, dataDir: h.db.dataDir });
  });
  after(async () => {
    await node.close();
    await h.stop();
  });

  const create = async (name: string) =>
    (await h.request('POST', '/v1/monitors', { body: { name, url: 'https://example.org', protocol: 'http' } })).body;

  test('a monitor and the list changed by another node are read fresh by the very next request', async () => {
    const m = await create('before');
    for (let i = 0; i < 3; i++) {
      assert.equal((await h.request('GET', `/v1/monitors/${m.uuid}`)).body.name, 'before');
      assert.ok((await h.request('GET', '/v1/monitors')).body.some((x: { name: string }) => x.name === 'before'));
    }
    await node.db.updateTable('monitors').set({ name: 'after' }).where('uuid', '=', m.uuid).execute();
    assert.equal((await h.request('GET', `/v1/monitors/${m.uuid}`)).body.name, 'after');
    const list = (await h.request('GET', '/v1/monitors')).body.map((x: { name: string }) => x.name);
    assert.ok(list.includes('after') && !list.includes('before'), list.join());
    await node.db.deleteFrom('monitors').where('uuid', '=', m.uuid).execute();
    assert.equal((await h.request('GET', `/v1/monitors/${m.uuid}`)).status, 404);
  });

  test('a key revoked by another node is refused by the very next request', async () => {
    const k = await h.cli([
      'keys',
      'create',
      '--project',
      h.project.uuid,
      '--name',
      'other node',
      '--permission',
      'read_only',
      '--json',
    ]);
    const { key, id } = JSON.parse(k.stdout);
    for (let i = 0; i < 3; i++) assert.equal((await h.request('GET', '/v1/monitors', { key })).status, 200);
    await node.db.updateTable('api_keys').set({ revoked_at: Date.now() }).where('id', '=', id).execute();
    assert.equal((await h.request('GET', '/v1/monitors', { key })).status, 401);
  });

  test('an MCP batch reads its own writes: update_monitor, then get_monitor in the same request', async () => {
    const m = await create('one');
    assert.equal((await h.request('GET', `/v1/monitors/${m.uuid}`)).body.name, 'one'); // kept in memory
    const call = (id: number, name: string, args: object) => ({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name, arguments: args },
    });
    const res = await h.request('POST', '/v1/mcp', {
      body: [
        call(1, 'get_monitor', { uuid: m.uuid }),
        call(2, 'update_monitor', { uuid: m.uuid, name: 'two' }),
        call(3, 'get_monitor', { uuid: m.uuid }),
      ],
    });
    assert.equal(res.status, 200, res.text);
    const names = res.body.map((r: { result: { content: { text: string }[] } }) => {
      const text = r.result.content[0].text;
      return JSON.parse(text).name;
    });
    assert.deepEqual(names, ['one', 'two', 'two']);
  });
});

describe('PostgreSQL: a store pinned to a request', { skip: !PG_URL && 'PostgreSQL only' }, () => {
  let db: Db;
  let store: Store;
  let other: pg.Client;
  const read = CompiledQuery.raw('SELECT name FROM projects WHERE uuid = $1', ['proj_pin']);
  before(async () => {
    db = await freshDatabase();
    store = await openStore({ databaseUrl: db.env.DATABASE_URL, dataDir: db.dataDir });
    await store.db
      .insertInto('projects')
      .values({ uuid: 'proj_pin', name: 'a', created_at: 0, quorum: null })
      .execute();
    other = new pg.Client({ connectionString: db.env.DATABASE_URL });
    await other.connect();
  });
  after(async () => {
    await other.end();
    await store.close();
    await db.drop();
  });
  // A pin whose rider reads nothing of interest.
  const pin = async () =>
    (await store.pinWith!(CompiledQuery.raw('SELECT 1 AS one WHERE cardinality($1::text[]) < 0', []))('x')).store;
  const keep = async (view: Store) => {
    const { rows } = await store.db.executeQuery(read);
    view.keepRows!(read.sql, read.parameters, rows);
    return rows;
  };

  test('callers in the same turn share one statement, with every value its rider asked for', async () => {
    await store.db
      .insertInto('projects')
      .values({ uuid: 'proj_two', name: 'two', created_at: 0, quorum: null })
      .execute();
    const rider = store.pinWith!(CompiledQuery.raw('SELECT uuid, name FROM projects WHERE uuid = ANY($1::text[])', []));
    const [a, b, none] = await Promise.all([rider('proj_pin'), rider('proj_two'), rider('proj_none')]);
    assert.equal(a, b, 'one answer for the turn');
    assert.equal(a, none);
    assert.deepEqual(a.rows.map((r) => r.uuid).sort(), ['proj_pin', 'proj_two']);
    // A turn whose rider finds nothing still pins (other test files share the cluster: the
    // generation may have moved, so only the rows are compared).
    const alone = await rider('proj_none');
    assert.deepEqual(
      alone.rows.map((r) => r.uuid),
      [null],
    );
  });

  test('a transaction in progress at the pin and committed after it changes the generation', async () => {
    await other.query('BEGIN');
    await other.query(`UPDATE projects SET name = 'b' WHERE uuid = 'proj_pin'`);
    const before = await pin();
    const rows = await keep(before);
    assert.equal((rows[0] as { name: string }).name, 'a');
    assert.equal(before.cachedRows!(read.sql, read.parameters), rows);
    await other.query('COMMIT');
    const after = await pin();
    assert.notEqual(after.generation!(), before.generation!());
    assert.equal(after.cachedRows!(read.sql, read.parameters), undefined);
  });

  test("a write of this process after the pin turns the pinned store's cache off", async () => {
    const view = await pin();
    const rows = await keep(view);
    assert.equal(view.cachedRows!(read.sql, read.parameters), rows);
    await store.db.updateTable('projects').set({ name: 'c' }).where('uuid', '=', 'proj_pin').execute();
    assert.equal(view.cachedRows!(read.sql, read.parameters), undefined);
    assert.equal(view.generation!(), undefined);
  });
});
