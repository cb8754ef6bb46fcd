import { describeError, HanoverdError } from '../errors.js';
import type { Logger } from '../log.js';
import type { PortBinding } from '../options/publish.js';
import { nftClosingTimeouts, type ClosingTimeouts } from './closing-timeouts.js';
import { forgetUdpFlows } from './conntrack.js';
import { iptablesBackend, type NatBackend } from './iptables.js';
import { GuardComment, guardRule, kernelLocalnet, type LocalnetControl } from './localnet.js';
import {
  appChains, appComment, dnatRules, jumpRules, masqueradeRules, connectionCounts, parseSave, portOwners, ruledBackends, ruleOption, rulesInChain,
  rulesWithComment, restoreScript, sameRule, type Backend, type Rule, type SavedTable,
} from './rules.js';

export type { Backend } from './rules.js';

export interface SwitchDeps {
  nat: NatBackend;
  localnet: LocalnetControl;
  /** Clears UDP flows to a backend that no longer gets traffic (conntrack). */
  forgetUdp: (ip: string) => Promise<void>;
  /** Short conntrack timeouts for the app's ended connections (closing-timeouts.ts). */
  closing?: (app: string, bindings: readonly PortBinding[]) => ClosingTimeouts;
}

const kernel: SwitchDeps = { nat: iptablesBackend, localnet: kernelLocalnet, forgetUdp: forgetUdpFlows, closing: nftClosingTimeouts };

// What makes two DNAT rules the same for reconciling: iptables-save prints some options
// back in its own spelling (a probability's digits), so compare what they do.
const dnatKey = (rule: Rule) => ['-p', '-d', '--dport', '--probability', '--comment', '--to-destination']
  .map((option) => (option === '--probability' ? Number(ruleOption(rule, option) ?? 1).toFixed(4) : ruleOption(rule, option))).join(' ');

/**
 * Owns the app's nat rules: two chains of its own, rewritten whole by each switch in one
 * transaction (so there is never a moment without a rule, and nothing depends on a
 * remembered copy of the kernel's tables), and the jumps into them. `reconcile` puts back
 * whatever someone else removed. Operations run one at a time.
 */
export class TrafficSwitch {
  #backends: Backend[] = [];
  /** Whether the kernel has the app's chains and jumps, as far as the last look showed. */
  #installed = false;
  /** Bridges whose route_localnet and guard are set up for local clients. */
  #prepared = new Set<string>();
  #queue: Promise<unknown> = Promise.resolve();
  /** Counts the queued operations; a check that read the tables before one of them ran is stale. */
  #changes = 0;
  #connections = new Map<string, number>();
  readonly #closing: ClosingTimeouts | undefined;
  /** Whether the closing-timeouts table was made (undefined: not tried yet). */
  #closingMade: boolean | undefined;
  readonly #app: string;
  readonly #bindings: readonly PortBinding[];
  readonly #log: Logger;
  readonly #deps: SwitchDeps;

  constructor(app: string, bindings: readonly PortBinding[], log: Logger, deps: SwitchDeps = kernel) {
    this.#app = app;
    this.#bindings = bindings;
    this.#log = log;
    this.#deps = deps;
    this.#closing = deps.closing?.(app, bindings);
  }

  /** Where new connections go now (empty before the first switch, or after `stopTraffic`). */
  get backends(): readonly Backend[] {
    return this.#backends;
  }

  /** Runs `work` after every operation queued before it, and counts it (it may change rules). */
  #serial<T>(work: () => Promise<T>): Promise<T> {
    const counted = async () => {
      this.#changes++;
      return work();
    };
    const run = this.#queue.then(counted, counted);
    this.#queue = run.catch(() => {});
    return run;
  }

  async #saveNat(counters = false): Promise<SavedTable> {
    return parseSave(await this.#deps.nat.save('nat', counters));
  }

  /** New connections each backend has taken, as of the last reconcile. */
  get connections(): ReadonlyMap<string, number> {
    return this.#connections;
  }

  /**
   * Reads the rules an earlier run left (after a crash they still point at its live
   * container, or a canary and the live one) and returns where they send traffic, in rule
   * order. Refuses host ports that another hanoverd's rules hold.
   */
  adopt(): Promise<Array<{ name: string; percent?: number }>> {
    return this.#serial(async () => {
      const nat = await this.#saveNat();
      const clash = portOwners(nat, this.#app, this.#bindings)[0];
      if (clash) {
        throw new HanoverdError(`host port ${clash.port} is already handed over by hanoverd for ${clash.app}; stop that daemon or publish another port`);
      }
      const ruled = ruledBackends(nat, this.#app);
      // Rules of hanoverd before it had chains of its own sit in the built-in chains.
      const legacy = rulesWithComment(nat, appComment(this.#app)).filter((rule) => !Object.values(appChains(this.#app)).includes(rule[0]!) && ruleOption(rule, '-j') === 'DNAT');
      if (ruled.length > 0) return ruled;
      return [...new Set(legacy.map((rule) => (ruleOption(rule, '--comment') ?? '').split(':')[2] ?? ''))].filter(Boolean).map((name) => ({ name }));
    });
  }

  /**
   * Gets a bridge ready for local clients: the guard against outside packets to
   * 127.0.0.0/8, then route_localnet. Done while a new version warms up, so that the
   * switch itself is one iptables-restore.
   */
  prepare(bridge: string): Promise<void> {
    if (this.#bindings.length === 0) return Promise.resolve();
    return this.#serial(async () => {
      await this.#prepare(bridge);
      // Last, so that the switch is what uses it.
      this.#deps.nat.prewarm?.();
    });
  }

  async #prepare(bridge: string): Promise<void> {
    if (this.#prepared.has(bridge)) return;
    if (this.#closingMade === undefined) await this.#makeClosing();
    await this.#ensureGuard([bridge]);
    await this.#deps.localnet.enable(bridge);
    this.#prepared.add(bridge);
  }

  /** Never fails a deploy: without the table, old versions wait out the kernel's own timeouts. */
  async #makeClosing(): Promise<void> {
    if (!this.#closing) return;
    this.#closingMade = await this.#closing.ensure().catch(() => false);
    if (!this.#closingMade) {
      this.#log.warn('cannot set short conntrack timeouts for ended connections (is nft, from the nftables package, installed?); a client reusing a port right when an old version stops may lose its connection');
    }
  }

  async #ensureGuard(bridges: Iterable<string>, seen?: SavedTable): Promise<boolean> {
    const filter = seen ?? parseSave(await this.#deps.nat.save('filter'));
    const missing = [...bridges].map(guardRule).filter((rule) => !filter.rules.some((found) => sameRule(found, rule)));
    if (missing.length > 0) await this.#deps.nat.restore(restoreScript('filter', { insert: missing }));
    return missing.length > 0;
  }

  /** The whole desired state of the app's chains, and the jumps to (re)make from `nat`. */
  #rewrite(backends: readonly Backend[], nat?: SavedTable): string {
    const chains = appChains(this.#app);
    const jumps = jumpRules(this.#app);
    const stale = nat ? this.#foreignRules(nat) : [];
    return restoreScript('nat', {
      chains: [chains.dnat, chains.masquerade],
      append: [...dnatRules(this.#app, backends, this.#bindings), ...masqueradeRules(this.#app, backends.map((b) => b.bridge))],
      ...(nat ? { delete: stale, insert: jumps } : {}),
    });
  }

  /** Jumps and rules of this app outside its chains (old jumps, rules of an older hanoverd), to delete. */
  #foreignRules(nat: SavedTable): Rule[] {
    const own = Object.values(appChains(this.#app));
    return rulesWithComment(nat, appComment(this.#app)).filter((rule) => !own.includes(rule[0]!));
  }

  /** Sends new connections for the published ports to `backends` (in their shares), in one transaction. */
  switchTo(backends: readonly Backend[]): Promise<void> {
    if (this.#bindings.length === 0) return Promise.resolve();
    return this.#serial(async () => {
      for (const backend of backends) await this.#prepare(backend.bridge);
      const before = this.#backends;
      if (!(await this.#switchByAdding(before, backends))) {
        // Once the chains and jumps are known to be there, a switch is one restore.
        const nat = this.#installed ? undefined : await this.#saveNat();
        await this.#deps.nat.restore(this.#rewrite(backends, nat));
        this.#installed = true;
        this.#switched(backends);
      }
      await this.#forgetUdp(before, backends);
    });
  }

  /**
   * nf_tables commits a batch that only adds rules in ~2 ms, but one that deletes a DNAT
   * rule takes ~8 ms and more on a busy machine (bench/RESULTS.md). So when rules are in
   * place, the switch only adds: the new DNAT rules go first in the chain, and each port's
   * last new rule takes every connection the ones before it leave, so the old rules behind
   * them match nothing from that commit on. The chain is then rewritten as it should be,
   * outside the moment that counts. Returns false when this way does not apply or failed
   * (a chain someone deleted), so that the caller rewrites everything.
   */
  async #switchByAdding(before: readonly Backend[], backends: readonly Backend[]): Promise<boolean> {
    if (!this.#installed || before.length === 0 || backends.length === 0) return false;
    const bridges = new Set(before.map((b) => b.bridge));
    const masquerade = masqueradeRules(this.#app, backends.map((b) => b.bridge).filter((bridge) => !bridges.has(bridge)));
    try {
      await this.#deps.nat.restore(restoreScript('nat', { insert: dnatRules(this.#app, backends, this.#bindings), append: masquerade }));
    } catch {
      // A chain someone else deleted, say: the whole rewrite (with a fresh look) makes everything again.
      this.#installed = false;
      return false;
    }
    this.#switched(backends);
    // The old rules are unreachable; should this fail, the next reconcile removes them.
    await this.#deps.nat.restore(this.#rewrite(backends)).catch((error: unknown) => {
      this.#log.warn(`removing the old version's unreachable nat rules failed (${describeError(error)}); the next check of the rules removes them`);
    });
    return true;
  }

  #switched(backends: readonly Backend[]): void {
    this.#backends = [...backends];
    const ports = this.#bindings.map((b) => `${b.hostIp ?? '*'}:${b.hostPort}->${b.containerPort}/${b.protocol}`).join(', ');
    const to = backends.map((b) => `${b.name} (${b.ip}${backends.length > 1 ? `, ${b.percent === undefined ? 'the rest' : `${b.percent}%`}` : ''})`).join(' and ');
    this.#log.info(backends.length > 0 ? `traffic switched to ${to}: ${ports}` : `traffic stopped: nothing receives ${ports}`);
  }

  /**
   * Stops sending new connections anywhere: for a live container that is gone, whose
   * address Docker may give to another container at any moment.
   */
  stopTraffic(): Promise<void> {
    return this.switchTo([]);
  }

  // UDP has no connection to end: a steady sender keeps its conntrack flow, and with it
  // the old destination, unless the flow is cleared.
  async #forgetUdp(before: readonly Backend[], after: readonly Backend[]): Promise<void> {
    if (!this.#bindings.some((b) => b.protocol === 'udp')) return;
    for (const old of before) {
      if (!after.some((b) => b.ip === old.ip)) await this.#deps.forgetUdp(old.ip).catch(() => {});
    }
  }

  /**
   * Whether a check is due without a ruleset event: during a canary (its connection
   * counters are what `status` shows), or when route_localnet was turned off on a bridge
   * local clients need it on (a sysctl reload, say).
   */
  async checkDue(): Promise<boolean> {
    if (this.#backends.length > 1) return true;
    for (const bridge of this.#prepared) {
      if (this.#deps.localnet.isEnabled && !(await this.#deps.localnet.isEnabled(bridge))) return true;
    }
    return false;
  }

  /**
   * Puts back what someone else changed (a firewall reload, `iptables -t nat -D`, a
   * flushed table) once the app has rules; as kube-proxy's resync does. Returns what was
   * repaired, or undefined when everything was in place.
   */
  reconcile(): Promise<string | undefined> {
    if (!this.#installed) return Promise.resolve(undefined);
    // The reads (three processes, 50–300 ms on a busy machine) happen outside the queue, so
    // that a switch never waits behind them; what they saw is compared in the queue, and
    // dropped if a switch or another change came in between (it makes its own event, and
    // with it another check).
    const changes = this.#changes;
    const seen = Promise.all([
      this.#saveNat(true),
      this.#deps.nat.save('filter').then(parseSave),
      this.#closingMade && this.#closing ? this.#closing.present() : Promise.resolve(true),
    ]);
    return seen.then(([nat, filter, closingPresent]) => this.#serial(async () => {
      if (changes !== this.#changes - 1 || !this.#installed) return undefined;
      return this.#repair(nat, filter, closingPresent);
    }));
  }

  async #repair(nat: SavedTable, filter: SavedTable, closingPresent: boolean): Promise<string | undefined> {
    const problems: string[] = [];
    this.#connections = connectionCounts(nat, this.#app);
    const chains = appChains(this.#app);
    for (const chain of [chains.dnat, chains.masquerade]) if (!nat.chains.has(chain)) problems.push(`chain ${chain} missing`);
    for (const jump of jumpRules(this.#app)) {
      const found = nat.rules.filter((rule) => sameRule(rule, jump)).length;
      if (found !== 1) problems.push(`${found === 0 ? 'missing' : 'repeated'} jump from ${jump[0]}`);
    }
    const want = dnatRules(this.#app, this.#backends, this.#bindings).map(dnatKey);
    const have = rulesInChain(nat, chains.dnat).map(dnatKey);
    if (want.join('\n') !== have.join('\n')) problems.push('DNAT rules changed');
    const masquerade = masqueradeRules(this.#app, this.#backends.map((b) => b.bridge));
    const found = rulesInChain(nat, chains.masquerade);
    if (masquerade.length !== found.length || masquerade.some((rule) => !found.some((f) => sameRule(f, rule)))) problems.push('MASQUERADE rules changed');
    if (problems.length > 0) await this.#deps.nat.restore(this.#rewrite(this.#backends, nat));
    if (await this.#ensureGuard(this.#prepared, filter)) problems.push('localnet guard missing');
    if (this.#closingMade && this.#closing && !closingPresent) {
      await this.#makeClosing();
      problems.push('conntrack timeouts table missing');
    }
    for (const bridge of this.#prepared) await this.#deps.localnet.enable(bridge);
    return problems.length > 0 ? problems.join(', ') : undefined;
  }

  /** Removes every rule of this app, and, where no other hanoverd needs them, the guard and route_localnet. */
  removeAll(): Promise<void> {
    return this.#serial(async () => {
      const nat = await this.#saveNat();
      const chains = appChains(this.#app);
      const existing = [chains.dnat, chains.masquerade].filter((chain) => nat.chains.has(chain));
      await this.#deps.nat.restore(restoreScript('nat', { delete: this.#foreignRules(nat), chains: existing, drop: existing }));
      this.#backends = [];
      this.#installed = false;
      if (this.#closingMade) await this.#closing?.remove();
      this.#closingMade = undefined;
      // Another hanoverd may still send local clients through the same bridge.
      const mine = new Set(rulesWithComment(nat, appComment(this.#app)));
      const others = rulesWithComment(nat, 'hanoverd').filter((rule) => !mine.has(rule));
      const bridges = [...this.#prepared].filter((bridge) => !others.some((rule) => ruleOption(rule, '-o') === bridge));
      if (bridges.length > 0) {
        const filter = parseSave(await this.#deps.nat.save('filter'));
        const guards = filter.rules.filter((rule) => ruleOption(rule, '--comment') === GuardComment && bridges.includes(ruleOption(rule, '-i') ?? ''));
        if (guards.length > 0) await this.#deps.nat.restore(restoreScript('filter', { delete: guards }));
        for (const bridge of bridges) await this.#deps.localnet.restore(bridge);
      }
      this.#prepared.clear();
    });
  }
}
