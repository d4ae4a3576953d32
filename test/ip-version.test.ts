// A monitor's ip_version (4 or 6) decides the IP version of every connection its checks make:
// name lookups in a network namespace with a loopback DNS server (test/support/ip-version-ns.ts),
// and the whole path from the API through the engine on loopback, on SQLite and PostgreSQL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import { namespaceSkip, runInNamespace } from './support/netns.ts';
import { startHarness, waitFor, type Harness } from './harness.ts';

test('ip_version picks the address family of http, port and icmp checks of a name, with no fallback (in a namespace with a loopback DNS server)', {
  skip: namespaceSkip,
}, () => {
  const { status, out } = runInNamespace(path.resolve(import.meta.dirname, 'support/ip-version-ns.ts'));
  assert.equal(status, 0, out);
  assert.match(out, /ℹ pass 3\n/, out);
  assert.match(out, /ℹ fail 0\n/, out);
});

let h: Harness;
const servers: http.Server[] = [];

/** An HTTP target on 127.0.0.1:P and [::1]:P (one port), counting the requests of each IP version. */
async function dualTarget(): Promise<{ port: number; hits: { 4: number; 6: number } }> {
  const hits = { 4: 0, 6: 0 };
  const listen = (host: string, family: 4 | 6, p: number) =>
    new Promise<number>((resolve) => {
      const server = http.createServer((_req, res) => {
        hits[family]++;
        res.end('ok');
      });
      servers.push(server);
      server.listen(p, host, () => resolve((server.address() as net.AddressInfo).port));
    });
  const port = await listen('127.0.0.1', 4, 0);
  await listen('::1', 6, port);
  return { port, hits };
}

before(async () => {
  h = await startHarness({ env: { VIGIL_ROLE: 'all' } });
});
after(async () => {
  await h.stop();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

async function firstResult(uuid: string, what: string) {
  const id = (
    await h.ctx.store.db.selectFrom('monitors').select('id').where('uuid', '=', uuid).executeTakeFirstOrThrow()
  ).id;
  const row = await waitFor(
    () =>
      h.ctx.store.db
        .selectFrom('check_results')
        .selectAll()
        .where('monitor_id', '=', id)
        .orderBy('id')
        .executeTakeFirst(),
    what,
  );
  await h.request('PUT', `/v1/monitors/${uuid}`, { body: { paused: true } });
  return row;
}

test('a monitor created over the API is checked over the IP version it names: [::1] over IPv6, localhost with ip_version 4 over IPv4 only', async () => {
  // Each monitor has a target of its own, so the counts are its checks alone.
  const a = await dualTarget();
  const v6 = await h.request('POST', '/v1/monitors', {
    body: { name: 'v6', url: `http://[::1]:${a.port}/`, check_frequency: 10 },
  });
  assert.equal(v6.body.ip_version, 6);
  const r6 = await firstResult(v6.body.uuid, 'the [::1] check');
  assert.equal(r6.ok, 1, r6.error ?? '');
  assert.equal(a.hits[4], 0);
  assert.ok(a.hits[6] >= 1);

  const b = await dualTarget();
  const v4 = await h.request('POST', '/v1/monitors', {
    body: { name: 'v4', url: `http://localhost:${b.port}/`, ip_version: 4, check_frequency: 10 },
  });
  const r4 = await firstResult(v4.body.uuid, 'the localhost check');
  assert.equal(r4.ok, 1, r4.error ?? '');
  assert.ok(b.hits[4] >= 1);
  assert.equal(b.hits[6], 0);

  // localhost over IPv6: ::1 where /etc/hosts has it, else a failure naming IPv6; never IPv4.
  const c = await dualTarget();
  const v6name = await h.request('POST', '/v1/monitors', {
    body: { name: 'v6 name', url: `http://localhost:${c.port}/`, ip_version: 6, check_frequency: 10 },
  });
  const r = await firstResult(v6name.body.uuid, 'the localhost IPv6 check');
  if (r.ok !== 1) assert.match(r.error ?? '', /IPv6/);
  assert.equal(c.hits[4], 0);
});
