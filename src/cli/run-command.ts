import fs from 'node:fs';
import { startControlServer } from '../control/control-server.js';
import type { DaemonConfig } from '../daemon/config.js';
import { describeSource } from '../daemon/obtain-image.js';
import { runDaemon, type Daemon } from '../daemon/run-daemon.js';
import { checkDocker, createDocker } from '../docker.js';
import { checkIptables } from '../firewall/iptables.js';
import { checkLocalnetAccess } from '../firewall/localnet.js';
import type { Logger } from '../log.js';
import { ForceExitAfterMs } from '../defaults.js';
import { describeError, HanoverdError } from '../errors.js';
import { formatBinding } from '../options/publish.js';
import { watchHookbot } from '../hookbot/watch-hookbot.js';
import { lockApp } from '../state/app-lock.js';
import { controlSocket, ensureStateDir } from '../state/state-dir.js';
import { renderMetrics } from '../observe/metrics.js';
import { createObservers } from './start-observers.js';
import { watchStdinEof } from './stdin-eof.js';
import { notifySystemd } from './systemd-notify.js';

/**
 * Runs the daemon until SIGTERM, SIGINT or stdin EOF; SIGHUP deploys a new version.
 * Holds the app's lock from before anything is touched until everything is removed.
 */
export async function runCommand(config: DaemonConfig, log: Logger): Promise<number> {
  const lock = await lockApp(config.app, { pid: process.pid, stateDir: config.stateDir });
  try {
    return await runLocked(config, log);
  } finally {
    await lock.release();
  }
}

async function runLocked(config: DaemonConfig, log: Logger): Promise<number> {
  const docker = createDocker();
  await checkDocker(docker);
  if (config.bindings.length > 0) {
    await checkIptables();
    await checkLocalnetAccess('docker0');
  }
  ensureStateDir(config.stateDir, config.controlGid);
  // Started first: if another daemon uses this state directory, refuse before touching anything.
  let daemon: Daemon | undefined;
  const started = () => {
    if (!daemon) throw new HanoverdError('hanoverd is still starting');
    return daemon;
  };
  const shutdown = new AbortController();
  const observers = createObservers(config, log, shutdown.signal);
  const socket = controlSocket(config.stateDir);
  const server = await startControlServer(socket, {
    status: () => started().status(),
    // The daemon reads its journal whole; only the newest entries travel.
    history: (limit) => started().history(limit),
    deploy: (canary) => {
      started().deploy({ reason: 'api', ...(canary !== undefined ? { canary } : {}) });
      return canary !== undefined ? `deploy started as a canary taking ${canary}% of new connections` : 'deploy started';
    },
    rollback: () => started().rollback(),
    promote: () => started().promote(),
    metrics: () => renderMetrics(observers.metrics),
  }, { app: config.app, log, ...(config.controlGid === undefined ? {} : { gid: config.controlGid }) });
  log.info(`hanoverd for ${config.app}: ${describeSource(config.source)}` +
    `${config.bindings.length > 0 ? `, serving ${config.bindings.map(formatBinding).join(', ')}` : ''}; control socket ${socket}`);

  let stoppingSince = 0;
  const stop = (why: string) => {
    // A signal sent to the whole process group can arrive twice at once; only a
    // deliberate second one (a person pressing ^C again) forces the exit.
    if (shutdown.signal.aborted && Date.now() - stoppingSince < ForceExitAfterMs) return;
    if (shutdown.signal.aborted) {
      log.warn(`${why} again: exiting now, leaving containers and rules behind`);
      process.exit(1);
    }
    stoppingSince = Date.now();
    log.info(`${why}: stopping`);
    shutdown.abort();
  };
  // Waiting for a signal holds no handle of its own: without this, a daemon with nothing
  // live (its first version failed) would simply end.
  const keepAlive = setInterval(() => {}, 2 ** 30);
  const stopHookbot = new AbortController();
  let hookbot: Promise<void> | undefined;
  let stopWatchingStdin = () => {};
  const onHup = () => daemon?.deploy({ reason: 'SIGHUP' });
  const onTerm = () => stop('SIGTERM');
  const onInt = () => stop('SIGINT');
  try {
    let ready = false;
    daemon = runDaemon(docker, config, log, shutdown.signal, {
      onLive: (status) => {
        void notifySystemd(status, !ready);
        ready = true;
      },
      events: observers.events,
    });
    const running = daemon;
    await observers.start(running, shutdown.signal).catch((error: unknown) => {
      // A metrics port that is taken must not take the daemon (and the live app) down.
      log.error(describeError(error));
    });
    hookbot = config.hookbot ? watchHookbot({
      settings: config.hookbot, source: config.source, docker, app: config.app, log, deploy: (trigger) => running.deploy(trigger),
      signal: AbortSignal.any([shutdown.signal, stopHookbot.signal]),
    }) : undefined;
    process.on('SIGHUP', onHup);
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
    stopWatchingStdin = watchStdinEof(() => stop('stdin closed'));
    await running.done;
  } finally {
    // Also when the daemon loop rejects: nothing may keep listening for deploys after it.
    stopHookbot.abort();
    await hookbot;
    await observers.close();
    void notifySystemd('stopped', false);
    server.close();
    server.closeAllConnections();
    fs.rmSync(socket, { force: true });
    clearInterval(keepAlive);
    process.off('SIGHUP', onHup);
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    stopWatchingStdin();
  }
  log.info('stopped');
  return 0;
}
