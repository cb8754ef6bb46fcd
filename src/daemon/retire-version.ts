import type Docker from 'dockerode';
import { setTimeout as sleep } from 'node:timers/promises';
import { stopAndRemove } from '../container/stop-container.js';
import { ForgetEndedEveryMs } from '../defaults.js';
import { waitDrained } from '../drain/wait-drained.js';
import { forgetConnections, forgetEndedConnections } from '../firewall/conntrack.js';
import { formatDuration } from '../duration.js';
import type { Logger } from '../log.js';

export interface Retiree {
  container: Docker.Container;
  name: string;
  pid: number;
  /** Its address on the bridge: the DNAT target of the connections it still serves. */
  ip: string;
  /** The container ports that took the switched traffic. */
  ports: ReadonlySet<number>;
}

export interface RetireTimings {
  overlapGraceMs: number;
  drainTimeoutMs: number;
  stopTimeoutMs: number;
}

/**
 * Stops a version that no longer gets new connections: after the overlap grace, once its
 * connections have drained (or the drain timeout passed), SIGTERM, then SIGKILL.
 * Aborting `signal` (shutdown) skips the waiting but still stops it.
 */
export async function retireVersion(old: Retiree, timings: RetireTimings, log: Logger, signal: AbortSignal): Promise<void> {
  const started = performance.now();
  // While it drains, connections that end must not be revived by a new one.
  const forgetting = new AbortController();
  const forgetLoop = (async () => {
    while (!forgetting.signal.aborted) {
      await forgetEndedConnections(old.ip);
      await sleep(ForgetEndedEveryMs, undefined, { signal: forgetting.signal }).catch(() => {});
    }
  })();
  await sleep(timings.overlapGraceMs, undefined, { signal }).catch(() => {});
  const open = await waitDrained(old.pid, old.ports, Math.max(0, timings.drainTimeoutMs - (performance.now() - started)), signal);
  if (open > 0 && !signal.aborted) {
    log.warn(`${old.name} still has ${open} open connection(s) after ${formatDuration(timings.drainTimeoutMs)} (keep-alive clients?); stopping it anyway`);
  } else if (!signal.aborted) {
    log.info(`${old.name} drained in ${formatDuration(performance.now() - started)}; stopping it`);
  }
  try {
    await stopAndRemove(old.container, timings.stopTimeoutMs);
  } finally {
    forgetting.abort();
    await forgetLoop;
    await forgetConnections(old.ip);
  }
  log.info(`${old.name} stopped and removed`);
}
