import type { ChannelConfig } from '../domain/channels.ts';
import type { TargetPolicy } from '../egress/policy.ts';
import type { Message } from './message.ts';

/** A channel's answer to one attempt (STYLE.md 10): delivered, try again later, or never. */
export type Outcome =
  | { status: 'ok'; detail: string }
  | { status: 'retryable'; detail: string; retryAfterMs?: number }
  | { status: 'permanent'; detail: string; disable?: boolean };

/** What the dispatcher gives every channel: the engine's target policy and the mail settings. */
export interface ChannelEnv {
  policy: TargetPolicy;
  timeoutMs: number;
  ca: Buffer | null;
  /** VIGIL_SMTP_URL; a channel may bring its own. */
  smtpUrl: string | null;
  smtpFrom: string;
  clock: () => number;
}

/** One attempt at one outbox row. `id` (the webhook-id) is the same on every attempt. */
export interface Delivery {
  id: string;
  event: string;
  payload: unknown;
  message: Message;
  config: ChannelConfig;
  secret: string | null;
  /** Subscriber and on-call emails: the address (no channel). */
  recipient: string | null;
}

export interface Channel {
  send(d: Delivery, env: ChannelEnv): Promise<Outcome>;
}
