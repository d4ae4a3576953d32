import { ValidationError } from './errors.ts';
/**
 * The monitor status state machine: pure, time comes in with each observation.
 * One failure is not an outage: a change of status must be confirmed by further observations
 * (an immediate recheck, from other locations where there are several) before it happens.
 */
export type Status = 'up' | 'down';

export interface MonitorState {
  status: Status;
  /** The status being confirmed, or null when stable. */
  confirming: Status | null;
  confirmSince: number | null;
  /** Locations of the observations that agreed so far (one entry per observation). */
  confirmLocations: string[];
}

export interface Observation {
  ok: boolean;
  location: string;
  at: number;
}

export interface ConfirmationRule {
  /** Agreeing observations needed to change status, the first one included (≥ 2). */
  required: number;
  /** When true, each agreeing observation must come from a different location. */
  distinctLocations: boolean;
}

export interface Transition {
  to: Status;
  /** When the change began: the first agreeing observation. */
  since: number;
  locations: string[];
}

export interface Decision {
  state: MonitorState;
  /** Ask for an immediate recheck (the change is not confirmed yet). */
  recheck: boolean;
  transition: Transition | null;
}

/** With one location, a recheck from the same place confirms; with several, a majority must agree. */
export function confirmationRule(locations: number): ConfirmationRule {
  return locations <= 1 ? { required: 2, distinctLocations: false } : { required: Math.max(2, Math.floor(locations / 2) + 1), distinctLocations: true };
}

export function observe(state: MonitorState, obs: Observation, rule: ConfirmationRule): Decision {
  const seen: Status = obs.ok ? 'up' : 'down';
  if (seen === state.status) {
    // Agrees with the current status: any pending change was a blip.
    const stable: MonitorState = { status: state.status, confirming: null, confirmSince: null, confirmLocations: [] };
    return { state: stable, recheck: false, transition: null };
  }
  const continuing = state.confirming === seen;
  const since = continuing ? state.confirmSince! : obs.at;
  let locations = continuing ? state.confirmLocations : [];
  if (!(rule.distinctLocations && locations.includes(obs.location))) locations = [...locations, obs.location];
  if (locations.length >= rule.required) {
    return {
      state: { status: seen, confirming: null, confirmSince: null, confirmLocations: [] },
      recheck: false,
      transition: { to: seen, since, locations },
    };
  }
  return { state: { status: state.status, confirming: seen, confirmSince: since, confirmLocations: locations }, recheck: true, transition: null };
}

/** A project's quorum setting: a number of locations, or more than half (null in the database). */
export type Quorum = number | 'majority';

export function parseQuorum(input: string): Quorum {
  if (input === 'majority') return 'majority';
  const n = Number(input);
  if (!/^\d+$/.test(input) || n < 2 || n > 18) throw new ValidationError(`Quorum must be "majority" or a number of regions from 2 to 18, got "${input}"`);
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
  const against = [...votes].filter(([, v]) => (v.ok ? 'up' : 'down') !== state.status).sort((a, b) => a[1].at - b[1].at);
  if (against.length === 0) {
    return { state: { status: state.status, confirming: null, confirmSince: null, confirmLocations: [] }, recheck: false, transition: null };
  }
  const seen: Status = state.status === 'up' ? 'down' : 'up';
  const names = against.map(([l]) => l);
  const continuing = state.confirming === seen;
  const kept = continuing ? [...new Set(state.confirmLocations)].filter((l) => names.includes(l)) : [];
  const locations = [...kept, ...names.filter((l) => !kept.includes(l))];
  // A change that begins now (also one a location that never agreed with the new status still asks for) starts now.
  const since = continuing && kept.length ? state.confirmSince! : obs.at;
  if (locations.length >= required) {
    return { state: { status: seen, confirming: null, confirmSince: null, confirmLocations: [] }, recheck: false, transition: { to: seen, since, locations } };
  }
  const recheck = (obs.ok ? 'up' : 'down') === seen && !kept.includes(obs.location);
  return { state: { status: state.status, confirming: seen, confirmSince: since, confirmLocations: locations }, recheck, transition: null };
}
