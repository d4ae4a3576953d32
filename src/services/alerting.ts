import { sql, type Kysely, type Transaction } from 'kysely';
import { stepDueAt, type PolicyStep } from '../domain/alerting.ts';
import { iso, isoOrNull, type Ctx } from './context.ts';
import { monitorsUnderMaintenance } from './maintenance.ts';
import { enqueue, type NewNotification } from './outbox.ts';
import type { Database } from '../storage/schema.ts';

/**
 * The outbox writers. Every function here that takes `trx` runs inside the transaction of the
 * state change that causes its messages (an outage opening or closing, an acknowledgement, an
 * escalation, a step coming due), so a message is written if and only if its change commits.
 */
type Trx = Transaction<Database> | Kysely<Database>;

export type AlertEvent = 'outage.down' | 'outage.up' | 'outage.acknowledged';

/** What an outage alert says, fixed when the row is written (every retry sends the same). */
export interface AlertPayload {
  event: AlertEvent | 'test' | 'certificate.expiring' | 'certificate.changed' | 'domain.expiring';
  at: string;
  project: { uuid: string; name: string };
  check: { type: 'monitor' | 'healthcheck'; uuid: string | null; name: string; url: string | null; protocol: string };
  outage: {
    uuid: string;
    startDate: string;
    endDate: string | null;
    statusCode: number;
    description: string;
    detectedLocation: string;
    confirmedLocations: string;
    acknowledgedBy: string | null;
  } | null;
  step?: number;
  totalSteps?: number;
  /** Certificate and domain notices (services/notices.ts): what expires or changed. */
  notice?: {
    kind: 'certificate' | 'domain';
    expiresAt: string;
    daysLeft: number;
    /** The alert step reached: ssl_alert_days or a reminder step below it, or domain_alert_days. */
    threshold?: number;
    domain?: string;
    fingerprint?: string | null;
    previousFingerprint?: string;
  };
  /** Test messages: the channel's name. */
  channel?: string;
}

interface Subject {
  id: number;
  uuid: string;
  project_id: number;
  outage_type: string;
  started_at: number;
  ended_at: number | null;
  status_code: number;
  description: string;
  detected_location: string;
  confirmed_locations: string;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  escalation_policy_id: number | null;
  alerted_steps: number;
  next_alert_at: number | null;
  monitor_id: number | null;
  m_uuid: string | null;
  m_name: string | null;
  m_url: string | null;
  m_protocol: string | null;
  m_wait: number | null;
  m_policy: number | null;
  h_uuid: string | null;
  h_name: string | null;
  h_policy: number | null;
  p_uuid: string;
  p_name: string;
  /** The project's default escalation policy. */
  p_default: number | null;
}

/** The project's default escalation policy, as a column of a query over rows with a project. */
export const defaultPolicyOf = (projectId: 'outages.project_id' | 'healthchecks.project_id') =>
  sql<number | null>`(SELECT escalation_policies.id FROM escalation_policies
    WHERE escalation_policies.project_id = ${sql.ref(projectId)} AND escalation_policies.is_default = 1
    ORDER BY escalation_policies.id LIMIT 1)`;

/**
 * Whether anyone may have been alerted about an outage: a step fired (fireStep counts it in the
 * transaction that writes its messages). Outages that say no need no notifyAlerted.
 */
export const mayHaveAlerted = (o: { alerted_steps: number | string }) => Number(o.alerted_steps) > 0;

async function loadSubjects(trx: Trx, outageIds: number[]): Promise<Subject[]> {
  if (outageIds.length === 0) return [];
  const rows = await trx
    .selectFrom('outages')
    .innerJoin('projects', 'projects.id', 'outages.project_id')
    .leftJoin('monitors', 'monitors.id', 'outages.monitor_id')
    .leftJoin('healthchecks', 'healthchecks.id', 'outages.healthcheck_id')
    .select([
      'outages.id',
      'outages.uuid',
      'outages.project_id',
      'outages.outage_type',
      'outages.started_at',
      'outages.ended_at',
      'outages.status_code',
      'outages.description',
      'outages.detected_location',
      'outages.confirmed_locations',
      'outages.acknowledged_at',
      'outages.acknowledged_by',
      'outages.escalation_policy_id',
      'outages.alerted_steps',
      'outages.next_alert_at',
      'outages.monitor_id',
      'monitors.uuid as m_uuid',
      'monitors.name as m_name',
      'monitors.url as m_url',
      'monitors.protocol as m_protocol',
      'monitors.alerts_wait as m_wait',
      'monitors.escalation_policy_id as m_policy',
      'healthchecks.uuid as h_uuid',
      'healthchecks.name as h_name',
      'healthchecks.escalation_policy_id as h_policy',
      'projects.uuid as p_uuid',
      'projects.name as p_name',
      defaultPolicyOf('outages.project_id').as('p_default'),
    ])
    .where('outages.id', 'in', outageIds)
    .execute();
  return rows.map((r) => ({ ...r, alerted_steps: Number(r.alerted_steps) })) as Subject[];
}

function payloadOf(s: Subject, event: AlertEvent, now: number, extra: Partial<AlertPayload> = {}): AlertPayload {
  const check: AlertPayload['check'] = s.h_uuid
    ? { type: 'healthcheck', uuid: s.h_uuid, name: s.h_name ?? 'heartbeat check', url: null, protocol: 'healthcheck' }
    : {
        type: 'monitor',
        uuid: s.m_uuid,
        name: s.m_name ?? s.description,
        url: s.m_url,
        protocol: s.m_protocol ?? 'manual',
      };
  let acknowledgedBy: string | null = null;
  try {
    acknowledgedBy = s.acknowledged_by ? (JSON.parse(s.acknowledged_by).name ?? null) : null;
  } catch {}
  return {
    event,
    at: iso(now),
    project: { uuid: s.p_uuid, name: s.p_name },
    check,
    outage: {
      uuid: s.uuid,
      startDate: iso(s.started_at),
      endDate: isoOrNull(s.ended_at),
      statusCode: s.status_code,
      description: s.description,
      detectedLocation: s.detected_location,
      confirmedLocations: s.confirmed_locations,
      acknowledgedBy,
    },
    ...extra,
  };
}

export interface Policy {
  id: number;
  uuid: string;
  name: string;
  steps: PolicyStep[];
}

async function loadPolicy(trx: Trx, id: number | null): Promise<Policy | null> {
  if (id === null) return null;
  const p = await trx
    .selectFrom('escalation_policies')
    .select(['id', 'uuid', 'name', 'steps'])
    .where('id', '=', id)
    .executeTakeFirst();
  return p ? { id: p.id, uuid: p.uuid, name: p.name, steps: JSON.parse(p.steps) } : null;
}

async function loadPolicies(trx: Trx, ids: (number | null)[]): Promise<Map<number, Policy>> {
  const wanted = [...new Set(ids.filter((id) => id !== null))];
  if (wanted.length === 0) return new Map();
  const rows = await trx
    .selectFrom('escalation_policies')
    .select(['id', 'uuid', 'name', 'steps'])
    .where('id', 'in', wanted)
    .execute();
  return new Map(rows.map((p) => [p.id, { id: p.id, uuid: p.uuid, name: p.name, steps: JSON.parse(p.steps) }]));
}

/** alerts_wait applies to detected outages; a manual one alerts as its policy says. -1 turns alerts off. */
const waitOf = (s: Subject) => (s.outage_type === 'automatic' ? (s.m_wait ?? 0) : 0);

/**
 * Sends step `alerted_steps` of the outage's policy now (to its enabled channels and emails) and
 * schedules the next one. The conditional update on `alerted_steps` makes each step fire once,
 * whatever the number of workers and restarts. Returns whether this call fired it.
 */
async function fireStep(trx: Trx, s: Subject, policy: Policy, now: number): Promise<boolean> {
  const k = s.alerted_steps;
  const next = stepDueAt(policy.steps, k + 1, s.started_at, waitOf(s));
  const res = await trx
    .updateTable('outages')
    .set({ alerted_steps: k + 1, next_alert_at: next })
    .where('id', '=', s.id)
    .where('alerted_steps', '=', k)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) return false;
  const step = policy.steps[k];
  const channels =
    step.integrations.length === 0
      ? []
      : await trx
          .selectFrom('notification_channels')
          .select(['id', 'kind'])
          .where('project_id', '=', s.project_id)
          .where('uuid', 'in', step.integrations)
          .where('disabled_at', 'is', null)
          .execute();
  const payload = payloadOf(s, 'outage.down', now, { step: k + 1, totalSteps: policy.steps.length });
  const base = { project_id: s.project_id, outage_id: s.id, step: k, event: 'outage.down', payload };
  await enqueue(
    trx,
    [
      ...channels.map((c) => ({ ...base, channel_id: c.id, kind: c.kind, recipient: null })),
      ...step.emails.map((e) => ({ ...base, channel_id: null, kind: 'email', recipient: e })),
    ],
    now,
  );
  return true;
}

/**
 * Called in the transaction that opened these outages: links each to its policy (the one given
 * to a manual outage, else its monitor's or heartbeat check's, else the project default) and
 * sends the first step when it is already due (no delay, no alerts_wait).
 */
export async function startAlerting(trx: Trx, outageIds: number[], now: number): Promise<void> {
  const open = (await loadSubjects(trx, outageIds)).filter((s) => s.ended_at === null);
  if (open.length === 0) return;
  // One read for the policies, whatever the number of outages.
  const policyIdOf = (s: Subject) =>
    s.outage_type === 'manual' ? s.escalation_policy_id : (s.m_policy ?? s.h_policy ?? s.p_default);
  const policies = await loadPolicies(trx, open.map(policyIdOf));
  for (const s of open) {
    const policy = policies.get(policyIdOf(s) ?? -1) ?? null;
    const due = policy ? stepDueAt(policy.steps, 0, s.started_at, waitOf(s)) : null;
    // A new outage without a policy already reads (null, null): nothing to write.
    if ((policy?.id ?? null) !== s.escalation_policy_id || due !== s.next_alert_at) {
      await trx
        .updateTable('outages')
        .set({ escalation_policy_id: policy?.id ?? null, next_alert_at: due })
        .where('id', '=', s.id)
        .execute();
    }
    if (policy && due !== null && due <= now) await fireStep(trx, s, policy, now);
  }
}

/**
 * Tells every channel (and person) that was alerted about these outages that they recovered, or
 * were acknowledged. Outages nobody was alerted about (alerts_wait not over) send nothing.
 */
export async function notifyAlerted(
  trx: Trx,
  outageIds: number[],
  event: 'outage.up' | 'outage.acknowledged',
  now: number,
): Promise<void> {
  if (outageIds.length === 0) return;
  const alerted = await trx
    .selectFrom('notifications')
    .leftJoin('notification_channels', 'notification_channels.id', 'notifications.channel_id')
    .select(['notifications.outage_id', 'notifications.channel_id', 'notifications.kind', 'notifications.recipient'])
    .distinct()
    .where('notifications.outage_id', 'in', outageIds)
    .where('notifications.event', '=', 'outage.down')
    .where('notification_channels.disabled_at', 'is', null)
    .execute();
  if (alerted.length === 0) return;
  const subjects = new Map(
    (await loadSubjects(trx, [...new Set(alerted.map((a) => a.outage_id!))])).map((s) => [s.id, s]),
  );
  const rows: NewNotification[] = [];
  for (const a of alerted) {
    const s = subjects.get(a.outage_id!)!;
    rows.push({
      project_id: s.project_id,
      channel_id: a.channel_id,
      kind: a.kind,
      recipient: a.recipient,
      outage_id: s.id,
      step: null,
      event,
      payload: payloadOf(s, event, now),
    });
  }
  await enqueue(trx, rows, now);
}

/** `POST /v2/outages/{uuid}/escalate`: the next step of the policy, now. False when none is left. */
export async function escalateNow(trx: Trx, outageId: number, now: number): Promise<boolean> {
  const [s] = await loadSubjects(trx, [outageId]);
  if (!s || s.ended_at !== null) return false;
  const policy = await loadPolicy(trx, s.escalation_policy_id);
  if (!policy || s.alerted_steps >= policy.steps.length) return false;
  return fireStep(trx, s, policy, now);
}

/**
 * The escalation walk: fires the steps that came due for open, unacknowledged outages. Outages
 * of monitors in an ongoing maintenance window wait for it to end. Safe with several workers.
 */
export async function walkDueAlerts(ctx: Ctx, limit = 200): Promise<number> {
  const now = ctx.clock();
  const due = await ctx.store.db
    .selectFrom('outages')
    .select(['id', 'monitor_id'])
    .where('next_alert_at', '<=', now)
    .where('ended_at', 'is', null)
    .where('acknowledged_at', 'is', null)
    .orderBy('next_alert_at')
    .limit(limit)
    .execute();
  if (due.length === 0) return 0;
  const maintained = await monitorsUnderMaintenance(
    ctx,
    due.flatMap((d) => (d.monitor_id === null ? [] : [d.monitor_id])),
    now,
  );
  let fired = 0;
  for (const d of due) {
    if (d.monitor_id !== null && maintained.has(d.monitor_id)) continue;
    await ctx.store.db.transaction().execute(async (trx) => {
      const [s] = await loadSubjects(trx, [d.id]);
      if (!s || s.ended_at !== null || s.acknowledged_at !== null || s.next_alert_at === null || s.next_alert_at > now)
        return;
      const policy = await loadPolicy(trx, s.escalation_policy_id);
      if (!policy || s.alerted_steps >= policy.steps.length || waitOf(s) < 0) {
        await trx.updateTable('outages').set({ next_alert_at: null }).where('id', '=', s.id).execute();
        return;
      }
      if (await fireStep(trx, s, policy, now)) fired++;
    });
  }
  return fired;
}

/** An outage's messages, oldest first, with their channel: the `alertedChannels` history. */
export async function outageDeliveries(ctx: Ctx, outageId: number) {
  return ctx.store.db
    .selectFrom('notifications')
    .leftJoin('notification_channels', 'notification_channels.id', 'notifications.channel_id')
    .select([
      'notifications.uuid',
      'notifications.kind',
      'notifications.recipient',
      'notifications.event',
      'notifications.step',
      'notifications.attempts',
      'notifications.created_at',
      'notifications.delivered_at',
      'notifications.gave_up_at',
      'notifications.give_up_reason',
      'notifications.last_status',
      'notifications.last_attempt_at',
      'notification_channels.uuid as channel_uuid',
      'notification_channels.name as channel_name',
    ])
    .where('notifications.outage_id', '=', outageId)
    .orderBy('notifications.id')
    .execute();
}
