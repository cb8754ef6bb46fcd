import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { closingTable } from '../../dist/firewall/closing-timeouts.js';
import { appChains } from '../../dist/firewall/rules.js';

/** Containers hanoverd made for `app` (running or not). */
export async function appContainers(app: string): Promise<string[]> {
  const { stdout } = await execa('docker', ['ps', '-a', '--filter', `label=hanoverd.app=${app}`, '--format', '{{.Names}}']);
  return stdout.split('\n').filter(Boolean).sort();
}

/** nat rules whose comment names `app`, and the app's own chains. */
export async function appRules(app: string): Promise<string[]> {
  const { stdout } = await execa('iptables-save', ['-t', 'nat']);
  const chains = Object.values(appChains(app));
  // The jumps into the app's chains carry `"hanoverd:<app>"` (iptables-save quotes comments).
  return stdout.split('\n').filter((line) => line.includes(`"hanoverd:${app}:`) || line.includes(`"hanoverd:${app}"`) || line.includes(`hanoverd:${app} `)
    || chains.some((chain) => line.startsWith(`:${chain} `) || line.startsWith(`-A ${chain} `)));
}

/** Whether the app's nftables table (short conntrack timeouts) exists. */
export async function appNftTable(app: string): Promise<boolean> {
  return (await execa('nft', ['list', 'table', 'ip', closingTable(app)], { reject: false })).exitCode === 0;
}

export async function routeLocalnet(bridge = 'docker0'): Promise<string> {
  const { stdout } = await execa('cat', [`/proc/sys/net/ipv4/conf/${bridge}/route_localnet`]);
  return stdout.trim();
}

/** Removes whatever a test left behind for `app`, even when hanoverd itself failed. */
export async function removeLeftovers(app: string, images: string[] = [app]): Promise<void> {
  const names = await appContainers(app).catch(() => []);
  if (names.length > 0) await execa('docker', ['rm', '-f', '-v', ...names], { reject: false });
  for (const rule of await appRules(app).catch(() => [])) {
    if (rule.startsWith('-A ')) await execa('iptables-restore', ['--noflush'], { input: `*nat\n${rule.replace(/^-A /, '-D ')}\nCOMMIT\n`, reject: false });
  }
  for (const chain of Object.values(appChains(app))) await execa('iptables', ['-t', 'nat', '-X', chain], { reject: false });
  await execa('nft', ['delete', 'table', 'ip', closingTable(app)], { reject: false });
  // Every image built for the app (by hanoverd, or by a test as hanoverd would), tagged or not.
  const { stdout } = await execa('docker', ['images', '-q', '--filter', `label=hanoverd.built-as=${app}`], { reject: false });
  const built = [...new Set(stdout.split('\n').filter(Boolean))];
  if (images.length + built.length > 0) await execa('docker', ['rmi', '-f', ...images, ...built], { reject: false });
  // The default state directory, for daemons started without --state-dir.
  fs.rmSync(path.join('/var/lib/hanoverd', app), { recursive: true, force: true });
}
