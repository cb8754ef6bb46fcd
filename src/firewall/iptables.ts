import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { IptablesAttempts, IptablesTimeoutMs, WarmRestorePriority } from '../defaults.js';
import { HanoverdError } from '../errors.js';

/** What the traffic switch needs of the kernel's tables: a seam, so faults can be injected in tests. */
export interface NatBackend {
  /** `iptables-save -t table`, with packet counters (`-c`) when asked. */
  save(table: 'nat' | 'filter', counters?: boolean): Promise<string>;
  /** Applies an `iptables-restore --noflush` script as one transaction, or throws. */
  restore(script: string): Promise<void>;
  /** Gets the next `restore` ready ahead of time (while a new version warms up), where that is safe. */
  prewarm?(): void;
}

/** `iptables-restore --version`, asked once: the start-up check, the warm restore and the ruleset watch need it. */
let restoreVersion: Promise<string> | undefined;
export const askRestoreVersion = () => (restoreVersion ??= execa('iptables-restore', ['--version'], { timeout: IptablesTimeoutMs }).then((result) => result.stdout));

/** An iptables-restore waiting for its script; `cancelSignal` ends it (its timeout starts with the script). */
const spawnRestore = (cancelSignal: AbortSignal) => execa('iptables-restore', ['--noflush', '--wait', '5'], { stdin: 'pipe', cancelSignal });

type Restore = ReturnType<typeof spawnRestore>;

/**
 * Starting iptables-restore costs 20–70 ms on a busy machine (bench/RESULTS.md), most of a
 * switch. So one is started ahead, waiting on its input, and the switch only writes the
 * script. With the nf_tables backend that is safe: it reads the kernel's rules once it has
 * its input and commits the whole script as one batch. The legacy backend would hold the
 * xtables lock while it waits, so it gets none. The waiting process keeps nothing alive:
 * if hanoverd exits first, its input ends and it commits nothing.
 */
class WarmRestore {
  #next: Promise<{ restore: Restore; abort: AbortController } | undefined> | undefined;

  prewarm(): void {
    this.#next ??= this.#start();
  }

  async #start() {
    if (!(await askRestoreVersion().catch(() => '')).includes('nf_tables')) return undefined;
    const abort = new AbortController();
    const restore = spawnRestore(abort.signal);
    restore.catch(() => {});
    // Its few milliseconds of work are the switch: on a machine busy with the app's load it
    // would otherwise wait for a CPU (bench: median 12 → 2 ms with 8 busy processes on 2 cores).
    // Root only; otherwise it runs at the daemon's priority, as before.
    if (restore.pid !== undefined) {
      try {
        os.setPriority(restore.pid, WarmRestorePriority);
      } catch {
        // not permitted: fine
      }
    }
    restore.unref();
    for (const stream of [restore.stdin, restore.stdout, restore.stderr]) (stream as { unref?: () => void } | null)?.unref?.();
    return { restore, abort };
  }

  /** The waiting process, if there is one (taken: the next restore starts its own). */
  async take(): Promise<{ restore: Restore; abort: AbortController } | undefined> {
    const next = this.#next;
    this.#next = undefined;
    const taken = await next;
    return taken && taken.restore.exitCode === null ? taken : undefined;
  }
}

const warm = new WarmRestore();

async function restoreOnce(script: string, first: boolean): Promise<void> {
  const ready = first ? await warm.take() : undefined;
  if (!ready) {
    await execa('iptables-restore', ['--noflush', '--wait', '5'], { input: script, timeout: IptablesTimeoutMs });
    return;
  }
  const timer = setTimeout(() => ready.abort.abort(new Error(`iptables-restore took over ${IptablesTimeoutMs} ms`)), IptablesTimeoutMs);
  try {
    ready.restore.stdin.end(script);
    await ready.restore;
  } finally {
    clearTimeout(timer);
  }
}

/** Fails with a clear message when iptables cannot be run here, before anything starts. */
export async function checkIptables(): Promise<void> {
  try {
    await execa('iptables-save', ['-t', 'nat'], { timeout: IptablesTimeoutMs });
    await askRestoreVersion();
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') {
      throw new HanoverdError('cannot run iptables (needed to switch traffic): iptables-save and iptables-restore are not on PATH; install iptables', { cause: error });
    }
    if (process.getuid?.() !== 0) {
      throw new HanoverdError('cannot run iptables as this user (needed to switch traffic); run hanoverd as root, or put iptables-save and iptables-restore with cap_net_admin,cap_net_raw+ep first on PATH (see README, Running as a user)', { cause: error });
    }
    throw new HanoverdError('cannot run iptables (needed to switch traffic); install iptables and run hanoverd as root or with CAP_NET_ADMIN', { cause: error });
  }
}

export const iptablesBackend: NatBackend = {
  async save(table, counters = false) {
    return (await execa('iptables-save', ['-t', table, ...(counters ? ['-c'] : [])], { timeout: IptablesTimeoutMs })).stdout;
  },
  /**
   * Tried again a few times: another program (dockerd starting up, a firewall reload) may
   * be changing the same table at that moment.
   */
  async restore(script) {
    for (let attempt = 1; ; attempt++) {
      try {
        await restoreOnce(script, attempt === 1);
        return;
      } catch (error) {
        if (attempt >= IptablesAttempts) throw new HanoverdError('changing iptables rules failed', { cause: error });
        await sleep(100 * attempt);
      }
    }
  },
  prewarm() {
    warm.prewarm();
  },
};
