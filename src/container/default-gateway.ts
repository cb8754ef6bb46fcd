import fs from 'node:fs/promises';

/** The IPv4 default gateway in the network namespace of process `pid`, from /proc/<pid>/net/route. */
export async function defaultGateway(pid: number): Promise<string | undefined> {
  const table = await fs.readFile(`/proc/${pid}/net/route`, 'utf8').catch(() => '');
  return parseDefaultGateway(table);
}

/** The gateway of the default route (destination 0.0.0.0/0) in a /proc/net/route table. */
export function parseDefaultGateway(table: string): string | undefined {
  for (const line of table.split('\n').slice(1)) {
    const [, destination, gateway, , , , , mask] = line.trim().split(/\s+/);
    if (destination === '00000000' && mask === '00000000' && gateway && /^[0-9A-F]{8}$/i.test(gateway)) {
      // Little-endian hex, as the kernel prints it.
      return [6, 4, 2, 0].map((at) => Number.parseInt(gateway.slice(at, at + 2), 16)).join('.');
    }
  }
  return undefined;
}
