import { sql, type Insertable, type Transaction } from 'kysely';
import { newId } from '../domain/ids.ts';
import { NotFoundError, UnavailableError } from '../domain/errors.ts';
import {
  alertAt,
  applyHealthcheckInput,
  nextDue,
  type HealthcheckSettings,
  type PeriodType,
} from '../domain/healthchecks.ts';
import type { ActorCtx, Ctx } from './context.ts';
import type { Database, HealthcheckRow, OutageRow, PingRow } from '../storage/schema.ts';
import type { Dialect, Store } from '../storage/store.ts';
import { groupCommit, padToPowerOfTwo } from '../storage/group-commit.ts';
import { insertStatements, rowTable, writeTogether, type Write } from '../storage/bulk.ts';
import { databaseUnavailable } from '../storage/store.ts';
import { defaultPolicyOf, mayHaveAlerted, notifyAlerted, startAlerting } from './alerting.ts';
import { policyIdFor } from './escalation-policies.ts';
import { ensureRoom } from './limits.ts';
import { publishLive, type LiveEvent } from './live.ts';

type Row = Omit<HealthcheckRow, 'id'> & { id: number };
export type Healthcheck = Row & { settings: HealthcheckSettings };
export type Ping = Omit<PingRow, 'id'> & { id: number };
type Trx = Transaction<Database>;
/** A check as a group reads it: with the project's default policy, which its outages follow unless it names one. */
type Locked = Row & { default_policy_id: number | null };
/** An outage as a group's writes return it. */
interface Outage {
  id: number;
  uuid: string;
  healthcheck_id: number;
  alerted_steps: number;
}

export const PING_BODY_LIMIT = 10 * 1024;
/** A check's history is trimmed to its newest `keep` pings once it has this many more (per process). */
const TRIM_EVERY = 16;

function settingsOf(r: Row): HealthcheckSettings {
  return {
    name: r.name,
    cron: r.cron,
    timezone: r.timezone,
    period_value: r.period_value,
    period_type: r.period_type as PeriodType | null,
    grace_value: r.grace_value,
    grace_type: r.grace_type as PeriodType,
  };
}

const withSettings = (r: Row): Healthcheck => ({ ...r, settings: settingsOf(r) });

/** The live dashboard's event of a healthcheck: its state as the list shows it, and its last ping. */
const liveState = (h: Row): LiveEvent => ({
  kind: 'healthcheck',
  projectId: h.project_id,
  uuid: h.uuid,
  state: h.paused ? 'paused' : h.is_down ? 'down' : h.last_ping_at === null ? 'new' : 'up',
  lastPing: h.last_ping_at,
});

export async function listHealthchecks(ctx: ActorCtx): Promise<Healthcheck[]> {
  const all: Healthcheck[] = [];
  for await (const page of healthcheckPages(ctx)) all.push(...page);
  return all;
}

/** Checks read at a time when a whole project (up to 10,000 of them) is walked. */
export const HEALTHCHECK_PAGE = 100;

/** The project's checks, newest first, a page at a time. */
export async function* healthcheckPages(ctx: ActorCtx): AsyncGenerator<Healthcheck[]> {
  let last: { at: number; id: number } | null = null;
  for (;;) {
    const from: { at: number; id: number } | null = last;
    const rows: Row[] = await ctx.store.db
      .selectFrom('healthchecks')
      .selectAll()
      .where('project_id', '=', ctx.actor.projectId)
      .$if(from !== null, (q) =>
        q.where((eb) =>
          eb.or([eb('created_at', '<', from!.at), eb.and([eb('created_at', '=', from!.at), eb('id', '<', from!.id)])]),
        ),
      )
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(HEALTHCHECK_PAGE)
      .execute();
    if (rows.length === 0) return;
    yield rows.map(withSettings);
    if (rows.length < HEALTHCHECK_PAGE) return;
    const end = rows[rows.length - 1];
    last = { at: end.created_at, id: end.id };
  }
}

export async function getHealthcheck(ctx: ActorCtx, uuid: string): Promise<Healthcheck> {
  const row = await ctx.store.db
    .selectFrom('healthchecks')
    .selectAll()
    .where('uuid', '=', uuid)
    .where('project_id', '=', ctx.actor.projectId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError('Healthcheck');
  return withSettings(row);
}

export async function createHealthcheck(ctx: ActorCtx, input: Record<string, unknown>): Promise<Healthcheck> {
  const policy = await policyIdFor(ctx, input?.escalation_policy);
  const s = applyHealthcheckInput(null, input);
  const now = ctx.clock();
  const row = await ctx.store.db.transaction().execute(async (trx) => {
    await ensureRoom(trx, ctx.store, ctx, 'healthchecks', ctx.actor.projectId);
    return trx
      .insertInto('healthchecks')
      .values({
        uuid: newId('tok', 24),
        public_uuid: newId('hc', 24),
        project_id: ctx.actor.projectId,
        name: s.name,
        cron: s.cron,
        timezone: s.timezone,
        period_value: s.period_value,
        period_type: s.period_type,
        grace_value: s.grace_value,
        grace_type: s.grace_type,
        paused: 0,
        is_down: 0,
        due_at: null,
        alert_at: null,
        last_ping_at: null,
        last_start_at: null,
        last_downtime_at: null,
        state_version: 0,
        created_at: now,
        updated_at: now,
        escalation_policy_id: policy ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
  return withSettings(row);
}

export async function updateHealthcheck(
  ctx: ActorCtx,
  uuid: string,
  input: Record<string, unknown>,
): Promise<Healthcheck> {
  const current = await getHealthcheck(ctx, uuid);
  const policy = await policyIdFor(ctx, input?.escalation_policy);
  const s = applyHealthcheckInput(current.settings, input);
  // A new schedule moves the due date of an armed check (from its last ping).
  const due = current.last_ping_at === null ? null : nextDue(s, current.last_ping_at);
  const row = await ctx.store.db
    .updateTable('healthchecks')
    .set({
      name: s.name,
      cron: s.cron,
      timezone: s.timezone,
      period_value: s.period_value,
      period_type: s.period_type,
      grace_value: s.grace_value,
      grace_type: s.grace_type,
      due_at: due,
      alert_at: due === null ? null : alertAt(s, due),
      state_version: current.state_version + 1,
      updated_at: ctx.clock(),
      ...(policy !== undefined ? { escalation_policy_id: policy } : {}),
    })
    .where('id', '=', current.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return withSettings(row);
}

export async function deleteHealthcheck(ctx: ActorCtx, uuid: string): Promise<void> {
  const res = await ctx.store.db
    .deleteFrom('healthchecks')
    .where('uuid', '=', uuid)
    .where('project_id', '=', ctx.actor.projectId)
    .executeTakeFirst();
  if (Number(res.numDeletedRows) === 0) throw new NotFoundError('Healthcheck');
}

export async function setHealthcheckPaused(ctx: ActorCtx, uuid: string, paused: boolean): Promise<Healthcheck> {
  const current = await getHealthcheck(ctx, uuid);
  const row = await ctx.store.db
    .updateTable('healthchecks')
    .set({ paused: paused ? 1 : 0, state_version: current.state_version + 1, updated_at: ctx.clock() })
    .where('id', '=', current.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return withSettings(row);
}

/** The dashboard's edit form: the settings, then the paused switch when it moved. */
export async function saveHealthcheck(
  ctx: ActorCtx,
  uuid: string,
  input: Record<string, unknown>,
  paused: boolean,
): Promise<void> {
  const saved = await updateHealthcheck(ctx, uuid, input);
  if (paused !== (saved.paused === 1)) await setHealthcheckPaused(ctx, uuid, paused);
}

export async function recentPings(ctx: Ctx, healthcheckId: number, limit = 50): Promise<Ping[]> {
  return ctx.store.db
    .selectFrom('healthcheck_pings')
    .selectAll()
    .where('healthcheck_id', '=', healthcheckId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export async function lastRuns(ctx: ActorCtx, ids: number[]) {
  if (ids.length === 0) return new Map<number, { start: number | null; end: number | null }>();
  const rows = await ctx.store.db
    .selectFrom('healthcheck_pings')
    .select(['healthcheck_id', 'kind', (eb) => eb.fn.max('at').as('at')])
    .where('healthcheck_id', 'in', ids)
    .groupBy(['healthcheck_id', 'kind'])
    .execute();
  const out = new Map<number, { start: number | null; end: number | null }>();
  for (const r of rows) {
    const e = out.get(r.healthcheck_id) ?? { start: null, end: null };
    const at = Number(r.at);
    if (r.kind === 'start') e.start = at;
    else e.end = Math.max(e.end ?? 0, at);
    out.set(r.healthcheck_id, e);
  }
  return out;
}

function outageRow(h: Row, at: number, description: string, now: number): Insertable<OutageRow> {
  return {
    uuid: newId('outage'),
    project_id: h.project_id,
    monitor_id: null,
    healthcheck_id: h.id,
    outage_type: 'automatic',
    started_at: at,
    ended_at: null,
    status_code: 0,
    description,
    detected_location: 'ping',
    confirmed_locations: '',
    protocol: 'healthcheck',
    error_header: null,
    acknowledged_at: null,
    acknowledged_by: null,
    escalation_policy_id: null,
    created_at: now,
  };
}

async function openOutage(trx: Trx, h: Row, at: number, description: string, now: number): Promise<string> {
  const { id, uuid } = await trx
    .insertInto('outages')
    .values(outageRow(h, at, description, now))
    .returning(['id', 'uuid'])
    .executeTakeFirstOrThrow();
  await startAlerting(trx, [id], now);
  return uuid;
}

export interface PingInput {
  kind: 'success' | 'fail' | 'start';
  sourceIp: string | null;
  userAgent: string | null;
  body: string | null;
}

/** A ping as queued for the next group commit: `at` is when it was received. */
interface QueuedPing extends PingInput {
  token: string;
  at: number;
}

/** The columns of a ping's outage (outageRow). */
const OUTAGE_COLUMNS = {
  uuid: 'text',
  project_id: 'bigint',
  monitor_id: 'bigint',
  healthcheck_id: 'bigint',
  outage_type: 'text',
  started_at: 'bigint',
  ended_at: 'bigint',
  status_code: 'bigint',
  description: 'text',
  detected_location: 'text',
  confirmed_locations: 'text',
  protocol: 'text',
  error_header: 'text',
  acknowledged_at: 'bigint',
  acknowledged_by: 'text',
  escalation_policy_id: 'bigint',
  created_at: 'bigint',
} as const;

/** A check's row as the group leaves it, written back in one UPDATE … FROM. */
const STATE_COLUMNS = {
  id: 'bigint',
  last_ping_at: 'bigint',
  last_start_at: 'bigint',
  due_at: 'bigint',
  alert_at: 'bigint',
  is_down: 'bigint',
  state_version: 'bigint',
  last_downtime_at: 'bigint',
} as const;
const PING_COLUMNS = {
  healthcheck_id: 'bigint',
  at: 'bigint',
  kind: 'text',
  source_ip: 'text',
  user_agent: 'text',
  body: 'text',
  duration_ms: 'bigint',
} as const;

/**
 * The history stays bounded: once a check has had TRIM_EVERY pings since its last trim (counted
 * in this process), it keeps its newest `keep`, every such check in one statement. The statement
 * runs with the group's insert and sees the rows before it: of those it keeps `keep` less the
 * check's new ones.
 */
function trimHistory(
  dialect: Dialect,
  keep: number,
  sinceTrim: Map<number, number>,
  rows: Insertable<PingRow>[],
): Write {
  const added = new Map<number, number>();
  for (const r of rows) added.set(r.healthcheck_id, (added.get(r.healthcheck_id) ?? 0) + 1);
  const due: number[][] = [];
  for (const [id, n] of added) {
    const since = (sinceTrim.get(id) ?? 0) + n;
    if (since < TRIM_EVERY) {
      if (sinceTrim.size > 100_000) sinceTrim.clear();
      sinceTrim.set(id, since);
    } else {
      sinceTrim.delete(id);
      due.push([id, Math.max(0, keep - n)]);
    }
  }
  if (due.length === 0) return { statements: [] };
  const ids = padToPowerOfTwo(due.map(([id]) => id));
  // The outer filter on the check lets both databases find the rows by index, not by a table scan.
  return {
    statements: [
      sql`DELETE FROM healthcheck_pings WHERE healthcheck_id IN (${sql.join(ids)}) AND id IN (
        SELECT r.id FROM (
          SELECT id, healthcheck_id, row_number() OVER (PARTITION BY healthcheck_id ORDER BY id DESC) AS n
          FROM healthcheck_pings WHERE healthcheck_id IN (${sql.join(ids)})
        ) AS r JOIN ${rowTable(dialect, { id: 'bigint', keep: 'bigint' }, due)} ON v.id = r.healthcheck_id
        WHERE r.n > v.keep)`,
    ],
  };
}

/**
 * Applies a group of pings, in the order received, as if each had its own transaction: a start
 * marks the beginning of a run; success re-arms the due date and ends an outage; fail turns the
 * check down at once; paused checks record pings but change no status. The checks are read in
 * one query (locked on PostgreSQL, in id order so two nodes never deadlock), changed in memory
 * and written back whatever the group's size with one statement on PostgreSQL (a few on SQLite),
 * then the alerts and the live events: five round trips for most groups. Unknown tokens are
 * answered at once: they write nothing.
 */
async function applyPings(
  trx: Trx,
  store: Store,
  keep: number,
  sinceTrim: Map<number, number>,
  pings: QueuedPing[],
  answerNow: (i: number, found: boolean) => void,
): Promise<boolean[]> {
  const lookup = store.lockRows(
    trx
      .selectFrom('healthchecks')
      .selectAll()
      .select(defaultPolicyOf('healthchecks.project_id').as('default_policy_id'))
      .where('uuid', 'in', padToPowerOfTwo([...new Set(pings.map((p) => p.token))]))
      .orderBy('id'),
  );
  const checks = new Map<string, Locked>();
  for (const r of await lookup.execute()) checks.set(r.uuid, r);
  const found = pings.map((p, i) => {
    if (!checks.has(p.token)) answerNow(i, false);
    return checks.has(p.token);
  });

  const rows: Insertable<PingRow>[] = [];
  // Per check: whether a success or fail came (the due date moves), when the outage open
  // before this group ended, and the outages opened in this group.
  const touched = new Map<Locked, { armed: boolean; closedAt: number | null; opened: Insertable<OutageRow>[] }>();
  for (const p of pings) {
    const h = checks.get(p.token);
    if (!h) continue;
    const now = p.at;
    const duration = p.kind !== 'start' && h.last_start_at !== null ? now - h.last_start_at : null;
    rows.push({
      healthcheck_id: h.id,
      at: now,
      kind: p.kind,
      source_ip: p.sourceIp,
      user_agent: p.userAgent?.slice(0, 300) ?? null,
      body: p.body ? p.body.slice(0, PING_BODY_LIMIT) : null,
      duration_ms: duration,
    });
    let t = touched.get(h);
    if (!t) touched.set(h, (t = { armed: false, closedAt: null, opened: [] }));
    if (p.kind === 'start') {
      h.last_start_at = now;
      continue;
    }
    const down = p.kind === 'fail';
    const statusChange = h.paused !== 1 && (down ? h.is_down === 0 : h.is_down === 1);
    h.last_ping_at = now;
    h.last_start_at = null;
    t.armed = true;
    if (!statusChange) continue;
    h.is_down = down ? 1 : 0;
    h.state_version++;
    if (down) {
      h.last_downtime_at = now;
      t.opened.push(outageRow(h, now, 'failure reported by ping', now));
    } else if (t.opened.length) t.opened[t.opened.length - 1].ended_at = now;
    else t.closedAt = now;
  }

  const states: (number | null)[][] = [];
  const closes: (number | null)[][] = [];
  const opened: Insertable<OutageRow>[] = [];
  for (const [h, t] of touched) {
    // The due date depends only on the last success or fail: computed once per check.
    if (t.armed) {
      const s = settingsOf(h);
      h.due_at = nextDue(s, h.last_ping_at!);
      h.alert_at = alertAt(s, h.due_at);
    }
    states.push([
      h.id,
      h.last_ping_at,
      h.last_start_at,
      h.due_at,
      h.alert_at,
      h.is_down,
      h.state_version,
      h.last_downtime_at,
    ]);
    if (t.closedAt !== null) closes.push([h.id, t.closedAt]);
    opened.push(...t.opened);
  }
  const { dialect } = store;
  // Closes end outages opened before this group, never the ones it opens (they run together).
  const [closed, , , , inserted] = (await writeTogether(trx, dialect, [
    {
      statements: closes.length
        ? [
            sql`UPDATE outages SET ended_at = v.ended_at, next_alert_at = NULL
              FROM ${rowTable(dialect, { id: 'bigint', ended_at: 'bigint' }, closes)}
              WHERE outages.healthcheck_id = v.id AND outages.ended_at IS NULL
              RETURNING outages.id, outages.uuid, outages.healthcheck_id, outages.alerted_steps`,
          ]
        : [],
      returns: true,
    },
    trimHistory(dialect, keep, sinceTrim, rows),
    { statements: insertStatements(dialect, 'healthcheck_pings', PING_COLUMNS, rows) },
    {
      statements: states.length
        ? [
            sql`UPDATE healthchecks SET last_ping_at = v.last_ping_at, last_start_at = v.last_start_at,
              due_at = v.due_at, alert_at = v.alert_at, is_down = v.is_down, state_version = v.state_version,
              last_downtime_at = v.last_downtime_at FROM ${rowTable(dialect, STATE_COLUMNS, states)}
              WHERE healthchecks.id = v.id`,
          ]
        : [],
    },
    {
      statements: insertStatements(dialect, 'outages', OUTAGE_COLUMNS, opened, ['id', 'uuid', 'healthcheck_id']),
      returns: true,
    },
  ])) as [Outage[], unknown, unknown, unknown, Outage[]];
  // Alerts go out with the commit: recoveries to the channels alerted, new outages to their policy.
  const now = pings[pings.length - 1].at;
  const subjects = new Map([...touched.keys()].map((h) => [h.id, h]));
  const outageEvent = (o: Outage, open: boolean): LiveEvent => {
    const h = subjects.get(Number(o.healthcheck_id))!;
    return { kind: 'outage', projectId: h.project_id, uuid: o.uuid, subject: h.uuid, open };
  };
  await notifyAlerted(
    trx,
    closed.filter(mayHaveAlerted).map((o) => Number(o.id)),
    'outage.up',
    now,
  );
  // An outage with no policy to follow has nothing to start: its row says so already.
  const stillOpen = new Set(opened.filter((o) => o.ended_at === null).map((o) => o.uuid));
  const followsPolicy = (o: Outage) => {
    const h = subjects.get(Number(o.healthcheck_id))!;
    return (h.escalation_policy_id ?? h.default_policy_id) !== null;
  };
  await startAlerting(
    trx,
    inserted.filter((o) => stillOpen.has(o.uuid) && followsPolicy(o)).map((o) => Number(o.id)),
    now,
  );
  const live = [
    ...[...touched.keys()].map(liveState),
    ...closed.map((o) => outageEvent(o, false)),
    ...inserted.map((o) => outageEvent(o, stillOpen.has(o.uuid))),
  ];
  await publishLive(store, trx, live);
  return found;
}

const pingWriters = new WeakMap<Store, (ping: QueuedPing) => Promise<boolean>>();

/**
 * Records a ping; resolves true once it is committed (false for an unknown token), so an
 * acknowledged ping is never lost. Concurrent pings share one transaction (group commit). A
 * ping that cannot be stored rejects with UnavailableError: never answer it 2xx.
 */
export async function recordPing(
  ctx: Ctx,
  token: string,
  ping: PingInput,
  opts: { keep?: number } = {},
): Promise<boolean> {
  let write = pingWriters.get(ctx.store);
  if (!write) {
    const { store } = ctx;
    const keep = opts.keep ?? 100;
    const sinceTrim = new Map<number, number>();
    // Two groups at once on PostgreSQL, never with the same check: one check's pings stay in order.
    write = groupCommit<QueuedPing, boolean>(
      store,
      (trx, pings, answerNow) => applyPings(trx, store, keep, sinceTrim, pings, answerNow),
      { keyOf: (p) => p.token, inFlight: 2 },
    );
    pingWriters.set(store, write);
  }
  try {
    return await write({ ...ping, token, at: ctx.clock() });
  } catch (err) {
    // A locked, full or unreachable database is an outage of the environment, not a bug.
    const down = databaseUnavailable(err);
    if (down) ctx.log.warn({ err: (err as Error).message }, `ping not stored: ${down}`);
    else ctx.log.error({ err }, 'ping not stored');
    throw new UnavailableError(
      down ? `The ping could not be stored: ${down}; retry later` : 'The ping could not be stored; retry later',
    );
  }
}

/**
 * Turns down every armed, unpaused check whose due date plus grace has passed, each by a
 * conditional update (safe with several nodes), and opens its outage in the same transaction.
 */
export async function sweepOverdueHealthchecks(ctx: Ctx, limit = 500): Promise<number> {
  const now = ctx.clock();
  const overdue = await ctx.store.db
    .selectFrom('healthchecks')
    .selectAll()
    .where('alert_at', '<=', now)
    .where('is_down', '=', 0)
    .where('paused', '=', 0)
    .orderBy('alert_at')
    .limit(limit)
    .execute();
  let turned = 0;
  for (const h of overdue) {
    await ctx.store.db.transaction().execute(async (trx) => {
      const res = await trx
        .updateTable('healthchecks')
        .set({ is_down: 1, last_downtime_at: h.alert_at, state_version: h.state_version + 1 })
        .where('id', '=', h.id)
        .where('state_version', '=', h.state_version)
        .where('alert_at', '=', h.alert_at) // a ping since the read re-armed it
        .where('is_down', '=', 0)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) return;
      const outage = await openOutage(trx, h, h.alert_at!, 'no ping received in time', now);
      await publishLive(ctx.store, trx, [
        liveState({ ...h, is_down: 1 }),
        { kind: 'outage', projectId: h.project_id, uuid: outage, subject: h.uuid, open: true },
      ]);
      turned++;
    });
  }
  return turned;
}
