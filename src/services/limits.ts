import type { Kysely, Transaction } from 'kysely';
import { ValidationError } from '../domain/errors.ts';
import { DEFAULT_LIMITS, LIMIT_NOUNS, LIMIT_VARIABLES, type ProjectLimits } from '../domain/project-limits.ts';
import type { Ctx } from './context.ts';
import type { Database } from '../storage/schema.ts';
import type { Store } from '../storage/store.ts';

type Db = Transaction<Database> | Kysely<Database>;

const TABLES = {
  monitors: 'monitors',
  healthchecks: 'healthchecks',
  statusPages: 'status_pages',
  apiKeys: 'api_keys',
  channels: 'notification_channels',
  escalationPolicies: 'escalation_policies',
} as const;

// Advisory lock keys of "one creation at a time per project and kind" (PostgreSQL; SQLite serialises writers).
const LOCK_BASE = 1_000_000_000;

/**
 * Inside the creating transaction: waits for other creations of this kind in the project, then
 * refuses with a 422 when the project already holds its limit. Revoked API keys do not count.
 */
export async function ensureRoom(
  trx: Transaction<Database>,
  store: Store,
  ctx: Ctx,
  what: keyof ProjectLimits,
  projectId: number,
): Promise<void> {
  const limit = (ctx.limits ?? DEFAULT_LIMITS)[what];
  await store.serialize(trx, LOCK_BASE + Object.keys(TABLES).indexOf(what) * 100_000_000 + projectId);
  const n = await count(trx, what, projectId);
  if (n >= limit) {
    throw new ValidationError(
      `This project has reached its limit of ${limit} ${LIMIT_NOUNS[what]} (${LIMIT_VARIABLES[what]}); delete some or raise the limit`,
    );
  }
}

async function count(db: Db, what: keyof ProjectLimits, projectId: number): Promise<number> {
  let q = db
    .selectFrom(TABLES[what])
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('project_id', '=', projectId);
  if (what === 'apiKeys') q = q.where('revoked_at' as never, 'is', null);
  const row = await q.executeTakeFirstOrThrow();
  return Number(row.n);
}
