import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { loadTargetPolicy, type TargetPolicy } from './egress/policy.ts';
import { isEmail, parseSmtpUrl } from './domain/channels.ts';
import { DEFAULT_LIMITS, LIMIT_NOUNS, LIMIT_VARIABLES, type ProjectLimits } from './domain/project-limits.ts';

/** Typed configuration, read once from the environment. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | null;
  publicUrl: string;
  /** VIGIL_PUBLIC_URL was not set: publicUrl is http://localhost:<port>, made again once port 0 has become a real port. */
  publicUrlFromPort: boolean;
  logLevel: string;
  rateLimitPerHour: number;
  authFailuresPerMinute: number;
  region: string;
  trustProxy: boolean;
  /** Regional probes: live while heard from within this many seconds; a leased check is theirs this long. */
  probeLiveSeconds: number;
  probeLeaseSeconds: number;
  /** all: API and checks; api: API only; worker: checks only (no HTTP API). */
  role: 'all' | 'api' | 'worker';
  checkConcurrency: number;
  /** Threads that run the built-in probe's checks; 0 runs them on the main thread. */
  checkWorkers: number;
  rawRetentionDays: number;
  hourlyRetentionDays: number;
  rollupRetentionDays: number;
  /** Delivered and given-up outbox rows are deleted after this many days. */
  outboxRetentionDays: number;
  targetPolicy: TargetPolicy;
  /** Extra CA certificates (PEM) trusted by HTTPS checks, from VIGIL_TLS_CA_FILE. */
  tlsCa: Buffer | null;
  /** Bearer token of GET /metrics; null leaves the endpoint off. */
  metricsToken: string | null;
  /** Alerting: VIGIL_SMTP_URL (smtp:// or smtps://), the From address, and delivery bounds. */
  smtpUrl: string | null;
  smtpFrom: string;
  notifyTimeoutMs: number;
  notifyGiveUpMs: number;
  /** The RDAP bootstrap registry (RFC 9224) domain expiry lookups start from; null turns them off. */
  rdapBootstrapUrl: string | null;
  /** VIGIL_DNS_SERVERS: the resolvers custom hostname proofs ask (ip or ip:port); null: the system's. */
  dnsServers: string[] | null;
  /** Pings kept per healthcheck (the newest); older ones are deleted. */
  pingHistory: number;
  /** Pings one token may send per minute (per server process); 0 turns the throttle off. */
  pingRatePerMinute: number;
  /** How much one project may hold (VIGIL_LIMIT_*). */
  limits: ProjectLimits;
}

/** 1.2.3.4, 1.2.3.4:53, ::1 or [::1]:53: what Resolver.setServers takes. */
function isResolverAddress(s: string): boolean {
  const m = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(s) ?? /^([^:]+)(?::(\d{1,5}))?$/.exec(s);
  if (m) return net.isIP(m[1]) !== 0 && (m[2] === undefined || (Number(m[2]) >= 1 && Number(m[2]) <= 65535));
  return net.isIPv6(s);
}

export const IANA_RDAP_BOOTSTRAP = 'https://data.iana.org/rdap/dns.json';

export class ConfigError extends Error {}

/**
 * Checks run on the main thread unless VIGIL_CHECK_WORKERS asks for threads: on the 2-core
 * machine measured (docs/benchmarks.md, 2026-12-07) one thread gave no more checks/s (2,720
 * against 2,758 without), cost 80 MB at 90,000 monitors, and cost scale-out nodes their slots.
 */
export const DEFAULT_CHECK_WORKERS = 0;

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], def: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (!allowed.includes(raw as T)) throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T;
}

function bool(env: Env, name: string, def: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (/^(true|1|yes)$/i.test(raw)) return true;
  if (/^(false|0|no)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

export function loadConfig(env: Env = process.env): Config {
  const port = int(env, 'VIGIL_PORT', 8080, 0, 65535);
  const host = env.VIGIL_HOST || '0.0.0.0';
  const databaseUrl = env.DATABASE_URL || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must start with postgres:// or postgresql://');
  }
  const publicUrl = (env.VIGIL_PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, '');
  try {
    const u = new URL(publicUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
  } catch {
    throw new ConfigError(`VIGIL_PUBLIC_URL must be an http(s) URL, got "${env.VIGIL_PUBLIC_URL}"`);
  }
  const logLevel = env.VIGIL_LOG_LEVEL || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError(`VIGIL_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent`);
  }
  let targetPolicy: TargetPolicy;
  try {
    targetPolicy = loadTargetPolicy(env);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  let tlsCa: Buffer | null = null;
  if (env.VIGIL_TLS_CA_FILE) {
    try {
      tlsCa = fs.readFileSync(env.VIGIL_TLS_CA_FILE);
    } catch (err) {
      throw new ConfigError(`VIGIL_TLS_CA_FILE cannot be read: ${(err as Error).message}`);
    }
  }
  const metricsToken = env.VIGIL_METRICS_TOKEN || null;
  if (metricsToken !== null && !/^[\x21-\x7e]{16,256}$/.test(metricsToken)) {
    throw new ConfigError('VIGIL_METRICS_TOKEN must be 16 to 256 visible ASCII characters without spaces');
  }
  const smtpUrl = env.VIGIL_SMTP_URL || null;
  if (smtpUrl !== null && !parseSmtpUrl(smtpUrl))
    throw new ConfigError(
      'VIGIL_SMTP_URL must look like smtp://user:password@host:port or smtps://user:password@host:port',
    );
  const smtpFrom = env.VIGIL_SMTP_FROM || `vigil@${new URL(publicUrl).hostname}`;
  if (!isEmail(smtpFrom))
    throw new ConfigError(`VIGIL_SMTP_FROM must be an email address, got "${env.VIGIL_SMTP_FROM}"`);
  let rdapBootstrapUrl: string | null = env.VIGIL_RDAP_BOOTSTRAP_URL || IANA_RDAP_BOOTSTRAP;
  if (rdapBootstrapUrl === 'off') rdapBootstrapUrl = null;
  else if (!/^https?:\/\/[^/]/.test(rdapBootstrapUrl))
    throw new ConfigError(`VIGIL_RDAP_BOOTSTRAP_URL must be an http(s) URL or "off", got "${rdapBootstrapUrl}"`);
  const dnsServers = env.VIGIL_DNS_SERVERS
    ? env.VIGIL_DNS_SERVERS.split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : null;
  const badServer = dnsServers?.find((x) => !isResolverAddress(x));
  if (badServer !== undefined)
    throw new ConfigError(
      `VIGIL_DNS_SERVERS must be addresses such as 127.0.0.1, 127.0.0.1:5353 or [::1]:53, separated by commas; got "${badServer}"`,
    );
  return {
    port,
    targetPolicy,
    rdapBootstrapUrl,
    dnsServers: dnsServers?.length ? dnsServers : null,
    pingHistory: int(env, 'VIGIL_PING_HISTORY', 100, 10, 10_000),
    pingRatePerMinute: int(env, 'VIGIL_PING_RATE_PER_MINUTE', 60, 0, 1e9),
    limits: Object.fromEntries(
      Object.entries(LIMIT_VARIABLES).map(([k, name]) => [
        k,
        int(env, name, DEFAULT_LIMITS[k as keyof ProjectLimits], 1, 10_000_000),
      ]),
    ) as unknown as ProjectLimits,
    smtpUrl,
    smtpFrom,
    notifyTimeoutMs: int(env, 'VIGIL_NOTIFY_TIMEOUT', 10, 1, 120) * 1000,
    notifyGiveUpMs: int(env, 'VIGIL_NOTIFY_GIVE_UP_MINUTES', 1440, 1, 43_200) * 60_000,
    metricsToken,
    tlsCa,
    host,
    dataDir: path.resolve(env.VIGIL_DATA_DIR || './data'),
    databaseUrl,
    publicUrl,
    publicUrlFromPort: !env.VIGIL_PUBLIC_URL,
    logLevel,
    // Hyperping's 800 an hour stopped an import of 2,000 monitors at 780 (docs/configuration.md says why 10,000).
    rateLimitPerHour: int(env, 'VIGIL_RATE_LIMIT_PER_HOUR', 10_000, 0, 1e9),
    authFailuresPerMinute: int(env, 'VIGIL_AUTH_FAILURES_PER_MINUTE', 60, 0, 1e9),
    region: env.VIGIL_REGION || 'local',
    probeLiveSeconds: int(env, 'VIGIL_PROBE_LIVE_SECONDS', 60, 2, 3600),
    probeLeaseSeconds: int(env, 'VIGIL_PROBE_LEASE_SECONDS', 90, 2, 3600),
    trustProxy: bool(env, 'VIGIL_TRUST_PROXY', false),
    role: oneOf(env, 'VIGIL_ROLE', ['all', 'api', 'worker'] as const, 'all'),
    checkConcurrency: int(env, 'VIGIL_CHECK_CONCURRENCY', 2000, 1, 100_000),
    checkWorkers: int(env, 'VIGIL_CHECK_WORKERS', DEFAULT_CHECK_WORKERS, 0, 64),
    rawRetentionDays: int(env, 'VIGIL_RAW_RETENTION_DAYS', 7, 1, 3650),
    hourlyRetentionDays: int(env, 'VIGIL_HOURLY_RETENTION_DAYS', 30, 1, 3650),
    rollupRetentionDays: int(env, 'VIGIL_ROLLUP_RETENTION_DAYS', 400, 1, 36500),
    outboxRetentionDays: int(env, 'VIGIL_OUTBOX_RETENTION_DAYS', 30, 1, 3650),
  };
}

/** The variables `vigil serve` reads, as `vigil serve --help` lists them (docs/configuration.md says more). */
export const SERVER_VARIABLES: [name: string, fallback: string, meaning: string][] = [
  ['VIGIL_PORT', '8080', 'HTTP port (0 picks a free one)'],
  ['VIGIL_HOST', '0.0.0.0', 'address to listen on'],
  ['VIGIL_DATA_DIR', './data', 'folder of the SQLite database (vigil.db)'],
  ['DATABASE_URL', 'unset', 'postgres://user:pass@host:5432/db: PostgreSQL instead of SQLite'],
  ['VIGIL_PUBLIC_URL', 'http://localhost:$VIGIL_PORT', 'the address users reach Vigil at (links, ping URLs)'],
  ['VIGIL_LOG_LEVEL', 'info', 'fatal, error, warn, info, debug, trace or silent'],
  ['VIGIL_RATE_LIMIT_PER_HOUR', '10000', 'requests per API key per hour; 0 is off'],
  ['VIGIL_AUTH_FAILURES_PER_MINUTE', '60', 'failed authentications per client address per minute; 0 is off'],
  ['VIGIL_TRUST_PROXY', 'false', 'true behind a reverse proxy (client address from X-Forwarded-For)'],
  ['VIGIL_REGION', 'local', 'the location name of the built-in probe'],
  ['VIGIL_PROBE_LIVE_SECONDS', '60', 'a regional probe is live while heard from within this'],
  ['VIGIL_PROBE_LEASE_SECONDS', '90', 'how long a regional probe holds a leased check'],
  ['VIGIL_ROLE', 'all', 'all (API and checks), api, or worker (checks only)'],
  ['VIGIL_CHECK_CONCURRENCY', '2000', 'checks in flight at most'],
  ['VIGIL_CHECK_WORKERS', '0', 'threads that run checks; 0 runs them on the main thread'],
  ['VIGIL_RAW_RETENTION_DAYS', '7', 'days every check result is kept'],
  ['VIGIL_HOURLY_RETENTION_DAYS', '30', 'days hourly rollups are kept'],
  ['VIGIL_ROLLUP_RETENTION_DAYS', '400', 'days daily rollups are kept'],
  ['VIGIL_BLOCK_PRIVATE_TARGETS', 'false', 'true refuses checks of private and loopback addresses'],
  ['VIGIL_ALLOWED_TARGETS', 'unset', 'addresses or CIDR ranges checks may always reach'],
  ['VIGIL_TLS_CA_FILE', 'unset', 'PEM file of extra CA certificates for https checks'],
  ['VIGIL_METRICS_TOKEN', 'unset', 'turns on GET /metrics with this bearer token'],
  ['VIGIL_SMTP_URL', 'unset', 'smtp://user:password@host:587 or smtps://…:465 for email'],
  ['VIGIL_SMTP_FROM', 'vigil@<VIGIL_PUBLIC_URL host>', 'the From address of emails'],
  ['VIGIL_NOTIFY_TIMEOUT', '10', 'seconds one delivery attempt may take'],
  ['VIGIL_NOTIFY_GIVE_UP_MINUTES', '1440', 'a notification failing this long is given up'],
  ['VIGIL_OUTBOX_RETENTION_DAYS', '30', 'days delivered notifications are kept'],
  ['VIGIL_RDAP_BOOTSTRAP_URL', IANA_RDAP_BOOTSTRAP, 'RDAP bootstrap registry of domain expiry lookups; off is off'],
  ['VIGIL_DNS_SERVERS', "the system's", 'resolvers asked for custom hostname proofs (ip or ip:port, comma-separated)'],
  ['VIGIL_PING_HISTORY', '100', 'heartbeat pings kept per healthcheck'],
  ['VIGIL_PING_RATE_PER_MINUTE', '60', 'pings per token per minute; 0 is off'],
  ...Object.entries(LIMIT_VARIABLES).map(([k, name]): [string, string, string] => [
    name,
    String(DEFAULT_LIMITS[k as keyof ProjectLimits]),
    `at most this many ${LIMIT_NOUNS[k as keyof ProjectLimits]} per project`,
  ]),
];
