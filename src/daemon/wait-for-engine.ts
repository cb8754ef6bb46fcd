import type Docker from 'dockerode';
import { setTimeout as sleep } from 'node:timers/promises';
import { EnginePollIntervalMs } from '../defaults.js';

export async function engineAnswers(docker: Docker): Promise<boolean> {
  return docker.ping().then(() => true, () => false);
}

/** Resolves once the Docker engine answers again (after a restart), or when `signal` aborts. */
export async function waitForEngine(docker: Docker, signal: AbortSignal): Promise<void> {
  while (!signal.aborted && !(await engineAnswers(docker))) {
    await sleep(EnginePollIntervalMs, undefined, { signal }).catch(() => {});
  }
}
