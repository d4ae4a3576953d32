import { sql, type Insertable, type Kysely, type Transaction } from 'kysely';
import { newId } from '../domain/ids.ts';
import { confirmationRule, observe, type MonitorState, type Status, type Transition } from '../domain/status.ts';
import {
  confirmationWindowStart,
  latestVotes,
  observeQuorum,
  requiredVotes,
  votingLocations,
  type Quorum,
  type Votes,
} from '../domain/quorum.ts';
import { DEFAULT_PROBE_LIVE_MS } from '../domain/probes.ts';
import { DAY, HISTOGRAM_COLUMNS, HOUR, bucketIndex, bucketStart } from '../domain/rollups.ts';
import type { Ctx } from './context.ts';
import { endClaims } from './schedule.ts';
import type { CheckResult } from '../domain/checks.ts';
import { monitorsUnderMaintenance } from './maintenance.ts';
import { notifyAlerted, startAlerting } from './alerting.ts';
import { certificateNotices, sendNotices } from './notices.ts';
import { publishLive, type LiveEvent } from './live.ts';
import type { CheckResultRow, Database, RollupRow } from '../storage/schema.ts';
import type { Store } from '../storage/store.ts';

/** One finished check, as the prober reports it. */
export interface ObservedResult extends Omit<CheckResult, 'totalMs'> {
  monitorId: number;
  /** When the check started. */
  at: number;
  /** Where the check really ran (never a region it stands in for). */
  location: string;
  totalMs: number | null;
  /** The built-in probe's claimed slot: storing the result ends the claim. */
  due?: number;
}

export interface RecordOutcome {
  recorded: number;
  transitions: { monitorId: number; to: Status; at: number }[];
  rechecks: number[];
}

const ms = (v: number | null) => (v == null ? null : Math.round(v));

export interface RecordOptions {
  /** A dedicated probe is live while heard from within this window (VIGIL_PROBE_LIVE_SECONDS). */
  probeLiveMs?: number;
}

type Trx = Transaction<Database>;

/**
 * Stores a batch of results in one transaction: raw rows, hour and day rollups, the status
 * state machine, and the outage rows of any confirmed change. Results of deleted monitors
 * are dropped.
 */
export async function recordResults(
  ctx: Ctx,
  batch: ObservedResult[],
  /** Picks, first thing in the transaction, the results to store (a probe's leases: services/probes.ts). */
  admit?: (trx: Trx, batch: ObservedResult[]) => Promise<ObservedResult[]>,
  opts: RecordOptions = {},
): Promise<RecordOutcome> {
  const outcome: RecordOutcome = { recorded: 0, transitions: [], rechecks: [] };
  if (batch.length === 0) return outcome;
  const now = ctx.clock();
  const ids = [...new Set(batch.map((r) => r.monitorId))];
  // Under maintenance, checks run and are stored but the status holds: no outage opens.
  const maintained = await monitorsUnderMaintenance(ctx, ids, now);
  await ctx.store.db.transaction().execute(async (trx) => {
    if (admit) batch = await admit(trx, batch);
    if (batch.length === 0) return;
    const monitors = new Map<number, MonitorStateRow>();
    for (let i = 0; i < ids.length; i += 500) {
      for (const row of await loadStates(trx, ids.slice(i, i + 500))) monitors.set(row.id, row);
    }
    const results = batch.filter((r) => monitors.has(r.monitorId)).sort((a, b) => a.at - b.at);
    outcome.recorded = results.length;
    const quorums = await loadQuorums(trx, monitors, results, now, opts.probeLiveMs ?? DEFAULT_PROBE_LIVE_MS);
    await insertRaw(ctx, trx, results);
    await endClaims(
      trx,
      results.filter((r) => r.due !== undefined).map((r) => ({ id: r.monitorId, due: r.due! })),
    );
    await upsertRollups(trx, results);
    const outages: LiveEvent[] = [];
    await applyStates(
      ctx,
      trx,
      monitors,
      results.filter((r) => !maintained.has(r.monitorId)),
      now,
      outcome,
      quorums,
      outages,
    );
    await publishLive(ctx.store, trx, [...liveChecks(monitors, results), ...outages]);
  });
  return outcome;
}

/** The live dashboard's view of a batch: each monitor's new checks and its status after them. */
function liveChecks(monitors: Map<number, MonitorStateRow>, results: ObservedResult[]): LiveEvent[] {
  const byMonitor = new Map<number, LiveEvent & { kind: 'monitor' }>();
  for (const r of results) {
    const m = monitors.get(r.monitorId)!;
    let e = byMonitor.get(m.id);
    if (!e)
      byMonitor.set(
        m.id,
        (e = { kind: 'monitor', projectId: m.project_id, uuid: m.uuid, state: m.status, checks: [] }),
      );
    e.checks.push({ at: r.at, ok: r.ok, ms: r.ok ? ms(r.totalMs) : null, location: r.location });
  }
  return [...byMonitor.values()];
}

interface MonitorStateRow {
  id: number;
  project_id: number;
  uuid: string;
  protocol: string;
  status: string;
  confirming: string | null;
  confirm_since: number | null;
  confirm_locations: string | null;
  state_version: number;
  ssl_expiration: number | null;
  next_check_at: number | null;
  check_frequency: number;
  regions: string;
  ssl_alert_days: number;
  ssl_reminders: number;
  ssl_notify_on_change: number;
  ssl_expires_at: number | null;
  ssl_fingerprint: string | null;
}

/** What the several-locations rule needs of a monitor some live dedicated probe serves. */
interface QuorumInput {
  /** Each reporting location's latest verdict in the confirmation window, before this batch. */
  votes: Votes;
  /** Locations whose verdicts count now: live probes' regions, and the built-in probe's while it serves a region. */
  counts: (location: string) => boolean;
  quorum: Quorum;
  /** Locations serving the monitor now: its regions' live probes, plus the built-in probe if it serves any. */
  serving: number;
}

/**
 * For monitors with a region served by a live dedicated probe: locks their rows (concurrent
 * posts of several probes then count each other's results), reloads their state and reads
 * each location's latest verdict within the confirmation window (two intervals and a minute).
 * Monitors of the built-in probe alone are not touched: they keep the one-location rule.
 */
async function loadQuorums(
  trx: Trx,
  monitors: Map<number, MonitorStateRow>,
  results: ObservedResult[],
  now: number,
  liveMs: number,
): Promise<Map<number, QuorumInput>> {
  const out = new Map<number, QuorumInput>();
  const reporting = [...new Set(results.map((r) => r.monitorId))].filter((id) => monitors.has(id));
  const projects = [...new Set(reporting.map((id) => monitors.get(id)!.project_id))];
  if (projects.length === 0) return out;
  const live = new Map<number, Set<string>>();
  for (let i = 0; i < projects.length; i += 500) {
    const rows = await trx
      .selectFrom('probes')
      .select(['project_id', 'region'])
      .where('project_id', 'in', projects.slice(i, i + 500))
      .where('revoked_at', 'is', null)
      .where('last_seen_at', '>', now - liveMs)
      .execute();
    for (const r of rows) {
      let set = live.get(r.project_id);
      if (!set) live.set(r.project_id, (set = new Set()));
      set.add(r.region);
    }
  }
  if (live.size === 0) return out;
  const served = reporting
    .filter((id) => {
      const m = monitors.get(id)!;
      const set = live.get(m.project_id);
      return set && (JSON.parse(m.regions) as string[]).some((r) => set.has(r));
    })
    .sort((a, b) => a - b);
  if (served.length === 0) return out;
  await trx.updateTable('monitors').set({ state_version: sql`state_version` }).where('id', 'in', served).execute();
  for (const row of await loadStates(trx, served)) monitors.set(row.id, row);
  const quorumOf = new Map<number, number | null>();
  for (const p of await trx
    .selectFrom('projects')
    .select(['id', 'quorum'])
    .where('id', 'in', [...new Set(served.map((id) => monitors.get(id)!.project_id))])
    .execute()) {
    quorumOf.set(p.id, p.quorum);
  }
  const window = (m: MonitorStateRow) => confirmationWindowStart(m.check_frequency, now);
  const recent = new Map<number, { location: string; ok: number; at: number }[]>();
  for (let i = 0; i < served.length; i += 500) {
    const ids = served.slice(i, i + 500);
    const since = Math.min(...ids.map((id) => window(monitors.get(id)!)));
    const rows = await trx
      .selectFrom('check_results')
      .select(['monitor_id', 'location', 'ok', 'at'])
      .where('monitor_id', 'in', ids)
      .where('at', '>=', since)
      .orderBy('at', 'desc')
      .execute();
    for (const r of rows) {
      const list = recent.get(r.monitor_id);
      if (list) list.push(r);
      else recent.set(r.monitor_id, [r]);
    }
  }
  for (const id of served) {
    const m = monitors.get(id)!;
    const { counts, serving } = votingLocations(JSON.parse(m.regions) as string[], live.get(m.project_id)!);
    const results = (recent.get(id) ?? []).map((r) => ({ location: r.location, ok: r.ok === 1, at: Number(r.at) }));
    out.set(id, {
      votes: latestVotes(results, window(m), counts),
      counts,
      quorum: quorumOf.get(m.project_id) ?? 'majority',
      serving,
    });
  }
  return out;
}

function loadStates(trx: Trx, ids: number[]): Promise<MonitorStateRow[]> {
  return trx
    .selectFrom('monitors')
    .select([
      'id',
      'project_id',
      'uuid',
      'protocol',
      'status',
      'confirming',
      'confirm_since',
      'confirm_locations',
      'state_version',
      'ssl_expiration',
      'next_check_at',
      'check_frequency',
      'regions',
      'ssl_alert_days',
      'ssl_reminders',
      'ssl_notify_on_change',
      'ssl_expires_at',
      'ssl_fingerprint',
    ])
    .where('id', 'in', ids)
    .execute();
}

function insertRaw(ctx: Ctx, trx: Trx, results: ObservedResult[]): Promise<void> {
  return insertResultRows(
    ctx.store,
    trx,
    results.map((r) => ({
      monitor_id: r.monitorId,
      at: r.at,
      location: r.location,
      ok: r.ok ? 1 : 0,
      status_code: r.statusCode,
      total_ms: ms(r.totalMs),
      dns_ms: ms(r.dnsMs),
      connect_ms: ms(r.connectMs),
      tls_ms: ms(r.tlsMs),
      ttfb_ms: ms(r.ttfbMs),
      error: r.error ? r.error.slice(0, 200) : null,
    })),
  );
}

/** Adds raw result rows, each with a new id (Store.checkResultIds): every writer of check_results goes through here. */
export async function insertResultRows(
  store: Store,
  db: Kysely<Database>,
  rows: Omit<Insertable<CheckResultRow>, 'id'>[],
): Promise<void> {
  const ids = await store.checkResultIds(db, rows.length);
  for (let i = 0; i < rows.length; i += 200) {
    await db
      .insertInto('check_results')
      .values(rows.slice(i, i + 200).map((r, j) => ({ ...r, id: ids[i + j] })))
      .execute();
  }
}

/** Aggregates the batch in memory, then adds it to the rollup rows (safe with concurrent writers). */
async function upsertRollups(trx: Trx, results: ObservedResult[]): Promise<void> {
  const rows = new Map<string, RollupRow>();
  for (const r of results) {
    for (const [granularity, size] of [
      ['hour', HOUR],
      ['day', DAY],
    ] as const) {
      const bucket = bucketStart(r.at, size);
      const key = `${r.monitorId}|${granularity}|${bucket}|${r.location}`;
      let row = rows.get(key);
      if (!row) {
        row = {
          monitor_id: r.monitorId,
          granularity,
          bucket,
          location: r.location,
          checks: 0,
          failures: 0,
          sum_ms: 0,
          min_ms: null,
          max_ms: null,
          h0: 0,
          h1: 0,
          h2: 0,
          h3: 0,
          h4: 0,
          h5: 0,
          h6: 0,
          h7: 0,
          h8: 0,
          h9: 0,
          h10: 0,
          h11: 0,
        };
        rows.set(key, row);
      }
      row.checks++;
      if (!r.ok) row.failures++;
      else if (r.totalMs != null) {
        const t = Math.round(r.totalMs);
        row.sum_ms += t;
        row.min_ms = row.min_ms === null ? t : Math.min(row.min_ms, t);
        row.max_ms = row.max_ms === null ? t : Math.max(row.max_ms, t);
        row[HISTOGRAM_COLUMNS[bucketIndex(t)]]++;
      }
    }
  }
  const all = [...rows.values()];
  for (let i = 0; i < all.length; i += 200) {
    await trx
      .insertInto('check_rollups')
      .values(all.slice(i, i + 200))
      .onConflict((oc) =>
        oc.columns(['monitor_id', 'granularity', 'bucket', 'location']).doUpdateSet((eb) => {
          const add = (c: keyof RollupRow) => sql<number>`check_rollups.${sql.ref(c)} + excluded.${sql.ref(c)}`;
          const set: Record<string, unknown> = {
            checks: add('checks'),
            failures: add('failures'),
            sum_ms: add('sum_ms'),
            min_ms: sql`CASE WHEN check_rollups.min_ms IS NULL OR excluded.min_ms < check_rollups.min_ms THEN excluded.min_ms ELSE check_rollups.min_ms END`,
            max_ms: sql`CASE WHEN check_rollups.max_ms IS NULL OR excluded.max_ms > check_rollups.max_ms THEN excluded.max_ms ELSE check_rollups.max_ms END`,
          };
          for (const h of HISTOGRAM_COLUMNS) set[h] = add(h);
          void eb;
          return set as never;
        }),
      )
      .execute();
  }
}

/** Brings each monitor's row in `monitors` to its new status; `live` gets the outages opened and closed. */
async function applyStates(
  ctx: Ctx,
  trx: Trx,
  monitors: Map<number, MonitorStateRow>,
  results: ObservedResult[],
  now: number,
  outcome: RecordOutcome,
  quorums: Map<number, QuorumInput>,
  live: LiveEvent[],
) {
  const byMonitor = new Map<number, ObservedResult[]>();
  for (const r of results) {
    const list = byMonitor.get(r.monitorId);
    if (list) list.push(r);
    else byMonitor.set(r.monitorId, [r]);
  }
  for (const [id, list] of byMonitor) {
    const m = monitors.get(id)!;
    let state: MonitorState = {
      status: m.status as Status,
      confirming: m.confirming as Status | null,
      confirmSince: m.confirm_since,
      confirmLocations: m.confirm_locations ? JSON.parse(m.confirm_locations) : [],
    };
    // One reporting location: a recheck from the same place confirms. Several (live dedicated
    // probes, and the built-in probe for the regions they leave): a quorum of them must agree.
    const q = quorums.get(id);
    const votes: Votes | null = q ? new Map(q.votes) : null;
    // Counted: the locations that reported within the window (domain/quorum.ts requiredVotes).
    const reporting = q ? new Set([...q.votes.keys(), ...list.map((r) => r.location).filter(q.counts)]).size : 1;
    const rule = confirmationRule(1);
    const required = q ? requiredVotes(q.serving, reporting, q.quorum) : 0;
    let recheck = false;
    let lastFailure: ObservedResult | null = null;
    let sslExpiresAt: number | null | undefined;
    let sslFingerprint: string | null = null;
    const transitions: { t: Transition; evidence: ObservedResult }[] = [];
    for (const r of list) {
      if (!r.ok) lastFailure = r;
      if (r.sslExpiresAt != null) {
        sslExpiresAt = r.sslExpiresAt;
        sslFingerprint = r.sslFingerprint ?? null;
      }
      const obs = { ok: r.ok, location: r.location, at: r.at };
      let d: ReturnType<typeof observe>;
      if (required > 0) {
        if (!q!.counts(r.location)) continue; // a location that no longer serves the monitor: stored, not counted
        votes!.set(r.location, { ok: r.ok, at: r.at });
        d = observeQuorum(state, obs, votes!, required);
      } else d = observe(state, obs, rule);
      state = d.state;
      // Several locations: a recheck asked for earlier in the batch stands while the change is pending.
      recheck = required > 0 ? state.confirming !== null && (recheck || d.recheck) : d.recheck;
      if (d.transition) transitions.push({ t: d.transition, evidence: r.ok ? r : (lastFailure ?? r) });
    }
    const ssl = sslExpiresAt != null ? Math.floor((sslExpiresAt - now) / DAY) : m.ssl_expiration;
    const cert =
      sslExpiresAt != null ? { expiresAt: sslExpiresAt, fingerprint: sslFingerprint ?? m.ssl_fingerprint } : null;
    if (cert) await sendNotices(trx, certificateNotices(m, cert, now), now);
    const certChanged =
      cert !== null && (cert.expiresAt !== m.ssl_expires_at || cert.fingerprint !== m.ssl_fingerprint);
    // A batch may go down and back up: the status ends where it began, but both transitions count.
    const changed =
      transitions.length > 0 ||
      state.status !== m.status ||
      state.confirming !== m.confirming ||
      state.confirmSince !== m.confirm_since ||
      JSON.stringify(state.confirmLocations) !== (m.confirm_locations ?? '[]') ||
      ssl !== m.ssl_expiration ||
      certChanged ||
      recheck;
    if (!changed) continue;
    const res = await trx
      .updateTable('monitors')
      .set({
        status: state.status,
        confirming: state.confirming,
        confirm_since: state.confirmSince,
        confirm_locations: state.confirmLocations.length ? JSON.stringify(state.confirmLocations) : null,
        ssl_expiration: ssl,
        ...(cert ? { ssl_expires_at: cert.expiresAt, ssl_fingerprint: cert.fingerprint } : {}),
        state_version: m.state_version + 1,
        // A pending change is confirmed by checking again right away (paused monitors excepted).
        ...(recheck && m.next_check_at !== null ? { next_check_at: now } : {}),
      })
      .where('id', '=', id)
      .where('state_version', '=', m.state_version)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) {
      ctx.log.warn(
        { monitor: m.uuid },
        'monitor state changed concurrently; results kept, state left to the other writer',
      );
      continue;
    }
    m.status = state.status;
    if (recheck) outcome.rechecks.push(id);
    if (recheck && q && m.next_check_at !== null) {
      // The dedicated probes of the monitor's other regions recheck at their next lease.
      let rows = trx
        .updateTable('region_checks')
        .set({ next_check_at: now })
        .where('monitor_id', '=', id)
        .where('lease_until', 'is', null)
        .where('next_check_at', '>', now);
      if (required > 0) rows = rows.where('region', 'not in', ['', ...state.confirmLocations]);
      await rows.execute();
    }
    for (const { t, evidence } of transitions) {
      for (const uuid of await writeTransition(trx, m, t, evidence, now))
        live.push({ kind: 'outage', projectId: m.project_id, uuid, subject: m.uuid, open: t.to === 'down' });
      outcome.transitions.push({ monitorId: id, to: t.to, at: t.since });
    }
  }
}

/**
 * A confirmed DOWN opens an outage and starts its alerts; a confirmed UP closes the open one and
 * tells the channels that were alerted. The outbox rows commit with the outage rows. Returns the
 * uuids of the outages opened or closed.
 */
async function writeTransition(
  trx: Trx,
  m: MonitorStateRow,
  t: Transition,
  evidence: ObservedResult,
  now: number,
): Promise<string[]> {
  if (t.to === 'down') {
    const uuid = newId('outage');
    const { id } = await trx
      .insertInto('outages')
      .values({
        uuid,
        project_id: m.project_id,
        monitor_id: m.id,
        outage_type: 'automatic',
        started_at: t.since,
        ended_at: null,
        status_code: evidence.statusCode ?? 0,
        description: evidence.error ?? 'check failed',
        detected_location: t.locations[0],
        confirmed_locations: t.locations.join(','),
        protocol: m.protocol,
        error_header: null,
        acknowledged_at: null,
        acknowledged_by: null,
        escalation_policy_id: null,
        created_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await startAlerting(trx, [id], now);
    return [uuid];
  }
  const closed = await trx
    .updateTable('outages')
    .set({ ended_at: t.since, next_alert_at: null })
    .where('monitor_id', '=', m.id)
    .where('outage_type', '=', 'automatic')
    .where('ended_at', 'is', null)
    .returning(['id', 'uuid'])
    .execute();
  await notifyAlerted(
    trx,
    closed.map((o) => o.id),
    'outage.up',
    now,
  );
  return closed.map((o) => o.uuid);
}
