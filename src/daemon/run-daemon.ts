import type Docker from 'dockerode';
import { listAppContainers, nextGeneration } from '../container/labels.js';
import type { RunningContainer } from '../container/start-container.js';
import { stopAndRemove } from '../container/stop-container.js';
import { describeError } from '../errors.js';
import { TrafficSwitch } from '../firewall/traffic-switch.js';
import type { Logger } from '../log.js';
import type { DaemonConfig, Trigger } from './config.js';
import { deployVersion } from './deploy-version.js';
import { retireVersion, type Retiree } from './retire-version.js';
import { TriggerQueue } from './trigger-queue.js';

export interface Daemon {
  /** Starts a new handover, superseding one still in progress. */
  deploy(trigger: Trigger): void;
  /** Resolves once everything hanoverd made is removed. */
  done: Promise<void>;
}

function asRetiree(version: RunningContainer, config: DaemonConfig): Retiree {
  const ports = config.bindings.length > 0 ? config.bindings.map((b) => b.containerPort) : version.tcpPorts;
  return { container: version.container, name: version.name, pid: version.pid, ports: new Set(ports) };
}

/**
 * The handover loop: each trigger obtains, starts and readies a new version, switches
 * traffic to it and retires the previous one. Aborting `shutdown` removes every rule
 * and container of this app.
 */
export function runDaemon(docker: Docker, config: DaemonConfig, log: Logger, shutdown: AbortSignal): Daemon {
  const traffic = new TrafficSwitch(config.app, config.bindings, log);
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

  const adoptLeftovers = async () => {
    const adoptedRules = await traffic.adopt();
    for (const info of await listAppContainers(docker, config.app)) {
      const name = info.Names[0]?.replace(/^\//, '') ?? info.Id;
      generation = Math.max(generation, nextGeneration([info]) - 1);
      const container = docker.getContainer(info.Id);
      if (info.State === 'running') {
        const details = await container.inspect();
        leftovers.push({ container, name, pid: details.State.Pid, ports: new Set(config.bindings.map((b) => b.containerPort)) });
      } else {
        await stopAndRemove(container, 0);
      }
    }
    if (adoptedRules > 0 || leftovers.length > 0) {
      log.warn(`found ${adoptedRules} rule(s) and ${leftovers.length} running container(s) from an earlier run; they keep serving until a new version is live`);
    }
  };

  const watchLive = (version: RunningContainer) => {
    void version.exited.then((code) => {
      if (live !== version || shutdown.aborted) return;
      log.error(`live container ${version.name} exited with code ${code}; deploying a new version`);
      live = undefined;
      triggers.push({ reason: 'live container exited' });
    });
  };

  const handover = async (trigger: Trigger) => {
    log.info(`deploying (${trigger.reason})`);
    const controller = new AbortController();
    attempt = controller;
    const signal = AbortSignal.any([controller.signal, shutdown]);
    try {
      if (!config.overlap && live) {
        log.info(`--disable-overlap: stopping ${live.name} before starting the new version`);
        const old = live;
        live = undefined;
        await stopAndRemove(old.container, config.stopTimeoutMs);
      }
      generation = Math.max(generation, nextGeneration(await listAppContainers(docker, config.app)) - 1) + 1;
      const version = await deployVersion(docker, config, trigger.source ?? config.source, generation, log, signal);
      if (signal.aborted) {
        await stopAndRemove(version.container, 0);
        signal.throwIfAborted();
      }
      // From here the attempt is committed: a newer trigger waits for the next round.
      attempt = undefined;
      await traffic.switchTo(version);
      const previous = live;
      live = version;
      watchLive(version);
      if (previous) retire(asRetiree(previous, config));
      for (const leftover of leftovers) retire(leftover);
      leftovers = [];
    } catch (error) {
      if (signal.aborted) {
        log.info(`deploy cancelled: ${describeError(signal.reason)}`);
      } else {
        const serving = live ? `${live.name} keeps serving` : 'nothing is serving yet';
        log.error(`deploy failed: ${describeError(error)} (${serving}; send SIGHUP to try again)`);
      }
    } finally {
      if (attempt === controller) attempt = undefined;
    }
  };

  const cleanUp = async () => {
    log.info('shutting down: removing rules and containers');
    await traffic.removeAll().catch((error: unknown) => log.error(`removing iptables rules failed: ${describeError(error)}`));
    const stops = [...retiring.values()];
    if (live) stops.push(stopAndRemove(live.container, config.stopTimeoutMs).then(() => log.info(`${live?.name} stopped and removed`)));
    for (const leftover of leftovers) stops.push(stopAndRemove(leftover.container, config.stopTimeoutMs));
    await Promise.allSettled(stops);
    // Anything else labelled for this app (an attempt cut short mid-creation) goes too.
    for (const info of await listAppContainers(docker, config.app).catch(() => [])) {
      await stopAndRemove(docker.getContainer(info.Id), 0).catch(() => {});
    }
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

  const done = loop()
    .catch((error: unknown) => log.error(`daemon failed: ${describeError(error)}`))
    .finally(cleanUp);
  return { deploy: (trigger) => triggers.push(trigger), done };
}
