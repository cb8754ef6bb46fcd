import { execa } from 'execa';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { askRestoreVersion } from './iptables.js';

/**
 * Whether the kernel's ruleset may have changed, so that rules are compared only then
 * instead of spawning iptables-save every few seconds. Errs on "changed": once it cannot
 * watch, every take says so.
 */
export interface RulesetChanges {
  /** Whether a change was seen since the last `take`, without clearing it. */
  changed(): boolean;
  /** Whether a change was seen since the last `take`, and clears that. */
  take(): boolean;
  /** False once it fell back to "always changed" (no nft, legacy iptables, the monitor ended). */
  watching(): boolean;
  stop(): void;
}

export interface RulesetWatchOptions {
  /** The monitor's command and arguments: a seam for tests. */
  command?: string;
  args?: readonly string[];
  /** `iptables-restore --version`: a seam for tests. */
  iptablesVersion?: () => Promise<string>;
  /** Told once if the monitor ends by itself. */
  log?: Logger;
}

/** For tests and callers with nothing to watch: every take is a change (polling, as before). */
export const alwaysChanged: RulesetChanges = { changed: () => true, take: () => true, watching: () => false, stop() {} };

/**
 * One long-lived `nft monitor`: it prints a line for every change to any table, iptables-nft's
 * included, and nothing for packet counters. Any output means "changed".
 */
export function watchRuleset(options: RulesetWatchOptions = {}): RulesetChanges {
  const { command = 'nft', args = ['monitor'], iptablesVersion = askRestoreVersion, log } = options;
  // Starts "changed": whatever happened before the monitor subscribed is unseen.
  let changed = true;
  let watching = true;
  const stopping = new AbortController();
  const fallBack = () => {
    watching = false;
    changed = true;
    stopping.abort();
  };

  const monitor = execa(command, [...args], { stdin: 'ignore', buffer: { stdout: false }, cancelSignal: stopping.signal });
  // Never keeps the daemon alive; execa's cleanup ends it when the daemon exits.
  monitor.unref();
  for (const stream of [monitor.stdout, monitor.stderr]) (stream as { unref?: () => void } | null)?.unref?.();
  monitor.stdout?.on('data', () => {
    changed = true;
  });
  void monitor.then(() => undefined, (error: unknown) => error).then((error) => {
    const unexpected = watching;
    fallBack();
    // A missing nft is already said once (closing-timeouts); any other end is worth one line.
    if (unexpected && (error as { code?: unknown } | undefined)?.code !== 'ENOENT') {
      log?.warn(`watching the ruleset (${command} ${args.join(' ')}) ended: ${describeEnd(error)}; comparing the rules every few seconds instead`);
    }
  });

  // iptables-legacy changes are not nftables changes: the monitor would never see them.
  void iptablesVersion().then((version) => version.includes('nf_tables'), () => false).then((nftBackend) => {
    if (!nftBackend) fallBack();
  });

  return {
    changed: () => changed,
    take() {
      const was = changed;
      changed = !watching;
      return was;
    },
    watching: () => watching,
    stop: fallBack,
  };
}

/** nft's own complaint (say, "Operation not permitted") says more than execa's message. */
function describeEnd(error: unknown): string {
  if (error === undefined) return 'it exited';
  const stderr = (error as { stderr?: unknown }).stderr;
  return typeof stderr === 'string' && stderr.trim() !== '' ? stderr.trim().split('\n')[0]! : describeError(error);
}
