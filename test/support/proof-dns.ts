import { startDns, type Zone } from './targets.ts';

/**
 * A loopback DNS server for custom hostname proofs: `env` points Vigil's lookups at it
 * (VIGIL_DNS_SERVERS), `publish` puts a page's TXT record in place, `remove` takes a name away.
 */
export async function startProofDns() {
  const zone: Zone = {};
  const dns = await startDns(zone);
  return {
    env: { VIGIL_DNS_SERVERS: dns.url },
    get queries() {
      return dns.queries;
    },
    publish(record: { name: string; value: string }) {
      const entry = (zone[record.name.toLowerCase()] ??= {});
      entry.TXT = [...(entry.TXT ?? []), [record.value]];
    },
    remove(name: string) {
      delete zone[name.toLowerCase()];
    },
    close: () => dns.close(),
  };
}
