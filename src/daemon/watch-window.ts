import { setTimeout as sleep } from 'node:timers/promises';

/** What one look at a newly live version found: fine, or why not. */
export type Check = { ok: true } | { ok: false; reason: string };

/**
 * The judgement of a watch window: a version that exits, or fails `failuresAllowed` status
 * checks in a row, goes back; a single slow answer does not.
 */
export class WatchWindow {
  #failures = 0;
  readonly #allowed: number;

  constructor(failuresAllowed: number) {
    this.#allowed = Math.max(1, failuresAllowed);
  }

  /** Undefined to carry on, or the reason to roll back. */
  observe(check: Check): string | undefined {
    if (check.ok) {
      this.#failures = 0;
      return undefined;
    }
    this.#failures++;
    return this.#failures >= this.#allowed ? `${check.reason} (${this.#failures} check${this.#failures > 1 ? 's' : ''} in a row)` : undefined;
  }
}

/**
 * Checks a newly live version every `everyMs` until `untilMs` (epoch ms). Resolves with the
 * reason to go back, or undefined when the window passed (or `signal` aborted).
 */
export async function watchWindow(check: () => Promise<Check>, untilMs: number, failuresAllowed: number, everyMs: number, signal: AbortSignal): Promise<string | undefined> {
  const window = new WatchWindow(failuresAllowed);
  while (!signal.aborted) {
    const wait = Math.min(everyMs, untilMs - Date.now());
    if (wait <= 0) return undefined;
    await sleep(wait, undefined, { signal }).catch(() => {});
    if (signal.aborted || Date.now() >= untilMs) return undefined;
    const reason = window.observe(await check());
    if (reason !== undefined) return reason;
  }
  return undefined;
}
