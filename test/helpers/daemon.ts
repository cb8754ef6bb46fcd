import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = path.resolve(fileURLToPath(import.meta.url), '../../../dist/cli.js');

/** The real hanoverd CLI as a child process, its log collected for assertions. */
export interface DaemonProcess {
  child: ChildProcess;
  log(): string;
  /** Waits for a log line matching `pattern` that appears after `from` characters of log. */
  waitForLog(pattern: RegExp, timeoutMs?: number, from?: number): Promise<RegExpMatchArray>;
  signal(name: NodeJS.Signals): void;
  /** SIGTERM, then the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
  exited: Promise<number | null>;
}

export function startDaemon(cwd: string, args: string[], options: { env?: NodeJS.ProcessEnv; stdin?: 'ignore' | 'pipe'; cli?: string } = {}): DaemonProcess {
  // stdin at /dev/null, as under systemd: it must never stop the daemon.
  const child = spawn(process.execPath, [options.cli ?? CLI, ...args], {
    cwd,
    env: { ...process.env, ...options.env },
    stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
  });
  // Never outlive the test file, even when an after hook fails.
  process.once('exit', () => child.kill('SIGKILL'));
  let output = '';
  const waiters = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    if (process.env.HANOVERD_TEST_VERBOSE) process.stderr.write(chunk);
    for (const waiter of waiters) waiter();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => {
    for (const waiter of waiters) waiter();
    resolve(code);
  }));
  let exitCode: number | null | undefined;
  void exited.then((code) => { exitCode = code; });

  const waitForLog = (pattern: RegExp, timeoutMs = 60_000, from = 0) => new Promise<RegExpMatchArray>((resolve, reject) => {
    const check = () => {
      const match = output.slice(from).match(pattern);
      if (match) return done(() => resolve(match));
      if (exitCode !== undefined) return done(() => reject(new Error(`hanoverd exited (${exitCode}) before logging ${pattern}\n${output}`)));
    };
    const timer = setTimeout(() => done(() => reject(new Error(`timed out waiting for ${pattern}\n${output}`))), timeoutMs);
    const done = (then: () => void) => {
      clearTimeout(timer);
      waiters.delete(check);
      then();
    };
    waiters.add(check);
    check();
  });

  return {
    child,
    log: () => output,
    waitForLog,
    signal: (name) => child.kill(name),
    exited,
    async stop(timeoutMs = 30_000) {
      if (exitCode === undefined) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
