import fs from 'node:fs';
import path from 'node:path';
import { readLiveState } from '../state/live-state.js';
import { defaultStateDir, stateRoot } from '../state/state-dir.js';
import { defaultAppName } from '../app-name.js';

/**
 * The state directory of the daemon a client command means: --state-dir, else --name,
 * else the daemon started in this directory (whatever its app name), else the name
 * this directory would give.
 */
export function findStateDir(options: { stateDir?: string; name?: string }, cwd: string, env: NodeJS.ProcessEnv): string {
  if (options.stateDir) return path.resolve(cwd, options.stateDir);
  if (options.name) return defaultStateDir(options.name, env);
  const root = stateRoot(env);
  let entries: string[] = [];
  try {
    entries = fs.readdirSync(root);
  } catch {
    // No daemon has run as this user yet.
  }
  const here = entries
    .map((entry) => path.join(root, entry))
    .map((dir) => ({ dir, state: readLiveState(dir) }))
    .filter(({ state }) => state?.cwd === cwd)
    .sort((a, b) => (b.state!.startedAt > a.state!.startedAt ? 1 : -1));
  return here[0]?.dir ?? defaultStateDir(defaultAppName(cwd, undefined), env);
}

/** The numeric id of group `name` (or a number given as such), from /etc/group. */
export function groupId(name: string): number | undefined {
  if (/^\d+$/.test(name)) return Number(name);
  const line = fs.readFileSync('/etc/group', 'utf8').split('\n').find((entry) => entry.split(':')[0] === name);
  return line === undefined ? undefined : Number(line.split(':')[2]);
}
