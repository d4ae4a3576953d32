import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Harness } from './harness.ts';
import type { FormClient } from './support/browser-client.ts';
import { dashboardProject, plain, signIn } from './support/dashboard-session.ts';
import { createUser } from '../src/services/users.ts';

let h: Harness;
let admin: FormClient;

// A server and its first user (admin@example.org, signed in): the CLI runs against the same database.
before(async () => {
  ({ h, admin } = await dashboardProject());
});
after(async () => {
  await h.stop();
});

describe('projects and members from the CLI', () => {
  const projectCount = async () => (await h.ctx.store.db.selectFrom('projects').select('id').execute()).length;
  const oneLine = (res: { code: number; stdout: string; stderr: string }, re: RegExp) => {
    assert.notEqual(res.code, 0);
    assert.equal(res.stdout, '');
    assert.match(res.stderr, re);
    assert.equal(res.stderr.trim().split('\n').length, 1, res.stderr);
  };

  test('projects create --owner makes that existing user the owner; an unknown email creates nothing', async () => {
    const before = await projectCount();
    oneLine(
      await h.cli(['projects', 'create', '--name', 'Nobody’s', '--owner', 'ghost@example.org', '--json']),
      /^vigil: No user has the email ghost@example\.org/,
    );
    oneLine(
      await h.cli(['projects', 'create', '--name', 'Bad', '--owner', 'not-an-email']),
      /Email must be a valid address/,
    );
    assert.equal(await projectCount(), before);

    const res = await h.cli(['projects', 'create', '--name', 'Ops', '--owner', ' Admin@Example.org ', '--json']);
    assert.equal(res.code, 0, res.stderr);
    const p = JSON.parse(res.stdout);
    assert.deepEqual(Object.keys(p), ['uuid', 'name', 'createdAt', 'owner']);
    const user = await h.ctx.store.db
      .selectFrom('users')
      .select('uuid')
      .where('email', '=', 'admin@example.org')
      .executeTakeFirstOrThrow();
    assert.deepEqual(p.owner, { id: user.uuid, email: 'admin@example.org' });
    const members = await admin.get(`/app/projects/${p.uuid}/settings/members`);
    assert.equal(members.status, 200);
    assert.match(plain(members.text), /admin@example\.org.*Owner/i);
    const human = await h.cli(['projects', 'create', '--name', 'Ops 2', '--owner', 'admin@example.org']);
    assert.match(human.stdout, /^Created project proj_[A-Za-z0-9]{14} "Ops 2", owned by admin@example\.org\n$/);
  });

  test('members add puts an existing user in a project made without members, as owner or member', async () => {
    const bare = JSON.parse((await h.cli(['projects', 'create', '--name', 'Bare', '--json'])).stdout);
    await createUser(h.ctx, { email: 'ops@example.org', password: 'ops passphrase 1' });
    const ops = await signIn(h, 'ops@example.org', 'ops passphrase 1');
    assert.equal((await ops.get(`/app/projects/${bare.uuid}/monitors`)).status, 404);

    oneLine(
      await h.cli(['members', 'add', '--project', bare.uuid, '--email', 'ghost@example.org', '--role', 'owner']),
      /No user has the email ghost@example\.org/,
    );
    oneLine(
      await h.cli(['members', 'add', '--project', bare.uuid, '--email', 'ops@example.org', '--role', 'admin']),
      /Role must be owner or member/,
    );
    oneLine(
      await h.cli([
        'members',
        'add',
        '--project',
        'proj_nope00000000000',
        '--email',
        'ops@example.org',
        '--role',
        'owner',
      ]),
      /Project not found/,
    );

    const res = await h.cli([
      'members',
      'add',
      '--project',
      bare.uuid,
      '--email',
      'ops@example.org',
      '--role',
      'owner',
      '--json',
    ]);
    assert.equal(res.code, 0, res.stderr);
    const m = JSON.parse(res.stdout);
    assert.deepEqual([m.project, m.email, m.role], [bare.uuid, 'ops@example.org', 'owner']);
    assert.match(m.user, /^user_/);
    assert.equal((await ops.get(`/app/projects/${bare.uuid}/monitors`)).status, 200);
    // As the first owner, they can now add people from the dashboard.
    assert.match((await ops.get(`/app/projects/${bare.uuid}/settings/members`)).text, /name="email"/);

    oneLine(
      await h.cli(['members', 'add', '--project', bare.uuid, '--email', 'ops@example.org', '--role', 'member']),
      /already a member/,
    );
    const human = await h.cli([
      'members',
      'add',
      '--project',
      bare.uuid,
      '--email',
      'admin@example.org',
      '--role',
      'member',
    ]);
    assert.equal(human.stdout, `Added admin@example.org to ${bare.uuid} as member\n`);
  });
});
