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

async function deleteEntries(protocol: 'tcp' | 'udp', ip: string, ...filters: string[]): Promise<void> {
  if (!available || ip === '') return;
  // Exit code 1 means "no entry matched"; a missing conntrack binary turns this off.
  const result = await execa('conntrack', ['-D', '-p', protocol, '--reply-src', ip, ...filters], { reject: false, timeout: ConntrackTimeoutMs });
  if ((result as { code?: string }).code === 'ENOENT') available = false;
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
