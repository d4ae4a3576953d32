import type { TargetPolicy } from '../egress/policy.ts';
import type { CheckResult, CheckTarget } from '../domain/checks.ts';

/**
 * The interface of a check kind (one file each in probes/): `signal` fires at the check's
 * timeout or when the caller aborts. A probe resolves with its result (pass or a failure it
 * names) and throws on errors, which runCheck (probe.ts) turns into short reasons.
 */
export interface ProbeContext {
  signal: AbortSignal;
  timeoutMs: number;
  policy: TargetPolicy;
  ca?: string | Buffer;
}

export type Probe = (target: CheckTarget, ctx: ProbeContext) => Promise<CheckResult>;
