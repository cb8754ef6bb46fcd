import { execa } from 'execa';

// States of a connection that has ended. A new connection whose addresses and ports
// repeat such an entry's (a client reusing a port: tcp_tw_reuse, a busy NAT) revives the
// entry and with it the old DNAT target: the retiring container.
const ENDED_STATES = ['TIME_WAIT', 'CLOSE', 'LAST_ACK', 'CLOSE_WAIT'];

let available = true;

async function deleteEntries(ip: string, ...filters: string[]): Promise<void> {
  if (!available || ip === '') return;
  // Exit code 1 means "no entry matched"; a missing conntrack binary turns this off.
  const result = await execa('conntrack', ['-D', '-p', 'tcp', '--reply-src', ip, ...filters], { reject: false, timeout: 5000 });
  if ((result as { code?: string }).code === 'ENOENT') available = false;
}

/** Forgets the ended connections to `ip` (a retiring container), so none can be revived. */
export async function forgetEndedConnections(ip: string): Promise<void> {
  for (const state of ENDED_STATES) await deleteEntries(ip, '--state', state);
}

/** Forgets every connection to `ip`, once the container there is gone. */
export async function forgetConnections(ip: string): Promise<void> {
  await deleteEntries(ip);
}
