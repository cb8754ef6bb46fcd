/**
 * What the run made, undone in reverse order, once, whether it ends well, fails or is
 * interrupted (SIGINT/SIGTERM). A failing clean-up is reported and the rest still run.
 */
export class Cleanups {
  #steps: Array<{ what: string; fn: () => Promise<unknown> }> = [];
  #running: Promise<void> | undefined;
  readonly #say: (message: string) => void;

  constructor(say: (message: string) => void) {
    this.#say = say;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        say(`${signal}: cleaning up`);
        void this.run().finally(() => process.exit(130));
      });
    }
  }

  add(what: string, fn: () => Promise<unknown>): void {
    this.#steps.push({ what, fn });
  }

  run(): Promise<void> {
    this.#running ??= (async () => {
      for (const { what, fn } of this.#steps.reverse()) {
        try {
          await fn();
        } catch (error) {
          this.#say(`cleanup (${what}) failed: ${(error as Error).message}`);
        }
      }
    })();
    return this.#running;
  }
}
