import type { Migration } from '../migrations.ts';

/**
 * Raw results and rollups keyed by what reads them (issue 18: bytes per result). A result's key
 * is (monitor_id, at, id), the order every reader walks, so the (monitor_id, at) index goes:
 * SQLite keeps the rows themselves in that order (WITHOUT ROWID) and numbers them from a counter
 * row in id_sequences, carried on from the old table's AUTOINCREMENT (Store.checkResultIds);
 * PostgreSQL makes it the primary key in place of id alone, ids still from the identity
 * sequence. Rollups keep their key, on SQLite as the table itself rather than a second copy of
 * it, and lose check_rollups_age: retention walks them by monitor, through the key.
 */
export const migration: Migration = {
  id: '024_compact_results',
  sql: `
DROP INDEX check_rollups_age;
`,
  only: {
    sqlite: `
CREATE TABLE check_results_024 (
  id INTEGER NOT NULL,
  monitor_id BIGINT NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
  at BIGINT NOT NULL,
  location TEXT NOT NULL,
  ok INTEGER NOT NULL,
  status_code INTEGER,
  total_ms INTEGER,
  dns_ms INTEGER,
  connect_ms INTEGER,
  tls_ms INTEGER,
  ttfb_ms INTEGER,
  error TEXT,
  PRIMARY KEY (monitor_id, at, id)
) WITHOUT ROWID;
INSERT INTO check_results_024
  (id, monitor_id, at, location, ok, status_code, total_ms, dns_ms, connect_ms, tls_ms, ttfb_ms, error)
  SELECT id, monitor_id, at, location, ok, status_code, total_ms, dns_ms, connect_ms, tls_ms, ttfb_ms, error
  FROM check_results ORDER BY monitor_id, at, id;
CREATE TABLE id_sequences (
  name TEXT PRIMARY KEY,
  last_id BIGINT NOT NULL
);
INSERT INTO id_sequences (name, last_id) VALUES ('check_results', max(
  coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'check_results'), 0),
  coalesce((SELECT max(id) FROM check_results), 0)
));
DROP TABLE check_results;
ALTER TABLE check_results_024 RENAME TO check_results;
CREATE INDEX check_results_failures ON check_results(monitor_id, at) WHERE ok = 0;
CREATE TABLE check_rollups_024 (
  monitor_id BIGINT NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
  granularity TEXT NOT NULL,
  bucket BIGINT NOT NULL,
  location TEXT NOT NULL,
  checks INTEGER NOT NULL,
  failures INTEGER NOT NULL,
  sum_ms BIGINT NOT NULL,
  min_ms INTEGER,
  max_ms INTEGER,
  h0 INTEGER NOT NULL DEFAULT 0, h1 INTEGER NOT NULL DEFAULT 0, h2 INTEGER NOT NULL DEFAULT 0,
  h3 INTEGER NOT NULL DEFAULT 0, h4 INTEGER NOT NULL DEFAULT 0, h5 INTEGER NOT NULL DEFAULT 0,
  h6 INTEGER NOT NULL DEFAULT 0, h7 INTEGER NOT NULL DEFAULT 0, h8 INTEGER NOT NULL DEFAULT 0,
  h9 INTEGER NOT NULL DEFAULT 0, h10 INTEGER NOT NULL DEFAULT 0, h11 INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (monitor_id, granularity, bucket, location)
) WITHOUT ROWID;
INSERT INTO check_rollups_024 SELECT monitor_id, granularity, bucket, location, checks, failures, sum_ms, min_ms,
  max_ms, h0, h1, h2, h3, h4, h5, h6, h7, h8, h9, h10, h11
  FROM check_rollups ORDER BY monitor_id, granularity, bucket, location;
DROP TABLE check_rollups;
ALTER TABLE check_rollups_024 RENAME TO check_rollups;
`,
    postgres: `
ALTER TABLE check_results DROP CONSTRAINT check_results_pkey;
ALTER TABLE check_results ADD PRIMARY KEY (monitor_id, at, id);
DROP INDEX check_results_monitor;
`,
  },
};
