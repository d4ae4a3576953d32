// Runs a test file in a network and mount namespace of its own (unshare), where only loopback
// exists, /etc/resolv.conf names 127.0.0.1 and /etc/hosts knows only localhost: the child starts
// a DNS server on 127.0.0.1:53 (test/support/targets.ts startDns) and real name lookups reach it.
// Nothing leaves loopback. Needs root (CI runs as root), iproute2 and util-linux.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

const probe = spawnSync('unshare', ['--net', '--mount', 'true']);
/** A test option: skip with the reason when namespaces are not permitted here. */
export const namespaceSkip =
  probe.status === 0
    ? false
    : `unshare --net --mount is not permitted here (${probe.stderr?.toString().trim() || probe.error?.message})`;

/** Runs `child` (a node:test file) in the namespace; returns its exit status and whole output. */
export function runInNamespace(child: string): { status: number | null; out: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-netns-'));
  try {
    fs.writeFileSync(path.join(dir, 'resolv.conf'), 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n');
    fs.writeFileSync(path.join(dir, 'nsswitch.conf'), 'hosts: files dns\n');
    fs.writeFileSync(path.join(dir, 'hosts'), '127.0.0.1 localhost\n');
    const script = [
      'set -e',
      'ip link set lo up',
      `mount --bind ${dir}/resolv.conf /etc/resolv.conf`,
      `mount --bind ${dir}/nsswitch.conf /etc/nsswitch.conf`,
      `mount --bind ${dir}/hosts /etc/hosts`,
      `exec "${process.execPath}" --import tsx --test-reporter=spec "${child}"`,
    ].join('\n');
    const { NODE_TEST_CONTEXT: _, ...env } = process.env; // run the child's tests, not report into ours
    const r = spawnSync('unshare', ['--net', '--mount', 'sh', '-c', script], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
