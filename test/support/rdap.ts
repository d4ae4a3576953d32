// A loopback RDAP service (RFC 9082/9083) and the bootstrap registry (RFC 9224) that points at
// it, for VIGIL_RDAP_BOOTSTRAP_URL: every TLD in `tlds` is served here. Answers come from
// `registry`: an expiry date, an HTTP status, or no answer at all.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Registration = { expiresAt: number } | { status: number } | 'hang' | 'no-expiration';

export interface RdapServer {
  bootstrapUrl: string;
  /** Domains asked for, in order. */
  queries: string[];
  registry: Record<string, Registration>;
  close(): Promise<void>;
}

export async function startRdap(
  registry: Record<string, Registration>,
  tlds = ['com', 'test', 'org'],
): Promise<RdapServer> {
  const queries: string[] = [];
  let base = '';
  const server = http.createServer((req, res) => {
    if (req.url === '/dns.json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(
        JSON.stringify({
          version: '1.0',
          publication: new Date().toISOString(),
          services: [[tlds, [`${base}/rdap/`]]],
        }),
      );
    }
    const m = /^\/rdap\/domain\/([^/?]+)$/.exec(req.url ?? '');
    if (!m) return res.writeHead(404).end();
    const domain = decodeURIComponent(m[1]);
    queries.push(domain);
    const r = registry[domain];
    if (r === 'hang') return;
    if (r === undefined || (typeof r === 'object' && 'status' in r)) {
      res.writeHead(r === undefined ? 404 : r.status, { 'content-type': 'application/rdap+json' });
      return res.end(JSON.stringify({ errorCode: r === undefined ? 404 : r.status, title: 'Not Found' }));
    }
    const events = [{ eventAction: 'registration', eventDate: '2001-02-03T04:05:06Z' }];
    if (r !== 'no-expiration')
      events.push({ eventAction: 'expiration', eventDate: new Date(r.expiresAt).toISOString() });
    res.writeHead(200, { 'content-type': 'application/rdap+json' });
    res.end(JSON.stringify({ objectClassName: 'domain', ldhName: domain.toUpperCase(), events }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    bootstrapUrl: `${base}/dns.json`,
    queries,
    registry,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}
