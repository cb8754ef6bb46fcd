import type { ImageRef } from './options/image-ref.js';
import type { GitBuild } from './source/build-git.js';

/** Where a new version's image comes from. */
export type ImageSource =
  | { kind: 'build'; dir: string; tag: string }
  | { kind: 'pull'; ref: ImageRef }
  /** An image already in the engine, by ID: what rollback redeploys (a moved tag does not matter). */
  | { kind: 'image'; id: string; name: string }
  /** A commit of a git repository (the branch head when no sha), built from a clean checkout. */
  | ({ kind: 'git' } & GitBuild);

/** A request for a new version: why, and from where when not the configured source. */
export interface Trigger {
  /** For the log and the history, e.g. "SIGHUP" or "hookbot: alice pushed 1a2b3c4". */
  reason: string;
  source?: ImageSource;
  /** Deploy as a canary taking this share (1–99 %) of new connections, beside the live version. */
  canary?: number;
  /** Not a new version: move all traffic to the canary, or end the canary and keep the live one. */
  action?: 'promote' | 'end-canary';
}
