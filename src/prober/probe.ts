import { performance } from 'node:perf_hooks';
import type { TargetPolicy } from '../egress/policy.ts';
import type { CheckResult, CheckTarget } from '../domain/checks.ts';
import type { Probe } from './check-kind.ts';
import { checkHttp } from './probes/http.ts';
import { checkPort } from './probes/tcp.ts';
import { checkIcmp } from './probes/icmp.ts';
import { checkDns } from './probes/dns.ts';

export type { CheckResult, CheckTarget } from '../domain/checks.ts';
export type { Probe, ProbeContext } from './check-kind.ts';

export interface CheckOptions {
  signal?: AbortSignal;
  policy: TargetPolicy;
  /** Extra trusted CA certificate(s), PEM (VIGIL_TLS_CA_FILE). */
  ca?: string | Buffer;
}

const PROBES: Record<CheckTarget['protocol'], Probe> = {
  http: checkHttp,
  port: checkPort,
  icmp: checkIcmp,
  dns: checkDns,
};

function elapsed(since: number): number {
  return round(performance.now() - since);
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

function roundMs(ms: number | null): number | null {
  return ms === null ? null : round(ms);
}

function failure(error: string, totalMs: number): CheckResult {
  return { ok: false, statusCode: null, totalMs, dnsMs: null, connectMs: null, tlsMs: null, ttfbMs: null, error };
}

/** Probes report raw milliseconds; results carry them to 0.01 ms. */
function rounded(r: CheckResult): CheckResult {
  r.totalMs = round(r.totalMs);
  r.dnsMs = roundMs(r.dnsMs);
  r.connectMs = roundMs(r.connectMs);
  r.tlsMs = roundMs(r.tlsMs);
  r.ttfbMs = roundMs(r.ttfbMs);
  return r;
}

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  EPIPE: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRNOTAVAIL: 'address not available',
  ERR_SSL_WRONG_VERSION_NUMBER: 'TLS handshake failed (not a TLS server?)',
};

/** Short, stable text for an error thrown while checking; never the target's content. */
export function describeError(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (REASONS[code]) return REASONS[code];
  if (code.startsWith('HPE_')) return 'invalid HTTP response';
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) return `TLS handshake failed: ${code}`;
  const message = typeof e?.message === 'string' && e.message ? e.message : String(err);
  return message.length > 200 ? `${message.slice(0, 199)}…` : message;
}

/**
 * Runs one check. Never throws; resolves by the timeout at the latest (then with
 * 'timeout after N s'), and aborting `opts.signal` resolves at once with 'aborted'.
 */
export function runCheck(target: CheckTarget, opts: CheckOptions): Promise<CheckResult> {
  const started = performance.now();
  const probe = PROBES[target.protocol];
  if (!probe) return Promise.resolve(failure(`unknown protocol ${String(target.protocol)}`, 0));
  if (opts.signal?.aborted) return Promise.resolve(failure('aborted', 0));
  const timeoutMs = Math.max(1, target.timeout) * 1000;
  const controller = new AbortController();
  return new Promise<CheckResult>((resolve) => {
    let settled = false;
    const settle = (result: CheckResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    // The probe releases its sockets or child process when `controller` aborts; the result
    // does not wait for that.
    const stop = (reason: string) => {
      settle(failure(reason, elapsed(started)));
      controller.abort(new Error(reason));
    };
    const onAbort = () => stop('aborted');
    const timer = setTimeout(stop, timeoutMs, `timeout after ${target.timeout} s`);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    probe(target, { signal: controller.signal, timeoutMs, policy: opts.policy, ca: opts.ca }).then(
      (result) => settle(rounded(result)),
      (err) => settle(failure(describeError(err), elapsed(started))),
    );
  });
}
