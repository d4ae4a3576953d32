import { newId } from '../domain/ids.ts';
import { NotFoundError, ValidationError } from '../domain/errors.ts';
import { applyPolicyInput, type PolicyFields, type PolicyStep } from '../domain/alerting.ts';
import type { Transaction } from 'kysely';
import type { ActorCtx } from './context.ts';
import type { Database, EscalationPolicyRow } from '../storage/schema.ts';
import { ensureRoom } from './limits.ts';

export interface EscalationPolicy extends PolicyFields {
  id: number;
  uuid: string;
  createdAt: number;
  updatedAt: number;
}

type Row = Omit<EscalationPolicyRow, 'id'> & { id: number };

const toPolicy = (r: Row): EscalationPolicy => ({
  id: r.id,
  uuid: r.uuid,
  name: r.name,
  steps: JSON.parse(r.steps) as PolicyStep[],
  isDefault: r.is_default === 1,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export async function listPolicies(ctx: ActorCtx): Promise<EscalationPolicy[]> {
  const all: EscalationPolicy[] = [];
  for await (const page of policyPages(ctx)) all.push(...page);
  return all;
}

/** Policies read at a time: one at its bounds (20 steps of 40 targets) is about 100 KB of JSON. */
export const POLICY_PAGE = 10;

/** The project's policies in id order, a page at a time. */
export async function* policyPages(ctx: ActorCtx): AsyncGenerator<EscalationPolicy[]> {
  for (let after = 0; ; ) {
    const rows = await ctx.store.db
      .selectFrom('escalation_policies')
      .selectAll()
      .where('project_id', '=', ctx.actor.projectId)
      .where('id', '>', after)
      .orderBy('id')
      .limit(POLICY_PAGE)
      .execute();
    if (rows.length === 0) return;
    yield rows.map(toPolicy);
    if (rows.length < POLICY_PAGE) return;
    after = rows[rows.length - 1].id;
  }
}

export async function getPolicy(ctx: ActorCtx, uuid: string): Promise<EscalationPolicy> {
  if (uuid.includes('\0')) throw new NotFoundError('Escalation policy'); // no such id, and PostgreSQL refuses NUL
  const row = await ctx.store.db
    .selectFrom('escalation_policies')
    .selectAll()
    .where('uuid', '=', uuid)
    .where('project_id', '=', ctx.actor.projectId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError('Escalation policy');
  return toPolicy(row);
}

/** Every integration a step names must be one of the project's. */
async function checkIntegrations(ctx: ActorCtx, steps: PolicyStep[]): Promise<void> {
  const named = [...new Set(steps.flatMap((s) => s.integrations))];
  if (named.length === 0) return;
  const found = new Set(
    (
      await ctx.store.db
        .selectFrom('notification_channels')
        .select('uuid')
        .where('project_id', '=', ctx.actor.projectId)
        .where('uuid', 'in', named)
        .execute()
    ).map((r) => r.uuid),
  );
  for (const u of named) if (!found.has(u)) throw new ValidationError(`Integration ${u} does not exist`);
}

export async function createPolicy(ctx: ActorCtx, input: Record<string, unknown>): Promise<EscalationPolicy> {
  const f = applyPolicyInput(null, input ?? {});
  await checkIntegrations(ctx, f.steps);
  const now = ctx.clock();
  const uuid = newId('esc');
  await ctx.store.db.transaction().execute(async (trx) => {
    await ensureRoom(trx, ctx.store, ctx, 'escalationPolicies', ctx.actor.projectId);
    // One default per project: a new default replaces the old.
    if (f.isDefault)
      await trx
        .updateTable('escalation_policies')
        .set({ is_default: 0 })
        .where('project_id', '=', ctx.actor.projectId)
        .execute();
    await trx
      .insertInto('escalation_policies')
      .values({
        uuid,
        project_id: ctx.actor.projectId,
        name: f.name,
        steps: JSON.stringify(f.steps),
        is_default: f.isDefault ? 1 : 0,
        created_at: now,
        updated_at: now,
      })
      .execute();
  });
  return getPolicy(ctx, uuid);
}

/** Partial update. Outages already alerting keep walking the policy as it now stands. */
export async function updatePolicy(
  ctx: ActorCtx,
  uuid: string,
  input: Record<string, unknown>,
): Promise<EscalationPolicy> {
  const current = await getPolicy(ctx, uuid);
  const f = applyPolicyInput(current, input ?? {});
  await checkIntegrations(ctx, f.steps);
  await ctx.store.db.transaction().execute(async (trx) => {
    if (f.isDefault && !current.isDefault)
      await trx
        .updateTable('escalation_policies')
        .set({ is_default: 0 })
        .where('project_id', '=', ctx.actor.projectId)
        .execute();
    await trx
      .updateTable('escalation_policies')
      .set({ name: f.name, steps: JSON.stringify(f.steps), is_default: f.isDefault ? 1 : 0, updated_at: ctx.clock() })
      .where('id', '=', current.id)
      .execute();
  });
  return getPolicy(ctx, uuid);
}

/** Deletes a policy; monitors, heartbeat checks and outages that used it are unlinked. */
export async function deletePolicy(ctx: ActorCtx, uuid: string): Promise<void> {
  const p = await getPolicy(ctx, uuid);
  await ctx.store.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('monitors')
      .set({ escalation_policy_id: null })
      .where('escalation_policy_id', '=', p.id)
      .execute();
    await trx
      .updateTable('healthchecks')
      .set({ escalation_policy_id: null })
      .where('escalation_policy_id', '=', p.id)
      .execute();
    await trx
      .updateTable('outages')
      .set({ escalation_policy_id: null, next_alert_at: null })
      .where('escalation_policy_id', '=', p.id)
      .execute();
    await trx.deleteFrom('escalation_policies').where('id', '=', p.id).execute();
  });
}

/**
 * The `escalation_policy` of a monitor or heartbeat check as written (api-contract §2.2): a
 * policy uuid links it (an unknown one is a 422), "none", "" or null unlinks (null here),
 * absent leaves it (undefined).
 */
export async function policyIdFor(ctx: ActorCtx, value: unknown): Promise<number | null | undefined> {
  if (value === undefined) return undefined;
  if (value === null || value === '' || value === 'none') return null;
  if (typeof value !== 'string')
    throw new ValidationError('escalation_policy must be an escalation policy uuid or "none"');
  if (value.includes('\0')) throw new ValidationError('Escalation policy not found');
  const row = await ctx.store.db
    .selectFrom('escalation_policies')
    .select('id')
    .where('uuid', '=', value)
    .where('project_id', '=', ctx.actor.projectId)
    .executeTakeFirst();
  if (!row) throw new ValidationError('Escalation policy not found');
  return row.id;
}

/** `{uuid, name}` of the policies with these ids (the read side of `escalation_policy`). */
export async function policyRefs(
  ctx: ActorCtx,
  ids: (number | null)[],
): Promise<Map<number, { uuid: string; name: string; totalSteps: number }>> {
  const wanted = [...new Set(ids.filter((i): i is number => i !== null))];
  if (wanted.length === 0) return new Map();
  const rows = await ctx.store.db
    .selectFrom('escalation_policies')
    .select(['id', 'uuid', 'name', 'steps'])
    .where('project_id', '=', ctx.actor.projectId)
    .where('id', 'in', wanted)
    .execute();
  return new Map(
    rows.map((r) => [r.id, { uuid: r.uuid, name: r.name, totalSteps: (JSON.parse(r.steps) as unknown[]).length }]),
  );
}

/**
 * A heartbeat check's `escalationPolicy` (api-contract §3.3): its policy with the steps alerted
 * for its ongoing outage (0 when it is up).
 */
export async function healthcheckPolicy(ctx: ActorCtx, h: { id: number; escalation_policy_id: number | null }) {
  const ref = (await policyRefs(ctx, [h.escalation_policy_id])).get(h.escalation_policy_id ?? -1);
  if (!ref) return null;
  const open = await ctx.store.db
    .selectFrom('outages')
    .select('alerted_steps')
    .where('healthcheck_id', '=', h.id)
    .where('ended_at', 'is', null)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return { uuid: ref.uuid, name: ref.name, alertedSteps: Number(open?.alerted_steps ?? 0), totalSteps: ref.totalSteps };
}

/** The name of the default policy made for a project's first channel (see addToDefaultPolicy). */
export const ALL_MONITORS_POLICY = 'All monitors';

/**
 * Inside the transaction that creates channel `channelUuid`: the project's default policy alerts
 * it at once. Without a default, a new one (ALL_MONITORS_POLICY) with one immediate step naming
 * it; with one, the channel joins its first step (the same rules as an update: a full step is a 422).
 */
export async function addToDefaultPolicy(
  trx: Transaction<Database>,
  ctx: ActorCtx,
  channelUuid: string,
): Promise<void> {
  const projectId = ctx.actor.projectId;
  const now = ctx.clock();
  const row = await trx
    .selectFrom('escalation_policies')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('is_default', '=', 1)
    .executeTakeFirst();
  if (!row) {
    await ensureRoom(trx, ctx.store, ctx, 'escalationPolicies', projectId);
    const steps: PolicyStep[] = [{ delayMinutes: 0, integrations: [channelUuid], emails: [] }];
    await trx
      .insertInto('escalation_policies')
      .values({
        uuid: newId('esc'),
        project_id: projectId,
        name: ALL_MONITORS_POLICY,
        steps: JSON.stringify(steps),
        is_default: 1,
        created_at: now,
        updated_at: now,
      })
      .execute();
    return;
  }
  const [first, ...rest] = toPolicy(row).steps;
  const f = applyPolicyInput(toPolicy(row), {
    steps: [{ ...first, integrations: [...first.integrations, channelUuid] }, ...rest],
  });
  await trx
    .updateTable('escalation_policies')
    .set({ steps: JSON.stringify(f.steps), updated_at: now })
    .where('id', '=', row.id)
    .execute();
}

/** Makes this policy the project default, or (null) leaves the project without one. */
export async function setDefaultPolicy(ctx: ActorCtx, uuid: string | null): Promise<void> {
  if (uuid !== null) {
    await updatePolicy(ctx, uuid, { isDefault: true });
    return;
  }
  await ctx.store.db
    .updateTable('escalation_policies')
    .set({ is_default: 0, updated_at: ctx.clock() })
    .where('project_id', '=', ctx.actor.projectId)
    .where('is_default', '=', 1)
    .execute();
}

/** The emails of the project's members: the people a policy step can alert. */
export async function memberEmails(ctx: ActorCtx): Promise<string[]> {
  const rows = await ctx.store.db
    .selectFrom('project_members')
    .innerJoin('users', 'users.id', 'project_members.user_id')
    .select('users.email')
    .where('project_members.project_id', '=', ctx.actor.projectId)
    .orderBy('users.email')
    .execute();
  return rows.map((r) => r.email);
}
