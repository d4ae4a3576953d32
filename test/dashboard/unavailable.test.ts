// The dashboard when the database refuses: a page that says so, 503 with Retry-After, never 500.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { PG_URL } from '../harness.ts';
import { csrfOf } from '../support/browser-client.ts';
import { dashboardProject } from '../support/dashboard-session.ts';

describe('a SQLite database locked by another process', { skip: !!PG_URL && 'SQLite only' }, () => {
  let ctx: Awaited<ReturnType<typeof dashboardProject>>;
  before(async () => {
    ctx = await dashboardProject();
  });
  after(() => ctx.h.stop());

  test('a dashboard write waits the busy timeout, then answers 503 with a page that says nothing changed', async () => {
    const { admin, at, h } = ctx;
    const form = await admin.get(at('monitors/new'));
    assert.equal(form.status, 200);
    const fields = {
      _csrf: csrfOf(form.text),
      name: 'locked',
      url: 'https://example.org',
      protocol: 'http',
      http_method: 'GET',
      expected_status_code: '2xx',
      check_frequency: '60',
      timeout: '10',
      alerts_wait: '0',
      regions: 'london',
    };
    const other = new SQLite(path.join(h.db.dataDir, 'vigil.db'));
    try {
      other.exec('BEGIN EXCLUSIVE');
      other.prepare('UPDATE projects SET name = name').run();
      const res = await admin.post(at('monitors'), fields);
      assert.equal(res.status, 503, res.text.slice(0, 300));
      assert.equal(res.headers.get('retry-after'), '5');
      assert.match(res.text, /the database is locked by another process\)\. Nothing was changed\./);
    } finally {
      if (other.inTransaction) other.exec('ROLLBACK');
      other.close();
    }
    const ok = await admin.post(at('monitors'), fields);
    assert.equal(ok.status, 303, ok.text.slice(0, 300));
  });
});
