import type Docker from 'dockerode';
import { listAppContainers, nextGeneration } from '../container/labels.js';
import { describeRunning, waitForExit, type RunningContainer } from '../container/start-container.js';
import { stopAndRemove } from '../container/stop-container.js';
import { shortId } from '../docker.js';
import { describeError, HanoverdError } from '../errors.js';
import { TrafficSwitch } from '../firewall/traffic-switch.js';
import type { Logger } from '../log.js';
import { formatBinding } from '../options/publish.js';
import type { BuiltImage } from '../source/build-image.js';
import { appendHistory, readHistory, type HistoryEntry, type Phase } from '../state/history.js';
import { readLiveState, writeLiveState, type LiveState, type VersionInfo } from '../state/live-state.js';
import type { DaemonConfig, Trigger } from './config.js';
import { obtainImage } from './obtain-image.js';
import { pruneBuiltImages } from './prune-images.js';
import { retireVersion, type Retiree } from './retire-version.js';
import { startVersion } from './start-version.js';
import { TriggerQueue } from './trigger-queue.js';
import { engineAnswers, waitForEngine } from './wait-for-engine.js';

export interface Daemon {
  /** Starts a new handover, superseding one still in progress. */
  deploy(trigger: Trigger): void;
  /** Hands back to the previously live image; throws when there is none. */
  rollback(): string;
  status(): LiveState;
  history(): HistoryEntry[];
  /** Resolves once everything hanoverd made is removed. */
  done: Promise<void>;
}

export interface DaemonHooks {
  /** A version went live (the first time: the daemon is ready). */
  onLive?(status: string): void;
}

function asRetiree(version: RunningContainer, config: DaemonConfig): Retiree {
  const ports = config.bindings.length > 0 ? config.bindings.map((b) => b.containerPort) : version.tcpPorts;
  return { container: version.container, name: version.name, pid: version.pid, ip: version.ip, ports: new Set(ports) };
}

async function versionInfo(docker: Docker, version: RunningContainer): Promise<VersionInfo> {
  const image = await docker.getImage(version.image.id).inspect().catch(() => undefined);
  const digest = image?.RepoDigests?.[0];
  return { container: version.name, image: version.image.name, imageId: version.image.id, ...(digest ? { digest } : {}), since: new Date().toISOString() };
}

/**
 * The handover loop: each trigger obtains, starts and readies a new version, switches
 * traffic to it and retires the previous one. Every deploy is recorded in the history
 * and the live state. Aborting `shutdown` removes every rule and container of this app.
 */
export function runDaemon(docker: Docker, config: DaemonConfig, log: Logger, shutdown: AbortSignal, hooks: DaemonHooks = {}): Daemon {
  const traffic = new TrafficSwitch(config.app, config.bindings, log);
  const earlier = readLiveState(config.stateDir);
  const state: LiveState = {
    app: config.app,
    cwd: process.cwd(),
    pid: process.pid,
    startedAt: new Date().toISOString(),
    bindings: config.bindings.map(formatBinding),
    built: earlier?.built ?? [],
    localnet: earlier?.localnet ?? {},
    ...(earlier?.previous ? { previous: earlier.previous } : {}),
  };
  traffic.rememberLocalnet(state.localnet);
  const save = () => {
    state.localnet = traffic.localnetOriginals;
    writeLiveState(config.stateDir, state);
  };
  const record = (entry: Omit<HistoryEntry, 'at'>) => appendHistory(config.stateDir, { at: new Date().toISOString(), ...entry });

  let attempt: AbortController | undefined;
  const triggers = new TriggerQueue<Trigger>(() => attempt?.abort(new Error('superseded by a newer deploy')));
  let live: RunningContainer | undefined;
  let leftovers: Retiree[] = [];
  const retiring = new Map<string, Promise<void>>();
  let generation = 0;
  const retireAbort = new AbortController();
  shutdown.addEventListener('abort', () => retireAbort.abort(), { once: true });

  const retire = (old: Retiree) => {
    const done = retireVersion(old, config, log, retireAbort.signal)
      .catch((error: unknown) => log.error(`stopping ${old.name} failed: ${describeError(error)}`))
      .finally(() => retiring.delete(old.name));
    retiring.set(old.name, done);
  };

  // After a crash: the container the rules point at keeps serving and becomes live
  // again; other running ones are retired (they may still be draining), dead ones removed.
  const adoptLeftovers = async () => {
    const ruled = await traffic.adopt();
    const liveName = ruled ?? earlier?.live?.container;
    for (const info of await listAppContainers(docker, config.app)) {
      const name = info.Names[0]?.replace(/^\//, '') ?? info.Id;
      generation = Math.max(generation, nextGeneration([info]) - 1);
      const container = docker.getContainer(info.Id);
      if (info.State !== 'running') {
        await stopAndRemove(container, 0);
      } else if (name === liveName && !live) {
        const image = { id: info.ImageID, name: earlier?.live?.container === name ? earlier.live.image : info.Image };
        live = await describeRunning(docker, container, image, waitForExit(container));
        watchLive(live);
      } else {
        // It may have exited since it was listed: then it only needs removing.
        const running = await describeRunning(docker, container, { id: info.ImageID, name: info.Image }, waitForExit(container)).catch(() => undefined);
        if (running) leftovers.push(asRetiree(running, config));
        else await stopAndRemove(container, 0);
      }
    }
    if (live) {
      state.live = earlier?.live?.container === live.name ? earlier.live : await versionInfo(docker, live);
      log.warn(`adopted ${live.name}, live before hanoverd restarted; it keeps serving`);
      record({ kind: 'event', trigger: 'restart', outcome: 'info', container: live.name, message: `adopted ${live.name} after a restart` });
      hooks.onLive?.(`serving ${live.name}`);
    } else if (ruled) {
      log.warn(`rules from an earlier run point at ${ruled}, which is gone; they are replaced by the next version`);
    }
    for (const leftover of leftovers) log.warn(`found ${leftover.name} from an earlier run; it is retired once a version is live`);
    save();
  };

  const recoverEngine = async () => {
    log.error('the Docker engine went away; waiting for it to come back');
    record({ kind: 'event', trigger: 'engine', outcome: 'info', message: 'Docker engine unreachable' });
    await waitForEngine(docker, shutdown);
    if (shutdown.aborted) return;
    log.info('the Docker engine is back');
    record({ kind: 'event', trigger: 'engine', outcome: 'info', message: 'Docker engine back' });
  };
  const isRunning = (version: RunningContainer) => version.container.inspect().then((info) => info.State.Running, () => false);

  // The live container exited, on its own or with the engine (which stops its containers
  // when it stops): once the engine answers, a new version takes over unless it survived.
  const watchLive = (version: RunningContainer) => {
    void version.exited.then(async (code) => {
      if (live !== version || shutdown.aborted) return;
      if (!(await engineAnswers(docker))) await recoverEngine();
      if (live !== version || shutdown.aborted) return;
      if (await isRunning(version)) {
        version.exited = waitForExit(version.container);
        watchLive(version);
        return;
      }
      log.error(`live container ${version.name} is gone (exit code ${code}); deploying a new version`);
      triggers.push({ reason: `live container ${version.name} gone` });
    });
  };

  const obtain = async (trigger: Trigger, phases: Phase[], signal: AbortSignal): Promise<BuiltImage> => {
    const started = performance.now();
    const image = await obtainImage(docker, trigger.source ?? config.source, log, signal);
    phases.push({ name: 'obtain', ms: Math.round(performance.now() - started) });
    log.info(`image ${image.name} (${shortId(image.id)}) obtained in ${phases.at(-1)!.ms}ms`);
    return image;
  };

  const goLive = async (version: RunningContainer, phases: Phase[], builtHere: boolean) => {
    const started = performance.now();
    await traffic.switchTo(version);
    phases.push({ name: 'switch', ms: Math.round(performance.now() - started) });
    const previous = live;
    live = version;
    watchLive(version);
    if (previous) retire(asRetiree(previous, config));
    for (const leftover of leftovers) retire(leftover);
    leftovers = [];
    const before = state.live ?? state.stopped;
    if (before && before.imageId !== version.image.id) state.previous = before;
    delete state.stopped;
    state.live = await versionInfo(docker, version);
    if (builtHere && !state.built.includes(version.image.id)) state.built.push(version.image.id);
    hooks.onLive?.(`serving ${version.name} (${version.image.name})`);
  };

  const handover = async (trigger: Trigger) => {
    log.info(`deploying (${trigger.reason})`);
    const controller = new AbortController();
    attempt = controller;
    const signal = AbortSignal.any([controller.signal, shutdown]);
    const phases: Phase[] = [];
    const started = performance.now();
    let image: BuiltImage | undefined;
    let container: string | undefined;
    state.deploying = { trigger: trigger.reason, since: new Date().toISOString() };
    save();
    const finish = (outcome: HistoryEntry['outcome'], error?: string) => {
      delete state.deploying;
      state.lastDeploy = { at: new Date().toISOString(), trigger: trigger.reason, outcome, ...(error ? { error } : {}) };
      save();
      record({
        kind: 'deploy', trigger: trigger.reason, outcome, phases, ms: Math.round(performance.now() - started),
        ...(image ? { image: image.name, imageId: image.id } : {}),
        ...(outcome === 'live' && state.live?.digest ? { digest: state.live.digest } : {}),
        ...(container ? { container } : {}),
        ...(error ? { error } : {}),
      });
    };
    try {
      if (!config.overlap && live) {
        log.info(`--disable-overlap: stopping ${live.name} before starting the new version`);
        const old = live;
        live = undefined;
        await stopAndRemove(old.container, config.stopTimeoutMs);
      }
      image = await obtain(trigger, phases, signal);
      if (trigger.reason === 'start' && live?.image.id === image.id) {
        log.info(`${live.name} already runs ${image.name}; keeping it`);
        return finish('unchanged');
      }
      generation = Math.max(generation, nextGeneration(await listAppContainers(docker, config.app)) - 1) + 1;
      container = `${config.app}-${generation}`;
      const version = await startVersion(docker, config, image, generation, phases, log, signal, (v) => traffic.prepare(v.bridge));
      if (signal.aborted) {
        await stopAndRemove(version.container, 0);
        signal.throwIfAborted();
      }
      // From here the attempt is committed: a newer trigger waits for the next round.
      attempt = undefined;
      const kind = (trigger.source ?? config.source).kind;
      await goLive(version, phases, kind !== 'pull' && kind !== 'image');
      finish('live');
      await pruneBuiltImages(docker, state, log);
      save();
    } catch (error) {
      if (signal.aborted) {
        log.info(`deploy cancelled: ${describeError(signal.reason)}`);
        finish('cancelled', describeError(signal.reason));
      } else {
        const serving = !live ? 'nothing is serving yet' : (await isRunning(live)) ? `${live.name} keeps serving` : `${live.name} is not running`;
        log.error(`deploy failed: ${describeError(error)} (${serving}; send SIGHUP to try again)`);
        finish('failed', describeError(error));
        // A deploy that failed because the engine went away is tried again once it is back.
        if (!(await engineAnswers(docker))) {
          await recoverEngine();
          if (!shutdown.aborted && !(live && (await isRunning(live)))) triggers.push(trigger);
        }
      }
    } finally {
      if (attempt === controller) attempt = undefined;
    }
  };

  const cleanUp = async () => {
    log.info('shutting down: removing rules and containers');
    await traffic.removeAll().catch((error: unknown) => log.error(`removing iptables rules failed: ${describeError(error)}`));
    const stops = [...retiring.values()];
    if (live) {
      const last = live;
      stops.push(stopAndRemove(last.container, config.stopTimeoutMs).then(() => log.info(`${last.name} stopped and removed`)));
    }
    for (const leftover of leftovers) stops.push(stopAndRemove(leftover.container, config.stopTimeoutMs));
    await Promise.allSettled(stops);
    // Anything else labelled for this app (an attempt cut short mid-creation) goes too.
    for (const info of await listAppContainers(docker, config.app).catch(() => [])) {
      await stopAndRemove(docker.getContainer(info.Id), 0).catch(() => {});
    }
    // Nothing is live any more; what was is remembered for rollback after a restart.
    if (state.live) state.stopped = state.live;
    delete state.live;
    delete state.deploying;
    save();
    record({ kind: 'event', trigger: 'stop', outcome: 'info', message: 'stopped: rules and containers removed' });
  };

  const loop = async () => {
    await adoptLeftovers();
    triggers.push({ reason: 'start' });
    for (;;) {
      const trigger = await triggers.next(shutdown);
      if (trigger === undefined) break;
      await handover(trigger);
    }
  };

  const done = loop().finally(cleanUp);
  return {
    deploy: (trigger) => triggers.push(trigger),
    rollback() {
      const target = state.previous;
      if (!target) throw new HanoverdError('nothing to roll back to: no earlier version was live');
      triggers.push({ reason: 'rollback', source: { kind: 'image', id: target.imageId, name: target.image } });
      return `rolling back to ${target.image} (${shortId(target.imageId)})`;
    },
    status: () => structuredClone(state),
    history: () => readHistory(config.stateDir),
    done,
  };
}
