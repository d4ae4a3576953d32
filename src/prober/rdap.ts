/**
 * Domain registration expiry over RDAP (RFC 9082 queries, RFC 9083 answers), the registry's
 * server found through the IANA bootstrap registry (RFC 9224). The bootstrap file is read at
 * most once a day; a lookup that fails says why and never throws.
 */
import type { Rdap } from '../services/domains.ts';

export interface RdapOptions {
  bootstrapUrl: string;
  timeoutMs?: number;
  clock?: () => number;
}

const DAY = 86_400_000;
const MAX_BYTES = 1024 * 1024;

/** Reads at most MAX_BYTES of a JSON body. */
async function json(res: Response): Promise<unknown> {
  const reader = res.body?.getReader();
  if (!reader) return null;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_BYTES) {
      await reader.cancel();
      throw new Error('answer larger than 1 MiB');
    }
    chunks.push(value);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** The RDAP base URLs of the longest TLD suffix of `domain` in a bootstrap file (RFC 9224 §4). */
export function serversFor(bootstrap: unknown, domain: string): string[] {
  const services = (bootstrap as { services?: unknown })?.services;
  if (!Array.isArray(services)) return [];
  const labels = domain.toLowerCase().split('.');
  let best: string[] = [];
  let bestLength = 0;
  for (const entry of services) {
    if (!Array.isArray(entry) || !Array.isArray(entry[0]) || !Array.isArray(entry[1])) continue;
    for (const tld of entry[0]) {
      if (typeof tld !== 'string') continue;
      const n = tld.split('.').length;
      if (n > bestLength && n < labels.length && labels.slice(-n).join('.') === tld.toLowerCase()) {
        best = entry[1].filter((u: unknown): u is string => typeof u === 'string' && /^https?:\/\//.test(u));
        bestLength = n;
      }
    }
  }
  // RFC 9224 §4: prefer https when a service lists both.
  return [...best.filter((u) => u.startsWith('https:')), ...best.filter((u) => !u.startsWith('https:'))];
}

/** The `expiration` event of an RDAP domain object (RFC 9083 §4.5), as epoch ms. */
export function expirationOf(answer: unknown): number | null {
  const events = (answer as { events?: unknown })?.events;
  if (!Array.isArray(events)) return null;
  for (const e of events) {
    if (e && typeof e === 'object' && (e as { eventAction?: unknown }).eventAction === 'expiration') {
      const at = Date.parse(String((e as { eventDate?: unknown }).eventDate));
      if (!Number.isNaN(at)) return at;
    }
  }
  return null;
}

export function createRdap(opts: RdapOptions): Rdap {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const clock = opts.clock ?? Date.now;
  let bootstrap: { at: number; body: unknown } | null = null;

  async function get(url: string, accept: string): Promise<unknown> {
    const res = await fetch(url, {
      headers: { accept, 'user-agent': 'Vigil uptime monitor (RDAP)' },
      redirect: 'follow',
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) {
      await res.body?.cancel();
      throw new Error(`HTTP ${res.status}`);
    }
    return json(res);
  }

  async function servers(domain: string): Promise<string[]> {
    if (!bootstrap || clock() - bootstrap.at > DAY)
      bootstrap = { at: clock(), body: await get(opts.bootstrapUrl, 'application/json') };
    return serversFor(bootstrap.body, domain);
  }

  return {
    async expiry(domain) {
      let bases: string[];
      try {
        bases = await servers(domain);
      } catch (err) {
        return { expiresAt: null, error: `bootstrap registry unavailable: ${(err as Error).message}` };
      }
      if (bases.length === 0) return { expiresAt: null, error: `no RDAP server for ${domain}` };
      let error = '';
      for (const base of bases) {
        try {
          const answer = await get(
            `${base.replace(/\/?$/, '/')}domain/${encodeURIComponent(domain)}`,
            'application/rdap+json',
          );
          const at = expirationOf(answer);
          return at === null ? { expiresAt: null, error: 'the registry gives no expiration date' } : { expiresAt: at };
        } catch (err) {
          error = `${new URL(base).host}: ${(err as Error).name === 'TimeoutError' ? 'timed out' : (err as Error).message}`;
        }
      }
      return { expiresAt: null, error };
    },
  };
}
