import type { Backend } from '../firewall/rules.js';

/** What the daemon changes in the kernel: the traffic switch, or a fake in tests. */
export interface Traffic {
  /** Where an earlier run's rules send traffic, in rule order. */
  adopt(): Promise<Array<{ name: string; percent?: number }>>;
  prepare(bridge: string): Promise<void>;
  switchTo(backends: readonly Backend[]): Promise<void>;
  stopTraffic(): Promise<void>;
  /** Whether something reconcile puts back changed without a ruleset event (route_localnet); cheap enough for every tick. */
  drifted?(): Promise<boolean>;
  /** Puts back what someone else changed; says what, or undefined when all was in place. */
  reconcile(): Promise<string | undefined>;
  removeAll(): Promise<void>;
  /** Where new connections go now: two during a canary. */
  readonly backends?: readonly Backend[];
  /** New connections each backend has taken, as of the last reconcile. */
  readonly connections?: ReadonlyMap<string, number>;
}
