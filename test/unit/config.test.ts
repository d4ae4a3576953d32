// Server settings read from the environment: src/config.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config.ts';

const base = { VIGIL_DATA_DIR: '/tmp/vigil-config-test' };

describe('VIGIL_DNS_SERVERS', () => {
  test("unset is the system's resolvers; addresses with or without a port are kept in order", () => {
    assert.equal(loadConfig(base).dnsServers, null);
    assert.deepEqual(loadConfig({ ...base, VIGIL_DNS_SERVERS: '127.0.0.1, 127.0.0.1:5353,[::1]:53,::1' }).dnsServers, [
      '127.0.0.1',
      '127.0.0.1:5353',
      '[::1]:53',
      '::1',
    ]);
  });

  test('anything but IP addresses (names, bad ports) stops start-up naming the variable and the value', () => {
    for (const bad of ['dns.example.com', '127.0.0.1:0', '127.0.0.1:99999', '[::1', '1.2.3']) {
      assert.throws(
        () => loadConfig({ ...base, VIGIL_DNS_SERVERS: bad }),
        (err: Error) => err.message.includes('VIGIL_DNS_SERVERS') && err.message.includes(`"${bad}"`),
        bad,
      );
    }
  });
});
