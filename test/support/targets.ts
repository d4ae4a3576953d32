// Loopback-only servers for probe tests: HTTP, HTTPS (self-signed, made with the openssl CLI), a TCP
// listener and a small authoritative DNS server over UDP. Nothing here listens beyond 127.0.0.1.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import http from 'node:http';
import https from 'node:https';
import dgram from 'node:dgram';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { X509Certificate } from 'node:crypto';

const LOOPBACK = '127.0.0.1';

export interface Running {
  port: number;
  url: string;
  /** Connections the server still has open. */
  openConnections(): number;
  close(): Promise<void>;
}

async function listen(server: net.Server, scheme: string): Promise<Running> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return {
    port,
    url: `${scheme}://${LOOPBACK}:${port}`,
    openConnections: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export function startHttp(handler: http.RequestListener): Promise<Running> {
  return listen(http.createServer(handler), 'http');
}

export function startHttps(cert: Certificate, handler: http.RequestListener): Promise<Running> {
  return listen(https.createServer({ key: cert.key, cert: cert.cert }, handler), 'https');
}

/** Accepts connections and never says anything. */
export function startTcp(): Promise<Running> {
  return listen(
    net.createServer(() => {}),
    'tcp',
  );
}

/** A loopback port with nothing listening on it. */
export async function closedPort(): Promise<number> {
  const server = await startTcp();
  await server.close();
  return server.port;
}

export interface Certificate {
  key: string;
  cert: string;
  notAfter: number;
}

/** A self-signed certificate for localhost, 127.0.0.1 and ::1; `days` < 0 makes an expired one. */
export async function makeCertificate(days: number): Promise<Certificate> {
  const run = promisify(execFile);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-cert-'));
  try {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      String(Math.max(days, 1)),
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
    ]);
    if (days < 1) await run('openssl', ['x509', '-in', cert, '-signkey', key, '-days', String(days), '-out', cert]);
    const pem = fs.readFileSync(cert, 'utf8');
    return { key: fs.readFileSync(key, 'utf8'), cert: pem, notAfter: Date.parse(new X509Certificate(pem).validTo) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// --- DNS -------------------------------------------------------------------------------------

const TYPES: Record<string, number> = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  CAA: 257,
};

/**
 * Records by lower-case name and type. Values: A/AAAA an address; CNAME/NS/PTR a name; MX
 * [priority, exchange]; TXT string[] (one record's strings); SRV [priority, weight, port, target];
 * SOA [mname, rname, serial, refresh, retry, expire, minimum]; CAA [flags, tag, value].
 */
export type Zone = Record<string, Partial<Record<keyof typeof TYPES, unknown[]>>>;

function encodeName(name: string): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter(Boolean);
  return Buffer.concat([
    ...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])),
    Buffer.from([0]),
  ]);
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function ipv6Bytes(ip: string): Buffer {
  const [head, tail = ''] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = ip.includes('::') ? (tail ? tail.split(':') : []) : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return Buffer.concat(groups.map((g) => u16(parseInt(g, 16))));
}

function rdata(type: string, v: unknown): Buffer {
  const a = v as never[];
  switch (type) {
    case 'A':
      return Buffer.from(String(v).split('.').map(Number));
    case 'AAAA':
      return ipv6Bytes(String(v));
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return encodeName(String(v));
    case 'MX':
      return Buffer.concat([u16(a[0]), encodeName(a[1])]);
    case 'TXT':
      return Buffer.concat(
        (v as string[]).map((s) => Buffer.concat([Buffer.from([Buffer.byteLength(s)]), Buffer.from(s)])),
      );
    case 'SRV':
      return Buffer.concat([u16(a[0]), u16(a[1]), u16(a[2]), encodeName(a[3])]);
    case 'SOA':
      return Buffer.concat([encodeName(a[0]), encodeName(a[1]), ...a.slice(2).map((n) => u32(n))]);
    case 'CAA':
      return Buffer.concat([Buffer.from([a[0], String(a[1]).length]), Buffer.from(a[1]), Buffer.from(a[2])]);
    default:
      throw new Error(`no encoder for ${type}`);
  }
}

/** Answers from `zone` (NXDOMAIN for unknown names); with `silent` it never answers at all. */
export async function startDns(
  zone: Zone,
  { silent = false, host = LOOPBACK, port: bindPort = 0 } = {},
): Promise<Running & { queries: number }> {
  const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  const state = { queries: 0 };
  socket.on('message', (msg, peer) => {
    state.queries++;
    if (silent || msg.length < 12) return;
    let i = 12;
    const labels: string[] = [];
    while (msg[i] !== 0 && i < msg.length) {
      labels.push(msg.subarray(i + 1, i + 1 + msg[i]).toString());
      i += msg[i] + 1;
    }
    const question = msg.subarray(12, i + 5);
    const qtype = msg.readUInt16BE(i + 1);
    const name = labels.join('.').toLowerCase();
    const type = Object.keys(TYPES).find((t) => TYPES[t] === qtype) ?? '';
    const records = zone[name];
    const answers = (records?.[type] ?? []).map((v) => {
      const data = rdata(type, v);
      return Buffer.concat([encodeName(name), u16(qtype), u16(1), u32(60), u16(data.length), data]);
    });
    const flags = 0x8400 | (msg.readUInt16BE(2) & 0x0100) | 0x0080 | (records ? 0 : 3);
    const header = Buffer.concat([msg.subarray(0, 2), u16(flags), u16(1), u16(answers.length), u16(0), u16(0)]);
    socket.send(Buffer.concat([header, question, ...answers]), peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(bindPort, host, resolve));
  const { port } = socket.address();
  return {
    port,
    url: net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`,
    openConnections: () => 0,
    get queries() {
      return state.queries;
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

// --- Guard -----------------------------------------------------------------------------------

/**
 * Makes any TCP connection to a non-loopback address throw, so a policy bug shows up as a failed
 * test instead of a packet to 169.254.169.254.
 */
export function allowLoopbackOnly(): () => void {
  const original = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    const first = Array.isArray(args[0]) ? args[0][0] : args[0];
    const opts = (first && typeof first === 'object' ? first : { host: args[1] }) as { host?: string; path?: string };
    const host = opts.host ?? 'localhost';
    if (opts.path === undefined && !['127.0.0.1', '::1', 'localhost'].includes(host)) {
      throw new Error(`test tried to connect to ${host}`);
    }
    return (original as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof original;
  return () => {
    net.Socket.prototype.connect = original;
  };
}
