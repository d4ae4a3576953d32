// The client compatibility suite (`npm run compat`): the real Hyperping clients against a real
// Vigil on loopback over a fresh database. Each part installs its client from its registry (only
// the pins are in this repository), then runs its cases; a case prints one line on stdout:
//   PASS <case>            or            FAIL <case>: <reason>
// Cases listed in compat/expected-failures.ts count as expected failures while they fail, and as
// failures once they pass, so the suite turns red when either side changes. A part that cannot be
// installed fails as `<part>/install`, never skips.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { serveProcess } from '../test/support/serve.ts';
import { freshDatabase, runCli } from '../test/harness.ts';
import { startDns, startHttp, type Running } from '../test/support/targets.ts';
import { EXPECTED } from './expected-failures.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const LOGS = path.join(ROOT, 'artifacts', 'compat');
const VENV = path.join(ROOT, 'compat', '.venv');

interface Step {
  cmd: string;
  args: string[];
  cwd?: string;
}

interface Part {
  name: string;
  /** Commands that fetch and build the client (their output goes to the part's log only). */
  install: Step[];
  /** Prints PASS/FAIL lines; absent for a part that only proves its client can be installed. */
  run?: Step;
}

const go = (dir: string, ...args: string[]): Step => ({ cmd: 'go', args, cwd: path.join(ROOT, 'compat', dir) });
// The checkout's git metadata has nothing to tell the Go builds (and a shallow or odd clone can fail them).
process.env.GOFLAGS = `${process.env.GOFLAGS ?? ''} -buildvcs=false`.trim();

// A module the proxy does not serve can only be tried: `go mod download` in a throwaway module.
const fetchModule = (mod: string): Step => ({ cmd: 'go', args: ['mod', 'download', '-json', mod], cwd: os.tmpdir() });

export const PARTS: Part[] = [
  {
    name: 'go-develeap',
    install: [go('go-develeap', 'build', '-o', path.join(os.tmpdir(), 'vigil-compat-go-develeap'), '.')],
    run: { cmd: path.join(os.tmpdir(), 'vigil-compat-go-develeap'), args: [] },
  },
  {
    name: 'go-develeap-v0.4',
    install: [go('go-develeap-v0.4', 'build', '-o', path.join(os.tmpdir(), 'vigil-compat-go-develeap-v0.4'), '.')],
    run: { cmd: path.join(os.tmpdir(), 'vigil-compat-go-develeap-v0.4'), args: [] },
  },
  { name: 'go-official', install: [fetchModule('github.com/hyperping/hyperping-go@v0.9.0')] },
  {
    name: 'python',
    install: [
      { cmd: 'python3', args: ['-m', 'venv', '--clear', VENV] },
      {
        cmd: path.join(VENV, 'bin', 'pip'),
        args: [
          'install',
          '--quiet',
          '--no-deps',
          '--require-hashes',
          '-r',
          path.join(ROOT, 'compat', 'python', 'requirements.txt'),
        ],
      },
    ],
    run: { cmd: path.join(VENV, 'bin', 'python'), args: [path.join(ROOT, 'compat', 'python', 'run.py')] },
  },
  { name: 'terraform-hyperping', install: [fetchModule('github.com/hyperping/terraform-provider-hyperping@v2.1.0')] },
  { name: 'terraform-develeap', install: [fetchModule('github.com/develeap/terraform-provider-hyperping@v2.0.0')] },
  { name: 'exporter', install: [fetchModule('github.com/develeap/hyperping-exporter@v1.4.1')] },
];

interface Outcome {
  name: string;
  ok: boolean;
  reason: string;
}

function exec(
  step: Step,
  env: NodeJS.ProcessEnv,
  log: fs.WriteStream,
  onLine?: (line: string) => void,
): Promise<number> {
  return new Promise((resolve) => {
    log.write(`$ ${step.cmd} ${step.args.join(' ')}\n`);
    const child = spawn(step.cmd, step.args, { cwd: step.cwd ?? ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let rest = '';
    child.stdout.on('data', (chunk: Buffer) => {
      log.write(chunk);
      if (!onLine) return;
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop()!;
      lines.forEach(onLine);
    });
    child.stderr.on('data', (chunk: Buffer) => log.write(chunk));
    child.on('error', (err) => {
      log.write(`${err.message}\n`);
      resolve(127);
    });
    child.on('close', (code) => {
      if (rest && onLine) onLine(rest);
      resolve(code ?? 1);
    });
  });
}

function lastLines(file: string, n: number): string {
  const text = fs.readFileSync(file, 'utf8').trim().split('\n');
  return text.slice(-n).join(' | ').slice(0, 400);
}

async function install(part: Part, env: NodeJS.ProcessEnv): Promise<Outcome> {
  const file = path.join(LOGS, `${part.name}.install.log`);
  const log = fs.createWriteStream(file);
  let code = 0;
  for (const step of part.install) {
    code = await exec(step, env, log);
    if (code !== 0) break;
  }
  await new Promise((r) => log.end(r));
  return { name: `${part.name}/install`, ok: code === 0, reason: code === 0 ? '' : lastLines(file, 3) };
}

async function runPart(part: Part, env: NodeJS.ProcessEnv): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const log = fs.createWriteStream(path.join(LOGS, `${part.name}.log`));
  const code = await exec(part.run!, env, log, (line) => {
    const m = /^(PASS|FAIL) (\S+)(?:: (.*))?$/.exec(line);
    if (m) outcomes.push({ name: `${part.name}/${m[2]}`, ok: m[1] === 'PASS', reason: m[3] ?? '' });
  });
  await new Promise((r) => log.end(r));
  if (code !== 0)
    outcomes.push({
      name: `${part.name}/exit`,
      ok: false,
      reason: `exited with ${code} (see artifacts/compat/${part.name}.log)`,
    });
  if (outcomes.length === 0) outcomes.push({ name: `${part.name}/cases`, ok: false, reason: 'printed no case' });
  return outcomes;
}

/** Loopback targets for the monitors the clients create: HTTP (and its port for TCP checks), DNS. */
async function startTargets(): Promise<Running[]> {
  const web = await startHttp((_req, res) => res.end('compat ok'));
  const dns = await startDns({ 'compat.example.com': { A: ['127.0.0.1'], TXT: [['compat']] } });
  return [web, dns];
}

async function main() {
  const only = process.argv.slice(2);
  const parts = only.length ? PARTS.filter((p) => only.includes(p.name)) : PARTS;
  if (parts.length === 0)
    throw new Error(`no part named ${only.join(', ')}; parts: ${PARTS.map((p) => p.name).join(', ')}`);
  fs.mkdirSync(LOGS, { recursive: true });
  const started = Date.now();

  const db = await freshDatabase();
  const [web, dns] = await startTargets();
  const base = { VIGIL_LOG_LEVEL: 'info', VIGIL_AUTH_FAILURES_PER_MINUTE: '0', ...db.env };
  const server = await serveProcess({ ...base, VIGIL_PORT: '0', VIGIL_HOST: '127.0.0.1' });
  const cli = async (...args: string[]) => {
    const r = await runCli([...args, '--json'], base);
    if (r.code !== 0) throw new Error(`vigil ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  const outcomes: Outcome[] = [];
  try {
    const installs = await Promise.all(parts.map((p) => install(p, process.env)));
    const other = await cli('projects', 'create', '--name', 'Compat other project');
    const otherKey = (
      await cli('keys', 'create', '--project', other.uuid, '--name', 'other', '--permission', 'read_write')
    ).key;
    for (const [i, part] of parts.entries()) {
      outcomes.push(installs[i]);
      if (!installs[i].ok || !part.run) continue;
      // Each part gets a project and keys of its own, so parts cannot see each other's data.
      const project = await cli('projects', 'create', '--name', `Compat ${part.name}`);
      const key = (
        await cli('keys', 'create', '--project', project.uuid, '--name', part.name, '--permission', 'read_write')
      ).key;
      const ro = (
        await cli(
          'keys',
          'create',
          '--project',
          project.uuid,
          '--name',
          `${part.name} read-only`,
          '--permission',
          'read_only',
        )
      ).key;
      const env = {
        ...process.env,
        VIGIL_URL: server.url,
        VIGIL_MCP_URL: `${server.url}/v1/mcp`,
        VIGIL_API_KEY: key,
        VIGIL_READONLY_KEY: ro,
        VIGIL_OTHER_PROJECT_KEY: otherKey,
        VIGIL_PROJECT_UUID: project.uuid,
        HYPERPING_ALLOW_LOCAL: '1',
        COMPAT_HTTP_URL: `${web.url}/`,
        COMPAT_HOST: '127.0.0.1',
        COMPAT_TCP_PORT: String(web.port),
        COMPAT_DNS_NAME: 'compat.example.com',
        COMPAT_DNS_NAMESERVER: dns.url,
      };
      const t = Date.now();
      outcomes.push(...(await runPart(part, env)));
      process.stdout.write(`${part.name}: ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
    }
  } finally {
    server.child.kill('SIGTERM');
    await new Promise((r) => server.child.once('exit', r));
    fs.writeFileSync(path.join(LOGS, 'server.log'), server.log());
    await Promise.all([web.close(), dns.close(), db.drop()]);
  }
  report(outcomes, parts, started);
}

function report(outcomes: Outcome[], parts: Part[], started: number) {
  const failed: string[] = [];
  const expected: string[] = [];
  let passed = 0;
  for (const o of outcomes) {
    const why = EXPECTED[o.name];
    if (o.ok && why === undefined) passed++;
    else if (o.ok)
      failed.push(
        `${o.name}: passed, but is listed as an expected failure (${why}); remove it from compat/expected-failures.ts`,
      );
    else if (why !== undefined) expected.push(`${o.name}: ${why}`);
    else failed.push(`${o.name}: ${o.reason}`);
  }
  // A listed case that did not run at all is stale, unless its whole part was not run.
  const seen = new Set(outcomes.map((o) => o.name));
  const ran = new Set(parts.map((p) => p.name));
  for (const name of Object.keys(EXPECTED)) {
    if (
      !seen.has(name) &&
      ran.has(name.split('/')[0]) &&
      !outcomes.some((o) => o.name === `${name.split('/')[0]}/install` && !o.ok)
    ) {
      failed.push(`${name}: listed as an expected failure but did not run`);
    }
  }
  for (const part of parts) {
    const mine = outcomes.filter((o) => o.name.startsWith(`${part.name}/`));
    const pass = mine.filter((o) => o.ok && EXPECTED[o.name] === undefined).length;
    const xfail = mine.filter((o) => !o.ok && EXPECTED[o.name] !== undefined).length;
    process.stdout.write(
      `${part.name}: ${mine.length} cases: ${pass} passed, ${xfail} expected failures, ${mine.length - pass - xfail} failed\n`,
    );
  }
  for (const f of failed) process.stdout.write(`FAIL ${f}\n`);
  if (expected.length) {
    process.stdout.write(`\nExpected failures (${expected.length}):\n`);
    for (const e of expected) process.stdout.write(`  ${e}\n`);
  }
  process.stdout.write(`\ncompat: ${((Date.now() - started) / 1000).toFixed(0)} s; logs in artifacts/compat/\n`);
  process.stdout.write(`${passed} passed, ${failed.length} failed\n`);
  process.exitCode = failed.length ? 1 : 0;
}

await main();
