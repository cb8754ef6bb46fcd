import type { RunningContainer } from '../container/start-container.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Engine } from './engine.js';

/** Versions that no longer get new connections, draining on their own until they stop. */
export class Retirements {
  readonly #running = new Map<string, Promise<void>>();
  readonly #abort = new AbortController();
  readonly #engine: Engine;
  readonly #log: Logger;

  constructor(engine: Engine, log: Logger) {
    this.#engine = engine;
    this.#log = log;
  }

  retire(version: RunningContainer): void {
    if (this.#running.has(version.name)) return;
    const done = this.#engine.retire(version, this.#abort.signal)
      .catch((error: unknown) => this.#log.error(`stopping ${version.name} failed: ${describeError(error)}`))
      .finally(() => this.#running.delete(version.name));
    this.#running.set(version.name, done);
  }

  /** Cuts every drain short (shutdown) and resolves once all are stopped. */
  async finish(): Promise<void> {
    this.#abort.abort();
    await Promise.allSettled([...this.#running.values()]);
  }
}
