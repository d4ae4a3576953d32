import type { Store } from '../storage/store.ts';
import type { Permission } from '../domain/api-keys.ts';
import type { ProjectLimits } from '../domain/project-limits.ts';

/** Who is acting: an API key of one project, or an operator at the CLI. */
export interface Actor {
  projectId: number;
  projectUuid: string;
  permission: Permission;
  keyId: string | null;
  /** A dashboard user acting in the project (no key then): named where an action records who. */
  user?: { uuid: string; email: string } | null;
}

export interface Logger {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

/** What every service function receives; built once in main.ts (or the test harness). */
export interface Ctx {
  store: Store;
  clock: () => number;
  log: Logger;
  /** How much one project may hold (domain/project-limits.ts); the defaults when absent. */
  limits?: ProjectLimits;
  /** VIGIL_PUBLIC_URL: its host is the server's own, which no status page may claim. */
  publicUrl?: string;
  /** VIGIL_SMTP_URL is set: messages to people (invitations, confirmations) go out by email. */
  emailEnabled?: boolean;
}

export interface ActorCtx extends Ctx {
  actor: Actor;
}

export const iso = (ms: number): string => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null): string | null => (ms == null ? null : iso(ms));

/**
 * Lets the event loop run (timers, I/O, other requests). SQLite reads are synchronous and a
 * chain of awaited queries never leaves the microtask queue, so work that walks a large set in
 * chunks yields between them: each stall stays short however large the set.
 */
export const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
