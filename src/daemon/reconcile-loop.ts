import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Journal } from './journal.js';
import type { Traffic } from './traffic.js';

/**
 * Every `everyMs`, puts back rules someone else removed (one log line and a history entry
 * when it did) and copies the rules' connection counters into the state. Returns the stop.
 */
export function startReconcileLoop(traffic: Traffic, journal: Journal, log: Logger, everyMs: number): () => void {
  let failing = false;
  const once = async () => {
    const repaired = await traffic.reconcile();
    const counts = Object.fromEntries(traffic.connections ?? []);
    if (JSON.stringify(counts) !== JSON.stringify(journal.state.connections ?? {})) {
      journal.update((state) => {
        state.connections = counts;
      });
    }
    if (repaired === undefined) return;
    log.warn(`the nat rules were changed by someone else (${repaired}); restored`);
    journal.record({ kind: 'event', trigger: 'rules', outcome: 'info', message: `rules restored: ${repaired}` });
  };
  const timer = setInterval(() => {
    once().then(() => {
      failing = false;
    }, (error: unknown) => {
      // Once per streak: a broken iptables must not fill the log every few seconds.
      if (!failing) log.error(`checking the nat rules failed: ${describeError(error)}`);
      failing = true;
    });
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
