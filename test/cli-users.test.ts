import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { freshDatabase, runCli, type Db } from './harness.ts';
import { loadConfig } from '../src/config.ts';
import { openContext } from '../src/main.ts';
import { authenticateUser, createSession, createUser, listUserProjects, sessionUser } from '../src/services/users.ts';
import { confirmEnrolment, hasTwoFactor, startEnrolment } from '../src/services/two-factor.ts';
import { base32Decode, totp } from '../src/domain/totp.ts';

let db: Db;
before(async () => {
  db = await freshDatabase();
});
after(async () => {
  await db.drop();
});

const BIN = path.resolve(import.meta.dirname, '../bin/vigil.js');

/** Runs the CLI with `stdin` piped to it. */
function cli(args: string[], stdin: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...db.env, VIGIL_LOG_LEVEL: 'silent' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('vigil users create', () => {
  test('the first user, made before the server ever ran, owns the "Default" project and can sign in with the piped password', async () => {
    const res = await cli(
      ['users', 'create', '--email', ' Admin@Example.org ', '--password-stdin', '--json'],
      'a long passphrase\n',
    );
    assert.equal(res.code, 0, res.stderr);
    const u = JSON.parse(res.stdout);
    assert.deepEqual(Object.keys(u), ['id', 'email', 'createdAt', 'ownerOf']);
    assert.match(u.id, /^user_[A-Za-z0-9]{14}$/);
    assert.equal(u.email, 'admin@example.org');
    assert.match(u.createdAt, ISO);
    assert.equal(u.ownerOf.length, 1);
    const projects = JSON.parse((await runCli(['projects', 'list', '--json'], db.env)).stdout);
    assert.deepEqual(
      projects.map((p: any) => [p.uuid, p.name]),
      [[u.ownerOf[0], 'Default']],
    );

    const ctx = await openContext(loadConfig({ ...db.env, VIGIL_LOG_LEVEL: 'silent' }));
    try {
      const user = await authenticateUser(ctx, 'admin@example.org', 'a long passphrase');
      assert.ok(user, 'the password is the piped line without its newline');
      assert.equal(await authenticateUser(ctx, 'admin@example.org', 'a long passphrase\n'), null);
      assert.deepEqual(
        (await listUserProjects(ctx, user.id)).map((p) => [p.uuid, p.role]),
        [[u.ownerOf[0], 'owner']],
      );
    } finally {
      await ctx.store.close();
    }
  });

  test('later users own nothing; the human output says where to sign in', async () => {
    const res = await cli(
      ['users', 'create', '--email', 'second@example.org', '--password-stdin'],
      'second passphrase',
    );
    assert.equal(res.code, 0, res.stderr);
    assert.match(
      res.stdout,
      /^Created user second@example\.org \(user_[A-Za-z0-9]{14}\)\.\nSign in at http:\/\/localhost:8080\/app \(from VIGIL_PORT; set VIGIL_PUBLIC_URL to the address people reach Vigil at\)\n$/,
    );
    const child = spawn(
      process.execPath,
      [BIN, 'users', 'create', '--email', 'fourth@example.org', '--password-stdin'],
      { env: { ...process.env, ...db.env, VIGIL_PUBLIC_URL: 'https://status.example.org:8443' } },
    );
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stdin.end('fourth passphrase');
    await new Promise((r) => child.on('close', r));
    assert.match(
      out,
      /\nSign in at https:\/\/status\.example\.org:8443\/app\n$/,
      'the address of VIGIL_PUBLIC_URL, port and all',
    );
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
      const emails = (await ctx.store.db.selectFrom('users').select('email').orderBy('id').execute()).map(
        (r) => r.email,
      );
      assert.deepEqual(emails, ['admin@example.org', 'second@example.org', 'fourth@example.org']);
    } finally {
      await ctx.store.close();
    }
  });
});

describe('vigil users list and reset-password', () => {
  test('list shows every user with their project count; reset-password sets the password and ends every session of that user only', async () => {
    const list = JSON.parse((await runCli(['users', 'list', '--json'], db.env)).stdout);
    assert.deepEqual(list.map((u: any) => [u.email, u.projects]).slice(0, 2), [
      ['admin@example.org', 1],
      ['second@example.org', 0],
    ]);
    const table = (await runCli(['users', 'list'], db.env)).stdout;
    assert.match(table, /^ID +EMAIL +CREATED +PROJECTS\n/);
    const ctx = await openContext(loadConfig({ ...db.env, VIGIL_LOG_LEVEL: 'silent' }));
    try {
      const admin = (await authenticateUser(ctx, 'admin@example.org', 'a long passphrase'))!;
      const second = (await authenticateUser(ctx, 'second@example.org', 'second passphrase'))!;
      const sessions = [
        await createSession(ctx, admin.id),
        await createSession(ctx, admin.id),
        await createSession(ctx, second.id),
      ];
      const res = await cli(
        ['users', 'reset-password', '--email', 'ADMIN@example.org', '--password-stdin', '--json'],
        'a brand new passphrase\n',
      );
      assert.equal(res.code, 0, res.stderr);
      assert.deepEqual(JSON.parse(res.stdout), { id: admin.uuid, email: 'admin@example.org', sessionsEnded: 2 });
      assert.equal(
        await authenticateUser(ctx, 'admin@example.org', 'a long passphrase'),
        null,
        'the old password is gone',
      );
      assert.ok(await authenticateUser(ctx, 'admin@example.org', 'a brand new passphrase'));
      assert.deepEqual(await Promise.all(sessions.map(async (s) => (await sessionUser(ctx, s.token))?.email ?? null)), [
        null,
        null,
        'second@example.org',
      ]);
      const unknown = await cli(
        ['users', 'reset-password', '--email', 'nobody@example.org', '--password-stdin'],
        'a brand new passphrase',
      );
      assert.equal(unknown.code, 1);
      assert.equal(unknown.stderr, 'vigil: User not found\n');
      const short = await cli(['users', 'reset-password', '--email', 'admin@example.org', '--password-stdin'], 'short');
      assert.match(short.stderr, /Password must be at least 10 characters/);
      assert.ok(
        await authenticateUser(ctx, 'admin@example.org', 'a brand new passphrase'),
        'a refused reset changes nothing',
      );
    } finally {
      await ctx.store.close();
    }
  });
});

describe('vigil users reset-password --disable-2fa', () => {
  test('turns off two-factor sign-in (the password unchanged, or a new one with --password-stdin) and ends every session; without either option it refuses', async () => {
    const ctx = await openContext(loadConfig({ ...db.env, VIGIL_LOG_LEVEL: 'silent' }));
    try {
      await createUser(ctx, { email: 'phone-lost@example.org', password: 'lost phone passphrase' });
      const user = (await authenticateUser(ctx, 'phone-lost@example.org', 'lost phone passphrase'))!;
      const { secret } = await startEnrolment(ctx, user);
      await confirmEnrolment(ctx, user.id, totp(base32Decode(secret)!, Date.now()));
      assert.equal(await hasTwoFactor(ctx, user.id), true);
      const session = await createSession(ctx, user.id);

      const neither = await cli(['users', 'reset-password', '--email', 'phone-lost@example.org'], '');
      assert.equal(neither.code, 1);
      assert.equal(neither.stderr, 'vigil: reset-password needs --password-stdin, --disable-2fa, or both\n');
      assert.equal(await hasTwoFactor(ctx, user.id), true);

      const res = await cli(
        ['users', 'reset-password', '--email', 'phone-lost@example.org', '--disable-2fa', '--json'],
        '',
      );
      assert.equal(res.code, 0, res.stderr);
      assert.deepEqual(JSON.parse(res.stdout), {
        id: user.uuid,
        email: 'phone-lost@example.org',
        sessionsEnded: 1,
        twoFactorDisabled: true,
      });
      assert.equal(await hasTwoFactor(ctx, user.id), false);
      assert.equal(await sessionUser(ctx, session.token), null);
      assert.ok(
        await authenticateUser(ctx, 'phone-lost@example.org', 'lost phone passphrase'),
        'the password is unchanged',
      );
      assert.equal(
        (await ctx.store.db.selectFrom('recovery_codes').select('code_hash').where('user_id', '=', user.id).execute())
          .length,
        0,
      );

      const again = await cli(
        ['users', 'reset-password', '--email', 'phone-lost@example.org', '--disable-2fa', '--password-stdin'],
        'another passphrase\n',
      );
      assert.equal(again.code, 0, again.stderr);
      assert.match(
        again.stdout,
        /^Set a new password and two-factor sign-in was already off for phone-lost@example\.org; 0 sessions ended\.\n/,
      );
      assert.ok(await authenticateUser(ctx, 'phone-lost@example.org', 'another passphrase'));
    } finally {
      await ctx.store.close();
    }
  });
});
