import { sql, type Kysely, type RawBuilder } from 'kysely';
import { padToPowerOfTwo, powerOfTwoChunks } from './group-commit.ts';
import type { Database } from './schema.ts';
import type { Dialect } from './store.ts';

/** The SQL type of a column of rows passed in bulk (PostgreSQL needs it to read the array). */
export type BulkType = 'bigint' | 'text';
export type BulkColumns = Record<string, BulkType>;

// A statement's text should not depend on how many rows it carries: PostgreSQL gets an array per
// column, unnested (a parameter per column, whatever the count); SQLite, VALUES lists in
// power-of-two sizes, so a few texts fill its prepared-statement cache.

function unnest(columns: BulkColumns, rows: unknown[][]): RawBuilder<unknown> {
  const names = Object.keys(columns);
  const arrays = names.map((n, i) => sql`CAST(${rows.map((r) => r[i])} AS ${sql.raw(columns[n])}[])`);
  return sql`unnest(${sql.join(arrays)}) AS v(${sql.join(names.map((n) => sql.id(n)))})`;
}

function values(columns: BulkColumns, rows: unknown[][]): RawBuilder<unknown> {
  const named = sql.join(Object.keys(columns).map((n, i) => sql`${sql.id(`column${i + 1}`)} AS ${sql.id(n)}`));
  return sql`(SELECT ${named} FROM (VALUES ${sql.join(rows.map((r) => sql`(${sql.join(r)})`))})) AS v`;
}

/**
 * Rows as one table `v` with the given columns, for `UPDATE … FROM` and joins: statements where a
 * repeated row changes nothing (SQLite's list is padded to a power of two with the last row).
 */
export function rowTable(dialect: Dialect, columns: BulkColumns, rows: unknown[][]): RawBuilder<unknown> {
  return dialect === 'postgres' ? unnest(columns, rows) : values(columns, padToPowerOfTwo(rows));
}

/**
 * The statements that insert rows (objects with the given columns) into `table`: one on
 * PostgreSQL, a few on SQLite; none for no rows.
 */
export function insertStatements<R extends object>(
  dialect: Dialect,
  table: keyof Database,
  columns: { [C in keyof R]?: BulkType },
  rows: R[],
  returning: string[] = [],
): RawBuilder<unknown>[] {
  if (rows.length === 0) return [];
  const cols = columns as BulkColumns;
  const names = Object.keys(cols);
  const ids = sql.join(names.map((n) => sql.id(n)));
  const back = returning.length ? sql` RETURNING ${sql.join(returning.map((n) => sql.id(n)))}` : sql``;
  const list = rows.map((r) => names.map((n) => (r as Record<string, unknown>)[n] ?? null));
  const tables = dialect === 'postgres' ? [unnest(cols, list)] : powerOfTwoChunks(list).map((c) => values(cols, c));
  return tables.map((v) => sql`INSERT INTO ${sql.table(table)} (${ids}) SELECT ${ids} FROM ${v}${back}`);
}

/** One change made of statements (one on PostgreSQL); `returns` when they end with RETURNING. */
export interface Write {
  statements: RawBuilder<unknown>[];
  returns?: boolean;
}

/**
 * Runs changes that do not read one another's work, and returns the RETURNING rows of each. On
 * PostgreSQL they go as one statement (data-modifying WITH, one round trip), every part seeing
 * the rows as they were before it; on SQLite one after the other, in order. So callers write
 * them as if they ran together: a DELETE placed before an INSERT never sees its rows.
 */
export async function writeTogether(db: Kysely<Database>, dialect: Dialect, writes: Write[]): Promise<unknown[][]> {
  if (dialect === 'sqlite') {
    const out: unknown[][] = [];
    for (const w of writes) {
      const rows: unknown[] = [];
      for (const s of w.statements) rows.push(...(await s.execute(db)).rows);
      out.push(rows);
    }
    return out;
  }
  const name = (i: number, j: number) => sql.id(`w${i}_${j}`);
  const parts = writes.flatMap((w, i) => w.statements.map((s, j) => sql`${name(i, j)} AS (${s})`));
  if (parts.length === 0) return writes.map(() => []);
  const results = writes.map((w, i) => {
    if (!w.returns || w.statements.length === 0) return sql`NULL`;
    const union = sql.join(
      w.statements.map((_, j) => sql`SELECT * FROM ${name(i, j)}`),
      sql` UNION ALL `,
    );
    return sql`(SELECT json_agg(x) FROM (${union}) AS x)`;
  });
  const { rows } = await sql<Record<string, unknown[] | null>>`WITH ${sql.join(parts)} SELECT ${sql.join(
    results.map((r, i) => sql`${r} AS ${sql.id(`r${i}`)}`),
  )}`.execute(db);
  return writes.map((_, i) => rows[0][`r${i}`] ?? []);
}
