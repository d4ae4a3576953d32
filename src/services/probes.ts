import { sql, type Transaction } from 'kysely';
import { newId } from '../domain/ids.ts';
import { NotFoundError, ValidationError } from '../domain/errors.ts';
import { REGIONS } from '../domain/monitors.ts';
import {
  PROBE_TOKEN_PATTERN,
  generateProbeToken,
  hashProbeToken,
  maskProbeToken,
  parseRegion,
  LEASE_TARGET_BYTES,
} from '../domain/probes.ts';
import type { CheckResult, CheckTarget } from '../domain/checks.ts';
import { iso, isoOrNull, yieldToLoop, type ActorCtx, type Ctx } from './context.ts';
import { getProject } from './projects.ts';
import { audit } from './api-keys.ts';
import { recordResults, type ObservedResult } from './results.ts';
import { TARGET_COLUMNS, checkTargetOf } from './schedule.ts';
import type { Database, ProbeRow } from '../storage/schema.ts';

/** The probe a request authenticated as (from its pt_ token). */
export interface ProbeActor {
  id: string;
  projectId: number;
  projectUuid: string;
  region: string;
}

export interface ProbeView {
  id: string;
  name: string;
  region: string;
  projectUuid: string;
  masked: string;
  createdAt: string;
  lastSeenAt: string | null;
  live: boolean;
}

function probeView(row: ProbeRow, projectUuid: string, now: number, liveMs: number): ProbeView {
  return {
    id: row.id,
    name: row.name,
    region: row.region,
    projectUuid,
    masked: row.masked,
    createdAt: iso(row.created_at),
    lastSeenAt: isoOrNull(row.last_seen_at),
    live: isLive(row, now, liveMs),
  };
}

const isLive = (row: Pick<ProbeRow, 'last_seen_at' | 'revoked_at'>, now: number, liveMs: number) =>
  row.revoked_at === null && row.last_seen_at !== null && row.last_seen_at > now - liveMs;

/** Mints a probe token for one project and region; the token is returned here and nowhere else. */
export async function createProbe(
  ctx: Ctx,
  input: { projectUuid: string; region: string; name?: string; actor: string },
): Promise<ProbeView & { token: string }> {
  const region = parseRegion(input.region);
  const name = (input.name ?? '').trim() || region;
  if (name.length > 255) throw new ValidationError('Name must be at most 255 characters');
  const project = await getProject(ctx, input.projectUuid);
  const now = ctx.clock();
  const token = generateProbeToken();
  const row: ProbeRow = {
    id: newId('probe'),
    project_id: project.id,
    region,
    name,
    token_hash: hashProbeToken(token),
    masked: maskProbeToken(token),
    created_at: now,
    last_seen_at: null,
    revoked_at: null,
  };
  await ctx.store.db.transaction().execute(async (trx) => {
    await trx.insertInto('probes').values(row).execute();
    await audit(trx, {
      projectId: project.id,
      action: 'probe.create',
      keyId: row.id,
      actor: input.actor,
      detail: `${name} (${region})`,
      at: now,
    });
  });
  return { ...probeView(row, project.uuid, now, 1), token };
}

export async function listProbes(ctx: Ctx, projectUuid: string, liveMs: number): Promise<ProbeView[]> {
  const project = await getProject(ctx, projectUuid);
  const rows = await ctx.store.db
    .selectFrom('probes')
    .selectAll()
    .where('project_id', '=', project.id)
    .where('revoked_at', 'is', null)
    .orderBy('created_at')
    .execute();
  const now = ctx.clock();
  return rows.map((r) => probeView(r, project.uuid, now, liveMs));
}

export async function revokeProbe(ctx: Ctx, probeId: string, actor: string): Promise<void> {
  const now = ctx.clock();
  await ctx.store.db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('probes')
      .selectAll()
      .where('id', '=', probeId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row) throw new NotFoundError('Probe');
    await trx.updateTable('probes').set({ revoked_at: now }).where('id', '=', probeId).execute();
    // Its leases go back at once: the region's other probes (or the built-in probe) carry on.
    await trx
      .updateTable('region_checks')
      .set({ lease_until: now })
      .where('lease_probe_id', '=', probeId)
      .where('lease_until', 'is not', null)
      .execute();
    await audit(trx, {
      projectId: row.project_id,
      action: 'probe.revoke',
      keyId: probeId,
      actor,
      detail: `${row.name} (${row.region})`,
      at: now,
    });
  });
}

/** A pt_ token → its probe, or null (malformed, unknown, revoked, deleted project). A hash and an indexed lookup. */
export async function authenticateProbe(ctx: Ctx, token: string): Promise<ProbeActor | null> {
  if (!PROBE_TOKEN_PATTERN.test(token) || token.length > 128) return null;
  const row = await ctx.store.db
    .selectFrom('probes')
    .innerJoin('projects', 'projects.id', 'probes.project_id')
    .select(['probes.id', 'probes.project_id', 'probes.region', 'probes.revoked_at', 'projects.uuid as project_uuid'])
    .where('probes.token_hash', '=', hashProbeToken(token))
    .executeTakeFirst();
  if (!row || row.revoked_at !== null) return null;
  return { id: row.id, projectId: row.project_id, projectUuid: row.project_uuid, region: row.region };
}

/** Records that the probe is alive; written at most every quarter of the live window. */
export async function touchProbe(ctx: Ctx, probe: ProbeActor, liveMs: number): Promise<void> {
  const now = ctx.clock();
  const spacing = Math.min(5000, Math.floor(liveMs / 4));
  await ctx.store.db
    .updateTable('probes')
    .set({ last_seen_at: now })
    .where('id', '=', probe.id)
    .where((eb) => eb.or([eb('last_seen_at', 'is', null), eb('last_seen_at', '<=', now - spacing)]))
    .execute();
}

/** Project id → regions that have a live dedicated probe. */
export async function liveProbeRegions(ctx: Ctx, liveMs: number): Promise<Map<number, Set<string>>> {
  const rows = await ctx.store.db
    .selectFrom('probes')
    .select(['project_id', 'region'])
    .where('revoked_at', 'is', null)
    .where('last_seen_at', '>', ctx.clock() - liveMs)
    .execute();
  const out = new Map<number, Set<string>>();
  for (const r of rows) {
    let set = out.get(r.project_id);
    if (!set) out.set(r.project_id, (set = new Set()));
    set.add(r.region);
  }
  return out;
}

/** The regions of the actor's project that have probes (revoked ones aside), in region order, each live when one of its probes is. */
export async function probeRegions(ctx: ActorCtx, liveMs: number): Promise<{ region: string; live: boolean }[]> {
  const rows = await ctx.store.db
    .selectFrom('probes')
    .select(['region', 'last_seen_at', 'revoked_at'])
    .where('project_id', '=', ctx.actor.projectId)
    .where('revoked_at', 'is', null)
    .execute();
  const now = ctx.clock();
  return REGIONS.filter((r) => rows.some((p) => p.region === r)).map((region) => ({
    region,
    live: rows.some((p) => p.region === region && isLive(p, now, liveMs)),
  }));
}

export interface Lease {
  leaseId: string;
  /** The slot this check is for (epoch ms); the probe starts it then. */
  due: number;
  monitorUuid: string;
  check: CheckTarget;
}

type Trx = Transaction<Database>;

/** How often a probe's lease call adds the schedule rows of monitors that gained its region. */
const SYNC_MS = 2000;
/** Monitors looked at per statement when a probe's region rows are brought up to date. */
const SYNC_CHUNK = 50;
const synced = new Map<string, number>(); // probe id → when its rows were last added

/**
 * Leases the due checks of the probe's region in its project: a conditional UPDATE of the
 * region's schedule rows moves each to its next slot and writes a fresh lease id, so two probes
 * (or two server nodes) never lease one slot twice. A lease past lease_until is taken over:
 * its slot is checked again unless a newer slot is due (missed slots are never replayed).
 */
export async function leaseChecks(
  ctx: Ctx,
  probe: ProbeActor,
  opts: { limit: number; lookaheadMs: number; leaseMs: number; targetBytes?: number },
): Promise<{ leases: Lease[]; more: boolean }> {
  if (opts.limit <= 0) return { leases: [], more: false };
  const db = ctx.store.db;
  const now = ctx.clock();
  const horizon = sql`CAST(${now + opts.lookaheadMs} AS BIGINT)`;
  const nowSql = sql`CAST(${now} AS BIGINT)`;
  const region = sql`CAST(${probe.region} AS TEXT)`;
  const inRegion = `%"${probe.region}"%`; // regions is a JSON array of validated names
  // Monitors that gained this region get a schedule row on the built-in probe's grid: a scan of
  // the project's monitors, so done at most every SYNC_MS per probe, not on every lease call.
  if (now - (synced.get(probe.id) ?? -Infinity) >= SYNC_MS) {
    synced.set(probe.id, now);
    // A chunk of monitors at a time, yielding between chunks, and next_check_at read only for
    // the monitors that lack a row: on SQLite it follows a monitor's request body and headers
    // (515 KB at their bounds), so reading it for every monitor every SYNC_MS reads them all.
    for (let after = 0; ; ) {
      const ids = (
        await db
          .selectFrom('monitors')
          .select('id')
          .where('project_id', '=', probe.projectId)
          .where('paused', '=', 0)
          .where('id', '>', after)
          .orderBy('id')
          .limit(SYNC_CHUNK)
          .execute()
      ).map((r) => r.id);
      if (ids.length === 0) break;
      const missing = (
        await sql<{ id: number }>`
        SELECT m.id FROM monitors m WHERE m.id IN (${sql.join(ids)}) AND m.regions LIKE ${inRegion}
          AND NOT EXISTS (SELECT 1 FROM region_checks rc WHERE rc.monitor_id = m.id AND rc.region = ${region})`.execute(
          db,
        )
      ).rows.map((r) => r.id);
      if (missing.length > 0) {
        await sql`
          INSERT INTO region_checks (monitor_id, region, next_check_at)
          SELECT m.id, ${region}, m.next_check_at FROM monitors m WHERE m.id IN (${sql.join(missing)}) AND m.next_check_at IS NOT NULL
          ON CONFLICT DO NOTHING`.execute(db);
      }
      if (ids.length < SYNC_CHUNK) break;
      after = ids[ids.length - 1];
      await yieldToLoop();
    }
  }
  const claimable = (t: string) => {
    const c = sql.raw(t);
    return sql`((${c}lease_until IS NULL AND ${c}next_check_at <= ${horizon}) OR (${c}lease_until IS NOT NULL AND ${c}lease_until <= ${nowSql}))`;
  };
  const f = sql`(SELECT m.check_frequency * 1000 FROM monitors m WHERE m.id = region_checks.monitor_id)`;
  const phase = sql`(SELECT m.check_phase FROM monitors m WHERE m.id = region_checks.monitor_id)`;
  // next slot strictly after max(due, horizon), as claimDueMonitors computes it
  const base = sql`(CASE WHEN next_check_at > ${horizon} THEN next_check_at ELSE ${horizon} END)`;
  const batch = newId('lease', 20);
  // The due checks in order, each with the bytes of the targets up to it: octet_length reads a
  // text's size, not the text, so the budget costs no more than the count.
  const budget = opts.targetBytes ?? LEASE_TARGET_BYTES;
  const order = sql`ORDER BY rc.next_check_at, rc.monitor_id`;
  const size = sql`octet_length(m.url) + octet_length(m.request_body) + COALESCE(octet_length(m.request_headers), 0) + COALESCE(octet_length(m.required_keyword), 0)`;
  const due = sql`
    FROM region_checks rc JOIN monitors m ON m.id = rc.monitor_id
    WHERE rc.region = ${region} AND m.project_id = ${probe.projectId} AND m.paused = 0 AND ${claimable('rc.')}`;
  // The `limit` earliest first (regions, on SQLite in a large monitor's overflow pages, is read
  // for those only), then the region check and the running size over them.
  const earliest = sql`SELECT rc.monitor_id, rc.next_check_at ${due} ORDER BY rc.next_check_at, rc.monitor_id LIMIT ${opts.limit}`;
  const candidates = sql`
    SELECT rc.monitor_id, ROW_NUMBER() OVER (${order}) AS n, SUM(${size}) OVER (${order} ROWS UNBOUNDED PRECEDING) AS bytes
    FROM (${earliest}) rc JOIN monitors m ON m.id = rc.monitor_id WHERE m.regions LIKE ${inRegion}`;
  const claimed = await sql<{ monitor_id: number; lease_id: string; lease_due: number }>`
    UPDATE region_checks SET
      lease_due = CASE WHEN next_check_at <= ${horizon} THEN next_check_at ELSE lease_due END,
      next_check_at = CASE WHEN next_check_at <= ${horizon} THEN ${base} - ((${base} - ${phase}) % ${f}) + ${f} ELSE next_check_at END,
      lease_id = ${batch} || '_' || CAST(monitor_id AS TEXT),
      lease_probe_id = ${probe.id},
      lease_until = ${now + opts.leaseMs}
    WHERE region = ${region} AND ${claimable('')} AND monitor_id IN (
      SELECT monitor_id FROM (${candidates}) c WHERE c.n <= ${opts.limit} AND (c.n = 1 OR c.bytes <= ${budget}))
    RETURNING monitor_id, lease_id, lease_due`.execute(db);
  if (claimed.rows.length === 0) return { leases: [], more: false };
  const targets = new Map<number, ReturnType<typeof checkTargetOf>>();
  const ids = claimed.rows.map((r) => r.monitor_id);
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom('monitors')
      .select([...TARGET_COLUMNS])
      .where('id', 'in', ids.slice(i, i + 500))
      .execute();
    for (const r of rows) targets.set(r.id, checkTargetOf(r));
  }
  const leases: Lease[] = [];
  for (const r of claimed.rows) {
    const t = targets.get(r.monitor_id);
    if (!t) continue; // deleted meanwhile: the row went with it
    const { id: _id, uuid, ...check } = t;
    leases.push({ leaseId: r.lease_id, due: Number(r.lease_due), monitorUuid: uuid, check });
  }
  // A batch the budget cut short while more checks are due: the probe leases again at once.
  const more =
    claimed.rows.length < opts.limit && (await sql`SELECT 1 AS one ${due} LIMIT 1`.execute(db)).rows.length > 0;
  return { leases, more };
}

/** What a probe reports for one lease; the lease id is the result's idempotency id. */
export interface ProbeResult extends Omit<CheckResult, 'totalMs'> {
  leaseId: string;
  at: number;
  totalMs: number | null;
}

/**
 * Stores a probe's results, labelled with its region. Each result is stored only if its lease
 * is still this probe's: the lease is ended in the transaction that stores the result, so a
 * post retried after a lost answer, or a late result of a lease another probe took over,
 * records nothing. Answers how many were recorded and how many were already done or stale.
 */
export async function recordProbeResults(
  ctx: Ctx,
  probe: ProbeActor,
  results: ProbeResult[],
  liveMs?: number,
): Promise<{ recorded: number; ignored: number }> {
  const ids = [...new Set(results.map((r) => r.leaseId))];
  if (ids.length === 0) return { recorded: 0, ignored: results.length };
  const db = ctx.store.db;
  const owned = new Map<string, number>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom('region_checks')
      .select(['lease_id', 'monitor_id'])
      .where('lease_id', 'in', ids.slice(i, i + 500))
      .where('lease_probe_id', '=', probe.id)
      .where('region', '=', probe.region)
      .execute();
    for (const r of rows) owned.set(r.lease_id!, r.monitor_id);
  }
  const now = ctx.clock();
  const seen = new Set<string>();
  const batch: (ObservedResult & { leaseId: string })[] = [];
  for (const r of results) {
    const monitorId = owned.get(r.leaseId);
    if (monitorId === undefined || seen.has(r.leaseId)) continue;
    seen.add(r.leaseId);
    batch.push({
      leaseId: r.leaseId,
      monitorId,
      at: Math.min(r.at, now),
      location: probe.region,
      ok: r.ok,
      statusCode: r.statusCode,
      totalMs: r.totalMs,
      dnsMs: r.dnsMs,
      connectMs: r.connectMs,
      tlsMs: r.tlsMs,
      ttfbMs: r.ttfbMs,
      error: r.error,
      sslExpiresAt: r.sslExpiresAt ?? null,
      sslFingerprint: r.sslFingerprint ?? null,
    });
  }
  let admitted = 0;
  const out = await recordResults(
    ctx,
    batch,
    async (trx: Trx, list) => {
      const done = new Set<string>();
      const leaseIds = (list as typeof batch).map((r) => r.leaseId);
      for (let i = 0; i < leaseIds.length; i += 500) {
        const rows = await trx
          .updateTable('region_checks')
          .set({ lease_probe_id: null, lease_until: null })
          .where('lease_id', 'in', leaseIds.slice(i, i + 500))
          .where('lease_probe_id', '=', probe.id)
          .where('lease_until', 'is not', null)
          .returning('lease_id')
          .execute();
        for (const r of rows) done.add(r.lease_id!);
      }
      const keep = (list as typeof batch).filter((r) => done.has(r.leaseId));
      admitted = keep.length;
      return keep;
    },
    { probeLiveMs: liveMs },
  );
  void out;
  return { recorded: admitted, ignored: results.length - admitted };
}

export interface RegionService {
  region: string;
  servedBy: 'probe' | 'built-in';
  probes: { id: string; name: string; lastSeenAt: string }[];
}

/** Each region of the project's monitors, and what checks it: live dedicated probes or the built-in probe. */
export async function regionsServed(ctx: Ctx, projectId: number, liveMs: number): Promise<RegionService[]> {
  const db = ctx.store.db;
  const used = new Set<string>();
  for (const m of await db.selectFrom('monitors').select('regions').where('project_id', '=', projectId).execute()) {
    for (const r of JSON.parse(m.regions) as string[]) used.add(r);
  }
  const now = ctx.clock();
  const probes = await db
    .selectFrom('probes')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('revoked_at', 'is', null)
    .orderBy('created_at')
    .execute();
  return REGIONS.filter((r) => used.has(r)).map((region) => {
    const live = probes.filter((p) => p.region === region && isLive(p, now, liveMs));
    return {
      region,
      servedBy: live.length ? 'probe' : 'built-in',
      probes: live.map((p) => ({ id: p.id, name: p.name, lastSeenAt: iso(p.last_seen_at!) })),
    };
  });
}
