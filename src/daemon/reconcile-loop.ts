import { describeError } from '../errors.js';
import type { RulesetChanges } from '../firewall/ruleset-changes.js';
import type { Logger } from '../log.js';
import type { Journal } from './journal.js';
import type { Traffic } from './traffic.js';

export interface ReconcileTiming {
  /** How often to look whether the ruleset changed. */
  everyMs: number;
  /** A check runs at least this often, changed or not. */
  backstopMs: number;
}

/**
 * Every `everyMs` in which the ruleset changed or `traffic` says a check is due anyway
 * (and at least every `backstopMs`), puts back rules someone else removed (one log line
 * and a history entry when it did) and copies the rules' connection counters into the
 * state. Returns the stop.
 */
export function startReconcileLoop(traffic: Traffic, journal: Journal, log: Logger, ruleset: RulesetChanges, timing: ReconcileTiming): () => void {
  let failing = false;
  let ticksSinceCheck = 0;
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
  const tick = async () => {
    ticksSinceCheck++;
    // Taken before the check: a change made while it reads the tables is seen next tick.
    const changed = ruleset.take() || (await traffic.checkDue?.().catch(() => true));
    if (!changed && ticksSinceCheck * timing.everyMs < timing.backstopMs) return;
    ticksSinceCheck = 0;
    await once();
  };
  const timer = setInterval(() => {
    tick().then(() => {
      failing = false;
    }, (error: unknown) => {
      // The change it was looking at is still unchecked: look again next tick.
      ticksSinceCheck = Number.POSITIVE_INFINITY;
      // Once per streak: a broken iptables must not fill the log every few seconds.
      if (!failing) log.error(`checking the nat rules failed: ${describeError(error)}`);
      failing = true;
    });
  }, timing.everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
