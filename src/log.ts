import { StringDecoder } from 'node:string_decoder';
import { LogLineMaxChars } from './defaults.js';

/**
 * Logs a person can follow: one line per event, timestamped, to stderr so that
 * container output on stdout stays apart. Secrets never reach here: callers redact.
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** A line of output from a build, a pull or a container, under its own prefix. */
  output(prefix: string, line: string): void;
}

function stamp(): string {
  return new Date().toISOString().slice(11, 23);
}

export function createLogger(format: 'text' | 'json' = 'text', stream: NodeJS.WritableStream = process.stderr): Logger {
  if (format === 'json') {
    const write = (level: string, msg: string, source?: string) => {
      stream.write(`${JSON.stringify({ time: new Date().toISOString(), level, ...(source ? { source } : {}), msg })}\n`);
    };
    return {
      info: (message) => write('info', message),
      warn: (message) => write('warn', message),
      error: (message) => write('error', message),
      output: (prefix, line) => write('info', line, prefix),
    };
  }
  const write = (level: string, message: string) => {
    stream.write(`${stamp()} ${level} ${message}\n`);
  };
  return {
    info: (message) => write('info ', message),
    warn: (message) => write('warn ', message),
    error: (message) => write('error', message),
    output: (prefix, line) => stream.write(`${stamp()} ${prefix} | ${line}\n`),
  };
}

/**
 * Splits a byte stream into lines, calling `onLine` for each complete one. Output that
 * never ends a line (a progress bar, a binary blob) is not held without bound: at
 * `maxChars` what is pending is emitted, marked "…" as continued on the next line.
 */
export function lineSplitter(onLine: (line: string) => void, maxChars = LogLineMaxChars): { push(chunk: Buffer | string): void; flush(): void } {
  // Multi-byte characters split across chunks are joined, not turned into U+FFFD.
  const decoder = new StringDecoder('utf8');
  let pending = '';
  const emitLong = () => {
    while (pending.length > maxChars) {
      onLine(`${pending.slice(0, maxChars)}…`);
      pending = pending.slice(maxChars);
    }
  };
  return {
    push(chunk) {
      pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
      const lines = pending.split(/\r?\n/);
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line.length <= maxChars) {
          onLine(line);
          continue;
        }
        for (let at = 0; at < line.length; at += maxChars) onLine(`${line.slice(at, at + maxChars)}${at + maxChars < line.length ? '…' : ''}`);
      }
      emitLong();
    },
    flush() {
      pending += decoder.end();
      if (pending !== '') onLine(pending);
      pending = '';
    },
  };
}
