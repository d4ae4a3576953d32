import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { freshDatabase, runCli, type Db } from './harness.ts';

let db: Db;
const cli = (...args: string[]) => runCli(args, db.env);
before(async () => { db = await freshDatabase(); });
after(async () => { await db.drop(); });

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('vigil CLI', () => {
  test('--help lists the commands', async () => {
    const res = await cli('--help');
    assert.equal(res.code, 0);
    for (const c of ['serve', 'projects', 'keys']) assert.match(res.stdout, new RegExp(`\\b${c}\\b`));
  });

  test('projects create and list print exactly one JSON document', async () => {
    const res = await cli('projects', 'create', '--name', 'Acme', '--json');
    assert.equal(res.code, 0, res.stderr);
    const p = JSON.parse(res.stdout);
    assert.deepEqual(Object.keys(p), ['uuid', 'name', 'createdAt']);
    assert.match(p.uuid, /^proj_[A-Za-z0-9]{14}$/);
    assert.equal(p.name, 'Acme');
    assert.match(p.createdAt, ISO);
    const list = JSON.parse((await cli('projects', 'list', '--json')).stdout);
    assert.ok(list.some((x: any) => x.uuid === p.uuid && x.name === 'Acme'));
  });

  test('SECURITY 3: keys create shows the key once; list shows it masked; revoke removes it', async () => {
    const p = JSON.parse((await cli('projects', 'create', '--name', 'K', '--json')).stdout);
    const res = await cli('keys', 'create', '--project', p.uuid, '--name', 'CI/CD Pipeline', '--permission', 'read_only', '--expires', '2099-01-31', '--json');
    assert.equal(res.code, 0, res.stderr);
    const k = JSON.parse(res.stdout);
    assert.deepEqual(Object.keys(k).sort(), ['createdAt', 'expiresAt', 'id', 'key', 'lastUsedAt', 'masked', 'name', 'permission']);
    assert.match(k.key, /^sk_[A-Za-z0-9]{28,}$/);
    assert.equal(k.permission, 'read_only');
    assert.equal(k.expiresAt, '2099-01-31T00:00:00.000Z');
    assert.equal(k.lastUsedAt, null);
    assert.equal(k.masked, `${k.key.slice(0, 7)}…${k.key.slice(-4)}`);
    const never = JSON.parse((await cli('keys', 'create', '--project', p.uuid, '--name', 'n', '--permission', 'read_write', '--json')).stdout);
    assert.equal(never.expiresAt, null);
    const dt = JSON.parse((await cli('keys', 'create', '--project', p.uuid, '--name', 't', '--permission', 'read_write', '--expires', '2099-03-01T12:30:00+02:00', '--json')).stdout);
    assert.equal(dt.expiresAt, '2099-03-01T10:30:00.000Z');

    const listRes = await cli('keys', 'list', '--project', p.uuid, '--json');
    const list = JSON.parse(listRes.stdout);
    assert.equal(list.length, 3);
    assert.ok(!listRes.stdout.includes(k.key));
    assert.deepEqual(list.find((x: any) => x.id === k.id), { id: k.id, name: 'CI/CD Pipeline', permission: 'read_only', expiresAt: k.expiresAt, createdAt: k.createdAt, lastUsedAt: null, masked: k.masked });

    const revoke = await cli('keys', 'revoke', k.id);
    assert.equal(revoke.code, 0, revoke.stderr);
    const after = JSON.parse((await cli('keys', 'list', '--project', p.uuid, '--json')).stdout);
    assert.ok(!after.some((x: any) => x.id === k.id));
    const again = await cli('keys', 'revoke', k.id);
    assert.notEqual(again.code, 0);
  });

  test('bad input is refused with one line on stderr, a non-zero exit, and nothing created', async () => {
    const p = JSON.parse((await cli('projects', 'create', '--name', 'E', '--json')).stdout);
    const cases: [string[], RegExp][] = [
      [['--expires', '2001-01-01'], /past/],
      [['--expires', 'tomorrow'], /Invalid expiration/],
      [['--permission', 'admin'], /read_write or read_only/],
      [['--name', ''], /Name is required/],
      [['--name', '   '], /Name is required/],
      [['--project', 'proj_nope00000000000'], /Project not found/],
    ];
    for (const [override, re] of cases) {
      const opts: Record<string, string> = { '--project': p.uuid, '--name': 'x', '--permission': 'read_write' };
      for (let i = 0; i < override.length; i += 2) opts[override[i]] = override[i + 1];
      const res = await cli('keys', 'create', ...Object.entries(opts).flat(), '--json');
      assert.notEqual(res.code, 0, override.join(' '));
      assert.equal(res.stdout, '');
      assert.match(res.stderr, re);
      assert.equal(res.stderr.trim().split('\n').length, 1, res.stderr);
    }
    assert.deepEqual(JSON.parse((await cli('keys', 'list', '--project', p.uuid, '--json')).stdout), []);
    const empty = await cli('projects', 'create', '--name', ' ', '--json');
    assert.notEqual(empty.code, 0);
    assert.match(empty.stderr, /must not be empty/);
    const unknown = await cli('keys', 'list', '--project', 'proj_nope00000000000');
    assert.notEqual(unknown.code, 0);
  });

  test('a configuration error stops with one line naming the variable', async () => {
    const res = await runCli(['projects', 'list'], { ...db.env, VIGIL_PORT: 'eighty' });
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /VIGIL_PORT/);
    assert.equal(res.stderr.trim().split('\n').length, 1);
    const pg = await runCli(['projects', 'list'], { ...db.env, DATABASE_URL: 'mysql://x' });
    assert.match(pg.stderr, /DATABASE_URL/);
  });
});
