import { setTimeout as sleep } from 'node:timers/promises';
import { PollBackoffMaxMs, PollJitter } from '../defaults.js';
import { formatDuration } from '../duration.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ImageRef } from '../options/image-ref.js';
import { registryDigest } from './registry-digest.js';

export interface PollOptions {
  ref: ImageRef;
  intervalMs: number;
  /** The digest the live version runs. Unknown: the registry's first answer is taken as it. */
  initialDigest: string | undefined;
  /** Called once per new digest, awaited before the next check; its errors are logged. */
  onChange: (digest: string) => void | Promise<void>;
  log: Logger;
  signal: AbortSignal;
  /** After registry errors the wait doubles up to this (never below the interval). */
  maxBackoffMs?: number;
  /** Each backoff wait varies by ± this share, so daemons polling one registry spread out. */
  jitter?: number;
}

export interface RegistryPoll {
  /** Tells the poll that a deploy (from another trigger) now runs `digest`. */
  setKnown(digest: string): void;
  /** Settles once the signal aborted and the poll stopped. Never rejects. */
  stopped: Promise<void>;
}

const short = (digest: string) => digest.slice(0, 19);

/** "5m", "30s", "1.50s": as a person would write the interval. */
function every(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000 && ms % 1000 === 0) return `${ms / 1000}s`;
  return formatDuration(ms);
}

export function backoffMs(intervalMs: number, failures: number, maxMs: number, jitter: number, random: () => number = Math.random): number {
  const base = Math.min(Math.max(maxMs, intervalMs), intervalMs * 2 ** Math.min(failures, 30));
  return Math.round(base * (1 + jitter * (2 * random() - 1)));
}

/**
 * Asks the registry for the tag's digest every `intervalMs` (a HEAD on the manifest, with
 * the credentials pulls use) and calls `onChange` when it moves. Registry errors back off
 * exponentially with jitter and log one line per streak; each change logs one line.
 */
export function pollRegistry(options: PollOptions): RegistryPoll {
  const { ref, intervalMs, log, signal } = options;
  const maxMs = options.maxBackoffMs ?? PollBackoffMaxMs;
  const jitter = options.jitter ?? PollJitter;
  let known = options.initialDigest;
  const loop = async () => {
    let failures = 0;
    let missing = false;
    let wait = intervalMs;
    for (;;) {
      try {
        await sleep(wait, undefined, { signal });
      } catch {
        return;
      }
      let digest: string | undefined;
      try {
        digest = await registryDigest(ref, signal);
      } catch (error) {
        if (signal.aborted) return;
        failures++;
        wait = backoffMs(intervalMs, failures, maxMs, jitter);
        if (failures === 1) log.warn(`poll: cannot check ${ref.name} in its registry (${describeError(error)}); backing off, up to ${every(Math.max(maxMs, intervalMs))} between tries`);
        continue;
      }
      if (failures > 0) log.info(`poll: the registry answers again for ${ref.name} after ${failures} failed ${failures === 1 ? 'check' : 'checks'}`);
      failures = 0;
      wait = intervalMs;
      if (digest === undefined) {
        if (!missing) log.warn(`poll: ${ref.name} is not in its registry; checking again every ${every(intervalMs)}`);
        missing = true;
        continue;
      }
      missing = false;
      if (known === undefined) known = digest;
      if (digest === known) continue;
      log.info(`poll: ${ref.name} is now ${short(digest)} (was ${short(known)}); deploying it`);
      known = digest;
      try {
        await options.onChange(digest);
      } catch (error) {
        log.warn(`poll: deploying ${ref.name} ${short(digest)} failed to start: ${describeError(error)}`);
      }
    }
  };
  return {
    setKnown: (digest) => { known = digest; },
    stopped: loop(),
  };
}
