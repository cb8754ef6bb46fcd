import { HanoverdError } from '../errors.js';
import type { Logger } from '../log.js';
import type { PortBinding } from '../options/publish.js';
import { applyRules, saveNat } from './iptables.js';
import { enableRouteLocalnet, restoreRouteLocalnet } from './localnet.js';
import { appComment, dnatRules, findRules, localnetRule, portOwners, type Rule } from './rules.js';

export interface SwitchTarget {
  name: string;
  ip: string;
  bridge: string;
}

const isDnat = (rule: Rule) => rule[0] !== 'POSTROUTING';

/**
 * Owns the app's nat rules. Each switch inserts the new version's rules and deletes the
 * previous ones in one transaction, so there is never a moment without a rule.
 */
export class TrafficSwitch {
  #current: Rule[] = [];
  /** route_localnet values to restore, per bridge. */
  #localnet = new Map<string, string>();
  /** Per prepared bridge: the masquerade rule the next switch adds, if missing. */
  #masquerade = new Map<string, Rule | undefined>();
  readonly #app: string;
  readonly #bindings: readonly PortBinding[];
  readonly #log: Logger;

  constructor(app: string, bindings: readonly PortBinding[], log: Logger) {
    this.#app = app;
    this.#bindings = bindings;
    this.#log = log;
  }

  /**
   * Takes over the rules an earlier run left (after a crash they still point at its live
   * container) and returns the name of that container. Refuses host ports that another
   * hanoverd's rules hold.
   */
  async adopt(): Promise<string | undefined> {
    const nat = await saveNat();
    const clash = portOwners(nat, this.#app, this.#bindings)[0];
    if (clash) {
      throw new HanoverdError(`host port ${clash.port} is already handed over by hanoverd for ${clash.app}; stop that daemon or publish another port`);
    }
    this.#current = findRules(nat, appComment(this.#app)).filter(isDnat);
    const [first] = this.#current;
    const comment = first?.[first.indexOf('--comment') + 1];
    return comment?.slice(appComment(this.#app).length + 1);
  }

  /** The route_localnet values to restore, per bridge, kept in the state across a crash. */
  get localnetOriginals(): Record<string, string> {
    return Object.fromEntries(this.#localnet);
  }

  rememberLocalnet(originals: Record<string, string>): void {
    for (const [bridge, value] of Object.entries(originals)) this.#localnet.set(bridge, value);
  }

  /**
   * Gets the bridge ready for local clients (route_localnet, and whether the masquerade
   * rule is still to be added). Done while the new version warms up, so that the switch
   * itself is one iptables-restore. Checked for every version: a restarted engine may
   * have recreated the bridge.
   */
  async prepare(bridge: string): Promise<void> {
    if (this.#bindings.length === 0) return;
    const previous = await enableRouteLocalnet(bridge);
    if (!this.#localnet.has(bridge)) this.#localnet.set(bridge, previous);
    const masquerade = localnetRule(this.#app, bridge);
    const present = findRules(await saveNat(), appComment(this.#app)).some((rule) => rule.join(' ') === masquerade.join(' '));
    this.#masquerade.set(bridge, present ? undefined : masquerade);
  }

  async switchTo(target: SwitchTarget): Promise<void> {
    if (this.#bindings.length === 0) return;
    if (!this.#masquerade.has(target.bridge)) await this.prepare(target.bridge);
    const add = dnatRules(this.#app, target.name, target.ip, this.#bindings);
    const masquerade = this.#masquerade.get(target.bridge);
    if (masquerade) add.push(masquerade);
    await applyRules(add, this.#current);
    this.#masquerade.delete(target.bridge);
    this.#current = add.filter(isDnat);
    const ports = this.#bindings.map((b) => `${b.hostIp ?? '*'}:${b.hostPort}->${target.ip}:${b.containerPort}/${b.protocol}`);
    this.#log.info(`traffic switched to ${target.name} (${ports.join(', ')})`);
  }

  /** Removes every rule of this app and restores the sysctls it changed. */
  async removeAll(): Promise<void> {
    const nat = await saveNat();
    const own = findRules(nat, appComment(this.#app));
    await applyRules([], own);
    this.#current = [];
    // Another hanoverd may still need route_localnet on the same bridge.
    const others = findRules(nat, 'hanoverd').filter((rule) => !own.some((mine) => mine.join(' ') === rule.join(' ')));
    for (const [bridge, previous] of this.#localnet) {
      if (!others.some((rule) => rule.includes(bridge))) await restoreRouteLocalnet(bridge, previous);
    }
    this.#localnet.clear();
  }
}
