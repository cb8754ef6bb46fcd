import type { RunningContainer } from '../container/start-container.js';
import type { Engine } from './engine.js';

export interface EngineEvents {
  engineGone(): void;
  engineBack(): void;
}

/**
 * Resolves with the exit code once `version` is gone for good, or undefined when `signal`
 * aborts first. An exit seen because the engine went away (a dockerd restart stops the
 * connection, and maybe the container) waits for the engine and looks again: with
 * live-restore the container survives and is watched anew.
 */
export async function whenGone(version: RunningContainer, engine: Engine, signal: AbortSignal, events: EngineEvents): Promise<number | undefined> {
  let onAbort = () => {};
  const aborted = new Promise<undefined>((resolve) => {
    onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    for (;;) {
      const code = await Promise.race([version.exited, aborted]);
      if (code === undefined || signal.aborted) return undefined;
      if (!(await engine.answers())) {
        events.engineGone();
        await engine.waitUntilAnswers(signal);
        if (signal.aborted) return undefined;
        events.engineBack();
      }
      if (!(await engine.isRunning(version))) return code;
      engine.rewatch(version);
    }
  } finally {
    // The shutdown signal lives as long as the daemon: a listener per watched version would pile up.
    signal.removeEventListener('abort', onAbort);
  }
}
