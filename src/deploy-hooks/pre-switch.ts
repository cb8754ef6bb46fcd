import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { formatDuration } from '../duration.js';
import { HanoverdError } from '../errors.js';
import { asWritten } from './as-written.js';
import { lineSplitter, type Logger } from '../log.js';

export interface PreSwitchOptions {
  argv: readonly string[];
  timeoutMs: number;
  /** Extra environment for the command, e.g. HANOVERD_APP. */
  env?: Readonly<Record<string, string>>;
  log: Logger;
  signal: AbortSignal;
}

const KEEPS_SERVING = 'the old version keeps serving';

/** Waits for the output stream to end, or destroys it when `signal` aborts. */
function drained(stream: NodeJS.ReadableStream & { destroy(): void }, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const abort = () => {
      stream.destroy();
      reject(signal.reason);
    };
    if (signal.aborted) return abort();
    signal.addEventListener('abort', abort, { once: true });
    const done = () => {
      signal.removeEventListener('abort', abort);
      resolve();
    };
    stream.on('end', done);
    stream.on('close', done);
    stream.on('error', done);
  });
}

/**
 * Runs `argv` inside the ready, not yet serving container (docker exec, no shell), its
 * output in the log under the container's name. Any exit but 0, or no exit within the
 * timeout, fails the version. A command still running when it fails ends with the
 * container, which the caller removes.
 */
export async function runPreSwitch(version: { container: Docker.Container; name: string }, options: PreSwitchOptions): Promise<void> {
  const { argv, log, signal, timeoutMs } = options;
  const { name } = version;
  const started = performance.now();
  log.info(`${name}: running the pre-switch command (${argv[0]})`);
  let exec: Docker.Exec;
  let stream: NodeJS.ReadWriteStream & { destroy(): void };
  try {
    exec = await version.container.exec({
      Cmd: [...argv],
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      Env: Object.entries(options.env ?? {}).map(([key, value]) => `${key}=${value}`),
    });
    stream = await exec.start({ hijack: true, stdin: false }) as typeof stream;
  } catch (error) {
    signal.throwIfAborted();
    throw new HanoverdError(`pre-switch command could not start in ${name}; ${KEEPS_SERVING}`, { cause: error });
  }
  const lines = lineSplitter((line) => log.output(name, line));
  const sink = new PassThrough();
  sink.on('data', (chunk: Buffer) => lines.push(chunk));
  version.container.modem.demuxStream(stream, sink, sink);
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    await drained(stream, AbortSignal.any([signal, timeout]));
  } catch (error) {
    signal.throwIfAborted();
    throw new HanoverdError(`pre-switch command did not finish within ${asWritten(timeoutMs)} in ${name}; ${KEEPS_SERVING} (raise --pre-switch-timeout?)`, { cause: error });
  } finally {
    lines.flush();
  }
  // The stream can end a moment before the engine records the exit code.
  let exitCode: number | null = null;
  for (let tries = 0; tries < 50; tries++) {
    const info = await exec.inspect();
    exitCode = info.ExitCode;
    if (!info.Running && exitCode !== null) break;
    await sleep(20, undefined, { signal });
  }
  if (exitCode !== 0) {
    const hint = exitCode === 126 || exitCode === 127 ? ' (not found or not executable in the image?)' : '';
    throw new HanoverdError(`pre-switch command exited ${exitCode ?? 'without a code'} in ${name}${hint}; ${KEEPS_SERVING}`);
  }
  log.info(`${name}: the pre-switch command succeeded in ${formatDuration(performance.now() - started)}`);
}
