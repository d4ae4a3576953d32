import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, snapshot, type Harness } from '../harness.ts';
import { FormClient, csrfOf, textOf } from '../support/browser-client.ts';
import { addProjectMember, createUser } from '../../src/services/users.ts';
import { listApiKeys } from '../../src/services/api-keys.ts';

let h: Harness;
let offset = 0;
const clock = () => Date.now() + offset;
before(async () => {
  h = await startHarness({ clock });
});
after(async () => {
  await h.stop();
});

const ADMIN = { email: 'admin@example.org', password: 'correct horse battery' };
const KEY = /sk_[A-Za-z0-9]{28,}/g;
const UNAUTH = '{"error":"Invalid or missing API key"}';
const FORBID = '{"error":"Insufficient permissions for this action"}';

const browser = () => new FormClient(h.url);
const devPath = (uuid: string) => `/app/projects/${uuid}/settings/developers`;
const alertOf = (html: string) => /role="alert">([\s\S]*?)<\/p>/.exec(html)?.[1] ?? null;

async function signIn(email: string, password: string): Promise<FormClient> {
  const b = browser();
  const res = await b.submit('/app/login', '/app/login', { email, password });
  assert.equal(res.status, 303, alertOf(res.text) ?? res.text);
  assert.equal(res.location, '/app/projects');
  return b;
}

/** Submits the Developers tab's create form; returns the answer and the key shown in it, if any. */
async function createKeyInForm(b: FormClient, projectUuid: string, fields: Record<string, string>) {
  const res = await b.submit(devPath(projectUuid), `${devPath(projectUuid)}/keys`, fields);
  return { res, keys: res.text.match(KEY) ?? [] };
}

/** Rows of every table, without the times that reads refresh (last use of a key, last sight of a session). */
async function state() {
  const snap = await snapshot(h.ctx);
  return Object.fromEntries(
    Object.entries(snap).map(([t, rows]) => [
      t,
      (rows as string[]).map((r) => {
        const { last_seen_at: _, ...rest } = JSON.parse(r);
        return JSON.stringify(rest);
      }),
    ]),
  );
}

describe('dashboard sign-in and the Developers tab', () => {
  let admin: FormClient;

  test('with no user, /app leads to a one-time setup form; the first user owns every existing project', async () => {
    const b = browser();
    const root = await b.get('/app');
    assert.equal(root.status, 303);
    assert.equal(root.location, '/app/setup');
    assert.equal((await b.get('/app/projects')).location, '/app/login');

    const form = await b.get('/app/setup');
    assert.equal(form.status, 200);
    assert.match(form.headers.get('content-type')!, /^text\/html/);
    const bad = await b.post('/app/setup', { _csrf: csrfOf(form.text), email: 'not-an-email', password: 'short' });
    assert.equal(bad.status, 422);
    assert.match(textOf(bad.text, 'f-email-error')!, /Email must be a valid address/);
    assert.equal(textOf(bad.text, 'f-password-error'), 'Password must be at least 10 characters');
    assert.match(bad.text, /value="not-an-email"/);
    assert.equal((await h.ctx.store.db.selectFrom('users').select('id').execute()).length, 0);

    const ok = await b.post('/app/setup', { _csrf: csrfOf(bad.text), email: ADMIN.email, password: ADMIN.password });
    assert.equal(ok.status, 303);
    assert.equal(ok.location, '/app/projects');
    const list = await b.get('/app/projects');
    assert.equal(list.status, 200);
    for (const name of ['Default', 'Test project', 'Other project'])
      assert.ok(list.text.includes(`>${name}</a>`), name);
    assert.ok(list.text.includes(h.project.uuid));
    assert.equal((await b.get('/app')).location, '/app/projects');
    admin = b;

    // Once a user exists, the setup form is gone and a forged setup changes nothing.
    const late = browser();
    assert.equal((await late.get('/app/setup')).location, '/app/login');
    assert.equal((await late.get('/app')).location, '/app/login');
    const login = await late.get('/app/login');
    const again = await late.post('/app/setup', {
      _csrf: csrfOf(login.text),
      email: 'intruder@example.org',
      password: 'intruder password',
    });
    assert.equal(again.status, 403);
    assert.match(again.text, /already set up/);
    assert.deepEqual(
      (await h.ctx.store.db.selectFrom('users').select('email').execute()).map((u) => u.email),
      [ADMIN.email],
    );
  });

  test('SECURITY 12: the session cookie is HttpOnly, SameSite=Lax, scoped to /app, and stored only as a hash', async () => {
    const res = await browser().submit('/app/login', '/app/login', ADMIN);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('vigil_session='))!;
    assert.ok(cookie, 'a session cookie');
    const attrs = cookie.split(';').map((a) => a.trim().toLowerCase());
    for (const a of ['httponly', 'samesite=lax', 'path=/app']) assert.ok(attrs.includes(a), `${a} in ${cookie}`);
    assert.ok(!attrs.includes('secure'), 'plain http: no Secure flag');
    const token = cookie.split(';')[0].split('=')[1];
    const rows = await h.ctx.store.db.selectFrom('sessions').selectAll().execute();
    assert.ok(!JSON.stringify(rows).includes(token), 'the token is not stored');
    assert.ok(rows.every((r) => /^[0-9a-f]{64}$/.test(r.token_hash)));

    // X-Forwarded-Proto counts only when the app trusts its proxy.
    const spoofed = new FormClient(h.url, { 'x-forwarded-proto': 'https' });
    const plain = await spoofed.submit('/app/login', '/app/login', ADMIN);
    assert.ok(!/;\s*secure/i.test(plain.headers.getSetCookie().join('\n')));
    const proxied = await startHarness({ env: { VIGIL_TRUST_PROXY: 'true' } });
    try {
      const b = new FormClient(proxied.url, { 'x-forwarded-proto': 'https' });
      const page = await b.get('/app/setup');
      assert.match(page.headers.getSetCookie().join('\n'), /vigil_presession=.*;\s*Secure/i);
      const setup = await b.post('/app/setup', { _csrf: csrfOf(page.text), ...ADMIN });
      assert.equal(setup.status, 303);
      assert.match(setup.headers.getSetCookie().find((c) => c.startsWith('vigil_session='))!, /;\s*Secure/i);
    } finally {
      await proxied.stop();
    }
  });

  test('sign-out ends the session: the old cookie no longer opens a page', async () => {
    const b = await signIn(ADMIN.email, ADMIN.password);
    const token = b.cookies.get('vigil_session')!;
    const page = await b.get('/app/projects');
    assert.equal(page.status, 200);
    const out = await b.post('/app/logout', { _csrf: csrfOf(page.text) });
    assert.equal(out.status, 303);
    assert.equal(out.location, '/app/login');
    assert.equal(b.cookies.has('vigil_session'), false);
    const replay = new FormClient(h.url, { cookie: `vigil_session=${token}` });
    const res = await replay.get('/app/projects');
    assert.equal(res.status, 303);
    assert.equal(res.location, '/app/login');
  });

  test('a wrong password and an unknown email get the same answer', async () => {
    const wrong = await browser().submit('/app/login', '/app/login', {
      email: ADMIN.email,
      password: 'not the password',
    });
    const unknown = await browser().submit('/app/login', '/app/login', {
      email: 'nobody@example.org',
      password: 'not the password',
    });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.equal(alertOf(wrong.text), 'Incorrect email or password.');
    assert.equal(alertOf(unknown.text), alertOf(wrong.text));
    assert.ok(!wrong.headers.getSetCookie().some((c) => c.startsWith('vigil_session=')));
  });

  test('SECURITY 12: after 5 failed sign-ins for one email and address, even the right password waits (429) until the window ends', async () => {
    await createUser(h.ctx, { email: 'target@example.org', password: 'target password 1' });
    for (let i = 0; i < 5; i++) {
      const res = await browser().submit('/app/login', '/app/login', {
        email: 'target@example.org',
        password: `guess ${i}`,
      });
      assert.equal(res.status, 401, `attempt ${i + 1}`);
    }
    const blocked = await browser().submit('/app/login', '/app/login', {
      email: 'TARGET@example.org',
      password: 'target password 1',
    });
    assert.equal(blocked.status, 429);
    assert.match(alertOf(blocked.text)!, /Too many failed sign-in attempts\. Wait \d+ minutes? and try again\./);
    assert.match(blocked.headers.get('retry-after')!, /^\d+$/);
    assert.ok(!blocked.headers.getSetCookie().some((c) => c.startsWith('vigil_session=')));
    await signIn(ADMIN.email, ADMIN.password); // another email is not affected
    offset += 15 * 60_000;
    try {
      await signIn('target@example.org', 'target password 1');
    } finally {
      offset -= 15 * 60_000;
    }
  });

  test('SECURITY 12: a POST without the CSRF token, or with a wrong one, is refused with 403 and changes nothing', async () => {
    const dev = await admin.get(devPath(h.project.uuid));
    const [keyId] = /data-key-id="(key_[A-Za-z0-9]+)"/.exec(dev.text)!.slice(1);
    const other = await signIn('target@example.org', 'target password 1');
    const foreign = csrfOf((await other.get('/app/projects')).text);
    const before = await state();
    const posts: [string, Record<string, string>][] = [
      [`${devPath(h.project.uuid)}/keys`, { name: 'csrf', permission: 'read_write', expiration: 'never' }],
      [`${devPath(h.project.uuid)}/keys/${keyId}/revoke`, {}],
      ['/app/projects', { name: 'csrf project' }],
      ['/app/logout', {}],
    ];
    for (const [path, fields] of posts) {
      for (const token of [undefined, '', 'x'.repeat(43), foreign]) {
        const res = await admin.post(path, token === undefined ? fields : { ...fields, _csrf: token });
        assert.equal(res.status, 403, `${path} with ${token === undefined ? 'no' : `"${token.slice(0, 8)}"`} token`);
        assert.match(res.text, /Form expired/);
      }
    }
    const json = await admin.request(
      'POST',
      '/app/projects',
      JSON.stringify({ name: 'json', _csrf: csrfOf(dev.text) }),
      'application/json',
    );
    assert.equal(json.status, 403);
    assert.deepEqual(await state(), before);
    assert.equal((await admin.get('/app/projects')).status, 200, 'still signed in');
  });

  test('a user sees only their projects: another project is 404, as an unknown one', async () => {
    await createUser(h.ctx, { email: 'member@example.org', password: 'member password' });
    const m = await signIn('member@example.org', 'member password');
    const empty = await m.get('/app/projects');
    assert.ok(!empty.text.includes(h.project.uuid));
    assert.match(empty.text, /not a member of any project/);
    const made = await m.submit('/app/projects', '/app/projects', { name: 'Team B' });
    assert.equal(made.status, 303);
    const teamB = /projects\/(proj_[A-Za-z0-9]+)\/monitors$/.exec(made.location!)![1]; // a new project opens on its monitors
    const own = await m.get('/app/projects');
    assert.ok(own.text.includes('>Team B</a>'));
    assert.ok(!own.text.includes('Test project'));

    const adminKeyId = (await listApiKeys(h.ctx, h.project.uuid))[0].id;
    const refused = [
      [m, devPath(h.project.uuid)],
      [m, `${devPath(h.project.uuid)}/new`],
      [m, `/app/projects/${h.project.uuid}`],
      [m, `${devPath(teamB)}/keys/${adminKeyId}/revoke`],
      [admin, devPath(teamB)],
      [m, devPath('proj_AAAAAAAAAAAAAA')],
    ] as const;
    for (const [who, path] of refused) {
      const res = await who.get(path);
      assert.equal(res.status, 404, path);
      assert.match(res.headers.get('content-type')!, /^text\/html/);
      assert.match(res.text, /Page not found/);
    }
    const page = await m.get(devPath(teamB));
    const revoke = await m.post(`${devPath(teamB)}/keys/${adminKeyId}/revoke`, { _csrf: csrfOf(page.text) });
    assert.equal(revoke.status, 404);
    const create = await m.post(`${devPath(h.project.uuid)}/keys`, {
      _csrf: csrfOf(page.text),
      name: 'x',
      permission: 'read_write',
      expiration: 'never',
    });
    assert.equal(create.status, 404);
    assert.ok((await listApiKeys(h.ctx, h.project.uuid)).some((k) => k.id === adminKeyId));

    // Made a member, they see it.
    const member = await h.ctx.store.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', 'member@example.org')
      .executeTakeFirstOrThrow();
    await addProjectMember(h.ctx, h.project.id, member.id, 'member');
    assert.match((await m.get('/app/projects')).text, /Test project<\/a>[\s\S]*Member/);
    assert.equal((await m.get(devPath(h.project.uuid))).status, 200);
  });

  test('SECURITY 3: a key made in the Developers tab is shown once, not cacheable, and works with the API at once', async () => {
    const { res, keys } = await createKeyInForm(admin, h.project.uuid, {
      name: 'Production',
      permission: 'read_write',
      expiration: 'never',
    });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(keys.length, 1, 'the full key appears exactly once');
    const key = keys[0];
    assert.match(res.text, /will not be shown again/);
    assert.match(res.text, /data-copy="new-key"/);

    const list = await admin.get(devPath(h.project.uuid));
    assert.equal(list.text.match(KEY), null, 'the list never shows a full key');
    const masked = `${key.slice(0, 7)}…${key.slice(-4)}`;
    const row = new RegExp(
      `<td data-label="Name">Production</td>\\s*<td data-label="Permission">Read &amp; Write</td>\\s*<td data-label="Key"><code>${masked}</code></td>[\\s\\S]*?<td data-label="Expires">Never</td>\\s*<td data-label="Last used">Never</td>`,
    );
    assert.match(list.text, row);

    const api = await fetch(`${h.url}/v1/monitors`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(api.status, 200);
    const write = await h.request('POST', '/v1/monitors', {
      key,
      body: { name: 'from dashboard key', url: 'https://example.org' },
    });
    assert.equal(write.status, 201);

    const audit = await h.ctx.store.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'api_key.create')
      .where('actor', '=', `user:${ADMIN.email}`)
      .execute();
    assert.equal(audit.length, 1);
    assert.equal(audit[0].source_ip, '127.0.0.1');
    assert.ok(!JSON.stringify(audit).includes(key));
  });

  test('a read-only key made in the dashboard reads, and gets 403 on a write', async () => {
    const { res, keys } = await createKeyInForm(admin, h.project.uuid, {
      name: 'CI/CD Pipeline',
      permission: 'read_only',
      expiration: 'date',
      expires_on: '2099-01-31',
    });
    assert.equal(res.status, 201);
    const [key] = keys;
    assert.equal((await h.request('GET', '/v1/monitors', { key })).status, 200);
    const write = await h.request('POST', '/v1/monitors', { key, body: { name: 'x', url: 'https://example.org' } });
    assert.equal(write.status, 403);
    assert.equal(write.text, FORBID);
    const list = await admin.get(devPath(h.project.uuid));
    assert.match(
      list.text,
      /CI\/CD Pipeline<\/td>\s*<td data-label="Permission">Read-only<\/td>[\s\S]*?<td data-label="Expires"><time datetime="2099-01-31T00:00:00.000Z">2099-01-31 00:00 UTC<\/time><\/td>/,
    );
  });

  test('SECURITY 8: revoking asks for confirmation; then the key gets 401 from the next request', async () => {
    const {
      keys: [key],
    } = await createKeyInForm(admin, h.project.uuid, {
      name: 'Short-lived',
      permission: 'read_write',
      expiration: 'never',
    });
    const id = (await listApiKeys(h.ctx, h.project.uuid)).find((k) => k.name === 'Short-lived')!.id;
    const list = await admin.get(devPath(h.project.uuid));
    assert.ok(list.text.includes(`href="${devPath(h.project.uuid)}/keys/${id}/revoke"`));
    const confirm = await admin.get(`${devPath(h.project.uuid)}/keys/${id}/revoke`);
    assert.equal(confirm.status, 200);
    assert.match(confirm.text, /Revoke <strong>Short-lived<\/strong>/);
    assert.equal((await h.request('GET', '/v1/monitors', { key })).status, 200, 'asking is not revoking');

    const done = await admin.post(`${devPath(h.project.uuid)}/keys/${id}/revoke`, { _csrf: csrfOf(confirm.text) });
    assert.equal(done.status, 303);
    assert.equal(done.location, `${devPath(h.project.uuid)}?revoked=1`);
    const denied = await h.request('GET', '/v1/monitors', { key });
    assert.equal(denied.status, 401);
    assert.equal(denied.text, UNAUTH);
    const after = await admin.get(done.location!);
    assert.match(after.text, /The key was revoked/);
    assert.ok(!after.text.includes(id));
    assert.equal((await h.request('GET', '/v1/monitors')).status, 200, 'other keys still work');
    const audit = await h.ctx.store.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'api_key.revoke')
      .where('key_id', '=', id)
      .execute();
    assert.equal(audit.length, 1);
    assert.equal(audit[0].actor, `user:${ADMIN.email}`);
    const twice = await admin.post(`${devPath(h.project.uuid)}/keys/${id}/revoke`, { _csrf: csrfOf(confirm.text) });
    assert.equal(twice.status, 404);
  });

  test('invalid key input is refused beside the field, with the messages of the CLI, and creates nothing', async () => {
    const before = (await listApiKeys(h.ctx, h.project.uuid)).length;
    const cases: [Record<string, string>, string, RegExp][] = [
      [
        { name: 'x', permission: 'read_write', expiration: 'date', expires_on: '2001-01-01' },
        'f-expires_on-error',
        /^Expiration 2001-01-01T00:00:00\.000Z is in the past$/,
      ],
      [{ name: 'x', permission: 'read_write', expires_on: '2001-01-01' }, 'f-expires_on-error', /is in the past/],
      [
        { name: 'x', permission: 'read_write', expiration: 'date', expires_on: '' },
        'f-expires_on-error',
        /^Choose an expiration date, or Never$/,
      ],
      [
        { name: 'x', permission: 'read_write', expiration: 'date', expires_on: 'tomorrow' },
        'f-expires_on-error',
        /^Invalid expiration "tomorrow"/,
      ],
      [{ name: '   ', permission: 'read_write', expiration: 'never' }, 'f-name-error', /^Name is required$/],
      [{ name: 'x', expiration: 'never' }, 'f-permission-error', /^Permission is required/],
      [
        { name: 'x', permission: 'admin', expiration: 'never' },
        'f-permission-error',
        /^Permission must be read_write or read_only, got "admin"$/,
      ],
    ];
    for (const [fields, id, re] of cases) {
      const { res, keys } = await createKeyInForm(admin, h.project.uuid, fields);
      assert.equal(res.status, 422, JSON.stringify(fields));
      assert.match(textOf(res.text, id) ?? '', re, JSON.stringify(fields));
      assert.deepEqual(keys, []);
      assert.match(res.text, /aria-invalid="true"/);
    }
    assert.equal((await listApiKeys(h.ctx, h.project.uuid)).length, before);
  });

  test('unknown /app paths, other methods and odd bodies get HTML pages, never a 500', async () => {
    const csrf = csrfOf((await admin.get('/app/projects')).text);
    const cases: [string, string, string | undefined, string | undefined, number][] = [
      ['GET', '/app/nothing-here', undefined, undefined, 404],
      ['GET', '/app/projects/x/settings/developers/keys/y/revoke', undefined, undefined, 404],
      ['GET', '/app/assets/..%2F..%2Fpackage.json', undefined, undefined, 404],
      ['GET', '/app/assets/nope.js', undefined, undefined, 404],
      ['DELETE', '/app/projects', undefined, undefined, 404],
      ['PUT', '/app/login', 'a=1', 'application/x-www-form-urlencoded', 404],
      ['POST', '/app/projects', 'name=x', 'text/plain', 415],
      ['POST', '/app/projects', `_csrf=${csrf}&name=${'a'.repeat(70_000)}`, 'application/x-www-form-urlencoded', 413],
      ['POST', '/app/projects', '{bad', 'application/json', 400],
      ['POST', '/app/projects', `_csrf=${csrf}&name=%E0%A4%A&name=x`, 'application/x-www-form-urlencoded', 303],
    ];
    for (const [method, path, body, type, status] of cases) {
      const res = await admin.request(method, path, body, type);
      assert.equal(res.status, status, `${method} ${path}`);
      if (status !== 303) assert.match(res.headers.get('content-type')!, /^text\/html/, `${method} ${path}`);
    }
    const css = await admin.get('/app/assets/dashboard.css');
    assert.equal(css.status, 200);
    assert.match(css.headers.get('content-type')!, /^text\/css/);
    const doc = (await h.request('GET', '/openapi.json', { key: null })).body;
    assert.ok(
      !Object.keys(doc.paths).some((p) => p.startsWith('/app')),
      'the dashboard is not part of the API document',
    );
    const page = await admin.get('/app/projects');
    assert.match(page.headers.get('content-security-policy')!, /default-src 'none'/);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
  });

  test('every user string is escaped', async () => {
    const made = await admin.submit('/app/projects', '/app/projects', { name: '<img src=x onerror=alert(1)>' });
    const uuid = /(proj_[A-Za-z0-9]+)/.exec(made.location!)![1];
    await createKeyInForm(admin, uuid, {
      name: '"><script>alert(1)</script>',
      permission: 'read_write',
      expiration: 'never',
    });
    const page = await admin.get(devPath(uuid));
    assert.ok(!page.text.includes('<img src=x'));
    assert.ok(!page.text.includes('<script>alert'));
    assert.ok(page.text.includes('&lt;img src=x onerror=alert(1)&gt;'));
  });
});
