import { hash } from 'node:crypto';
import { randomAlnum } from './ids.ts';
import { ValidationError } from './errors.ts';
import { REGIONS } from './monitors.ts';

export type Region = (typeof REGIONS)[number];

/** pt_ + 32 random [A-Za-z0-9] (≈190 bits), like API keys but never accepted as one. */
export const PROBE_TOKEN_PATTERN = /^pt_[A-Za-z0-9]{28,}$/;

export function generateProbeToken(): string {
  return `pt_${randomAlnum(32)}`;
}

export function hashProbeToken(token: string): string {
  return hash('sha256', token, 'hex');
}

export function maskProbeToken(token: string): string {
  return `${token.slice(0, 7)}…${token.slice(-4)}`;
}

export function parseRegion(input: string | null | undefined): Region {
  if (!input || !REGIONS.includes(input as Region)) {
    throw new ValidationError(`Region must be one of ${REGIONS.join(', ')}, got "${input ?? ''}"`);
  }
  return input as Region;
}

/** Check results one post may carry (a probe posts what it ran since its last post). */
export const MAX_RESULTS_PER_POST = 1000;
/**
 * A lease answer carries each check's target (URL, body, headers: up to 515 KB for a monitor at
 * every bound): a batch stops once its targets pass this many bytes (the first check always
 * goes), and the answer's `more` tells the probe to lease again at once.
 */
export const LEASE_TARGET_BYTES = 8 * 1024 * 1024;

/** A probe is live while it has been heard from within this window (two missed 30 s heartbeats). */
export const DEFAULT_PROBE_LIVE_MS = 60_000;
/** How long a probe holds a leased check before another probe of the region may take it over. */
export const DEFAULT_PROBE_LEASE_MS = 90_000;

/**
 * The built-in probe checks a monitor unless every one of its regions has a live dedicated
 * probe. It does not stand in for them while a change awaits confirmation: the probes'
 * regions recheck themselves (their schedule rows are made due at once) and vote in the quorum.
 */
export function builtInChecks(regions: readonly string[], liveRegions: ReadonlySet<string> | undefined): boolean {
  if (!liveRegions || regions.length === 0) return true;
  return regions.some((r) => !liveRegions.has(r));
}
