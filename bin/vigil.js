#!/usr/bin/env node
// Runs the compiled JavaScript in dist/ (built from src/ by scripts/build.js, which `npm ci`,
// `npm run build` and `npm test` run): no TypeScript compiler at run time.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';

// V8 sometimes decides, from the first requests, to allocate request-scoped objects straight
// into the old generation; every young-generation GC then costs ~6 ms instead of ~0.8 ms and
// API throughput drops by a quarter (bench/api.ts, docs/benchmarks.md). Decided per process.
v8.setFlagsFromString('--no-allocation-site-pretenuring');

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!fs.existsSync(main)) {
  console.error(`vigil: ${fileURLToPath(main)} is missing: build it with \`npm run build\` (npm ci does it too)`);
  process.exit(1);
}
// A checkout edited since its last build would run the old code: say so (a walk of src/, a few ms).
const src = new URL('../src/', import.meta.url);
const built = (fs.statSync(new URL('../dist/.built', import.meta.url), { throwIfNoEntry: false }) ?? fs.statSync(main))
  .mtimeMs;
const newer = (dir) =>
  fs.readdirSync(dir, { withFileTypes: true }).some((e) => {
    const p = new URL(e.name + (e.isDirectory() ? '/' : ''), dir);
    return e.isDirectory() ? newer(p) : fs.statSync(p).mtimeMs > built;
  });
if (fs.existsSync(src) && newer(src))
  console.error('vigil: src/ has changed since dist/ was built: run `npm run build` to run the changes');
await import(main.href);
