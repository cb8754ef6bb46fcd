import { UsageError } from '../errors.js';

/**
 * Resolves `-e` specs as docker does: `K=V` sets, a bare `K` passes the daemon's own
 * value through (and is left out when the daemon has none).
 */
export function resolveEnv(specs: readonly string[], environment: NodeJS.ProcessEnv): string[] {
  const result: string[] = [];
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const name = eq === -1 ? spec : spec.slice(0, eq);
    if (!/^[^=\s]+$/.test(name)) {
      throw new UsageError(`--env "${spec}": a variable name is needed; use -e NAME=value or -e NAME`);
    }
    if (eq !== -1) result.push(spec);
    else if (environment[name] !== undefined) result.push(`${name}=${environment[name]}`);
  }
  return result;
}
