import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { ConntrackTimeoutMs } from '../defaults.js';

// `conntrack -D` lists the entries that match its filters, then deletes each by its
// original tuple (client address and port, published address and port), without the
// entry's id. A client that reuses a port in between gets a new entry under that same
// tuple, and the delete takes the new one: its packets then pass un-NATed and the
// connection hangs or is reset (bench/RESULTS.md, "Soak"). So only entries whose tuple no
// new connection can take are deleted: the kernel itself re-NATs a SYN that finds an entry
// in TIME_WAIT or CLOSE (it drops the entry and looks again), but lets a SYN that finds one
// in any other state through to the old address.
const STALE_STATES = ['SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT', 'CLOSE_WAIT', 'LAST_ACK'];

let available = true;

/** `conntrack ARGS` for the entries whose replies come from `ip`: its output, or undefined when there is no conntrack. */
async function conntrack(ip: string, ...args: string[]): Promise<string | undefined> {
  if (!available || ip === '') return undefined;
  // Exit code 1 means "no entry matched"; a missing conntrack binary turns this off.
  const result = await execa('conntrack', [...args, '--reply-src', ip], { reject: false, timeout: ConntrackTimeoutMs });
  if ((result as { code?: string }).code === 'ENOENT') available = false;
  return available ? result.stdout : undefined;
}

async function deleteEntries(protocol: 'tcp' | 'udp', ip: string, ...filters: string[]): Promise<void> {
  await conntrack(ip, '-D', '-p', protocol, ...filters);
}

/**
 * Forgets the connections to `ip` once the container there is gone, so that a client
 * still sending on one, or reusing its port, is NATed anew instead of reaching a dead
 * address. Entries in TIME_WAIT and CLOSE are left to the kernel (see above).
 */
export async function forgetConnections(ip: string): Promise<void> {
  for (const state of STALE_STATES) await deleteEntries('tcp', ip, '--state', state);
  await deleteEntries('udp', ip);
}

/** Forgets the UDP flows to `ip`: their next datagram is NATed anew, to the new version. */
export async function forgetUdpFlows(ip: string): Promise<void> {
  await deleteEntries('udp', ip);
}

/** The entries of ended TCP connections in a `conntrack -L` listing (state is the fourth field). */
export function countEnded(listing: string): number {
  return listing.split('\n').filter((line) => {
    const state = line.trim().split(/\s+/)[3];
    return state === 'TIME_WAIT' || state === 'CLOSE';
  }).length;
}

/**
 * Waits, at most `maxMs`, until no ended connection to `ip` is left in conntrack: dockerd
 * deletes the entries naming a container when it stops it, and a delete by tuple can take
 * a new connection's entry (closing-timeouts.ts). Returns how many are left.
 */
export async function waitEndedGone(ip: string, maxMs: number, signal: AbortSignal): Promise<number> {
  const deadline = performance.now() + maxMs;
  for (;;) {
    if (signal.aborted) return 0;
    const listing = await conntrack(ip, '-L', '-p', 'tcp');
    const left = listing === undefined ? 0 : countEnded(listing);
    if (left === 0 || performance.now() >= deadline) return left;
    await sleep(250, undefined, { signal }).catch(() => {});
  }
}
