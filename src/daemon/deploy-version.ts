import type Docker from 'dockerode';
import { startContainer, type RunningContainer } from '../container/start-container.js';
import { stopAndRemove } from '../container/stop-container.js';
import { formatDuration } from '../duration.js';
import { waitReady } from '../health/wait-ready.js';
import type { Logger } from '../log.js';
import type { DaemonConfig, ImageSource } from './config.js';
import { obtainImage } from './obtain-image.js';

/**
 * Obtains an image, starts a container from it and waits until it is ready. On failure
 * or abort the container is removed: a version that never went live leaves nothing.
 */
export async function deployVersion(
  docker: Docker,
  config: DaemonConfig,
  source: ImageSource,
  generation: number,
  log: Logger,
  signal: AbortSignal,
): Promise<RunningContainer> {
  const started = performance.now();
  const image = await obtainImage(docker, source, log, signal);
  log.info(`image ${image.name} (${image.id.slice(7, 19)}) ready in ${formatDuration(performance.now() - started)}`);
  signal.throwIfAborted();
  const version = await startContainer(docker, image, generation, config.container, log);
  try {
    log.info(`started ${version.name} at ${version.ip}; polling ${config.statusUri} on port ${version.tcpPorts.join(', ')}`);
    const polling = performance.now();
    const port = await waitReady({
      ip: version.ip,
      ports: version.tcpPorts,
      statusUri: config.statusUri,
      isReady: config.isReady,
      timeoutMs: config.readyTimeoutMs,
      exited: version.exited,
      name: version.name,
    }, log, signal);
    log.info(`${version.name} is ready on port ${port} after ${formatDuration(performance.now() - polling)}`);
    return version;
  } catch (error) {
    await stopAndRemove(version.container, 0).catch(() => {});
    throw error;
  }
}
