import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { loadConfig } from '../src/config.ts';
import { startHarness, type Harness } from './harness.ts';
import { startProofDns } from './support/proof-dns.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const DEPLOY = path.join(ROOT, 'deploy');
const run = promisify(execFile);

function has(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A systemd unit as section → key → values (keys may repeat); comments and blank lines dropped. */
function parseUnit(text: string): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const head = /^\[(\w+)\]$/.exec(line);
    if (head) {
      section = head[1];
      out[section] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    assert.ok(section && eq > 0, `not a unit line: ${line}`);
    (out[section][line.slice(0, eq)] ??= []).push(line.slice(eq + 1));
  }
  return out;
}

/** KEY=value lines, as systemd's EnvironmentFile= and `set -a; . file` both read them. */
function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^([A-Z_][A-Z0-9_]*)=(\S*)$/.exec(line);
    assert.ok(m, `not a plain VARIABLE=value line: ${line}`);
    env[m[1]] = m[2];
  }
  return env;
}

const unitText = fs.readFileSync(path.join(DEPLOY, 'vigil.service'), 'utf8');
const unit = parseUnit(unitText);
const service = unit.Service;
const one = (key: string) => {
  assert.equal(service[key]?.length, 1, `Service.${key} once`);
  return service[key][0];
};

describe('deploy/vigil.service', () => {
  test('runs bin/vigil.js serve from the working directory as a dedicated user, restarting on failure', () => {
    assert.deepEqual(Object.keys(unit), ['Unit', 'Service', 'Install']);
    const [node, script, command] = one('ExecStart').split(/\s+/);
    assert.ok(path.isAbsolute(node), 'systemd needs an absolute executable');
    assert.equal(one('WorkingDirectory'), '/opt/vigil');
    // The script is named relative to WorkingDirectory, i.e. to the checkout: it must exist in this repo.
    assert.ok(fs.existsSync(path.join(ROOT, script)), `${script} exists in the repository`);
    assert.equal(command, 'serve');
    assert.equal(
      JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.start,
      `node ${script} serve`,
    );
    assert.equal(one('User'), 'vigil');
    assert.notEqual(one('User'), 'root');
    assert.equal(one('EnvironmentFile'), '/etc/vigil/env');
    assert.equal(one('Restart'), 'on-failure');
    assert.deepEqual(unit.Install.WantedBy, ['multi-user.target']);
  });

  test('is hardened, with the data folder as the only writable place', () => {
    for (const [key, value] of Object.entries({
      NoNewPrivileges: 'yes',
      ProtectSystem: 'strict',
      ProtectHome: 'yes',
      PrivateTmp: 'yes',
      PrivateDevices: 'yes',
      ProtectKernelTunables: 'yes',
      ProtectControlGroups: 'yes',
      RestrictSUIDSGID: 'yes',
      AmbientCapabilities: '',
    }))
      assert.equal(one(key), value, key);
    const env = Object.fromEntries(service.Environment.flatMap((e) => e.split(/\s+/)).map((kv) => kv.split('=')));
    assert.equal(env.VIGIL_DATA_DIR, '/var/lib/vigil');
    assert.equal(one('ReadWritePaths'), env.VIGIL_DATA_DIR);
    assert.equal(`/var/lib/${one('StateDirectory')}`, env.VIGIL_DATA_DIR);
    // No capability is granted: only kept in the bounding set so that ping (file capability) may start.
    assert.equal(one('CapabilityBoundingSet'), 'CAP_NET_RAW');
  });

  test('passes systemd-analyze verify without a warning', {
    skip: has('systemd-analyze') ? false : 'systemd-analyze is not installed (.ci/run installs systemd)',
  }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unit-'));
    try {
      // The checkout is here rather than in /opt/vigil; verify checks that the executable exists.
      let text = unitText.replace('WorkingDirectory=/opt/vigil', `WorkingDirectory=${ROOT}`);
      if (!fs.existsSync('/usr/bin/node'))
        text = text.replace('ExecStart=/usr/bin/node', `ExecStart=${process.execPath}`);
      fs.writeFileSync(path.join(dir, 'vigil.service'), text);
      const res = await run('systemd-analyze', ['verify', path.join(dir, 'vigil.service')]).catch((err) => err);
      assert.equal(res.code ?? 0, 0, res.stderr);
      assert.equal(res.stderr, '', 'systemd-analyze prints unknown keys and bad values as warnings');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a unit with a mistake does not pass the same check', { skip: !has('systemd-analyze') }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unit-'));
    try {
      fs.writeFileSync(
        path.join(dir, 'vigil.service'),
        unitText.replace('Restart=on-failure', 'Restart=on-failur\nProtectSystm=strict'),
      );
      const res = await run('systemd-analyze', ['verify', path.join(dir, 'vigil.service')]).catch((err) => err);
      assert.match(res.stderr, /restart specifier/);
      assert.match(res.stderr, /Unknown key 'ProtectSystm'/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("deploy/vigil.env is a configuration Vigil accepts, with the unit's data folder", () => {
    const env = parseEnvFile(fs.readFileSync(path.join(DEPLOY, 'vigil.env'), 'utf8'));
    const config = loadConfig(env);
    assert.equal(config.dataDir, '/var/lib/vigil');
    assert.equal(config.trustProxy, true);
    assert.equal(config.host, '127.0.0.1');
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'configuration.md'), 'utf8');
    for (const key of Object.keys(env))
      assert.ok(doc.includes(`| \`${key}\``), `${key} is documented in docs/configuration.md`);
  });

  test('the sysctl file lets ping use ICMP datagram sockets', () => {
    const lines = fs
      .readFileSync(path.join(DEPLOY, 'sysctl-vigil-ping.conf'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'));
    assert.deepEqual(lines, ['net.ipv4.ping_group_range = 0 2147483647']);
  });
});

// ---- nginx in front of a Vigil server, on loopback, with a self-signed certificate ----

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net
      .createServer()
      .listen(0, '127.0.0.1', () => {
        const { port } = s.address() as net.AddressInfo;
        s.close(() => resolve(port));
      })
      .on('error', reject);
  });
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

describe('deploy/nginx.conf in front of Vigil', () => {
  let vigil: Harness;
  let dns: Awaited<ReturnType<typeof startProofDns>>;
  let nginx: ChildProcess;
  let dir: string;
  let cert: Buffer;
  let httpsPort: number;
  let httpPort: number;

  /** A request through nginx from a chosen loopback address (127.0.0.0/8 is all local). */
  function request(
    p: string,
    opts: {
      method?: string;
      host?: string;
      from?: string;
      key?: string;
      headers?: Record<string, string>;
      body?: string;
    } = {},
  ): Promise<Reply> {
    const host = opts.host ?? 'vigil.example.com';
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          host: '127.0.0.1',
          port: httpsPort,
          path: p,
          method: opts.method ?? 'GET',
          servername: host,
          ca: cert,
          localAddress: opts.from ?? '127.0.0.1',
          headers: {
            host,
            ...(opts.key ? { authorization: `Bearer ${opts.key}` } : {}),
            ...(opts.body ? { 'content-type': 'application/json' } : {}),
            ...opts.headers,
          },
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
        },
      );
      req.on('error', reject);
      req.end(opts.body);
    });
  }

  before(async () => {
    assert.ok(has('nginx'), 'nginx is not installed: apt-get install nginx-light (.ci/run installs it)');
    assert.ok(has('openssl'), 'openssl is not installed');
    dns = await startProofDns();
    vigil = await startHarness({ env: { VIGIL_TRUST_PROXY: 'true', VIGIL_AUTH_FAILURES_PER_MINUTE: '3', ...dns.env } });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nginx-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=vigil.example.com',
        '-addext',
        'subjectAltName=DNS:vigil.example.com,DNS:status.example.com,DNS:status.acme.test',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    cert = fs.readFileSync(path.join(dir, 'cert.pem'));
    [httpsPort, httpPort] = [await freePort(), await freePort()];
    const upstream = new URL(vigil.url);

    // The example as shipped, with only addresses, ports, certificate paths and the extra test host changed.
    const site = fs
      .readFileSync(path.join(DEPLOY, 'nginx.conf'), 'utf8')
      .replace('server 127.0.0.1:8080;', `server 127.0.0.1:${upstream.port};`)
      .replace(/^\s*listen \[::\].*\n/gm, '')
      .replace('listen 80;', `listen 127.0.0.1:${httpPort};`)
      .replace('listen 443 ssl http2;', `listen 127.0.0.1:${httpsPort} ssl http2;`)
      .replace('/etc/letsencrypt/live/vigil.example.com/fullchain.pem', path.join(dir, 'cert.pem'))
      .replace('/etc/letsencrypt/live/vigil.example.com/privkey.pem', path.join(dir, 'key.pem'))
      .replaceAll(
        'server_name vigil.example.com status.example.com;',
        'server_name vigil.example.com status.example.com status.acme.test;',
      );
    const directives = site
      .split('\n')
      .filter((l) => !l.trim().startsWith('#'))
      .join('\n');
    assert.doesNotMatch(directives, /:8080|letsencrypt|listen (80|443)\b/, 'every substitution applied');
    fs.writeFileSync(path.join(dir, 'vigil.conf'), site);
    const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
      .map((t) => `${t}_temp_path ${path.join(dir, t)};`)
      .join(' ');
    fs.writeFileSync(
      path.join(dir, 'nginx.conf'),
      `worker_processes 1;
pid ${path.join(dir, 'nginx.pid')};
error_log ${path.join(dir, 'error.log')} warn;
events { worker_connections 64; }
http { access_log off; ${temp} include ${path.join(dir, 'vigil.conf')}; }
`,
    );
    nginx = spawn(
      'nginx',
      ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log'), '-g', 'daemon off;'],
      { stdio: 'ignore' },
    );
    let exited = false;
    nginx.once('exit', () => (exited = true));
    for (let i = 0; ; i++) {
      const up = await new Promise<boolean>((r) =>
        net
          .connect(httpsPort, '127.0.0.1')
          .once('connect', function (this: net.Socket) {
            this.destroy();
            r(true);
          })
          .once('error', () => r(false)),
      );
      if (up) break;
      if (exited || i > 100)
        throw new Error(
          `nginx did not start: ${fs.existsSync(path.join(dir, 'error.log')) ? fs.readFileSync(path.join(dir, 'error.log'), 'utf8') : ''}`,
        );
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  after(async () => {
    if (nginx && nginx.exitCode === null) {
      const gone = new Promise((r) => nginx.once('exit', r));
      nginx.kill('SIGTERM');
      await gone;
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    await vigil?.stop();
    await dns?.close();
  });

  test('the API answers over TLS through the proxy', async () => {
    const res = await request('/v1/monitors', { key: vigil.rw });
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(JSON.parse(res.body), []);
    assert.match(String(res.headers.ratelimit), /^"10000-in-1hr"; r=\d+; t=\d+$/);
    const created = await request('/v1/monitors', {
      method: 'POST',
      key: vigil.rw,
      body: JSON.stringify({ name: 'Through nginx', url: 'https://example.org' }),
    });
    assert.equal(created.status, 201, created.body);
  });

  test('plain http is redirected to https', async () => {
    // node:http rather than fetch, which would not send this Host header.
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http
        .get(
          { host: '127.0.0.1', port: httpPort, path: '/v1/monitors?x=1', headers: { host: 'vigil.example.com' } },
          resolve,
        )
        .on('error', reject);
    });
    res.resume();
    assert.equal(res.statusCode, 301);
    assert.equal(res.headers.location, 'https://vigil.example.com/v1/monitors?x=1');
  });

  test('Vigil sees the client address from X-Forwarded-For, not the proxy and not what the client claims', async () => {
    const res = await request('/v1/monitors', {
      method: 'POST',
      key: vigil.ro,
      from: '127.0.0.3',
      headers: { 'x-forwarded-for': '203.0.113.9' },
      body: '{}',
    });
    assert.equal(res.status, 403, res.body);
    let row: { source_ip: string | null } | undefined;
    for (let i = 0; i < 50 && !row; i++) {
      row = await vigil.ctx.store.db
        .selectFrom('audit_log')
        .select('source_ip')
        .where('action', '=', 'api.forbidden')
        .executeTakeFirst();
      if (!row) await new Promise((r) => setTimeout(r, 20)); // the audit row is written after the answer
    }
    assert.equal(row?.source_ip, '127.0.0.3');
  });

  test('the failed-authentication throttle counts per client behind the proxy', async () => {
    for (let i = 0; i < 3; i++)
      assert.equal((await request('/v1/monitors', { key: 'sk_wrong', from: '127.0.0.4' })).status, 401);
    assert.equal((await request('/v1/monitors', { key: 'sk_wrong', from: '127.0.0.4' })).status, 429);
    // Another client, and the first one lying about its address, are judged on their own addresses.
    assert.equal((await request('/v1/monitors', { key: 'sk_wrong', from: '127.0.0.5' })).status, 401);
    assert.equal(
      (
        await request('/v1/monitors', {
          key: 'sk_wrong',
          from: '127.0.0.4',
          headers: { 'x-forwarded-for': '198.51.100.7' },
        })
      ).status,
      429,
    );
    assert.equal((await request('/v1/monitors', { key: vigil.rw, from: '127.0.0.6' })).status, 200);
  });

  test('a status page is served at / on its custom domain through the proxy', async () => {
    const created = await request('/v2/statuspages', {
      method: 'POST',
      key: vigil.rw,
      body: JSON.stringify({ name: 'Acme through nginx', subdomain: 'acme-proxy', hostname: 'status.acme.test' }),
    });
    assert.equal(created.status, 201, created.body);
    // Served there once proven: the page's TXT record in (loopback) DNS, then a lookup.
    assert.equal((await request('/', { host: 'status.acme.test' })).status, 302);
    const { uuid, hostname_verification: record } = JSON.parse(created.body).statuspage;
    dns.publish(record);
    const verified = await request(`/v2/statuspages/${uuid}/hostname/verify`, { method: 'POST', key: vigil.rw });
    assert.equal(JSON.parse(verified.body).message, 'Hostname verified');
    const page = await request('/', { host: 'status.acme.test' });
    assert.equal(page.status, 200, page.body.slice(0, 300));
    assert.match(String(page.headers['content-type']), /text\/html/);
    assert.match(page.body, /Acme through nginx/);
    // The API host's / is not the page.
    assert.doesNotMatch((await request('/', {})).body, /Acme through nginx/);
  });
});
