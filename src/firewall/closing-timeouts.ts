import { execa } from 'execa';
import { ClosingTimeoutSeconds, IptablesTimeoutMs } from '../defaults.js';
import type { PortBinding } from '../options/publish.js';
import { appChains } from './rules.js';

/**
 * Short conntrack timeouts for the app's ended TCP connections (TIME_WAIT and CLOSE, 120 s
 * and 10 s by default), so that a retiring version has no conntrack entry left when it is
 * stopped. dockerd deletes every entry naming a container's address when it stops it, by
 * tuple: a client that reuses its port for a new connection to the live version in that
 * moment loses the new connection's entry (bench/RESULTS.md, "Soak", cause 2). With these
 * timeouts the old entries expire by themselves before the stop, and dockerd finds nothing.
 *
 * An nftables table of the app's own, beside iptables: conntrack timeout policies are
 * nftables objects (iptables' CT --timeout would need nfct). Only new connections get
 * them, so the table is made before the first switch.
 */
export interface ClosingTimeouts {
  /** Makes or remakes the table; false when it could not (nft missing): the old entries then expire on the kernel's defaults. */
  ensure(): Promise<boolean>;
  /** Whether the table is in place (someone may have flushed the ruleset). */
  present(): Promise<boolean>;
  remove(): Promise<void>;
}

export const closingTable = (app: string) => appChains(app).dnat.toLowerCase();

/** The table for these bindings, as one nft script that replaces any earlier one atomically. */
export function closingScript(app: string, bindings: readonly PortBinding[]): string | undefined {
  const tcp = bindings.filter((binding) => binding.protocol === 'tcp');
  if (tcp.length === 0) return undefined;
  const table = closingTable(app);
  // Before DNAT (priority -100), so the destination port is still the published one.
  const match = tcp.map((binding) => `${binding.hostIp ? `ip daddr ${binding.hostIp} ` : ''}tcp dport ${binding.hostPort} fib daddr type local ct timeout set "closing"`);
  const chain = (hook: string) => [
    `  chain ${hook} {`,
    `    type filter hook ${hook} priority -150; policy accept;`,
    ...match.map((rule) => `    ${rule}`),
    '  }',
  ];
  return [
    `table ip ${table}`,
    `delete table ip ${table}`,
    `table ip ${table} {`,
    '  ct timeout closing {',
    '    protocol tcp; l3proto ip;',
    `    policy = { time_wait: ${ClosingTimeoutSeconds}, close: ${ClosingTimeoutSeconds} }`,
    '  }',
    ...chain('prerouting'),
    ...chain('output'),
    '}',
    '',
  ].join('\n');
}

export function nftClosingTimeouts(app: string, bindings: readonly PortBinding[]): ClosingTimeouts {
  const table = closingTable(app);
  const script = closingScript(app, bindings);
  const nft = (args: string[], input?: string) => execa('nft', args, { timeout: IptablesTimeoutMs, reject: false, ...(input === undefined ? {} : { input }) });
  return {
    async ensure() {
      if (script === undefined) return true;
      const result = await nft(['-f', '-'], script);
      return result.exitCode === 0;
    },
    async present() {
      if (script === undefined) return true;
      return (await nft(['list', 'table', 'ip', table])).exitCode === 0;
    },
    async remove() {
      if (script === undefined) return;
      await nft(['delete', 'table', 'ip', table]);
    },
  };
}
