// The outbound connection policy of checks and notifications alike: which resolved addresses
// Vigil may connect to (VIGIL_BLOCK_PRIVATE_TARGETS, VIGIL_ALLOWED_TARGETS, cloud metadata).
import net from 'node:net';
import dns from 'node:dns/promises';

/**
 * Which addresses outbound checks may connect to. Decisions are made on the resolved,
 * normalised address right before connecting, so alternate spellings and DNS rebinding
 * cannot get around them.
 */
export interface TargetPolicy {
  /** VIGIL_BLOCK_PRIVATE_TARGETS: refuse private, loopback and link-local ranges. */
  blockPrivate: boolean;
  /** VIGIL_ALLOWED_TARGETS: always allowed, even cloud metadata addresses. */
  allowed: net.BlockList;
}

type Env = Record<string, string | undefined>;

const METADATA = blockList(['169.254.169.254', 'fd00:ec2::254', '100.100.100.200']);
const PRIVATE = blockList([
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '100.64.0.0/10',
  '0.0.0.0/8',
  '::1/128',
  '::/128',
  'fc00::/7',
  'fe80::/10',
]);
// IPv6 forms that carry an IPv4 address in their last 32 bits, as RFC 5952 writes them:
// IPv4-mapped (::ffff:7f00:1) and NAT64 (64:ff9b::a00:1, or 64:ff9b::1 for 0.0.0.1).
const EMBEDDED_V4 = /^(?:::ffff:([0-9a-f]{1,4}):|64:ff9b::(?:([0-9a-f]{1,4}):)?)([0-9a-f]{1,4})$/;

function blockList(entries: string[]): net.BlockList {
  const list = new net.BlockList();
  for (const e of entries) {
    const [ip, bits] = e.split('/');
    const family = net.isIPv4(ip) ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(ip, family);
    else list.addSubnet(ip, Number(bits), family);
  }
  return list;
}

/** Canonical text of an IP address (IPv4-mapped and NAT64 IPv6 unwrapped), or null if it is none. */
export function normalizeAddress(address: string): string | null {
  let ip = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const zone = ip.indexOf('%');
  if (zone !== -1) ip = ip.slice(0, zone);
  const family = net.isIP(ip);
  if (family === 4) return ip;
  if (family !== 6) return null;
  ip = new URL(`http://[${ip}]/`).hostname.slice(1, -1); // RFC 5952 form: lower case, compressed
  const v4 = EMBEDDED_V4.exec(ip);
  if (!v4) return ip;
  const hi = parseInt(v4[1] ?? v4[2] ?? '0', 16);
  const lo = parseInt(v4[3], 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** Reads VIGIL_BLOCK_PRIVATE_TARGETS and VIGIL_ALLOWED_TARGETS; a bad value throws naming the variable. */
export function loadTargetPolicy(env: Env = process.env): TargetPolicy {
  const raw = (env.VIGIL_BLOCK_PRIVATE_TARGETS ?? '').trim();
  let blockPrivate = false;
  if (/^(true|1|yes)$/i.test(raw)) blockPrivate = true;
  else if (raw !== '' && !/^(false|0|no)$/i.test(raw)) {
    throw new Error(`VIGIL_BLOCK_PRIVATE_TARGETS must be true or false, got "${raw}"`);
  }
  const allowed = new net.BlockList();
  for (const entry of (env.VIGIL_ALLOWED_TARGETS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [addr, bits, extra] = entry.split('/');
    const ip = bits === undefined ? normalizeAddress(addr) : net.isIP(addr) ? addr : null;
    const max = ip && net.isIPv4(ip) ? 32 : 128;
    const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : -1;
    if (!ip || extra !== undefined || prefix < 0 || prefix > max) {
      throw new Error(
        `VIGIL_ALLOWED_TARGETS must be a comma-separated list of IP addresses or CIDR ranges, got "${entry}"`,
      );
    }
    allowed.addSubnet(ip, prefix, max === 32 ? 'ipv4' : 'ipv6');
  }
  return { blockPrivate, allowed };
}

/** Null when the policy allows connecting to `address`, else the reason it does not. */
export function decide(address: string, policy: TargetPolicy): string | null {
  const ip = normalizeAddress(address);
  if (!ip) return `not an IP address: ${address}`;
  const socketAddress = new net.SocketAddress({ address: ip, family: net.isIPv4(ip) ? 'ipv4' : 'ipv6' });
  if (policy.allowed.check(socketAddress)) return null;
  if (METADATA.check(socketAddress)) return `cloud metadata address ${ip}`;
  if (policy.blockPrivate && PRIVATE.check(socketAddress)) return `private address ${ip}`;
  return null;
}

export interface ResolvedTarget {
  address: string;
  family: 4 | 6;
}

function lookupError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

// WHATWG's rule: a host whose last label is a number is an IPv4 address in some spelling
// (2130706433, 0x7f.1, 127.1); parse it the way URLs do instead of handing it to the resolver.
const ENDS_IN_NUMBER = /(?:^|\.)(?:\d+|0x[0-9a-f]*)\.?$/i;

/**
 * Resolves `host` (name or IP literal, brackets allowed) to the one address to connect to: the
 * first the policy allows, of IP version `family` when given. Throws 'blocked by target policy:
 * …' or 'DNS lookup failed: CODE' (with `code` set). Connect to the returned address only, never
 * to the name again.
 */
export async function lookup(host: string, policy: TargetPolicy, family?: 4 | 6): Promise<ResolvedTarget> {
  let ip = normalizeAddress(host);
  if (!ip && ENDS_IN_NUMBER.test(host)) {
    try {
      ip = normalizeAddress(new URL(`http://${host}/`).hostname);
    } catch {
      ip = null;
    }
    if (!ip) throw lookupError(`DNS lookup failed: invalid address ${host}`, 'EINVAL');
  }
  if (ip) {
    if (family && net.isIP(ip) !== family)
      throw lookupError(`${ip} is not an IPv${family} address (the monitor's ip_version is ${family})`, 'EAFNOSUPPORT');
    const reason = decide(ip, policy);
    if (reason) throw lookupError(`blocked by target policy: ${reason}`, 'ERR_TARGET_BLOCKED');
    return { address: ip, family: net.isIPv4(ip) ? 4 : 6 };
  }
  let answers: { address: string; family: number }[];
  try {
    answers = await dns.lookup(host, { all: true, family: family ?? 0 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EAI_FAIL';
    throw lookupError(
      family && code === 'ENOTFOUND'
        ? `DNS lookup failed: no IPv${family} address (ENOTFOUND)`
        : `DNS lookup failed: ${code}`,
      code,
    );
  }
  let firstReason: string | null = null;
  for (const a of answers) {
    const addr = normalizeAddress(a.address);
    if (!addr) continue;
    const reason = decide(addr, policy);
    if (!reason) return { address: addr, family: net.isIPv4(addr) ? 4 : 6 };
    firstReason ??= reason;
  }
  if (firstReason) throw lookupError(`blocked by target policy: ${firstReason}`, 'ERR_TARGET_BLOCKED');
  throw lookupError('DNS lookup failed: ENOTFOUND', 'ENOTFOUND');
}
