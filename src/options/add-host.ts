import { isIP } from 'node:net';
import { UsageError } from '../errors.js';
import { isHostname } from './hostname.js';

/** `--add-host host:ip` (or `host=ip`), an /etc/hosts line; `host-gateway` means the host. */
export function parseAddHost(spec: string): string {
  const separator = spec.search(/[:=]/);
  const host = separator === -1 ? '' : spec.slice(0, separator);
  const ip = separator === -1 ? '' : spec.slice(separator + 1).replace(/^\[(.*)\]$/, '$1');
  if (!isHostname(host) || (isIP(ip) === 0 && ip !== 'host-gateway')) {
    throw new UsageError(`--add-host "${spec}": use host:ip, e.g. --add-host db:10.0.0.5 or --add-host host.docker.internal:host-gateway`);
  }
  return `${host}:${ip}`;
}
