import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { freshDatabase, runCli, type Db } from './harness.ts';
import { loadConfig } from '../src/config.ts';
import { openContext } from '../src/main.ts';
import { authenticateUser, listUserProjects } from '../src/services/users.ts';

let db: Db;
before(async () => { db = await freshDatabase(); });
after(async () => { await db.drop(); });

const BIN = path.resolve(import.meta.dirname, '../bin/vigil.js');

/** Runs the CLI with `stdin` piped to it. */
function cli(args: string[], stdin: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...db.env, VIGIL_LOG_LEVEL: 'silent' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('vigil users create', () => {
  test('the first user, made before the server ever ran, owns the "Default" project and can sign in with the piped password', async () => {
    const res = await cli(['users', 'create', '--email', ' Admin@Example.org ', '--password-stdin', '--json'], 'a long passphrase\n');
    assert.equal(res.code, 0, res.stderr);
    const u = JSON.parse(res.stdout);
    assert.deepEqual(Object.keys(u), ['id', 'email', 'createdAt', 'ownerOf']);
    assert.match(u.id, /^user_[A-Za-z0-9]{14}$/);
    assert.equal(u.email, 'admin@example.org');
    assert.match(u.createdAt, ISO);
    assert.equal(u.ownerOf.length, 1);
    const projects = JSON.parse((await runCli(['projects', 'list', '--json'], db.env)).stdout);
    assert.deepEqual(projects.map((p: any) => [p.uuid, p.name]), [[u.ownerOf[0], 'Default']]);

    const ctx = await openContext(loadConfig({ ...db.env, VIGIL_LOG_LEVEL: 'silent' }));
    try {
      const user = await authenticateUser(ctx, 'admin@example.org', 'a long passphrase');
      assert.ok(user, 'the password is the piped line without its newline');
      assert.equal(await authenticateUser(ctx, 'admin@example.org', 'a long passphrase\n'), null);
      assert.deepEqual((await listUserProjects(ctx, user.id)).map((p) => [p.uuid, p.role]), [[u.ownerOf[0], 'owner']]);
    } finally {
      await ctx.store.close();
    }
  });

  test('later users own nothing; the human output says where to sign in', async () => {
    const res = await cli(['users', 'create', '--email', 'second@example.org', '--password-stdin'], 'second passphrase');
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^Created user second@example\.org \(user_[A-Za-z0-9]{14}\)\.\nSign in at http:\/\/localhost:8080\/app\n$/);
  });

  test('bad input is refused with one line on stderr, a non-zero exit, and no user created', async () => {
    const cases: [string[], string, RegExp][] = [
      [['--email', 'ADMIN@example.org'], 'another passphrase', /A user with email admin@example\.org already exists/],
      [['--email', 'not-an-email'], 'another passphrase', /Email must be a valid address/],
      [['--email', ''], 'another passphrase', /Email is required/],
      [['--email', 'third@example.org'], 'short\n', /Password must be at least 10 characters/],
      [['--email', 'third@example.org'], '', /Password must be at least 10 characters/],
    ];
    for (const [args, stdin, re] of cases) {
      const res = await cli(['users', 'create', ...args, '--password-stdin', '--json'], stdin);
      assert.notEqual(res.code, 0, args.join(' '));
      assert.equal(res.stdout, '');
      assert.match(res.stderr, re);
      assert.equal(res.stderr.trim().split('\n').length, 1, res.stderr);
    }
    const missing = await cli(['users', 'create', '--email', 'third@example.org'], 'third passphrase');
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /--password-stdin/);
    const ctx = await openContext(loadConfig({ ...db.env, VIGIL_LOG_LEVEL: 'silent' }));
    try {
      const emails = (await ctx.store.db.selectFrom('users').select('email').orderBy('id').execute()).map((r) => r.email);
      assert.deepEqual(emails, ['admin@example.org', 'second@example.org']);
    } finally {
      await ctx.store.close();
    }
  });
});
