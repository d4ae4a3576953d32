import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { loadConfig, type Config } from '../src/config.ts';
import { startServer, type Running } from '../src/main.ts';
import { createProject } from '../src/services/projects.ts';
import { createApiKey } from '../src/services/api-keys.ts';
import { randomAlnum } from '../src/domain/ids.ts';
import type { Ctx } from '../src/services/context.ts';

/** Set VIGIL_TEST_DATABASE_URL=postgres://… to run the suite on PostgreSQL instead of SQLite. */
export const PG_URL = process.env.VIGIL_TEST_DATABASE_URL || null;
export const dialect = PG_URL ? 'postgres' : 'sqlite';

export interface Db {
  env: Record<string, string>;
  dataDir: string;
  drop(): Promise<void>;
}

/** A fresh, empty database: a temp folder for SQLite, a new schema for PostgreSQL. */
export async function freshDatabase(): Promise<Db> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-test-'));
  if (!PG_URL) {
    return {
      env: { VIGIL_DATA_DIR: dataDir },
      dataDir,
      async drop() {
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const schema = `t_${randomAlnum(12).toLowerCase()}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    env: { DATABASE_URL: url.toString(), VIGIL_DATA_DIR: dataDir },
    dataDir,
    async drop() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Response {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

export interface Client {
  request(
    method: string,
    path: string,
    opts?: { key?: string | null; body?: unknown; raw?: string; headers?: Record<string, string> },
  ): Promise<Response>;
}

/** A setup request's response, once its status is the one expected (else the test fails there, with the body). */
export async function expectStatus(status: number, pending: Promise<Response>): Promise<Response> {
  const res = await pending;
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.text}`);
  return res;
}

export function client(baseUrl: string, defaultKey: string | null = null): Client {
  return {
    async request(method, p, opts = {}) {
      const key = opts.key === undefined ? defaultKey : opts.key;
      const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
      if (key) headers.authorization = `Bearer ${key}`;
      let body: string | undefined;
      if (opts.raw !== undefined) body = opts.raw;
      else if (opts.body !== undefined) body = JSON.stringify(opts.body);
      if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
      const res = await fetch(baseUrl + p, { method, headers, body });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {}
      return { status: res.status, headers: res.headers, text, body: parsed };
    },
  };
}

export interface Harness extends Client {
  url: string;
  db: Db;
  ctx: Ctx;
  running: Running;
  config: Config;
  project: { uuid: string; id: number };
  rw: string;
  ro: string;
  /** A second project with its own read-write key, for isolation tests. */
  other: { uuid: string; rw: string };
  /** Runs the CLI against the same database. */
  cli(
    args: string[],
    opts?: { env?: Record<string, string> },
  ): Promise<{ code: number; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, '../bin/vigil.js');

export async function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...env, VIGIL_LOG_LEVEL: 'silent' },
    });
    return { code: 0, stdout, stderr };
  } catch (err: any) {
    return { code: err.code ?? 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

/** The real server on an ephemeral loopback port over a fresh database, with a project and keys. */
export async function startHarness(
  opts: { env?: Record<string, string>; clock?: () => number } = {},
): Promise<Harness> {
  const db = await freshDatabase();
  // The engine is off unless a test asks for it (VIGIL_ROLE=all): monitors in API tests point at example.org.
  // Hostname proofs ask a closed loopback port unless a test starts its DNS server (support/proof-dns.ts): never the real resolver.
  const env = {
    VIGIL_PORT: '0',
    VIGIL_HOST: '127.0.0.1',
    VIGIL_LOG_LEVEL: 'silent',
    VIGIL_AUTH_FAILURES_PER_MINUTE: '0',
    VIGIL_ROLE: 'api',
    VIGIL_DNS_SERVERS: '127.0.0.1:9',
    ...db.env,
    ...opts.env,
  };
  const running: Running = await startServer(loadConfig(env), { clock: opts.clock }, () => {}); // no first-run banner
  const config = running.config;
  const ctx = running.ctx;
  const project = await createProject(ctx, 'Test project');
  const rw = (
    await createApiKey(ctx, { projectUuid: project.uuid, name: 'rw', permission: 'read_write', actor: 'test' })
  ).key;
  const ro = (
    await createApiKey(ctx, { projectUuid: project.uuid, name: 'ro', permission: 'read_only', actor: 'test' })
  ).key;
  const otherProject = await createProject(ctx, 'Other project');
  const otherRw = (
    await createApiKey(ctx, { projectUuid: otherProject.uuid, name: 'other', permission: 'read_write', actor: 'test' })
  ).key;
  const url = running.url!;
  const c = client(url, rw);
  return {
    ...c,
    url,
    db,
    ctx,
    running,
    config,
    project: { uuid: project.uuid, id: project.id },
    rw,
    ro,
    other: { uuid: otherProject.uuid, rw: otherRw },
    cli: (args, o = {}) => runCli(args, { ...env, ...o.env }),
    async stop() {
      await running.stop();
      await db.drop();
    },
  };
}

/** Every row of every table (audit rows and last-use times excluded), to prove a request changed nothing. */
export async function snapshot(ctx: Ctx): Promise<Record<string, unknown[]>> {
  const { sql } = await import('kysely');
  const tables =
    ctx.store.dialect === 'sqlite'
      ? (
          await sql<{
            name: string;
          }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`.execute(
            ctx.store.db,
          )
        ).rows.map((r) => r.name)
      : (
          await sql<{
            name: string;
          }>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`.execute(
            ctx.store.db,
          )
        ).rows.map((r) => r.name);
  const out: Record<string, unknown[]> = {};
  for (const t of tables) {
    if (t === 'audit_log') continue;
    const rows = (await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(t)}`.execute(ctx.store.db)).rows;
    out[t] = rows
      .map((r) => {
        const { last_used_at: _, ...rest } = r;
        return JSON.stringify(rest);
      })
      .sort();
  }
  return out;
}

/** Concrete paths for an OpenAPI template, filled with ids of `project`'s resources. */
export type Fixture = (key: string) => Promise<Record<string, string>>;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until fn gives a truthy value (returned), or fails naming what it waited for. */
export async function waitFor<T>(
  fn: () => Promise<T | undefined | null | false>,
  what: string,
  ms = 20_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
