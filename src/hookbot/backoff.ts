/**
 * How long to wait before reconnecting after `failures` failures in a row (1 for the
 * first): `minMs` doubling with each, capped at `maxMs`, then spread between half and
 * all of that, so that many daemons cut off by one hookbot restart do not all come back
 * at the same instant.
 */
export function retryDelay(failures: number, minMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(Math.max(failures, 1) - 1, 30));
  return ceiling / 2 + (random() * ceiling) / 2;
}
