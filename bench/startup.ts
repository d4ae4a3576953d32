// Start-up benchmark: what starting `vigil` costs, for this checkout and optionally another one
// (`--vs DIR`, e.g. an older commit in a second clone, installed with `npm ci`), run in turn
// (A B A B …) so that both see the same machine. Each run gets an empty TMPDIR, as the systemd
// unit's PrivateTmp gives every start. Usage:
//   npm run bench:startup -- --runs 10 --vs /tmp/vigil-before
// Figures, median (min–max) over the runs:
//   help    `node bin/vigil.js --help`, spawn to exit (also with a warm TMPDIR: a second run in it);
//   healthz `npm start` (VIGIL_PORT, a fresh VIGIL_DATA_DIR) until GET /healthz answers 200;
//   rss     VmRSS of `node bin/vigil.js serve` 5 s (--idle) after its first 200 of /healthz
//           (/proc/<pid>/status).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '10' }, vs: { type: 'string' }, idle: { type: 'string', default: '5' } },
});
const RUNS = Number(values.runs);
const IDLE_MS = Number(values.idle) * 1000;
const checkouts = [path.resolve(import.meta.dirname, '..'), ...(values.vs ? [path.resolve(values.vs)] : [])];

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-startup-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net
      .createServer()
      .listen(0, '127.0.0.1', () => {
        const { port } = s.address() as net.AddressInfo;
        s.close(() => resolve(port));
      })
      .on('error', reject);
  });
}

async function healthy(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** Stops a process group started with detached: true and waits for its leader. */
async function stopGroup(child: ReturnType<typeof spawn>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  try {
    process.kill(-child.pid!, 'SIGTERM');
  } catch {
    /* already gone */
  }
  const t = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  }, 10_000);
  await gone;
  clearTimeout(t);
}

function help(dir: string, tmpdir: string): number {
  const t0 = performance.now();
  const res = spawnSync(process.execPath, ['bin/vigil.js', '--help'], {
    cwd: dir,
    env: { ...process.env, TMPDIR: tmpdir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ms = performance.now() - t0;
  if (res.status !== 0) throw new Error(`vigil --help in ${dir} exited ${res.status}: ${res.stderr}`);
  return ms;
}

/** `npm start` until /healthz answers 200, in ms. */
async function healthz(dir: string): Promise<number> {
  const [tmpdir, dataDir, port] = [tmp(), tmp(), await freePort()];
  const t0 = performance.now();
  const child = spawn('npm', ['start'], {
    cwd: dir,
    detached: true,
    stdio: 'ignore',
    env: {
      ...process.env,
      TMPDIR: tmpdir,
      VIGIL_DATA_DIR: dataDir,
      VIGIL_PORT: String(port),
      VIGIL_HOST: '127.0.0.1',
      VIGIL_LOG_LEVEL: 'warn',
    },
  });
  try {
    for (;;) {
      if (await healthy(port)) return performance.now() - t0;
      if (child.exitCode !== null) throw new Error(`npm start in ${dir} exited ${child.exitCode}`);
      if (performance.now() - t0 > 60_000) throw new Error(`npm start in ${dir}: no 200 from /healthz in 60 s`);
      await sleep(5);
    }
  } finally {
    await stopGroup(child);
    for (const d of [tmpdir, dataDir]) fs.rmSync(d, { recursive: true, force: true });
  }
}

/** VmRSS of `vigil serve`, in MiB, `IDLE_MS` after its first 200 of /healthz (a loaded machine may take longer than that to start). */
async function rss(dir: string): Promise<number> {
  const [tmpdir, dataDir, port] = [tmp(), tmp(), await freePort()];
  const t0 = performance.now();
  const child = spawn(process.execPath, ['bin/vigil.js', 'serve'], {
    cwd: dir,
    detached: true,
    stdio: 'ignore',
    env: {
      ...process.env,
      TMPDIR: tmpdir,
      VIGIL_DATA_DIR: dataDir,
      VIGIL_PORT: String(port),
      VIGIL_HOST: '127.0.0.1',
      VIGIL_LOG_LEVEL: 'warn',
    },
  });
  try {
    while (!(await healthy(port))) {
      if (child.exitCode !== null) throw new Error(`vigil serve in ${dir} exited ${child.exitCode}`);
      if (performance.now() - t0 > 60_000) throw new Error(`vigil serve in ${dir}: no 200 from /healthz in 60 s`);
      await sleep(20);
    }
    await sleep(IDLE_MS);
    const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)![1]) / 1024;
  } finally {
    await stopGroup(child);
    for (const d of [tmpdir, dataDir]) fs.rmSync(d, { recursive: true, force: true });
  }
}

const cases: Array<{ name: string; unit: string; run: (dir: string) => number | Promise<number> }> = [
  {
    name: '`node bin/vigil.js --help`, empty TMPDIR',
    unit: 'ms',
    run: (dir) => {
      const d = tmp();
      try {
        return help(dir, d);
      } finally {
        fs.rmSync(d, { recursive: true, force: true });
      }
    },
  },
  {
    name: '`node bin/vigil.js --help`, warm TMPDIR',
    unit: 'ms',
    run: (dir) => {
      const d = tmp();
      try {
        help(dir, d);
        return help(dir, d);
      } finally {
        fs.rmSync(d, { recursive: true, force: true });
      }
    },
  },
  { name: '`npm start` → first 200 of /healthz', unit: 'ms', run: healthz },
  { name: `idle RSS of \`vigil serve\`, ${IDLE_MS / 1000} s after its first 200`, unit: 'MiB', run: rss },
];

const fmt = (xs: number[], unit: string) => {
  const s = [...xs].sort((a, b) => a - b);
  const med = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  const d = unit === 'ms' ? 0 : 1;
  return `${med.toFixed(d)} ${unit} (${s[0].toFixed(d)}–${s[s.length - 1].toFixed(d)})`;
};

console.log(
  `${RUNS} runs each, in turn; median (min–max). Node ${process.version}, ${os.cpus().length} cores, load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
const rows: string[][] = [];
for (const c of cases) {
  const results = checkouts.map(() => [] as number[]);
  for (let i = 0; i < RUNS; i++) for (const [k, dir] of checkouts.entries()) results[k].push(await c.run(dir));
  rows.push([c.name, ...results.map((r) => fmt(r, c.unit))]);
  console.error(`${c.name}: ${rows.at(-1)!.slice(1).join(' | ')}`);
}
const head = ['figure', ...checkouts.map((d, k) => (k === 0 ? `this checkout` : `--vs ${d}`))];
console.log(`\n| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
console.log(
  `\nload average at the end: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
