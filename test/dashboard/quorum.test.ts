import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../harness.ts';
import { type FormClient, csrfOf, textOf } from '../support/browser-client.ts';
import { foreignProject, plain, signIn, signedInAdmin } from '../support/dashboard-session.ts';
import { createUser } from '../../src/services/users.ts';
import { addMember } from '../../src/services/members.ts';
import { createProbe } from '../../src/services/probes.ts';

let h: Harness;
let admin: FormClient;
const general = (uuid = h.project.uuid) => `/app/projects/${uuid}/settings/general`;
const BOB = { email: 'bob@example.org', password: 'bob password 123' };
const quorumOf = async (uuid = h.project.uuid) => {
  const row = await h.ctx.store.db
    .selectFrom('projects')
    .select('quorum')
    .where('uuid', '=', uuid)
    .executeTakeFirstOrThrow();
  return row.quorum === null ? null : Number(row.quorum);
};

before(async () => {
  h = await startHarness();
  admin = await signedInAdmin(h);
  await createUser(h.ctx, BOB);
  await addMember(h.ctx, h.project.id, { email: BOB.email, role: 'member' });
});
after(async () => {
  await h.stop();
});

describe('the cross-region quorum in the dashboard settings', () => {
  test('with the built-in probe as the only location, the page says so and offers no quorum; a regional probe brings it', async () => {
    const alone = await admin.get(general());
    assert.equal(alone.status, 200);
    assert.match(
      plain(alone.text),
      /Every check of this project runs from one location, local \(this server’s built-in probe\), so there is no quorum to set/,
    );
    assert.doesNotMatch(alone.text, /Save quorum|name="locations"|id="quorum-current"/);
    // A probe counts from its creation (a location to confirm from), live or not yet.
    await createProbe(h.ctx, { projectUuid: h.project.uuid, region: 'frankfurt', actor: 'test' });
    await createProbe(h.ctx, { projectUuid: h.project.uuid, region: 'london', actor: 'test' });
    const page = await admin.get(general());
    assert.doesNotMatch(page.text, /id="quorum-one-location"/);
    assert.match(
      plain(page.text),
      /Locations of this project: local \(this server\) and the regional probes of london, frankfurt\./,
      'in the order of the region list',
    );
  });

  test('the owner sees the General tab with the default quorum, majority, and the form', async () => {
    const page = await admin.get(general());
    assert.equal(page.status, 200);
    assert.match(page.text, /<nav class="tabs" aria-label="Project settings">[\s\S]*aria-current="page">General</);
    assert.equal(textOf(page.text, 'quorum-current'), 'Majority (more than half)');
    assert.match(page.text, /name="quorum" value="majority" checked/);
    assert.match(page.text, /<label for="f-locations">Locations that must agree<\/label>/);
    assert.equal(await quorumOf(), null);
  });

  test('the owner sets 3 locations: the project row holds 3 and the page shows it', async () => {
    const res = await admin.submit(general(), general(), { quorum: 'locations', locations: '3' });
    assert.equal(res.status, 303);
    assert.equal(res.location, `${general()}?done=quorum`);
    assert.equal(await quorumOf(), 3);
    const page = await admin.get(res.location!);
    assert.match(plain(page.text), /The quorum was changed/);
    assert.equal(textOf(page.text, 'quorum-current'), '3 locations');
    assert.match(page.text, /id="f-locations"[^>]*value="3"/);
  });

  test('values outside 2 to 18 are refused beside the field and change nothing', async () => {
    for (const locations of ['1', '19', 'abc', '']) {
      const res = await admin.submit(general(), general(), { quorum: 'locations', locations });
      assert.equal(res.status, 422, locations);
      assert.equal(
        textOf(res.text, 'f-locations-error'),
        `Quorum must be "majority" or a number of regions from 2 to 18, got "${locations}"`,
      );
      assert.match(res.text, /id="f-locations"[^>]*aria-invalid="true"/);
      assert.equal(await quorumOf(), 3, locations);
    }
  });

  test('the owner sets majority: the column is NULL again', async () => {
    const res = await admin.submit(general(), general(), { quorum: 'majority', locations: '3' });
    assert.equal(res.status, 303);
    assert.equal(await quorumOf(), null);
    assert.equal(textOf((await admin.get(general())).text, 'quorum-current'), 'Majority (more than half)');
  });

  test('a member sees the quorum read-only, and a member’s POST is refused with 403', async () => {
    assert.equal((await admin.submit(general(), general(), { quorum: 'locations', locations: '4' })).status, 303);
    const bob = await signIn(h, BOB.email, BOB.password);
    const page = await bob.get(general());
    assert.equal(page.status, 200);
    assert.equal(textOf(page.text, 'quorum-current'), '4 locations');
    assert.match(plain(page.text), /Only owners can change it/);
    assert.doesNotMatch(page.text, /Save quorum|name="locations"/);
    const res = await bob.post(general(), { _csrf: csrfOf(page.text), quorum: 'majority' });
    assert.equal(res.status, 403);
    assert.match(plain(res.text), /Only the project’s owners may change the project’s settings/);
    assert.equal(await quorumOf(), 4);
  });

  test('a form without its CSRF token changes nothing', async () => {
    const res = await admin.post(general(), { quorum: 'locations', locations: '2' });
    assert.equal(res.status, 403);
    assert.match(plain(res.text), /Form expired/);
    assert.equal(await quorumOf(), 4);
  });

  test('another project’s settings are the unknown project’s 404, to read and to change', async () => {
    await foreignProject(h);
    const unknown = await admin.get(general('proj_doesnotexist0000'));
    assert.equal(unknown.status, 404);
    const page = await admin.get(general(h.other.uuid));
    assert.equal(page.status, 404);
    assert.equal(plain(page.text), plain(unknown.text));
    const token = csrfOf((await admin.get(general())).text);
    const res = await admin.post(general(h.other.uuid), { _csrf: token, quorum: 'locations', locations: '5' });
    assert.equal(res.status, 404);
    assert.equal(await quorumOf(h.other.uuid), null);
  });
});
