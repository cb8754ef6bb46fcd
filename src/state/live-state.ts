import fs from 'node:fs';
import path from 'node:path';

export interface VersionInfo {
  container: string;
  image: string;
  imageId: string;
  digest?: string;
  since: string;
  /** Set when the container exited while live; hanoverd is bringing it back. */
  exited?: { at: string; code: number } | undefined;
}

/** What `hanoverd status` shows; rewritten (atomically) after every change. */
export interface LiveState {
  app: string;
  cwd: string;
  pid: number;
  startedAt: string;
  bindings: string[];
  /** The daemon's command line after `hanoverd`, credentials in URLs redacted (`--hookbot=wss://T@h` too): what `hanoverd export` reads. */
  args?: string[];
  live?: VersionInfo;
  /** A canary beside the live version, and its share of new connections. */
  canary?: VersionInfo & { percent: number };
  /** New connections each container has taken through the switch (from the rules' counters). */
  connections?: Record<string, number>;
  /** --watch: the previous version kept ready until `until`, and how the window ended. */
  watch?: { version: string; previous: string; until: string; result?: string };
  /** The version live before the current one: what rollback goes back to. */
  previous?: VersionInfo;
  /** What was live when the daemon last stopped cleanly. */
  stopped?: VersionInfo;
  /** Image IDs hanoverd built or pulled (and builder images), newest last, for pruning. */
  built: string[];
  deploying?: { trigger: string; since: string };
  lastDeploy?: { at: string; trigger: string; outcome: string; error?: string };
}

const FILE = 'state.json';

export function writeLiveState(dir: string, state: LiveState): void {
  const file = path.join(dir, FILE);
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    // rename is atomic: a reader (or a crash) sees the old file or the new one, never half.
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
}

export function readLiveState(dir: string): LiveState | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, FILE), 'utf8')) as LiveState;
  } catch {
    return undefined;
  }
}
