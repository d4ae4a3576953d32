// Runs inside a fresh network and mount namespace (test/rebinding.test.ts starts it with
// unshare): only loopback exists, /etc/resolv.conf names 127.0.0.1, and a DNS server on
// 127.0.0.1:53 changes its answer between two checks of the same hostname — DNS rebinding.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { runCheck, type CheckTarget } from '../../src/prober/probe.ts';
import { loadTargetPolicy } from '../../src/egress/policy.ts';
import { startDns, startHttp, startTcp, type Running, type Zone } from './targets.ts';

const zone: Zone = {};
let dns: Running;
let web: Running;
let tcp: Running;
let hits = 0;
const connects: string[] = [];
const original = net.Socket.prototype.connect;

before(async () => {
  dns = await startDns(zone, { host: '127.0.0.1', port: 53 });
  web = await startHttp((req, res) => {
    hits++;
    if (req.url === '/hop') res.writeHead(302, { location: `http://hop.rebind.test:${web.port}/` }).end();
    else res.end('ok');
  });
  tcp = await startTcp();
  // Every address a probe connects to, to prove the blocked one was never tried.
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    const first = Array.isArray(args[0]) ? args[0][0] : args[0];
    const host =
      first && typeof first === 'object' ? (first as { host?: string }).host : (args[1] as string | undefined);
    connects.push(String(host));
    return (original as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof original;
});
after(async () => {
  net.Socket.prototype.connect = original;
  await Promise.all([dns.close(), web.close(), tcp.close()]);
});

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

test('SECURITY 15: the name resolves through the loopback DNS server', async () => {
  zone['rebind.test'] = { A: ['127.0.0.1'] };
  const r = await runCheck(target({ url: `http://rebind.test:${web.port}/` }), { policy: loadTargetPolicy({}) });
  assert.equal(r.ok, true, r.error ?? '');
  assert.equal(hits, 1);
});

test('SECURITY 15: DNS rebinding: a hostname allowed at one check and resolving to the cloud metadata address at the next is refused at check time, before any connection', async () => {
  const policy = loadTargetPolicy({});
  zone['rebind.test'] = { A: ['127.0.0.1'] };
  assert.equal((await runCheck(target({ url: `http://rebind.test:${web.port}/` }), { policy })).ok, true);
  zone['rebind.test'] = { A: ['169.254.169.254'] };
  const before = hits;
  const r = await runCheck(target({ url: `http://rebind.test:${web.port}/` }), { policy });
  assert.equal(r.ok, false);
  assert.match(r.error ?? '', /blocked by target policy: cloud metadata address 169\.254\.169\.254/);
  assert.equal(hits, before);
  assert.ok(!connects.includes('169.254.169.254'), `connected to ${connects.join(', ')}`);
});

test('SECURITY 15: DNS rebinding to a private address is refused when private targets are blocked (TCP port checks too)', async () => {
  const policy = loadTargetPolicy({ VIGIL_BLOCK_PRIVATE_TARGETS: 'true', VIGIL_ALLOWED_TARGETS: '127.0.0.1' });
  zone['rebind.test'] = { A: ['127.0.0.1'] };
  assert.equal((await runCheck(target({ url: `http://rebind.test:${web.port}/` }), { policy })).ok, true);
  assert.equal((await runCheck(target({ protocol: 'port', url: 'rebind.test', port: tcp.port }), { policy })).ok, true);
  zone['rebind.test'] = { A: ['127.0.0.2'] };
  const http = await runCheck(target({ url: `http://rebind.test:${web.port}/` }), { policy });
  assert.match(http.error ?? '', /blocked by target policy: private address 127\.0\.0\.2/);
  const port = await runCheck(target({ protocol: 'port', url: 'rebind.test', port: tcp.port }), { policy });
  assert.equal(port.ok, false);
  assert.match(port.error ?? '', /blocked by target policy: private address 127\.0\.0\.2/);
  assert.ok(!connects.includes('127.0.0.2'), `connected to ${connects.join(', ')}`);
});

test('SECURITY 15/16: a redirect to a name that now resolves to the metadata address is refused on that hop', async () => {
  const policy = loadTargetPolicy({});
  zone['rebind.test'] = { A: ['127.0.0.1'] };
  zone['hop.rebind.test'] = { A: ['169.254.169.254'] };
  const r = await runCheck(target({ url: `http://rebind.test:${web.port}/hop` }), { policy });
  assert.equal(r.ok, false);
  assert.match(r.error ?? '', /blocked by target policy: cloud metadata address/);
  assert.ok(!connects.includes('169.254.169.254'));
});
