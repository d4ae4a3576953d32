/** Latency histogram bounds in ms (the last bucket is everything above 10 s). */
export const LATENCY_BOUNDS = [50, 100, 200, 300, 500, 750, 1000, 2000, 3000, 5000, 10000, Infinity] as const;
export const HISTOGRAM_COLUMNS = ['h0', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7', 'h8', 'h9', 'h10', 'h11'] as const;

export const HOUR = 3_600_000;
export const DAY = 86_400_000;

export function bucketIndex(ms: number): number {
  let i = 0;
  while (ms > LATENCY_BOUNDS[i]) i++;
  return i;
}

export function bucketStart(at: number, size: number): number {
  return at - (at % size);
}

/** Upper bound of the bucket holding the q-quantile (an estimate from the histogram). */
export function percentileFromHistogram(counts: number[], q: number): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const target = Math.ceil(q * total);
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i];
    if (seen >= target) return LATENCY_BOUNDS[i] === Infinity ? LATENCY_BOUNDS[i - 1] : LATENCY_BOUNDS[i];
  }
  return null;
}
