import { ValidationError } from './errors.ts';
import type { Decision, MonitorState, Observation, Status } from './status.ts';

/**
 * The several-locations rule: a monitor that live dedicated probes serve (with the built-in probe
 * for the regions they leave) changes status when a quorum of its locations' latest verdicts
 * within the confirmation window disagree with it. Pure; services/results.ts feeds it.
 */

/** A project's quorum setting: a number of locations, or more than half (null in the database). */
export type Quorum = number | 'majority';

export function parseQuorum(input: string): Quorum {
  if (input === 'majority') return 'majority';
  const n = Number(input);
  if (!/^\d+$/.test(input) || n < 2 || n > 18)
    throw new ValidationError(`Quorum must be "majority" or a number of regions from 2 to 18, got "${input}"`);
  return n;
}

/** Agreeing locations needed among `locations` (≥ 2) reporting ones; never more than there are. */
export function quorumRequired(locations: number, quorum: Quorum): number {
  return quorum === 'majority' ? Math.floor(locations / 2) + 1 : Math.min(quorum, locations);
}

/** Each location's latest verdict within the confirmation window. */
export type Votes = Map<string, { ok: boolean; at: number }>;

/**
 * The several-locations rule: `votes` already holds `obs`. The status changes when `required`
 * of the reporting locations' latest verdicts disagree with it; the first of them is where the
 * change was detected. A location that newly disagrees asks the others to recheck at once; one
 * that agrees again drops out, so a single broken location never reaches a quorum of two or more.
 */
export function observeQuorum(state: MonitorState, obs: Observation, votes: Votes, required: number): Decision {
  const against = [...votes]
    .filter(([, v]) => (v.ok ? 'up' : 'down') !== state.status)
    .sort((a, b) => a[1].at - b[1].at);
  if (against.length === 0) {
    return {
      state: { status: state.status, confirming: null, confirmSince: null, confirmLocations: [] },
      recheck: false,
      transition: null,
    };
  }
  const seen: Status = state.status === 'up' ? 'down' : 'up';
  const names = against.map(([l]) => l);
  const continuing = state.confirming === seen;
  const kept = continuing ? [...new Set(state.confirmLocations)].filter((l) => names.includes(l)) : [];
  const locations = [...kept, ...names.filter((l) => !kept.includes(l))];
  // A change that begins now (also one a location that never agreed with the new status still asks for) starts now.
  const since = continuing && kept.length ? state.confirmSince! : obs.at;
  if (locations.length >= required) {
    return {
      state: { status: seen, confirming: null, confirmSince: null, confirmLocations: [] },
      recheck: false,
      transition: { to: seen, since, locations },
    };
  }
  const recheck = (obs.ok ? 'up' : 'down') === seen && !kept.includes(obs.location);
  return {
    state: { status: state.status, confirming: seen, confirmSince: since, confirmLocations: locations },
    recheck,
    transition: null,
  };
}

/** Verdicts older than two check intervals and a minute no longer vote. */
export function confirmationWindowStart(checkFrequencySeconds: number, now: number): number {
  return now - 2 * checkFrequencySeconds * 1000 - 60_000;
}

/**
 * Which locations vote for a monitor with these regions while dedicated probes serve `probed`:
 * a region's live probe, and the built-in probe (any other location name) for the regions no
 * live probe serves; `serving` is how many locations serve it now.
 */
export function votingLocations(
  regions: string[],
  probed: Set<string>,
): { counts: (location: string) => boolean; serving: number } {
  const builtInServes = regions.some((r) => !probed.has(r));
  return {
    counts: (l) => (regions.includes(l) && probed.has(l)) || (builtInServes && !regions.includes(l)),
    serving: new Set(regions.filter((r) => probed.has(r))).size + (builtInServes ? 1 : 0),
  };
}

/**
 * Where a monitor with these regions is checked from while live probes serve `probed`: the
 * built-in probe (`builtIn`, one location) when a region has no live probe, then each region a
 * live probe serves. The dashboard shows it; votingLocations counts the same locations.
 */
export function checkLocations(regions: string[], probed: ReadonlySet<string>, builtIn: string): string[] {
  const served = regions.filter((r) => probed.has(r));
  return [...new Set([...(served.length < regions.length ? [builtIn] : []), ...served])];
}

/** Each voting location's latest verdict at or after `since`, from results newest first. */
export function latestVotes(
  newestFirst: { location: string; ok: boolean; at: number }[],
  since: number,
  counts: (location: string) => boolean,
): Votes {
  const votes: Votes = new Map();
  for (const r of newestFirst) {
    if (r.at >= since && counts(r.location) && !votes.has(r.location)) votes.set(r.location, { ok: r.ok, at: r.at });
  }
  return votes;
}

/**
 * Agreeing verdicts a change needs, or 0 when fewer than two locations serve the monitor (the
 * one-location rule applies then). `reporting` locations are counted, never fewer than two, so
 * the first location to see a failure waits for another before the monitor goes down.
 */
export function requiredVotes(serving: number, reporting: number, quorum: Quorum): number {
  return serving >= 2 ? quorumRequired(Math.max(2, reporting), quorum) : 0;
}
