import { execa } from 'execa';
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
  return (await execa('iptables-save', ['-t', 'nat'])).stdout;
}

/** Inserts `add` and deletes `remove` in one atomic transaction. */
export async function applyRules(add: readonly Rule[], remove: readonly Rule[]): Promise<void> {
  if (add.length === 0 && remove.length === 0) return;
  try {
    await execa('iptables-restore', ['--noflush', '--wait'], { input: restoreScript(add, remove) });
  } catch (error) {
    throw new HanoverdError('changing iptables nat rules failed', { cause: error });
  }
}
