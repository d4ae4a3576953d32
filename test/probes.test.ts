import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type http from 'node:http';
import { runCheck, type CheckResult, type CheckTarget } from '../src/prober/probe.ts';
import { decide, loadTargetPolicy, lookup, type TargetPolicy } from '../src/egress/policy.ts';
import { parseNameserver } from '../src/domain/monitors.ts';
import {
  allowLoopbackOnly,
  closedPort,
  makeCertificate,
  startDns,
  startHttp,
  startHttps,
  startTcp,
  type Certificate,
  type Running,
  type Zone,
} from './support/targets.ts';

const OPEN = loadTargetPolicy({});
const BLOCK_PRIVATE = loadTargetPolicy({ VIGIL_BLOCK_PRIVATE_TARGETS: 'true' });
// Blocks private ranges but lets the tests reach their servers on 127.0.0.1 (not ::1).
const BLOCK_BUT_TEST_SERVERS = loadTargetPolicy({
  VIGIL_BLOCK_PRIVATE_TARGETS: 'true',
  VIGIL_ALLOWED_TARGETS: '127.0.0.1',
});

function target(over: Partial<CheckTarget>): CheckTarget {
  return {
    protocol: 'http',
    url: '',
    port: null,
    http_method: 'GET',
    request_headers: null,
    request_body: '',
    follow_redirects: true,
    expected_status_code: '2xx',
    required_keyword: null,
    timeout: 5,
    dns_record_type: null,
    dns_nameserver: null,
    dns_expected_answer: null,
    ...over,
  };
}

function check(
  over: Partial<CheckTarget>,
  policy: TargetPolicy = OPEN,
  extra: { ca?: string | Buffer; signal?: AbortSignal } = {},
): Promise<CheckResult> {
  return runCheck(target(over), { policy, ...extra });
}

const RESULT_KEYS = ['connectMs', 'dnsMs', 'error', 'ok', 'statusCode', 'tlsMs', 'totalMs', 'ttfbMs'];
let restoreConnect: () => void;
before(() => {
  restoreConnect = allowLoopbackOnly();
});
after(() => restoreConnect());

describe('target policy', () => {
  test('SECURITY 15: private ranges are allowed by default and blocked with VIGIL_BLOCK_PRIVATE_TARGETS', () => {
    const privates = [
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '127.0.0.1',
      '127.255.0.9',
      '169.254.1.1',
      '100.64.0.1',
      '100.127.255.255',
      '0.0.0.0',
      '::1',
      '::',
      'fc00::1',
      'fd12:3456::1',
      'fe80::1',
      'fe80::1%eth0',
      'FE80::AB',
    ];
    for (const ip of privates) {
      assert.equal(decide(ip, OPEN), null, ip);
      assert.match(decide(ip, BLOCK_PRIVATE) ?? '', /^private address /, ip);
    }
    for (const ip of [
      '8.8.8.8',
      '172.32.0.1',
      '172.15.255.255',
      '100.128.0.1',
      '11.0.0.1',
      '2001:db8::1',
      '2a00:1450::1',
    ]) {
      assert.equal(decide(ip, BLOCK_PRIVATE), null, ip);
    }
  });

  test('SECURITY 15: IPv4-mapped and NAT64 IPv6 addresses are judged as the IPv4 address they carry', () => {
    assert.equal(decide('::ffff:127.0.0.1', BLOCK_PRIVATE), 'private address 127.0.0.1');
    assert.equal(decide('::ffff:7f00:1', BLOCK_PRIVATE), 'private address 127.0.0.1');
    assert.equal(decide('[::FFFF:10.0.0.1]', BLOCK_PRIVATE), 'private address 10.0.0.1');
    assert.equal(decide('64:ff9b::a00:1', BLOCK_PRIVATE), 'private address 10.0.0.1');
    assert.equal(decide('64:ff9b::1', BLOCK_PRIVATE), 'private address 0.0.0.1');
    assert.equal(decide('64:ff9b::a9fe:a9fe', OPEN), 'cloud metadata address 169.254.169.254');
    assert.equal(decide('::ffff:0:1', BLOCK_PRIVATE), 'private address 0.0.0.1');
    assert.equal(decide('::ffff:1', BLOCK_PRIVATE), null); // IPv4-compatible ::255.255.0.1, not mapped
    assert.equal(decide('::ffff:8.8.8.8', BLOCK_PRIVATE), null);
  });

  test('SECURITY 15: cloud metadata addresses are always blocked, in any spelling', () => {
    for (const policy of [OPEN, BLOCK_PRIVATE]) {
      assert.equal(decide('169.254.169.254', policy), 'cloud metadata address 169.254.169.254');
      assert.equal(decide('::ffff:169.254.169.254', policy), 'cloud metadata address 169.254.169.254');
      assert.equal(decide('::ffff:a9fe:a9fe', policy), 'cloud metadata address 169.254.169.254');
      assert.equal(decide('fd00:ec2::254', policy), 'cloud metadata address fd00:ec2::254');
      assert.equal(decide('FD00:EC2:0:0:0:0:0:254', policy), 'cloud metadata address fd00:ec2::254');
      assert.equal(decide('100.100.100.200', policy), 'cloud metadata address 100.100.100.200');
    }
  });

  test('SECURITY 15: VIGIL_ALLOWED_TARGETS lets listed addresses and ranges through, metadata included', () => {
    const policy = loadTargetPolicy({
      VIGIL_BLOCK_PRIVATE_TARGETS: 'yes',
      VIGIL_ALLOWED_TARGETS: ' 169.254.169.254 , 10.0.0.0/8,fd00::/8,[::1]',
    });
    assert.equal(decide('169.254.169.254', policy), null);
    assert.equal(decide('::ffff:169.254.169.254', policy), null);
    assert.equal(decide('10.200.0.1', policy), null);
    assert.equal(decide('fd00:ec2::254', policy), null);
    assert.equal(decide('::1', policy), null);
    assert.equal(decide('100.100.100.200', policy), 'cloud metadata address 100.100.100.200');
    assert.equal(decide('192.168.0.1', policy), 'private address 192.168.0.1');
  });

  test('bad settings stop start-up with a message naming the variable', () => {
    assert.throws(
      () => loadTargetPolicy({ VIGIL_BLOCK_PRIVATE_TARGETS: 'maybe' }),
      /^Error: VIGIL_BLOCK_PRIVATE_TARGETS must be true or false/,
    );
    for (const bad of ['example.org', '10.0.0.0/33', '::/129', '10.0.0.0/8/1', '10.0.0.0/x', '1.2.3']) {
      assert.throws(
        () => loadTargetPolicy({ VIGIL_ALLOWED_TARGETS: bad }),
        /VIGIL_ALLOWED_TARGETS must be a comma-separated list/,
        bad,
      );
    }
    assert.equal(
      loadTargetPolicy({ VIGIL_BLOCK_PRIVATE_TARGETS: 'false', VIGIL_ALLOWED_TARGETS: '' }).blockPrivate,
      false,
    );
  });

  test('SECURITY 15: lookup reads numeric spellings as the address they mean before deciding', async () => {
    for (const spelling of [
      '2130706433',
      '0x7f.1',
      '127.1',
      '0177.0.0.1',
      '[::ffff:7f00:1]',
      '::ffff:127.0.0.1',
      'localhost',
    ]) {
      assert.deepEqual(await lookup(spelling, OPEN), { address: '127.0.0.1', family: 4 }, spelling);
      await assert.rejects(
        lookup(spelling, BLOCK_PRIVATE),
        { message: 'blocked by target policy: private address 127.0.0.1' },
        spelling,
      );
    }
    for (const spelling of ['2852039166', '0xa9fea9fe', '0xa9.0xfe.0xa9.0xfe', '[::ffff:a9fe:a9fe]']) {
      await assert.rejects(
        lookup(spelling, OPEN),
        { message: 'blocked by target policy: cloud metadata address 169.254.169.254' },
        spelling,
      );
    }
    await assert.rejects(lookup('1.2.3.4.5', OPEN), /DNS lookup failed/);
  });
});

describe('http checks', () => {
  let server: Running;
  let seen: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  const BIG = 2 * 1024 * 1024;

  before(async () => {
    server = await startHttp((req, res) => {
      const u = new URL(req.url!, 'http://x');
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        const p = u.pathname;
        if (p.startsWith('/status/')) {
          res
            .writeHead(Number(p.slice(8)), { 'content-type': 'text/plain' })
            .end(`status ${p.slice(8)}: all ok $5 (a+)`);
        } else if (p.startsWith('/redirect/')) {
          const n = Number(p.slice(10));
          if (n === 0) res.end('arrived');
          else res.writeHead(302, { location: `/redirect/${n - 1}` }).end();
        } else if (p === '/to') {
          res
            .writeHead(Number(u.searchParams.get('status') ?? 302), { location: u.searchParams.get('location')! })
            .end();
        } else if (p === '/big') {
          // 2 MiB of filler in 64 KiB writes with NEEDLE at byte `at`.
          const at = Number(u.searchParams.get('at'));
          const body = Buffer.alloc(BIG, 'a');
          body.write('NEEDLE', at);
          for (let i = 0; i < BIG; i += 65536) res.write(body.subarray(i, i + 65536));
          res.end();
        } else if (p === '/split') {
          res.write('xxNEE');
          setTimeout(() => res.end('DLExx'), 30);
        } else if (p === '/hang') {
          // never answers
        } else {
          res.writeHead(404).end('not found');
        }
      });
    });
  });
  after(() => server.close());

  const at = (path: string) => `${server.url}${path}`;

  test('SECURITY 17: a 200 passes and reports connect and first-byte times but no body', async () => {
    const r = await check({ url: at('/status/200') });
    assert.equal(r.ok, true, r.error ?? '');
    assert.equal(r.statusCode, 200);
    assert.equal(r.error, null);
    assert.equal(r.dnsMs, null); // an IP address needs no lookup
    assert.equal(r.tlsMs, null);
    assert.ok(typeof r.connectMs === 'number' && r.connectMs >= 0);
    assert.ok(typeof r.ttfbMs === 'number' && r.ttfbMs >= 0);
    assert.ok(r.totalMs >= r.connectMs! + r.ttfbMs! - 0.05);
    assert.deepEqual(Object.keys(r).sort(), RESULT_KEYS);
  });

  test('a host name is resolved and its lookup time reported', async () => {
    const r = await check({ url: `http://localhost:${server.port}/status/200` });
    assert.equal(r.ok, true, r.error ?? '');
    assert.ok(typeof r.dnsMs === 'number');
  });

  test('expected status: exact code, class and range', async () => {
    assert.equal((await check({ url: at('/status/200'), expected_status_code: '200' })).ok, true);
    const exact = await check({ url: at('/status/201'), expected_status_code: '200' });
    assert.deepEqual([exact.ok, exact.statusCode, exact.error], [false, 201, 'expected 200, got 201']);
    const cls = await check({ url: at('/status/503'), expected_status_code: '2xx' });
    assert.deepEqual([cls.ok, cls.statusCode, cls.error], [false, 503, 'expected 2xx, got 503']);
    assert.equal((await check({ url: at('/status/503'), expected_status_code: '5xx' })).ok, true);
    const range = await check({ url: at('/status/302'), expected_status_code: '1xx-3xx', follow_redirects: false });
    assert.deepEqual([range.ok, range.statusCode], [true, 302]);
    const outside = await check({ url: at('/status/404'), expected_status_code: '1xx-3xx' });
    assert.deepEqual([outside.ok, outside.error], [false, 'expected 1xx-3xx, got 404']);
  });

  test('method, headers and body are sent as configured', async () => {
    seen = [];
    const r = await check({
      url: at('/status/200?q=1'),
      http_method: 'POST',
      request_body: '{"a":1}',
      request_headers: [
        { name: 'Content-Type', value: 'application/json' },
        { name: 'X-Probe', value: 'yes' },
      ],
    });
    assert.equal(r.ok, true, r.error ?? '');
    assert.equal(seen.length, 1);
    assert.equal(seen[0].method, 'POST');
    assert.equal(seen[0].url, '/status/200?q=1');
    assert.equal(seen[0].body, '{"a":1}');
    assert.equal(seen[0].headers['content-type'], 'application/json');
    assert.equal(seen[0].headers['x-probe'], 'yes');
    assert.equal(seen[0].headers.host, `127.0.0.1:${server.port}`);
    assert.match(seen[0].headers['user-agent'] ?? '', /Vigil/);
  });

  test('SECURITY 21: required keyword: present passes, absent fails, and it is a plain substring, never a pattern', async () => {
    assert.equal((await check({ url: at('/status/200'), required_keyword: 'all ok' })).ok, true);
    assert.equal((await check({ url: at('/status/200'), required_keyword: '$5 (a+)' })).ok, true);
    const absent = await check({ url: at('/status/200'), required_keyword: 'ok' + 'ay' });
    assert.deepEqual([absent.ok, absent.statusCode, absent.error], [false, 200, 'keyword "okay" not found']);
    assert.equal((await check({ url: at('/status/200'), required_keyword: '.*' })).error, 'keyword ".*" not found');
    const evil = await check({ url: at('/status/200'), required_keyword: '(a+)+$' });
    assert.equal(evil.error, 'keyword "(a+)+$" not found');
  });

  test('the keyword is found across chunk boundaries', async () => {
    const r = await check({ url: at('/split'), required_keyword: 'NEEDLE' });
    assert.equal(r.ok, true, r.error ?? '');
  });

  test('SECURITY 17: the body is read up to 1 MiB only', async () => {
    assert.equal((await check({ url: at('/big?at=1000'), required_keyword: 'NEEDLE' })).ok, true);
    assert.equal((await check({ url: at(`/big?at=${1024 * 1024 - 6}`), required_keyword: 'NEEDLE' })).ok, true);
    const beyond = await check({ url: at(`/big?at=${1024 * 1024 - 5}`), required_keyword: 'NEEDLE' });
    assert.deepEqual([beyond.ok, beyond.error], [false, 'keyword "NEEDLE" not found in the first 1 MiB']);
  });

  test('SECURITY 16: redirects are followed up to 5 hops', async () => {
    seen = [];
    const five = await check({ url: at('/redirect/5'), required_keyword: 'arrived' });
    assert.deepEqual([five.ok, five.statusCode], [true, 200]);
    assert.equal(seen.length, 6);
    seen = [];
    const six = await check({ url: at('/redirect/6') });
    assert.deepEqual([six.ok, six.statusCode, six.error], [false, 302, 'too many redirects (more than 5)']);
    assert.equal(seen.length, 6);
  });

  test('redirects are not followed when follow_redirects is off', async () => {
    const r = await check({ url: at('/redirect/1'), follow_redirects: false });
    assert.deepEqual([r.ok, r.statusCode, r.error], [false, 302, 'expected 2xx, got 302']);
  });

  test('a 303 turns a POST into a GET without body; a 307 keeps both', async () => {
    seen = [];
    await check({ url: at(`/to?status=303&location=/status/200`), http_method: 'POST', request_body: 'x' });
    assert.deepEqual(
      seen.map((s) => [s.method, s.body]),
      [
        ['POST', 'x'],
        ['GET', ''],
      ],
    );
    seen = [];
    await check({ url: at(`/to?status=307&location=/status/200`), http_method: 'POST', request_body: 'x' });
    assert.deepEqual(
      seen.map((s) => [s.method, s.body]),
      [
        ['POST', 'x'],
        ['POST', 'x'],
      ],
    );
  });

  test('credentials are not carried to another origin', async () => {
    seen = [];
    const other = `http://localhost:${server.port}/status/200`;
    await check({
      url: at(`/to?location=${encodeURIComponent(other)}`),
      request_headers: [
        { name: 'Authorization', value: 'Bearer secret' },
        { name: 'X-Keep', value: '1' },
      ],
    });
    assert.equal(seen.length, 2);
    assert.equal(seen[0].headers.authorization, 'Bearer secret');
    assert.equal(seen[1].headers.authorization, undefined);
    assert.equal(seen[1].headers['x-keep'], '1');
    assert.equal(seen[1].headers.host, `localhost:${server.port}`);
  });

  test('SECURITY 16: a redirect to another scheme is refused', async () => {
    const r = await check({ url: at(`/to?location=${encodeURIComponent('file:///etc/passwd')}`) });
    assert.deepEqual([r.ok, r.error], [false, 'redirect to unsupported scheme file:']);
  });

  test('SECURITY 15, 16: each redirect hop is checked by the policy: private when blocking, metadata always', async () => {
    const toPrivate = await check(
      { url: at(`/to?location=${encodeURIComponent(`http://[::1]:${server.port}/status/200`)}`) },
      BLOCK_BUT_TEST_SERVERS,
    );
    assert.deepEqual([toPrivate.ok, toPrivate.error], [false, 'blocked by target policy: private address ::1']);
    for (const loc of [
      'http://169.254.169.254/latest/meta-data/',
      'http://[::ffff:169.254.169.254]/',
      'https://2852039166/',
      'http://[fd00:ec2::254]/',
    ]) {
      const r = await check({ url: at(`/to?status=301&location=${encodeURIComponent(loc)}`) });
      assert.equal(r.ok, false);
      assert.match(
        r.error ?? '',
        /^blocked by target policy: cloud metadata address (169\.254\.169\.254|fd00:ec2::254)$/,
        loc,
      );
    }
  });

  test('SECURITY 15: alternate spellings of the address reach or are blocked as the address they mean', async () => {
    for (const host of ['2130706433', '0x7f.1', '[::ffff:7f00:1]', '[::ffff:127.0.0.1]']) {
      const url = `http://${host}:${server.port}/status/200`;
      assert.equal((await check({ url })).ok, true, url);
      const blocked = await check({ url }, BLOCK_PRIVATE);
      assert.equal(blocked.error, 'blocked by target policy: private address 127.0.0.1', url);
    }
    for (const url of ['http://[::ffff:169.254.169.254]/', 'http://0xa9fea9fe/', 'http://169.254.43518/']) {
      assert.equal(
        (await check({ url })).error,
        'blocked by target policy: cloud metadata address 169.254.169.254',
        url,
      );
    }
  });

  test('SECURITY 17: a server that never answers gives "timeout after 1 s", on time, and the connection is closed', async () => {
    const started = Date.now();
    const r = await check({ url: at('/hang'), timeout: 1 });
    assert.deepEqual([r.ok, r.error, r.statusCode], [false, 'timeout after 1 s', null]);
    assert.ok(r.totalMs >= 990, String(r.totalMs));
    assert.ok(Date.now() - started < 3000);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(server.openConnections(), 0);
  });

  test('aborting the signal ends the check at once', async () => {
    const controller = new AbortController();
    const pending = check({ url: at('/hang'), timeout: 30 }, OPEN, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const r = await pending;
    assert.deepEqual([r.ok, r.error], [false, 'aborted']);
  });

  test('a closed port gives "connection refused"', async () => {
    const port = await closedPort();
    const r = await check({ url: `http://127.0.0.1:${port}/` });
    assert.deepEqual([r.ok, r.error], [false, 'connection refused']);
  });

  test('SECURITY 16: a URL that is not http(s) is refused without a request', async () => {
    assert.equal((await check({ url: 'ftp://127.0.0.1/' })).error, 'invalid URL');
    assert.equal((await check({ url: 'not a url' })).error, 'invalid URL');
  });

  test('many checks leave no connection open', async () => {
    for (let i = 0; i < 3; i++)
      await Promise.all(Array.from({ length: 30 }, () => check({ url: at('/status/200'), required_keyword: 'ok' })));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(server.openConnections(), 0);
  });
});

describe('https checks', () => {
  let cert: Certificate;
  let expired: Certificate;
  let server: Running;
  let expiredServer: Running;

  before(async () => {
    [cert, expired] = await Promise.all([makeCertificate(30), makeCertificate(-1)]);
    server = await startHttps(cert, (req, res) => {
      const n = Number(req.url!.slice(3));
      if (req.url!.startsWith('/r/') && n > 0) res.writeHead(307, { location: `/r/${n - 1}` }).end();
      else res.end('secure ok');
    });
    expiredServer = await startHttps(expired, (_req, res) => res.end('old'));
  });
  after(async () => {
    await server.close();
    await expiredServer.close();
  });

  test('a self-signed certificate is not trusted without the CA, and its expiry is still reported', async () => {
    const r = await check({ url: `${server.url}/` });
    assert.deepEqual([r.ok, r.error, r.statusCode], [false, 'certificate not trusted', null]);
    assert.ok(typeof r.tlsMs === 'number' && typeof r.connectMs === 'number');
    assert.equal(r.sslExpiresAt, cert.notAfter);
  });

  test('with the CA configured the check passes, with TLS time and certificate expiry', async () => {
    const r = await check({ url: `${server.url}/`, required_keyword: 'secure ok' }, OPEN, { ca: cert.cert });
    assert.equal(r.ok, true, r.error ?? '');
    assert.equal(r.statusCode, 200);
    assert.ok(typeof r.tlsMs === 'number' && r.tlsMs > 0);
    assert.equal(r.sslExpiresAt, cert.notAfter);
    const named = await check({ url: `https://localhost:${server.port}/` }, OPEN, { ca: Buffer.from(cert.cert) });
    assert.equal(named.ok, true, named.error ?? '');
  });

  test('https redirects open a fresh TLS connection per hop and leave none open', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const r = await check({ url: `${server.url}/r/5` }, OPEN, { ca: cert.cert });
      assert.equal(r.ok, true, r.error ?? '');
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(server.openConnections(), 0);
      assert.deepEqual(warnings, []);
    } finally {
      process.off('warning', onWarning);
    }
  });

  test('an expired certificate gives "certificate expired"', async () => {
    const r = await check({ url: `${expiredServer.url}/` }, OPEN, { ca: expired.cert });
    assert.deepEqual([r.ok, r.error], [false, 'certificate expired']);
    assert.equal(r.sslExpiresAt, expired.notAfter);
    assert.ok(r.sslExpiresAt! < Date.now());
  });

  test('https to a plain HTTP port fails the handshake', async () => {
    const plain = await startHttp((_req, res) => res.end());
    try {
      const r = await check({ url: `https://127.0.0.1:${plain.port}/` });
      assert.equal(r.ok, false);
      assert.match(r.error ?? '', /^TLS handshake failed/);
    } finally {
      await plain.close();
    }
  });
});

describe('port checks', () => {
  let listener: Running;
  before(async () => {
    listener = await startTcp();
  });
  after(() => listener.close());

  test('an open port passes with its connect time', async () => {
    const r = await check({ protocol: 'port', url: '127.0.0.1', port: listener.port });
    assert.equal(r.ok, true, r.error ?? '');
    assert.deepEqual([r.statusCode, r.tlsMs, r.ttfbMs, r.dnsMs], [null, null, null, null]);
    assert.ok(typeof r.connectMs === 'number');
    assert.equal((await check({ protocol: 'port', url: `tcp://localhost:${listener.port}` })).ok, true);
  });

  test('a closed port gives "connection refused"', async () => {
    const r = await check({ protocol: 'port', url: '127.0.0.1', port: await closedPort() });
    assert.deepEqual([r.ok, r.error], [false, 'connection refused']);
  });

  test('SECURITY 15: the policy applies to port checks', async () => {
    const r = await check({ protocol: 'port', url: 'localhost', port: listener.port }, BLOCK_PRIVATE);
    assert.equal(r.error, 'blocked by target policy: private address 127.0.0.1');
    const meta = await check({ protocol: 'port', url: '2852039166', port: 80 });
    assert.equal(meta.error, 'blocked by target policy: cloud metadata address 169.254.169.254');
  });
});

describe('icmp checks', () => {
  test('127.0.0.1, ::1 and localhost answer, with the round-trip time as total', async () => {
    for (const url of ['127.0.0.1', '::1', 'localhost', 'https://127.0.0.1/x']) {
      const r = await check({ protocol: 'icmp', url, timeout: 2 });
      assert.equal(r.ok, true, `${url}: ${r.error}`);
      assert.ok(r.totalMs > 0 && r.totalMs < 1000, `${url}: ${r.totalMs}`);
      assert.equal(r.statusCode, null);
    }
  });

  test('SECURITY 18: targets a shell or ping could misread are rejected before anything runs', async () => {
    for (const url of ['; id', '$(id)', '-f', '127.0.0.1; id', '`id`', '127.0.0.1 -f', '-c 1000 127.0.0.1', '']) {
      const r = await check({ protocol: 'icmp', url });
      assert.deepEqual([r.ok, r.error], [false, 'invalid host'], url);
    }
  });

  test('SECURITY 15: the policy applies to ICMP checks', async () => {
    assert.equal(
      (await check({ protocol: 'icmp', url: '127.0.0.1' }, BLOCK_PRIVATE)).error,
      'blocked by target policy: private address 127.0.0.1',
    );
    assert.equal(
      (await check({ protocol: 'icmp', url: '169.254.169.254' })).error,
      'blocked by target policy: cloud metadata address 169.254.169.254',
    );
    assert.equal(
      (await check({ protocol: 'icmp', url: '0xa9fea9fe' })).error,
      'blocked by target policy: cloud metadata address 169.254.169.254',
    );
  });
});

describe('dns checks', () => {
  const zone: Zone = {
    'example.test': {
      A: ['192.0.2.10', '192.0.2.11'],
      AAAA: ['2001:db8::10'],
      MX: [
        [10, 'mail.example.test'],
        [20, 'backup.example.test'],
      ],
      TXT: [['v=spf1 -all'], ['hello ', 'world']],
      NS: ['ns1.example.test'],
      SOA: [['ns1.example.test', 'hostmaster.example.test', 2026112701, 3600, 600, 86400, 300]],
      CAA: [[0, 'issue', 'letsencrypt.org']],
    },
    'www.example.test': { CNAME: ['example.test'] },
    '_sip._tcp.example.test': { SRV: [[10, 5, 5060, 'sip.example.test']] },
    '1.0.0.127.in-addr.arpa': { PTR: ['localhost'] },
    [`1.${'0.'.repeat(31)}ip6.arpa`]: { PTR: ['ip6-localhost'] },
  };
  let dns: Running & { queries: number };
  let dns6: Running & { queries: number };
  let silent: Running & { queries: number };
  before(async () => {
    dns = await startDns(zone);
    dns6 = await startDns(zone, { host: '::1' });
    silent = await startDns(zone, { silent: true });
  });
  after(async () => {
    await dns.close();
    await dns6.close();
    await silent.close();
  });

  const query = (url: string, type: string, expected: string | null = null, nameserver = dns.url) =>
    check({
      protocol: 'dns',
      url,
      dns_record_type: type,
      dns_expected_answer: expected,
      dns_nameserver: nameserver,
      timeout: 2,
    });

  test('an A query passes with its lookup time', async () => {
    const r = await query('example.test', 'A');
    assert.equal(r.ok, true, r.error ?? '');
    assert.ok(typeof r.dnsMs === 'number');
    assert.deepEqual([r.statusCode, r.connectMs, r.tlsMs, r.ttfbMs], [null, null, null, null]);
  });

  test('the expected answer must be among the answers', async () => {
    assert.equal((await query('example.test', 'A', '192.0.2.11')).ok, true);
    const miss = await query('example.test', 'A', '192.0.2.99');
    assert.deepEqual([miss.ok, miss.error], [false, 'expected answer "192.0.2.99" not found']);
    assert.equal((await query('example.test', 'AAAA', '2001:DB8:0:0:0:0:0:10')).ok, true);
    assert.equal((await query('example.test', 'AAAA', '2001:db8::11')).ok, false);
  });

  test('MX answers match as the exchange or "priority exchange", without case or trailing dot', async () => {
    for (const ok of ['mail.example.test', 'MAIL.example.test.', '10 mail.example.test', '20  backup.example.test']) {
      assert.equal((await query('example.test', 'MX', ok)).ok, true, ok);
    }
    assert.equal(
      (await query('example.test', 'MX', '20 mail.example.test')).error,
      'expected answer "20 mail.example.test" not found',
    );
  });

  test('TXT answers match as the joined strings or the quoted form', async () => {
    for (const ok of ['v=spf1 -all', 'hello world', 'HELLO WORLD', '"hello " "world"']) {
      assert.equal((await query('example.test', 'TXT', ok)).ok, true, ok);
    }
    assert.equal((await query('example.test', 'TXT', 'v=spf1')).ok, false);
  });

  test('CNAME, NS, SOA, SRV, CAA and PTR answers', async () => {
    assert.equal((await query('www.example.test', 'CNAME', 'example.test.')).ok, true);
    assert.equal((await query('www.example.test', 'CNAME', 'other.test')).ok, false);
    assert.equal((await query('example.test', 'NS', 'ns1.example.test')).ok, true);
    assert.equal((await query('example.test', 'SOA', 'ns1.example.test')).ok, true);
    assert.equal(
      (await query('example.test', 'SOA', 'ns1.example.test hostmaster.example.test 2026112701 3600 600 86400 300')).ok,
      true,
    );
    assert.equal((await query('_sip._tcp.example.test', 'SRV', '10 5 5060 sip.example.test')).ok, true);
    assert.equal((await query('example.test', 'CAA', 'letsencrypt.org')).ok, true);
    assert.equal((await query('example.test', 'CAA', '0 issue "letsencrypt.org"')).ok, true);
    assert.equal((await query('127.0.0.1', 'PTR', 'localhost')).ok, true);
    assert.equal((await query('::1', 'PTR', 'ip6-localhost')).ok, true);
  });

  test('a domain given as a URL is queried by its host name', async () => {
    assert.equal((await query('https://example.test/path', 'A', '192.0.2.10')).ok, true);
  });

  test('NXDOMAIN and empty answers fail', async () => {
    assert.deepEqual((await query('missing.example.test', 'A')).error, 'DNS lookup failed: ENOTFOUND');
    assert.deepEqual((await query('example.test', 'SRV')).error, 'DNS lookup failed: ENODATA');
  });

  test('a nameserver that never answers gives "timeout after 1 s"', async () => {
    const r = await check({
      protocol: 'dns',
      url: 'example.test',
      dns_record_type: 'A',
      dns_nameserver: silent.url,
      timeout: 1,
    });
    assert.deepEqual([r.ok, r.error], [false, 'timeout after 1 s']);
    assert.ok(silent.queries >= 1);
  });

  test('an IPv6 nameserver with a port works', async () => {
    assert.equal((await query('example.test', 'A', '192.0.2.10', dns6.url)).ok, true);
  });

  test('SECURITY 15: the nameserver address must pass the policy', async () => {
    const before = dns.queries;
    assert.equal((await query('example.test', 'A', null, dns.url)).ok, true);
    const blocked = await check(
      { protocol: 'dns', url: 'example.test', dns_record_type: 'A', dns_nameserver: dns.url },
      BLOCK_PRIVATE,
    );
    assert.equal(blocked.error, 'blocked by target policy: private address 127.0.0.1');
    assert.equal(
      (await query('example.test', 'A', null, '169.254.169.254')).error,
      'blocked by target policy: cloud metadata address 169.254.169.254',
    );
    assert.equal(
      (await query('example.test', 'A', null, '[::ffff:a9fe:a9fe]:53')).error,
      'blocked by target policy: cloud metadata address 169.254.169.254',
    );
    assert.equal(dns.queries, before + 1);
  });

  test('nameserver settings: IP with optional port, [IPv6]:port, or a host name', () => {
    assert.deepEqual(parseNameserver('1.1.1.1'), { host: '1.1.1.1', port: 53 });
    assert.deepEqual(parseNameserver('1.1.1.1:5353'), { host: '1.1.1.1', port: 5353 });
    assert.deepEqual(parseNameserver('[::1]:5353'), { host: '::1', port: 5353 });
    assert.deepEqual(parseNameserver('[2001:db8::1]'), { host: '2001:db8::1', port: 53 });
    assert.deepEqual(parseNameserver('2001:db8::1'), { host: '2001:db8::1', port: 53 });
    assert.deepEqual(parseNameserver('ns1.example.org'), { host: 'ns1.example.org', port: 53 });
    for (const bad of [
      '[1.2.3.4]:53',
      '1.1.1.1:0',
      '1.1.1.1:70000',
      '1.1.1:53',
      'ns1.example.org:53',
      '; id',
      '[::1]:',
      '-x',
    ]) {
      assert.equal(parseNameserver(bad), null, bad);
    }
  });
});

describe('runCheck', () => {
  test('never throws, whatever it is given', async () => {
    const r = await check({ protocol: 'smtp' as CheckTarget['protocol'], url: 'x' });
    assert.deepEqual([r.ok, r.error], [false, 'unknown protocol smtp']);
    const controller = new AbortController();
    controller.abort();
    assert.equal((await check({ url: 'http://127.0.0.1/' }, OPEN, { signal: controller.signal })).error, 'aborted');
    assert.equal((await check({ protocol: 'dns', url: '; id', dns_record_type: 'A' })).error, 'invalid domain');
    assert.equal((await check({ protocol: 'port', url: '127.0.0.1', port: null })).error, 'no port to check');
  });
});
