import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import { statusMatches } from '../../domain/monitors.ts';
import { connectTcp } from './tcp.ts';
import type { CheckResult, CheckTarget } from '../../domain/checks.ts';
import type { ProbeContext } from '../check-kind.ts';

const MAX_REDIRECTS = 5;
const BODY_CAP = 1024 * 1024;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const USER_AGENT = 'Vigil uptime monitor';
// Not sent to another origin after a redirect (as browsers do).
const CREDENTIALS = new Set(['authorization', 'cookie', 'proxy-authorization']);

interface Hop {
  res: http.IncomingMessage;
  socket: net.Socket;
  dnsMs: number | null;
  connectMs: number;
  tlsMs: number | null;
  ttfbMs: number;
  cert: Cert | null;
}

/** The certificate a TLS server presented: its notAfter (epoch ms) and SHA-256 fingerprint. */
interface Cert {
  expiresAt: number | null;
  fingerprint: string | null;
}

/**
 * HTTP(S) monitors: one fresh connection per request (no pooling, so every phase is real), at
 * most 5 redirects, each hop resolved and checked by the target policy. Phase timings are summed
 * over the hops; sslExpiresAt and sslFingerprint are the certificate of the monitor's own URL.
 */
export async function checkHttp(target: CheckTarget, ctx: ProbeContext): Promise<CheckResult> {
  const started = performance.now();
  let url = httpUrl(target.url);
  if (!url) throw new Error('invalid URL');
  let method = (target.http_method || 'GET').toUpperCase();
  let body = target.request_body || '';
  const headers: Record<string, string> = { 'user-agent': USER_AGENT };
  for (const h of target.request_headers ?? []) headers[h.name.toLowerCase()] = h.value;
  const firstIsHttps = url.protocol === 'https:';
  let cert: Cert | null = null;
  let dnsMs: number | null = null;
  let connectMs = 0;
  let tlsMs: number | null = null;
  let ttfbMs = 0;

  for (let hop = 0; ; hop++) {
    headers.host = url.host;
    let h: Hop;
    try {
      h = await exchange(url, method, headers, body, ctx, target.ip_version);
    } catch (err) {
      if (!(err instanceof CertificateError)) throw err;
      const { hop: failed } = err;
      const r: CheckResult = {
        ok: false,
        statusCode: null,
        totalMs: performance.now() - started,
        error: err.message,
        dnsMs: failed.dnsMs === null ? dnsMs : (dnsMs ?? 0) + failed.dnsMs,
        connectMs: connectMs + failed.connectMs,
        tlsMs: (tlsMs ?? 0) + failed.tlsMs,
        ttfbMs: hop === 0 ? null : ttfbMs,
      };
      const shown = hop === 0 ? failed.cert : cert;
      r.sslExpiresAt = shown?.expiresAt ?? null;
      r.sslFingerprint = shown?.fingerprint ?? null;
      return r;
    }
    if (h.dnsMs !== null) dnsMs = (dnsMs ?? 0) + h.dnsMs;
    if (h.tlsMs !== null) tlsMs = (tlsMs ?? 0) + h.tlsMs;
    connectMs += h.connectMs;
    ttfbMs += h.ttfbMs;
    if (hop === 0) cert = h.cert;
    const status = h.res.statusCode ?? 0;
    const location = h.res.headers.location;
    const result = (error: string | null): CheckResult => {
      h.socket.destroy();
      const r: CheckResult = {
        ok: error === null,
        statusCode: status,
        totalMs: performance.now() - started,
        dnsMs,
        connectMs,
        tlsMs,
        ttfbMs,
        error,
      };
      if (firstIsHttps) {
        r.sslExpiresAt = cert?.expiresAt ?? null;
        r.sslFingerprint = cert?.fingerprint ?? null;
      }
      return r;
    };

    if (target.follow_redirects && REDIRECTS.has(status) && location) {
      h.socket.destroy();
      if (hop === MAX_REDIRECTS) return result(`too many redirects (more than ${MAX_REDIRECTS})`);
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        return result('invalid redirect location');
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:')
        return result(`redirect to unsupported scheme ${next.protocol}`);
      if (next.origin !== url.origin) for (const name of CREDENTIALS) delete headers[name];
      const toGet = (status === 303 && method !== 'HEAD') || ((status === 301 || status === 302) && method === 'POST');
      if (toGet) {
        method = 'GET';
        body = '';
        delete headers['content-type'];
      }
      url = next;
      continue;
    }

    if (!statusMatches(target.expected_status_code, status))
      return result(`expected ${target.expected_status_code}, got ${status}`);
    if (target.required_keyword) {
      const found = await findKeyword(h.res, target.required_keyword);
      if (found !== 'found') {
        return result(
          `keyword ${quote(target.required_keyword)} not found${found === 'capped' ? ' in the first 1 MiB' : ''}`,
        );
      }
    }
    return result(null);
  }
}

function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 59)}…` : text);
}

function httpUrl(raw: string): URL | null {
  try {
    const url = new URL(raw);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname ? url : null;
  } catch {
    return null;
  }
}

/** One request on a new connection, up to the response headers. */
async function exchange(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string,
  ctx: ProbeContext,
  family?: 4 | 6,
): Promise<Hop> {
  const https = url.protocol === 'https:';
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const conn = await connectTcp(host, Number(url.port) || (https ? 443 : 80), ctx, family);
  let socket: net.Socket = conn.socket;
  let tlsMs: number | null = null;
  let cert: Cert | null = null;
  if (https) {
    const t = performance.now();
    const secure = await handshake(conn.socket, host, ctx);
    tlsMs = performance.now() - t;
    socket = secure;
    const peer = secure.getPeerCertificate();
    const notAfter = Date.parse(peer.valid_to);
    cert = { expiresAt: Number.isNaN(notAfter) ? null : notAfter, fingerprint: peer.fingerprint256 || null };
    if (!secure.authorized) {
      secure.destroy();
      throw new CertificateError(String(secure.authorizationError), {
        dnsMs: conn.dnsMs,
        connectMs: conn.connectMs,
        tlsMs,
        cert,
      });
    }
  }
  const t = performance.now();
  const res = await request(socket, url, method, headers, body);
  return { res, socket, dnsMs: conn.dnsMs, connectMs: conn.connectMs, tlsMs, ttfbMs: performance.now() - t, cert };
}

const CERTIFICATE_PROBLEMS: Record<string, string> = {
  CERT_HAS_EXPIRED: 'certificate expired',
  CERT_NOT_YET_VALID: 'certificate not yet valid',
  CERT_REVOKED: 'certificate revoked',
  ERR_TLS_CERT_ALTNAME_INVALID: 'certificate does not match the host name',
};

/** A handshake that completed with a certificate we do not accept; carries the hop's timings and expiry. */
class CertificateError extends Error {
  constructor(
    code: string,
    readonly hop: { dnsMs: number | null; connectMs: number; tlsMs: number; cert: Cert | null },
  ) {
    super(CERTIFICATE_PROBLEMS[code] ?? 'certificate not trusted');
  }
}

// A TLS context parses the whole root store, so it is built once per distinct extra CA.
let defaultContext: tls.SecureContext | undefined;
const contexts = new Map<string, tls.SecureContext>();

function secureContext(ca: string | Buffer | undefined): tls.SecureContext {
  if (!ca) return (defaultContext ??= tls.createSecureContext());
  const pem = ca.toString();
  let context = contexts.get(pem);
  if (!context) {
    if (contexts.size >= 8) contexts.clear();
    context = tls.createSecureContext({ ca: [...tls.rootCertificates, pem] });
    contexts.set(pem, context);
  }
  return context;
}

/**
 * Verification is done here rather than by rejectUnauthorized so that an untrusted or expired
 * certificate still reports its expiry; nothing is sent before `authorized` is checked.
 */
function handshake(socket: net.Socket, host: string, ctx: ProbeContext): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    let pending = true;
    const secure = tls.connect({
      socket,
      host,
      servername: net.isIP(host) ? undefined : host,
      secureContext: secureContext(ctx.ca),
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
    });
    const onAbort = () => secure.destroy(ctx.signal.reason as Error);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    secure.once('close', () => ctx.signal.removeEventListener('abort', onAbort));
    secure.on('error', (err) => {
      if (pending) reject(err);
    });
    secure.once('secureConnect', () => {
      pending = false;
      resolve(secure);
    });
  });
}

function request(
  socket: net.Socket,
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string,
): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      createConnection: () => socket,
      method,
      path: url.pathname + url.search,
      headers,
      setHost: false,
    });
    req.on('error', reject); // stays attached: a later socket error must not become an unhandled 'error'
    req.once('response', resolve);
    if (body) req.end(body);
    else req.end();
  });
}

/** Plain substring search over the first BODY_CAP bytes, stopping as soon as it is found. */
function findKeyword(res: http.IncomingMessage, keyword: string): Promise<'found' | 'missing' | 'capped'> {
  const needle = Buffer.from(keyword);
  return new Promise((resolve, reject) => {
    let seen = 0;
    let tail = Buffer.alloc(0); // last needle.length - 1 bytes, for matches across chunks
    const done = (outcome: 'found' | 'missing' | 'capped') => {
      res.removeAllListeners('data');
      resolve(outcome);
    };
    res.on('data', (chunk: Buffer) => {
      const part = chunk.length > BODY_CAP - seen ? chunk.subarray(0, BODY_CAP - seen) : chunk;
      seen += part.length;
      const hay = tail.length ? Buffer.concat([tail, part]) : part;
      if (hay.includes(needle)) return done('found');
      if (seen >= BODY_CAP) return done('capped');
      tail = Buffer.from(hay.subarray(Math.max(0, hay.length - needle.length + 1)));
    });
    res.once('end', () => done('missing'));
    res.on('error', reject);
  });
}
