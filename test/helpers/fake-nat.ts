import { splitSaveLine, type Rule } from '../../dist/firewall/rules.js';
import type { NatBackend } from '../../dist/firewall/iptables.js';
import type { LocalnetControl } from '../../dist/firewall/localnet.js';

interface Table {
  chains: Map<string, string[][]>;
}

const BUILTIN: Record<string, string[]> = { nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'], filter: ['INPUT', 'FORWARD', 'OUTPUT'] };
const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((w, i) => w === b[i]);

/**
 * iptables in memory: applies `iptables-restore --noflush` scripts as one transaction with
 * the kernel's rules (a -D of a missing rule fails the whole script), and prints tables
 * as iptables-save does. `failNext` makes the next restores fail.
 */
export class FakeNat implements NatBackend {
  tables: Record<string, Table> = {};
  restores: string[] = [];
  failNext = 0;

  constructor() {
    for (const [name, chains] of Object.entries(BUILTIN)) this.tables[name] = { chains: new Map(chains.map((c) => [c, []])) };
  }

  async save(table: 'nat' | 'filter'): Promise<string> {
    const t = this.tables[table]!;
    const lines = [`*${table}`];
    for (const chain of t.chains.keys()) lines.push(`:${chain} ${BUILTIN[table]!.includes(chain) ? 'ACCEPT' : '-'} [0:0]`);
    for (const [chain, rules] of t.chains) for (const rule of rules) lines.push(['-A', chain, ...rule].map((w) => (/^[\w./:,=-]+$/.test(w) ? w : `"${w}"`)).join(' '));
    lines.push('COMMIT');
    return lines.join('\n');
  }

  async restore(script: string): Promise<void> {
    this.restores.push(script);
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('iptables-restore: injected failure');
    }
    const copy: Record<string, Table> = structuredClone(this.tables);
    let table: Table | undefined;
    for (const line of script.split('\n')) {
      if (line === '' || line === 'COMMIT') continue;
      if (line.startsWith('*')) { table = copy[line.slice(1)]; continue; }
      if (!table) throw new Error('no table');
      if (line.startsWith(':')) { table.chains.set(line.slice(1).split(' ')[0]!, []); continue; }
      const [op, chain, ...rest] = splitSaveLine(line);
      const rules = table.chains.get(chain!);
      if (!rules && op !== '-X') throw new Error(`iptables-restore: no chain ${chain}`);
      if (op === '-A') rules!.push(rest);
      else if (op === '-I') rules!.splice(Number(rest[0]) - 1, 0, rest.slice(1));
      else if (op === '-D') {
        const at = rules!.findIndex((rule) => same(rule, rest));
        if (at === -1) throw new Error(`iptables-restore: line failed: ${line}`);
        rules!.splice(at, 1);
      } else if (op === '-X') {
        if (rules?.length) throw new Error(`chain ${chain} not empty`);
        table.chains.delete(chain!);
      } else throw new Error(`unknown ${op}`);
    }
    this.tables = copy;
  }

  /** What someone else does: deletes a rule, as `iptables -t nat -D`. */
  deleteRule(table: 'nat' | 'filter', match: (chain: string, rule: Rule) => boolean): number {
    let removed = 0;
    for (const [chain, rules] of this.tables[table]!.chains) {
      for (let i = rules.length - 1; i >= 0; i--) if (match(chain, rules[i]!)) { rules.splice(i, 1); removed++; }
    }
    return removed;
  }

  rules(table: 'nat' | 'filter', chain: string): string[][] {
    return this.tables[table]!.chains.get(chain) ?? [];
  }
}

export class FakeLocalnet implements LocalnetControl {
  values = new Map<string, string>();
  enabled: string[] = [];
  async enable(bridge: string) {
    this.enabled.push(bridge);
    this.values.set(bridge, '1');
  }
  async restore(bridge: string) {
    this.values.set(bridge, '0');
  }
  async isEnabled(bridge: string) {
    return this.values.get(bridge) === '1';
  }
}
