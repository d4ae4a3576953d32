import { sql } from 'kysely';
import { hostnameProof } from '../domain/statuspages.ts';
import { NotFoundError, ValidationError } from '../domain/errors.ts';
import type { ActorCtx, Ctx } from './context.ts';

/** The DNS client these functions need (prober/txt.ts makes the real one): each TXT record's chunks joined. */
export interface TxtLookup {
  txt(name: string): Promise<string[]>;
}

// An unproven claim is looked up every minute for its first day, then hourly.
const FRESH_MS = 24 * 3600_000;
const FRESH_EVERY_MS = 60_000;
const STALE_EVERY_MS = 3600_000;

export interface HostnameState {
  verified: boolean;
  record: { type: 'TXT'; name: string; value: string } | null;
  checked_at: number | null;
  error: string | null;
}

interface ClaimRow {
  id: number;
  hostname: string | null;
  hostname_claim: string | null;
  hostname_token: string | null;
  hostname_checked_at: number | null;
  hostname_error: string | null;
}

/** What the owner of a page sees of its custom hostname: proven or not, and the record that proves it. */
export function hostnameState(row: ClaimRow): HostnameState | null {
  if (!row.hostname_claim || !row.hostname_token) return null;
  const verified = row.hostname === row.hostname_claim;
  return {
    verified,
    record: hostnameProof(row.hostname_claim, row.hostname_token),
    checked_at: row.hostname_checked_at,
    error: verified ? null : row.hostname_error,
  };
}

const reason = (err: unknown): string => {
  const code = (err as { code?: string })?.code;
  if (code === 'ENOTFOUND' || code === 'ENODATA') return 'no TXT record found';
  return `DNS lookup failed (${code ?? (err as Error)?.message ?? err})`;
};

/**
 * Looks the page's proof up once and records what it found. A proven name moves into `hostname`
 * (the served, unique column), taking it from any other page that had proven it before: whoever
 * controls the name's DNS now decides which page it serves.
 */
async function prove(ctx: Ctx, lookup: TxtLookup, row: ClaimRow): Promise<boolean> {
  const claim = row.hostname_claim!;
  const proof = hostnameProof(claim, row.hostname_token!);
  let error: string | null = null;
  try {
    const values = await lookup.txt(proof.name);
    if (!values.includes(proof.value))
      error = values.length ? `${proof.name} has no TXT record ${proof.value}` : 'no TXT record found';
  } catch (err) {
    error = reason(err);
  }
  const now = ctx.clock();
  await ctx.store.db.transaction().execute(async (trx) => {
    // Only if the claim is still the one looked up: an edit meanwhile starts over.
    const current = trx
      .updateTable('status_pages')
      .where('id', '=', row.id)
      .where('hostname_claim', '=', claim)
      .where('hostname_token', '=', row.hostname_token!);
    if (error) {
      await current.set({ hostname_checked_at: now, hostname_error: error }).execute();
      return;
    }
    await trx
      .updateTable('status_pages')
      .set({ hostname: null })
      .where('hostname', '=', claim)
      .where('id', '!=', row.id)
      .execute();
    await current.set({ hostname: claim, hostname_checked_at: now, hostname_error: null }).execute();
  });
  return error === null;
}

const CLAIM_COLUMNS = [
  'id',
  'hostname',
  'hostname_claim',
  'hostname_token',
  'hostname_checked_at',
  'hostname_error',
] as const;

/** Looks up the proofs of unproven claims that are due (engine.ts, every few seconds); returns how many were looked up. */
export async function proveDueHostnames(ctx: Ctx, lookup: TxtLookup, limit = 20): Promise<number> {
  const now = ctx.clock();
  const rows = await ctx.store.db
    .selectFrom('status_pages')
    .select([...CLAIM_COLUMNS, 'hostname_claimed_at'])
    .where('hostname_claim', 'is not', null)
    .where((eb) => eb.or([eb('hostname', 'is', null), eb('hostname', '!=', eb.ref('hostname_claim'))]))
    .where((eb) =>
      eb.or([
        eb('hostname_checked_at', 'is', null),
        eb.and([eb('hostname_claimed_at', '>', now - FRESH_MS), eb('hostname_checked_at', '<=', now - FRESH_EVERY_MS)]),
        eb('hostname_checked_at', '<=', now - STALE_EVERY_MS),
      ]),
    )
    .orderBy(sql`coalesce(hostname_checked_at, 0)`)
    .limit(limit)
    .execute();
  for (const row of rows) await prove(ctx, lookup, row as ClaimRow);
  return rows.length;
}

/** Looks the proof of one page's claim up now (the API's verify call and the dashboard's button). */
export async function proveHostnameNow(ctx: ActorCtx, lookup: TxtLookup, uuid: string): Promise<void> {
  const row = await ctx.store.db
    .selectFrom('status_pages')
    .select(CLAIM_COLUMNS)
    .where('uuid', '=', uuid)
    .where('project_id', '=', ctx.actor.projectId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError('Status page');
  if (!row.hostname_claim) throw new ValidationError('this status page has no hostname to verify');
  if (row.hostname === row.hostname_claim) return;
  await prove(ctx, lookup, row as ClaimRow);
}
