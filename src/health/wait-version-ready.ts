import type Docker from 'dockerode';
import type { Logger } from '../log.js';
import { waitHealthy } from './wait-healthy.js';
import { waitReady, type ReadinessOptions } from './wait-ready.js';

/**
 * A new version is ready when its status URI answers a ready status and, when it has a
 * Docker health check, the engine reports it healthy. Whichever fails first (an unhealthy
 * check, an exit, the timeout) fails the version and stops the other wait. Resolves with
 * the port that answered.
 */
export async function waitVersionReady(options: ReadinessOptions & { container: Docker.Container }, log: Logger, signal: AbortSignal): Promise<number> {
  const failed = new AbortController();
  const both = AbortSignal.any([signal, failed.signal]);
  const health = waitHealthy({ container: options.container, name: options.name, timeoutMs: options.timeoutMs }, log, both);
  const ready = waitReady(options, log, both);
  try {
    const [port, healthy] = await Promise.all([ready, health]);
    if (healthy) log.info(`${options.name} is healthy and answers on port ${port}`);
    return port;
  } catch (error) {
    failed.abort();
    // Let the other wait finish its clean-up (its probes, its timers) before going on.
    await Promise.allSettled([health, ready]);
    throw error;
  }
}
