import { isIPv4 } from 'node:net';
import { UsageError } from '../errors.js';

export type Protocol = 'tcp' | 'udp';

/** One host port whose traffic hanoverd switches to the live container's port. */
export interface PortBinding {
  /** Host address to match, or undefined for every local address. */
  hostIp: string | undefined;
  hostPort: number;
  containerPort: number;
  protocol: Protocol;
}

function parsePortRange(text: string, spec: string): [number, number] {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!match) throw invalid(spec, `"${text}" is not a port or port range`);
  const first = Number(match[1]);
  const last = match[2] === undefined ? first : Number(match[2]);
  for (const port of [first, last]) {
    if (port < 1 || port > 65535) throw invalid(spec, `port ${port} is outside 1-65535`);
  }
  if (last < first) throw invalid(spec, `range ${text} runs backwards`);
  return [first, last];
}

function invalid(spec: string, why: string): UsageError {
  return new UsageError(
    `--publish ${spec}: ${why}; use [ip:]hostPort:containerPort[/tcp|/udp], e.g. -p 8080:80`,
  );
}

/**
 * Parses a `docker run -p` spec. Unlike docker, a lone `containerPort` is published on
 * the same host port: a handover needs a host port that stays put.
 */
export function parsePublish(spec: string): PortBinding[] {
  let body = spec;
  let protocol: Protocol = 'tcp';
  const slash = spec.lastIndexOf('/');
  if (slash !== -1) {
    const proto = spec.slice(slash + 1).toLowerCase();
    if (proto !== 'tcp' && proto !== 'udp') throw invalid(spec, `protocol "${proto}" is not tcp or udp`);
    protocol = proto;
    body = spec.slice(0, slash);
  }
  if (body.startsWith('[')) throw invalid(spec, 'IPv6 host addresses are not supported yet');
  const parts = body.split(':');
  let hostIp: string | undefined;
  let hostText: string;
  let containerText: string;
  if (parts.length === 1) {
    hostText = containerText = parts[0]!;
  } else if (parts.length === 2) {
    [hostText, containerText] = parts as [string, string];
  } else if (parts.length === 3) {
    const [ip, host, container] = parts as [string, string, string];
    if (!isIPv4(ip)) throw invalid(spec, `"${ip}" is not an IPv4 address`);
    hostIp = ip === '0.0.0.0' ? undefined : ip;
    hostText = host;
    containerText = container;
  } else {
    throw invalid(spec, 'too many ":"');
  }
  if (hostText === '') throw invalid(spec, 'hanoverd needs a fixed host port');
  const [hostFirst, hostLast] = parsePortRange(hostText, spec);
  const [containerFirst, containerLast] = parsePortRange(containerText, spec);
  if (hostLast - hostFirst !== containerLast - containerFirst) {
    throw invalid(spec, 'host and container ranges differ in length');
  }
  const bindings: PortBinding[] = [];
  for (let i = 0; i <= hostLast - hostFirst; i++) {
    bindings.push({ hostIp, hostPort: hostFirst + i, containerPort: containerFirst + i, protocol });
  }
  return bindings;
}

export function parsePublishList(specs: readonly string[]): PortBinding[] {
  const bindings = specs.flatMap(parsePublish);
  bindings.forEach((binding, index) => {
    const clash = bindings.slice(0, index).find((other) =>
      other.hostPort === binding.hostPort &&
      other.protocol === binding.protocol &&
      (other.hostIp === undefined || binding.hostIp === undefined || other.hostIp === binding.hostIp));
    if (clash) {
      throw new UsageError(`--publish: host port ${binding.hostPort}/${binding.protocol} is given twice; publish each host port once`);
    }
  });
  return bindings;
}

export function formatBinding(binding: PortBinding): string {
  return `${binding.hostIp ? `${binding.hostIp}:` : ''}${binding.hostPort}->${binding.containerPort}/${binding.protocol}`;
}
