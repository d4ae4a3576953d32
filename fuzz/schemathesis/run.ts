// `npm run schemathesis`: Schemathesis (PyPI) against Vigil's own /openapi.json, beside the
// project's own fuzz test (test/fuzz.test.ts). Every operation, the stateful phase over inferred
// links, all checks; red on any failure, on a server that died, or on an error in the server log.
// The settings (seed, examples, checks) are in schemathesis.toml beside this file; only the pins
// of requirements.txt are in the repository, the package comes from PyPI into a gitignored venv.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { serveProcess } from '../../test/support/serve.ts';
import { client, freshDatabase, runCli } from '../../test/harness.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const HERE = path.join(ROOT, 'fuzz', 'schemathesis');
const REQUIREMENTS = path.join(HERE, 'requirements.txt');
const CONFIG = path.join(HERE, 'schemathesis.toml');
const VENV = path.join(HERE, '.venv');
const STAMP = path.join(VENV, 'requirements.sha256');
const OUT = path.join(ROOT, 'artifacts', 'schemathesis');
const JUNIT = path.join(OUT, 'junit.xml');

/** Runs a command to its end; its output goes to `log`, and also to our stdout when `echo`. */
function exec(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; log: fs.WriteStream; echo?: boolean },
): Promise<number> {
  return new Promise((resolve) => {
    opts.log.write(`$ ${cmd} ${args.join(' ')}\n`);
    const child = spawn(cmd, args, { cwd: OUT, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = (chunk: Buffer) => {
      opts.log.write(chunk);
      if (opts.echo) process.stdout.write(chunk);
    };
    child.stdout.on('data', out);
    child.stderr.on('data', out);
    child.on('error', (err) => {
      out(Buffer.from(`${err.message}\n`));
      resolve(127);
    });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

/** The venv with exactly the pinned packages: made again whenever requirements.txt changes. */
async function ensureVenv(): Promise<string> {
  const want = crypto.createHash('sha256').update(fs.readFileSync(REQUIREMENTS)).digest('hex');
  const bin = path.join(VENV, 'bin', 'schemathesis');
  if (fs.existsSync(bin) && fs.existsSync(STAMP) && fs.readFileSync(STAMP, 'utf8').trim() === want) return bin;
  const log = fs.createWriteStream(path.join(OUT, 'install.log'));
  process.stdout.write(
    `installing Schemathesis into ${path.relative(ROOT, VENV)} (log: artifacts/schemathesis/install.log)\n`,
  );
  let code = await exec('python3', ['-m', 'venv', '--clear', VENV], { log });
  if (code === 0) {
    code = await exec(
      path.join(VENV, 'bin', 'pip'),
      ['install', '--quiet', '--no-deps', '--require-hashes', '-r', REQUIREMENTS],
      { log },
    );
  }
  await new Promise((r) => log.end(r));
  if (code !== 0)
    throw new Error(`installing Schemathesis failed (exit ${code}): see artifacts/schemathesis/install.log`);
  fs.writeFileSync(STAMP, `${want}\n`);
  return bin;
}

/**
 * One object of every kind, linked to each other, made through the API before the run: the
 * operations that read, change or delete one by id then reach real objects (Schemathesis takes
 * ids from earlier responses), and every response shape is checked with real contents, not only
 * empty lists. Their targets are loopback addresses (the DNS monitor asks a loopback name
 * server), though nothing checks them: the server runs without its engine (see main).
 */
async function seed(url: string, key: string): Promise<Seeded> {
  const api = client(url, key);
  const made = async (method: string, p: string, body?: unknown) => {
    const res = await api.request(method, p, { body });
    if (res.status >= 300) throw new Error(`seeding: ${method} ${p} answered ${res.status} ${res.text.slice(0, 300)}`);
    return res.body;
  };
  const hour = 3_600_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  const integration = await made('POST', '/v1/integrations', {
    name: 'hook',
    type: 'webhook',
    settings: { url: 'http://127.0.0.1:9/hook' },
  });
  const policy = await made('POST', '/v1/escalation-policies', {
    name: 'on call',
    steps: [{ delayMinutes: 0, integrations: [integration.uuid], emails: ['ops@example.org'] }],
  });
  const monitor = await made('POST', '/v1/monitors', {
    name: 'api',
    url: 'http://127.0.0.1:9/health',
    escalation_policy: policy.uuid,
    request_headers: [{ name: 'X-Probe', value: 'vigil' }],
    required_keyword: 'ok',
    regions: ['london', 'frankfurt'],
  });
  const port = await made('POST', '/v1/monitors', {
    name: 'db',
    url: 'http://127.0.0.1',
    protocol: 'port',
    port: 9,
    paused: true,
  });
  await made('POST', '/v1/monitors', {
    name: 'dns',
    url: 'example.org',
    protocol: 'dns',
    dns_record_type: 'TXT',
    dns_nameserver: '127.0.0.1',
  });
  const check = (
    await made('POST', '/v2/healthchecks', {
      name: 'backup',
      period_value: 1,
      period_type: 'hours',
      grace_period_value: 5,
      grace_period_type: 'minutes',
      escalation_policy: policy.uuid,
    })
  ).healthcheck;
  await made('POST', '/v2/healthchecks', {
    name: 'nightly',
    cron: '30 2 * * *',
    timezone: 'Europe/Berlin',
    grace_period_value: 15,
    grace_period_type: 'minutes',
  });
  const ping = await fetch(`${url}/ping/${check.uuid}`);
  if (ping.status !== 200) throw new Error(`seeding: the ping answered ${ping.status}`);
  const page = (
    await made('POST', '/v2/statuspages', {
      name: 'Status',
      languages: ['en', 'fr'],
      description: { en: 'All systems', fr: 'Tous les systèmes' },
      sections: [
        {
          name: 'Core',
          services: [
            { monitor_uuid: monitor.uuid, show_uptime: true, show_response_times: true },
            { uuid: check.publicUuid },
          ],
        },
        {
          name: { en: 'Backends', fr: 'Serveurs' },
          services: [{ is_group: true, name_shown: 'Storage', services: [{ uuid: port.uuid }] }],
        },
      ],
    })
  ).statuspage;
  const subscriber = (
    await made('POST', `/v2/statuspages/${page.uuid}/subscribers`, { type: 'email', email: 'someone@example.org' })
  ).subscriber;
  await made('POST', '/v3/incidents', {
    title: { en: 'Degraded API' },
    text: { en: 'Slow answers' },
    type: 'incident',
    statuspages: [page.uuid],
    affectedComponents: [monitor.uuid],
    updates: [{ text: { en: 'Investigating' }, type: 'investigating', date: iso(Date.now() - hour) }],
  });
  await made('POST', '/v1/maintenance-windows', {
    name: 'db upgrade',
    start_date: iso(Date.now() + hour),
    end_date: iso(Date.now() + 2 * hour),
    monitors: [port.uuid],
    statuspages: [page.uuid],
  });
  await made('POST', '/v2/outages', {
    monitorUuid: monitor.uuid,
    startDate: iso(Date.now() - hour),
    statusCode: 503,
    description: 'down',
    outageType: 'manual',
    escalationPolicyUuid: policy.uuid,
  });
  await made('POST', '/v2/outages', {
    monitorUuid: port.uuid,
    startDate: iso(Date.now() - 3 * hour),
    endDate: iso(Date.now() - 2 * hour),
    statusCode: 500,
    description: 'was down',
    outageType: 'manual',
  });
  return {
    monitors: [monitor.uuid, port.uuid],
    tokens: [check.uuid],
    pages: [page.uuid],
    subscribers: [subscriber.id],
  };
}

interface Seeded {
  monitors: string[];
  tokens: string[];
  pages: string[];
  subscribers: number[];
}

/**
 * schemathesis.toml plus, for the operations no other operation links to (a report by monitor,
 * the ping URLs, a subscriber by number), the seeded ids to use for half of their requests.
 */
function runConfig(ids: Seeded): string {
  const list = (values: (string | number)[]) => `[${values.map((v) => JSON.stringify(v)).join(', ')}]`;
  const half = (dictionary: string) => `{ dictionary = "${dictionary}", probability = 0.5 }`;
  const extra = [
    '',
    '# Written by run.ts for this run: the ids of the seeded objects.',
    ...Object.entries(ids).map(([name, values]) => `[dictionaries.${name}]\nvalues = ${list(values)}\n`),
    '[[operations]]',
    'include-path-regex = "^/v2/reporting/monitor-reports/"',
    `parameters = { "path.uuid" = ${half('monitors')} }`,
    '',
    '[[operations]]',
    'include-path-regex = "^/ping/"',
    `parameters = { "path.token" = ${half('tokens')} }`,
    '',
    '[[operations]]',
    'include-path-regex = "^/v2/statuspages/[^/]+/subscribers"',
    `parameters = { "path.uuid" = ${half('pages')}, "path.id" = ${half('subscribers')} }`,
    '',
  ];
  const file = path.join(OUT, 'schemathesis.toml');
  fs.writeFileSync(file, fs.readFileSync(CONFIG, 'utf8') + extra.join('\n'));
  return file;
}

async function main(): Promise<number> {
  const started = Date.now();
  fs.rmSync(OUT, { recursive: true, force: true });
  fs.mkdirSync(OUT, { recursive: true });
  const schemathesis = await ensureVenv();

  const db = await freshDatabase();
  const base = {
    ...db.env,
    VIGIL_LOG_LEVEL: 'info', // serveProcess waits for fastify's "Server listening at" line
    // Checks and deliveries must never leave the machine, whatever URLs the generated monitors,
    // integrations and status pages carry: VIGIL_ROLE=api starts the HTTP API only, without the
    // engine (scheduler and probes, heartbeat sweep, RDAP domain lookups, notification dispatcher),
    // which is all of Vigil's outbound traffic. No route handler connects anywhere itself: they
    // only write rows that the engine would act on. RDAP off and no SMTP server, to be sure.
    VIGIL_ROLE: 'api',
    VIGIL_RDAP_BOOTSTRAP_URL: 'off',
    VIGIL_SMTP_URL: '',
    // A run makes a few thousand requests with one key: far past Hyperping's 800 an hour, and
    // close to Vigil's 10,000. Raised rather than turned off, so the RateLimit headers stay on.
    VIGIL_RATE_LIMIT_PER_HOUR: '1000000',
    // The ignored_auth check sends wrong keys on purpose; that is no attack to throttle.
    VIGIL_AUTH_FAILURES_PER_MINUTE: '0',
    // The seeded check's ping URL gets many pings a minute.
    VIGIL_PING_RATE_PER_MINUTE: '0',
    // Schemathesis may create as many resources as it likes within one project.
    VIGIL_LIMIT_STATUS_PAGES: '100000',
    VIGIL_LIMIT_CHANNELS: '100000',
    VIGIL_LIMIT_ESCALATION_POLICIES: '100000',
  };
  const server = await serveProcess({ ...base, VIGIL_PORT: '0', VIGIL_HOST: '127.0.0.1' });
  const cli = async (...args: string[]) => {
    const r = await runCli([...args, '--json'], base);
    if (r.code !== 0) throw new Error(`vigil ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  let code = 1;
  let doc: { paths: Record<string, Record<string, unknown>> } = { paths: {} };
  const problems: string[] = [];
  try {
    const project = await cli('projects', 'create', '--name', 'Schemathesis');
    const key = (
      await cli('keys', 'create', '--project', project.uuid, '--name', 'schemathesis', '--permission', 'read_write')
    ).key;
    const probe = (
      await cli('probes', 'create', '--project', project.uuid, '--region', 'frankfurt', '--name', 'schemathesis')
    ).token;
    const config = runConfig(await seed(server.url, key));
    doc = await (await fetch(`${server.url}/openapi.json`)).json();
    const log = fs.createWriteStream(path.join(OUT, 'schemathesis.log'));
    code = await exec(
      schemathesis,
      [
        '--config-file',
        config,
        '--no-color',
        'run',
        `${server.url}/openapi.json`,
        '--report',
        'junit',
        '--report-dir',
        OUT,
        '--report-junit-path',
        JUNIT,
        // More options for Schemathesis: npm run schemathesis -- --max-examples 200 --report har
        ...process.argv.slice(2),
      ],
      {
        log,
        echo: true,
        env: {
          ...process.env,
          VIGIL_API_KEY: key,
          VIGIL_PROBE_TOKEN: probe,
          // Straight to loopback, even where a proxy is configured for the machine.
          NO_PROXY: '127.0.0.1,localhost',
          no_proxy: '127.0.0.1,localhost',
        },
      },
    );
    await new Promise((r) => log.end(r));
    if (code !== 0) problems.push(`schemathesis exited with ${code} (report: artifacts/schemathesis/)`);
    // With options of one's own (a path filter, one phase), Schemathesis's verdict alone counts.
    if (process.argv.length <= 2) problems.push(...untested(doc));
    if (server.child.exitCode !== null)
      problems.push(
        `the server exited during the run (code ${server.child.exitCode}): see artifacts/schemathesis/server.log`,
      );
  } finally {
    if (server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await new Promise((r) => server.child.once('exit', r));
    }
    fs.writeFileSync(path.join(OUT, 'server.log'), server.log());
    await db.drop();
  }
  // Every unexpected error is logged at level 50 (http/errors.ts) even when it never reached a
  // response Schemathesis could see.
  const errors = server
    .log()
    .split('\n')
    .filter((line) => /"level":(50|60)/.test(line));
  if (errors.length)
    problems.push(`the server logged ${errors.length} error(s), the first: ${errors[0].slice(0, 500)}`);
  for (const p of problems) process.stdout.write(`FAIL ${p}\n`);
  const { tests, failed } = counts();
  process.stdout.write(
    `\nschemathesis: ${((Date.now() - started) / 1000).toFixed(0)} s; reports and logs in artifacts/schemathesis/\n`,
  );
  process.stdout.write(`${tests - failed} passed, ${failed} failed\n`);
  return problems.length ? 1 : 0;
}

/** The operations (and the stateful phase) of the JUnit report, and how many of them failed. */
function counts(): { tests: number; failed: number } {
  const head = fs.existsSync(JUNIT) ? (/<testsuites([^>]*)>/.exec(fs.readFileSync(JUNIT, 'utf8'))?.[1] ?? '') : '';
  const n = (name: string) => Number(new RegExp(`${name}="(\\d+)"`).exec(head)?.[1] ?? 0);
  return { tests: n('tests'), failed: n('failures') + n('errors') };
}

/** Every operation of /openapi.json must be in the report: none may be left out without a failure. */
function untested(doc: { paths: Record<string, Record<string, unknown>> }): string[] {
  if (!fs.existsSync(JUNIT)) return ['no JUnit report was written'];
  const report = fs.readFileSync(JUNIT, 'utf8');
  const missing = Object.entries(doc.paths)
    .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`))
    .filter((op) => !report.includes(`name="${op}"`));
  return missing.length ? [`operations of /openapi.json not tested: ${missing.join(', ')}`] : [];
}

process.exitCode = await main();
