import { setTimeout as sleep } from 'node:timers/promises';
import type { RunningContainer } from '../container/start-container.js';
import { stopAndRemove } from '../container/stop-container.js';
import { waitDrained } from '../drain/wait-drained.js';
import { ClosedEntriesWaitMs } from '../defaults.js';
import { forgetConnections, waitEndedGone } from '../firewall/conntrack.js';
import { formatDuration } from '../duration.js';
import type { Logger } from '../log.js';

/** A version being retired: its address is the DNAT target of the connections it still serves. */
export type Retiree = Pick<RunningContainer, 'container' | 'name' | 'pid' | 'ip'> & {
  /** The container ports that took the switched traffic. */
  ports: ReadonlySet<number>;
};

export interface RetireTimings {
  overlapGraceMs: number;
  drainTimeoutMs: number;
  stopTimeoutMs: number;
}

/**
 * Stops a version that no longer gets new connections: after the overlap grace, once its
 * connections have drained (or the drain timeout passed), SIGTERM, then SIGKILL.
 * Aborting `signal` (shutdown) skips the waiting but still stops it.
 *
 * Its conntrack entries are left alone while it drains: deleting them races with clients
 * that reuse a port for a new connection (see firewall/conntrack.ts). Before the stop it
 * waits for the entries of its ended connections to expire, so dockerd has none to delete.
 */
export async function retireVersion(old: Retiree, timings: RetireTimings, log: Logger, signal: AbortSignal): Promise<void> {
  const started = performance.now();
  await sleep(timings.overlapGraceMs, undefined, { signal }).catch(() => {});
  const open = await waitDrained(old.pid, old.ports, Math.max(0, timings.drainTimeoutMs - (performance.now() - started)), signal);
  if (open > 0 && !signal.aborted) {
    log.warn(`${old.name} still has ${open} open connection(s) after ${formatDuration(timings.drainTimeoutMs)} (keep-alive clients?); stopping it anyway`);
  } else if (!signal.aborted) {
    log.info(`${old.name} drained in ${formatDuration(performance.now() - started)}; stopping it`);
  }
  // Let the kernel expire its ended connections' entries first (firewall/closing-timeouts.ts).
  const left = await waitEndedGone(old.ip, ClosedEntriesWaitMs, signal);
  if (left > 0) log.info(`${old.name}: ${left} ended connection(s) still in conntrack after ${formatDuration(ClosedEntriesWaitMs)}; stopping it anyway`);
  try {
    await stopAndRemove(old.container, timings.stopTimeoutMs);
  } finally {
    await forgetConnections(old.ip);
  }
  log.info(`${old.name} stopped and removed`);
}
