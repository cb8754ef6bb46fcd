import { UsageError } from '../errors.js';

/** A TCP port number given to `flag`. */
export function parsePort(spec: string, flag: string): number {
  const port = /^\d+$/.test(spec.trim()) ? Number(spec) : Number.NaN;
  if (!(port >= 1 && port <= 65535)) throw new UsageError(`${flag} "${spec}": not a port; give a number from 1 to 65535, e.g. 8000`);
  return port;
}
