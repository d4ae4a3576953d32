import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { isValidHost, targetHost } from '../../domain/monitors.ts';
import { lookup, normalizeAddress } from '../../egress/policy.ts';
import type { CheckResult, CheckTarget } from '../../domain/checks.ts';
import type { ProbeContext } from '../check-kind.ts';

// The C locale keeps ping's output parseable whatever the server's language.
const PING_ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' };

/**
 * ICMP monitors: one echo request through iputils `ping`, run without a shell and given only the
 * address the target policy allowed, never the user's text. totalMs is the round-trip time.
 */
export async function checkIcmp(target: CheckTarget, ctx: ProbeContext): Promise<CheckResult> {
  const host = targetHost(target.url);
  if (!host || !isValidHost(host)) throw new Error('invalid host');
  const t0 = performance.now();
  const { address, family } = await lookup(host, ctx.policy, target.ip_version);
  const dnsMs = performance.now() - t0;
  ctx.signal.throwIfAborted();
  const seconds = Math.max(1, Math.ceil(ctx.timeoutMs / 1000));
  const args = [family === 6 ? '-6' : '-4', '-n', '-c', '1', '-W', String(seconds), address];
  const { code, stdout, stderr } = await ping(args, ctx);
  const rtt = /time[=<]([\d.]+) ?ms/.exec(stdout);
  const base = {
    statusCode: null,
    dnsMs: normalizeAddress(host) === null ? dnsMs : null,
    connectMs: null,
    tlsMs: null,
    ttfbMs: null,
  };
  if (code === 0 && rtt) return { ok: true, totalMs: Number(rtt[1]), error: null, ...base };
  const totalMs = performance.now() - t0;
  if (/unreachable/i.test(stdout)) return { ok: false, totalMs, error: 'host unreachable', ...base };
  if (code === 1) return { ok: false, totalMs, error: `timeout after ${seconds} s`, ...base };
  const message = (stderr.split('\n')[0] || `ping exited with ${code}`).replace(/^ping: /, '').slice(0, 200);
  return { ok: false, totalMs, error: `ping failed: ${message}`, ...base };
}

function ping(args: string[], ctx: ProbeContext): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      'ping',
      args,
      { env: PING_ENV, signal: ctx.signal, timeout: ctx.timeoutMs + 1000, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (err as { code?: unknown }).code : 0;
        if (typeof code === 'number') resolve({ code, stdout, stderr });
        else if (code === 'ENOENT') reject(new Error('ping is not installed (Debian: apt-get install iputils-ping)'));
        else reject(err); // killed or aborted
      },
    );
  });
}
