/**
 * Check schedules on a fixed grid: a monitor with frequency F runs at phase + k·F. The grid
 * never drifts, a restart resumes at the next slot (no replay of missed ones), and a recheck
 * does not move the grid.
 */

/** First checks are spread over this much (or the interval when shorter): at once, yet a bulk import does not fire together. */
export const FIRST_CHECK_SPREAD_MS = 5000;

/** First check of a new (or resumed, or re-timed) monitor: within a few seconds, whatever its interval. */
export function firstCheckAt(now: number, frequencyS: number, random = Math.random()): number {
  return now + Math.floor(random * Math.min(frequencyS * 1000, FIRST_CHECK_SPREAD_MS));
}

/**
 * The grid a monitor continues on after its first check: a phase spread over the whole
 * interval, so monitors created together are not checked together ever after.
 */
export function gridPhase(frequencyS: number, random = Math.random()): number {
  return Math.floor(random * frequencyS * 1000);
}

export function phaseOf(at: number, frequencyS: number): number {
  return at % (frequencyS * 1000);
}

/** The first slot strictly after `after`. */
export function nextSlot(after: number, frequencyS: number, phase: number): number {
  const f = frequencyS * 1000;
  return after - ((((after - phase) % f) + f) % f) + f;
}
