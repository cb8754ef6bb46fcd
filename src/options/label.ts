import { UsageError } from '../errors.js';

/** Parses `--label key=value` (or `key`, an empty value), refusing the keys hanoverd sets itself. */
export function parseLabels(specs: readonly string[], reserved: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const key = (eq === -1 ? spec : spec.slice(0, eq)).trim();
    if (key === '' || /\s/.test(key)) throw new UsageError(`--label "${spec}": a key is needed; use --label key=value`);
    if (reserved.includes(key)) throw new UsageError(`--label ${spec}: ${key} is set by hanoverd itself; choose another key`);
    labels[key] = eq === -1 ? '' : spec.slice(eq + 1);
  }
  return labels;
}
