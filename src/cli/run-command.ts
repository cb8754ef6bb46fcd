import fs from 'node:fs';
import { startControlServer } from '../control/control-server.js';
import type { DaemonConfig } from '../daemon/config.js';
import { describeSource } from '../daemon/obtain-image.js';
import { runDaemon, type Daemon } from '../daemon/run-daemon.js';
import { checkDocker, createDocker } from '../docker.js';
import { checkIptables } from '../firewall/iptables.js';
import type { Logger } from '../log.js';
import { ForceExitAfterMs } from '../defaults.js';
import { HanoverdError } from '../errors.js';
import { formatBinding } from '../options/publish.js';
import { watchHookbot } from '../hookbot/watch-hookbot.js';
import { controlSocket, ensureStateDir } from '../state/state-dir.js';
import { notifySystemd } from './systemd-notify.js';

/** Whether stdin can reach end-of-file: a terminal or a pipe, not /dev/null (systemd). */
function stdinCanClose(): boolean {
  try {
    const stat = fs.fstatSync(0);
    return stat.isFIFO() || stat.isSocket() || process.stdin.isTTY === true;
  } catch {
    return false;
  }
}

/** Runs the daemon until SIGTERM, SIGINT or stdin EOF; SIGHUP deploys a new version. */
export async function runCommand(config: DaemonConfig, log: Logger): Promise<number> {
  const docker = createDocker();
  await checkDocker(docker);
  if (config.bindings.length > 0) await checkIptables();
  ensureStateDir(config.stateDir, config.controlGid);
  // Started first: if another daemon runs this app, refuse before touching anything.
  let daemon: Daemon | undefined;
  const started = () => {
    if (!daemon) throw new HanoverdError('hanoverd is still starting');
    return daemon;
  };
  const socket = controlSocket(config.stateDir);
  const server = await startControlServer(socket, {
    status: () => started().status(),
    history: () => started().history(),
    deploy: () => started().deploy({ reason: 'api' }),
    rollback: () => started().rollback(),
  }, config.app, config.controlGid);
  log.info(`hanoverd for ${config.app}: ${describeSource(config.source)}` +
    `${config.bindings.length > 0 ? `, serving ${config.bindings.map(formatBinding).join(', ')}` : ''}; control socket ${socket}`);

  const shutdown = new AbortController();
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
  let ready = false;
  daemon = runDaemon(docker, config, log, shutdown.signal, {
    onLive: (status) => {
      void notifySystemd(status, !ready);
      ready = true;
    },
  });
  const running = daemon;
  const stopHookbot = new AbortController();
  const hookbot = config.hookbot ? watchHookbot({
    settings: config.hookbot, source: config.source, docker, app: config.app, log, deploy: (trigger) => running.deploy(trigger),
    signal: AbortSignal.any([shutdown.signal, stopHookbot.signal]),
  }) : undefined;
  // Waiting for a signal holds no handle of its own: without this, a daemon with nothing
  // live (its first version failed) would simply end.
  const keepAlive = setInterval(() => {}, 2 ** 30);
  const onHup = () => running.deploy({ reason: 'SIGHUP' });
  const onTerm = () => stop('SIGTERM');
  const onInt = () => stop('SIGINT');
  process.on('SIGHUP', onHup);
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  if (stdinCanClose()) {
    process.stdin.on('end', () => stop('stdin closed')).resume();
  }
  try {
    await running.done;
    stopHookbot.abort();
    await hookbot;
  } finally {
    void notifySystemd('stopped', false);
    server.close();
    fs.rmSync(socket, { force: true });
    clearInterval(keepAlive);
    process.off('SIGHUP', onHup);
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    process.stdin.pause();
  }
  log.info('stopped');
  return 0;
}
