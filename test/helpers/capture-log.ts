import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../../dist/log.js';

/** A text logger whose lines are kept for assertions. */
export function captureLog() {
  const lines: string[] = [];
  const log = createLogger('text', { write: (line: string) => lines.push(line) } as unknown as NodeJS.WritableStream);
  return { log, lines, text: () => lines.join('') };
}

/** Polls `check` every 10 ms until it holds; fails naming `what` after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 5000, what = 'a condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
