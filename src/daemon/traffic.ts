import type { Backend } from '../firewall/rules.js';

/** What the daemon changes in the kernel: the traffic switch, or a fake in tests. */
export interface Traffic {
  /** Where an earlier run's rules send traffic, in rule order. */
  adopt(): Promise<Array<{ name: string; percent?: number }>>;
  prepare(bridge: string): Promise<void>;
  switchTo(backends: readonly Backend[]): Promise<void>;
  stopTraffic(): Promise<void>;
  /**
   * Whether a check is due although the ruleset did not change: route_localnet was turned
   * off, or a canary runs (`status` shows how its new connections split, from counters
   * that change without a ruleset event). Cheap enough for every tick.
   */
  checkDue?(): Promise<boolean>;
  /** Puts back what someone else changed; says what, or undefined when all was in place. */
  reconcile(): Promise<string | undefined>;
  removeAll(): Promise<void>;
  /** New connections each backend has taken, as of the last reconcile. */
  readonly connections?: ReadonlyMap<string, number>;
}
