// Benchmark of the dashboard's monitors page with 10,000 monitors in one project: server time
// from a loopback client, then time to usable in headless Chromium. The server runs in its own
// process (as `vigil serve`, engine off). Usage:
//   npm run bench:dashboard [-- --monitors 10000 --requests 100 --runs 7]
//   VIGIL_TEST_DATABASE_URL=postgres://… npm run bench:dashboard   (PostgreSQL)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { sql } from 'kysely';
import { printTable } from './load.ts';
import { freshDatabase } from '../test/harness.ts';
import { loadConfig, openContext } from '../src/main.ts';
import { createProject } from '../src/services/projects.ts';
import { addProjectMember, createSession, createUser } from '../src/services/users.ts';
import { insertResultRows } from '../src/services/results.ts';
import { newId } from '../src/domain/ids.ts';
import { HOUR, bucketIndex, bucketStart } from '../src/domain/rollups.ts';
import { REGIONS } from '../src/domain/monitors.ts';
import type { RollupRow } from '../src/storage/schema.ts';

const { values } = parseArgs({
  options: {
    monitors: { type: 'string', default: '10000' },
    requests: { type: 'string', default: '100' },
    runs: { type: 'string', default: '7' },
  },
});
const MONITORS = Number(values.monitors);
const REQUESTS = Number(values.requests);
const RUNS = Number(values.runs);
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const db = await freshDatabase();
const port = 20000 + Math.floor(Math.random() * 20000);
const env = {
  ...db.env,
  VIGIL_PORT: String(port),
  VIGIL_HOST: '127.0.0.1',
  VIGIL_LOG_LEVEL: 'warn',
  VIGIL_ROLE: 'api',
};
const base = `http://127.0.0.1:${port}`;
const dialect = db.env.DATABASE_URL ? 'PostgreSQL' : 'SQLite';

/** 10,000 monitors, a day of hourly rollups for each (the sparklines) and their last results, inserted in batches. */
async function seed(): Promise<{ projectUuid: string; token: string; seconds: number }> {
  const started = performance.now();
  const ctx = await openContext(loadConfig(env), { info() {}, warn() {}, error() {} });
  try {
    const project = await createProject(ctx, 'Bench');
    const user = await createUser(ctx, { email: 'bench@example.org', password: 'bench password 1' });
    if (!user.owns.includes(project.uuid)) await addProjectMember(ctx, project.id, user.id, 'owner');
    const now = Date.now();
    const services = ['api', 'checkout', 'search', 'images', 'auth', 'billing', 'docs', 'webhooks', 'cdn', 'status'];
    for (let i = 0; i < MONITORS; i += 500) {
      const rows = Array.from({ length: Math.min(500, MONITORS - i) }, (_, k) => {
        const n = i + k;
        return {
          uuid: newId('mon'),
          project_id: project.id,
          name: `${services[n % services.length]}-${String(n).padStart(5, '0')} ${REGIONS[n % REGIONS.length]}`,
          url: `https://${services[n % services.length]}${n}.example.com/health`,
          protocol: 'http',
          paused: n % 50 === 7 ? 1 : 0,
          port: null,
          http_method: 'GET',
          regions: JSON.stringify(n % 3 ? ['london', 'frankfurt'] : [...REGIONS]),
          check_frequency: 60,
          timeout: 10,
          follow_redirects: 1,
          expected_status_code: '2xx',
          request_body: '',
          request_headers: null,
          required_keyword: null,
          dns_record_type: null,
          dns_nameserver: null,
          dns_expected_answer: null,
          status: n % 100 === 3 ? 'down' : 'up',
          ssl_expiration: 60,
          alerts_wait: 0,
          group_id: null,
          sort_order: 0,
          show_url: 0,
          escalation_policy_id: null,
          created_at: now,
          updated_at: now,
          next_check_at: null,
          check_phase: 0,
          last_due_at: null,
          last_check_at: now,
          state_version: 0,
        };
      });
      await ctx.store.db.insertInto('monitors').values(rows).execute();
    }
    const ids = (
      await ctx.store.db
        .selectFrom('monitors')
        .select('id')
        .where('project_id', '=', project.id)
        .orderBy('id')
        .execute()
    ).map((r) => Number(r.id));
    // One location, 24 hours of 60 checks each: what a 1-minute monitor leaves in the hourly rollups.
    const first = bucketStart(now, HOUR) - 23 * HOUR;
    let batch: RollupRow[] = [];
    const flush = async () => {
      if (batch.length) await ctx.store.db.insertInto('check_rollups').values(batch).execute();
      batch = [];
    };
    for (const id of ids) {
      for (let hr = 0; hr < 24; hr++) {
        const mean = 80 + ((id * 7 + hr * 13) % 120);
        const failures = (id + hr) % 97 === 0 ? 3 : 0;
        const ok = 60 - failures;
        const row: RollupRow = {
          monitor_id: id,
          granularity: 'hour',
          bucket: first + hr * HOUR,
          location: 'frankfurt',
          checks: 60,
          failures,
          sum_ms: ok * mean,
          min_ms: mean - 20,
          max_ms: mean + 40,
          h0: 0,
          h1: 0,
          h2: 0,
          h3: 0,
          h4: 0,
          h5: 0,
          h6: 0,
          h7: 0,
          h8: 0,
          h9: 0,
          h10: 0,
          h11: 0,
        };
        (row as unknown as Record<string, number>)[`h${bucketIndex(mean)}`] = ok;
        batch.push(row);
        if (batch.length === 500) await flush();
      }
    }
    await flush();
    // The last minutes of raw results (the "last response" column reads the newest).
    const results = ids.flatMap((id) =>
      [2, 1].map((m) => ({
        monitor_id: id,
        at: now - m * 60_000,
        location: 'frankfurt',
        ok: 1,
        status_code: 200,
        total_ms: 90 + (id % 150),
        dns_ms: 5,
        connect_ms: 15,
        tls_ms: 25,
        ttfb_ms: 40,
        error: null,
      })),
    );
    await insertResultRows(ctx.store, ctx.store.db, results);
    // PostgreSQL's autovacuum would analyze the new rows within a minute; do it now, as a running server would see them.
    if (ctx.store.dialect === 'postgres') await sql`ANALYZE`.execute(ctx.store.db);
    const { token } = await createSession(ctx, user.id);
    return { projectUuid: project.uuid, token, seconds: (performance.now() - started) / 1000 };
  } finally {
    await ctx.store.close();
  }
}

const pct = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
const median = (xs: number[]) =>
  pct(
    [...xs].sort((a, b) => a - b),
    0.5,
  );

const seeded = await seed();
console.log(
  `seeded ${MONITORS} monitors, ${MONITORS * 24} hourly rollups, ${MONITORS * 2} results in ${seeded.seconds.toFixed(1)} s`,
);
const server = spawn(process.execPath, [path.resolve(import.meta.dirname, '../bin/vigil.js'), 'serve'], {
  env: { ...process.env, ...env },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-chromium-'));
try {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {}
    if (i > 100) throw new Error('server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  const listUrl = `${base}/app/projects/${seeded.projectUuid}/monitors`;
  const cookie = `vigil_session=${seeded.token}`;
  const cases: [string, string][] = [
    ['monitors page 1 (50 of 10,000)', listUrl],
    ['monitors page 200 (last)', `${listUrl}?page=${Math.ceil(MONITORS / 50)}`],
    ['search "checkout-0"', `${listUrl}?q=checkout-0`],
    ['filter status=down', `${listUrl}?status=down`],
  ];
  const rows = [];
  for (const [name, url] of cases) {
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < REQUESTS + 5; i++) {
      const t = performance.now();
      const res = await fetch(url, { headers: { cookie } });
      const body = await res.text();
      if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
      if (i >= 5) times.push(performance.now() - t); // five warm-up requests
      bytes = Buffer.byteLength(body);
    }
    const sorted = times.sort((a, b) => a - b);
    rows.push({
      page: name,
      requests: REQUESTS,
      'median ms': pct(sorted, 0.5).toFixed(1),
      'p95 ms': pct(sorted, 0.95).toFixed(1),
      'max ms': sorted[sorted.length - 1].toFixed(1),
      'HTML KiB': (bytes / 1024).toFixed(1),
    });
  }

  // Chromium: navigation start → first contentful paint, DOMContentLoaded and load, on a fresh profile.
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
  });
  const browserRows = [];
  try {
    await browser.addCookies([{ name: 'vigil_session', value: seeded.token, url: base }]);
    const runs: { ttfb: number; fcp: number; dcl: number; load: number }[] = [];
    for (let i = 0; i < RUNS; i++) {
      const page = await browser.newPage();
      await page.goto(listUrl, { waitUntil: 'load' });
      // The paint entry may land after `load` in headless mode: wait for it (buffered) up to 5 s.
      // A string, so tsx's helpers for named functions are not needed in the page.
      runs.push(
        (await page.evaluate(`new Promise((resolve) => {
        const nav = performance.getEntriesByType('navigation')[0];
        const answer = (fcp) => resolve({ ttfb: nav.responseStart, fcp, dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd });
        new PerformanceObserver((list) => {
          const e = list.getEntriesByName('first-contentful-paint')[0];
          if (e) answer(e.startTime);
        }).observe({ type: 'paint', buffered: true });
        setTimeout(() => answer(NaN), 5000);
      })`)) as { ttfb: number; fcp: number; dcl: number; load: number },
      );
      await page.close();
    }
    // Usable: the rows are painted and the page's script has run (the later of FCP and DOMContentLoaded).
    const row = (label: string, list: typeof runs) => ({
      run: label,
      'first byte ms': median(list.map((r) => r.ttfb)).toFixed(0),
      'DOMContentLoaded ms': median(list.map((r) => r.dcl)).toFixed(0),
      'first contentful paint ms': median(list.map((r) => r.fcp)).toFixed(0),
      'load ms': median(list.map((r) => r.load)).toFixed(0),
      'usable ms': median(list.map((r) => Math.max(r.fcp, r.dcl))).toFixed(0),
    });
    browserRows.push(
      row('first visit (cold cache)', runs.slice(0, 1)),
      row(`median of the next ${RUNS - 1}`, runs.slice(1)),
    );
  } finally {
    await browser.close();
  }

  console.log(
    `\nVigil dashboard, ${MONITORS} monitors in one project, ${dialect}, ${os.cpus().length} × ${os.cpus()[0].model}, Node ${process.version}, load average ${os.loadavg()[0].toFixed(1)}, ${new Date().toISOString().slice(0, 10)}\n`,
  );
  console.log('Server time from a loopback client (sequential requests, body read):');
  printTable(rows);
  console.log('\nHeadless Chromium, navigation start to … (goals: server < 300 ms, usable < 1.5 s):');
  printTable(browserRows);
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  fs.rmSync(profile, { recursive: true, force: true });
  await db.drop();
}
