import { createHash } from 'node:crypto';
import type { PortBinding } from '../options/publish.js';

/** One rule, as the words after `-A`/`-I`/`-D`: chain first. */
export type Rule = readonly string[];

/** Where new connections for the app's host ports go: one version, or several sharing them (canary). */
export interface Backend {
  /** The container's name, written into the rule's comment so a restart knows what is live. */
  name: string;
  ip: string;
  bridge: string;
  /** This backend's share of new connections, 0–100; the last backend takes what is left. */
  percent?: number;
}

/**
 * The app's own nat chains. Every rule hanoverd makes for an app lives in them, and each
 * switch rewrites a chain whole, so no switch depends on a remembered copy of the kernel's
 * rules. Only the jumps into them sit in the built-in chains.
 */
export interface AppChains {
  /** DNAT of the published ports; jumped to from PREROUTING (remote) and OUTPUT (local). */
  dnat: string;
  /** MASQUERADE of loopback sources leaving through a bridge; jumped to from POSTROUTING. */
  masquerade: string;
}

export function appComment(app: string): string {
  return `hanoverd:${app}`;
}

/** The comment on a backend's DNAT rules, naming the app and the container they point at. */
export function versionComment(app: string, container: string): string {
  return `${appComment(app)}:${container}`;
}

export function localnetComment(app: string): string {
  return `${appComment(app)}:localnet`;
}

export function appChains(app: string): AppChains {
  // Chain names are at most 28 characters and app names up to 40: a hash keeps them apart.
  const hash = createHash('sha256').update(app).digest('hex').slice(0, 10);
  return { dnat: `HANOVERD-${hash}`, masquerade: `HANOVERD-${hash}-MASQ` };
}

/** The jumps from the built-in chains into the app's chains. */
export function jumpRules(app: string): Rule[] {
  const chains = appChains(app);
  const comment = ['-m', 'comment', '--comment', appComment(app)];
  return [
    ['PREROUTING', ...comment, '-j', chains.dnat],
    ['OUTPUT', ...comment, '-j', chains.dnat],
    ['POSTROUTING', ...comment, '-j', chains.masquerade],
  ];
}

/** The probability each backend's rule must match with, given those before it did not. */
export function matchProbabilities(backends: readonly Backend[]): number[] {
  let remaining = 100;
  return backends.map((backend, index) => {
    if (index === backends.length - 1 || remaining <= 0) return 1;
    const share = Math.max(0, Math.min(remaining, backend.percent ?? 0));
    const probability = share / remaining;
    remaining -= share;
    return probability;
  });
}

/**
 * The DNAT chain's rules: for each published host port, new connections go to the
 * backends in their shares (`statistic --mode random`), the last one taking the rest.
 */
export function dnatRules(app: string, backends: readonly Backend[], bindings: readonly PortBinding[]): Rule[] {
  const { dnat } = appChains(app);
  const probabilities = matchProbabilities(backends);
  const rules: Rule[] = [];
  for (const binding of bindings) {
    const destination = binding.hostIp ? ['-d', `${binding.hostIp}/32`] : ['-m', 'addrtype', '--dst-type', 'LOCAL'];
    backends.forEach((backend, index) => {
      const probability = probabilities[index]!;
      if (probability <= 0) return;
      rules.push([
        dnat,
        '-p', binding.protocol,
        ...destination,
        '-m', binding.protocol,
        '--dport', String(binding.hostPort),
        ...(probability < 1 ? ['-m', 'statistic', '--mode', 'random', '--probability', probability.toFixed(5)] : []),
        '-m', 'comment', '--comment', versionComment(app, backend.name),
        '-j', 'DNAT',
        '--to-destination', `${backend.ip}:${binding.containerPort}`,
      ]);
    });
  }
  return rules;
}

/**
 * Connections from 127.0.0.0/8 that OUTPUT sent to a container keep their loopback source
 * unless masqueraded to the bridge address; the container could not answer them otherwise.
 */
export function masqueradeRules(app: string, bridges: Iterable<string>): Rule[] {
  const { masquerade } = appChains(app);
  return [...new Set(bridges)].map((bridge) => [masquerade, '-s', '127.0.0.0/8', '-o', bridge, '-m', 'comment', '--comment', localnetComment(app), '-j', 'MASQUERADE']);
}

function quote(word: string): string {
  return /^[\w./:,=-]+$/.test(word) ? word : `"${word.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

function line(words: readonly string[]): string {
  return words.map(quote).join(' ');
}

/** What a `iptables-restore --noflush` transaction does to one table. */
export interface TableChange {
  /** User chains to (create and) flush, then fill with `append`. */
  chains?: readonly string[];
  append?: readonly Rule[];
  /** Inserted at the top of their chains, in this order. */
  insert?: readonly Rule[];
  delete?: readonly Rule[];
  /** User chains to delete (after their rules and the jumps to them are gone). */
  drop?: readonly string[];
}

/** An `iptables-restore --noflush` script for `table`, applied by the kernel as one transaction. */
export function restoreScript(table: 'nat' | 'filter', change: TableChange): string {
  const lines = [`*${table}`];
  // With --noflush, declaring a user chain creates it, or flushes it when it exists.
  for (const chain of change.chains ?? []) lines.push(`:${chain} - [0:0]`);
  for (const [chain, ...spec] of change.append ?? []) lines.push(line(['-A', chain!, ...spec]));
  for (const [chain, ...spec] of [...(change.insert ?? [])].reverse()) lines.push(line(['-I', chain!, '1', ...spec]));
  for (const [chain, ...spec] of change.delete ?? []) lines.push(line(['-D', chain!, ...spec]));
  for (const chain of change.drop ?? []) lines.push(line(['-X', chain]));
  lines.push('COMMIT', '');
  return lines.join('\n');
}

/** Splits a line of `iptables-save` output into words, honouring its double quotes. */
export function splitSaveLine(text: string): string[] {
  const words: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (const match of text.matchAll(pattern)) {
    words.push(match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2]!);
  }
  return words;
}

/** The value after `option` in a rule, e.g. `--dport`. */
export function ruleOption(rule: Rule, option: string): string | undefined {
  const at = rule.indexOf(option);
  return at === -1 ? undefined : rule[at + 1];
}

/** A table as `iptables-save` prints it: the user chains that exist, and every rule. */
export interface SavedTable {
  chains: Set<string>;
  rules: Rule[];
  /** With `iptables-save -c`: packets per rule. In nat, only a connection's first packet is seen: new connections. */
  packets: Map<Rule, number>;
}

export function parseSave(saveOutput: string): SavedTable {
  const table: SavedTable = { chains: new Set(), rules: [], packets: new Map() };
  for (const text of saveOutput.split('\n')) {
    const counted = /^\[(\d+):\d+\] (-A .*)$/.exec(text);
    if (text.startsWith(':')) table.chains.add(text.slice(1).split(' ')[0]!);
    else if (text.startsWith('-A ') || counted) {
      const rule = splitSaveLine(counted ? counted[2]! : text).slice(1);
      table.rules.push(rule);
      if (counted) table.packets.set(rule, Number(counted[1]));
    }
  }
  return table;
}

/**
 * The backends (container and share) the app's DNAT rules send to, in rule order. Rules
 * behind a rule without a probability match nothing: they are an old version's, left for
 * a moment by a switch (traffic-switch.ts) and not where traffic goes.
 */
export function ruledBackends(table: SavedTable, app: string): Array<{ name: string; percent?: number }> {
  const prefix = `${appComment(app)}:`;
  const found: Array<{ name: string; probability: number }> = [];
  for (const rule of rulesInChain(table, appChains(app).dnat)) {
    const name = (ruleOption(rule, '--comment') ?? '').slice(prefix.length);
    if (name === '' || found.some((backend) => backend.name === name)) continue;
    found.push({ name, probability: Number(ruleOption(rule, '--probability') ?? 1) });
    if (found.at(-1)!.probability >= 1) break;
  }
  let remaining = 100;
  return found.map(({ name, probability }, index) => {
    if (index === found.length - 1) return { name };
    const percent = Math.round(probability * remaining);
    remaining -= percent;
    return { name, percent };
  });
}

/** New connections each container's DNAT rules have taken (nat rules count a connection's first packet). */
export function connectionCounts(table: SavedTable, app: string): Map<string, number> {
  const prefix = `${appComment(app)}:`;
  const counts = new Map<string, number>();
  for (const rule of rulesInChain(table, appChains(app).dnat)) {
    const name = (ruleOption(rule, '--comment') ?? '').slice(prefix.length);
    counts.set(name, (counts.get(name) ?? 0) + (table.packets.get(rule) ?? 0));
  }
  return counts;
}

/** The rules whose comment is `prefix` or starts with `prefix:`. */
export function rulesWithComment(table: SavedTable, prefix: string): Rule[] {
  return table.rules.filter((rule) => {
    const comment = ruleOption(rule, '--comment');
    return comment === prefix || comment?.startsWith(`${prefix}:`) === true;
  });
}

export const rulesInChain = (table: SavedTable, chain: string): Rule[] => table.rules.filter((rule) => rule[0] === chain);

/** Rules compare by their words; iptables-save prints back what restoreScript wrote. */
export const sameRule = (a: Rule, b: Rule): boolean => a.length === b.length && a.every((word, index) => word === b[index]);

/**
 * Other hanoverd apps whose DNAT rules already take one of `bindings`' host ports:
 * two daemons must never fight over a port.
 */
export function portOwners(table: SavedTable, app: string, bindings: readonly PortBinding[]): Array<{ app: string; port: number }> {
  const owners: Array<{ app: string; port: number }> = [];
  for (const rule of rulesWithComment(table, 'hanoverd')) {
    if (ruleOption(rule, '-j') !== 'DNAT') continue;
    const owner = (ruleOption(rule, '--comment') ?? '').split(':')[1] ?? '';
    const port = Number(ruleOption(rule, '--dport'));
    const protocol = ruleOption(rule, '-p');
    if (owner === app) continue;
    if (bindings.some((b) => b.hostPort === port && b.protocol === protocol) && !owners.some((o) => o.app === owner && o.port === port)) {
      owners.push({ app: owner, port });
    }
  }
  return owners;
}
