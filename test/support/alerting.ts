// Loopback stand-ins for alert receivers, and helpers that drive outages through the real services.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { recordResults } from '../../src/services/results.ts';
import { createDispatcher, type DispatcherOptions } from '../../src/notify/dispatcher.ts';
import { loadTargetPolicy } from '../../src/egress/policy.ts';
import type { Ctx } from '../../src/services/context.ts';
import type { Harness } from '../harness.ts';

export interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: any;
}

/** What the receiver answers: a status (and headers), or 'hang' to never answer. */
export type Answer = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

export interface Receiver {
  url: string;
  received: Received[];
  /** Answers for the next requests, in order; then 200. */
  script(...answers: Answer[]): void;
  waitFor(n: number, ms?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  let answers: Answer[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {}
      received.push({ method: req.method!, path: req.url!, headers: req.headers, body, json });
      const a = answers.shift() ?? { status: 200 };
      if (a === 'hang') return;
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
      res.end(a.body ?? '{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    script: (...a) => {
      answers = a;
    },
    async waitFor(n, ms = 20_000) {
      const end = Date.now() + ms;
      while (received.length < n) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${n} requests (got ${received.length})`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return received;
    },
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/** Standard Webhooks verification, as a receiver would write it (not Vigil's code). */
export function verifyWebhook(secret: string, headers: http.IncomingHttpHeaders, body: string): boolean {
  const id = String(headers['webhook-id']);
  const ts = String(headers['webhook-timestamp']);
  const key = Buffer.from(secret.split('_')[1], 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest();
  return String(headers['webhook-signature'])
    .split(' ')
    .some((s) => {
      const [version, sig] = s.split(',');
      const got = Buffer.from(sig ?? '', 'base64');
      return version === 'v1' && got.length === expected.length && timingSafeEqual(got, expected);
    });
}

/** A dispatcher with no loop of its own (tests call runOnce), short timeouts and no jitter. */
export function testDispatcher(ctx: Ctx, opts: Partial<DispatcherOptions> = {}) {
  return createDispatcher(ctx, {
    publicUrl: 'https://vigil.example',
    policy: loadTargetPolicy({}),
    intervalMs: 0,
    timeoutMs: 2000,
    random: () => 0,
    ...opts,
  });
}

export async function monitorId(h: Harness, uuid: string): Promise<number> {
  return (await h.ctx.store.db.selectFrom('monitors').select('id').where('uuid', '=', uuid).executeTakeFirstOrThrow())
    .id;
}

const result = (monitorId: number, at: number, ok: boolean) => ({
  monitorId,
  at,
  location: 'local',
  ok,
  statusCode: ok ? 200 : 503,
  error: ok ? null : 'expected 2xx, got 503',
  totalMs: 12,
  dnsMs: null,
  connectMs: 1,
  tlsMs: null,
  ttfbMs: 10,
});

/** Two failed checks: a confirmed DOWN (one location confirms with a recheck). */
export async function goDown(ctx: Ctx, id: number, at: number) {
  await recordResults(ctx, [result(id, at, false)]);
  return recordResults(ctx, [result(id, at + 1000, false)]);
}

export async function goUp(ctx: Ctx, id: number, at: number) {
  await recordResults(ctx, [result(id, at, true)]);
  return recordResults(ctx, [result(id, at + 1000, true)]);
}

export const outbox = (ctx: Ctx) => ctx.store.db.selectFrom('notifications').selectAll().orderBy('id').execute();
