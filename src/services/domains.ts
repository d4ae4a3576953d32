import { DAY } from '../domain/rollups.ts';
import type { Ctx } from './context.ts';
import { domainNotice, sendNotices } from './notices.ts';

/**
 * Domain registration expiry of monitors with domain_alert_days set: one RDAP lookup per
 * registrable domain and day, claimed by a conditional update (one node looks it up), then every
 * monitor of that domain gets its `domain_expiration` (whole days) and, once within its
 * threshold, one notice per registration. A failed lookup keeps what was known (null at first)
 * and never touches the monitor's checks.
 */
const CLAIM_MS = 60_000;

/** What a lookup answers: the expiry (epoch ms), or why there is none. */
export type RdapAnswer = { expiresAt: number } | { expiresAt: null; error: string };

/** The registry client these functions need (prober/rdap.ts makes the real one). */
export interface Rdap {
  expiry(domain: string): Promise<RdapAnswer>;
}

/** Looks up to `limit` domains that are due; returns how many were looked up. */
export async function refreshDomains(ctx: Ctx, rdap: Rdap, limit = 10): Promise<number> {
  const now = ctx.clock();
  const { db } = ctx.store;
  const due = await db
    .selectFrom('monitors')
    .leftJoin('domain_registrations as d', 'd.domain', 'monitors.domain')
    .select('monitors.domain')
    .distinct()
    .where('monitors.domain', 'is not', null)
    .where('monitors.domain_alert_days', '>=', 0)
    .where('monitors.paused', '=', 0)
    .where((eb) => eb.or([eb('d.domain', 'is', null), eb('d.checked_at', '<=', now - DAY)]))
    .where((eb) => eb.or([eb('d.claimed_until', 'is', null), eb('d.claimed_until', '<', now)]))
    .limit(limit)
    .execute();
  let looked = 0;
  for (const { domain } of due) {
    if (!domain) continue;
    await db
      .insertInto('domain_registrations')
      .values({ domain, expires_at: null, checked_at: 0, claimed_until: null, error: null })
      .onConflict((oc) => oc.doNothing())
      .execute();
    const claim = await db
      .updateTable('domain_registrations')
      .set({ claimed_until: now + CLAIM_MS })
      .where('domain', '=', domain)
      .where('checked_at', '<=', now - DAY)
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
      .executeTakeFirst();
    if (Number(claim.numUpdatedRows) !== 1) continue; // another node has it
    const answer = await rdap.expiry(domain);
    looked++;
    await db
      .updateTable('domain_registrations')
      .set({
        ...(answer.expiresAt !== null ? { expires_at: answer.expiresAt } : {}),
        checked_at: ctx.clock(),
        claimed_until: null,
        error: 'error' in answer ? answer.error.slice(0, 500) : null,
      })
      .where('domain', '=', domain)
      .execute();
    if ('error' in answer) ctx.log.warn({ domain, error: answer.error }, 'domain expiry lookup failed');
  }
  if (looked > 0) await applyDomainExpiry(ctx);
  return looked;
}

/**
 * Brings every watched monitor's `domain_expiration` up to date (days pass) and sends the
 * notices that are due. Cheap when nothing changed: one read, no write.
 */
export async function applyDomainExpiry(ctx: Ctx): Promise<void> {
  const now = ctx.clock();
  const rows = await ctx.store.db
    .selectFrom('monitors')
    .innerJoin('domain_registrations as d', 'd.domain', 'monitors.domain')
    .select([
      'monitors.id',
      'monitors.domain_alert_days',
      'monitors.domain_expiration',
      'monitors.paused',
      'd.domain',
      'd.expires_at',
    ])
    .where('monitors.domain_alert_days', '>=', 0)
    .where('d.expires_at', 'is not', null)
    .execute();
  const stale = rows.filter((r) => r.domain_expiration !== Math.floor((r.expires_at! - now) / DAY));
  const notices = rows.flatMap((r) =>
    (r.paused === 1 ? [] : [domainNotice(r, r.domain, r.expires_at!, now)]).filter((n) => n !== null),
  );
  if (stale.length === 0 && notices.length === 0) return;
  await ctx.store.db.transaction().execute(async (trx) => {
    for (const r of stale) {
      await trx
        .updateTable('monitors')
        .set({ domain_expiration: Math.floor((r.expires_at! - now) / DAY) })
        .where('id', '=', r.id)
        .execute();
    }
    await sendNotices(trx, notices, now);
  });
}
