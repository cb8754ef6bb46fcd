import fs from 'node:fs/promises';

// Kernel TCP states (include/net/tcp_states.h), as /proc/net/tcp prints them.
const ESTABLISHED = '01';
const SYN_RECV = '03';
const FIN_WAIT1 = '04';
const CLOSE_WAIT = '08';
const LAST_ACK = '09';
const LISTEN = '0A';
const CLOSING = '0B';

/**
 * States in which a client is still being served: a connection being set up or open
 * (connections waiting in the accept queue are ESTABLISHED too), and one whose client has
 * half-closed while the app may still be writing its answer.
 */
const SERVING_STATES = new Set([ESTABLISHED, SYN_RECV, CLOSE_WAIT]);
/** Closed by the app, but served only once the data still queued for the client has left. */
const FLUSHING_STATES = new Set([FIN_WAIT1, LAST_ACK, CLOSING]);

export interface DrainView {
  /** Connections on the ports still being served. */
  serving: number;
  /** Connections waiting in the listeners' accept queues (rx_queue of a LISTEN line). */
  acceptQueue: number;
}

/** Reads a `/proc/net/tcp` or `/proc/net/tcp6` table for the connections to `ports` still being served. */
export function drainView(table: string, ports: ReadonlySet<number>): DrainView {
  const view: DrainView = { serving: 0, acceptQueue: 0 };
  for (const line of table.split('\n').slice(1)) {
    const [, local, , state, queues] = line.trim().split(/\s+/);
    if (local === undefined || state === undefined || queues === undefined) continue;
    if (!ports.has(Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16))) continue;
    const [tx = 0, rx = 0] = queues.split(':').map((hex) => Number.parseInt(hex, 16));
    if (state === LISTEN) view.acceptQueue += rx;
    else if (SERVING_STATES.has(state) || (FLUSHING_STATES.has(state) && tx > 0)) view.serving++;
  }
  return view;
}

/** Connections to `ports` in a `/proc/net/tcp` or `/proc/net/tcp6` table that are still being served. */
export function countServing(table: string, ports: ReadonlySet<number>): number {
  return drainView(table, ports).serving;
}

/** Connections not yet drained: the ones served, or, if more, the ones queued for accept. */
export function openConnections(view: DrainView): number {
  return Math.max(view.serving, view.acceptQueue);
}

/**
 * Connections being served on `ports` inside the network namespace of process `pid`
 * (a container's first process), read from the host without entering the namespace.
 * Undefined when the process is gone.
 */
export async function servingConnections(pid: number, ports: ReadonlySet<number>): Promise<number | undefined> {
  const total: DrainView = { serving: 0, acceptQueue: 0 };
  for (const table of ['tcp', 'tcp6']) {
    try {
      const view = drainView(await fs.readFile(`/proc/${pid}/net/${table}`, 'utf8'), ports);
      total.serving += view.serving;
      total.acceptQueue += view.acceptQueue;
    } catch {
      if (table === 'tcp') return undefined;
    }
  }
  return openConnections(total);
}
