#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so `npm ci` is the whole install.
import v8 from 'node:v8';
import { register } from 'tsx/esm/api';

// V8 sometimes decides, from the first requests, to allocate request-scoped objects straight
// into the old generation; every young-generation GC then costs ~6 ms instead of ~0.8 ms and
// API throughput drops by a quarter (bench/api.ts, docs/benchmarks.md). Decided per process.
v8.setFlagsFromString('--no-allocation-site-pretenuring');
register();
await import('../src/cli/main.ts');
