import type { ContainerSettings } from '../container/start-container.js';
import type { PortBinding } from '../options/publish.js';
import type { ImageSource } from '../trigger.js';
import type { HookbotSettings } from '../hookbot/watch-hookbot.js';
import type { ObserveConfig } from '../observe/observe-config.js';

/** Everything the daemon needs, validated: the inner code trusts it. */
export interface DaemonConfig {
  app: string;
  /** The command line it was parsed from, kept (redacted) in the state for `hanoverd export`. */
  args?: readonly string[];
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
