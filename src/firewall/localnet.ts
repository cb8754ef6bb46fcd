import fs from 'node:fs/promises';

/**
 * Local clients reach the container in the kernel, without Docker's userland proxy:
 * DNAT on OUTPUT to a bridge address needs `route_localnet` on the bridge for
 * connections from 127.0.0.1. Returns the value to restore.
 */
export async function enableRouteLocalnet(bridge: string): Promise<string> {
  const file = sysctlPath(bridge);
  const previous = (await fs.readFile(file, 'utf8')).trim();
  if (previous !== '1') await fs.writeFile(file, '1');
  return previous;
}

export async function restoreRouteLocalnet(bridge: string, value: string): Promise<void> {
  await fs.writeFile(sysctlPath(bridge), value).catch(() => {});
}

function sysctlPath(bridge: string): string {
  if (!/^[\w.-]+$/.test(bridge)) throw new Error(`unexpected interface name ${bridge}`);
  return `/proc/sys/net/ipv4/conf/${bridge}/route_localnet`;
}
