import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { phaseOf } from '../src/domain/schedule.ts';

export interface LoadResult {
  requests: number;
  errors: number;
  rps: number;
  p50: number;
  p99: number;
}

/** Keeps `connections` keep-alive requests in flight for `seconds`; latencies in ms. */
export async function load(
  url: string,
  opts: { seconds: number; connections: number; headers?: Record<string, string> },
): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.connections });
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + opts.seconds * 1000;
  const one = () =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      const req = http.get(url, { agent, headers: opts.headers }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 200) errors++;
          latencies.push(performance.now() - t0);
          resolve();
        });
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
    });
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: opts.connections }, async () => {
      while (performance.now() < end) await one();
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return { requests: latencies.length, errors, rps: latencies.length / elapsed, p50: q(0.5), p99: q(0.99) };
}

export function printTable(rows: Record<string, string | number>[]): void {
  const cols = Object.keys(rows[0]);
  const cells = [cols, ...rows.map((r) => cols.map((c) => String(r[c])))];
  const w = cols.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(w[i])).join(' | ')} |`;
  console.log(line(cells[0]));
  console.log(`|${w.map((x) => '-'.repeat(x + 2)).join('|')}|`);
  for (const r of cells.slice(1)) console.log(line(r));
}

/** wrk (Debian package `wrk`) when installed: a C load generator takes far less CPU than Node's client. */
export function hasWrk(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (err: any) {
    return err?.code !== 'ENOENT' && err?.status !== undefined; // wrk --version exits 1 but exists
  }
}

export function wrk(
  url: string,
  opts: { seconds: number; connections: number; headers?: Record<string, string> },
): LoadResult {
  const args = ['-t1', `-c${opts.connections}`, `-d${opts.seconds}s`, '--latency'];
  for (const [k, v] of Object.entries(opts.headers ?? {})) args.push('-H', `${k}: ${v}`);
  const out = execFileSync('wrk', [...args, url], { encoding: 'utf8' });
  const ms = (label: string) => {
    const m = new RegExp(`${label}%\\s+([\\d.]+)(us|ms|s)`).exec(out);
    if (!m) return NaN;
    return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
  };
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = non2xx + (socketErrors ? socketErrors.slice(1).reduce((a, b) => a + Number(b), 0) : 0);
  return {
    requests,
    errors,
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0),
    p50: ms('50'),
    p99: ms('99'),
  };
}

/**
 * A monitors row for the benchmarks that fill a table directly: an HTTP GET every `frequency`
 * seconds, expecting 2xx, first due at `firstCheckAt` and on its grid from there.
 */
export function httpMonitorRow(m: {
  uuid: string;
  projectId: number;
  name: string;
  url: string;
  regions: string;
  frequency: number;
  createdAt: number;
  firstCheckAt: number;
}) {
  return {
    uuid: m.uuid,
    project_id: m.projectId,
    name: m.name,
    url: m.url,
    protocol: 'http',
    paused: 0,
    port: null,
    http_method: 'GET',
    regions: m.regions,
    check_frequency: m.frequency,
    timeout: 10,
    follow_redirects: 1,
    expected_status_code: '2xx',
    request_body: '',
    request_headers: null,
    required_keyword: null,
    dns_record_type: null,
    dns_nameserver: null,
    dns_expected_answer: null,
    status: 'up',
    ssl_expiration: null,
    alerts_wait: 0,
    group_id: null,
    sort_order: 0,
    show_url: 0,
    escalation_policy_id: null,
    created_at: m.createdAt,
    updated_at: m.createdAt,
    next_check_at: m.firstCheckAt,
    check_phase: phaseOf(m.firstCheckAt, m.frequency),
    state_version: 0,
  };
}
