import type Docker from 'dockerode';
import type { RunningContainer } from '../container/start-container.js';
import { DefaultWatchFailures, ReconcileBackstopMs, ReconcileEveryMs, WatchCheckEveryMs } from '../defaults.js';
import { postDeployEnv } from '../deploy-hooks/post-deploy.js';
import { runPreSwitch } from '../deploy-hooks/pre-switch.js';
import { shortId } from '../docker.js';
import { describeError, HanoverdError } from '../errors.js';
import { alwaysChanged, watchRuleset, type RulesetChanges } from '../firewall/ruleset-changes.js';
import { TrafficSwitch, type Backend } from '../firewall/traffic-switch.js';
import type { Logger } from '../log.js';
import type { DeployEvent, DeployPhase, EventBus } from '../observe/deploy-event.js';
import { formatBinding } from '../options/publish.js';
import { redactUrls } from '../redact.js';
import type { HistoryEntry, Phase } from '../state/history.js';
import { readLiveState, type LiveState, type VersionInfo } from '../state/live-state.js';
import type { ImageSource, Trigger } from '../trigger.js';
import type { DaemonConfig } from './config.js';
import { CrashRestarts } from './crash-backoff.js';
import { dockerEngine, type Engine } from './engine.js';
import { backendOf, handover, type HandoverSteps, type Outcome } from './handover.js';
import { fileStore, Journal, type JournalStore } from './journal.js';
import { describeSource } from './obtain-image.js';
import { startReconcileLoop } from './reconcile-loop.js';
import { recoverLeftovers } from './recover.js';
import { Retirements } from './retirements.js';
import type { Traffic } from './traffic.js';
import { TriggerQueue } from './trigger-queue.js';
import { whenGone } from './watch-live.js';
import { watchWindow } from './watch-window.js';

export interface Daemon {
  /** Starts a new handover, superseding one still in progress. */
  deploy(trigger: Trigger): void;
  /**
   * Ends a canary (keeping the live version), or during a watch window sends traffic back to
   * the previous version, or else hands back to the previously live image; throws when there
   * is nothing to go back to.
   */
  rollback(): string;
  /** Moves all traffic to the canary; throws when there is none. */
  promote(): string;
  status(): LiveState;
  history(limit?: number): HistoryEntry[];
  /** Resolves once everything hanoverd made is removed (after `shutdown` aborts). */
  done: Promise<void>;
}

export interface DaemonHooks {
  /** A version went live (the first time: the daemon is ready). */
  onLive?(status: string): void;
  /** Where deploy events go: metrics, notifications, the post-deploy command. */
  events?: EventBus;
}

export type { Traffic } from './traffic.js';

/** The daemon's surroundings: the real engine, iptables and disk, or fakes that fail on purpose. */
export interface DaemonDeps {
  engine: Engine;
  traffic: Traffic;
  store: JournalStore;
  /** When the kernel's rules changed, so they are checked only then; stopped with the daemon. Without it, every tick checks. */
  ruleset?: RulesetChanges;
  /** The state an earlier run left. */
  earlier?: LiveState;
}

export function runDaemon(docker: Docker, config: DaemonConfig, log: Logger, shutdown: AbortSignal, hooks: DaemonHooks = {}): Daemon {
  const earlier = readLiveState(config.stateDir);
  return createDaemon(config, log, shutdown, {
    engine: dockerEngine(docker, config, log),
    traffic: new TrafficSwitch(config.app, config.bindings, log),
    store: fileStore(config.stateDir),
    ruleset: watchRuleset({ log }),
    ...(earlier ? { earlier } : {}),
  }, hooks);
}

/**
 * The handover loop. One invariant holds throughout: the live version's rules and
 * container change only through a successful switch to a newer version, a rollback, or an
 * explicit stop (aborting `shutdown`, which removes every rule and container of this app).
 * Whatever fails inside one deploy attempt ends that attempt only.
 */
export function createDaemon(config: DaemonConfig, log: Logger, shutdown: AbortSignal, deps: DaemonDeps, hooks: DaemonHooks = {}): Daemon {
  const { engine, traffic, earlier } = deps;
  const journal = new Journal({
    app: config.app,
    cwd: process.cwd(),
    pid: process.pid,
    startedAt: new Date().toISOString(),
    bindings: config.bindings.map(formatBinding),
    ...(config.args ? { args: config.args.map(redactUrls) } : {}),
    built: earlier?.built ?? [],
    ...(earlier?.previous ? { previous: earlier.previous } : {}),
  }, deps.store, log);

  const emit = (event: Omit<DeployEvent, 'app' | 'at'>) => hooks.events?.emit({ app: config.app, at: new Date().toISOString(), ...event });
  const durations = (phases: readonly Phase[]): Partial<Record<DeployPhase, number>> => Object.fromEntries(phases.map((phase) => [phase.name, phase.ms]));
  const versionEvent = (version: RunningContainer) => ({
    container: version.name, image: version.image.name,
    ...(journal.state.live?.container === version.name && journal.state.live.digest ? { digest: journal.state.live.digest } : {}),
  });

  let live: RunningContainer | undefined;
  /** A new version taking a share of new connections beside the live one. */
  let canary: { version: RunningContainer; percent: number } | undefined;
  /** --watch: the previous version, kept ready while the new one is watched. */
  let watching: { version: RunningContainer; previous: RunningContainer; stop: AbortController } | undefined;
  let leftovers: RunningContainer[] = [];
  let generation = 0;
  let attempt: AbortController | undefined;
  let busy = false;
  const triggers = new TriggerQueue<Trigger>(() => attempt?.abort(new Error('superseded by a newer deploy')));

  const retirements = new Retirements(engine, log);
  const retire = (old: RunningContainer) => retirements.retire(old);

  const engineEvents = {
    engineGone() {
      log.error('the Docker engine went away; waiting for it to come back');
      journal.record({ kind: 'event', trigger: 'engine', outcome: 'info', message: 'Docker engine unreachable' });
    },
    engineBack() {
      log.info('the Docker engine is back');
      journal.record({ kind: 'event', trigger: 'engine', outcome: 'info', message: 'Docker engine back' });
    },
  };

  const crashes = new CrashRestarts((target) => {
    // A deploy under way or waiting brings a version up anyway; if it fails, this is asked again.
    if (live || busy || triggers.pending || shutdown.aborted) return;
    triggers.push({ reason: `restart after ${target.name} exited`, source: { kind: 'image', id: target.image.id, name: target.image.name } });
  }, log);

  const describeVersion = async (version: RunningContainer): Promise<VersionInfo> =>
    engine.info(version).catch(() => ({ container: version.name, image: version.image.name, imageId: version.image.id, since: new Date().toISOString() }));

  /** Where new connections go now: the canary's share, then the live version. */
  const serving = (): Backend[] => [
    ...(canary ? [{ ...backendOf(canary.version), percent: canary.percent }] : []),
    ...(live ? [backendOf(live)] : []),
  ];
  const switchToServing = (why: string) => traffic.switchTo(serving()).catch((error: unknown) => log.error(`changing the rules (${why}) failed: ${describeError(error)}`));
  const servingNow = async () => (!live ? 'nothing is serving yet' : (await engine.isRunning(live)) ? `${live.name} keeps serving` : `${live.name} is not running`);

  const onLiveGone = async (version: RunningContainer, code: number, ranForMs: number) => {
    live = undefined;
    log.error(`live container ${version.name} is gone (exit code ${code}); its address gets no more traffic`);
    // Its output is in this log already; the dead container would only linger.
    const removeDead = () => engine.remove(version, 0).catch((error: unknown) => log.warn(`removing ${version.name} failed: ${describeError(error)}`));
    if (watching?.version === version) return goBack(`${version.name} exited with code ${code}`, removeDead);
    if (canary) {
      // The canary is ready and serving already: it takes everything.
      const promoted = canary.version;
      canary = undefined;
      live = promoted;
      await switchToServing(`${promoted.name} takes over`);
      await removeDead();
      journal.update((state) => {
        state.live = state.canary ? { ...state.canary, percent: undefined } as VersionInfo : state.live;
        delete state.canary;
      });
      journal.record({ kind: 'event', trigger: 'crash', outcome: 'info', container: version.name, message: `live container ${version.name} exited with code ${code}; canary ${promoted.name} took all traffic` });
      return;
    }
    // Docker may give the address to another container at any moment.
    await traffic.stopTraffic().catch((error: unknown) => log.error(`removing the rules to ${version.name} failed: ${describeError(error)}`));
    await removeDead();
    journal.update((state) => {
      if (state.live?.container === version.name) state.live.exited = { at: new Date().toISOString(), code };
    });
    journal.record({ kind: 'event', trigger: 'crash', outcome: 'info', container: version.name, message: `live container ${version.name} exited with code ${code}` });
    crashes.crashed(version, ranForMs);
  };

  const onCanaryGone = async (version: RunningContainer, code: number) => {
    canary = undefined;
    log.error(`canary ${version.name} is gone (exit code ${code}); ${live?.name ?? 'nothing'} takes all traffic again`);
    await switchToServing('canary gone');
    await engine.remove(version, 0).catch(() => {});
    journal.update((state) => {
      delete state.canary;
    });
    journal.record({ kind: 'event', trigger: 'crash', outcome: 'info', container: version.name, message: `canary ${version.name} exited with code ${code}` });
  };

  const watch = (version: RunningContainer) => {
    const since = performance.now();
    void whenGone(version, engine, shutdown, engineEvents)
      .then((code) => {
        if (code === undefined) return undefined;
        if (live === version) return onLiveGone(version, code, performance.now() - since);
        if (canary?.version === version) return onCanaryGone(version, code);
        if (watching?.previous === version) endWatch(`the previous version ${version.name} exited`);
        return undefined;
      })
      .catch((error: unknown) => log.error(`watching ${version.name} failed: ${describeError(error)}`));
  };

  // --watch: after a switch the previous version stays ready; if the new one fails within
  // the window, traffic goes back to it in one switch.
  const startWatch = (version: RunningContainer, previous: RunningContainer) => {
    const stop = new AbortController();
    watching = { version, previous, stop };
    const until = Date.now() + (config.watchMs ?? 0);
    log.info(`watching ${version.name} until ${new Date(until).toISOString()}; ${previous.name} stays ready to go back to`);
    journal.update((state) => {
      state.watch = { version: version.name, previous: previous.name, until: new Date(until).toISOString() };
    });
    const signal = AbortSignal.any([stop.signal, shutdown]);
    watchWindow(() => engine.check(version), until, config.watchFailures ?? DefaultWatchFailures, WatchCheckEveryMs, signal)
      .then((reason) => {
        if (reason !== undefined && !signal.aborted) return goBack(reason);
        if (!signal.aborted) endWatch(`${version.name} stayed well for the whole window`);
        return undefined;
      })
      .catch((error: unknown) => log.error(`watching ${version.name} failed: ${describeError(error)}`));
  };

  /** The window is over (passed, or superseded): the previous version drains as after any switch. */
  const endWatch = (result: string) => {
    const ended = watching;
    if (!ended) return;
    watching = undefined;
    ended.stop.abort();
    if (ended.previous !== live) retire(ended.previous);
    log.info(`watch over: ${result}`);
    journal.update((state) => {
      if (state.watch) state.watch.result = result;
    });
  };

  /** Automatic rollback: traffic back to the kept previous version, in one switch. */
  const goBack = async (reason: string, cleanUp: () => Promise<unknown> = async () => {}) => {
    const ended = watching;
    if (!ended) return;
    watching = undefined;
    ended.stop.abort();
    const failed = ended.version;
    log.error(`${failed.name} failed while watched: ${reason}; sending traffic back to ${ended.previous.name}`);
    live = ended.previous;
    canary = undefined;
    await switchToServing(`back to ${ended.previous.name}`);
    if (failed !== live) retire(failed);
    await cleanUp();
    journal.update((state) => {
      const back = state.previous;
      if (back) {
        state.previous = state.live ? { ...state.live, exited: undefined } : state.previous;
        state.live = { ...back, since: new Date().toISOString() };
      }
      if (state.watch) state.watch.result = `rolled back: ${reason}`;
    });
    journal.record({ kind: 'deploy', trigger: 'watch', outcome: 'rolled-back', container: live.name, message: `automatic rollback from ${failed.name}: ${reason}`, error: reason });
    emit({ event: 'rolled-back', trigger: 'watch', ...versionEvent(live), error: `automatic rollback from ${failed.name}: ${reason}` });
    noteLastDeploy('watch', 'rolled-back', `automatic rollback from ${failed.name}: ${reason}`);
  };

  const preSwitch = config.observe?.preSwitch;
  const steps: HandoverSteps = {
    engine,
    traffic,
    log,
    async nextGeneration() {
      const listed = await engine.list();
      generation = Math.max(generation, ...listed.map((container) => container.generation)) + 1;
      return generation;
    },
    onCommit: () => {
      attempt = undefined;
    },
    ...(preSwitch ? {
      beforeSwitch: (version: RunningContainer, signal: AbortSignal) => runPreSwitch(version, {
        ...preSwitch,
        env: postDeployEnv({ app: config.app, container: version.name, image: version.image.name }),
        log,
        signal,
      }),
    } : {}),
  };

  /** A switch made `version` live: what was live drains (or waits out a watch window). */
  const goLive = async (version: RunningContainer, source: ImageSource) => {
    const previous = live;
    const oldCanary = canary?.version;
    live = version;
    // A promoted canary is watched already.
    if (oldCanary !== version) watch(version);
    canary = undefined;
    crashes.clear();
    endWatch(`superseded by ${version.name}`);
    if (oldCanary && oldCanary !== version) retire(oldCanary);
    if (previous && (config.watchMs ?? 0) > 0) startWatch(version, previous);
    else if (previous) retire(previous);
    for (const leftover of leftovers) retire(leftover);
    leftovers = [];
    const info = await describeVersion(version);
    journal.update((state) => {
      const before = state.live ?? state.stopped;
      if (before && before.imageId !== info.imageId) state.previous = { ...before, exited: undefined };
      delete state.stopped;
      delete state.canary;
      state.live = info;
      const obtained = source.kind !== 'image' ? [...(version.image.helpers ?? []), version.image.id] : [];
      for (const id of obtained) if (!state.built.includes(id)) state.built.push(id);
    });
    hooks.onLive?.(`serving ${version.name} (${version.image.name})`);
  };

  const prune = async () => {
    const keep = new Set([live?.image.id, canary?.version.image.id, watching?.previous.image.id, journal.state.previous?.imageId].filter((id): id is string => id !== undefined));
    const remaining = await engine.prune(journal.state.built, keep).catch((error: unknown) => {
      log.warn(`pruning old images failed: ${describeError(error)}`);
      return journal.state.built;
    });
    journal.update((state) => {
      state.built = remaining;
    });
  };

  /** A switch made `version` a canary beside the live one. */
  const goCanary = async (version: RunningContainer, percent: number, source: ImageSource) => {
    const oldCanary = canary?.version;
    canary = { version, percent };
    watch(version);
    if (oldCanary) retire(oldCanary);
    const info = await describeVersion(version);
    log.info(`${version.name} is a canary: ${percent}% of new connections, the rest to ${live?.name}; \`hanoverd promote\` or \`hanoverd rollback\``);
    journal.update((state) => {
      state.canary = { ...info, percent };
      const obtained = source.kind !== 'image' ? [...(version.image.helpers ?? []), version.image.id] : [];
      for (const id of obtained) if (!state.built.includes(id)) state.built.push(id);
    });
  };

  /** Promote, end-canary and automatic rollbacks are deploys too, for `status`. */
  const noteLastDeploy = (trigger: string, outcome: HistoryEntry['outcome'], error?: string) => journal.update((state) => {
    state.lastDeploy = { at: new Date().toISOString(), trigger, outcome, ...(error ? { error } : {}) };
  });

  const promote = async () => {
    const promoted = canary?.version;
    if (!promoted) return log.warn('nothing to promote: no canary');
    await traffic.switchTo([backendOf(promoted)]);
    // goLive retires the old live version and keeps the canary's watch.
    await goLive(promoted, { kind: 'image', id: promoted.image.id, name: promoted.image.name });
    journal.record({ kind: 'deploy', trigger: 'promote', outcome: 'live', container: promoted.name, image: promoted.image.name, imageId: promoted.image.id, message: `promoted canary ${promoted.name}` });
    emit({ event: 'promoted', trigger: 'promote', ...versionEvent(promoted) });
    noteLastDeploy('promote', 'live');
    await prune();
  };

  const endCanary = async () => {
    const ended = canary?.version;
    if (!ended) return log.warn('no canary to end');
    canary = undefined;
    await traffic.switchTo(serving());
    retire(ended);
    log.info(`canary ${ended.name} ended; ${live?.name} takes all traffic`);
    journal.update((state) => {
      delete state.canary;
    });
    journal.record({ kind: 'deploy', trigger: 'rollback', outcome: 'rolled-back', container: ended.name, image: ended.image.name, imageId: ended.image.id, message: `canary ${ended.name} ended` });
    if (live) emit({ event: 'rolled-back', trigger: 'rollback', ...versionEvent(live), error: `canary ${ended.name} ended` });
    noteLastDeploy('rollback', 'rolled-back', `canary ${ended.name} ended`);
  };

  const settle = async (trigger: Trigger, source: ImageSource, outcome: Outcome, ms: number) => {
    let error: string | undefined;
    let recorded: HistoryEntry['outcome'] = outcome.kind;
    switch (outcome.kind) {
      case 'live':
        if (trigger.canary !== undefined && canaryApplies(trigger)) {
          await goCanary(outcome.version, trigger.canary, source);
          recorded = 'canary';
        } else {
          await goLive(outcome.version, source);
        }
        break;
      case 'unchanged':
        log.info(`${live?.name} already runs ${outcome.image.name}; keeping it`);
        break;
      case 'cancelled':
        error = describeError(outcome.reason);
        log.info(`deploy cancelled: ${error}`);
        break;
      case 'failed':
        error = describeError(outcome.error);
        log.error(`deploy failed: ${error} (${await servingNow()}; send SIGHUP to try again)`);
        break;
    }
    const image = outcome.kind === 'live' ? outcome.version.image : outcome.image;
    const container = outcome.kind === 'live' ? outcome.version.name : outcome.kind === 'unchanged' ? undefined : outcome.container;
    journal.update((state) => {
      delete state.deploying;
      state.lastDeploy = { at: new Date().toISOString(), trigger: trigger.reason, outcome: recorded, ...(error ? { error } : {}) };
    });
    journal.record({
      kind: 'deploy', trigger: trigger.reason, outcome: recorded, phases: outcome.phases, ms: Math.round(ms),
      ...(image ? { image: image.name, imageId: image.id } : {}),
      ...(outcome.kind === 'live' && journal.state.live?.digest ? { digest: journal.state.live.digest } : {}),
      ...(container ? { container } : {}),
      ...(error ? { error } : {}),
    });
    const took = durations(outcome.phases);
    if (outcome.kind === 'live') {
      const event = recorded === 'canary' ? 'canary' : trigger.reason === 'rollback' ? 'rolled-back' : 'live';
      emit({ event, trigger: trigger.reason, ...versionEvent(outcome.version), durations: took, ...(recorded === 'canary' ? { share: trigger.canary } : {}) });
    } else if (outcome.kind === 'failed') {
      emit({ event: 'failed', trigger: trigger.reason, ...(image ? { image: image.name } : {}), ...(container ? { container } : {}), durations: took, ...(error ? { error } : {}) });
    } else if (outcome.kind === 'cancelled' && !shutdown.aborted) {
      emit({ event: 'superseded', trigger: trigger.reason, ...(image ? { image: image.name } : {}), ...(container ? { container } : {}), ...(error ? { error } : {}) });
    }
    // Pruning talks to the engine and may be slow: only after the outcome is recorded and announced.
    if (outcome.kind === 'live' && recorded !== 'canary') await prune();
    // A deploy that failed because the engine went away is tried again once it is back.
    if (outcome.kind === 'failed' && !(await engine.answers())) {
      engineEvents.engineGone();
      await engine.waitUntilAnswers(shutdown);
      if (shutdown.aborted) return;
      engineEvents.engineBack();
      if (!(live && (await engine.isRunning(live)))) triggers.push(trigger);
    }
    if (!live && outcome.kind !== 'cancelled') crashes.stillDown();
  };

  // A canary needs a live version to share with; without one the new version simply goes live.
  const canaryApplies = (trigger: Trigger) => trigger.canary !== undefined && trigger.canary > 0 && trigger.canary < 100 && live !== undefined;

  // --disable-overlap: the user chose a gap over two versions at once.
  const stopLiveFirst = async () => {
    const old = live;
    if (!old) return;
    log.info(`--disable-overlap: stopping ${old.name} before starting the new version`);
    live = undefined;
    await traffic.stopTraffic().catch((error: unknown) => log.error(`removing the rules to ${old.name} failed: ${describeError(error)}`));
    await engine.remove(old, config.stopTimeoutMs).catch((error: unknown) => log.error(`stopping ${old.name} failed: ${describeError(error)}`));
  };

  const deployOnce = async (trigger: Trigger) => {
    if (trigger.action === 'promote') return promote();
    if (trigger.action === 'end-canary') return endCanary();
    const source = trigger.source ?? config.source;
    log.info(`deploying (${trigger.reason}${trigger.canary !== undefined ? `, canary ${trigger.canary}%` : ''}): ${describeSource(source)}`);
    const controller = new AbortController();
    attempt = controller;
    const signal = AbortSignal.any([controller.signal, shutdown]);
    const started = performance.now();
    journal.update((state) => {
      state.deploying = { trigger: trigger.reason, since: new Date().toISOString() };
    });
    emit({ event: 'started', trigger: trigger.reason, ...(source.kind === 'pull' ? { image: source.ref.name } : source.kind === 'image' ? { image: source.name } : {}) });
    if (!config.overlap && trigger.canary === undefined) await stopLiveFirst();
    const outcome = await handover(steps, {
      trigger, source, live, signal,
      // Asked at the switch: the live version may have changed while this one warmed up.
      backendsFor: (version) => (canaryApplies(trigger) ? [{ ...backendOf(version), percent: trigger.canary }, ...(live ? [backendOf(live)] : [])] : [backendOf(version)]),
    });
    if (attempt === controller) attempt = undefined;
    await settle(trigger, source, outcome, performance.now() - started);
  };

  const recover = async () => {
    // A host port that another hanoverd holds is a configuration error: refuse to start.
    const ruled = await traffic.adopt();
    try {
      // With a canary the rules hold two backends: the canary's share first, then the live one.
      const ruledCanary = ruled.length > 1 ? ruled[0] : undefined;
      const found = await recoverLeftovers(engine, { live: ruled.at(-1)?.name ?? earlier?.live?.container, canary: ruledCanary?.name }, log);
      generation = found.generation;
      leftovers = found.leftovers;
      const adopted = found.live;
      if (adopted) {
        if (earlier?.live?.container === adopted.name) adopted.image.name = earlier.live.image;
        live = adopted;
        watch(adopted);
        if (found.canary && ruledCanary?.percent !== undefined) {
          if (earlier?.canary?.container === found.canary.name) found.canary.image.name = earlier.canary.image;
          canary = { version: found.canary, percent: ruledCanary.percent };
          watch(found.canary);
        } else if (found.canary) {
          leftovers.push(found.canary);
        }
        // Puts back rules deleted while hanoverd was down (and replaces an older hanoverd's).
        await traffic.switchTo(serving());
        const info = earlier?.live?.container === adopted.name ? { ...earlier.live, exited: undefined } : await describeVersion(adopted);
        const canaryInfo = canary ? (earlier?.canary?.container === canary.version.name ? earlier.canary : { ...(await describeVersion(canary.version)), percent: canary.percent }) : undefined;
        journal.update((state) => {
          state.live = info;
          if (canaryInfo) state.canary = canaryInfo;
        });
        const what = `${adopted.name}${canary ? ` and canary ${canary.version.name} (${canary.percent}%)` : ''}`;
        log.warn(`adopted ${what}, live before hanoverd restarted; it keeps serving`);
        journal.record({ kind: 'event', trigger: 'restart', outcome: 'info', container: adopted.name, message: `adopted ${what} after a restart` });
        hooks.onLive?.(`serving ${adopted.name}`);
      } else if (ruled.length > 0) {
        log.warn(`rules from an earlier run point at ${ruled.map((backend) => backend.name).join(', ')}, which is gone; no traffic goes there until the next version is live`);
        await traffic.stopTraffic();
      }
    } catch (error) {
      log.error(`recovering what an earlier run left failed: ${describeError(error)}; carrying on`);
    }
    journal.update(() => {});
  };

  const ruleset = deps.ruleset ?? alwaysChanged;
  const stopLoop = startReconcileLoop(traffic, journal, log, ruleset, { everyMs: ReconcileEveryMs, backstopMs: ReconcileBackstopMs });
  const stopReconciling = () => {
    stopLoop();
    ruleset.stop();
  };

  const cleanUp = async () => {
    log.info('shutting down: removing rules and containers');
    stopReconciling();
    crashes.clear();
    watching?.stop.abort();
    await traffic.removeAll().catch((error: unknown) => log.error(`removing iptables rules failed: ${describeError(error)}`));
    const stops: Array<Promise<unknown>> = [retirements.finish()];
    for (const version of [...(live ? [live] : []), ...(canary ? [canary.version] : []), ...(watching && watching.previous !== live ? [watching.previous] : []), ...leftovers]) {
      stops.push(engine.remove(version, config.stopTimeoutMs).then(() => log.info(`${version.name} stopped and removed`)));
    }
    await Promise.allSettled(stops);
    // Anything else of this app (an attempt cut short mid-creation) goes too.
    for (const listed of await engine.list().catch(() => [])) await engine.removeById(listed.id).catch(() => {});
    // Nothing is live any more; what was is remembered for rollback after a restart.
    journal.update((state) => {
      if (state.live) state.stopped = state.live;
      delete state.live;
      delete state.canary;
      delete state.watch;
      delete state.deploying;
    });
    journal.record({ kind: 'event', trigger: 'stop', outcome: 'info', message: 'stopped: rules and containers removed' });
  };

  const main = async () => {
    await recover();
    triggers.push({ reason: 'start' });
    try {
      for (;;) {
        const trigger = await triggers.next(shutdown);
        if (trigger === undefined) break;
        busy = true;
        try {
          await deployOnce(trigger);
        } catch (error) {
          // A bug, not a failed version: still, the live version is not touched.
          log.error(`a deploy attempt failed unexpectedly: ${describeError(error)}; ${await servingNow().catch(() => 'the live version is untouched')}`);
        } finally {
          busy = false;
        }
      }
    } finally {
      await cleanUp();
    }
  };

  // A port clash found while recovering rejects before anything was touched.
  const done = main().finally(stopReconciling);
  return {
    deploy: (trigger) => {
      if (!shutdown.aborted) triggers.push(trigger);
    },
    rollback() {
      if (canary) {
        triggers.push({ reason: 'rollback', action: 'end-canary' });
        return `ending canary ${canary.version.name}; ${live?.name} takes all traffic`;
      }
      if (watching) {
        const back = watching.previous.name;
        void goBack('rollback requested');
        return `sending traffic back to ${back}`;
      }
      const target = journal.state.previous;
      if (!target) throw new HanoverdError('nothing to roll back to: no earlier version was live');
      triggers.push({ reason: 'rollback', source: { kind: 'image', id: target.imageId, name: target.image } });
      return `rolling back to ${target.image} (${shortId(target.imageId)})`;
    },
    promote() {
      if (!canary) throw new HanoverdError('nothing to promote: no canary is running; start one with hanoverd deploy --canary PERCENT');
      triggers.push({ reason: 'promote', action: 'promote' });
      return `promoting canary ${canary.version.name}`;
    },
    status: () => structuredClone(journal.state) as LiveState,
    history: (limit = Number.POSITIVE_INFINITY) => journal.history(limit),
    done,
  };
}
