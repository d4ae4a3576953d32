// Runs every test file under test/ (test/support holds helpers, not tests). Node 20 runs zero
// tests for a bare folder and still exits 0, so the files are found here and named one by one.
// VIGIL_TEST_DATABASE_URL=postgres://… runs the same suite on PostgreSQL.
// It builds dist/ first (scripts/build.js, incremental): the tests that start `vigil`
// (bin/vigil.js) run the compiled code that ships, never a build older than src/.
// --fast (npm run test:fast) leaves out the files of SLOW and runs the others side by side.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { build } from './build.js';

const root = path.resolve(import.meta.dirname, '..');

/**
 * What the fast tier leaves out: the browser, the long runs, and the tests that start `vigil`
 * (or the CLI, once per step) in processes of their own, kill or restart them, or need root for
 * network namespaces. A path ending in / is a folder. `npm test` runs them all.
 */
export const SLOW = [
  'test/browser/', // Chromium
  'test/soak.test.ts', // a 75-second soak
  'test/scale.test.ts', // server nodes and probes in processes of their own (PostgreSQL)
  'test/fuzz.test.ts', // thousands of generated inputs
  'test/crash.test.ts', // kill -9 of `vigil serve`, three rounds
  'test/alert-crash.test.ts', // kill -9 while alerts are sent
  'test/notify/kill.test.ts', // kill -9 of the dispatcher
  'test/takeover.test.ts', // a node killed, its claims taken over
  'test/live-nodes.test.ts', // two `vigil serve` processes, one storing, one streaming (PostgreSQL)
  'test/regional-probes.test.ts', // `vigil probe` processes
  'test/env.test.ts', // a full disk, a locked database, PostgreSQL down, shutdown
  'test/security.test.ts', // `vigil serve` restarted, its files and logs searched
  'test/backup.test.ts', // backup and restore through the CLI
  'test/import.test.ts', // `vigil import` from another server
  'test/deploy.test.ts', // nginx and systemd-analyze
  'test/cli.test.ts', // the CLI, one process per step
  'test/cli-users.test.ts',
  'test/cli-projects.test.ts',
  'test/ip-version.test.ts', // network namespaces
  'test/rebinding.test.ts',
];

const names = (entry, file) => (entry.endsWith('/') ? file.startsWith(entry) : file === entry);

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

/** The fast tier: every test file but SLOW's. An entry of SLOW that names no file (renamed?) is an error. */
export function fastTests() {
  const all = findTests();
  const stale = SLOW.filter((entry) => !all.some((f) => names(entry, f)));
  if (stale.length) throw new Error(`SLOW in scripts/test.js names no test file: ${stale.join(', ')}`);
  const fast = all.filter((f) => !SLOW.some((entry) => names(entry, f)));
  // The files that mostly wait on the engine's timers (20-35 s each) start first, beside the rest.
  return [...LONG_WAITS.filter((f) => fast.includes(f)), ...fast.filter((f) => !LONG_WAITS.includes(f))];
}

const LONG_WAITS = ['test/notify/expiry.test.ts', 'test/engine.test.ts', 'test/quorum.test.ts'];

// Compared as real paths: a checkout whose path holds a space or a %, or is reached through a
// symbolic link, would otherwise run nothing and pass.
if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const fast = args.includes('--fast');
  const passed = args.filter((a) => a !== '--fast');
  const named = passed.filter((a) => !a.startsWith('-'));
  const files = named.length ? [] : fast ? fastTests() : findTests();
  if (!named.length && files.length === 0) {
    console.error('no test files found under test/');
    process.exit(1);
  }
  const error = build();
  if (error) {
    console.error(`npm test: the build of dist/ failed, no test ran: ${error}`);
    process.exit(1);
  }
  // Node runs one file fewer than there are cores at a time (one file on 2 cores); the fast
  // tier's files mostly wait on sockets and timers, so it runs two per core.
  const concurrency =
    fast && !passed.some((a) => a.startsWith('--test-concurrency'))
      ? [`--test-concurrency=${2 * os.availableParallelism()}`]
      : [];
  const nodeArgs = ['--import', 'tsx', '--test', '--test-reporter=spec', ...concurrency, ...passed, ...files];
  const res = spawnSync(process.execPath, nodeArgs, { stdio: 'inherit', cwd: root });
  process.exit(res.status ?? 1);
}
