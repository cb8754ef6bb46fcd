import fs from 'node:fs';
import { runDaemon } from '../daemon/run-daemon.js';
import type { DaemonConfig } from '../daemon/config.js';
import { checkDocker, createDocker } from '../docker.js';
import { checkIptables } from '../firewall/iptables.js';
import type { Logger } from '../log.js';
import { ForceExitAfterMs } from '../defaults.js';
import { formatBinding } from '../options/publish.js';

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
  log.info(`hanoverd for ${config.app}: ${config.source.kind === 'build' ? `building ${config.source.dir}` : `pulling ${config.source.ref.name}`}` +
    `${config.bindings.length > 0 ? `, serving ${config.bindings.map(formatBinding).join(', ')}` : ''}`);

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
  const daemon = runDaemon(docker, config, log, shutdown.signal);
  // Waiting for a signal holds no handle of its own: without this, a daemon with nothing
  // live (its first version failed) would simply end.
  const keepAlive = setInterval(() => {}, 2 ** 30);
  const onHup = () => daemon.deploy({ reason: 'SIGHUP' });
  const onTerm = () => stop('SIGTERM');
  const onInt = () => stop('SIGINT');
  process.on('SIGHUP', onHup);
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  if (stdinCanClose()) {
    process.stdin.on('end', () => stop('stdin closed')).resume();
  }
  try {
    await daemon.done;
  } finally {
    clearInterval(keepAlive);
    process.off('SIGHUP', onHup);
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    process.stdin.pause();
  }
  log.info('stopped');
  return 0;
}
