import { createHmac } from 'node:crypto';
import { classify, failure, send } from '../http.ts';
import type { Channel } from '../channel.ts';

/**
 * Standard Webhooks: `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">` keyed by
 * the base64 part of the channel's whsec_ secret. The id is the outbox row's, the same on every
 * retry; the timestamp is the attempt's.
 */
export function signature(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

export const webhook: Channel = {
  async send(d, env) {
    const p = d.payload as { at: string };
    const m = d.message;
    const body = JSON.stringify({
      type: d.event,
      timestamp: p.at,
      data: { ...p, title: m.title, text: m.lines.join('\n'), link: m.link },
    });
    const timestamp = Math.floor(env.clock() / 1000);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'webhook-id': d.id,
      'webhook-timestamp': String(timestamp),
    };
    if (d.secret) headers['webhook-signature'] = signature(d.secret, d.id, timestamp, body);
    try {
      return classify(await send('POST', d.config.url as string, body, headers, env), env.clock());
    } catch (err) {
      return failure(err);
    }
  },
};
