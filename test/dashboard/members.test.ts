import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../harness.ts';
import { FormClient, csrfOf, textOf } from '../support/browser-client.ts';
import { plain, signIn, signedInAdmin } from '../support/dashboard-session.ts';
import { createUser } from '../../src/services/users.ts';
import { listMembers } from '../../src/services/members.ts';

let h: Harness;
let admin: FormClient;
const members = (rest = '') => `/app/projects/${h.project.uuid}/settings/members${rest}`;
const BOB = { email: 'bob@example.org', password: 'bob password 123' };
const roles = async () => Object.fromEntries((await listMembers(h.ctx, h.project.id)).map((m) => [m.email, m.role]));
const uuidOf = async (email: string) => (await listMembers(h.ctx, h.project.id)).find((m) => m.email === email)!.uuid;

before(async () => {
  h = await startHarness();
  admin = await signedInAdmin(h);
  await createUser(h.ctx, BOB);
});
after(async () => { await h.stop(); });

async function add(fields: Record<string, string>) {
  return admin.submit(members(), members(), fields);
}

describe('project members in the dashboard', () => {
  test('a user who is not a member gets the same 404 as for an unknown project, on every screen', async () => {
    const bob = await signIn(h, BOB.email, BOB.password);
    const unknown = await bob.get('/app/projects/proj_doesnotexist0000/monitors');
    assert.equal(unknown.status, 404);
    for (const rest of ['monitors', 'healthchecks', 'outages', 'settings/developers', 'settings/members']) {
      const res = await bob.get(`/app/projects/${h.project.uuid}/${rest}`);
      assert.equal(res.status, 404, rest);
      assert.equal(plain(res.text), plain(unknown.text), rest);
    }
    assert.doesNotMatch((await bob.get('/app/projects')).text, /Test project/);
  });

  test('the owner sees the members tab with themself as owner and the add form', async () => {
    const page = await admin.get(members());
    assert.equal(page.status, 200);
    assert.match(page.text, /<nav class="tabs" aria-label="Project settings">[\s\S]*aria-current="page">Members</);
    assert.match(plain(page.text), /admin@example\.org \(you\)/);
    assert.match(page.text, /<option value="owner" selected>Owner<\/option>/);
    assert.match(page.text, /<label for="f-email">Email<\/label>/);
    assert.match(page.text, /<label for="f-password">Initial password<\/label>/);
  });

  test('adding refuses what the rules refuse, beside the field, and changes nothing', async () => {
    const before = await roles();
    const bad = await add({ email: 'not-an-email', role: 'member', password: '' });
    assert.equal(bad.status, 422);
    assert.equal(textOf(bad.text, 'f-email-error'), 'Email must be a valid address such as ann@example.org');
    const noPassword = await add({ email: 'carol@example.org', role: 'member', password: '' });
    assert.equal(textOf(noPassword.text, 'f-password-error'), 'Nobody has an account with carol@example.org yet: type an initial password to create one');
    assert.match(noPassword.text, /id="f-email"[^>]*value="carol@example\.org"/, 'the typed email is kept');
    const short = await add({ email: 'carol@example.org', role: 'member', password: 'short' });
    assert.equal(textOf(short.text, 'f-password-error'), 'Password must be at least 10 characters');
    const reset = await add({ email: BOB.email, role: 'member', password: 'a new password for bob' });
    assert.equal(textOf(reset.text, 'f-password-error'), 'bob@example.org already has an account: leave the initial password empty to add them');
    const role = await add({ email: BOB.email, role: 'admin', password: '' });
    assert.equal(textOf(role.text, 'f-role-error'), 'Role must be owner or member');
    const self = await add({ email: 'ADMIN@example.org', role: 'member', password: '' });
    assert.equal(textOf(self.text, 'f-email-error'), 'admin@example.org is already a member of this project');
    assert.deepEqual(await roles(), before);
    // Bob's password was not changed by the refused attempt.
    await signIn(h, BOB.email, BOB.password);
  });

  test('an existing user added as member sees the project, but cannot manage members', async () => {
    const res = await add({ email: ' Bob@Example.org ', role: 'member', password: '' });
    assert.equal(res.status, 303);
    assert.equal(res.location, members('?done=added'));
    assert.match(plain((await admin.get(res.location!)).text), /The member was added/);
    assert.equal((await roles())['bob@example.org'], 'member');

    const bob = await signIn(h, BOB.email, BOB.password);
    assert.match((await bob.get('/app/projects')).text, /Test project/);
    assert.equal((await bob.get(`/app/projects/${h.project.uuid}/monitors`)).status, 200);
    const page = await bob.get(members());
    assert.equal(page.status, 200, 'a member sees who belongs to the project');
    assert.match(plain(page.text), /Only owners can change who belongs to it/);
    assert.doesNotMatch(page.text, /Add a member|action="[^"]*\/role"|\/remove"/);

    const token = csrfOf(page.text);
    const adminUuid = await uuidOf('admin@example.org');
    const before = await roles();
    for (const [path, fields] of [
      [members(), { email: 'eve@example.org', role: 'owner', password: 'eve password 123' }],
      [members(`/${await uuidOf(BOB.email)}/role`), { role: 'owner' }],
      [members(`/${adminUuid}/role`), { role: 'member' }],
      [members(`/${adminUuid}/remove`), {}],
    ] as const) {
      const r = await bob.post(path, { _csrf: token, ...fields });
      assert.equal(r.status, 403, path);
      assert.match(r.text, /Only the project’s owners can add, change or remove its members/);
    }
    assert.equal((await bob.get(members(`/${adminUuid}/remove`))).status, 403);
    assert.deepEqual(await roles(), before);
    assert.equal((await h.ctx.store.db.selectFrom('users').select('id').where('email', '=', 'eve@example.org').executeTakeFirst()), undefined);
  });

  test('a new user is created with the initial password the owner typed, as owner', async () => {
    const res = await add({ email: 'carol@example.org', role: 'owner', password: 'carol initial pw' });
    assert.equal(res.status, 303);
    assert.equal((await roles())['carol@example.org'], 'owner');
    const carol = await signIn(h, 'carol@example.org', 'carol initial pw');
    const page = await carol.get(members());
    assert.match(page.text, /Add a member/, 'an owner added here manages members too');
  });

  test('roles change; the last owner can be neither demoted nor removed', async () => {
    const carol = await uuidOf('carol@example.org');
    const bob = await uuidOf(BOB.email);
    const admin0 = await uuidOf('admin@example.org');
    let page = await admin.get(members());
    assert.equal((await admin.post(members(`/${carol}/role`), { _csrf: csrfOf(page.text), role: 'member' })).status, 303);
    assert.equal((await admin.post(members(`/${bob}/role`), { _csrf: csrfOf(page.text), role: 'owner' })).status, 303);
    assert.deepEqual(await roles(), { 'admin@example.org': 'owner', 'bob@example.org': 'owner', 'carol@example.org': 'member' });
    assert.equal((await admin.post(members(`/${bob}/role`), { _csrf: csrfOf(page.text), role: 'member' })).status, 303);

    // The admin is now the only owner.
    page = await admin.get(members());
    const demote = await admin.post(members(`/${admin0}/role`), { _csrf: csrfOf(page.text), role: 'member' });
    assert.equal(demote.status, 422);
    assert.equal(textOf(demote.text, 'members-error'), 'A project keeps at least one owner: make someone else owner first');
    const remove = await admin.post(members(`/${admin0}/remove`), { _csrf: csrfOf(page.text) });
    assert.equal(remove.status, 422);
    assert.equal((await roles())['admin@example.org'], 'owner');

    const unknown = await admin.post(members('/user_nobody/role'), { _csrf: csrfOf(page.text), role: 'owner' });
    assert.equal(unknown.status, 404);
    const badRole = await admin.post(members(`/${bob}/role`), { _csrf: csrfOf(page.text), role: 'root' });
    assert.equal(badRole.status, 422);
    assert.equal((await roles())['bob@example.org'], 'member');
  });

  test('a removed member loses access at once; their account stays', async () => {
    const bobClient = await signIn(h, BOB.email, BOB.password);
    assert.equal((await bobClient.get(`/app/projects/${h.project.uuid}/monitors`)).status, 200);
    const bob = await uuidOf(BOB.email);
    const confirm = await admin.get(members(`/${bob}/remove`));
    assert.equal(confirm.status, 200);
    assert.match(plain(confirm.text), /Remove bob@example\.org \(Member\) from Test project\?/);
    const res = await admin.post(members(`/${bob}/remove`), { _csrf: csrfOf(confirm.text) });
    assert.equal(res.status, 303);
    assert.equal(res.location, members('?done=removed'));
    assert.equal((await roles())['bob@example.org'], undefined);
    assert.equal((await bobClient.get(`/app/projects/${h.project.uuid}/monitors`)).status, 404, 'the same session is refused at once');
    await signIn(h, BOB.email, BOB.password); // the account still exists
  });

  test('an owner may leave when another owner remains, and is sent to their projects', async () => {
    const page = await admin.get(members());
    const carol = await uuidOf('carol@example.org');
    assert.equal((await admin.post(members(`/${carol}/role`), { _csrf: csrfOf(page.text), role: 'owner' })).status, 303);
    const leave = await admin.post(members(`/${await uuidOf('admin@example.org')}/remove`), { _csrf: csrfOf(page.text) });
    assert.equal(leave.status, 303);
    assert.equal(leave.location, '/app/projects');
    assert.equal((await admin.get(members())).status, 404);
    assert.deepEqual(await roles(), { 'carol@example.org': 'owner' });
  });

  test('a form without its CSRF token changes nothing', async () => {
    const carol = await signIn(h, 'carol@example.org', 'carol initial pw');
    const res = await carol.post(members(), { email: BOB.email, role: 'owner', password: '' });
    assert.equal(res.status, 403);
    assert.deepEqual(await roles(), { 'carol@example.org': 'owner' });
  });
});
