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
