// Runs every test file under test/ (test/support holds helpers, not tests). Node 20 runs zero
// tests for a bare folder and still exits 0, so the files are found here and named one by one.
// VIGIL_TEST_DATABASE_URL=postgres://… runs the same suite on PostgreSQL.
// It builds dist/ first (scripts/build.js, incremental): the tests that start `vigil`
// (bin/vigil.js) run the compiled code that ships, never a build older than src/.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { build } from './build.js';

const root = path.resolve(import.meta.dirname, '..');

/** Every *.test.ts below `dir`, sorted, relative to the checkout. */
export function findTests(dir = path.join(root, 'test')) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'support') out.push(...findTests(full));
    else if (entry.isFile() && entry.name.endsWith('.test.ts')) out.push(path.relative(root, full));
  }
  return out.sort();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const named = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const files = named.length ? [] : findTests();
  if (!named.length && files.length === 0) {
    console.error('no test files found under test/');
    process.exit(1);
  }
  const error = build();
  if (error) {
    console.error(`npm test: the build of dist/ failed, no test ran: ${error}`);
    process.exit(1);
  }
  const args = ['--import', 'tsx', '--test', '--test-reporter=spec', ...process.argv.slice(2), ...files];
  const res = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root });
  process.exit(res.status ?? 1);
}
