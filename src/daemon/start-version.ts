import type Docker from 'dockerode';
import { startContainer, type RunningContainer } from '../container/start-container.js';
import { stopAndRemove } from '../container/stop-container.js';
import { formatDuration } from '../duration.js';
import { waitVersionReady } from '../health/wait-version-ready.js';
import type { Logger } from '../log.js';
import type { BuiltImage } from '../source/build-image.js';
import type { Phase } from '../state/history.js';
import type { DaemonConfig } from './config.js';

/**
 * Starts a container from `image` and waits until it is ready. On failure or abort the
 * container is removed: a version that never went live leaves nothing behind.
 */
export async function startVersion(
  docker: Docker,
  config: DaemonConfig,
  image: BuiltImage,
  generation: number,
  phases: Phase[],
  log: Logger,
  signal: AbortSignal,
  /** Runs while the container warms up: preparation for the switch. */
  whileWarming: (version: RunningContainer) => Promise<void> = async () => {},
): Promise<RunningContainer> {
  let started = performance.now();
  const version = await startContainer(docker, image, generation, config.container, log);
  phases.push({ name: 'start', ms: Math.round(performance.now() - started) });
  try {
    const ports = config.statusPort === undefined ? version.tcpPorts : [config.statusPort];
    log.info(`started ${version.name} at ${version.ip}; polling ${config.statusUri} on port ${ports.join(', ')}`);
    started = performance.now();
    const preparing = whileWarming(version);
    preparing.catch(() => {}); // awaited below; a failed readiness must not leave it unhandled
    const port = await waitVersionReady({
      container: version.container,
      ip: version.ip,
      ports,
      statusUri: config.statusUri,
      isReady: config.isReady,
      timeoutMs: config.readyTimeoutMs,
      exited: version.exited,
      name: version.name,
    }, log, signal);
    const ms = performance.now() - started;
    await preparing;
    phases.push({ name: 'ready', ms: Math.round(ms) });
    log.info(`${version.name} is ready on port ${port} after ${formatDuration(ms)}`);
    return version;
  } catch (error) {
    await stopAndRemove(version.container, 0).catch(() => {});
    throw error;
  }
}
