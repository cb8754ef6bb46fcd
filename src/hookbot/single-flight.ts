/**
 * Wraps `work` so that at most one run is in flight. A call during a run does not start
 * another: it asks for one more run once the current one ends, and any number of such
 * calls ask for just that one (the newest question answers them all). `work` reports its
 * own failures: a rejection is dropped.
 */
export function singleFlight(work: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let again = false;
  return () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await work().catch(() => {});
        } while (again);
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
}
