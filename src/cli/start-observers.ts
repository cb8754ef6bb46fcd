import { NotifyShutdownGraceMs } from '../defaults.js';
import type { DaemonConfig } from '../daemon/config.js';
import type { Daemon } from '../daemon/run-daemon.js';
import { runPostDeploy } from '../deploy-hooks/post-deploy.js';
import type { Logger } from '../log.js';
import { EventBus, warnListenerError } from '../observe/deploy-event.js';
import { attachMetrics, createMetrics, type DaemonMetrics } from '../observe/metrics.js';
import { startMetricsServer, formatListenAddress } from '../observe/metrics-server.js';
import { attachNotifier, createNotifier } from '../observe/notify.js';
import { pollRegistry } from '../source/poll-registry.js';

export interface Observers {
  events: EventBus;
  metrics: DaemonMetrics;
  /** Starts what needs the running daemon: the metrics port, registry polling. */
  start(daemon: Daemon, signal: AbortSignal): Promise<void>;
  /** Gives queued notifications a moment, then lets go. */
  close(): Promise<void>;
}

/**
 * Everything that watches deploys, fed by one event bus: metrics (also for the control
 * socket), --notify webhooks, the --post-deploy command, and --poll. None of it can delay
 * or fail a deploy.
 */
export function createObservers(config: DaemonConfig, log: Logger, shutdown: AbortSignal): Observers {
  const observe = config.observe;
  const events = new EventBus(warnListenerError(log));
  const metrics = createMetrics();
  attachMetrics(events, metrics);
  events.on((event) => {
    if (event.event === 'live' && event.durations?.switch !== undefined) metrics.observeReadyToSwitch(event.durations.switch);
  });
  const notifier = observe && observe.notify.length > 0 ? createNotifier(observe.notify, log) : undefined;
  if (notifier) attachNotifier(events, notifier);
  const postDeploy = observe?.postDeploy;
  if (postDeploy) {
    events.on((event) => {
      if (!['live', 'promoted', 'rolled-back'].includes(event.event) || !event.container) return;
      void runPostDeploy({ app: config.app, container: event.container, image: event.image ?? '', ...(event.digest ? { digest: event.digest } : {}) },
        { argv: postDeploy.argv, timeoutMs: postDeploy.timeoutMs, log, signal: shutdown });
    });
  }
  return {
    events,
    metrics,
    async start(daemon, signal) {
      metrics.onCollectConnections(() => new Map(Object.entries(daemon.status().connections ?? {})));
      if (observe?.metricsListen) {
        await startMetricsServer(observe.metricsListen, metrics, log, signal);
        log.info(`metrics on http://${formatListenAddress(observe.metricsListen)}/metrics`);
      }
      const source = config.source;
      if (observe?.pollMs !== undefined && source.kind === 'pull') {
        const poll = pollRegistry({
          ref: source.ref,
          intervalMs: observe.pollMs,
          initialDigest: daemon.status().live?.digest?.split('@')[1],
          onChange: (digest) => daemon.deploy({ reason: `poll: ${digest.slice(0, 19)}` }),
          log,
          signal,
        });
        // A deploy from any trigger tells the poll what runs now, so it is not deployed twice.
        events.on((event) => {
          const digest = event.digest?.split('@')[1];
          if (event.event === 'live' && digest) poll.setKnown(digest);
        });
      }
    },
    close: async () => {
      await notifier?.close(NotifyShutdownGraceMs);
    },
  };
}
