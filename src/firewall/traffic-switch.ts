import type { Logger } from '../log.js';
import type { PortBinding } from '../options/publish.js';
import { applyRules, saveNat } from './iptables.js';
import { enableRouteLocalnet, restoreRouteLocalnet } from './localnet.js';
import { appComment, dnatRules, findRules, localnetRule, type Rule } from './rules.js';

export interface SwitchTarget {
  name: string;
  ip: string;
  bridge: string;
}

/**
 * Owns the app's nat rules. Each switch inserts the new version's rules and deletes the
 * previous ones in one transaction, so there is never a moment without a rule.
 */
export class TrafficSwitch {
  #current: Rule[] = [];
  #localnet = new Map<string, string>();
  readonly #app: string;
  readonly #bindings: readonly PortBinding[];
  readonly #log: Logger;

  constructor(app: string, bindings: readonly PortBinding[], log: Logger) {
    this.#app = app;
    this.#bindings = bindings;
    this.#log = log;
  }

  /** Takes over rules an earlier run left (after a crash they still point at its live container). */
  async adopt(): Promise<number> {
    this.#current = findRules(await saveNat(), appComment(this.#app)).filter(([chain]) => chain !== 'POSTROUTING');
    return this.#current.length;
  }

  async switchTo(target: SwitchTarget): Promise<void> {
    if (this.#bindings.length === 0) return;
    const add = dnatRules(this.#app, target.name, target.ip, this.#bindings);
    if (!this.#localnet.has(target.bridge)) {
      this.#localnet.set(target.bridge, await enableRouteLocalnet(target.bridge));
      const nat = await saveNat();
      if (findRules(nat, appComment(this.#app)).every(([chain, ...rest]) => chain !== 'POSTROUTING' || !rest.includes(target.bridge))) {
        add.push(localnetRule(this.#app, target.bridge));
      }
    }
    await applyRules(add, this.#current);
    this.#current = add.filter(([chain]) => chain !== 'POSTROUTING');
    const ports = this.#bindings.map((b) => `${b.hostIp ?? '*'}:${b.hostPort}->${target.ip}:${b.containerPort}/${b.protocol}`);
    this.#log.info(`traffic switched to ${target.name} (${ports.join(', ')})`);
  }

  /** Removes every rule of this app and restores the sysctls it changed. */
  async removeAll(): Promise<void> {
    const nat = await saveNat();
    await applyRules([], findRules(nat, appComment(this.#app)));
    this.#current = [];
    // Another hanoverd may still need route_localnet on the same bridge.
    const others = findRules(nat, 'hanoverd').filter((rule) => !findRules(nat, appComment(this.#app)).some((own) => own.join(' ') === rule.join(' ')));
    for (const [bridge, previous] of this.#localnet) {
      if (!others.some((rule) => rule.includes(bridge))) await restoreRouteLocalnet(bridge, previous);
    }
    this.#localnet.clear();
  }
}
