import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { isValidHost, targetHost } from '../../domain/monitors.ts';
import { lookup, normalizeAddress } from '../../egress/policy.ts';
import type { CheckResult, CheckTarget } from '../../domain/checks.ts';
import type { ProbeContext } from '../check-kind.ts';

export interface Connection {
  socket: net.Socket;
  /** Null when the host was an IP address and nothing was resolved. */
  dnsMs: number | null;
  connectMs: number;
}

/**
 * Resolves `host` through the target policy and connects to the address it allowed (never to
 * the name again, so a second DNS answer cannot swap it). The socket is destroyed when
 * ctx.signal aborts, for as long as it lives.
 */
export async function connectTcp(host: string, port: number, ctx: ProbeContext, family?: 4 | 6): Promise<Connection> {
  const t0 = performance.now();
  const { address } = await lookup(host, ctx.policy, family);
  ctx.signal.throwIfAborted();
  const t1 = performance.now();
  const dnsMs = normalizeAddress(host) === null ? t1 - t0 : null;
  const socket = net.connect({ host: address, port });
  return new Promise<Connection>((resolve, reject) => {
    let connecting = true;
    const onAbort = () => socket.destroy(ctx.signal.reason as Error);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    socket.once('close', () => ctx.signal.removeEventListener('abort', onAbort));
    // Stays attached: later errors belong to whoever uses the socket, and must not crash the process.
    socket.on('error', (err) => {
      if (connecting) reject(err);
    });
    socket.once('connect', () => {
      connecting = false;
      resolve({ socket, dnsMs, connectMs: performance.now() - t1 });
    });
  });
}

/** Port monitors: up when a TCP connection to host:port opens within the timeout. */
export async function checkPort(target: CheckTarget, ctx: ProbeContext): Promise<CheckResult> {
  const started = performance.now();
  const host = targetHost(target.url);
  if (!host || !isValidHost(host)) throw new Error('invalid host');
  const port = target.port ?? portOf(target.url);
  if (!port) throw new Error('no port to check');
  const { socket, dnsMs, connectMs } = await connectTcp(host, port, ctx, target.ip_version);
  socket.destroy();
  return {
    ok: true,
    statusCode: null,
    totalMs: performance.now() - started,
    dnsMs,
    connectMs,
    tlsMs: null,
    ttfbMs: null,
    error: null,
  };
}

function portOf(url: string): number | null {
  try {
    return Number(new URL(url).port) || null;
  } catch {
    return null;
  }
}
