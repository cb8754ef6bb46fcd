import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { NotifyAttempts, NotifyBackoffMs, NotifyQueueLimit, NotifyShutdownGraceMs, NotifyTimeoutMs } from '../defaults.js';
import { describeError, UsageError } from '../errors.js';
import type { Logger } from '../log.js';
import { eventText, type DeployEvent, type EventBus } from './deploy-event.js';

/** A webhook to POST events to. Holds secrets: only `label` may be logged. */
export interface NotifyTarget {
  /** The URL without its userinfo (the query may hold a token). */
  url: string;
  /** From the URL's userinfo, sent as Basic auth. */
  authorization?: string;
  /** The URL with everything that may be a secret taken out, for logs. */
  label: string;
}

/**
 * A URL as it may appear in a log: scheme, host and the first path segment only.
 * Userinfo, the rest of the path (Slack's token lives there) and the query are elided.
 */
export function redactUrl(url: URL): string {
  const [first, ...rest] = url.pathname.split('/').filter(Boolean);
  return `${url.protocol}//${url.username || url.password ? '***@' : ''}${url.host}${first ? `/${first}` : ''}${rest.length > 0 ? '/…' : ''}${url.search ? '?…' : ''}`;
}

/** Validates a --notify URL: http or https only. The error never repeats a secret. */
export function parseNotifyUrl(text: string, flag = '--notify'): NotifyTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch (error) {
    throw new UsageError(`${flag}: not a URL; give an http:// or https:// webhook URL`, { cause: error });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${flag} ${redactUrl(url)}: only http:// and https:// webhooks are supported`);
  }
  const label = redactUrl(url);
  let authorization: string | undefined;
  if (url.username || url.password) {
    authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  url.hash = '';
  return { url: url.href, label, ...(authorization ? { authorization } : {}) };
}

export interface NotifyOptions {
  timeoutMs?: number;
  attempts?: number;
  /** The first wait between tries; it doubles after each. */
  backoffMs?: number;
  queueLimit?: number;
}

export interface Notifier {
  /** Queues the event for every target and returns at once; never throws. */
  notify(event: DeployEvent): void;
  /** Gives queued events up to `graceMs` to go out, then abandons the rest. */
  close(graceMs?: number): Promise<void>;
}

type Sent = { ok: true } | { ok: false; retry: boolean; reason: string };

/** One receiver: its own ordered queue and a single sender, so a dead one delays nobody else. */
function targetQueue(target: NotifyTarget, settings: Required<NotifyOptions>, log: Logger, stop: AbortSignal) {
  const queue: DeployEvent[] = [];
  let sending: Promise<void> | undefined;
  let warnedFull = false;
  // Whatever an error says about the request, the URL's secrets do not reach the log.
  const secrets = [target.url, new URL(target.url).search.slice(1)].filter((secret) => secret.length > 0);
  const scrub = (text: string) => secrets.reduce((clean, secret) => clean.replaceAll(secret, target.label), text);

  const send = async (event: DeployEvent): Promise<Sent> => {
    try {
      const response = await request(target.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'hanoverd',
          ...(target.authorization ? { authorization: target.authorization } : {}),
        },
        body: JSON.stringify({ ...event, text: eventText(event) }),
        signal: AbortSignal.any([stop, AbortSignal.timeout(settings.timeoutMs)]),
      });
      await response.body.dump();
      const status = response.statusCode;
      if (status >= 200 && status < 300) return { ok: true };
      return { ok: false, retry: status >= 500 || status === 408 || status === 429, reason: `HTTP ${status}` };
    } catch (error) {
      const reason = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${settings.timeoutMs}ms` : describeError(error);
      return { ok: false, retry: true, reason };
    }
  };

  const deliver = async (event: DeployEvent) => {
    let wait = settings.backoffMs;
    for (let attempt = 1; ; attempt++) {
      const sent = await send(event);
      if (sent.ok || stop.aborted) return;
      if (!sent.retry) {
        log.warn(`notify ${target.label}: the receiver refused the "${event.event}" event (${scrub(sent.reason)}); check the --notify URL`);
        return;
      }
      if (attempt >= settings.attempts) {
        log.warn(`notify ${target.label}: gave up on the "${event.event}" event after ${attempt} tries (${scrub(sent.reason)})`);
        return;
      }
      try {
        await sleep(wait, undefined, { signal: stop });
      } catch {
        return;
      }
      wait *= 2;
    }
  };

  const drain = async () => {
    for (let event = queue.shift(); event && !stop.aborted; event = queue.shift()) await deliver(event);
    warnedFull = false;
    sending = undefined;
  };

  return {
    push(event: DeployEvent) {
      if (stop.aborted) return;
      if (queue.length >= settings.queueLimit) {
        queue.shift();
        if (!warnedFull) log.warn(`notify ${target.label}: the receiver is behind; dropping the oldest events beyond ${settings.queueLimit}`);
        warnedFull = true;
      }
      queue.push(event);
      sending ??= drain();
    },
    idle: () => sending ?? Promise.resolve(),
  };
}

/**
 * Posts every event as one JSON object (the event plus `text`, its one-line summary, so a
 * Slack-compatible incoming webhook shows it) to each target, in the background: a slow or
 * dead receiver never delays the caller, and memory is bounded by the queue limit.
 */
export function createNotifier(targets: readonly NotifyTarget[], log: Logger, options: NotifyOptions = {}): Notifier {
  const settings: Required<NotifyOptions> = {
    timeoutMs: options.timeoutMs ?? NotifyTimeoutMs,
    attempts: Math.max(1, options.attempts ?? NotifyAttempts),
    backoffMs: options.backoffMs ?? NotifyBackoffMs,
    queueLimit: Math.max(1, options.queueLimit ?? NotifyQueueLimit),
  };
  const stop = new AbortController();
  const queues = targets.map((target) => targetQueue(target, settings, log, stop.signal));
  return {
    notify(event) {
      for (const queue of queues) queue.push(event);
    },
    async close(graceMs = NotifyShutdownGraceMs) {
      const grace = new AbortController();
      await Promise.race([Promise.all(queues.map((queue) => queue.idle())), sleep(graceMs, undefined, { signal: grace.signal }).catch(() => {})]);
      grace.abort();
      stop.abort();
      await Promise.all(queues.map((queue) => queue.idle()));
    },
  };
}

/** Sends every event on the bus to the notifier. */
export function attachNotifier(bus: EventBus, notifier: Notifier): () => void {
  return bus.on((event) => notifier.notify(event));
}
