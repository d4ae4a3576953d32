// SECURITY 15: DNS rebinding, with a real resolver path: the probes run in a network and mount
// namespace of their own (unshare) where /etc/resolv.conf points at a loopback DNS server that
// changes its answer between checks (test/support/rebinding-ns.ts). Nothing leaves loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { namespaceSkip, runInNamespace } from './support/netns.ts';

test('SECURITY 15: a hostname that resolves to a disallowed address at check time is refused (HTTP, TCP, redirect hop), in a namespace with a loopback DNS server', {
  skip: namespaceSkip,
}, () => {
  const { status, out } = runInNamespace(path.resolve(import.meta.dirname, 'support/rebinding-ns.ts'));
  assert.equal(status, 0, out);
  assert.match(out, /ℹ pass 4\n/, out);
  assert.match(out, /ℹ fail 0\n/, out);
});
