import http from 'node:http';

/**
 * A Server-Sent Events client for tests and benchmarks: what a page's EventSource receives,
 * message by message, with the time each arrived.
 */
export interface SseStream {
  status: number;
  headers: Headers;
  /** Every `data:` message so far, parsed, with its arrival time (Date.now()). */
  messages: { data: any; at: number }[];
  /** Comment lines (heartbeats) so far. */
  comments: number;
  /** Resolves once the server ended the stream. */
  ended: Promise<void>;
  /** The first message (from `from` on) that `match` accepts, waiting up to `ms`. */
  next(match: (data: any) => boolean, ms?: number, from?: number): Promise<any>;
  close(): void;
}

/**
 * Opens the stream on a connection of its own (node:http, no pool: a pooled client keeps spare
 * connections open that hold the server's close()).
 */
export async function openStream(
  url: string,
  headers: Record<string, string> = {},
  onMessage?: (data: any, at: number) => void,
): Promise<SseStream> {
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const req = http.get(url, { agent: false, headers: { accept: 'text/event-stream', ...headers } }, resolve);
    req.on('error', reject);
  });
  const messages: { data: any; at: number }[] = [];
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of waiters) w();
  };
  const responseHeaders = new Headers();
  for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') responseHeaders.set(k, v);
  const stream: SseStream = {
    status: res.statusCode ?? 0,
    headers: responseHeaders,
    messages,
    comments: 0,
    ended: new Promise<void>((resolve) =>
      res.once('close', () => {
        wake();
        resolve();
      }),
    ),
    async next(match, ms = 5000, from = 0) {
      const end = Date.now() + ms;
      for (;;) {
        const hit = messages.slice(from).find((m) => match(m.data));
        if (hit) return hit.data;
        const left = end - Date.now();
        if (left <= 0)
          throw new Error(`no matching message within ${ms} ms; got ${JSON.stringify(messages.map((m) => m.data))}`);
        await new Promise<void>((r) => {
          const done = () => {
            clearTimeout(t);
            waiters.delete(done);
            r();
          };
          const t = setTimeout(done, left);
          waiters.add(done);
        });
      }
    },
    close: () => res.destroy(),
  };
  if (!/^text\/event-stream/.test(res.headers['content-type'] ?? '')) {
    res.resume();
    return stream;
  }
  res.setEncoding('utf8');
  let buffer = '';
  res.on('data', (chunk: string) => {
    buffer += chunk;
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      if (block.startsWith(':')) stream.comments++;
      const data = block
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n');
      if (!data) continue;
      const at = Date.now();
      const parsed = JSON.parse(data);
      messages.push({ data: parsed, at });
      onMessage?.(parsed, at);
    }
    wake();
  });
  res.on('error', () => {}); // destroyed by close()
  return stream;
}
