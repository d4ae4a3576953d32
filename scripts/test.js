// Runs every test file, listed explicitly (on Node 20 a bare folder runs zero tests).
// VIGIL_TEST_DATABASE_URL=postgres://… runs the same suite on PostgreSQL.
import { spawnSync } from 'node:child_process';

export const files = [
  'test/unit/domain.test.ts',
  'test/unit/engine-rules.test.ts',
  'test/api/outages-reports.test.ts',
  'test/api/monitors.test.ts',
  'test/api/auth.test.ts',
  'test/api/robustness.test.ts',
  'test/cli.test.ts',
  'test/engine.test.ts',
  'test/probes.test.ts',
  'test/api/healthchecks.test.ts',
  // [marker: healthchecks tests]
  'test/api/incidents.test.ts',
  'test/api/maintenance.test.ts',
  // [marker: incidents-maintenance tests]
  'test/api/public-pages.test.ts',
  'test/browser/status-page.test.ts',
  // [marker: public pages tests]
  'test/api/statuspages.test.ts',
  // [marker: statuspages tests]
  'test/api/outage-actions.test.ts',
  // [marker: outage-actions tests]
  'test/api/mcp.test.ts',
  // [marker: mcp tests]
  'test/api/metrics.test.ts',
  // [marker: metrics tests]
  'test/dashboard/auth.test.ts',
  'test/cli-users.test.ts',
  'test/browser/dashboard.test.ts',
  // [marker: dashboard tests]
  'test/dashboard/monitors.test.ts',
  'test/dashboard/monitor-page.test.ts',
  'test/browser/dashboard-monitors.test.ts',
  'test/dashboard/manage.test.ts',
  'test/browser/dashboard-manage.test.ts',
  // [marker: dashboard monitoring tests]
  'test/import.test.ts',
  // [marker: import tests]
  'test/security.test.ts',
  'test/crash.test.ts',
  'test/fuzz.test.ts',
  'test/backup.test.ts',
  // [marker: hardening tests]
  'test/deploy.test.ts',
  // [marker: deploy tests]
  'test/api/alerting.test.ts',
  'test/notify/outbox.test.ts',
  'test/notify/channels.test.ts',
  'test/notify/email.test.ts',
  'test/notify/kill.test.ts',
  // [marker: alerting tests]
  'test/dashboard/alerting.test.ts',
  'test/notify/housekeeping.test.ts',
  'test/notify/subscribers.test.ts',
  // [marker: alerting dashboard]
  'test/dashboard/members.test.ts',
  'test/dashboard/editing.test.ts',
  // [marker: dashboard members]
  'test/regional-probes.test.ts',
  // [marker: regional probes]
  'test/env.test.ts',
  'test/rebinding.test.ts',
  'test/soak.test.ts',
  'test/alert-crash.test.ts',
  // [marker: hardening 2]
  'test/dashboard/leftovers.test.ts',
  // [marker: dashboard leftovers]
  'test/quorum.test.ts',
  // [marker: quorum]
  'test/scale.test.ts',
  // [marker: scale]
  'test/takeover.test.ts',
  // [marker: takeover]
  'test/dashboard/quorum.test.ts',
  // [marker: dashboard quorum]
];

const args = ['--import', 'tsx', '--test', '--test-reporter=spec', ...process.argv.slice(2)];
const res = spawnSync(process.execPath, [...args, ...(process.argv.length > 2 ? [] : files)], { stdio: 'inherit' });
process.exit(res.status ?? 1);
