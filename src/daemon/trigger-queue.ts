/**
 * Deploy requests, coalesced: while one is waiting, a newer one replaces it (the
 * newest wins, none is lost). `onPush` lets the daemon supersede an attempt in progress.
 */
export class TriggerQueue<T> {
  #pending: T | undefined;
  #wake: (() => void) | undefined;
  readonly #onPush: () => void;

  constructor(onPush: () => void) {
    this.#onPush = onPush;
  }

  push(trigger: T): void {
    this.#pending = trigger;
    this.#wake?.();
    this.#onPush();
  }

  get pending(): boolean {
    return this.#pending !== undefined;
  }

  /** The next trigger, or undefined once `signal` aborts. */
  async next(signal: AbortSignal): Promise<T | undefined> {
    while (this.#pending === undefined && !signal.aborted) {
      let onAbort = () => {};
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        onAbort = resolve;
        signal.addEventListener('abort', onAbort, { once: true });
      });
      // Removed every time: the signal outlives any number of waits.
      signal.removeEventListener('abort', onAbort);
      this.#wake = undefined;
    }
    if (signal.aborted) return undefined;
    const trigger = this.#pending;
    this.#pending = undefined;
    return trigger;
  }
}
