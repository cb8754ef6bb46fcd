// What every benchmark reports with: medians, min/median/max, and hanoverd's log stamps.

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length === 0 ? Number.NaN : sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function minMedianMax(values: readonly number[]): { min: number; median: number; max: number } {
  return values.length === 0
    ? { min: Number.NaN, median: Number.NaN, max: Number.NaN }
    : { min: Math.min(...values), median: median(values), max: Math.max(...values) };
}

/** hanoverd stamps lines HH:MM:SS.mmm (UTC): the nearest such moment to now, in ms since the epoch. */
export function logTime(line: string): number {
  const match = line.match(/^(\d\d):(\d\d):(\d\d)\.(\d\d\d) /);
  if (!match) return Number.NaN;
  const today = new Date();
  const at = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate(), +match[1]!, +match[2]!, +match[3]!, +match[4]!);
  const day = 86_400_000;
  return [at - day, at, at + day].reduce((best, t) => (Math.abs(t - Date.now()) < Math.abs(best - Date.now()) ? t : best));
}

/**
 * A distribution-free interval for the median of `values`: the k-th smallest and k-th
 * largest, with k as large as keeps the chance that the median lies outside within
 * 1 − `confidence` (binomial order statistics; no assumption about the spread). With too few
 * values for that, min and max, and `coverage` says how sure they are.
 */
export function medianInterval(values: readonly number[], confidence = 0.95): { low: number; high: number; coverage: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { low: Number.NaN, high: Number.NaN, coverage: 0 };
  // cumulative = P(Binomial(n, 1/2) <= k - 1): the chance that fewer than k values lie below the median.
  let term = 0.5 ** n;
  let cumulative = term;
  let k = 1;
  for (let i = 1; i < n / 2; i++) {
    // With k = i + 1, the interval misses the median with probability 2·P(B <= i).
    term = (term * (n - i + 1)) / i;
    if (2 * (cumulative + term) > 1 - confidence) break;
    cumulative += term;
    k = i + 1;
  }
  return { low: sorted[k - 1]!, high: sorted[n - k]!, coverage: 1 - 2 * cumulative };
}
