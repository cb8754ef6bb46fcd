import type { ContainerSettings } from '../container/start-container.js';
import type { ImageRef } from '../options/image-ref.js';
import type { PortBinding } from '../options/publish.js';
import type { GitBuild } from '../source/build-git.js';
import type { HookbotSettings } from '../hookbot/watch-hookbot.js';
import type { ObserveConfig } from '../observe/observe-config.js';

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

/** Everything the daemon needs, validated: the inner code trusts it. */
export interface DaemonConfig {
  app: string;
  source: ImageSource;
  container: ContainerSettings;
  bindings: PortBinding[];
  statusUri: string;
  /** --status-port: the one container port polled for readiness, instead of every exposed one. */
  statusPort?: number;
  isReady: (status: number) => boolean;
  readyTimeoutMs: number;
  /** False with --disable-overlap: the old version stops before the new one starts. */
  overlap: boolean;
  overlapGraceMs: number;
  drainTimeoutMs: number;
  stopTimeoutMs: number;
  /** --watch: how long the previous version is kept ready after a switch, to go back to (0: off). */
  watchMs?: number;
  /** --watch-failures: status checks failed in a row that send traffic back during the watch. */
  watchFailures?: number;
  /** Where the history, the live state and the control socket live. */
  stateDir: string;
  /** Group allowed to use the control socket, besides its owner. */
  controlGid?: number;
  /** Metrics, notifications, deploy hooks, registry polling. */
  observe?: ObserveConfig;
  /** With --hookbot: the websocket that triggers deploys, and what its topic names. */
  hookbot?: HookbotSettings;
}
