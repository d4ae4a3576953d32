import { Resolver } from 'node:dns/promises';
import type { TxtLookup } from '../services/hostnames.ts';

/**
 * TXT lookups for custom hostname proofs: through `servers` (VIGIL_DNS_SERVERS, `ip` or
 * `ip:port`) or the system's resolvers, 5 s per try, two tries.
 */
export function createTxtLookup(servers: string[] | null, timeoutMs = 5000): TxtLookup {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 2 });
  if (servers?.length) resolver.setServers(servers);
  return {
    async txt(name) {
      return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''));
    },
  };
}
