// Worst-case requests: a real `vigil serve` in its own process, over a project filled to its
// documented limits (bench/worst-case-fill.ts), gets, one at a time, the worst request each
// endpoint accepts at the documented maxima (docs/api.md "Limits"), then requests just past
// them (which must get a 4xx, quickly). During each row /healthz is probed every 5 ms from
// outside, and the server reports its own event-loop delay and heap over IPC
// (bench/worst-case-monitor.js). Goal: no request blocks the loop for more than 100 ms or grows
// the heap by more than 50 MB. Only loopback traffic: the server runs the API role (no checks
// run; every monitor's target is 127.0.0.1 anyway).
//   npm run bench:worst [-- --scale 0.1] [--only <regular expression of rows>] [--keep] [--reuse <folder kept>]
// VIGIL_TEST_DATABASE_URL=postgres://… runs it on PostgreSQL (a fresh schema).
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { printTable } from './load.ts';
import { freshDatabase } from '../test/harness.ts';
import { openStore } from '../src/storage/store.ts';
import { MAX_BODY_BYTES } from '../src/http/app.ts';
import { HEADER_VALUE_MAX, MAX_REQUEST_HEADERS } from '../src/domain/monitors.ts';
import { DATE_MAX, ID_LIST_MAX, NAME_MAX, SEARCH_MAX, TEXT_MAX } from '../src/domain/limits.ts';
import { MAX_SECTIONS } from '../src/domain/statuspages.ts';
import { LANGUAGES } from '../src/domain/localized.ts';
import { MAX_STEPS, MAX_STEP_TARGETS } from '../src/domain/alerting.ts';
import { MAX_EMAIL_RECIPIENTS } from '../src/domain/channels.ts';
import { CRON_MAX } from '../src/domain/healthchecks.ts';
import { MAX_RESULTS_PER_POST } from '../src/domain/probes.ts';
import { MAX_PERIODS } from '../src/domain/insights.ts';
import { MAX_BATCH } from '../src/http/routes/mcp.ts';
import {
  fillProject,
  longestEmail,
  maxIncidentBody,
  maxMaintenanceBody,
  maxMonitorBody,
  maxPageBody,
  type Filled,
} from './worst-case-fill.ts';

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: '1' },
    only: { type: 'string' },
    keep: { type: 'boolean', default: false },
    reuse: { type: 'string' },
  },
});
const scale = Number(values.scale);
if (!(scale > 0 && scale <= 1)) throw new Error('--scale must be in (0, 1]');

const BIN = path.resolve(import.meta.dirname, '../bin/vigil.js');
const MONITOR = pathToFileURL(path.resolve(import.meta.dirname, 'worst-case-monitor.js')).href;
const METRICS_TOKEN = 'worst-case-metrics-token-0123456789';
const GOAL_LOOP_MS = 100;
const GOAL_HEAP_MB = 50;
const PROBE_EVERY_MS = 5;
const MB = 2 ** 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const times = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
const pad = (text: string, n: number, fill = 'x') => (text + fill.repeat(Math.max(0, n - text.length))).slice(0, n);
const quantile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;

interface Answer {
  status: number;
  bytes: number;
  /** The first 64 KiB of the answer: what a failed row shows. */
  head: string;
}

interface ServerStats {
  loopP99Ms: number;
  loopMaxMs: number;
  heapStart: number;
  heapPeak: number;
  heapEnd: number;
  heapKept: number;
  rss: number;
  cpuMs: number;
  gcs: number;
  gcMaxMs: number;
}

// ---------------------------------------------------------------- the server under test

class Server {
  child!: ChildProcess;
  base = '';
  stderr = '';
  private waiting: ((m: any) => void) | null = null;

  constructor(private env: Record<string, string>) {}

  async start(): Promise<void> {
    const port = 20000 + Math.floor(Math.random() * 20000);
    this.base = `http://127.0.0.1:${port}`;
    this.stderr = '';
    // BENCH_NODE_FLAGS: more flags for the server, such as --cpu-prof --cpu-prof-dir=/tmp/prof.
    const flags = process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(' ') : [];
    this.child = spawn(process.execPath, ['--expose-gc', ...flags, '--import', MONITOR, BIN, 'serve'], {
      env: { ...process.env, ...this.env, VIGIL_PORT: String(port) },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.child.stderr!.on('data', (c) => {
      this.stderr = (this.stderr + c).slice(-4000);
    });
    this.child.on('message', (m) => {
      const w = this.waiting;
      this.waiting = null;
      w?.(m);
    });
    this.child.on('exit', () => {
      const w = this.waiting;
      this.waiting = null;
      w?.(null);
    });
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${this.base}/healthz`)).ok) return;
      } catch {}
      if (this.child.exitCode !== null || i > 600) throw new Error(`vigil serve did not start: ${this.stderr}`);
      await sleep(100);
    }
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** One IPC exchange with bench/worst-case-monitor.js; null when the server died. */
  ask(what: 'start' | 'stop'): Promise<any> {
    if (!this.alive) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.child.send({ worstCase: what });
    });
  }

  /** Peak RSS since the last reset (VmHWM; writing 5 to clear_refs resets it, proc(5)). */
  resetPeakRss(): void {
    try {
      fs.writeFileSync(`/proc/${this.child.pid}/clear_refs`, '5');
    } catch {}
  }

  peakRss(): number {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${this.child.pid}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : NaN;
    } catch {
      return NaN;
    }
  }

  async stop(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    await new Promise((r) => this.child.once('exit', r));
  }
}

// ---------------------------------------------------------------- requests

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

function send(
  base: string,
  method: string,
  p: string,
  opts: { body?: unknown; raw?: string | Buffer; key?: string | null; headers?: Record<string, string> } = {},
): Promise<Answer> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.key) headers.authorization = `Bearer ${opts.key}`;
    const body = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
    if (body !== undefined) {
      headers['content-type'] ??= 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const req = http.request(`${base}${p}`, { method, agent, headers }, (res) => {
      let bytes = 0;
      let head = '';
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        if (head.length < 65_536) head += c.toString('utf8', 0, Math.min(c.length, 65_536 - head.length));
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, head }));
      res.on('error', (err) => resolve({ status: 0, bytes, head: `response cut: ${err.message}` }));
    });
    req.setTimeout(15 * 60_000, () => req.destroy(new Error('no answer in 15 minutes')));
    req.on('error', (err) => resolve({ status: 0, bytes: 0, head: `request failed: ${err.message}` }));
    req.end(body);
  });
}

/** /healthz every PROBE_EVERY_MS, one at a time, on its own connection: how long each answer took. */
function probeHealthz(base: string): { stop(): Promise<number[]> } {
  const probeAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      await new Promise<void>((resolve) => {
        const req = http.get(`${base}/healthz`, { agent: probeAgent }, (res) => {
          res.resume();
          res.on('end', resolve);
          res.on('error', () => resolve());
        });
        req.on('error', () => resolve());
      });
      latencies.push(performance.now() - t0);
      await sleep(PROBE_EVERY_MS);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      probeAgent.destroy();
      return latencies.sort((a, b) => a - b);
    },
  };
}

// ---------------------------------------------------------------- rows

interface Row {
  endpoint: string;
  request: string;
  /** 'ok': a request at the maxima, which must be served (2xx); 'refused': just past them, a quick 4xx. */
  kind: 'ok' | 'refused';
  send(s: Server): Promise<Answer>;
  /** Overrides the status check (an MCP tool refusal is HTTP 200 with isError). */
  check?(a: Answer): boolean;
}

interface Measured {
  row: Row;
  answer: Answer;
  ms: number;
  probes: number[];
  stats: ServerStats | null;
  peakRss: number;
  died: string | null;
}

function rowsFor(f: Filled, now: number): Row[] {
  const key = f.key;
  const api = (method: string, p: string, body?: unknown) => (s: Server) => send(s.base, method, p, { key, body });
  const raw =
    (method: string, p: string, rawBody: string, headers: Record<string, string> = {}) =>
    (s: Server) =>
      send(s.base, method, p, { key, raw: rawBody, headers });
  const mcp = (msg: unknown) => (s: Server) => send(s.base, 'POST', '/v1/mcp', { key, body: msg });
  const call = (name: string, args: Record<string, unknown> = {}, id: number = 1) => ({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name, arguments: args },
  });
  const toolRefused = (a: Answer) => a.status === 200 && /"isError":true/.test(a.head);
  const toolServed = (a: Answer) => a.status === 200 && !/"isError":true|"error":\{/.test(a.head);
  // An answer past 2 MiB (or past the figures one answer holds) is refused by design, before the work.
  const servedOrBounded = (a: Answer) =>
    toolServed(a) || (a.status === 200 && /would pass 2 MiB|would hold more than/.test(a.head));
  const n = (x: number) => x.toLocaleString('en-US');
  const c = f.counts;
  const iso = (ms: number) => new Date(ms).toISOString();
  const longest = { from: '1970-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' };
  const hourWindow = { from: iso(now - (MAX_PERIODS - 1) * 3_600_000), to: iso(now), resolution: 'hour' };
  const dayWindow = { from: iso(now - (MAX_PERIODS - 1) * 86_400_000), to: iso(now), resolution: 'day' };
  const search = pad('no such name ', SEARCH_MAX, 'q');
  const overBody = (json: object) => {
    const t = JSON.stringify(json);
    return `${t.slice(0, -1)},"pad":"${'p'.repeat(Math.max(0, MAX_BODY_BYTES + 1 - t.length - 9))}"}`;
  };
  const monitor = maxMonitorBody(1, f.policy);
  const pageBody = { ...maxPageBody(900, f.pageMonitors, []), subdomain: `worst-new-${now}` };
  const incident = maxIncidentBody(f.pageMonitors, f.pages);
  const update = { text: Object.fromEntries(LANGUAGES.map((l) => [l, pad(`update ${l} `, TEXT_MAX)])), type: 'update' };
  // 1,000 results with errors of 1,000 characters do not fit in the 1 MiB body: the longest errors that do.
  const probeResult = (i: number, error = 1000) => ({
    leaseId: pad(`lease-${i}-`, 80, 'l'),
    at: now,
    ok: false,
    statusCode: 503,
    totalMs: 1000,
    dnsMs: 1,
    connectMs: 1,
    tlsMs: 1,
    ttfbMs: 1,
    error: pad('refused ', error, 'e'),
  });
  const resultsBody = (n: number) => {
    let error = 1000;
    while (JSON.stringify({ results: times(n, (i) => probeResult(i, error)) }).length > MAX_BODY_BYTES) error -= 10;
    return { results: times(n, (i) => probeResult(i, error)), error };
  };
  const fullPost = resultsBody(MAX_RESULTS_PER_POST);
  const hc = {
    name: pad('heartbeat new ', NAME_MAX),
    cron: pad('*/5 * * * *', CRON_MAX, ' '),
    timezone: 'America/Argentina/ComodRivadavia',
    grace_period_value: 10,
    grace_period_type: 'minutes',
    escalation_policy: f.policy,
  };
  const integration = {
    name: pad('mail new ', NAME_MAX),
    type: 'email',
    settings: { to: times(MAX_EMAIL_RECIPIENTS, (r) => longestEmail(`new.r${r}`)) },
  };
  const policy = {
    name: pad('policy new ', NAME_MAX),
    steps: times(MAX_STEPS, (s) => ({
      delayMinutes: s,
      emails: times(MAX_STEP_TARGETS, (k) => longestEmail(`new.p${s}.${k}`)),
    })),
  };
  const maintenance = maxMaintenanceBody(5, f.pageMonitors, f.pages, now);
  const lastSubscriberPage = Math.max(0, Math.ceil(c.subscribers / 20) - 1);
  const heavyCalls = [
    call('list_monitors', { limit: 200 }, 1),
    call('search_monitors_by_name', { query: 'monitor 1' }, 2),
    call('get_status_summary', {}, 3),
    call('list_outages', { search }, 4),
    call('get_outage_timeline', { uuid: f.outage }, 5),
    call('get_monitor_outages', { monitor_uuid: f.outagedMonitor }, 6),
    call('list_recent_alerts', { ...dayWindow }, 7),
    call('get_monitor_uptime', { ...dayWindow, monitor_uuids: f.monitors.slice(0, ID_LIST_MAX) }, 8),
    call('get_monitor_response_time', { ...hourWindow, monitor_uuids: f.pageMonitors }, 9),
    call('get_monitor_mttr', { ...longest }, 10),
    call('get_monitor_mtta', { ...longest }, 11),
    call('get_monitor_http_logs', { uuid: f.checkedMonitor, limit: 200, page: 1000 }, 12),
    call('get_monitor_anomalies', { uuid: f.checkedMonitor }, 13),
    call('list_incidents', {}, 14),
    call('list_status_pages', {}, 15),
    call('get_status_page', { uuid: f.page.uuid }, 16),
    call('list_escalation_policies', {}, 17),
    call('list_integrations', {}, 18),
    call('get_incident', { uuid: f.incident }, 19),
    call('get_monitor', { uuid: f.checkedMonitor }, 20),
  ];
  return [
    {
      endpoint: 'GET /healthz',
      request: 'nothing else running: the floor of every column',
      kind: 'ok',
      send: (s) => send(s.base, 'GET', '/healthz'),
    },

    {
      endpoint: 'GET /v1/monitors',
      request: `${n(c.monitors)} monitors of 515 KB`,
      kind: 'ok',
      send: api('GET', '/v1/monitors'),
    },
    {
      endpoint: 'GET /v1/monitors/{uuid}',
      request: 'a monitor with every field at its bound',
      kind: 'ok',
      send: api('GET', `/v1/monitors/${f.checkedMonitor}`),
    },
    {
      endpoint: 'POST /v1/monitors',
      request: `${MAX_REQUEST_HEADERS} headers of 8 KiB, 100,000-character body`,
      kind: 'ok',
      send: api('POST', '/v1/monitors', monitor),
    },
    {
      endpoint: 'PUT /v1/monitors/{uuid}',
      request: 'every field at its bound',
      kind: 'ok',
      send: api('PUT', `/v1/monitors/${f.monitors[5]}`, { ...monitor, name: pad('renamed ', NAME_MAX) }),
    },
    {
      endpoint: 'POST /v1/monitors',
      request: `${MAX_REQUEST_HEADERS + 1} headers`,
      kind: 'refused',
      send: api('POST', '/v1/monitors', {
        ...monitor,
        request_headers: times(MAX_REQUEST_HEADERS + 1, (h) => ({ name: `X-${h}`, value: 'v' })),
      }),
    },
    {
      endpoint: 'POST /v1/monitors',
      request: `a header value of ${n(HEADER_VALUE_MAX + 1)} characters`,
      kind: 'refused',
      send: api('POST', '/v1/monitors', {
        ...monitor,
        request_headers: [{ name: 'X-A', value: 'v'.repeat(HEADER_VALUE_MAX + 1) }],
      }),
    },
    {
      endpoint: 'POST /v1/monitors',
      request: 'a body of 1 MiB + 1 byte',
      kind: 'refused',
      send: raw('POST', '/v1/monitors', overBody(monitor)),
    },

    {
      endpoint: 'GET /v2/outages',
      request: `${n(c.outages)} outages; every filter, a ${SEARCH_MAX}-character search`,
      kind: 'ok',
      send: api('GET', `/v2/outages?status=resolved&type=monitor&search=${search}`),
    },
    {
      endpoint: 'GET /v2/outages',
      request: 'page 1,000,000 (the last page number taken)',
      kind: 'ok',
      send: api('GET', '/v2/outages?page=1000000'),
    },
    {
      endpoint: 'GET /v2/outages/{uuid}',
      request: 'an outage of the monitor with the most',
      kind: 'ok',
      send: api('GET', `/v2/outages/${f.outage}`),
    },
    {
      endpoint: 'POST /v2/outages',
      request: 'description and summary of 10,000 characters',
      kind: 'ok',
      send: api('POST', '/v2/outages', {
        monitorUuid: f.monitors[7],
        startDate: iso(now - 3_600_000),
        endDate: iso(now),
        statusCode: 503,
        description: pad('d ', TEXT_MAX),
        summary: pad('s ', TEXT_MAX),
        severity: pad('sev ', NAME_MAX),
      }),
    },
    {
      endpoint: 'GET /v2/outages',
      request: `a search of ${SEARCH_MAX + 1} characters`,
      kind: 'refused',
      send: api('GET', `/v2/outages?search=${'q'.repeat(SEARCH_MAX + 1)}`),
    },

    {
      endpoint: 'GET /v2/reporting/monitor-reports',
      request: `${n(c.monitors)} monitors, 1970 to 2100`,
      kind: 'ok',
      send: api('GET', `/v2/reporting/monitor-reports?from=${longest.from}&to=${longest.to}`),
    },
    {
      endpoint: 'GET /v2/reporting/monitor-reports/{uuid}',
      request: `the monitor with ${n(Math.round(10_000 * scale))} outages, 1970 to 2100`,
      kind: 'ok',
      send: api('GET', `/v2/reporting/monitor-reports/${f.outagedMonitor}?from=${longest.from}&to=${longest.to}`),
    },
    {
      endpoint: 'GET /v2/reporting/monitor-reports',
      request: `a from of ${DATE_MAX + 1} characters`,
      kind: 'refused',
      send: api('GET', `/v2/reporting/monitor-reports?from=${'1'.repeat(DATE_MAX + 1)}`),
    },

    {
      endpoint: 'GET /v2/healthchecks',
      request: `${n(c.healthchecks)} checks`,
      kind: 'ok',
      send: api('GET', '/v2/healthchecks'),
    },
    {
      endpoint: 'GET /v2/healthchecks/{uuid}',
      request: 'a check at the maximum ping history, 10 KiB bodies',
      kind: 'ok',
      send: api('GET', `/v2/healthchecks/${f.healthcheck}`),
    },
    {
      endpoint: 'POST /v2/healthchecks',
      request: 'every field at its bound',
      kind: 'ok',
      send: api('POST', '/v2/healthchecks', hc),
    },
    {
      endpoint: 'PUT /v2/healthchecks/{uuid}',
      request: 'every field at its bound',
      kind: 'ok',
      send: api('PUT', `/v2/healthchecks/${f.healthchecks[3]}`, hc),
    },
    {
      endpoint: 'POST /v2/healthchecks',
      request: `a cron of ${CRON_MAX + 1} characters`,
      kind: 'refused',
      send: api('POST', '/v2/healthchecks', { ...hc, cron: pad('* * * * *', CRON_MAX + 1, ' ') }),
    },
    {
      endpoint: 'POST /ping/{token}',
      request: 'a 1 MiB body, history at its maximum',
      kind: 'ok',
      send: (s) =>
        send(s.base, 'POST', `/ping/${f.healthcheck}`, {
          raw: 'b'.repeat(MAX_BODY_BYTES),
          headers: { 'content-type': 'text/plain', 'user-agent': pad('curl ', 8000, 'a') },
        }),
    },
    {
      endpoint: 'POST /ping/{token}',
      request: 'a body of 1 MiB + 1 byte',
      kind: 'refused',
      send: (s) =>
        send(s.base, 'POST', `/ping/${f.healthcheck}`, {
          raw: 'b'.repeat(MAX_BODY_BYTES + 1),
          headers: { 'content-type': 'text/plain' },
        }),
    },

    {
      endpoint: 'GET /v3/incidents',
      request: `${n(c.incidents)} incidents of 1 MiB`,
      kind: 'ok',
      send: api('GET', '/v3/incidents'),
    },
    {
      endpoint: 'GET /v3/incidents',
      request: 'status=update (every incident read to filter)',
      kind: 'ok',
      send: api('GET', '/v3/incidents?status=update'),
    },
    {
      endpoint: 'GET /v3/incidents/{uuid}',
      request: `500 updates at creation, ${n(Math.round(100 * scale))} of 100 KB since`,
      kind: 'ok',
      send: api('GET', `/v3/incidents/${f.incident}`),
    },
    {
      endpoint: 'POST /v3/incidents',
      request: `1 MiB: 500 updates, on ${c.statusPages} pages, ${n(c.subscribers)} subscribers`,
      kind: 'ok',
      send: api('POST', '/v3/incidents', incident),
    },
    {
      endpoint: 'PUT /v3/incidents/{uuid}',
      request: 'title and text in 10 languages at their bound, 500 ids',
      kind: 'ok',
      send: api('PUT', `/v3/incidents/${f.incident}`, {
        title: incident.title,
        text: incident.text,
        affectedComponents: incident.affectedComponents,
        statuspages: incident.statuspages,
      }),
    },
    {
      endpoint: 'POST /v3/incidents/{uuid}/updates',
      request: `10 languages of 10,000 characters, ${n(c.subscribers)} subscribers`,
      kind: 'ok',
      send: api('POST', `/v3/incidents/${f.incident}/updates`, update),
    },
    {
      endpoint: 'POST /v3/incidents',
      request: `${ID_LIST_MAX + 1} affectedComponents`,
      kind: 'refused',
      send: api('POST', '/v3/incidents', {
        ...incident,
        updates: [],
        affectedComponents: times(ID_LIST_MAX + 1, () => f.monitors[0]),
      }),
    },

    {
      endpoint: 'GET /v1/maintenance-windows',
      request: `${n(c.maintenance)} windows of 200 KB, page 0`,
      kind: 'ok',
      send: api('GET', '/v1/maintenance-windows'),
    },
    {
      endpoint: 'GET /v1/maintenance-windows/{uuid}',
      request: '500 monitors, texts at their bound',
      kind: 'ok',
      send: api('GET', `/v1/maintenance-windows/${f.maintenance}`),
    },
    {
      endpoint: 'POST /v1/maintenance-windows',
      request: `500 monitors, ${c.statusPages} pages, texts at their bound`,
      kind: 'ok',
      send: api('POST', '/v1/maintenance-windows', maintenance),
    },
    {
      endpoint: 'POST /v1/maintenance-windows',
      request: `${ID_LIST_MAX + 1} monitors`,
      kind: 'refused',
      send: api('POST', '/v1/maintenance-windows', {
        ...maintenance,
        monitors: times(ID_LIST_MAX + 1, () => f.monitors[0]),
      }),
    },

    {
      endpoint: 'GET /v2/statuspages',
      request: `${c.statusPages} pages, a ${SEARCH_MAX}-character search matching all`,
      kind: 'ok',
      send: api('GET', `/v2/statuspages?search=${'x'.repeat(SEARCH_MAX)}`),
    },
    {
      endpoint: 'GET /v2/statuspages/{uuid}',
      request: '50 sections, 500 services, 1 MiB',
      kind: 'ok',
      send: api('GET', `/v2/statuspages/${f.page.uuid}`),
    },
    {
      endpoint: 'POST /v2/statuspages',
      request: '50 sections, 500 services, 1 MiB',
      kind: 'ok',
      send: api('POST', '/v2/statuspages', pageBody),
    },
    {
      endpoint: 'PUT /v2/statuspages/{uuid}',
      request: '50 sections, 500 services, 1 MiB',
      kind: 'ok',
      send: api('PUT', `/v2/statuspages/${f.pages[1] ?? f.page.uuid}`, { ...pageBody, subdomain: undefined }),
    },
    {
      endpoint: 'GET /v2/statuspages/{uuid}/subscribers',
      request: `the last page of ${n(c.subscribers)}`,
      kind: 'ok',
      send: api('GET', `/v2/statuspages/${f.page.uuid}/subscribers?page=${lastSubscriberPage}&type=email`),
    },
    {
      endpoint: 'POST /v2/statuspages/{uuid}/subscribers',
      request: `an email of 254 characters, ${n(c.subscribers)} already`,
      kind: 'ok',
      send: api('POST', `/v2/statuspages/${f.page.uuid}/subscribers`, {
        type: 'email',
        email: longestEmail(`new${now}`),
        language: 'fr',
      }),
    },
    {
      endpoint: 'POST /v2/statuspages',
      request: `${MAX_SECTIONS + 1} sections`,
      kind: 'refused',
      send: api('POST', '/v2/statuspages', { name: 'p', sections: times(MAX_SECTIONS + 1, () => ({ name: 's' })) }),
    },
    {
      endpoint: 'POST /v2/statuspages',
      request: '501 services on the page',
      kind: 'refused',
      send: api('POST', '/v2/statuspages', {
        ...pageBody,
        subdomain: 'worst-over',
        sections: pageBody.sections.map((sec, i) =>
          i === MAX_SECTIONS - 1 ? { ...sec, services: [...sec.services, { monitor_uuid: f.monitors[0] }] } : sec,
        ),
      }),
    },

    {
      endpoint: 'GET /v1/integrations',
      request: `${c.integrations} channels, settings at their bound`,
      kind: 'ok',
      send: api('GET', '/v1/integrations'),
    },
    {
      endpoint: 'POST /v1/integrations',
      request: '20 recipients of 254 characters',
      kind: 'ok',
      send: api('POST', '/v1/integrations', integration),
    },
    {
      endpoint: 'GET /v1/escalation-policies',
      request: `${c.policies} policies of 20 steps × 40 targets`,
      kind: 'ok',
      send: api('GET', '/v1/escalation-policies'),
    },
    {
      endpoint: 'POST /v1/escalation-policies',
      request: '20 steps × 20 emails',
      kind: 'ok',
      send: api('POST', '/v1/escalation-policies', policy),
    },
    {
      endpoint: 'POST /v1/escalation-policies',
      request: `${MAX_STEPS + 1} steps`,
      kind: 'refused',
      send: api('POST', '/v1/escalation-policies', { ...policy, steps: [...policy.steps, policy.steps[0]] }),
    },

    {
      endpoint: 'POST /v1/probe/lease',
      request: `500 checks (the most), ${n(c.monitors)} monitors due`,
      kind: 'ok',
      send: (s) =>
        send(s.base, 'POST', '/v1/probe/lease', { key: f.probeToken, body: { limit: 500, lookaheadMs: 10_000 } }),
    },
    {
      endpoint: 'POST /v1/probe/results',
      request: `${n(MAX_RESULTS_PER_POST)} results, errors of ${n(fullPost.error)} characters (1 MiB)`,
      kind: 'ok',
      send: (s) =>
        send(s.base, 'POST', '/v1/probe/results', { key: f.probeToken, body: { results: fullPost.results } }),
    },
    {
      endpoint: 'POST /v1/probe/results',
      request: `${n(MAX_RESULTS_PER_POST + 1)} results`,
      kind: 'refused',
      send: (s) =>
        send(s.base, 'POST', '/v1/probe/results', {
          key: f.probeToken,
          body: { results: times(MAX_RESULTS_PER_POST + 1, (i) => probeResult(i, 10)) },
        }),
    },
    {
      endpoint: 'GET /v1/regions',
      request: `${n(c.monitors)} monitors in 18 regions`,
      kind: 'ok',
      send: api('GET', '/v1/regions'),
    },

    {
      endpoint: 'POST /v1/mcp list_monitors',
      request: 'limit 200',
      kind: 'ok',
      send: mcp(call('list_monitors', { limit: 200 })),
      check: servedOrBounded,
    },
    {
      endpoint: 'POST /v1/mcp list_monitors',
      request: 'status=down, limit 200, last page',
      kind: 'ok',
      send: mcp(
        call('list_monitors', { status: 'down', limit: 200, page: Math.max(0, Math.ceil(c.monitors / 10 / 200) - 1) }),
      ),
      check: servedOrBounded,
    },
    {
      endpoint: 'POST /v1/mcp search_monitors_by_name',
      request: `"monitor 1": ${n(Math.round(c.monitors / 9))} matches`,
      kind: 'ok',
      send: mcp(call('search_monitors_by_name', { query: 'monitor 1' })),
      check: servedOrBounded,
    },
    {
      endpoint: 'POST /v1/mcp get_status_summary',
      request: `${n(c.monitors)} monitors`,
      kind: 'ok',
      send: mcp(call('get_status_summary')),
      check: servedOrBounded,
    },
    {
      endpoint: 'POST /v1/mcp list_outages',
      request: `every filter, a ${SEARCH_MAX}-character search`,
      kind: 'ok',
      send: mcp(call('list_outages', { status: 'resolved', type: 'monitor', search })),
      check: servedOrBounded,
    },
    {
      endpoint: 'POST /v1/mcp get_outage_timeline',
      request: 'an outage with 500 checks around it',
      kind: 'ok',
      send: mcp(call('get_outage_timeline', { uuid: f.outage })),
      check: servedOrBounded,
    },
    {
      endpoint: 'POST /v1/mcp list_recent_alerts',
      request: `${n(MAX_PERIODS - 1)} days, every monitor`,
      kind: 'ok',
      send: mcp(call('list_recent_alerts', dayWindow)),
      check: servedOrBounded,
    },
    {
      endpoint: 'POST /v1/mcp get_monitor_uptime',
      request: `${n(MAX_PERIODS - 1)} hours, every monitor`,
      kind: 'ok',
      send: mcp(call('get_monitor_uptime', hourWindow)),
      check: servedOrBounded,
    },
    {
      endpoint: 'POST /v1/mcp get_monitor_response_time',
      request: `${n(MAX_PERIODS - 1)} hours, every monitor`,
      kind: 'ok',
      send: mcp(call('get_monitor_response_time', hourWindow)),
      check: servedOrBounded,
    },
    {
      endpoint: 'POST /v1/mcp get_monitor_mttr',
      request: 'every monitor, 1970 to 2100',
      kind: 'ok',
      send: mcp(call('get_monitor_mttr', longest)),
      check: servedOrBounded,
    },
    {
      endpoint: 'POST /v1/mcp get_monitor_mtta',
      request: 'every monitor, 1970 to 2100',
      kind: 'ok',
      send: mcp(call('get_monitor_mtta', longest)),
      check: servedOrBounded,
    },
    {
      endpoint: 'POST /v1/mcp get_monitor_http_logs',
      request: `limit 200, page 1,000, of ${n(c.checkResults)} results`,
      kind: 'ok',
      send: mcp(
        call('get_monitor_http_logs', { uuid: f.checkedMonitor, limit: 200, page: 1000, level: ['info', 'error'] }),
      ),
      check: servedOrBounded,
    },
    {
      endpoint: 'POST /v1/mcp get_monitor_anomalies',
      request: `a day of ${n(Math.round(c.checkResults / 7))} results`,
      kind: 'ok',
      send: mcp(call('get_monitor_anomalies', { uuid: f.checkedMonitor })),
      check: servedOrBounded,
    },
    {
      endpoint: 'POST /v1/mcp list_incidents',
      request: `${n(c.incidents)} incidents of 1 MiB`,
      kind: 'ok',
      send: mcp(call('list_incidents')),
      check: servedOrBounded,
    },
    {
      endpoint: 'POST /v1/mcp list_status_pages',
      request: '20 pages of 500 services',
      kind: 'ok',
      send: mcp(call('list_status_pages')),
      check: servedOrBounded,
    },
    // Past 2 MiB of answers in all, a batch stops with 413 at the message that would pass it (docs/api.md).
    {
      endpoint: 'POST /v1/mcp (batch)',
      request: `${MAX_BATCH} different heavy calls`,
      kind: 'ok',
      send: mcp(heavyCalls),
      check: (a) => a.status === 200 || (a.status === 413 && /would pass 2 MiB/.test(a.head)),
    },
    {
      endpoint: 'POST /v1/mcp (batch)',
      request: `${MAX_BATCH + 1} messages`,
      kind: 'refused',
      send: mcp([...heavyCalls, call('get_status_summary', {}, 21)]),
    },
    {
      endpoint: 'POST /v1/mcp list_monitors',
      request: 'limit 201',
      kind: 'refused',
      send: mcp(call('list_monitors', { limit: 201 })),
      check: toolRefused,
    },

    {
      endpoint: 'GET /status/{subdomain}',
      request: `500 services, ${n(c.incidents)} incidents, ${n(c.maintenance)} windows`,
      kind: 'ok',
      send: (s) => send(s.base, 'GET', `/status/${f.page.subdomain}`),
    },
    {
      endpoint: 'GET /status/{subdomain}/feed.rss',
      request: 'the same page',
      kind: 'ok',
      send: (s) => send(s.base, 'GET', `/status/${f.page.subdomain}/feed.rss`),
    },
    {
      endpoint: 'GET /status/{subdomain}/badge.svg',
      request: 'the same page',
      kind: 'ok',
      send: (s) => send(s.base, 'GET', `/status/${f.page.subdomain}/badge.svg`),
    },
    {
      endpoint: 'GET /metrics',
      request: `the operator token, ${n(c.monitors)} monitors, ${n(c.healthchecks)} checks`,
      kind: 'ok',
      send: (s) => send(s.base, 'GET', '/metrics', { key: METRICS_TOKEN }),
    },
    {
      endpoint: 'GET /openapi.json',
      request: 'every route',
      kind: 'ok',
      send: (s) => send(s.base, 'GET', '/openapi.json'),
    },
  ];
}

async function measure(server: Server, row: Row): Promise<Measured> {
  await server.ask('start');
  server.resetPeakRss();
  await sleep(20); // the delay histogram needs a first tick before it records
  const probe = probeHealthz(server.base);
  await sleep(20);
  const t0 = performance.now();
  const answer = await row.send(server);
  const ms = performance.now() - t0;
  await sleep(100); // what the request left running (a commit, a notification) still counts
  const probes = await probe.stop();
  const peakRss = server.peakRss();
  const stats: ServerStats | null = await server.ask('stop');
  const died = server.alive
    ? null
    : `server died (${server.child.signalCode ?? `exit ${server.child.exitCode}`}): ${server.stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 300)}`;
  return { row, answer, ms, probes, stats, peakRss, died };
}

function verdict(m: Measured): string[] {
  const misses: string[] = [];
  if (m.died) return ['server died'];
  const served = m.row.check
    ? m.row.check(m.answer)
    : m.row.kind === 'ok'
      ? m.answer.status >= 200 && m.answer.status < 300
      : m.answer.status >= 400 && m.answer.status < 500;
  if (!served) misses.push(m.row.kind === 'ok' ? 'not served' : 'not refused');
  if (m.row.kind === 'refused' && m.ms > GOAL_LOOP_MS) misses.push('slow refusal');
  if (m.stats && m.stats.loopMaxMs > GOAL_LOOP_MS) misses.push('loop');
  if (m.stats && (m.stats.heapPeak - m.stats.heapStart) / MB > GOAL_HEAP_MB) misses.push('heap');
  return misses;
}

function formatRow(m: Measured): Record<string, string> {
  const mb = (b: number) => (b / MB).toFixed(1);
  const s = m.stats;
  const misses = verdict(m);
  const size =
    m.answer.bytes >= MB ? `${(m.answer.bytes / MB).toFixed(1)} MB` : `${(m.answer.bytes / 1024).toFixed(1)} KB`;
  return {
    endpoint: m.row.endpoint,
    request: m.row.request,
    // An MCP answer refused by its bound (2 MiB, 50,000 figures) or a batch stopped at 2 MiB.
    status: m.died
      ? 'died'
      : /would pass 2 MiB|would hold more than/.test(m.answer.head)
        ? `${m.answer.status} bound`
        : String(m.answer.status),
    'time ms': m.ms.toFixed(0),
    answer: size,
    'healthz p99 / max ms': m.probes.length
      ? `${quantile(m.probes, 0.99).toFixed(0)} / ${m.probes.at(-1)!.toFixed(0)}`
      : '-',
    'loop p99 / max ms': s ? `${s.loopP99Ms.toFixed(0)} / ${s.loopMaxMs.toFixed(0)}` : '-',
    'server CPU ms': s ? s.cpuMs.toFixed(0) : '-',
    'heap +MB peak / kept': s ? `${mb(s.heapPeak - s.heapStart)} / ${mb(s.heapKept - s.heapStart)}` : '-',
    'RSS MB peak': Number.isFinite(m.peakRss) ? mb(m.peakRss) : '-',
    goal: misses.length ? `✗ ${misses.join(', ')}` : '✓',
  };
}

// ---------------------------------------------------------------- main

// --reuse DIR: the SQLite database a run with --keep left (the rows of that run changed it a little).
const db = values.reuse
  ? { env: { VIGIL_DATA_DIR: values.reuse } as Record<string, string>, dataDir: values.reuse, drop: async () => {} }
  : await freshDatabase();
const databaseUrl = db.env.DATABASE_URL ?? null;
let filled: Filled;
if (values.reuse) {
  filled = JSON.parse(fs.readFileSync(path.join(values.reuse, 'worst-case.json'), 'utf8'));
} else {
  console.log(
    `Filling a project to its documented limits (scale ${scale}) in ${databaseUrl ? 'PostgreSQL' : db.dataDir} …`,
  );
  const setup = await openStore({ databaseUrl, dataDir: db.dataDir });
  const t0 = Date.now();
  filled = await fillProject(setup, { scale, log: console.log });
  await setup.close();
  console.log(
    `filled in ${((Date.now() - t0) / 1000).toFixed(0)} s${databaseUrl ? '' : `, database ${(fs.statSync(path.join(db.dataDir, 'vigil.db')).size / MB).toFixed(0)} MB`}`,
  );
  if (values.keep) fs.writeFileSync(path.join(db.dataDir, 'worst-case.json'), JSON.stringify(filled));
}

const server = new Server({
  ...db.env,
  VIGIL_HOST: '127.0.0.1',
  VIGIL_ROLE: 'api',
  VIGIL_LOG_LEVEL: 'warn',
  VIGIL_RATE_LIMIT_PER_HOUR: '0',
  VIGIL_METRICS_TOKEN: METRICS_TOKEN,
  VIGIL_PING_HISTORY: '10000',
  VIGIL_PING_RATE_PER_MINUTE: '0',
});
const results: Measured[] = [];
try {
  await server.start();
  const only = values.only ? new RegExp(values.only, 'i') : null;
  const rows = rowsFor(filled, Date.now()).filter((r) => !only || only.test(`${r.endpoint} ${r.request}`));
  for (const row of rows) {
    if (!server.alive) await server.start();
    const m = await measure(server, row);
    results.push(m);
    const f = formatRow(m);
    console.log(
      `${f.goal.padEnd(2)} ${row.endpoint} — ${row.request}: ${f.status} in ${f['time ms']} ms, ${f.answer}; healthz ${f['healthz p99 / max ms']}, loop ${f['loop p99 / max ms']}, CPU ${f['server CPU ms']}, GC ${m.stats ? `${m.stats.gcs} × ≤${m.stats.gcMaxMs.toFixed(0)} ms` : '-'}, heap ${f['heap +MB peak / kept']}, RSS ${f['RSS MB peak']}${m.died ? ` — ${m.died}` : verdict(m).length && m.answer.status >= 300 ? ` — ${m.answer.head.slice(0, 200)}` : ''}`,
    );
  }
} finally {
  await server.stop();
  agent.destroy();
  if (values.keep || values.reuse) console.log(`database kept in ${db.dataDir}`);
  else await db.drop();
}

const c = filled.counts;
console.log(
  `\nWorst-case requests, ${databaseUrl ? 'PostgreSQL' : 'SQLite'}, scale ${scale}: ${c.monitors} monitors, ${c.healthchecks} heartbeat checks, ${c.statusPages} status pages, ${c.incidents} incidents, ${c.maintenance} maintenance windows, ${c.outages} outages, ${c.checkResults} raw results, ${c.rollups} rollups; ${os.cpus().length} × ${os.cpus()[0].model}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`,
);
printTable(results.map(formatRow));
const over = results.filter((m) => verdict(m).length);
console.log(
  `\n${over.length} of ${results.length} rows miss the goal (loop ≤ ${GOAL_LOOP_MS} ms, heap ≤ ${GOAL_HEAP_MB} MB, maxima served, past them a quick 4xx).`,
);
process.exit(0);
