import { execa } from 'execa';
import { SystemdNotifyTimeoutMs } from '../defaults.js';

/**
 * Tells systemd (Type=notify) that hanoverd is ready, and what it serves. Node cannot
 * send datagrams to NOTIFY_SOCKET itself, so this runs systemd-notify, which needs
 * NotifyAccess=all in the unit. Does nothing outside systemd.
 */
export async function notifySystemd(status: string, ready: boolean): Promise<void> {
  if (!process.env.NOTIFY_SOCKET) return;
  const args = [`--pid=${process.pid}`, `--status=${status}`];
  if (ready) args.unshift('--ready');
  // A wedged systemd must not hold hanoverd up: the status line is only a courtesy.
  await execa('systemd-notify', args, { timeout: SystemdNotifyTimeoutMs, stdin: 'ignore' }).catch(() => {});
}
