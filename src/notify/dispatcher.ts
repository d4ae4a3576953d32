import os from 'node:os';
import { randomAlnum } from '../domain/ids.ts';
import { backoffMs } from '../domain/alerting.ts';
import type { ChannelKind } from '../domain/channels.ts';
import type { Ctx } from '../services/context.ts';
import { walkDueAlerts } from '../services/alerting.ts';
import { sendDueMaintenanceNotices } from '../services/maintenance.ts';
import { claimDue, completeDelivery, type Claimed, type Completion } from '../services/outbox.ts';
import type { TargetPolicy } from '../egress/policy.ts';
import { renderMessage } from './message.ts';
import { CHANNELS } from './channels/index.ts';
import type { Channel, ChannelEnv, Outcome } from './channel.ts';

export interface DispatcherOptions {
  publicUrl: string;
  policy: TargetPolicy;
  ca?: Buffer | null;
  smtpUrl?: string | null;
  smtpFrom?: string;
  /** Per attempt (HTTP request or whole SMTP conversation). */
  timeoutMs?: number;
  /** A row still failing this long after it was written is given up. */
  giveUpAfterMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** How often due rows are looked for when idle (default 500 ms); 0 runs no loop (tests call runOnce). */
  intervalMs?: number;
  batch?: number;
  workerId?: string;
  /** Tests: other senders, and a fixed random for the jitter. */
  channels?: Partial<Record<ChannelKind, Channel>>;
  random?: () => number;
}

export interface Dispatcher {
  /** Fires due escalation steps and maintenance notices, then claims and delivers due rows until none is left. */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * The outbox dispatcher: claims due rows by conditional update (a lease of timeout + 5 s, so a
 * worker killed mid-send loses the row to the next one and it is sent again with the same id),
 * sends each through its channel, and records the outcome: delivered; retried with exponential
 * backoff and jitter (or after Retry-After) on timeouts, 5xx and 429; given up with the reason
 * once past giveUpAfterMs or on a permanent refusal; a 410 also disables the channel.
 */
export function createDispatcher(ctx: Ctx, opts: DispatcherOptions): Dispatcher {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const leaseMs = timeoutMs + 5_000;
  const giveUpAfterMs = opts.giveUpAfterMs ?? 24 * 3_600_000;
  const baseMs = opts.backoffBaseMs ?? 10_000;
  const maxMs = opts.backoffMaxMs ?? 3_600_000;
  const batch = opts.batch ?? 50;
  const random = opts.random ?? Math.random;
  const worker = opts.workerId ?? `${os.hostname()}:${process.pid}:${randomAlnum(6)}`;
  const channels = { ...CHANNELS, ...opts.channels };
  const env: ChannelEnv = {
    policy: opts.policy,
    timeoutMs,
    ca: opts.ca ?? null,
    smtpUrl: opts.smtpUrl ?? null,
    smtpFrom: opts.smtpFrom ?? `vigil@${new URL(opts.publicUrl).hostname}`,
    clock: ctx.clock,
  };

  async function attempt(row: Claimed): Promise<Outcome> {
    if (row.channel?.disabledReason)
      return { status: 'permanent', detail: `channel disabled: ${row.channel.disabledReason}` };
    const channel = channels[row.kind as ChannelKind];
    if (!channel) return { status: 'permanent', detail: `unknown channel kind ${row.kind}` };
    try {
      return await channel.send(
        {
          id: row.uuid,
          event: row.event,
          payload: row.payload,
          message: renderMessage(row.payload, opts.publicUrl),
          config: row.channel?.config ?? {},
          secret: row.channel?.secret ?? null,
          recipient: row.recipient,
        },
        env,
      );
    } catch (err) {
      return { status: 'retryable', detail: (err as Error).message };
    }
  }

  function completion(row: Claimed, o: Outcome): Completion {
    if (o.status === 'ok') return { kind: 'delivered', status: o.detail };
    if (o.status === 'permanent') {
      const disable =
        o.disable && row.channel ? { id: row.channel.id, reason: `${o.detail} (the endpoint is gone)` } : undefined;
      return { kind: 'gave_up', status: o.detail, reason: o.detail, disableChannel: disable };
    }
    const now = ctx.clock();
    const at = now + (o.retryAfterMs ?? backoffMs(row.attempts, baseMs, maxMs, random()));
    if (at > row.created_at + giveUpAfterMs) {
      return {
        kind: 'gave_up',
        status: o.detail,
        reason: `gave up after ${row.attempts} attempt${row.attempts === 1 ? '' : 's'} over ${Math.round((now - row.created_at) / 60_000)} min; last: ${o.detail}`,
      };
    }
    return { kind: 'retry', status: o.detail, at };
  }

  async function deliver(row: Claimed) {
    const outcome = await attempt(row);
    const c = completion(row, outcome);
    if (!(await completeDelivery(ctx, row.id, worker, c)))
      ctx.log.warn({ notification: row.uuid }, 'delivery lease lost; the row stays with its new holder');
    else if (c.kind === 'gave_up')
      ctx.log.warn({ notification: row.uuid, kind: row.kind, reason: c.reason }, 'notification given up');
  }

  async function runOnce(): Promise<number> {
    await walkDueAlerts(ctx);
    await sendDueMaintenanceNotices(ctx);
    let total = 0;
    for (;;) {
      const rows = await claimDue(ctx, worker, leaseMs, batch);
      if (rows.length === 0) return total;
      await Promise.all(rows.map(deliver));
      total += rows.length;
    }
  }

  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | null = null;
  const tick = () => {
    if (stopped) return;
    running = runOnce()
      .catch((err) => ctx.log.error({ err }, 'notification dispatch failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, opts.intervalMs ?? 500);
      });
  };
  if (opts.intervalMs !== 0) tick();

  return {
    runOnce,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
