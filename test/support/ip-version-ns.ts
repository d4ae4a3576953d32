// Runs inside a network namespace (test/ip-version.test.ts, test/support/netns.ts): a loopback
// DNS server answers dual.test with 127.0.0.1 and ::1, v4only.test with 127.0.0.1 only and
// v6only.test with ::1 only, and one HTTP server listens on both 127.0.0.1:P and [::1]:P,
// counting requests per IP version. A monitor's ip_version picks the family of every connection.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type net from 'node:net';
import { runCheck, type CheckTarget } from '../../src/prober/probe.ts';
import { loadTargetPolicy } from '../../src/egress/policy.ts';
import { startDns, type Running } from './targets.ts';

let dns: Running;
const servers: http.Server[] = [];
const hits = { 4: 0, 6: 0 };
let port = 0;

function listen(host: string, family: 4 | 6, p: number): Promise<number> {
  const server = http.createServer((_req, res) => {
    hits[family]++;
    res.end(`v${family}`);
  });
  servers.push(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(p, host, () => resolve((server.address() as net.AddressInfo).port));
  });
}

before(async () => {
  dns = await startDns(
    {
      'dual.test': { A: ['127.0.0.1'], AAAA: ['::1'] },
      'v4only.test': { A: ['127.0.0.1'] },
      'v6only.test': { AAAA: ['::1'] },
    },
    { host: '127.0.0.1', port: 53 },
  );
  port = await listen('127.0.0.1', 4, 0);
  await listen('::1', 6, port);
});
after(async () => {
  await dns.close();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

const policy = loadTargetPolicy({});
const target = (over: Partial<CheckTarget>): CheckTarget => ({
  protocol: 'http',
  url: '',
  port: null,
  http_method: 'GET',
  request_headers: null,
  request_body: '',
  follow_redirects: true,
  expected_status_code: '2xx',
  required_keyword: null,
  timeout: 3,
  dns_record_type: null,
  dns_nameserver: null,
  dns_expected_answer: null,
  ...over,
});

test('an http monitor of a dual-stack name connects over IPv6 only with ip_version 6, over IPv4 only with 4', async () => {
  for (const v of [6, 4, 6] as const) {
    const before = { ...hits };
    const r = await runCheck(target({ url: `http://dual.test:${port}/`, ip_version: v, required_keyword: `v${v}` }), {
      policy,
    });
    assert.equal(r.ok, true, r.error ?? '');
    assert.equal(hits[v], before[v] + 1);
    assert.equal(hits[v === 4 ? 6 : 4], before[v === 4 ? 6 : 4]);
  }
});

test("a name without an address of the monitor's IP version fails with that reason (http, port, icmp), never falling back", async () => {
  for (const protocol of ['http', 'port', 'icmp'] as const) {
    const url = protocol === 'http' ? `http://v6only.test:${port}/` : 'v6only.test';
    const before = { ...hits };
    const v4 = await runCheck(target({ protocol, url, port: protocol === 'port' ? port : null, ip_version: 4 }), {
      policy,
    });
    assert.equal(v4.ok, false, protocol);
    assert.match(v4.error ?? '', /no IPv4 address/, protocol);
    const v6 = await runCheck(target({ protocol, url, port: protocol === 'port' ? port : null, ip_version: 6 }), {
      policy,
    });
    assert.equal(v6.ok, true, `${protocol}: ${v6.error}`);
    const v4only = await runCheck(
      target({
        protocol,
        url: url.replace('v6only', 'v4only'),
        port: protocol === 'port' ? port : null,
        ip_version: 6,
      }),
      { policy },
    );
    assert.match(v4only.error ?? '', /no IPv6 address/, protocol);
    if (protocol === 'http') assert.deepEqual(hits, { 4: before[4], 6: before[6] + 1 });
  }
});

test('without ip_version (a target of an older probe) either family is used', async () => {
  const r = await runCheck(target({ url: `http://v6only.test:${port}/` }), { policy });
  assert.equal(r.ok, true, r.error ?? '');
});
