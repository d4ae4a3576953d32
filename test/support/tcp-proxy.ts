// A loopback TCP proxy for network-fault tests: it forwards to one upstream port and can cut the
// line on demand. 'refuse' resets every open connection and every new one (the link is down);
// 'drop-answers' forwards what the client sends but throws the upstream's answers away and resets
// the connection shortly after (the request arrived, its answer was lost).
import net from 'node:net';

export type ProxyMode = 'open' | 'refuse' | 'drop-answers';

export interface TcpProxy {
  url: string;
  port: number;
  mode: ProxyMode;
  /** Connections reset by a fault so far. */
  cut: number;
  setMode(mode: ProxyMode): void;
  close(): Promise<void>;
}

export async function startTcpProxy(upstreamPort: number, host = '127.0.0.1'): Promise<TcpProxy> {
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  const reset = (p: { client: net.Socket; upstream: net.Socket }) => {
    proxy.cut++;
    p.client.resetAndDestroy();
    p.upstream.destroy();
    pairs.delete(p);
  };
  const server = net.createServer((client) => {
    if (proxy.mode === 'refuse') {
      proxy.cut++;
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(upstreamPort, host);
    const pair = { client, upstream };
    pairs.add(pair);
    client.on('data', (d) => {
      if (!upstream.write(d)) client.pause();
    });
    upstream.on('drain', () => client.resume());
    upstream.on('data', (d) => {
      if (proxy.mode === 'drop-answers') {
        // The request got through; its answer never reaches the client.
        setTimeout(() => {
          if (pairs.has(pair)) reset(pair);
        }, 50);
        return;
      }
      if (!client.write(d)) upstream.pause();
    });
    client.on('drain', () => upstream.resume());
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  const port = (server.address() as net.AddressInfo).port;
  const proxy: TcpProxy = {
    url: `http://${host}:${port}`,
    port,
    mode: 'open',
    cut: 0,
    setMode(mode) {
      proxy.mode = mode;
      if (mode === 'refuse') for (const p of [...pairs]) reset(p);
    },
    async close() {
      for (const p of [...pairs]) {
        p.client.destroy();
        p.upstream.destroy();
      }
      pairs.clear();
      await new Promise((r) => server.close(r));
    },
  };
  return proxy;
}
