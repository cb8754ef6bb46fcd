import { formatDuration } from '../duration.js';

/** A time limit as it was likely written ("5m", "90s", "300ms"), where formatDuration says "300.0s". */
export function asWritten(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000 && ms % 1000 === 0) return `${ms / 1000}s`;
  return formatDuration(ms);
}
