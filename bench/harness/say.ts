/** The benchmark's progress lines, stamped like hanoverd's own. */
export const say = (message: string) => process.stderr.write(`${new Date().toISOString().slice(11, 23)} bench: ${message}\n`);

/** Milliseconds since the epoch, sub-millisecond: one clock for triggers, probes and log stamps. */
export const now = () => performance.timeOrigin + performance.now();
