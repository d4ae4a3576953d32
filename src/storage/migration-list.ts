import { engine, foundation, type Migration } from './migrations.ts';
import { migration as healthchecks } from './migrations/003_healthchecks.ts';
import { migration as incidentsMaintenance } from './migrations/004_incidents_maintenance.ts';
import { migration as statusPages } from './migrations/005_statuspages.ts';
import { migration as outageActions } from './migrations/006_outage_actions.ts';
import { migration as users } from './migrations/007_users.ts';
import { migration as importLinks } from './migrations/008_import_links.ts';
import { migration as alerting } from './migrations/009_alerting.ts';
import { migration as dashboardList } from './migrations/010_dashboard_list.ts';
import { migration as maintenanceNotice } from './migrations/011_maintenance_notice.ts';
import { migration as regionalProbes } from './migrations/014_regional_probes.ts';
import { migration as quorum } from './migrations/015_quorum.ts';
import { migration as checkClaims } from './migrations/016_check_claims.ts';
import { migration as expiryAlerts } from './migrations/017_expiry_alerts.ts';
import { migration as hostnameProof } from './migrations/018_hostname_proof.ts';
import { migration as invitations } from './migrations/019_invitations.ts';
import { migration as subscriberConfirmation } from './migrations/020_subscriber_confirmation.ts';
import { migration as boundedReads } from './migrations/021_bounded_reads.ts';
import { migration as accountSecurity } from './migrations/022_account_security.ts';
import { migration as pageFingerprint } from './migrations/023_page_fingerprint.ts';
import { migration as compactResults } from './migrations/024_compact_results.ts';

/**
 * Every migration, in the order they run (store.ts applies the ones a database lacks). There is
 * no 012 or 013: those numbers were taken by work that never landed, so no database has them,
 * and migrations are known by id, not by their count. The files are history: never edit one,
 * add the next.
 */
export const migrations: Migration[] = [
  foundation,
  engine,
  healthchecks,
  incidentsMaintenance,
  statusPages,
  outageActions,
  users,
  importLinks,
  alerting,
  dashboardList,
  maintenanceNotice,
  regionalProbes,
  quorum,
  checkClaims,
  expiryAlerts,
  hostnameProof,
  invitations,
  subscriberConfirmation,
  boundedReads,
  accountSecurity,
  pageFingerprint,
  compactResults,
];
