import type Docker from 'dockerode';
import { GenerationLabel, listAppContainers } from '../labels.js';
import { describeRunning, waitForExit, type RunningContainer } from '../container/start-container.js';
import { stopAndRemove } from '../container/stop-container.js';
import { DockerCallTimeoutMs } from '../defaults.js';
import { checkStatus } from '../health/check-version.js';
import type { Logger } from '../log.js';
import type { BuiltImage } from '../source/build-image.js';
import type { ContextHashCache } from '../source/context-hash.js';
import type { Phase } from '../state/history.js';
import type { VersionInfo } from '../state/live-state.js';
import type { ImageSource } from '../trigger.js';
import type { DaemonConfig } from './config.js';
import { obtainImage } from './obtain-image.js';
import { pruneImages } from './prune-images.js';
import { retireVersion } from './retire-version.js';
import { startVersion } from './start-version.js';
import type { Check } from './watch-window.js';
import { engineAnswers, waitForEngine } from './wait-for-engine.js';

/** A container of this app as the engine lists it. */
export interface AppContainer {
  id: string;
  name: string;
  running: boolean;
  generation: number;
  image: BuiltImage;
}

/**
 * Everything the daemon asks of the Docker engine, as one seam: the handover, recovery and
 * the watchers are tested with a fake that fails wherever a test wants.
 */
export interface Engine {
  obtain(source: ImageSource, signal: AbortSignal): Promise<BuiltImage>;
  /** Starts a container and waits until it is ready; removes it when it never gets there. */
  start(image: BuiltImage, generation: number, phases: Phase[], signal: AbortSignal, whileWarming: (version: RunningContainer) => Promise<void>): Promise<RunningContainer>;
  /** Drains a version that no longer gets new connections, then stops and removes it. */
  retire(version: RunningContainer, signal: AbortSignal): Promise<void>;
  /** Stops and removes at once (after `stopTimeoutMs` of SIGTERM). */
  remove(version: Pick<RunningContainer, 'container'>, stopTimeoutMs: number): Promise<void>;
  list(): Promise<AppContainer[]>;
  /** A listed container as a version, or undefined when it is not running (any more). */
  describe(container: AppContainer): Promise<RunningContainer | undefined>;
  removeById(id: string): Promise<void>;
  isRunning(version: RunningContainer): Promise<boolean>;
  answers(): Promise<boolean>;
  waitUntilAnswers(signal: AbortSignal): Promise<void>;
  /** Watches for the next exit again (after the engine came back with the container running). */
  rewatch(version: RunningContainer): void;
  info(version: RunningContainer): Promise<VersionInfo>;
  /** One look at a live version: still running, not unhealthy (Docker health), status URI ready. */
  check(version: RunningContainer): Promise<Check>;
  /** Removes images beyond the newest few, never those in `keep`; returns the IDs still there. */
  prune(built: readonly string[], keep: ReadonlySet<string>): Promise<string[]>;
}

export function dockerEngine(docker: Docker, config: DaemonConfig, log: Logger): Engine {
  const contextCache: ContextHashCache = new Map();
  return {
    obtain: (source, signal) => obtainImage(docker, source, log, signal, contextCache),
    start: (image, generation, phases, signal, whileWarming) => startVersion(docker, config, image, generation, phases, log, signal, whileWarming),
    retire: (version, signal) => {
      const ports = config.bindings.length > 0 ? config.bindings.map((b) => b.containerPort) : version.tcpPorts;
      return retireVersion({ ...version, ports: new Set(ports) }, config, log, signal);
    },
    remove: (version, stopTimeoutMs) => stopAndRemove(version.container, stopTimeoutMs),
    async list() {
      const infos = await listAppContainers(docker, config.app);
      return infos.map((info) => ({
        id: info.Id,
        name: info.Names[0]?.replace(/^\//, '') ?? info.Id,
        running: info.State === 'running',
        generation: Number(info.Labels[GenerationLabel] ?? 0) || 0,
        image: { id: info.ImageID, name: info.Image },
      }));
    },
    async describe(listed) {
      const container = docker.getContainer(listed.id);
      // It may have exited since it was listed: then it only needs removing.
      return describeRunning(docker, container, listed.image, waitForExit(container)).catch(() => undefined);
    },
    removeById: (id) => stopAndRemove(docker.getContainer(id), 0),
    isRunning: (version) => version.container.inspect({ abortSignal: AbortSignal.timeout(DockerCallTimeoutMs) }).then((info) => info.State.Running, () => false),
    answers: () => engineAnswers(docker),
    waitUntilAnswers: (signal) => waitForEngine(docker, signal),
    rewatch: (version) => {
      version.exited = waitForExit(version.container);
    },
    async info(version) {
      const image = await docker.getImage(version.image.id).inspect().catch(() => undefined);
      const digest = image?.RepoDigests?.[0];
      return { container: version.name, image: version.image.name, imageId: version.image.id, ...(digest ? { digest } : {}), since: new Date().toISOString() };
    },
    async check(version) {
      const info = await version.container.inspect({ abortSignal: AbortSignal.timeout(DockerCallTimeoutMs) }).catch(() => undefined);
      if (!info?.State.Running) return { ok: false, reason: `${version.name} is not running` };
      if (info.State.Health?.Status === 'unhealthy') return { ok: false, reason: `${version.name} is unhealthy (Docker health check)` };
      const ports = config.bindings.length > 0 ? config.bindings.filter((b) => b.protocol === 'tcp').map((b) => b.containerPort) : version.tcpPorts;
      const failure = await checkStatus(version.ip, ports, config.statusUri, config.isReady);
      return failure === undefined ? { ok: true } : { ok: false, reason: failure };
    },
    prune: (built, keep) => pruneImages(docker, built, keep, log),
  };
}
