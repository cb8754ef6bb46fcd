import { execa } from 'execa';
import { formatDuration } from '../duration.js';
import { describeError } from '../errors.js';
import { lineSplitter, type Logger } from '../log.js';
import { asWritten } from './as-written.js';

/** The version that just went live, as the command's environment tells it. */
export interface PostDeployVersion {
  app: string;
  container: string;
  image: string;
  digest?: string;
}

export interface PostDeployOptions {
  argv: readonly string[];
  timeoutMs: number;
  log: Logger;
  signal: AbortSignal;
}

export function postDeployEnv(version: PostDeployVersion): Record<string, string> {
  return {
    HANOVERD_APP: version.app,
    HANOVERD_CONTAINER: version.container,
    HANOVERD_IMAGE: version.image,
    HANOVERD_DIGEST: version.digest ?? '',
  };
}

/**
 * Runs `argv` on the host (no shell) after a version went live, with HANOVERD_APP,
 * HANOVERD_CONTAINER, HANOVERD_IMAGE and HANOVERD_DIGEST set. Its output goes to the log;
 * a failure is a warning and never throws: the version stays live.
 */
export async function runPostDeploy(version: PostDeployVersion, options: PostDeployOptions): Promise<void> {
  const { argv, log, signal, timeoutMs } = options;
  const [file, ...args] = argv;
  if (file === undefined) return;
  const started = performance.now();
  log.info(`${version.container}: running the post-deploy command (${file})`);
  try {
    const subprocess = execa(file, args, {
      env: postDeployEnv(version),
      stdin: 'ignore',
      all: true,
      buffer: false,
      reject: false,
      timeout: timeoutMs,
      cancelSignal: signal,
      forceKillAfterDelay: 5_000,
    });
    const lines = lineSplitter((line) => log.output('post-deploy', line));
    subprocess.all?.on('data', (chunk: Buffer) => lines.push(chunk));
    const result = await subprocess;
    lines.flush();
    const took = formatDuration(performance.now() - started);
    // execa's own messages repeat the whole command line, which may hold secrets: say it here.
    if (result.isCanceled) log.warn(`post-deploy command (${file}) stopped: hanoverd is stopping`);
    else if (result.timedOut) log.warn(`post-deploy command (${file}) did not finish within ${asWritten(timeoutMs)} and was killed; ${version.container} stays live`);
    else if (result.exitCode !== undefined && result.exitCode !== 0) log.warn(`post-deploy command (${file}) exited ${result.exitCode} after ${took}; ${version.container} stays live`);
    else if (result.signal) log.warn(`post-deploy command (${file}) was killed by ${result.signal}; ${version.container} stays live`);
    else if (result.failed) log.warn(`post-deploy command (${file}) could not run: ${describeCause(result.cause)}; ${version.container} stays live`);
    else log.info(`${version.container}: the post-deploy command succeeded in ${took}`);
  } catch (error) {
    log.warn(`post-deploy command (${file}) could not run: ${describeCause(error)}; ${version.container} stays live`);
  }
}

function describeCause(cause: unknown): string {
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (code === 'ENOENT') return 'not found';
  if (code === 'EACCES') return 'not executable';
  return typeof code === 'string' ? code : describeError(cause);
}
