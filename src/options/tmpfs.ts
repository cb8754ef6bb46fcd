import path from 'node:path';
import { UsageError } from '../errors.js';

/** `--tmpfs /path[:options]` as the engine's HostConfig.Tmpfs: path -> mount options. */
export function parseTmpfs(specs: readonly string[]): Record<string, string> {
  const tmpfs: Record<string, string> = {};
  for (const spec of specs) {
    const colon = spec.indexOf(':');
    const target = colon === -1 ? spec : spec.slice(0, colon);
    const options = colon === -1 ? '' : spec.slice(colon + 1);
    if (!path.posix.isAbsolute(target)) throw invalid(spec, `"${target}" is not an absolute path`);
    if (target in tmpfs) throw invalid(spec, `${target} is given twice`);
    for (const option of options === '' ? [] : options.split(',')) {
      if (!/^[a-z_]+(=[^=,\s]+)?$/.test(option)) throw invalid(spec, `"${option}" is not a mount option`);
    }
    tmpfs[target] = options;
  }
  return tmpfs;
}

function invalid(spec: string, why: string): UsageError {
  return new UsageError(`--tmpfs ${spec}: ${why}; use /path[:options], e.g. --tmpfs /run:size=64m,mode=1777`);
}
