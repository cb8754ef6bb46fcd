import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { IptablesAttempts, IptablesTimeoutMs } from '../defaults.js';
import { HanoverdError } from '../errors.js';

/** What the traffic switch needs of the kernel's tables: a seam, so faults can be injected in tests. */
export interface NatBackend {
  /** `iptables-save -t table`, with packet counters (`-c`) when asked. */
  save(table: 'nat' | 'filter', counters?: boolean): Promise<string>;
  /** Applies an `iptables-restore --noflush` script as one transaction, or throws. */
  restore(script: string): Promise<void>;
}

/** Fails with a clear message when iptables cannot be run here, before anything starts. */
export async function checkIptables(): Promise<void> {
  try {
    await execa('iptables-save', ['-t', 'nat'], { timeout: IptablesTimeoutMs });
    await execa('iptables-restore', ['--version'], { timeout: IptablesTimeoutMs });
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
        await execa('iptables-restore', ['--noflush', '--wait', '5'], { input: script, timeout: IptablesTimeoutMs });
        return;
      } catch (error) {
        if (attempt >= IptablesAttempts) throw new HanoverdError('changing iptables rules failed', { cause: error });
        await sleep(100 * attempt);
      }
    }
  },
};
