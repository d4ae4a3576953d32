import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase, runCli, type Db } from './harness.ts';
import { SERVER_VARIABLES } from '../src/config.ts';

let db: Db;
const cli = (...args: string[]) => runCli(args, db.env);
before(async () => {
  db = await freshDatabase();
});
after(async () => {
  await db.drop();
});

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
    const res = await cli(
      'keys',
      'create',
      '--project',
      p.uuid,
      '--name',
      'CI/CD Pipeline',
      '--permission',
      'read_only',
      '--expires',
      '2099-01-31',
      '--json',
    );
    assert.equal(res.code, 0, res.stderr);
    const k = JSON.parse(res.stdout);
    assert.deepEqual(Object.keys(k).sort(), [
      'createdAt',
      'expiresAt',
      'id',
      'key',
      'lastUsedAt',
      'masked',
      'name',
      'permission',
    ]);
    assert.match(k.key, /^sk_[A-Za-z0-9]{28,}$/);
    assert.equal(k.permission, 'read_only');
    assert.equal(k.expiresAt, '2099-01-31T00:00:00.000Z');
    assert.equal(k.lastUsedAt, null);
    assert.equal(k.masked, `${k.key.slice(0, 7)}…${k.key.slice(-4)}`);
    const never = JSON.parse(
      (await cli('keys', 'create', '--project', p.uuid, '--name', 'n', '--permission', 'read_write', '--json')).stdout,
    );
    assert.equal(never.expiresAt, null);
    const dt = JSON.parse(
      (
        await cli(
          'keys',
          'create',
          '--project',
          p.uuid,
          '--name',
          't',
          '--permission',
          'read_write',
          '--expires',
          '2099-03-01T12:30:00+02:00',
          '--json',
        )
      ).stdout,
    );
    assert.equal(dt.expiresAt, '2099-03-01T10:30:00.000Z');

    const listRes = await cli('keys', 'list', '--project', p.uuid, '--json');
    const list = JSON.parse(listRes.stdout);
    assert.equal(list.length, 3);
    assert.ok(!listRes.stdout.includes(k.key));
    assert.deepEqual(
      list.find((x: any) => x.id === k.id),
      {
        id: k.id,
        name: 'CI/CD Pipeline',
        permission: 'read_only',
        expiresAt: k.expiresAt,
        createdAt: k.createdAt,
        lastUsedAt: null,
        masked: k.masked,
        createdBy: null,
      },
    );

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

  test('--version prints the version of package.json', async () => {
    const { version } = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../package.json'), 'utf8'));
    for (const flag of ['--version', '-V']) {
      const res = await cli(flag);
      assert.equal(res.code, 0);
      assert.equal(res.stdout, `${version}\n`);
    }
  });

  test('a command run where there is no database says which data folder it looked in, and creates none', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-nodb-'));
    try {
      for (const args of [
        ['projects', 'list'],
        ['keys', 'list', '--project', 'Default'],
        ['users', 'list'],
        ['probes', 'list', '--project', 'Default'],
        ['keys', 'create', '--project', 'Default', '--name', 'x', '--permission', 'read_only'],
      ]) {
        const res = await runCli(args, { VIGIL_DATA_DIR: empty, DATABASE_URL: '' });
        assert.equal(res.code, 1, args.join(' '));
        assert.equal(
          res.stderr,
          `vigil: no Vigil database in ${empty} (VIGIL_DATA_DIR): run this where vigil serve runs, with the same VIGIL_DATA_DIR or DATABASE_URL\n`,
        );
      }
      assert.deepEqual(fs.readdirSync(empty), [], 'nothing was created');
      const made = await runCli(['projects', 'create', '--name', 'First'], { VIGIL_DATA_DIR: empty, DATABASE_URL: '' });
      assert.equal(made.code, 0, made.stderr);
      assert.equal(made.stderr, `vigil: making a new database at ${path.join(empty, 'vigil.db')} (VIGIL_DATA_DIR)\n`);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  test('serve --help lists every environment variable the server reads, with the default docs/configuration.md gives', async () => {
    const help = (await cli('serve', '--help')).stdout;
    const docs = fs.readFileSync(path.resolve(import.meta.dirname, '../docs/configuration.md'), 'utf8');
    const config =
      fs.readFileSync(path.resolve(import.meta.dirname, '../src/config.ts'), 'utf8') +
      fs.readFileSync(path.resolve(import.meta.dirname, '../src/egress/policy.ts'), 'utf8');
    const read = new Set([...config.matchAll(/env(?:\.|, '|\[')([A-Z_]+)/g)].map((m) => m[1]));
    for (const name of read)
      assert.ok(
        SERVER_VARIABLES.some(([n]) => n === name) || name.startsWith('VIGIL_LIMIT_'),
        `${name} is in SERVER_VARIABLES`,
      );
    assert.ok(read.size >= 15, `${read.size} variables read by name`);
    for (const [name, fallback] of SERVER_VARIABLES) {
      assert.match(help, new RegExp(`^  ${name} +.*\\(default ${fallback.replace(/[.$<>]/g, '\\$&')}\\)$`, 'm'), name);
      const row = new RegExp(`^\\| \`${name}\` \\| \`?${fallback.replace(/[.$<>]/g, '\\$&')}\`? \\|`, 'm');
      assert.match(docs, row, `${name} in docs/configuration.md with the default ${fallback}`);
    }
  });

  test("--project takes a project's name when no other project has it", async () => {
    const solo = JSON.parse((await cli('projects', 'create', '--name', 'Solo project', '--json')).stdout);
    await cli('projects', 'create', '--name', 'Twin');
    await cli('projects', 'create', '--name', 'Twin');
    const key = await cli(
      'keys',
      'create',
      '--project',
      'Solo project',
      '--name',
      'by name',
      '--permission',
      'read_only',
      '--json',
    );
    assert.equal(key.code, 0, key.stderr);
    const list = JSON.parse((await cli('keys', 'list', '--project', solo.uuid, '--json')).stdout);
    assert.deepEqual(
      list.map((k: any) => k.name),
      ['by name'],
    );
    const twin = await cli('keys', 'list', '--project', 'Twin');
    assert.equal(twin.code, 1);
    assert.equal(twin.stderr, 'vigil: Several projects are named "Twin": name it by its uuid (vigil projects list)\n');
    const none = await cli('keys', 'list', '--project', 'Nope');
    assert.equal(none.stderr, 'vigil: Project "Nope" not found\n');
  });
});
