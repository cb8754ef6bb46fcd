import { DefaultProbeFastForMs, DefaultProbeIntervalMaxMs, DefaultProbeIntervalMinMs } from '../defaults.js';

export interface ProbeSchedule {
  /** The interval while the version may be about to answer... */
  minMs: number;
  /** ...for this long after the first probe... */
  fastForMs: number;
  /** ...then a tenth of the time waited beyond that, up to this. */
  maxMs: number;
}

export const DefaultProbeSchedule: ProbeSchedule = { minMs: DefaultProbeIntervalMinMs, fastForMs: DefaultProbeFastForMs, maxMs: DefaultProbeIntervalMaxMs };

/**
 * The interval between the start of one readiness probe and the next, `elapsedMs` after
 * the first. Most apps answer within a second or two, and the switch should follow their
 * first ready answer within a few ms, so they are probed every few ms until then; a slow
 * starter is then probed less and less often, a few times a second at most, never flooded
 * (each probe costs it a connection, and it spent at most a tenth of the wait on them).
 */
export function probeIntervalMs(elapsedMs: number, schedule: ProbeSchedule = DefaultProbeSchedule): number {
  if (elapsedMs < schedule.fastForMs) return schedule.minMs;
  return Math.min(schedule.maxMs, schedule.minMs + (elapsedMs - schedule.fastForMs) / 10);
}
