import type { RunningContainer } from '../container/start-container.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Engine } from './engine.js';

export interface Recovered {
  /** The container an earlier run's rules pointed at, still running: it keeps serving. */
  live?: RunningContainer;
  /** A canary the rules shared traffic with, still running. */
  canary?: RunningContainer;
  /** Other running containers of the app: retired once a version is live. */
  leftovers: RunningContainer[];
  /** The highest generation seen, so new names never clash. */
  generation: number;
}

/**
 * After a crash or a restart: the container the rules point at (or, with no rules, the one
 * the state file names) keeps serving and becomes live again; other running ones are kept
 * to be retired (they may still be draining), dead ones removed. A container that cannot
 * be handled is logged and skipped: recovery never stops the daemon.
 */
export async function recoverLeftovers(engine: Engine, names: { live?: string | undefined; canary?: string | undefined }, log: Logger): Promise<Recovered> {
  const recovered: Recovered = { leftovers: [], generation: 0 };
  for (const listed of await engine.list()) {
    recovered.generation = Math.max(recovered.generation, listed.generation);
    try {
      const running = listed.running ? await engine.describe(listed) : undefined;
      if (!running) {
        await engine.removeById(listed.id);
      } else if (listed.name === names.live && !recovered.live) {
        recovered.live = running;
      } else if (listed.name === names.canary && !recovered.canary) {
        recovered.canary = running;
      } else {
        recovered.leftovers.push(running);
        log.warn(`found ${running.name} from an earlier run; it is retired once a version is live`);
      }
    } catch (error) {
      log.warn(`could not recover ${listed.name}: ${describeError(error)}; leaving it`);
    }
  }
  return recovered;
}
