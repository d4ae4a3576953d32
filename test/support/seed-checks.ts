import { DAY, HOUR, bucketIndex, bucketStart } from '../../src/domain/rollups.ts';
import type { Ctx } from '../../src/services/context.ts';
import { insertResultRows } from '../../src/services/results.ts';
import type { CheckResultRow, RollupRow } from '../../src/storage/schema.ts';
import type { Insertable } from 'kysely';

/** A deterministic wobble, so seeded charts look like traffic and tests stay repeatable. */
const wave = (i: number, period: number) => Math.sin((i / period) * Math.PI * 2);

/**
 * Raw results every `everyMs` over `spanMs` from each location, with phases, plus the hourly
 * and daily rollups the engine would have written for them (sparklines and uptime read those).
 */
export async function seedChecks(
  ctx: Ctx,
  monitorId: number,
  o: { now: number; spanMs: number; everyMs: number; locations: string[]; base?: number; failEvery?: number },
) {
  const results: Omit<Insertable<CheckResultRow>, 'id'>[] = [];
  const rollups = new Map<string, RollupRow>();
  let i = 0;
  for (let at = o.now - o.spanMs; at < o.now; at += o.everyMs, i++) {
    o.locations.forEach((location, l) => {
      const ok = !(o.failEvery && i % o.failEvery === 0);
      const dns = Math.round(8 + 4 * wave(i, 17) + l * 3);
      const connect = Math.round(22 + 6 * wave(i, 29) + l * 15);
      const tls = Math.round(35 + 8 * wave(i, 41) + l * 20);
      const ttfb = Math.round((o.base ?? 90) + 40 * wave(i, 96) + 15 * wave(i, 7));
      const total = dns + connect + tls + ttfb + 6;
      results.push({
        monitor_id: monitorId,
        at,
        location,
        ok: ok ? 1 : 0,
        status_code: ok ? 200 : 503,
        total_ms: ok ? total : null,
        dns_ms: ok ? dns : null,
        connect_ms: ok ? connect : null,
        tls_ms: ok ? tls : null,
        ttfb_ms: ok ? ttfb : null,
        error: ok ? null : 'status 503',
      });
      for (const [granularity, size] of [
        ['hour', HOUR],
        ['day', DAY],
      ] as const) {
        const bucket = bucketStart(at, size);
        const key = `${granularity}|${bucket}|${location}`;
        const r = rollups.get(key) ?? {
          monitor_id: monitorId,
          granularity,
          bucket,
          location,
          checks: 0,
          failures: 0,
          sum_ms: 0,
          min_ms: null,
          max_ms: null,
          h0: 0,
          h1: 0,
          h2: 0,
          h3: 0,
          h4: 0,
          h5: 0,
          h6: 0,
          h7: 0,
          h8: 0,
          h9: 0,
          h10: 0,
          h11: 0,
        };
        r.checks++;
        if (!ok) r.failures++;
        else {
          r.sum_ms += total;
          r.min_ms = Math.min(r.min_ms ?? total, total);
          r.max_ms = Math.max(r.max_ms ?? total, total);
          (r as unknown as Record<string, number>)[`h${bucketIndex(total)}`]++;
        }
        rollups.set(key, r);
      }
    });
  }
  await insertResultRows(ctx.store, ctx.store.db, results);
  const rows = [...rollups.values()];
  for (let k = 0; k < rows.length; k += 200)
    await ctx.store.db
      .insertInto('check_rollups')
      .values(rows.slice(k, k + 200))
      .execute();
}
