// Builds dist/ from src/: what `vigil` (bin/vigil.js) runs. `npm ci` runs it (the `prepare`
// script), and so do `npm run build`, `npm test` (scripts/test.js) and the benchmarks.
//   1. tsc -p tsconfig.build.json: src/**/*.ts → dist/**/*.js, incrementally (dist/.tsbuildinfo);
//   2. every other file under src/ (the dashboard's CSS and JS, …) is copied to the same place
//      under dist/, whatever folder it is in;
//   3. whatever in dist/ no longer comes from a file in src/ (a file moved or deleted) is removed.
// Exits non-zero with one line on stderr when the build fails.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';

const root = path.resolve(import.meta.dirname, '..');
const SRC = path.join(root, 'src');
const DIST = path.join(root, 'dist');
const BUILDINFO = path.join(DIST, '.tsbuildinfo');
// Written at the end of every successful build: bin/vigil.js warns when src/ is newer.
const STAMP = path.join(DIST, '.built');
const TSCONFIG = path.join(root, 'tsconfig.build.json');

/** Every file below `dir`, relative to it. */
function walk(dir, rel = '') {
  const out = [];
  let entries;
  try {
    entries = fs.readdirSync(path.join(dir, rel), { withFileTypes: true });
  } catch (err) {
    if (err.code === 'ENOENT') return out;
    throw err;
  }
  for (const e of entries) {
    const r = path.join(rel, e.name);
    if (e.isDirectory()) out.push(...walk(dir, r));
    else if (e.isFile() || e.isSymbolicLink()) out.push(r);
  }
  return out;
}

const isSource = (f) => f.endsWith('.ts') && !f.endsWith('.d.ts');

/** The files tsc writes for one source file. */
const outputsOf = (f) => {
  const js = `${f.slice(0, -'.ts'.length)}.js`;
  return [js, `${js}.map`];
};

function tscPath() {
  try {
    return createRequire(path.join(root, 'package.json')).resolve('typescript/bin/tsc');
  } catch {
    return null;
  }
}

function runTsc(tsc) {
  const res = spawnSync(process.execPath, [tsc, '-p', TSCONFIG], { cwd: root, stdio: 'inherit' });
  return res.status ?? 1;
}

/** Builds dist/; returns an error line, or null when dist/ is complete and current. */
export function build() {
  const tsc = tscPath();
  if (!tsc) {
    return (
      'TypeScript is not installed, so dist/ cannot be built: install with `npm ci` (it is a devDependency; ' +
      'for a production install run `npm prune --omit=dev` after `npm ci`, docs/operations.md)'
    );
  }
  const files = walk(SRC);
  const sources = files.filter(isSource);
  if (sources.length === 0) return 'no TypeScript files under src/';

  let status = runTsc(tsc);
  // tsc --incremental trusts dist/.tsbuildinfo and does not look at its outputs: if one was
  // deleted since, it would not be written again. Forget the build info and compile it all.
  const missing = () => sources.flatMap(outputsOf).filter((f) => !fs.existsSync(path.join(DIST, f)));
  if (status === 0 && missing().length) {
    fs.rmSync(BUILDINFO, { force: true });
    status = runTsc(tsc);
  }
  if (status !== 0)
    return `tsc -p tsconfig.build.json failed (exit ${status}, its errors above): dist/ may not match src/`;
  const still = missing();
  if (still.length)
    return `tsc did not write ${still
      .slice(0, 3)
      .map((f) => `dist/${f}`)
      .join(', ')}${still.length > 3 ? ', …' : ''}`;

  // Everything under src/ that is not TypeScript goes to the same place under dist/.
  const assets = files.filter((f) => !f.endsWith('.ts'));
  for (const f of assets) {
    const from = path.join(SRC, f);
    const to = path.join(DIST, f);
    const a = fs.statSync(from);
    const b = fs.statSync(to, { throwIfNoEntry: false });
    if (b && b.size === a.size && b.mtimeMs === a.mtimeMs) continue;
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(from, to);
    fs.utimesSync(to, a.atime, a.mtime);
  }

  // Nothing stays in dist/ that src/ no longer has (a file moved to another folder, or deleted).
  const keep = new Set([
    ...sources.flatMap(outputsOf),
    ...assets,
    path.relative(DIST, BUILDINFO),
    path.relative(DIST, STAMP),
  ]);
  for (const f of walk(DIST)) if (!keep.has(f)) fs.rmSync(path.join(DIST, f), { force: true });
  removeEmptyDirs(DIST);
  fs.writeFileSync(STAMP, `${new Date().toISOString()}\n`);
  return null;
}

function removeEmptyDirs(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const sub = path.join(dir, e.name);
    removeEmptyDirs(sub);
    if (fs.readdirSync(sub).length === 0) fs.rmdirSync(sub);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const error = build();
  if (error) {
    console.error(`vigil build: ${error}`);
    process.exit(1);
  }
}
