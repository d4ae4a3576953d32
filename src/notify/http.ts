import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { lookup } from '../egress/policy.ts';
import { parseRetryAfter } from '../domain/alerting.ts';
import type { ChannelEnv, Outcome } from './channel.ts';

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const BODY_CAP = 64 * 1024;

/**
 * One request to a channel's endpoint. The host is resolved and checked by the engine's target
 * policy right before connecting, and the connection goes to that address only (the Host header
 * and TLS name stay the URL's). No redirects are followed; the answer body is read up to 64 KiB.
 */
export async function send(
  method: string,
  rawUrl: string,
  body: string,
  headers: Record<string, string>,
  env: ChannelEnv,
): Promise<HttpAnswer> {
  const url = new URL(rawUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`unsupported scheme ${url.protocol}`);
  const signal = AbortSignal.timeout(env.timeoutMs);
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const { address } = await lookup(host, env.policy);
  signal.throwIfAborted();
  const secure = url.protocol === 'https:';
  const options: https.RequestOptions = {
    method,
    host: address,
    port: Number(url.port) || (secure ? 443 : 80),
    path: `${url.pathname}${url.search}`,
    headers: {
      'user-agent': 'Vigil notifications',
      ...headers,
      host: url.host,
      'content-length': String(Buffer.byteLength(body)),
    },
    agent: false,
    signal,
    // With an extra CA (VIGIL_TLS_CA_FILE) the default roots stay trusted too.
    ...(secure
      ? {
          servername: net.isIP(host) ? undefined : host,
          ...(env.ca ? { ca: [...tls.rootCertificates, env.ca.toString()] } : {}),
        }
      : {}),
  };
  return new Promise<HttpAnswer>((resolve, reject) => {
    const req = (secure ? https : http).request(options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size < BODY_CAP) chunks.push(c);
        size += c.length;
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8').slice(0, BODY_CAP),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', (err) => reject(signal.aborted ? new Error(`timeout after ${env.timeoutMs / 1000} s`) : err));
    req.end(body);
  });
}

export const sendJson = (url: string, payload: unknown, env: ChannelEnv, headers: Record<string, string> = {}) =>
  send('POST', url, JSON.stringify(payload), { 'content-type': 'application/json', ...headers }, env);

/**
 * The usual reading of an answer: 2xx delivered; 408, 429 and 5xx worth retrying (after
 * Retry-After when given); 410 Gone permanent and the channel disabled; other codes permanent.
 */
export function classify(a: HttpAnswer, now: number): Outcome {
  const detail = `HTTP ${a.status}${a.body ? `: ${a.body.replace(/\s+/g, ' ').slice(0, 200)}` : ''}`;
  if (a.status >= 200 && a.status < 300) return { status: 'ok', detail: `HTTP ${a.status}` };
  if (a.status === 410) return { status: 'permanent', detail, disable: true };
  if (a.status === 408 || a.status === 429 || a.status >= 500) {
    const header = a.headers['retry-after'];
    const retryAfterMs = parseRetryAfter(Array.isArray(header) ? header[0] : header, now) ?? undefined;
    return { status: 'retryable', detail, retryAfterMs };
  }
  return { status: 'permanent', detail };
}

/** Network failures and timeouts are worth retrying; a target-policy refusal is not. */
export function failure(err: unknown): Outcome {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ERR_TARGET_BLOCKED') return { status: 'permanent', detail: e.message };
  return { status: 'retryable', detail: e?.message || String(err) };
}
