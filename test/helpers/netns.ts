import { randomBytes } from 'node:crypto';
import { execa } from 'execa';

/**
 * A client host of the test's own: a network namespace joined to this host by a veth
 * pair on a /30 that nothing else uses. Traffic from it is remote traffic (PREROUTING).
 */
export interface Namespace {
  name: string;
  /** This host's address as the namespace sees it. */
  hostAddress: string;
  remove(): Promise<void>;
}

export async function createNamespace(options: { prefix?: string; network?: number; defaultRoute?: boolean } = {}): Promise<Namespace> {
  const { prefix = 'hte2e', network = 213, defaultRoute = false } = options;
  const id = randomBytes(3).toString('hex');
  const name = `${prefix}-${id}`;
  const subnet = `10.${network}.${Number.parseInt(id.slice(0, 2), 16)}`;
  const hostAddress = `${subnet}.1`;
  const [hostSide, clientSide] = [`hv${id}h`, `hv${id}c`];
  const ip = (...args: string[]) => execa('ip', args);
  await ip('netns', 'add', name);
  try {
    await ip('link', 'add', hostSide, 'type', 'veth', 'peer', 'name', clientSide);
    await ip('link', 'set', clientSide, 'netns', name);
    await ip('addr', 'add', `${hostAddress}/30`, 'dev', hostSide);
    await ip('link', 'set', hostSide, 'up');
    await ip('-n', name, 'addr', 'add', `${subnet}.2/30`, 'dev', clientSide);
    await ip('-n', name, 'link', 'set', clientSide, 'up');
    await ip('-n', name, 'link', 'set', 'lo', 'up');
    // Through this host, the client also reaches the containers' bridge addresses.
    if (defaultRoute) await ip('-n', name, 'route', 'add', 'default', 'via', hostAddress);
  } catch (error) {
    await ip('netns', 'del', name).catch(() => {});
    throw error;
  }
  return {
    name,
    hostAddress,
    // Deleting the namespace deletes the veth pair with it.
    remove: async () => { await ip('netns', 'del', name).catch(() => {}); },
  };
}
