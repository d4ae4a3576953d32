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
  return locations <= 1
    ? { required: 2, distinctLocations: false }
    : { required: Math.max(2, Math.floor(locations / 2) + 1), distinctLocations: true };
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
  return {
    state: { status: state.status, confirming: seen, confirmSince: since, confirmLocations: locations },
    recheck: true,
    transition: null,
  };
}
