import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { IptablesAttempts, IptablesTimeoutMs } from '../defaults.js';
import { HanoverdError } from '../errors.js';
import { restoreScript, type Rule } from './rules.js';

/** Fails with a clear message when iptables cannot be run here, before anything starts. */
export async function checkIptables(): Promise<void> {
  try {
    await execa('iptables-save', ['-t', 'nat']);
    await execa('iptables-restore', ['--version']);
  } catch (error) {
    throw new HanoverdError('cannot run iptables (needed to switch traffic); install iptables and run hanoverd as root or with CAP_NET_ADMIN', { cause: error });
  }
}

export async function saveNat(): Promise<string> {
  return (await execa('iptables-save', ['-t', 'nat'], { timeout: IptablesTimeoutMs })).stdout;
}

/**
 * Inserts `add` and deletes `remove` in one atomic transaction. Tried again a few times:
 * another program (dockerd starting up) may be changing the same table at that moment.
 */
export async function applyRules(add: readonly Rule[], remove: readonly Rule[]): Promise<void> {
  if (add.length === 0 && remove.length === 0) return;
  for (let attempt = 1; ; attempt++) {
    try {
      await execa('iptables-restore', ['--noflush', '--wait', '5'], { input: restoreScript(add, remove), timeout: IptablesTimeoutMs });
      return;
    } catch (error) {
      if (attempt >= IptablesAttempts) throw new HanoverdError('changing iptables nat rules failed', { cause: error });
      await sleep(100 * attempt);
    }
  }
}
