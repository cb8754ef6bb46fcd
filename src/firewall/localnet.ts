import fs from 'node:fs/promises';
import path from 'node:path';
import { HanoverdError } from '../errors.js';
import { runtimeDir } from '../state/runtime-dir.js';
import type { Rule } from './rules.js';

/**
 * Local clients reach the container in the kernel, without Docker's userland proxy: DNAT
 * on OUTPUT to a bridge address needs `route_localnet` on the bridge for connections from
 * 127.0.0.1. The value it had before is kept in a host-wide file written before the change,
 * so a crash at any moment, or another app on the same bridge, never loses it.
 */
export interface LocalnetControl {
  enable(bridge: string): Promise<void>;
  /** Puts back the value from before the first hanoverd enabled it. */
  restore(bridge: string): Promise<void>;
  /** Whether it is on now: a sysctl reset makes no ruleset event, so this is read on every check tick. */
  isEnabled?(bridge: string): Promise<boolean>;
}

export const GuardComment = 'hanoverd:localnet-guard';

/**
 * With route_localnet on, anything on the bridge could send packets to 127.0.0.0/8 and
 * reach host services bound to loopback (CVE-2020-8558). As kube-proxy does, drop those
 * that hanoverd's own DNAT did not produce.
 */
export function guardRule(bridge: string): Rule {
  return ['INPUT', '-d', '127.0.0.0/8', '-i', bridge, '-m', 'conntrack', '!', '--ctstate', 'RELATED,ESTABLISHED,DNAT', '-m', 'comment', '--comment', GuardComment, '-j', 'DROP'];
}

function sysctlPath(bridge: string): string {
  if (!/^[\w.-]+$/.test(bridge)) throw new Error(`unexpected interface name ${bridge}`);
  return `/proc/sys/net/ipv4/conf/${bridge}/route_localnet`;
}

const originalFile = (bridge: string) => path.join(runtimeDir(), 'route_localnet', bridge);

function localnetAdvice(bridge: string): string {
  return `cannot turn on route_localnet for ${bridge} (clients on 127.0.0.1 need it); run hanoverd as root, or set it once as root: sysctl -w net.ipv4.conf.${bridge}.route_localnet=1`;
}

/**
 * Without root, route_localnet cannot be changed: it must be on already. Says so before
 * anything starts rather than at the first switch.
 */
export async function checkLocalnetAccess(bridge: string): Promise<void> {
  if (process.getuid?.() === 0) return;
  const file = sysctlPath(bridge);
  const value = (await fs.readFile(file, 'utf8').catch(() => '1')).trim();
  if (value === '1') return;
  if (await fs.access(file, fs.constants.W_OK).then(() => true, () => false)) return;
  throw new HanoverdError(localnetAdvice(bridge));
}

export const kernelLocalnet: LocalnetControl = {
  async enable(bridge) {
    const file = sysctlPath(bridge);
    const current = (await fs.readFile(file, 'utf8')).trim();
    if (current === '1') return;
    await fs.mkdir(path.dirname(originalFile(bridge)), { recursive: true, mode: 0o700 });
    // 'wx': the first hanoverd to change this bridge records the original; nobody overwrites it.
    await fs.writeFile(originalFile(bridge), current, { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    await fs.writeFile(file, '1').catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EACCES' && error.code !== 'EPERM') throw error;
      throw new HanoverdError(localnetAdvice(bridge), { cause: error });
    });
  },
  async isEnabled(bridge) {
    return (await fs.readFile(sysctlPath(bridge), 'utf8').catch(() => '1')).trim() === '1';
  },
  async restore(bridge) {
    const original = await fs.readFile(originalFile(bridge), 'utf8').catch(() => undefined);
    if (original === undefined) return;
    await fs.writeFile(sysctlPath(bridge), original.trim()).catch(() => {});
    await fs.rm(originalFile(bridge), { force: true });
  },
};
