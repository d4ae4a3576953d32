/**
 * Check schedules on a fixed grid: a monitor with frequency F runs at phase + k·F. The grid
 * never drifts, a restart resumes at the next slot (no replay of missed ones), and a recheck
 * does not move the grid.
 */

/** First check of a new (or resumed, or re-timed) monitor: spread over min(F, 60 s). */
export function firstCheckAt(now: number, frequencyS: number, random = Math.random()): number {
  return now + Math.floor(random * Math.min(frequencyS, 60) * 1000);
}

export function phaseOf(at: number, frequencyS: number): number {
  return at % (frequencyS * 1000);
}

/** The first slot strictly after `after`. */
export function nextSlot(after: number, frequencyS: number, phase: number): number {
  const f = frequencyS * 1000;
  return after - ((((after - phase) % f) + f) % f) + f;
}
