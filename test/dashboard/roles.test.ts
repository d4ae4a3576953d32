// The role table (src/domain/roles.ts, printed in docs/dashboard.md#roles): every cell, for an
// owner and a member, through the dashboard as each of them would use it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startHarness, type Harness } from '../harness.ts';
import { type FormClient, csrfOf } from '../support/browser-client.ts';
import { plain, signIn, signedInAdmin } from '../support/dashboard-session.ts';
import { addProjectMember, createUser } from '../../src/services/users.ts';
import { ROLE_TABLE, may } from '../../src/domain/roles.ts';
import { createApiKey, listApiKeys } from '../../src/services/api-keys.ts';

let h: Harness;
let owner: FormClient;
let member: FormClient;
const MEMBER = { email: 'member@example.org', password: 'member password 1' };
const at = (rest: string) => `/app/projects/${h.project.uuid}/${rest}`;
const dev = () => at('settings/developers');

before(async () => {
  h = await startHarness();
  owner = await signedInAdmin(h);
  const user = await createUser(h.ctx, MEMBER);
  await addProjectMember(h.ctx, h.project.id, user.id, 'member');
  member = await signIn(h, MEMBER.email, MEMBER.password);
});
after(async () => {
  await h.stop();
});

/** Submits a form of `page` as `who`, with the page's CSRF token. */
async function post(who: FormClient, page: string, action: string, fields: Record<string, string> = {}) {
  const token = csrfOf((await who.get(page)).text);
  return who.post(action, { _csrf: token, ...fields });
}

const REFUSED = /Only the project’s owners may /;

async function makeKey(who: FormClient, permission: string) {
  const res = await post(who, dev(), `${dev()}/keys`, { name: `${permission} key`, permission, expiration: 'never' });
  return { res, id: /data-created="(key_[A-Za-z0-9]+)"/.exec(res.text)?.[1] };
}

describe('the role table', () => {
  test('the table says owners may do everything and members run the project day to day; the docs print every row', () => {
    assert.deepEqual(
      Object.entries(ROLE_TABLE).map(([k, v]) => [k, v.owner, v.member]),
      [
        ['monitors and pages', true, true],
        ['read-only keys', true, true],
        ['read-write keys', true, false],
        ['own keys', true, true],
        ['any key', true, false],
        ['members', true, false],
        ['channels', true, false],
        ['settings', true, false],
      ],
    );
    const docs = fs.readFileSync(path.resolve(import.meta.dirname, '../../docs/dashboard.md'), 'utf8');
    for (const row of Object.values(ROLE_TABLE)) {
      const what = `${row.what[0].toUpperCase()}${row.what.slice(1)}`;
      assert.ok(docs.includes(`| ${what} | ${row.owner ? 'yes' : 'no'} | ${row.member ? 'yes' : 'no'} |`), what);
    }
    assert.equal(may('member', 'channels'), false);
  });

  test('monitors and pages: both roles create, edit and delete them', async () => {
    for (const who of [owner, member]) {
      const res = await post(who, at('monitors/new'), at('monitors'), {
        name: 'role check',
        url: 'https://example.org',
        protocol: 'http',
        http_method: 'GET',
        expected_status_code: '2xx',
        check_frequency: '60',
        timeout: '10',
        alerts_wait: '0',
        regions: 'london',
      });
      assert.equal(res.status, 303, plain(res.text));
      const uuid = /monitors\/(mon_[A-Za-z0-9]+)/.exec(res.location!)![1];
      assert.equal((await post(who, at(`monitors/${uuid}`), at(`monitors/${uuid}/delete`))).status, 303);
    }
  });

  test('read-only keys: both roles; read-write keys: owners only (a member is not offered it and is refused)', async () => {
    for (const who of [owner, member]) assert.equal((await makeKey(who, 'read_only')).res.status, 201);
    assert.equal((await makeKey(owner, 'read_write')).res.status, 201);
    const form = await member.get(`${dev()}/new`);
    assert.doesNotMatch(form.text, /value="read_write"/);
    assert.match(plain(form.text), /Only the project’s owners create Read & Write keys/);
    const before = (await listApiKeys(h.ctx, h.project.uuid)).length;
    const refused = await makeKey(member, 'read_write');
    assert.equal(refused.res.status, 403);
    assert.match(
      plain(refused.res.text),
      /Only the project’s owners may create Read & Write API keys\. Nothing was changed\./,
    );
    assert.equal((await listApiKeys(h.ctx, h.project.uuid)).length, before);
  });

  test("own keys: a member revokes the keys they made; any key: only owners revoke others' (and the CLI's)", async () => {
    const mine = (await makeKey(member, 'read_only')).id!;
    const owners = (await makeKey(owner, 'read_write')).id!;
    const cli = (
      await createApiKey(h.ctx, { projectUuid: h.project.uuid, name: 'cli key', permission: 'read_only', actor: 'cli' })
    ).id;
    const list = await member.get(dev());
    assert.match(list.text, new RegExp(`keys/${mine}/revoke`), 'the member is offered their own key');
    assert.doesNotMatch(list.text, new RegExp(`keys/(${owners}|${cli})/revoke`), 'and not the others');
    assert.match(plain(list.text), /Made by.*member@example\.org/);
    for (const other of [owners, cli]) {
      const res = await post(member, dev(), `${dev()}/keys/${other}/revoke`);
      assert.equal(res.status, 403, other);
      assert.match(plain(res.text), /Only the project’s owners may revoke anyone’s API keys/);
      assert.equal((await member.get(`${dev()}/keys/${other}/revoke`)).status, 403);
    }
    const live = new Set((await listApiKeys(h.ctx, h.project.uuid)).map((k) => k.id));
    assert.ok(live.has(owners) && live.has(cli), 'nothing was revoked');
    assert.equal((await post(member, dev(), `${dev()}/keys/${mine}/revoke`)).status, 303);
    for (const k of [owners, cli]) assert.equal((await post(owner, dev(), `${dev()}/keys/${k}/revoke`)).status, 303);
    const left = new Set((await listApiKeys(h.ctx, h.project.uuid)).map((k) => k.id));
    assert.ok(!left.has(mine) && !left.has(owners) && !left.has(cli));
  });

  test('members: owners invite, change roles and remove; a member may only leave', async () => {
    const members = at('settings/members');
    assert.equal((await post(owner, members, members, { email: 'invitee@example.org', role: 'member' })).status, 201);
    const refused = await post(member, members, members, { email: 'friend@example.org', role: 'owner' });
    assert.equal(refused.status, 403);
    assert.match(plain(refused.text), REFUSED);
    const page = await member.get(members);
    const adminUuid = /data-member="(user_[A-Za-z0-9]+)">\s*<td[^>]*>admin@example\.org/.exec(page.text)![1];
    assert.equal((await post(member, members, `${members}/${adminUuid}/remove`)).status, 403);
    const memberUuid = /data-member="(user_[A-Za-z0-9]+)">\s*<td[^>]*>member@example\.org/.exec(page.text)![1];
    assert.match(plain(page.text), /Leave the project/);
    const leave = await post(member, `${members}/${memberUuid}/remove`, `${members}/${memberUuid}/remove`);
    assert.equal(leave.status, 303);
    assert.equal(leave.location, '/app/projects');
    assert.equal((await member.get(at('monitors'))).status, 404);
    // Back in for the next cells (owners add members; here the test does, through the service).
    const u = await h.ctx.store.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', MEMBER.email)
      .executeTakeFirstOrThrow();
    await addProjectMember(h.ctx, h.project.id, u.id, 'member');
  });

  test('channels: a member sees the alerting overview but changes nothing; owners add, edit, test and delete', async () => {
    const overview = await member.get(at('alerting'));
    assert.equal(overview.status, 200);
    assert.match(plain(overview.text), /Only the project’s owners change them/);
    assert.doesNotMatch(overview.text, /Add channel|Create policy|Save default|\/test"/);
    for (const p of ['alerting/channels/new', 'alerting/channels/new?type=webhook', 'alerting/policies/new'])
      assert.equal((await member.get(at(p))).status, 403, p);
    const refused = await post(member, at('alerting'), at('alerting/channels'), {
      type: 'webhook',
      name: 'exfiltrate',
      s_url: 'https://hooks.example/x',
      secret: '',
    });
    assert.equal(refused.status, 403);
    assert.match(plain(refused.text), /Only the project’s owners may add, edit, test and delete alert channels/);
    assert.equal((await post(member, at('alerting'), at('alerting/default'), { policy: 'none' })).status, 403);
    const made = await post(owner, at('alerting/channels/new?type=webhook'), at('alerting/channels'), {
      type: 'webhook',
      name: 'ops',
      s_url: 'https://hooks.example/ops',
      secret: '',
    });
    assert.ok([201, 303].includes(made.status), String(made.status));
    const channels = await h.ctx.store.db
      .selectFrom('notification_channels')
      .select('uuid')
      .where('project_id', '=', h.project.id)
      .execute();
    assert.equal(channels.length, 1, "only the owner's channel exists");
    assert.equal(
      (await member.get(at(`alerting/channels/${channels[0].uuid}`))).status,
      403,
      "a channel's settings are the owners'",
    );
    assert.equal(
      (
        await post(
          owner,
          at(`alerting/channels/${channels[0].uuid}`),
          at(`alerting/channels/${channels[0].uuid}/delete`),
        )
      ).status,
      303,
    );
  });

  test('settings: only owners change them', async () => {
    const general = at('settings/general');
    const refused = await post(member, general, general, { quorum: 'locations', locations: '2' });
    assert.equal(refused.status, 403);
    assert.match(plain(refused.text), /Only the project’s owners may change the project’s settings/);
    assert.equal((await post(owner, general, general, { quorum: 'locations', locations: '2' })).status, 303);
  });
});
