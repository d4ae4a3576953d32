// Load generator for bench/pings.ts, run in its own process so it never shares the server's
// event loop. Keep-alive HTTP/1.1 over raw sockets (Node's http client would cost more CPU
// than the server it measures). Every request carries a unique id in its User-Agent; the ids
// answered 2xx are written to a file so the caller can check each one was stored.
// Usage: node --import tsx bench/ping-load.ts '{"port":…,"tokens":[…],"connections":64,"seconds":10,"tag":"r1","out":"/tmp/…"}'
import fs from 'node:fs';
import net from 'node:net';

interface Options {
  port: number;
  tokens: string[];
  connections: number;
  seconds: number;
  tag: string;
  out: string;
}

export interface LoadReport {
  sent: number;
  statuses: Record<string, number>;
  /** Requests whose answer never came (socket error or close): outcome unknown. */
  errors: number;
  elapsed: number;
  p50: number;
  p99: number;
  max: number;
  /** CPU time of this process, ms. */
  cpuMs: number;
}

const o: Options = JSON.parse(process.argv[2]);
const host = `127.0.0.1:${o.port}`;
const BODY = 'backup done: 1432 files, 2.1 GB';

// The mix: plain GET pings, POSTs with a small body, /start and /fail.
function request(id: string): string {
  const token = o.tokens[Math.floor(Math.random() * o.tokens.length)];
  const r = Math.random();
  if (r < 0.6) return `GET /ping/${token} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: ${id}\r\n\r\n`;
  if (r < 0.85)
    return `POST /ping/${token} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: ${id}\r\nContent-Type: text/plain\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY}`;
  if (r < 0.95) return `GET /ping/${token}/start HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: ${id}\r\n\r\n`;
  return `GET /ping/${token}/fail HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: ${id}\r\n\r\n`;
}

const latencies: number[] = [];
const statuses: Record<string, number> = {};
const acked: string[] = [];
let sent = 0;
let errors = 0;
const deadline = performance.now() + o.seconds * 1000;
const HEADER_END = Buffer.from('\r\n\r\n');

/** One connection: a request, wait for its whole answer, the next; reconnects after a close. */
function connection(n: number): Promise<void> {
  return new Promise((done) => {
    let seq = 0;
    let socket: net.Socket;
    let buf = Buffer.alloc(0);
    let inFlight: { id: string; t0: number } | null = null;
    let finished = false;
    const next = () => {
      if (performance.now() >= deadline) {
        finished = true;
        socket.end();
        return done();
      }
      const id = `${o.tag}.${n}.${seq++}`;
      inFlight = { id, t0: performance.now() };
      sent++;
      socket.write(request(id));
    };
    const open = () => {
      buf = Buffer.alloc(0);
      socket = net.connect(o.port, '127.0.0.1', next);
      socket.setNoDelay(true);
      socket.on('data', (chunk) => {
        buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
        const end = buf.indexOf(HEADER_END);
        if (end < 0 || !inFlight) return;
        const head = buf.toString('latin1', 0, end);
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        buf = buf.subarray(end + 4 + length);
        const status = head.slice(9, 12);
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status[0] === '2') acked.push(inFlight.id);
        latencies.push(performance.now() - inFlight.t0);
        inFlight = null;
        if (/\r\nconnection: *close/i.test(head))
          socket.destroy(); // 'close' reconnects
        else next();
      });
      socket.on('error', () => {});
      socket.on('close', () => {
        if (finished) return;
        if (inFlight) errors++;
        inFlight = null;
        if (performance.now() < deadline) open();
        else {
          finished = true;
          done();
        }
      });
    };
    open();
  });
}

const cpu0 = process.cpuUsage();
const t0 = performance.now();
await Promise.all(Array.from({ length: o.connections }, (_, i) => connection(i)));
const elapsed = (performance.now() - t0) / 1000;
latencies.sort((a, b) => a - b);
const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
fs.writeFileSync(o.out, acked.join('\n'));
const report: LoadReport = {
  sent,
  statuses,
  errors,
  elapsed,
  p50: q(0.5),
  p99: q(0.99),
  max: latencies.at(-1) ?? NaN,
  cpuMs: (() => {
    const c = process.cpuUsage(cpu0);
    return (c.user + c.system) / 1000;
  })(),
};
process.stdout.write(JSON.stringify(report));
