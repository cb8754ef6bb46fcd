// hanoverd under soak: started with JSON logs (full timestamps), every line kept with its
// time, and the lines the soak times handovers by picked out as they arrive.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

export interface LogLine { at: number; level: string; source?: string; msg: string }

export interface Daemon {
  lines: LogLine[];
  /** The first line from index `from` on that matches, waiting up to `timeoutMs`. */
  waitLine(pattern: RegExp, from: number, timeoutMs: number): Promise<LogLine>;
  signal(name: NodeJS.Signals): void;
  stop(): Promise<void>;
}

export interface DaemonOptions {
  cli: string;
  cwd: string;
  app: string;
  publish: string;
  stateDir: string;
  logPath: string;
  flags: string[];
}

export function parseLogLine(text: string): LogLine | undefined {
  try {
    const parsed = JSON.parse(text) as { time?: string; level?: string; source?: string; msg?: string };
    if (typeof parsed.time !== 'string' || typeof parsed.msg !== 'string') return undefined;
    return { at: Date.parse(parsed.time), level: parsed.level ?? 'info', ...(parsed.source ? { source: parsed.source } : {}), msg: parsed.msg };
  } catch {
    return undefined;
  }
}

export function startDaemon(options: DaemonOptions): Daemon {
  const args = [options.cli, '-p', options.publish, '--name', options.app, '--state-dir', options.stateDir, '--log-format', 'json', ...options.flags];
  const child: ChildProcess = spawn(process.execPath, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const logFile = fs.createWriteStream(options.logPath);
  const lines: LogLine[] = [];
  const waiters = new Set<() => void>();
  let pending = '';
  let exited = false;
  const collect = (chunk: Buffer) => {
    logFile.write(chunk);
    pending += chunk.toString();
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    for (const text of parts) {
      const line = parseLogLine(text);
      if (line) lines.push(line);
    }
    for (const waiter of waiters) waiter();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const gone = new Promise<void>((resolve) => child.on('exit', () => { exited = true; for (const waiter of waiters) waiter(); resolve(); }));
  return {
    lines,
    waitLine(pattern, from, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          for (let i = from; i < lines.length; i++) {
            const line = lines[i]!;
            if (pattern.test(line.msg)) { done(); resolve(line); return; }
          }
          if (exited) { done(); reject(new Error(`hanoverd exited while waiting for ${pattern}`)); }
        };
        const timer = setTimeout(() => { done(); reject(new Error(`hanoverd: no line matching ${pattern} within ${timeoutMs} ms`)); }, timeoutMs);
        const done = () => { clearTimeout(timer); waiters.delete(check); };
        waiters.add(check);
        check();
      });
    },
    signal(name) {
      if (!exited) child.kill(name);
    },
    async stop() {
      if (!exited) child.kill('SIGTERM');
      await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 30_000))]);
      if (!exited) child.kill('SIGKILL');
      await new Promise<void>((resolve) => logFile.end(resolve));
    },
  };
}
