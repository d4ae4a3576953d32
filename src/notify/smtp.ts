import net from 'node:net';
import os from 'node:os';
import tls from 'node:tls';
import { parseSmtpUrl } from '../domain/channels.ts';
import { lookup, type TargetPolicy } from '../egress/policy.ts';

/** A small SMTP client (RFC 5321): EHLO, STARTTLS when offered, AUTH PLAIN/LOGIN, MAIL/RCPT/DATA. */
export interface Mail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  /** Extra headers (List-Unsubscribe, …). */
  headers?: Record<string, string>;
  /** Without brackets; the same on every attempt, so receivers can drop duplicates. */
  messageId: string;
  date: Date;
}

export interface SmtpOptions {
  policy: TargetPolicy;
  timeoutMs: number;
  ca: Buffer | null;
}

/** A refusal by the server: 4xx replies are worth retrying, 5xx are not. */
export class SmtpError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

interface Reply {
  code: number;
  text: string;
}

/** Reads whole (possibly multi-line) replies off whichever socket the conversation is on. */
class Reader {
  private buffer = '';
  private lines: string[] = [];
  private replies: Reply[] = [];
  private waiting: { resolve(r: Reply): void; reject(e: Error): void } | null = null;
  private failed: Error | null = null;
  private socket: net.Socket | null = null;
  private readonly onData = (chunk: Buffer) => this.take(chunk.toString('utf8'));
  private readonly onError = (err: Error) => this.fail(err);
  private readonly onClose = () => this.fail(new Error('connection closed by the SMTP server'));

  attach(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', this.onData).on('error', this.onError).on('close', this.onClose);
  }

  detach() {
    this.socket?.off('data', this.onData).off('error', this.onError).off('close', this.onClose);
    this.socket = null;
  }

  fail(err: Error) {
    this.failed ??= err;
    this.waiting?.reject(this.failed);
    this.waiting = null;
  }

  private take(text: string) {
    this.buffer += text;
    let i: number;
    while ((i = this.buffer.indexOf('\n')) !== -1) {
      const line = this.buffer.slice(0, i).replace(/\r$/, '');
      this.buffer = this.buffer.slice(i + 1);
      this.lines.push(line);
      if (!/^\d{3}-/.test(line)) {
        const code = Number(line.slice(0, 3)) || 0;
        this.replies.push({ code, text: this.lines.map((l) => l.slice(4)).join('\n') });
        this.lines = [];
      }
    }
    if (this.buffer.length > 64 * 1024) this.fail(new Error('SMTP reply too long'));
    this.flush();
  }

  private flush() {
    if (this.waiting && this.replies.length) {
      const w = this.waiting;
      this.waiting = null;
      w.resolve(this.replies.shift()!);
    }
  }

  next(): Promise<Reply> {
    if (this.replies.length) return Promise.resolve(this.replies.shift()!);
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }
}

function connect(options: net.NetConnectOpts | tls.ConnectionOptions, secure: boolean): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = secure ? tls.connect(options as tls.ConnectionOptions) : net.connect(options as net.NetConnectOpts);
    socket.once('error', reject);
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

const encodeWord = (s: string) => (/^[\x20-\x7e]*$/.test(s) ? s : `=?UTF-8?B?${Buffer.from(s).toString('base64')}?=`);
const oneLine = (s: string) => s.replace(/[\r\n]+/g, ' ');

/** The message: headers, then the UTF-8 text as base64 (no line is ever over SMTP's 998 limit). */
export function formatMail(m: Mail): string {
  const headers: Record<string, string> = {
    From: `Vigil <${m.from}>`,
    To: m.to.join(', '),
    Subject: encodeWord(oneLine(m.subject)),
    Date: m.date.toUTCString().replace('GMT', '+0000'),
    'Message-ID': `<${m.messageId}>`,
    'MIME-Version': '1.0',
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Transfer-Encoding': 'base64',
    'Auto-Submitted': 'auto-generated',
    ...m.headers,
  };
  const head = Object.entries(headers)
    .map(([k, v]) => `${k}: ${oneLine(v)}`)
    .join('\r\n');
  const body = Buffer.from(m.text.replace(/\r?\n/g, '\r\n'))
    .toString('base64')
    .replace(/.{1,76}/g, '$&\r\n');
  return `${head}\r\n\r\n${body}`;
}

/** Lines that begin with a dot get one more (RFC 5321 4.5.2); the message ends with <CRLF>.<CRLF>. */
export function dotStuff(message: string): string {
  const crlf = message.replace(/\r?\n/g, '\r\n');
  return `${crlf.replace(/^\./gm, '..')}${crlf.endsWith('\r\n') ? '' : '\r\n'}.\r\n`;
}

/** Sends one mail through `smtpUrl`; resolves with the server's final reply. */
export async function sendMail(smtpUrl: string, mail: Mail, opts: SmtpOptions): Promise<string> {
  const server = parseSmtpUrl(smtpUrl);
  if (!server) throw new SmtpError('invalid SMTP URL', 500);
  const { address } = await lookup(server.host, opts.policy);
  const servername = net.isIP(server.host) ? undefined : server.host;
  const ca = opts.ca ? [...tls.rootCertificates, opts.ca.toString()] : undefined;
  const reader = new Reader();
  let socket: net.Socket | null = null;
  let expired: Error | null = null;
  let expire = (_: Error) => {};
  const deadline = new Promise<never>((_, reject) => {
    expire = reject;
  });
  deadline.catch(() => {});
  const timer = setTimeout(() => {
    expired = new Error(`timeout after ${opts.timeoutMs / 1000} s`);
    expire(expired);
    reader.fail(expired);
    socket?.destroy();
  }, opts.timeoutMs);
  // A connection that completes after the deadline is closed at once.
  const within = (p: Promise<net.Socket>) =>
    Promise.race([
      p.then((s) => {
        if (!expired) return s;
        s.destroy();
        return Promise.reject(expired);
      }),
      deadline,
    ]);
  try {
    socket = await within(
      connect({ host: address, port: server.port, ...(server.secure ? { servername, ca } : {}) }, server.secure),
    );
    reader.attach(socket);
    let secure = server.secure;
    const expect = async (ok: number[], what: string) => {
      const r = await reader.next();
      if (!ok.includes(r.code)) throw new SmtpError(`${what}: ${r.code} ${r.text.split('\n')[0]}`, r.code);
      return r;
    };
    const command = (line: string, ok: number[], what = line.split(' ')[0]) => {
      socket!.write(`${line}\r\n`);
      return expect(ok, what);
    };
    await expect([220], 'greeting');
    const name = os.hostname().includes('.') ? os.hostname() : `[${socket.localAddress ?? '127.0.0.1'}]`;
    let ehlo = await command(`EHLO ${name}`, [250]);
    const offers = (r: Reply, ext: string) => r.text.split('\n').some((l) => l.toUpperCase().split(' ')[0] === ext);
    if (!secure && offers(ehlo, 'STARTTLS')) {
      await command('STARTTLS', [220]);
      reader.detach();
      socket = await within(connect({ socket, host: server.host, servername, ca }, true));
      reader.attach(socket);
      secure = true;
      ehlo = await command(`EHLO ${name}`, [250]);
    }
    if (server.user !== null) {
      const auth =
        ehlo.text
          .split('\n')
          .find((l) => /^AUTH[ =]/i.test(l))
          ?.toUpperCase()
          .split(/[ =]/) ?? [];
      const b64 = (s: string) => Buffer.from(s).toString('base64');
      if (auth.includes('PLAIN'))
        await command(`AUTH PLAIN ${b64(`\0${server.user}\0${server.pass ?? ''}`)}`, [235], 'AUTH PLAIN');
      else if (auth.includes('LOGIN')) {
        await command('AUTH LOGIN', [334], 'AUTH LOGIN');
        await command(b64(server.user), [334], 'AUTH LOGIN user');
        await command(b64(server.pass ?? ''), [235], 'AUTH LOGIN password');
      } else throw new SmtpError('the SMTP server offers neither AUTH PLAIN nor AUTH LOGIN', 530);
    }
    await command(`MAIL FROM:<${mail.from}>${offers(ehlo, '8BITMIME') ? ' BODY=8BITMIME' : ''}`, [250], 'MAIL FROM');
    let accepted = 0;
    let refusal: SmtpError | null = null;
    for (const to of mail.to) {
      try {
        await command(`RCPT TO:<${to}>`, [250, 251], `RCPT TO ${to}`);
        accepted++;
      } catch (err) {
        if (!(err instanceof SmtpError)) throw err;
        refusal = err;
      }
    }
    if (accepted === 0) throw refusal ?? new SmtpError('no recipient', 554);
    await command('DATA', [354]);
    socket.write(dotStuff(formatMail(mail)));
    const done = await expect([250], 'end of data');
    socket.write('QUIT\r\n');
    return `${done.code} ${done.text.split('\n')[0]}`;
  } finally {
    clearTimeout(timer);
    reader.detach();
    socket?.end();
    socket?.destroy();
  }
}
