import { UsageError } from '../errors.js';

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/**
 * A size in bytes as docker reads `--memory` and `tmpfs-size` (go-units RAMInBytes):
 * a number with an optional binary unit, `64m`, `1.5g`, `512kb`, `1GiB`. Undefined when
 * it is not one.
 */
export function sizeInBytes(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?) ?([kmgtp]?)(?:i?b)?$/i.exec(text.trim());
  if (!match) return undefined;
  return Math.floor(Number(match[1]) * UNITS[match[2]!.toLowerCase()]!);
}

/** As sizeInBytes, for a flag: a one-line UsageError naming it when the size is not one. */
export function parseSize(text: string, flag: string): number {
  const bytes = sizeInBytes(text);
  if (bytes === undefined || bytes <= 0) {
    throw new UsageError(`${flag} "${text}": not a size; use bytes or a number with k, m, g, t or p, e.g. 512m or 2g`);
  }
  return bytes;
}
