import type { Json } from '../domain/imports.ts';
import type { SourceData } from '../services/imports.ts';

/** The import cannot run: the source is unreachable, refuses the key or is not a Hyperping-compatible API, or the project is unknown. */
export class ImportError extends Error {}

export interface SourceOptions {
  /** Waits between retries (tests shorten it). */
  sleep?: (ms: number) => Promise<void>;
  onFetch?: (what: string) => void;
}

const MAX_RETRY_AFTER_S = 60;
const RETRIES = 3;
const RATE_LIMIT_RETRIES = 5;

/** `https://api.hyperping.io/` → `https://api.hyperping.io`; refuses what is not an http(s) URL. */
export function sourceBase(from: string): string {
  let u: URL;
  try {
    u = new URL(from);
  } catch {
    throw new ImportError(`--from must be the URL of the source API, such as https://api.hyperping.io (got "${from}")`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ImportError('--from must be an http or https URL');
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
}

/** Seconds from a Retry-After header (a number or an HTTP date), bounded. */
function retryAfterMs(header: string | null): number {
  const secs =
    header === null ? 1 : /^\d+$/.test(header.trim()) ? Number(header) : (Date.parse(header) - Date.now()) / 1000;
  return Math.min(Math.max(Number.isFinite(secs) ? secs : 1, 0), MAX_RETRY_AFTER_S) * 1000;
}

/** A list answer, bare or wrapped under one of `keys` (api-contract §1.7, as the Go client reads them). */
function listOf(body: unknown, path: string, keys: string[]): Json[] {
  if (Array.isArray(body)) return body;
  for (const k of keys) {
    const v = (body as Json | null)?.[k];
    if (Array.isArray(v)) return v;
  }
  throw new ImportError(`GET ${path} did not answer a list (${keys[0]}): is this a Hyperping-compatible API?`);
}

/**
 * Reads a Hyperping-compatible API with a bearer key: GETs only, retried on network errors and
 * 5xx with backoff, and on 429 after Retry-After (bounded); 401/403 stop at once.
 */
export function sourceClient(base: string, key: string, opts: SourceOptions = {}) {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));

  async function get(path: string): Promise<unknown> {
    let failures = 0;
    let limited = 0;
    for (;;) {
      let res: Response;
      try {
        res = await fetch(base + path, {
          headers: { authorization: `Bearer ${key}`, accept: 'application/json', 'user-agent': 'vigil-import' },
          signal: AbortSignal.timeout(30_000),
        });
      } catch (err) {
        if (failures < RETRIES) {
          await sleep(500 * 2 ** failures++);
          continue;
        }
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        throw new ImportError(`cannot reach ${base}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
      }
      if (res.status === 401 || res.status === 403) {
        throw new ImportError(
          `${base} refused the key (HTTP ${res.status}): check --key (an API key of the source project, sk_…)`,
        );
      }
      if (res.status === 429 && limited++ < RATE_LIMIT_RETRIES) {
        await res.body?.cancel();
        await sleep(retryAfterMs(res.headers.get('retry-after')));
        continue;
      }
      if (res.status >= 500 && failures < RETRIES) {
        await res.body?.cancel();
        await sleep(500 * 2 ** failures++);
        continue;
      }
      const text = await res.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      if (!res.ok) {
        const said = (body as Json | undefined)?.message ?? (body as Json | undefined)?.error;
        throw new ImportError(`GET ${path} answered HTTP ${res.status}${typeof said === 'string' ? `: ${said}` : ''}`);
      }
      if (body === undefined)
        throw new ImportError(`GET ${path} did not answer JSON: is ${base} a Hyperping-compatible API?`);
      return body;
    }
  }

  /** Every page of a `?page=N` list (0-based, until hasNextPage is false). */
  async function pages(path: string, keys: string[]): Promise<Json[]> {
    const out: Json[] = [];
    for (let page = 0; page < 10_000; page++) {
      const body = await get(`${path}${path.includes('?') ? '&' : '?'}page=${page}`);
      const items = listOf(body, path, keys);
      out.push(...items);
      if (Array.isArray(body) || (body as Json).hasNextPage !== true || items.length === 0) break;
    }
    return out;
  }

  const id = (v: unknown) => encodeURIComponent(String(v));
  const one = (body: unknown, key: string): Json => ((body as Json)?.[key] ?? body) as Json;

  /** Everything the import copies, read before anything is written. */
  async function readAll(): Promise<SourceData> {
    opts.onFetch?.('monitors');
    const monitors = listOf(await get('/v1/monitors'), '/v1/monitors', ['monitors', 'data']);
    opts.onFetch?.('healthchecks');
    const healthchecks = listOf(await get('/v2/healthchecks'), '/v2/healthchecks', ['healthchecks', 'data']);
    opts.onFetch?.('status pages');
    const statuspages: SourceData['statuspages'] = [];
    for (const summary of await pages('/v2/statuspages', ['statuspages', 'data'])) {
      opts.onFetch?.(`status page ${summary.uuid}`);
      const page = one(await get(`/v2/statuspages/${id(summary.uuid)}`), 'statuspage');
      const subscribers = await pages(`/v2/statuspages/${id(summary.uuid)}/subscribers`, ['subscribers', 'data']);
      statuspages.push({ page, subscribers });
    }
    opts.onFetch?.('maintenance windows');
    const maintenance: Json[] = [];
    // List items lack the notification settings: each window is read whole.
    for (const w of await pages('/v1/maintenance-windows', ['maintenanceWindows', 'maintenance', 'data'])) {
      maintenance.push({ ...w, ...one(await get(`/v1/maintenance-windows/${id(w.uuid)}`), 'maintenanceWindow') });
    }
    opts.onFetch?.('incidents');
    const incidents = listOf(await get('/v3/incidents'), '/v3/incidents', ['incidents', 'data']);
    return { monitors, healthchecks, statuspages, maintenance, incidents };
  }

  return { get, readAll };
}
