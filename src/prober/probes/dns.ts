import net from 'node:net';
import { Resolver } from 'node:dns/promises';
import { performance } from 'node:perf_hooks';
import { isValidHost, parseNameserver, targetHost } from '../../domain/monitors.ts';
import { decide, lookup, normalizeAddress } from '../../egress/policy.ts';
import type { CheckResult, CheckTarget } from '../../domain/checks.ts';
import type { ProbeContext } from '../check-kind.ts';

/**
 * DNS monitors: one query of dns_record_type for the monitor's domain (PTR: for the reverse name
 * of its IP address), one try, at dns_nameserver or the system's nameservers. Up when there is at
 * least one answer and, if dns_expected_answer is set, one answer equals it, compared without case,
 * surrounding spaces or a trailing dot. The forms an answer may be given in:
 *
 *   A, AAAA          the address (IPv6 in any spelling)
 *   CNAME, NS, PTR   the host name
 *   MX               "exchange" or "priority exchange"          mail.example.org | 10 mail.example.org
 *   TXT              the strings of one record joined without separator, or dig's quoted form
 *   SOA              "nsname" or "nsname hostmaster serial refresh retry expire minttl"
 *   SRV              "target" or "priority weight port target"   sip.example.org | 10 5 5060 sip.example.org
 *   CAA              "value" or "flags tag \"value\""            letsencrypt.org | 0 issue "letsencrypt.org"
 */
export async function checkDns(target: CheckTarget, ctx: ProbeContext): Promise<CheckResult> {
  const started = performance.now();
  const type = (target.dns_record_type || 'A').toUpperCase();
  const name = targetHost(target.url);
  if (!name || !isValidHost(name)) throw new Error('invalid domain');
  const server = target.dns_nameserver ? await nameserver(target.dns_nameserver, ctx) : null;
  ctx.signal.throwIfAborted();
  const resolver = resolverFor(server, ctx.timeoutMs);
  const t0 = performance.now();
  let answers: string[][];
  try {
    answers = await query(resolver, type, name);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ETIMEOUT') throw new Error(`timeout after ${ctx.timeoutMs / 1000} s`);
    if (code) throw new Error(`DNS lookup failed: ${code}`);
    throw err;
  }
  const dnsMs = performance.now() - t0;
  const base = {
    statusCode: null,
    totalMs: performance.now() - started,
    dnsMs,
    connectMs: null,
    tlsMs: null,
    ttfbMs: null,
  };
  const expected = target.dns_expected_answer;
  if (expected && !answers.some((forms) => forms.some((f) => sameAnswer(f, expected)))) {
    return { ok: false, error: `expected answer ${JSON.stringify(expected)} not found`, ...base };
  }
  return { ok: true, error: null, ...base };
}

/** The nameserver as setServers wants it, after the target policy allowed its address. */
async function nameserver(value: string, ctx: ProbeContext): Promise<string> {
  const ns = parseNameserver(value);
  if (!ns) throw new Error('invalid nameserver');
  let address: string;
  if (net.isIP(ns.host)) {
    address = normalizeAddress(ns.host)!;
    const reason = decide(address, ctx.policy);
    if (reason) throw new Error(`blocked by target policy: ${reason}`);
  } else {
    ({ address } = await lookup(ns.host, ctx.policy));
  }
  return net.isIPv6(address) ? `[${address}]:${ns.port}` : `${address}:${ns.port}`;
}

// A Resolver is a c-ares channel that reads resolv.conf when made: keep one per server and timeout.
const resolvers = new Map<string, Resolver>();

function resolverFor(server: string | null, timeoutMs: number): Resolver {
  const key = `${server ?? 'system'} ${timeoutMs}`;
  let resolver = resolvers.get(key);
  if (!resolver) {
    if (resolvers.size >= 256) resolvers.clear();
    resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
    if (server) resolver.setServers([server]);
    resolvers.set(key, resolver);
  }
  return resolver;
}

/** Each answer as the list of string forms it may be matched by. */
async function query(r: Resolver, type: string, name: string): Promise<string[][]> {
  switch (type) {
    case 'A':
      return (await r.resolve4(name)).map((a) => [a]);
    case 'AAAA':
      return (await r.resolve6(name)).map((a) => [a]);
    case 'CNAME':
      return (await r.resolveCname(name)).map((a) => [a]);
    case 'NS':
      return (await r.resolveNs(name)).map((a) => [a]);
    case 'PTR':
      return (await r.resolvePtr(reverseName(name))).map((a) => [a]);
    case 'MX':
      return (await r.resolveMx(name)).map((a) => [a.exchange, `${a.priority} ${a.exchange}`]);
    case 'TXT':
      return (await r.resolveTxt(name)).map((chunks) => [
        chunks.join(''),
        chunks.map((c) => JSON.stringify(c)).join(' '),
      ]);
    case 'SOA': {
      const s = await r.resolveSoa(name);
      return [[s.nsname, `${s.nsname} ${s.hostmaster} ${s.serial} ${s.refresh} ${s.retry} ${s.expire} ${s.minttl}`]];
    }
    case 'SRV':
      return (await r.resolveSrv(name)).map((a) => [a.name, `${a.priority} ${a.weight} ${a.port} ${a.name}`]);
    case 'CAA':
      return (await r.resolveCaa(name)).map((a) => {
        const tag = Object.keys(a).find((k) => k !== 'critical') ?? '';
        const value = String((a as unknown as Record<string, unknown>)[tag] ?? '');
        return [value, `${a.critical} ${tag} ${JSON.stringify(value)}`];
      });
    default:
      throw new Error(`unsupported record type ${type}`);
  }
}

/** 4.3.2.1.in-addr.arpa for 1.2.3.4; nibbles under ip6.arpa for IPv6 (Resolver.reverse would read /etc/hosts). */
function reverseName(ip: string): string {
  const address = normalizeAddress(ip);
  if (!address) throw new Error('PTR checks need an IP address');
  if (net.isIPv4(address)) return `${address.split('.').reverse().join('.')}.in-addr.arpa`;
  const [head, tail = ''] = address.split('::');
  const groups = [head, tail].map((part) => (part ? part.split(':') : []));
  const all = address.includes('::')
    ? [...groups[0], ...Array(8 - groups[0].length - groups[1].length).fill('0'), ...groups[1]]
    : groups[0];
  const hex = all.map((g) => g.padStart(4, '0')).join('');
  return `${[...hex].reverse().join('.')}.ip6.arpa`;
}

function canonical(s: string): string {
  const t = s.trim().replace(/\s+/g, ' ').replace(/\.$/, '').toLowerCase();
  return normalizeAddress(t) ?? t;
}

function sameAnswer(answer: string, expected: string): boolean {
  return canonical(answer) === canonical(expected);
}
