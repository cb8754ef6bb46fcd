import type Docker from 'dockerode';
import { setTimeout as sleep } from 'node:timers/promises';
import { DockerCallTimeoutMs, EnginePollIntervalMs } from '../defaults.js';

export async function engineAnswers(docker: Docker): Promise<boolean> {
  // A hung engine counts as gone: the ping gives up after a while.
  const timeout = sleep(DockerCallTimeoutMs, false, { ref: false });
  return Promise.race([docker.ping().then(() => true, () => false), timeout]);
}

/** Resolves once the Docker engine answers again (after a restart), or when `signal` aborts. */
export async function waitForEngine(docker: Docker, signal: AbortSignal): Promise<void> {
  while (!signal.aborted && !(await engineAnswers(docker))) {
    await sleep(EnginePollIntervalMs, undefined, { signal }).catch(() => {});
  }
}
