import path from 'node:path';
import { UsageError } from '../errors.js';

/** `--user name|uid[:group|gid]`, as docker run. */
export function parseUser(spec: string): string {
  if (!/^[^\s:]+(?::[^\s:]+)?$/.test(spec)) {
    throw new UsageError(`--user "${spec}": use name|uid[:group|gid], e.g. --user 1000:1000 or --user www-data`);
  }
  return spec;
}

/** `--workdir`: an absolute path inside the container. */
export function parseWorkdir(spec: string): string {
  if (!path.posix.isAbsolute(spec)) throw new UsageError(`--workdir "${spec}": an absolute path in the container is needed, e.g. /app`);
  return spec;
}
