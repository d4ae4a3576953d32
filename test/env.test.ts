// Bad configuration and bad environment (issue 8): a data folder that cannot be used, a full
// disk, a database locked by another process, PostgreSQL down at start and mid-run, and a clean
// shutdown. Each gives one clear message, and Vigil recovers by itself once the fault is gone.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import SQLite from 'better-sqlite3';
import { client, dialect, freshDatabase, PG_URL, runCli, type Db, sleep, waitFor } from './harness.ts';
import { closedPort, startHttp } from './support/targets.ts';
import { loadConfig, startServer } from '../src/main.ts';

const BIN = path.resolve(import.meta.dirname, '../bin/vigil.js');
const sqliteOnly = dialect === 'postgres' ? 'SQLite only (the PostgreSQL run covers PostgreSQL faults)' : false;
const children = new Set<ChildProcess>();
const cleanups: (() => void | Promise<void>)[] = [];
after(async () => {
  for (const c of children) c.kill('SIGKILL');
  for (const f of cleanups.reverse()) await f();
});

interface Served {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

/** `vigil serve` in its own process; resolves once it listens, or rejects with its output. */
async function serve(env: Record<string, string>): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: {
      ...process.env,
      VIGIL_HOST: '127.0.0.1',
      VIGIL_PORT: '0',
      VIGIL_ROLE: 'api',
      VIGIL_LOG_LEVEL: 'info',
      VIGIL_RATE_LIMIT_PER_HOUR: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  child.stdout!.on('data', (c) => {
    out += c;
  });
  child.stderr!.on('data', (c) => {
    out += c;
  });
  const exited = new Promise<number | null>((r) =>
    child.once('exit', (code) => {
      children.delete(child);
      r(code);
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const end = Date.now() + 30_000;
    const look = () => {
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]);
      else if (child.exitCode !== null || Date.now() > end) reject(new Error(`vigil serve did not start: ${out}`));
      else setTimeout(look, 25);
    };
    look();
  });
  return { child, url, output: () => out, exited };
}

/** Runs `vigil serve` expecting it to refuse to start: exit code and stderr. */
function serveFails(
  env: Record<string, string>,
  wrap: string[] = [],
  bin = BIN,
): { code: number | null; stderr: string } {
  const cmd = [...wrap, process.execPath, bin, 'serve'];
  const r = spawnSync(cmd[0], cmd.slice(1), {
    env: {
      ...process.env,
      VIGIL_HOST: '127.0.0.1',
      VIGIL_PORT: '0',
      VIGIL_ROLE: 'api',
      VIGIL_LOG_LEVEL: 'silent',
      ...env,
    },
    // A folder every user may enter (the checkout's may not be, under a mode-700 home).
    cwd: path.dirname(path.dirname(bin)),
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stderr: r.stderr };
}

/** A project and a read-write key made with the CLI, for the database of `env`. */
async function keyFor(env: Record<string, string>): Promise<string> {
  const project = JSON.parse((await runCli(['projects', 'create', '--name', 'env', '--json'], env)).stdout);
  return JSON.parse(
    (
      await runCli(
        ['keys', 'create', '--project', project.uuid, '--name', 'k', '--permission', 'read_write', '--json'],
        env,
      )
    ).stdout,
  ).key;
}

const tmp = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-env-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
};
const monitor = (name: string) => ({ body: { name, url: 'https://example.org', paused: true } });

describe('an unusable data folder', { skip: sqliteOnly }, () => {
  test('VIGIL_DATA_DIR that is a file: one line naming it, exit code 1', () => {
    const file = path.join(tmp(), 'data');
    fs.writeFileSync(file, 'not a folder');
    const r = serveFails({ VIGIL_DATA_DIR: file });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `vigil: VIGIL_DATA_DIR ${file} is a file, not a folder\n`);
  });

  test('VIGIL_DATA_DIR under a file: one line naming it, exit code 1', () => {
    const file = path.join(tmp(), 'data');
    fs.writeFileSync(file, 'not a folder');
    const r = serveFails({ VIGIL_DATA_DIR: path.join(file, 'vigil') });
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^vigil: VIGIL_DATA_DIR \S+\/data\/vigil cannot be created: ENOTDIR: not a directory, mkdir .*\n$/,
    );
  });

  const NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
  const setpriv =
    spawnSync(NOBODY[0], [...NOBODY.slice(1), 'true']).status === 0 ? false : 'setpriv cannot drop to nobody here';

  /**
   * The program as user nobody can run it: this checkout when nobody can read it, else (a
   * checkout under a mode-700 home) a hard-linked copy, or a plain one across file systems, of
   * what `vigil serve` needs, in a folder nobody may enter.
   */
  function binForNobody(): string {
    const root = path.resolve(import.meta.dirname, '..');
    const probe = `require('fs').accessSync(${JSON.stringify(BIN)}, require('fs').constants.R_OK)`;
    if (spawnSync(NOBODY[0], [...NOBODY.slice(1), process.execPath, '-e', probe]).status === 0) return BIN;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-nobody-'));
    fs.chmodSync(dir, 0o755);
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    for (const name of ['package.json', 'tsconfig.json', 'bin', 'src', 'dist', 'node_modules']) {
      if (!fs.existsSync(path.join(root, name))) continue;
      const linked = spawnSync('cp', ['-al', path.join(root, name), dir]);
      if (linked.status !== 0) spawnSync('cp', ['-a', path.join(root, name), dir]);
    }
    return path.join(dir, 'bin', 'vigil.js');
  }

  test('VIGIL_DATA_DIR the user cannot write (run as nobody, since root passes every permission check): one line, exit code 1', {
    skip: setpriv,
  }, () => {
    const dir = tmp();
    fs.chmodSync(dir, 0o755); // readable by nobody, not writable
    const wrap = NOBODY;
    const bin = binForNobody();
    const r = serveFails({ VIGIL_DATA_DIR: dir }, wrap, bin);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `vigil: VIGIL_DATA_DIR ${dir} is not readable and writable by this user (uid 65534)\n`);
    fs.chmodSync(dir, 0o700); // and one it cannot even enter: the folder below cannot be made
    const below = serveFails({ VIGIL_DATA_DIR: path.join(dir, 'data') }, wrap, bin);
    assert.equal(below.code, 1);
    assert.match(below.stderr, /^vigil: VIGIL_DATA_DIR \S+ cannot be created: EACCES: permission denied.*\n$/);
  });
});

describe('a full disk', { skip: sqliteOnly }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-full-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', dir]);
  const skip = mounted.status === 0 ? false : `cannot mount a small tmpfs here (${mounted.stderr.toString().trim()})`;
  cleanups.push(() => {
    if (!skip) spawnSync('umount', ['-l', dir]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('writes answer 503 "disk … full" (never 500) while the disk is full, reads keep working, and writes succeed again once space is freed, without a restart', {
    skip,
  }, async () => {
    const env = { VIGIL_DATA_DIR: dir };
    const key = await keyFor(env);
    const s = await serve(env);
    const api = client(s.url, key);
    assert.equal((await api.request('POST', '/v1/monitors', monitor('before'))).status, 201);
    // Fill every free byte of the tmpfs.
    const filler = path.join(dir, 'filler');
    const fd = fs.openSync(filler, 'w');
    const chunk = Buffer.alloc(64 * 1024, 1);
    try {
      for (;;) fs.writeSync(fd, chunk);
    } catch (err) {
      assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
    }
    try {
      for (;;) fs.writeSync(fd, chunk.subarray(0, 512));
    } catch {}
    fs.closeSync(fd);
    const statuses = new Map<number, number>();
    let full: { status: number; body: any } | null = null;
    for (let i = 0; i < 400 && !full; i++) {
      const r = await api.request('POST', '/v1/monitors', monitor(`while full ${i} ${'x'.repeat(200)}`));
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      assert.ok(r.status === 201 || r.status === 503, `${r.status} ${r.text}`);
      if (r.status === 503) full = r;
    }
    assert.ok(full, `the disk never filled: ${JSON.stringify([...statuses])}`);
    assert.equal(full.body.message, 'Service unavailable: the disk of the database is full; retry later');
    const list = await api.request('GET', '/v1/monitors');
    assert.equal(list.status, 200, list.text);
    assert.equal((await api.request('GET', '/healthz')).status, 200);

    fs.rmSync(filler);
    const again = await api.request('POST', '/v1/monitors', monitor('after'));
    assert.equal(again.status, 201, again.text);
    const names = (await api.request('GET', '/v1/monitors')).body.map((m: any) => m.name);
    assert.ok(names.includes('before') && names.includes('after'));
    assert.equal(s.child.exitCode, null, 'still running');
    assert.doesNotMatch(s.output(), /"level":(50|60)/, 'nothing logged as an error');
    s.child.kill('SIGTERM');
    assert.equal(await s.exited, 0);
  });
});

describe('a SQLite database locked by another process', { skip: sqliteOnly }, () => {
  test('while another connection holds the write lock, writes wait the busy timeout then answer 503 "locked" (never 500) and reads answer; after the lock is released writes succeed, without a restart', async () => {
    const dir = tmp();
    const env = { VIGIL_DATA_DIR: dir };
    const key = await keyFor(env);
    const s = await serve(env);
    const api = client(s.url, key);
    const hc = (
      await api.request('POST', '/v2/healthchecks', {
        body: { name: 'cron', period_value: 1, period_type: 'days', grace_period_value: 1, grace_period_type: 'days' },
      })
    ).body.healthcheck.uuid;
    const other = new SQLite(path.join(dir, 'vigil.db'));
    cleanups.push(() => {
      if (other.open) other.close();
    });
    other.exec('BEGIN EXCLUSIVE');
    other.prepare('UPDATE projects SET name = name').run();

    const t0 = Date.now();
    const write = await api.request('POST', '/v1/monitors', monitor('locked'));
    assert.equal(write.status, 503, write.text);
    assert.equal(write.body.message, 'Service unavailable: the database is locked by another process; retry later');
    assert.equal(write.headers.get('retry-after'), '5');
    assert.ok(Date.now() - t0 >= 4000, 'waited for the busy timeout first');
    const ping = await fetch(`${s.url}/ping/${hc}`, { method: 'POST', body: 'x' });
    assert.equal(ping.status, 503);
    const read = await api.request('GET', '/v1/monitors');
    assert.equal(read.status, 200, read.text);

    other.exec('COMMIT');
    other.close();
    const after = await api.request('POST', '/v1/monitors', monitor('unlocked'));
    assert.equal(after.status, 201, after.text);
    assert.equal((await fetch(`${s.url}/ping/${hc}`, { method: 'POST', body: 'y' })).status, 200);
    assert.doesNotMatch(s.output(), /"level":(50|60)/, 'nothing logged as an error');
    s.child.kill('SIGTERM');
    assert.equal(await s.exited, 0);
  });

  test('`vigil serve` started while another process holds the write lock past the busy timeout (another node migrating a large database) waits, says so once, and starts when it is released (it used to exit 1 "database is locked"); its checks then go on through a second lock of 8 s, without a restart', {
    timeout: 90_000,
  }, async () => {
    const dir = tmp();
    const env = { VIGIL_DATA_DIR: dir, VIGIL_ROLE: 'all' };
    const key = await keyFor(env);
    const lock = () => {
      const other = new SQLite(path.join(dir, 'vigil.db'));
      cleanups.push(() => {
        if (other.open) other.close();
      });
      other.exec('BEGIN EXCLUSIVE');
      other.prepare('UPDATE projects SET name = name').run();
      return () => {
        other.exec('COMMIT');
        other.close();
      };
    };
    let unlock = lock();
    let settled = false;
    const starting = serve(env);
    starting.then(
      () => (settled = true),
      () => (settled = true),
    );
    await sleep(8000); // past the 5 s busy timeout
    assert.equal(settled, false, 'neither listening nor exited while the lock is held');
    unlock();
    const s = await starting;
    assert.equal(
      s.output().match(/the database is locked by another process \(a migration, a restore\?\); waiting for it/g)
        ?.length,
      1,
      s.output(),
    );

    let hits = 0;
    const target = await startHttp((_req, res) => {
      hits++;
      res.writeHead(200).end('ok');
    });
    cleanups.push(() => target.close());
    const api = client(s.url, key);
    const res = await api.request('POST', '/v1/monitors', {
      body: { name: 'busy', url: target.url, check_frequency: 10 },
    });
    assert.equal(res.status, 201, res.text);
    await waitFor(async () => hits >= 1, 'a first check');
    unlock = lock();
    await sleep(8000);
    unlock();
    const released = Date.now();
    const reader = new SQLite(path.join(dir, 'vigil.db'), { readonly: true });
    cleanups.push(() => {
      reader.close();
    });
    await waitFor(
      async () =>
        (reader.prepare('SELECT count(*) AS n FROM check_results WHERE at >= ?').get(released) as { n: number }).n > 0,
      'a check stored after the lock',
      20_000,
    );
    assert.equal(s.child.exitCode, null, 'still running');
    s.child.kill('SIGTERM');
    assert.equal(await s.exited, 0);
  });
});

describe('PostgreSQL down', () => {
  test('at start: one line naming DATABASE_URL (without its password), exit code 1', async () => {
    const port = await closedPort();
    const r = serveFails({
      DATABASE_URL: `postgres://vigil:hunter2secret@127.0.0.1:${port}/vigil`,
      VIGIL_DATA_DIR: tmp(),
    });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `vigil: cannot connect to DATABASE_URL: connect ECONNREFUSED 127.0.0.1:${port}\n`);
    assert.doesNotMatch(r.stderr, /hunter2/);
  });

  test('mid-run (a loopback TCP proxy between Vigil and PostgreSQL is cut, then restored): /healthz and the API answer 503 while it is down and 200 after, with no restart', {
    skip: PG_URL ? false : 'needs VIGIL_TEST_DATABASE_URL',
  }, async () => {
    const db: Db = await freshDatabase();
    cleanups.push(() => db.drop());
    const real = new URL(PG_URL!);
    // The proxy: accepts on a fixed loopback port and pipes to PostgreSQL; cut() closes it and every connection.
    const sockets = new Set<net.Socket>();
    const proxy = () =>
      net.createServer((a) => {
        const b = net.connect(Number(real.port || 5432), real.hostname);
        for (const s of [a, b]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => {});
        }
        a.pipe(b).pipe(a);
      });
    let server = proxy();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const cut = () =>
      new Promise<void>((r) => {
        server.close(() => r());
        for (const s of sockets) s.destroy();
      });
    cleanups.push(() => {
      server.close();
      for (const s of sockets) s.destroy();
    });
    const viaProxy = new URL(db.env.DATABASE_URL);
    viaProxy.host = `127.0.0.1:${port}`;
    const env = { ...db.env, DATABASE_URL: viaProxy.toString() };
    const key = await keyFor(env);
    const s = await serve(env);
    const api = client(s.url, key);
    assert.equal((await api.request('GET', '/healthz')).status, 200);
    assert.equal((await api.request('POST', '/v1/monitors', monitor('before'))).status, 201);

    await cut();
    const health = await api.request('GET', '/healthz').catch((err) => {
      throw new Error(
        `${err.message} (${err.cause?.message}); vigil exit ${s.child.exitCode} ${s.child.signalCode}; vigil said: ${s.output()}`,
      );
    });
    assert.equal(health.status, 503, health.text);
    assert.match(health.body.message, /^database: /);
    for (const [method, p] of [
      ['GET', '/v1/monitors'],
      ['POST', '/v1/monitors'],
    ] as const) {
      const r = await api.request(method, p, method === 'POST' ? monitor('during') : {});
      assert.equal(r.status, 503, `${method} ${p}: ${r.status} ${r.text}`);
      assert.equal(r.body.message, 'Service unavailable: the database cannot be reached; retry later');
    }

    server = proxy();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    const end = Date.now() + 30_000;
    let status = 0;
    while (Date.now() < end && (status = (await api.request('GET', '/healthz')).status) !== 200) await sleep(200);
    assert.equal(status, 200, 'healthy again');
    assert.equal((await api.request('POST', '/v1/monitors', monitor('after'))).status, 201);
    assert.equal(s.child.exitCode, null, 'never restarted');
    s.child.kill('SIGTERM');
    assert.equal(await s.exited, 0);
  });
});

describe('shutdown', () => {
  test('stopping right after start, while the engine and its first retention pass run, logs no error (the store closed under a query logged "driver has already been destroyed")', async () => {
    const db = await freshDatabase();
    cleanups.push(() => db.drop());
    const logged: string[] = [];
    const record = (...a: unknown[]) => {
      logged.push(
        a
          .map((x) =>
            x instanceof Error ? x.message : JSON.stringify(x, (_k, v) => (v instanceof Error ? v.message : v)),
          )
          .join(' '),
      );
    };
    const log = {
      info() {},
      debug() {},
      trace() {},
      warn: record,
      error: record,
      fatal: record,
      child() {
        return log;
      },
    } as never;
    for (let i = 0; i < 12; i++) {
      const config = loadConfig({
        ...db.env,
        VIGIL_PORT: '0',
        VIGIL_HOST: '127.0.0.1',
        VIGIL_ROLE: 'all',
        VIGIL_LOG_LEVEL: 'silent',
      });
      const running = await startServer(config, { log }, () => {});
      await sleep(i * 3);
      await running.stop();
    }
    await sleep(300);
    assert.deepEqual(logged, []);
  });
});
