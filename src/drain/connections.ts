import fs from 'node:fs/promises';

// Kernel TCP states (include/net/tcp_states.h) in which a client is still being served.
const SERVING_STATES = new Set(['01', '03']); // ESTABLISHED, SYN_RECV

/**
 * Counts connections to `ports` in a `/proc/net/tcp` or `/proc/net/tcp6` table that
 * are still being served.
 */
export function countServing(table: string, ports: ReadonlySet<number>): number {
  let count = 0;
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const local = fields[1];
    const state = fields[3];
    if (local === undefined || state === undefined) continue;
    const port = Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16);
    if (ports.has(port) && SERVING_STATES.has(state)) count++;
  }
  return count;
}

/**
 * Connections being served on `ports` inside the network namespace of process `pid`
 * (a container's first process), read from the host without entering the namespace.
 * Undefined when the process is gone.
 */
export async function servingConnections(pid: number, ports: ReadonlySet<number>): Promise<number | undefined> {
  let total = 0;
  for (const table of ['tcp', 'tcp6']) {
    try {
      total += countServing(await fs.readFile(`/proc/${pid}/net/${table}`, 'utf8'), ports);
    } catch {
      if (table === 'tcp') return undefined;
    }
  }
  return total;
}
