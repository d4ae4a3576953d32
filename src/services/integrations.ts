import { newId } from '../domain/ids.ts';
import { NotFoundError, ValidationError } from '../domain/errors.ts';
import {
  applyChannelSettings,
  newWebhookSecret,
  parseChannelKind,
  parseChannelName,
  parseWebhookSecret,
  type ChannelConfig,
  type ChannelKind,
} from '../domain/channels.ts';
import type { AlertPayload } from './alerting.ts';
import { enqueue } from './outbox.ts';
import { iso, type ActorCtx } from './context.ts';
import type { ChannelRow } from '../storage/schema.ts';
import { ensureRoom } from './limits.ts';
import { addToDefaultPolicy } from './escalation-policies.ts';

/** A notification channel ("integration"). `secret` is the webhook signing secret. */
export interface Integration {
  id: number;
  uuid: string;
  kind: ChannelKind;
  name: string;
  config: ChannelConfig;
  secret: string | null;
  disabledAt: number | null;
  disabledReason: string | null;
  createdAt: number;
  updatedAt: number;
  lastDelivery: { event: string; at: number; delivered: boolean; pending: boolean; status: string | null } | null;
}

type Row = Omit<ChannelRow, 'id'> & { id: number };

function toIntegration(r: Row, last: Integration['lastDelivery'] = null): Integration {
  return {
    id: r.id,
    uuid: r.uuid,
    kind: r.kind as ChannelKind,
    name: r.name,
    config: JSON.parse(r.config),
    secret: r.secret,
    disabledAt: r.disabled_at,
    disabledReason: r.disabled_reason,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    lastDelivery: last,
  };
}

async function lastDeliveries(ctx: ActorCtx, ids: number[]): Promise<Map<number, Integration['lastDelivery']>> {
  const out = new Map<number, Integration['lastDelivery']>();
  for (const id of ids) {
    const n = await ctx.store.db
      .selectFrom('notifications')
      .select(['event', 'created_at', 'last_attempt_at', 'delivered_at', 'next_attempt_at', 'last_status'])
      .where('channel_id', '=', id)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (n)
      out.set(id, {
        event: n.event,
        at: n.delivered_at ?? n.last_attempt_at ?? n.created_at,
        delivered: n.delivered_at !== null,
        pending: n.next_attempt_at !== null,
        status: n.last_status,
      });
  }
  return out;
}

export async function listIntegrations(ctx: ActorCtx): Promise<Integration[]> {
  const rows = await ctx.store.db
    .selectFrom('notification_channels')
    .selectAll()
    .where('project_id', '=', ctx.actor.projectId)
    .orderBy('id')
    .execute();
  const last = await lastDeliveries(
    ctx,
    rows.map((r) => r.id),
  );
  return rows.map((r) => toIntegration(r, last.get(r.id) ?? null));
}

export async function getIntegration(ctx: ActorCtx, uuid: string): Promise<Integration> {
  if (uuid.includes('\0')) throw new NotFoundError('Integration'); // no such id, and PostgreSQL refuses NUL
  const row = await ctx.store.db
    .selectFrom('notification_channels')
    .selectAll()
    .where('uuid', '=', uuid)
    .where('project_id', '=', ctx.actor.projectId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError('Integration');
  return toIntegration(row, (await lastDeliveries(ctx, [row.id])).get(row.id) ?? null);
}

function enabledFlag(input: Record<string, unknown>): boolean | undefined {
  if (input.enabled === undefined) return undefined;
  if (typeof input.enabled !== 'boolean') throw new ValidationError('enabled must be a boolean');
  return input.enabled;
}

/**
 * Creates a channel; a webhook without a secret gets a new whsec_ one (shown in full once).
 * `alertAllMonitors` (the dashboard's first channel): in the same transaction, the project's
 * default escalation policy alerts it at once (addToDefaultPolicy).
 */
export async function createIntegration(
  ctx: ActorCtx,
  input: Record<string, unknown>,
  opts: { alertAllMonitors?: boolean } = {},
): Promise<Integration> {
  input ??= {};
  const kind = parseChannelKind(input.type);
  const name = parseChannelName(input.name);
  const config = applyChannelSettings(kind, null, input.settings);
  if (input.secret !== undefined && kind !== 'webhook')
    throw new ValidationError('secret is only for webhook integrations');
  const secret =
    kind === 'webhook'
      ? input.secret === undefined || input.secret === null
        ? newWebhookSecret()
        : parseWebhookSecret(input.secret)
      : null;
  const enabled = enabledFlag(input) ?? true;
  const now = ctx.clock();
  const row = await ctx.store.db.transaction().execute(async (trx) => {
    await ensureRoom(trx, ctx.store, ctx, 'channels', ctx.actor.projectId);
    const created = await trx
      .insertInto('notification_channels')
      .values({
        uuid: newId('int'),
        project_id: ctx.actor.projectId,
        kind,
        name,
        config: JSON.stringify(config),
        secret,
        disabled_at: enabled ? null : now,
        disabled_reason: enabled ? null : 'disabled by a user',
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    if (opts.alertAllMonitors) await addToDefaultPolicy(trx, ctx, created.uuid);
    return created;
  });
  return toIntegration(row);
}

/**
 * Partial update. The type cannot change; absent settings keep their value (secrets too);
 * `enabled: true` re-enables a channel that a 410 or a user disabled.
 */
export async function updateIntegration(
  ctx: ActorCtx,
  uuid: string,
  input: Record<string, unknown>,
): Promise<Integration> {
  input ??= {};
  const current = await getIntegration(ctx, uuid);
  if (input.type !== undefined && input.type !== current.kind)
    throw new ValidationError('type cannot be changed; create a new integration');
  const name = input.name === undefined ? current.name : parseChannelName(input.name);
  const config =
    input.settings === undefined ? current.config : applyChannelSettings(current.kind, current.config, input.settings);
  if (input.secret !== undefined && current.kind !== 'webhook')
    throw new ValidationError('secret is only for webhook integrations');
  const secret =
    current.kind === 'webhook' && input.secret !== undefined && input.secret !== null
      ? parseWebhookSecret(input.secret)
      : current.secret;
  const enabled = enabledFlag(input);
  const now = ctx.clock();
  const disabled =
    enabled === undefined
      ? {}
      : enabled
        ? { disabled_at: null, disabled_reason: null }
        : current.disabledAt !== null
          ? {}
          : { disabled_at: now, disabled_reason: 'disabled by a user' };
  await ctx.store.db
    .updateTable('notification_channels')
    .set({ name, config: JSON.stringify(config), secret, updated_at: now, ...disabled })
    .where('id', '=', current.id)
    .execute();
  return getIntegration(ctx, uuid);
}

/** Deletes a channel with its delivery history; policy steps that name it skip it from now on. */
export async function deleteIntegration(ctx: ActorCtx, uuid: string): Promise<void> {
  if (uuid.includes('\0')) throw new NotFoundError('Integration');
  const res = await ctx.store.db
    .deleteFrom('notification_channels')
    .where('uuid', '=', uuid)
    .where('project_id', '=', ctx.actor.projectId)
    .executeTakeFirst();
  if (Number(res.numDeletedRows) === 0) throw new NotFoundError('Integration');
}

/** Queues a test message through the outbox (delivered like any alert, by the dispatcher). Returns its id. */
export async function sendTestNotification(ctx: ActorCtx, uuid: string): Promise<string> {
  const c = await getIntegration(ctx, uuid);
  if (c.disabledAt !== null)
    throw new ValidationError(`Integration is disabled: ${c.disabledReason ?? 'disabled'}; enable it first`);
  const now = ctx.clock();
  const project = await ctx.store.db
    .selectFrom('projects')
    .select(['uuid', 'name'])
    .where('id', '=', ctx.actor.projectId)
    .executeTakeFirstOrThrow();
  const payload: AlertPayload = {
    event: 'test',
    at: iso(now),
    project,
    check: { type: 'monitor', uuid: null, name: 'Test', url: null, protocol: 'test' },
    outage: null,
    channel: c.name,
  };
  const [id] = await enqueue(
    ctx.store.db,
    [
      {
        project_id: ctx.actor.projectId,
        channel_id: c.id,
        kind: c.kind,
        recipient: null,
        outage_id: null,
        step: null,
        event: 'test',
        payload,
      },
    ],
    now,
  );
  return id;
}
