// Project members in the dashboard: people join by invitation (a link shown once, emailed when
// SMTP is set up, valid for a week) and choose their own password; owners change roles and
// remove members, whose API keys go with them. test/dashboard/roles.test.ts holds the role table.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../harness.ts';
import { FormClient, csrfOf, textOf } from '../support/browser-client.ts';
import { plain, signIn, signedInAdmin } from '../support/dashboard-session.ts';
import { createUser } from '../../src/services/users.ts';
import { listMembers } from '../../src/services/members.ts';

let h: Harness;
let admin: FormClient;
let offset = 0;
const members = (rest = '') => `/app/projects/${h.project.uuid}/settings/members${rest}`;
const BOB = { email: 'bob@example.org', password: 'bob password 123' };
const roles = async () => Object.fromEntries((await listMembers(h.ctx, h.project.id)).map((m) => [m.email, m.role]));
const uuidOf = async (email: string) => (await listMembers(h.ctx, h.project.id)).find((m) => m.email === email)!.uuid;
const userCount = async () => (await h.ctx.store.db.selectFrom('users').select('id').execute()).length;
const LINK = /id="invite-link"[^>]*value="([^"]+)"/;

before(async () => {
  h = await startHarness({ clock: () => Date.now() + offset });
  admin = await signedInAdmin(h);
  await createUser(h.ctx, BOB);
});
after(async () => {
  await h.stop();
});

async function invite(fields: Record<string, string>, by = admin) {
  return by.submit(members(), members(), fields);
}

/** Invites and returns the link's path (/app/invite/…). */
async function invitePath(email: string, role = 'member'): Promise<string> {
  const res = await invite({ email, role });
  assert.equal(res.status, 201, plain(res.text));
  const link = LINK.exec(res.text)?.[1];
  assert.ok(link, 'the link is shown');
  return new URL(link).pathname;
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

  test('the owner sees the members tab with themself as owner, the role table and the invite form, without a password field', async () => {
    const page = await admin.get(members());
    assert.equal(page.status, 200);
    assert.match(page.text, /<nav class="tabs" aria-label="Project settings">[\s\S]*aria-current="page">Members</);
    assert.match(plain(page.text), /admin@example\.org \(you\)/);
    assert.match(page.text, /<option value="owner" selected>Owner<\/option>/);
    assert.match(page.text, /<label for="f-email">Email<\/label>/);
    assert.match(plain(page.text), /Who may do what/);
    assert.doesNotMatch(page.text, /type="password"/, "nobody sets another person's password");
  });

  test('inviting refuses what the rules refuse, beside the field, and changes nothing', async () => {
    const before = await roles();
    const bad = await invite({ email: 'not-an-email', role: 'member' });
    assert.equal(bad.status, 422);
    assert.equal(textOf(bad.text, 'f-email-error'), 'Email must be a valid address such as ann@example.org');
    assert.match(bad.text, /id="f-email"[^>]*value="not-an-email"/, 'the typed email is kept');
    const role = await invite({ email: BOB.email, role: 'admin' });
    assert.equal(textOf(role.text, 'f-role-error'), 'Role must be owner or member');
    const self = await invite({ email: 'ADMIN@example.org', role: 'member' });
    assert.equal(textOf(self.text, 'f-email-error'), 'admin@example.org is already a member of this project');
    assert.deepEqual(await roles(), before);
    assert.equal((await h.ctx.store.db.selectFrom('invitations').select('id').execute()).length, 0);
  });

  test('the answer to an invitation never tells whether the address has an account elsewhere', async () => {
    const users = await userCount();
    const known = await invite({ email: BOB.email, role: 'member' });
    const unknown = await invite({ email: 'nobody-yet@example.org', role: 'member' });
    assert.equal(known.status, 201);
    assert.equal(unknown.status, 201);
    const shape = (html: string, email: string) =>
      plain(html)
        .replaceAll(email, 'EMAIL')
        .replace(/\/app\/invite\/inv_[A-Za-z0-9]+/g, 'LINK')
        .replace(/\d{4}-\d\d-\d\d \d\d:\d\d UTC/g, 'TIME')
        .replace(/Open invitations[\s\S]*?(?=Invite a member)/, '');
    assert.equal(shape(known.text, BOB.email), shape(unknown.text, 'nobody-yet@example.org'));
    assert.match(
      plain(unknown.text),
      /Copy this link now\. It is shown once; email is not set up on this server \( ?VIGIL_SMTP_URL ?\), so send it to them yourself\./,
    );
    assert.equal(await userCount(), users, 'no account is made by inviting');
    // Both wait in the list of open invitations, and revoking one stops its link.
    const page = await admin.get(members());
    assert.match(plain(page.text), /Open invitations[\s\S]*nobody-yet@example\.org[\s\S]*bob@example\.org/);
    const [uuid] = /data-invitation="(inv_[A-Za-z0-9]+)"[\s\S]*?nobody-yet/.exec(page.text)!.slice(1);
    const revoked = await admin.post(members(`/invitations/${uuid}/revoke`), { _csrf: csrfOf(page.text) });
    assert.equal(revoked.status, 303);
    assert.equal(revoked.location, members('?done=uninvited'));
  });

  test('a new person opens the link, chooses their own password and is in the project with the invited role; the link then stops working', async () => {
    const path = await invitePath('carol@example.org', 'owner');
    const carol = new FormClient(h.url);
    const page = await carol.get(path);
    assert.equal(page.status, 200);
    assert.match(plain(page.text), /You are invited to join the project Test project on Vigil as an owner\./);
    assert.match(plain(page.text), /Your account will be carol@example\.org/);
    const short = await carol.post(path, { _csrf: csrfOf(page.text), password: 'short' });
    assert.equal(short.status, 422);
    assert.equal(textOf(short.text, 'f-password-error'), 'Password must be at least 10 characters');
    const joined = await carol.post(path, { _csrf: csrfOf(page.text), password: 'carol own password' });
    assert.equal(joined.status, 303);
    assert.equal(joined.location, `/app/projects/${h.project.uuid}`);
    assert.equal((await roles())['carol@example.org'], 'owner');
    assert.match((await carol.get(members())).text, /Invite a member/, 'signed in, and an owner');
    await signIn(h, 'carol@example.org', 'carol own password');
    const again = await new FormClient(h.url).get(path);
    assert.equal(again.status, 404);
    assert.match(plain(again.text), /This invitation link does not work: it was used, revoked or has expired/);
  });

  test('someone with an account signs in through the link and joins; signed in as someone else, they are told to sign out', async () => {
    const path = await invitePath(BOB.email, 'member');
    const anon = await new FormClient(h.url).get(path);
    assert.match(plain(anon.text), /bob@example\.org already has an account: sign in with it to join/);
    const login = /href="(\/app\/login\?next=[^"]+)"/.exec(anon.text)![1].replaceAll('&amp;', '&');
    const bob = new FormClient(h.url);
    const form = await bob.get(login);
    assert.match(form.text, new RegExp(`name="next" value="${path}"`));
    const signedIn = await bob.post('/app/login', {
      _csrf: csrfOf(form.text),
      email: BOB.email,
      password: BOB.password,
      next: path,
    });
    assert.equal(signedIn.location, path, 'back to the invitation');
    const wrongUser = await admin.get(path);
    assert.match(
      plain(wrongUser.text),
      /This invitation is for bob@example\.org, and you are signed in as admin@example\.org/,
    );
    assert.equal((await admin.post(path, { _csrf: csrfOf(wrongUser.text) })).status, 403);
    const join = await bob.get(path);
    const joined = await bob.post(path, { _csrf: csrfOf(join.text) });
    assert.equal(joined.status, 303);
    assert.equal((await roles())['bob@example.org'], 'member');
    // A sign-in never leads anywhere but an invitation; someone with one project lands on its monitors.
    const elsewhere = await new FormClient(h.url).submit('/app/login', '/app/login', {
      email: BOB.email,
      password: BOB.password,
      next: 'https://evil.example/',
    });
    assert.equal(elsewhere.location, `/app/projects/${h.project.uuid}/monitors`);
    const several = await new FormClient(h.url).submit('/app/login', '/app/login', {
      email: 'admin@example.org',
      password: 'correct horse battery',
    });
    assert.equal(several.location, '/app/projects', 'the admin has two projects');
  });

  test('an invitation expires after a week', async () => {
    const path = await invitePath('dave@example.org');
    offset += 7 * 24 * 3600_000 + 1000;
    try {
      assert.equal((await new FormClient(h.url).get(path)).status, 404);
      assert.doesNotMatch(plain((await admin.get(members())).text), /dave@example\.org/);
    } finally {
      offset -= 7 * 24 * 3600_000 + 1000;
    }
  });

  test('a member sees the project and who belongs to it, but cannot manage members', async () => {
    const bob = await signIn(h, BOB.email, BOB.password);
    assert.equal((await bob.get(`/app/projects/${h.project.uuid}/monitors`)).status, 200);
    const page = await bob.get(members());
    assert.equal(page.status, 200, 'a member sees who belongs to the project');
    assert.match(plain(page.text), /Only owners can change who belongs to it/);
    assert.doesNotMatch(page.text, /Invite a member|action="[^"]*\/role"|Open invitations/);
    const token = csrfOf(page.text);
    const adminUuid = await uuidOf('admin@example.org');
    const before = await roles();
    for (const [path, fields] of [
      [members(), { email: 'eve@example.org', role: 'owner' }],
      [members(`/${await uuidOf(BOB.email)}/role`), { role: 'owner' }],
      [members(`/${adminUuid}/role`), { role: 'member' }],
      [members(`/${adminUuid}/remove`), {}],
    ] as const) {
      const r = await bob.post(path, { _csrf: token, ...fields });
      assert.equal(r.status, 403, path);
      assert.match(r.text, /Only the project’s owners may invite members, change roles, remove members/);
    }
    assert.equal((await bob.get(members(`/${adminUuid}/remove`))).status, 403);
    assert.deepEqual(await roles(), before);
  });

  test('roles change; the last owner can be neither demoted nor removed', async () => {
    const carol = await uuidOf('carol@example.org');
    const bob = await uuidOf(BOB.email);
    const admin0 = await uuidOf('admin@example.org');
    let page = await admin.get(members());
    assert.equal(
      (await admin.post(members(`/${carol}/role`), { _csrf: csrfOf(page.text), role: 'member' })).status,
      303,
    );
    assert.equal((await admin.post(members(`/${bob}/role`), { _csrf: csrfOf(page.text), role: 'owner' })).status, 303);
    assert.deepEqual(await roles(), {
      'admin@example.org': 'owner',
      'bob@example.org': 'owner',
      'carol@example.org': 'member',
    });
    assert.equal((await admin.post(members(`/${bob}/role`), { _csrf: csrfOf(page.text), role: 'member' })).status, 303);

    // The admin is now the only owner.
    page = await admin.get(members());
    const demote = await admin.post(members(`/${admin0}/role`), { _csrf: csrfOf(page.text), role: 'member' });
    assert.equal(demote.status, 422);
    assert.equal(
      textOf(demote.text, 'members-error'),
      'A project keeps at least one owner: make someone else owner first',
    );
    const remove = await admin.post(members(`/${admin0}/remove`), { _csrf: csrfOf(page.text) });
    assert.equal(remove.status, 422);
    assert.equal((await roles())['admin@example.org'], 'owner');

    const unknown = await admin.post(members('/user_nobody/role'), { _csrf: csrfOf(page.text), role: 'owner' });
    assert.equal(unknown.status, 404);
    const badRole = await admin.post(members(`/${bob}/role`), { _csrf: csrfOf(page.text), role: 'root' });
    assert.equal(badRole.status, 422);
    assert.equal((await roles())['bob@example.org'], 'member');
  });

  test('a removed member loses access at once, and the API keys they made stop working, saying so; their account stays', async () => {
    const bobClient = await signIn(h, BOB.email, BOB.password);
    const dev = `/app/projects/${h.project.uuid}/settings/developers`;
    const made = await bobClient.submit(dev, `${dev}/keys`, {
      name: 'bob ci',
      permission: 'read_only',
      expiration: 'never',
    });
    assert.equal(made.status, 201);
    const key = /sk_[A-Za-z0-9]{32}/.exec(made.text)![0];
    assert.equal((await h.request('GET', '/v1/monitors', { key })).status, 200);
    const bob = await uuidOf(BOB.email);
    const confirm = await admin.get(members(`/${bob}/remove`));
    assert.equal(confirm.status, 200);
    assert.match(
      plain(confirm.text),
      /Remove bob@example\.org \(Member\) from Test project\?.*The API keys they made in it are revoked\./,
    );
    const res = await admin.post(members(`/${bob}/remove`), { _csrf: csrfOf(confirm.text) });
    assert.equal(res.status, 303);
    assert.equal(res.location, members('?done=removed&keys=1'));
    assert.match(
      plain((await admin.get(res.location!)).text),
      /The member was removed: they no longer see this project\. The API key they made was revoked\./,
    );
    assert.equal((await roles())['bob@example.org'], undefined);
    assert.equal((await h.request('GET', '/v1/monitors', { key })).status, 401, 'their key no longer works');
    assert.equal(
      (await bobClient.get(`/app/projects/${h.project.uuid}/monitors`)).status,
      404,
      'the same session is refused at once',
    );
    await signIn(h, BOB.email, BOB.password); // the account still exists
  });

  test('an owner may leave when another owner remains, and is sent to their projects', async () => {
    const page = await admin.get(members());
    const carol = await uuidOf('carol@example.org');
    assert.equal(
      (await admin.post(members(`/${carol}/role`), { _csrf: csrfOf(page.text), role: 'owner' })).status,
      303,
    );
    const leave = await admin.post(members(`/${await uuidOf('admin@example.org')}/remove`), {
      _csrf: csrfOf(page.text),
    });
    assert.equal(leave.status, 303);
    assert.equal(leave.location, '/app/projects');
    assert.equal((await admin.get(members())).status, 404);
    assert.deepEqual(await roles(), { 'carol@example.org': 'owner' });
  });

  test('a form without its CSRF token changes nothing', async () => {
    const carol = await signIn(h, 'carol@example.org', 'carol own password');
    const res = await carol.post(members(), { email: BOB.email, role: 'owner' });
    assert.equal(res.status, 403);
    assert.deepEqual(await roles(), { 'carol@example.org': 'owner' });
  });
});
