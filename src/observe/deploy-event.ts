import { describeError } from '../errors.js';

export type DeployEventKind = 'started' | 'live' | 'failed' | 'superseded' | 'rolled-back' | 'canary' | 'promoted';
export type DeployPhase = 'obtain' | 'start' | 'ready' | 'switch' | 'drain';
export const DeployPhases: readonly DeployPhase[] = ['obtain', 'start', 'ready', 'switch', 'drain'];

/**
 * What happened to one version, as every observer (metrics, notifications, hooks) sees it.
 * `container`, `image` and `digest` name the version the event is about; for `rolled-back`
 * they name the version that serves again.
 */
export interface DeployEvent {
  event: DeployEventKind;
  app: string;
  container?: string;
  image?: string;
  digest?: string;
  /** What asked for it: "start", "SIGHUP", "api", "rollback", "poll", "hookbot: alice pushed 1a2b3c4"… */
  trigger: string;
  who?: string;
  /** Milliseconds per phase, for the phases this version went through. */
  durations?: Partial<Record<DeployPhase, number>>;
  /** Why it failed, was superseded or rolled back: one line. */
  error?: string;
  /** For `canary`: the percentage of new connections the new version takes. */
  share?: number;
  /** ISO 8601. */
  at: string;
}

function totalMs(durations: DeployEvent['durations']): number | undefined {
  const values = Object.values(durations ?? {}).filter((ms): ms is number => typeof ms === 'number');
  return values.length === 0 ? undefined : values.reduce((sum, ms) => sum + ms, 0);
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`;
}

/** One line for people (and a Slack-compatible webhook's `text`), e.g. "shop: shop-7 (shop:prod) is live after SIGHUP in 3.2s". */
export function eventText(event: DeployEvent): string {
  const version = [event.container, event.image ? `(${event.image})` : undefined].filter(Boolean).join(' ') || 'the new version';
  const after = `after ${event.trigger}${event.who && !event.trigger.includes(event.who) ? ` by ${event.who}` : ''}`;
  const total = totalMs(event.durations);
  const took = total === undefined ? '' : ` in ${seconds(total)}`;
  const why = event.error ? `: ${event.error}` : '';
  const text = (() => {
    switch (event.event) {
      case 'started': return `deploying ${event.image ?? 'a new version'} ${after}`;
      case 'live': return `${version} is live ${after}${took}`;
      case 'failed': return `deploy ${after} failed${took}${why}`;
      case 'superseded': return `${version} was superseded by a newer deploy${why}`;
      case 'rolled-back': return `rolled back to ${version} ${after}${why}`;
      case 'canary': return `${version} takes ${event.share ?? '?'}% of new connections as a canary ${after}${took}`;
      case 'promoted': return `${version} was promoted and takes all traffic ${after}`;
    }
  })();
  return `${event.app}: ${text}`.replaceAll('\n', ' ');
}

export type DeployListener = (event: DeployEvent) => void | Promise<void>;

/**
 * A tiny typed fan-out. `emit` returns at once and never throws: a listener that throws
 * (or rejects) is reported through `onError`, so no observer can fail a deploy.
 */
export class EventBus {
  readonly #listeners = new Set<DeployListener>();
  readonly #onError: (error: unknown, event: DeployEvent) => void;

  constructor(onError: (error: unknown, event: DeployEvent) => void = () => {}) {
    this.#onError = onError;
  }

  /** Adds a listener; the returned function removes it. */
  on(listener: DeployListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: DeployEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        const result = listener(event);
        if (result instanceof Promise) result.catch((error: unknown) => this.#report(error, event));
      } catch (error) {
        this.#report(error, event);
      }
    }
  }

  #report(error: unknown, event: DeployEvent): void {
    try {
      this.#onError(error, event);
    } catch {
      // The error reporter itself failed: nothing sensible is left to tell.
    }
  }
}

/** An error reporter for EventBus that logs one warning line. */
export function warnListenerError(log: { warn(message: string): void }): (error: unknown, event: DeployEvent) => void {
  return (error, event) => log.warn(`an observer of the "${event.event}" event failed: ${describeError(error)}`);
}
