import type { RunningContainer } from '../container/start-container.js';
import { CrashBackoffMaxMs, CrashBackoffMinMs, CrashBackoffResetAfterMs } from '../defaults.js';
import { formatDuration } from '../duration.js';
import type { Logger } from '../log.js';

/**
 * How long to wait before restarting a live version that died: at once the first time, then
 * doubling for each crash in a row (a crash-looping image is not restarted in a tight loop),
 * starting again once a version has run for a while.
 */
export class CrashBackoff {
  #streak = 0;

  /** The delay before the next restart, given how long the version that died ran. */
  next(ranForMs: number): number {
    if (ranForMs >= CrashBackoffResetAfterMs) this.#streak = 0;
    const delay = this.#streak === 0 ? 0 : Math.min(CrashBackoffMaxMs, CrashBackoffMinMs * 2 ** (this.#streak - 1));
    this.#streak++;
    return delay;
  }

  /** The delay before trying again after a restart attempt failed. */
  retry(): number {
    const delay = Math.min(CrashBackoffMaxMs, CrashBackoffMinMs * 2 ** Math.max(0, this.#streak - 1));
    this.#streak++;
    return delay;
  }
}

/**
 * A live version that died is brought back from the same image (not the configured
 * source: after a rollback the rolled-back image is what must run), with backoff; a
 * restart that fails is tried again, until something is live.
 */
export class CrashRestarts {
  readonly #backoff = new CrashBackoff();
  #crashed: RunningContainer | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #restart: (version: RunningContainer) => void;
  readonly #log: Logger;

  /** `restart` asks for the restart; it decides whether a deploy under way makes it moot. */
  constructor(restart: (version: RunningContainer) => void, log: Logger) {
    this.#restart = restart;
    this.#log = log;
  }

  get pending(): boolean {
    return this.#crashed !== undefined;
  }

  crashed(version: RunningContainer, ranForMs: number): void {
    this.#crashed = version;
    this.#schedule(this.#backoff.next(ranForMs));
  }

  /** A deploy attempt ended with nothing live: try the crashed version again, later. */
  stillDown(): void {
    if (this.#crashed) this.#schedule(this.#backoff.retry());
  }

  /** Something is live again. */
  clear(): void {
    this.#crashed = undefined;
    clearTimeout(this.#timer);
  }

  #schedule(delayMs: number): void {
    clearTimeout(this.#timer);
    const target = this.#crashed;
    if (!target) return;
    if (delayMs > 0) this.#log.info(`bringing ${target.image.name} back in ${formatDuration(delayMs)}`);
    this.#timer = setTimeout(() => this.#restart(target), delayMs);
  }
}
