import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { EventLoopSampleMs } from '../defaults.js';
import { DeployPhases, type DeployEvent, type DeployPhase, type EventBus } from './deploy-event.js';

export type DeployOutcome = 'live' | 'failed' | 'superseded' | 'rolled-back';
const OUTCOMES: readonly DeployOutcome[] = ['live', 'failed', 'superseded', 'rolled-back'];

// Phases range from a few ms (switch) to minutes (a build, a drain).
const PHASE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
// The switch after readiness is tens of ms on a healthy host: fine buckets below 100 ms.
const READY_TO_SWITCH_BUCKETS = [0.002, 0.005, 0.01, 0.015, 0.02, 0.03, 0.04, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 5];

/** New connections per container, read from the nat rules' packet counters. */
export type ConnectionCounts = ReadonlyMap<string, number>;

/** One daemon's metrics, in a registry of its own (never prom-client's global one). */
export interface DaemonMetrics {
  readonly registry: Registry;
  /** Counts a finished deploy and stamps its time. */
  countDeploy(outcome: DeployOutcome, at?: Date): void;
  observePhase(phase: DeployPhase, ms: number): void;
  /** From the first ready answer to the rules pointing at the new version. */
  observeReadyToSwitch(ms: number): void;
  /** The version now taking traffic: the only series of hanoverd_live_info. */
  setLive(version: { container: string; image?: string; digest?: string } | undefined): void;
  /** Replaces the new-connection counts (absolute values from the rule counters). */
  setConnectionCounts(counts: ConnectionCounts): void;
  /** Called on every scrape, before rendering, when set: reads the rule counters fresh. */
  onCollectConnections(read: (() => ConnectionCounts | Promise<ConnectionCounts>) | undefined): void;
  /** The canary's share of new connections, 0 to 1 (0 when there is no canary). */
  setCanaryShare(share: number): void;
  setHookbotConnected(connected: boolean): void;
  countHookbotReconnect(): void;
}

export function createMetrics(): DaemonMetrics {
  const registry = new Registry();
  // Event-loop lag is sampled by a timer at this resolution: prom-client's 10 ms woke an idle
  // daemon 100 times a second (~1 % of a core each, bench/RESULTS.md, Scale); once a second is
  // plenty for a daemon's lag.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EventLoopSampleMs });
  const registers = [registry];

  const deploys = new Counter({ name: 'hanoverd_deploys_total', help: 'Deploys by outcome.', labelNames: ['outcome'], registers });
  const lastDeploy = new Gauge({
    name: 'hanoverd_last_deploy_timestamp_seconds', help: 'When the last deploy with this outcome ended (Unix time).', labelNames: ['outcome'], registers,
  });
  for (const outcome of OUTCOMES) deploys.inc({ outcome }, 0);
  const phases = new Histogram({
    name: 'hanoverd_phase_seconds', help: 'How long each phase of a deploy took.', labelNames: ['phase'], buckets: PHASE_BUCKETS, registers,
  });
  for (const phase of DeployPhases) phases.zero({ phase });
  const readyToSwitch = new Histogram({
    name: 'hanoverd_ready_to_switch_seconds', help: 'From the new version\'s first ready answer to the rules pointing at it.', buckets: READY_TO_SWITCH_BUCKETS, registers,
  });
  const liveInfo = new Gauge({
    name: 'hanoverd_live_info', help: 'The version taking traffic (value always 1).', labelNames: ['container', 'image', 'digest'], registers,
  });

  let counts: ConnectionCounts = new Map();
  let readCounts: (() => ConnectionCounts | Promise<ConnectionCounts>) | undefined;
  new Counter({
    name: 'hanoverd_new_connections_total',
    help: 'New connections each container has taken, from the nat rules\' packet counters.',
    labelNames: ['container'],
    registers,
    async collect() {
      if (readCounts) {
        try {
          counts = await readCounts();
        } catch {
          // A failed read keeps the last counts: a scrape must not fail for it.
        }
      }
      this.reset();
      for (const [container, value] of counts) this.inc({ container }, value);
    },
  });
  const canaryShare = new Gauge({ name: 'hanoverd_canary_share', help: 'Share of new connections the canary takes, 0 to 1.', registers });
  const hookbotConnected = new Gauge({ name: 'hanoverd_hookbot_connected', help: '1 while the hookbot websocket is connected.', registers });
  const hookbotReconnects = new Counter({ name: 'hanoverd_hookbot_reconnects_total', help: 'Reconnections to hookbot after a failure.', registers });

  return {
    registry,
    countDeploy(outcome, at = new Date()) {
      deploys.inc({ outcome });
      lastDeploy.set({ outcome }, at.getTime() / 1000);
    },
    observePhase: (phase, ms) => phases.observe({ phase }, ms / 1000),
    observeReadyToSwitch: (ms) => readyToSwitch.observe(ms / 1000),
    setLive(version) {
      liveInfo.reset();
      if (version) liveInfo.set({ container: version.container, image: version.image ?? '', digest: version.digest ?? '' }, 1);
    },
    setConnectionCounts(next) {
      counts = new Map(next);
    },
    onCollectConnections(read) {
      readCounts = read;
    },
    setCanaryShare: (share) => canaryShare.set(Math.min(1, Math.max(0, share))),
    setHookbotConnected: (connected) => hookbotConnected.set(connected ? 1 : 0),
    countHookbotReconnect: () => hookbotReconnects.inc(),
  };
}

function outcomeOf(event: DeployEvent): DeployOutcome | undefined {
  switch (event.event) {
    case 'live':
    case 'promoted': // a canary becomes the live version: one deploy that went live
      return 'live';
    case 'failed':
    case 'superseded':
    case 'rolled-back':
      return event.event;
    case 'started':
    case 'canary':
      return undefined;
  }
}

/** Feeds deploy outcomes, phase durations, the live version and the canary share from the bus. */
export function attachMetrics(bus: EventBus, metrics: DaemonMetrics): () => void {
  return bus.on((event) => {
    const at = new Date(event.at);
    for (const phase of DeployPhases) {
      const ms = event.durations?.[phase];
      if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0) metrics.observePhase(phase, ms);
    }
    const outcome = outcomeOf(event);
    if (outcome) metrics.countDeploy(outcome, Number.isNaN(at.getTime()) ? new Date() : at);
    const version = event.container ? { container: event.container, image: event.image, digest: event.digest } : undefined;
    switch (event.event) {
      case 'canary':
        metrics.setCanaryShare((event.share ?? 0) / 100);
        break;
      case 'live':
      case 'promoted':
      case 'rolled-back':
        metrics.setCanaryShare(0);
        if (version) metrics.setLive(version);
        break;
      case 'superseded': // a new deploy supersedes a canary
        metrics.setCanaryShare(0);
        break;
      case 'started':
      case 'failed':
        break;
    }
  });
}

/** The Prometheus text for a scrape, with its content type (for the metrics port and the control socket). */
export async function renderMetrics(metrics: DaemonMetrics): Promise<{ contentType: string; body: string }> {
  return { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
}
