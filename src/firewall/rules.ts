import type { PortBinding } from '../options/publish.js';

/** One nat-table rule, as the words after `-A`/`-I`/`-D`: chain first. */
export type Rule = readonly string[];

export function appComment(app: string): string {
  return `hanoverd:${app}`;
}

/** The comment on a version's DNAT rules, naming the app and the container they point at. */
export function versionComment(app: string, container: string): string {
  return `${appComment(app)}:${container}`;
}

export function localnetComment(app: string): string {
  return `${appComment(app)}:localnet`;
}

/**
 * The DNAT rules that send new connections for each published host port to the
 * container: on PREROUTING for traffic from elsewhere, on OUTPUT for this host's own.
 */
export function dnatRules(app: string, container: string, ip: string, bindings: readonly PortBinding[]): Rule[] {
  const rules: Rule[] = [];
  for (const binding of bindings) {
    const destination = binding.hostIp ? ['-d', `${binding.hostIp}/32`] : ['-m', 'addrtype', '--dst-type', 'LOCAL'];
    for (const chain of ['PREROUTING', 'OUTPUT']) {
      rules.push([
        chain,
        '-p', binding.protocol,
        ...destination,
        '-m', binding.protocol,
        '--dport', String(binding.hostPort),
        '-m', 'comment', '--comment', versionComment(app, container),
        '-j', 'DNAT',
        '--to-destination', `${ip}:${binding.containerPort}`,
      ]);
    }
  }
  return rules;
}

/**
 * Connections from 127.0.0.0/8 that OUTPUT sent to a container keep their loopback source
 * unless masqueraded to the bridge address; the container could not answer them otherwise.
 */
export function localnetRule(app: string, bridge: string): Rule {
  return ['POSTROUTING', '-s', '127.0.0.0/8', '-o', bridge, '-m', 'comment', '--comment', localnetComment(app), '-j', 'MASQUERADE'];
}

function quote(word: string): string {
  return /^[\w./:,=-]+$/.test(word) ? word : `"${word.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/**
 * An `iptables-restore --noflush` script for the nat table that inserts `add` at the top
 * of their chains and deletes `remove`, applied by the kernel as one transaction.
 */
export function restoreScript(add: readonly Rule[], remove: readonly Rule[]): string {
  const lines = ['*nat'];
  for (const [chain, ...spec] of [...add].reverse()) lines.push(['-I', chain!, '1', ...spec].map(quote).join(' '));
  for (const [chain, ...spec] of remove) lines.push(['-D', chain!, ...spec].map(quote).join(' '));
  lines.push('COMMIT', '');
  return lines.join('\n');
}

/** Splits a line of `iptables-save` output into words, honouring its double quotes. */
export function splitSaveLine(line: string): string[] {
  const words: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (const match of line.matchAll(pattern)) {
    words.push(match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2]!);
  }
  return words;
}

/** The rules in `iptables-save -t nat` output whose comment starts with `prefix`. */
export function findRules(saveOutput: string, prefix: string): Rule[] {
  const rules: Rule[] = [];
  for (const line of saveOutput.split('\n')) {
    if (!line.startsWith('-A ')) continue;
    const words = splitSaveLine(line);
    const at = words.indexOf('--comment');
    const comment = at === -1 ? undefined : words[at + 1];
    if (comment === prefix || comment?.startsWith(`${prefix}:`)) rules.push(words.slice(1));
  }
  return rules;
}

/**
 * Other hanoverd apps whose DNAT rules already take one of `bindings`' host ports:
 * two daemons must never fight over a port.
 */
export function portOwners(saveOutput: string, app: string, bindings: readonly PortBinding[]): Array<{ app: string; port: number }> {
  const owners: Array<{ app: string; port: number }> = [];
  for (const rule of findRules(saveOutput, 'hanoverd')) {
    const comment = rule[rule.indexOf('--comment') + 1] ?? '';
    const owner = comment.split(':')[1] ?? '';
    const port = Number(rule[rule.indexOf('--dport') + 1]);
    const protocol = rule[rule.indexOf('-p') + 1];
    if (owner === app || !rule.includes('DNAT')) continue;
    if (bindings.some((b) => b.hostPort === port && b.protocol === protocol) && !owners.some((o) => o.app === owner && o.port === port)) {
      owners.push({ app: owner, port });
    }
  }
  return owners;
}
