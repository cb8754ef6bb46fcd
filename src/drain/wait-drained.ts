import { setTimeout as sleep } from 'node:timers/promises';
import { DrainPollIntervalMs } from '../defaults.js';
import { servingConnections } from './connections.js';

/**
 * Waits until the container whose first process is `pid` serves no connection on
 * `ports`, or `timeoutMs` passes. Resolves with the connections still open (0 = drained).
 */
export async function waitDrained(pid: number, ports: ReadonlySet<number>, timeoutMs: number, signal: AbortSignal): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = (await servingConnections(pid, ports)) ?? 0;
    if (open === 0 || Date.now() >= deadline || signal.aborted) return open;
    await sleep(DrainPollIntervalMs, undefined, { signal }).catch(() => {});
  }
}
