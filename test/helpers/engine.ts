import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';

const answers = () => execa('docker', ['info'], { reject: false }).then((result) => result.exitCode === 0);

/**
 * Restarts dockerd the way scripts/setup.sh starts it. Its containers stop with it
 * (no live-restore), as after a real engine restart.
 */
export async function restartEngine(): Promise<void> {
  await execa('pkill', ['-TERM', '-x', 'dockerd'], { reject: false });
  for (let i = 0; i < 300 && (await execa('pgrep', ['-x', 'dockerd'], { reject: false })).exitCode === 0; i++) await sleep(100);
  const log = fs.openSync('/var/log/hanoverd-dockerd.log', 'a');
  spawn('dockerd', [], { detached: true, stdio: ['ignore', log, log] }).unref();
  for (let i = 0; i < 600 && !(await answers()); i++) await sleep(100);
  if (!(await answers())) throw new Error('dockerd did not come back');
}
