import { UsageError } from '../errors.js';
import { parseSize } from './size.js';

/** The engine refuses less (docker's "Minimum memory limit allowed is 6MB"). */
const MIN_MEMORY = 6 * 1024 * 1024;

/** `--memory` in bytes: docker's sizes, e.g. 512m, 2g. */
export function parseMemory(spec: string): number {
  const bytes = parseSize(spec, '--memory');
  if (bytes < MIN_MEMORY) throw new UsageError(`--memory "${spec}": below the engine's minimum of 6m; give at least 6m`);
  return bytes;
}

/** `--cpus` as the engine's NanoCpus: `1.5` is 1.5 CPUs. */
export function parseCpus(spec: string): number {
  const cpus = /^\d+(\.\d+)?$|^\.\d+$/.test(spec.trim()) ? Number(spec) : Number.NaN;
  const nano = Math.round(cpus * 1e9);
  if (!Number.isFinite(cpus) || nano <= 0) throw new UsageError(`--cpus "${spec}": a positive number of CPUs is needed, e.g. 0.5 or 2`);
  return nano;
}
