import { UsageError } from '../errors.js';

const LABEL = '[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?';
const HOSTNAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);

/** Whether `name` is an RFC 1123 host name (also what a network alias must be). */
export function isHostname(name: string): boolean {
  return name.length <= 253 && HOSTNAME.test(name);
}

/** `--hostname`: the container's host name instead of `<app>-<n>`. */
export function parseHostname(spec: string): string {
  if (!isHostname(spec)) throw new UsageError(`--hostname "${spec}": not a host name; use letters, digits, "-" and ".", e.g. web-1`);
  return spec;
}
