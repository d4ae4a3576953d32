// SECURITY 15: DNS rebinding, with a real resolver path: the probes run in a network and mount
// namespace of their own (unshare) where /etc/resolv.conf points at a loopback DNS server that
// changes its answer between checks (test/support/rebinding-ns.ts). Nothing leaves loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

const probe = spawnSync('unshare', ['--net', '--mount', 'true']);
const skip = probe.status === 0 ? false : `unshare --net --mount is not permitted here (${probe.stderr?.toString().trim() || probe.error?.message})`;

test('SECURITY 15: a hostname that resolves to a disallowed address at check time is refused (HTTP, TCP, redirect hop), in a namespace with a loopback DNS server', { skip }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-rebind-'));
  try {
    fs.writeFileSync(path.join(dir, 'resolv.conf'), 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n');
    fs.writeFileSync(path.join(dir, 'nsswitch.conf'), 'hosts: files dns\n');
    fs.writeFileSync(path.join(dir, 'hosts'), '127.0.0.1 localhost\n');
    const child = path.resolve(import.meta.dirname, 'support/rebinding-ns.ts');
    const script = [
      'set -e',
      'ip link set lo up',
      `mount --bind ${dir}/resolv.conf /etc/resolv.conf`,
      `mount --bind ${dir}/nsswitch.conf /etc/nsswitch.conf`,
      `mount --bind ${dir}/hosts /etc/hosts`,
      `exec "${process.execPath}" --import tsx --test-reporter=spec "${child}"`,
    ].join('\n');
    const { NODE_TEST_CONTEXT: _, ...env } = process.env; // run the child's tests, not report into ours
    const r = spawnSync('unshare', ['--net', '--mount', 'sh', '-c', script], { cwd: path.resolve(import.meta.dirname, '..'), env, encoding: 'utf8', timeout: 120_000 });
    const out = `${r.stdout}\n${r.stderr}`;
    assert.equal(r.status, 0, out);
    assert.match(out, /ℹ pass 4\n/, out);
    assert.match(out, /ℹ fail 0\n/, out);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
