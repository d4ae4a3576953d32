import type { Migration } from '../migrations.ts';

/**
 * Status-page incidents with their timeline, and maintenance windows. Monitor references live
 * in link tables (ordered by `position`) so a deleted monitor drops out of both, and so the
 * engine can ask "is this monitor under maintenance now?" with one indexed query.
 */
export const migration: Migration = {
  id: '004_incidents_maintenance',
  sql: `
CREATE TABLE incidents (
  id {{pk}},
  uuid TEXT NOT NULL UNIQUE,
  project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  at BIGINT NOT NULL,
  title TEXT NOT NULL,
  text TEXT NOT NULL,
  type TEXT NOT NULL,
  statuspages TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX incidents_project ON incidents(project_id, at);
CREATE TABLE incident_updates (
  id {{pk}},
  uuid TEXT NOT NULL UNIQUE,
  incident_id BIGINT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
  at BIGINT NOT NULL,
  text TEXT NOT NULL,
  type TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX incident_updates_incident ON incident_updates(incident_id, at);
CREATE TABLE incident_monitors (
  incident_id BIGINT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
  monitor_id BIGINT NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  PRIMARY KEY (incident_id, monitor_id)
);
CREATE INDEX incident_monitors_monitor ON incident_monitors(monitor_id);
CREATE TABLE maintenance_windows (
  id {{pk}},
  uuid TEXT NOT NULL UNIQUE,
  project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  title TEXT NOT NULL,
  text TEXT NOT NULL,
  starts_at BIGINT NOT NULL,
  ends_at BIGINT NOT NULL,
  statuspages TEXT NOT NULL,
  notification_option TEXT NOT NULL,
  notification_minutes INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX maintenance_windows_project ON maintenance_windows(project_id, id);
CREATE TABLE maintenance_monitors (
  window_id BIGINT NOT NULL REFERENCES maintenance_windows(id) ON DELETE CASCADE,
  monitor_id BIGINT NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  PRIMARY KEY (window_id, monitor_id)
);
CREATE INDEX maintenance_monitors_monitor ON maintenance_monitors(monitor_id, window_id);
`,
};
