import type { Kysely, Transaction } from 'kysely';
import { domainAlertStep, sslAlertStep } from '../domain/monitors.ts';
import { DAY } from '../domain/rollups.ts';
import type { PolicyStep } from '../domain/alerting.ts';
import type { AlertPayload } from './alerting.ts';
import { enqueue, type NewNotification } from './outbox.ts';
import { iso } from './context.ts';
import type { Database } from '../storage/schema.ts';

/**
 * Notices about a monitor that are not outages: its TLS certificate or domain registration
 * expiring, its certificate changing. Each goes once to the first step of the monitor's escalation
 * policy (or the project's default): a notice has nothing to acknowledge, so it never escalates.
 * A row in monitor_notices, written in the transaction that queues the messages, makes each
 * notice unique per monitor, whatever the number of nodes and restarts.
 */
type Trx = Transaction<Database> | Kysely<Database>;

export type NoticeEvent = 'certificate.expiring' | 'certificate.changed' | 'domain.expiring';

export interface Notice {
  monitorId: number;
  /** Unique per monitor: the same key is never sent twice. */
  key: string;
  event: NoticeEvent;
  detail: NonNullable<AlertPayload['notice']>;
}

/** What the certificate rules need of a monitor, as stored before this batch of results. */
export interface CertificateState {
  id: number;
  ssl_alert_days: number;
  ssl_reminders: number;
  ssl_notify_on_change: number;
  ssl_fingerprint: string | null;
}

/**
 * The notices a certificate seen at `now` calls for: the expiry step it has reached (one per
 * certificate and step) and, when asked for, a change from the certificate seen before.
 */
export function certificateNotices(
  m: CertificateState,
  cert: { expiresAt: number; fingerprint: string | null },
  now: number,
): Notice[] {
  const out: Notice[] = [];
  const daysLeft = Math.floor((cert.expiresAt - now) / DAY);
  const step = sslAlertStep(daysLeft, m.ssl_alert_days, m.ssl_reminders === 1);
  if (step !== null) {
    out.push({
      monitorId: m.id,
      key: `certificate.expiring:${cert.fingerprint ?? cert.expiresAt}:${step}`,
      event: 'certificate.expiring',
      detail: {
        kind: 'certificate',
        expiresAt: iso(cert.expiresAt),
        daysLeft,
        threshold: step,
        fingerprint: cert.fingerprint,
      },
    });
  }
  if (m.ssl_notify_on_change === 1 && cert.fingerprint && m.ssl_fingerprint && cert.fingerprint !== m.ssl_fingerprint) {
    out.push({
      monitorId: m.id,
      key: `certificate.changed:${m.ssl_fingerprint}>${cert.fingerprint}`,
      event: 'certificate.changed',
      detail: {
        kind: 'certificate',
        expiresAt: iso(cert.expiresAt),
        daysLeft,
        fingerprint: cert.fingerprint,
        previousFingerprint: m.ssl_fingerprint,
      },
    });
  }
  return out;
}

/** The notice a domain registration expiring at `expiresAt` calls for at `now` (one per registration). */
export function domainNotice(
  m: { id: number; domain_alert_days: number },
  domain: string,
  expiresAt: number,
  now: number,
): Notice | null {
  const daysLeft = Math.floor((expiresAt - now) / DAY);
  const step = domainAlertStep(daysLeft, m.domain_alert_days);
  if (step === null || daysLeft < 0) return null;
  return {
    monitorId: m.id,
    key: `domain.expiring:${domain}:${expiresAt}:${step}`,
    event: 'domain.expiring',
    detail: { kind: 'domain', domain, expiresAt: iso(expiresAt), daysLeft, threshold: step },
  };
}

// Notices this process found already recorded: a certificate in its alert window is seen at every
// check, and this spares each check after the first the insert that would find it sent.
const recorded = new Set<string>();

/** Forgets what this process found recorded, as a restarted process would (tests). */
export function forgetRecordedNotices(): void {
  recorded.clear();
}

/**
 * Records and queues the notices not sent before, in the caller's transaction. Monitors whose
 * alerts are off (alerts_wait -1) or paused record nothing. Returns how many were queued.
 */
export async function sendNotices(trx: Trx, all: Notice[], now: number): Promise<number> {
  const notices = all.filter((n) => !recorded.has(`${n.monitorId}|${n.key}`));
  if (notices.length === 0) return 0;
  const ids = [...new Set(notices.map((n) => n.monitorId))];
  const monitors = new Map(
    (
      await trx
        .selectFrom('monitors')
        .innerJoin('projects', 'projects.id', 'monitors.project_id')
        .select([
          'monitors.id',
          'monitors.uuid',
          'monitors.name',
          'monitors.url',
          'monitors.protocol',
          'monitors.paused',
          'monitors.alerts_wait',
          'monitors.escalation_policy_id',
          'monitors.project_id',
          'projects.uuid as p_uuid',
          'projects.name as p_name',
        ])
        .where('monitors.id', 'in', ids)
        .execute()
    ).map((m) => [m.id, m]),
  );
  let sent = 0;
  for (const n of notices) {
    const m = monitors.get(n.monitorId);
    if (!m || m.paused === 1 || m.alerts_wait < 0) continue;
    const res = await trx
      .insertInto('monitor_notices')
      .values({ monitor_id: m.id, notice: n.key, created_at: now })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    if (Number(res.numInsertedOrUpdatedRows ?? 0) !== 1) {
      // Sent before, here or by another node (committed: an uncommitted row would have made this insert wait).
      if (recorded.size >= 100_000) recorded.clear();
      recorded.add(`${n.monitorId}|${n.key}`);
      continue;
    }
    const step = await firstStep(trx, m.escalation_policy_id, m.project_id);
    if (!step) continue;
    const channels =
      step.integrations.length === 0
        ? []
        : await trx
            .selectFrom('notification_channels')
            .select(['id', 'kind'])
            .where('project_id', '=', m.project_id)
            .where('uuid', 'in', step.integrations)
            .where('disabled_at', 'is', null)
            .execute();
    const payload: AlertPayload = {
      event: n.event,
      at: iso(now),
      project: { uuid: m.p_uuid, name: m.p_name },
      check: { type: 'monitor', uuid: m.uuid, name: m.name, url: m.url, protocol: m.protocol },
      outage: null,
      notice: n.detail,
    };
    const base = { project_id: m.project_id, outage_id: null, step: null, event: n.event, payload };
    const rows: NewNotification[] = [
      ...channels.map((c) => ({ ...base, channel_id: c.id, kind: c.kind, recipient: null })),
      ...step.emails.map((e) => ({ ...base, channel_id: null, kind: 'email', recipient: e })),
    ];
    await enqueue(trx, rows, now);
    sent += rows.length > 0 ? 1 : 0;
  }
  return sent;
}

/** The first step of the monitor's policy, or of the project's default policy; null when neither exists. */
async function firstStep(trx: Trx, policyId: number | null, projectId: number): Promise<PolicyStep | null> {
  let q = trx.selectFrom('escalation_policies').select('steps').where('project_id', '=', projectId);
  q = policyId === null ? q.where('is_default', '=', 1) : q.where('id', '=', policyId);
  const p = await q.executeTakeFirst();
  return p ? ((JSON.parse(p.steps) as PolicyStep[])[0] ?? null) : null;
}
