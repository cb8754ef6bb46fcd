import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { HealthPollIntervalMs } from '../defaults.js';
import { HanoverdError } from '../errors.js';
import type { Logger } from '../log.js';

export interface HealthOptions {
  container: Docker.Container;
  name: string;
  timeoutMs: number;
}

interface HealthState {
  Status?: string;
  FailingStreak?: number;
  Log?: Array<{ ExitCode?: number; Output?: string }>;
}

/** The last health check's output, on one short line, for the log and errors. */
function lastCheck(health: HealthState): string {
  const last = health.Log?.at(-1);
  if (!last) return 'no check has run yet';
  const output = (last.Output ?? '').replace(/\s+/g, ' ').trim().slice(0, 160);
  return `exit ${last.ExitCode ?? '?'}${output ? `: ${output}` : ''}`;
}

/**
 * Waits until the engine reports the container `healthy` (polling container inspect's
 * State.Health). Resolves false at once when it has no health check. A container that
 * turns `unhealthy`, exits, or is not healthy by the timeout fails the version.
 */
export async function waitHealthy(options: HealthOptions, log: Logger, signal: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  let seen: string | undefined;
  for (;;) {
    signal.throwIfAborted();
    const info = await options.container.inspect();
    const health = (info.State as { Health?: HealthState }).Health;
    if (!health?.Status) return false;
    if (!info.State.Running) {
      throw new HanoverdError(`${options.name} exited with code ${info.State.ExitCode} before it was ready; see its output above`);
    }
    if (health.Status !== seen) {
      seen = health.Status;
      if (seen !== 'unhealthy') log.info(`${options.name}: health ${seen}${health.Log?.length ? ` (last check ${lastCheck(health)})` : ''}`);
    }
    if (health.Status === 'healthy') return true;
    if (health.Status === 'unhealthy') {
      throw new HanoverdError(`${options.name} turned unhealthy after ${health.FailingStreak ?? '?'} failed health checks (last check ${lastCheck(health)}); fix the HEALTHCHECK or --health-cmd`);
    }
    if (Date.now() >= deadline) {
      throw new HanoverdError(`${options.name} was not healthy within ${Math.round(options.timeoutMs / 1000)}s (health ${health.Status}, last check ${lastCheck(health)}); check --health-interval and --health-start-period or raise --ready-timeout`);
    }
    await sleep(HealthPollIntervalMs, undefined, { signal });
  }
}
