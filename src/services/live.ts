import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';
import type { Store } from '../storage/store.ts';
import type { Ctx } from './context.ts';

/**
 * The live dashboard's events: what changed in a project as results, state changes and outages
 * are stored. Writers publish them in their storing transaction (store.notify: NOTIFY on
 * PostgreSQL, so every node hears every node; in the process on SQLite); each open page watches
 * one project, filtered to what it shows, at most one batch per interval with the latest state
 * of each changed row.
 */

const CHANNEL = 'vigil_live';
/** PostgreSQL refuses NOTIFY payloads of 8,000 bytes or more. */
const PAYLOAD_BYTES = 7000;
/** A monitor event carries at most this many checks (a page shows at most 90 beats). */
const MAX_CHECKS = 90;
/** Rows waiting in one watch past this: dropped, and the page is told to read everything again. */
const MAX_PENDING = 2000;

export interface LiveCheck {
  at: number;
  ok: boolean;
  /** Response time, null when not measured (a failure). */
  ms: number | null;
  location: string;
}

export type LiveEvent =
  /** Checks stored for a monitor, and its status after them. */
  | { kind: 'monitor'; projectId: number; uuid: string; state: string; checks: LiveCheck[] }
  /** An outage opened, changed (acknowledged, resolved) or deleted; `subject` is its monitor's or healthcheck's uuid. */
  | { kind: 'outage'; projectId: number; uuid: string; subject: string | null; open: boolean }
  /** A healthcheck pinged or turned down: its state (up, down, new, paused) and last ping. */
  | { kind: 'healthcheck'; projectId: number; uuid: string; state: string; lastPing: number | null };

// On the wire between nodes: arrays, to keep payloads short.
type Wire =
  | ['m', number, string, string, [number, 0 | 1, number | null, string][]]
  | ['o', number, string, string | null, 0 | 1]
  | ['h', number, string, string, number | null];

function encode(e: LiveEvent): Wire {
  if (e.kind === 'monitor')
    return [
      'm',
      e.projectId,
      e.uuid,
      e.state,
      e.checks.slice(-MAX_CHECKS).map((c) => [c.at, c.ok ? 1 : 0, c.ms, c.location]),
    ];
  if (e.kind === 'outage') return ['o', e.projectId, e.uuid, e.subject, e.open ? 1 : 0];
  return ['h', e.projectId, e.uuid, e.state, e.lastPing];
}

function decode(w: Wire): LiveEvent | null {
  if (!Array.isArray(w) || typeof w[1] !== 'number' || typeof w[2] !== 'string') return null;
  if (w[0] === 'm' && Array.isArray(w[4])) {
    return {
      kind: 'monitor',
      projectId: w[1],
      uuid: w[2],
      state: String(w[3]),
      checks: w[4].map(([at, ok, ms, location]) => ({
        at: Number(at),
        ok: ok === 1,
        ms: ms == null ? null : Number(ms),
        location: String(location),
      })),
    };
  }
  if (w[0] === 'o')
    return {
      kind: 'outage',
      projectId: w[1],
      uuid: w[2],
      subject: w[3] == null ? null : String(w[3]),
      open: w[4] === 1,
    };
  if (w[0] === 'h')
    return {
      kind: 'healthcheck',
      projectId: w[1],
      uuid: w[2],
      state: String(w[3]),
      lastPing: w[4] == null ? null : Number(w[4]),
    };
  return null;
}

/** The events as JSON arrays of at most PAYLOAD_BYTES each. */
function payloads(events: LiveEvent[]): string[] {
  const out: string[] = [];
  let parts: string[] = [];
  let size = 2;
  for (const e of events) {
    const part = JSON.stringify(encode(e));
    if (part.length + 1 > PAYLOAD_BYTES - 2) continue; // cannot happen with MAX_CHECKS short checks; never fail the write for it
    if (size + part.length + 1 > PAYLOAD_BYTES) {
      out.push(`[${parts.join(',')}]`);
      parts = [];
      size = 2;
    }
    parts.push(part);
    size += part.length + 1;
  }
  if (parts.length) out.push(`[${parts.join(',')}]`);
  return out;
}

/**
 * Publishes events with the transaction `db` (or at once, given the database itself): they
 * reach the watchers of every node once it commits, and never if it rolls back.
 */
export async function publishLive(store: Store, db: Kysely<Database>, events: LiveEvent[]): Promise<void> {
  if (events.length) await store.notify(db, CHANNEL, payloads(events));
}

/** What one page shows: these monitors (and their outages), every outage, the healthchecks. */
export interface LiveFilter {
  monitors: ReadonlySet<string>;
  outages: boolean;
  healthchecks: boolean;
}

/** One batch for a page: the latest state of each row that changed since the last one. */
export interface LiveBatch {
  events: LiveEvent[];
  /** Events may have been missed (a lost database connection, a page too slow to keep up): read everything again. */
  gap: boolean;
}

export interface LiveWatch {
  /** The page could take no more (its connection's buffer is full): call once it drained. */
  drained(): void;
  close(): void;
}

interface Watcher {
  accept(e: LiveEvent): void;
  gap(): void;
}

/** Per store: the one listen() of this process, and the watchers of each project. */
interface Hub {
  projects: Map<number, Set<Watcher>>;
  /** Watches open or opening: the listen() stops with the last one. */
  watches: number;
  ready: Promise<() => void> | null;
}
const hubs = new WeakMap<Store, Hub>();

function hubOf(store: Store): Hub {
  const hub = hubs.get(store);
  if (hub) return hub;
  const h: Hub = { projects: new Map(), watches: 0, ready: null };
  hubs.set(store, h);
  return h;
}

function listening(store: Store, hub: Hub): Promise<() => void> {
  hub.ready ??= store.listen(
    CHANNEL,
    (payload) => {
      let list: Wire[];
      try {
        list = JSON.parse(payload);
      } catch {
        return;
      }
      if (!Array.isArray(list)) return;
      for (const w of list) {
        const watchers = Array.isArray(w) ? hub.projects.get(w[1]) : undefined; // most events are for projects nobody here watches
        const e = watchers && decode(w);
        if (e) for (const watcher of watchers) watcher.accept(e);
      }
    },
    () => {
      for (const set of hub.projects.values()) for (const watcher of set) watcher.gap();
    },
  );
  const ready = hub.ready;
  ready.catch(() => {
    if (hub.ready === ready) hub.ready = null;
  }); // the next page tries again
  return ready;
}

function unwatch(hub: Hub) {
  if (--hub.watches > 0 || !hub.ready) return;
  hub.ready.then(
    (stop) => stop(),
    () => {},
  );
  hub.ready = null;
}

const keyOf = (e: LiveEvent) => `${e.kind[0]}:${e.uuid}`;
const lastAt = (e: LiveEvent) =>
  e.kind === 'monitor' ? e.checks.reduce((a, c) => Math.max(a, c.at), -Infinity) : -Infinity;

/** Two events of one row as one: every check, in order, and the status after the latest. */
function merge(old: LiveEvent, next: LiveEvent): LiveEvent {
  if (old.kind !== 'monitor' || next.kind !== 'monitor') return next;
  const checks = [...old.checks, ...next.checks].sort((a, b) => a.at - b.at).slice(-MAX_CHECKS);
  const state = next.checks.length === 0 || lastAt(next) >= lastAt(old) ? next.state : old.state;
  return { ...next, state, checks };
}

function accepts(f: LiveFilter, e: LiveEvent): boolean {
  if (e.kind === 'monitor') return f.monitors.has(e.uuid);
  if (e.kind === 'outage') return f.outages || (e.subject !== null && f.monitors.has(e.subject));
  return f.healthchecks;
}

/**
 * Watches one project's events that `filter` lets through: `send` gets a batch at most every
 * `intervalMs` (the first at once), and returns false when the page can take no more for now.
 * Only the project's own events ever reach it.
 */
export async function watchProject(
  ctx: Ctx,
  projectId: number,
  filter: LiveFilter,
  send: (batch: LiveBatch) => boolean,
  intervalMs = 250,
): Promise<LiveWatch> {
  const hub = hubOf(ctx.store);
  hub.watches++;
  try {
    await listening(ctx.store, hub);
  } catch (err) {
    unwatch(hub);
    throw err;
  }
  let pending = new Map<string, LiveEvent>();
  let gap = false;
  let timer: NodeJS.Timeout | null = null;
  let blocked = false;
  let closed = false;
  let lastSent = 0;

  const flush = () => {
    timer = null;
    if (closed || blocked || (pending.size === 0 && !gap)) return;
    const batch: LiveBatch = { events: gap ? [] : [...pending.values()], gap };
    pending = new Map();
    gap = false;
    lastSent = Date.now();
    if (!send(batch)) blocked = true;
  };
  const schedule = () => {
    if (timer || blocked || closed) return;
    timer = setTimeout(flush, Math.max(0, lastSent + intervalMs - Date.now()));
  };
  const watcher: Watcher = {
    accept(e) {
      if (!accepts(filter, e)) return;
      if (!gap) {
        const key = keyOf(e);
        const old = pending.get(key);
        pending.set(key, old ? merge(old, e) : e);
        if (pending.size > MAX_PENDING) watcher.gap();
      }
      schedule();
    },
    gap() {
      gap = true;
      pending.clear();
      schedule();
    },
  };
  let set = hub.projects.get(projectId);
  if (!set) hub.projects.set(projectId, (set = new Set()));
  set.add(watcher);
  return {
    drained() {
      blocked = false;
      schedule();
    },
    close() {
      if (closed) return;
      closed = true;
      if (timer) clearTimeout(timer);
      const s = hub.projects.get(projectId);
      s?.delete(watcher);
      if (s?.size === 0) hub.projects.delete(projectId);
      unwatch(hub);
    },
  };
}
