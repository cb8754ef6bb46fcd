import { parseDuration } from '../duration.js';
import { UsageError } from '../errors.js';

/** The engine's Config.Healthcheck; durations in nanoseconds. Unset fields come from the image. */
export interface Healthcheck {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  Retries?: number;
}

/** docker run's --health-* flags, as given. */
export interface HealthFlags {
  cmd?: string | undefined;
  interval?: string | undefined;
  timeout?: string | undefined;
  startPeriod?: string | undefined;
  retries?: string | undefined;
  /** False with --no-healthcheck: the image's HEALTHCHECK is switched off. */
  enabled: boolean;
}

const nanoseconds = (text: string, flag: string): number => Math.round(parseDuration(text, flag) * 1e6);

/** The health check to set on the container, or undefined to keep the image's own. */
export function parseHealthcheck(flags: HealthFlags): Healthcheck | undefined {
  const given = flags.cmd !== undefined || flags.interval !== undefined || flags.timeout !== undefined || flags.startPeriod !== undefined || flags.retries !== undefined;
  if (!flags.enabled) {
    if (given) throw new UsageError('--no-healthcheck conflicts with the --health-* flags; drop one or the other');
    return { Test: ['NONE'] };
  }
  if (!given) return undefined;
  if (flags.cmd !== undefined && flags.cmd.trim() === '') throw new UsageError('--health-cmd: a command is needed, e.g. --health-cmd "wget -qO- http://127.0.0.1:8000/health"');
  const check: Healthcheck = {};
  if (flags.cmd !== undefined) check.Test = ['CMD-SHELL', flags.cmd];
  if (flags.interval !== undefined) check.Interval = atLeastOneMs(nanoseconds(flags.interval, '--health-interval'), '--health-interval', flags.interval);
  if (flags.timeout !== undefined) check.Timeout = atLeastOneMs(nanoseconds(flags.timeout, '--health-timeout'), '--health-timeout', flags.timeout);
  if (flags.startPeriod !== undefined) check.StartPeriod = nanoseconds(flags.startPeriod, '--health-start-period');
  if (flags.retries !== undefined) {
    if (!/^\d+$/.test(flags.retries.trim())) throw new UsageError(`--health-retries "${flags.retries}": a whole number of failures is needed, e.g. 3`);
    check.Retries = Number(flags.retries);
  }
  return check;
}

// The engine refuses a non-zero interval or timeout below 1ms.
function atLeastOneMs(ns: number, flag: string, text: string): number {
  if (ns < 1e6) throw new UsageError(`${flag} "${text}": at least 1ms is needed, e.g. 1s`);
  return ns;
}
