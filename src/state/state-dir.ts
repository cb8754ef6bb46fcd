import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Where an app's state lives unless --state-dir says otherwise: /var/lib/hanoverd/<app>
 * for root, $XDG_STATE_HOME/hanoverd/<app> (~/.local/state) for anyone else.
 */
export function stateRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HANOVERD_STATE_ROOT) return env.HANOVERD_STATE_ROOT;
  if (process.getuid?.() === 0) return '/var/lib/hanoverd';
  return path.join(env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state'), 'hanoverd');
}

export function defaultStateDir(app: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(stateRoot(env), app);
}

/**
 * Creates the state directory, for its owner only (it holds the control socket), or
 * also reachable by group `gid` when one is configured.
 */
export function ensureStateDir(dir: string, gid?: number): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, gid === undefined ? 0o700 : 0o710);
  if (gid !== undefined) fs.chownSync(dir, process.getuid?.() ?? 0, gid);
}

export const controlSocket = (dir: string) => path.join(dir, 'control.sock');
