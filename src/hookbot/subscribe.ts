import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket, { type RawData } from 'ws';
import {
  DefaultHookbotDeadAfterMs, DefaultHookbotPingIntervalMs, DefaultHookbotPingJitterMs, DefaultHookbotRetryMaxMs, DefaultHookbotRetryMinMs,
  DefaultHookbotStableAfterMs, HookbotMaxMessageBytes,
} from '../defaults.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { retryDelay } from './backoff.js';
import type { HookbotEndpoint } from './hookbot-url.js';

export interface HookbotMessage {
  /** The topic the message was published on (differs from ours for a recursive topic). */
  topic: string;
  payload: Buffer;
}

export interface HookbotTiming {
  pingIntervalMs: number;
  pingJitterMs: number;
  /** Without a pong or a message for this long, the connection is dead. */
  deadAfterMs: number;
  /** The first wait before reconnecting, doubled with each failure in a row... */
  retryMinMs: number;
  /** ...up to this. */
  retryMaxMs: number;
  /** A connection that stayed up this long resets the wait to `retryMinMs`. */
  stableAfterMs: number;
}

export const DefaultHookbotTiming: HookbotTiming = {
  pingIntervalMs: DefaultHookbotPingIntervalMs,
  pingJitterMs: DefaultHookbotPingJitterMs,
  deadAfterMs: DefaultHookbotDeadAfterMs,
  retryMinMs: DefaultHookbotRetryMinMs,
  retryMaxMs: DefaultHookbotRetryMaxMs,
  stableAfterMs: DefaultHookbotStableAfterMs,
};

export interface SubscribeOptions {
  endpoint: HookbotEndpoint;
  log: Logger;
  signal: AbortSignal;
  onMessage(message: HookbotMessage): void;
  /** Each time a connection is up; `reconnected` is false for the first one. */
  onConnect?(reconnected: boolean): void;
  timing?: Partial<HookbotTiming>;
}

function jittered(base: number, jitter: number): number {
  return Math.max(0, base + (Math.random() * 2 - 1) * jitter);
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

/** Splits a message of a recursive topic (`topic/`): its body is topic + "\0" + payload. */
export function splitMessage(subscribed: string, body: Buffer): HookbotMessage | undefined {
  if (!subscribed.endsWith('/')) return { topic: subscribed, payload: body };
  const nul = body.indexOf(0);
  if (nul === -1) return undefined;
  return { topic: body.subarray(0, nul).toString('utf8'), payload: body.subarray(nul + 1) };
}

/** How a connection ended: why, and how long it had been open (0 when it never opened). */
interface Ended {
  reason: string;
  upMs: number;
}

/**
 * One connection: resolves with why it ended (never rejects). Pings every interval
 * (with jitter) and declares the connection dead when nothing, not even a pong, has
 * been heard for `deadAfterMs`.
 */
function connectOnce(options: SubscribeOptions, timing: HookbotTiming, reconnected: boolean): Promise<Ended> {
  const { endpoint, log, signal } = options;
  return new Promise<Ended>((resolve) => {
    const ws = new WebSocket(endpoint.url, {
      headers: endpoint.authorization ? { Authorization: endpoint.authorization } : {},
      handshakeTimeout: timing.deadAfterMs,
      maxPayload: HookbotMaxMessageBytes,
      perMessageDeflate: false,
    });
    let opened = false;
    let openedAt = 0;
    let lastHeard = Date.now();
    let pingTimer: NodeJS.Timeout | undefined;
    let ended = false;
    const heard = () => { lastHeard = Date.now(); };
    const deadTimer = setInterval(() => {
      if (Date.now() - lastHeard > timing.deadAfterMs) {
        finish(`no message or pong for ${Math.round(timing.deadAfterMs / 1000)}s: the connection is dead`);
      }
    }, Math.min(1000, Math.max(10, timing.deadAfterMs / 8)));
    const schedulePing = () => {
      pingTimer = setTimeout(() => {
        if (ws.readyState === WebSocket.OPEN) ws.ping();
        schedulePing();
      }, jittered(timing.pingIntervalMs, timing.pingJitterMs));
    };
    const onAbort = () => finish('stopped');
    const finish = (reason: string) => {
      if (ended) return;
      ended = true;
      clearInterval(deadTimer);
      clearTimeout(pingTimer);
      signal.removeEventListener('abort', onAbort);
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.terminate();
      resolve({ reason, upMs: opened ? Date.now() - openedAt : 0 });
    };
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) return finish('stopped');
    ws.on('unexpected-response', (_request, response) => {
      const status = response.statusCode ?? 0;
      response.resume();
      finish(`hookbot answered HTTP ${status}${status === 401 || status === 403 ? ': check the token' : ''}`);
    });
    ws.on('open', () => {
      opened = true;
      openedAt = Date.now();
      heard();
      log.info(`hookbot: ${reconnected ? 'reconnected to' : 'listening on'} ${endpoint.redacted}`);
      schedulePing();
      try {
        options.onConnect?.(reconnected);
      } catch (error) {
        log.error(`hookbot: ${describeError(error)}`);
      }
    });
    ws.on('pong', heard);
    ws.on('ping', heard);
    ws.on('message', (data) => {
      heard();
      const message = splitMessage(endpoint.topic, toBuffer(data));
      if (message === undefined) {
        log.warn('hookbot: ignoring a message without the topic prefix of a recursive subscription');
        return;
      }
      try {
        options.onMessage(message);
      } catch (error) {
        log.error(`hookbot: handling a message failed: ${describeError(error)}`);
      }
    });
    ws.on('close', (code) => finish(opened ? `connection closed by hookbot (code ${code})` : 'connection closed before it was established'));
    ws.on('error', (error) => finish(`connection failed: ${describeError(error)}`));
  });
}

/**
 * Listens on a hookbot topic until `signal` aborts: reconnects after every failure,
 * forever, logging each failure once. The wait grows from `retryMinMs` to `retryMaxMs`
 * while failures follow one another, and starts again from the beginning after a
 * connection that stayed up `stableAfterMs`. Never rejects.
 */
export async function subscribe(options: SubscribeOptions): Promise<void> {
  const timing = { ...DefaultHookbotTiming, ...options.timing };
  const { log, signal } = options;
  let connections = 0;
  let failures = 0;
  while (!signal.aborted) {
    const { reason, upMs } = await connectOnce(options, timing, connections > 0);
    if (signal.aborted) break;
    connections++;
    failures = upMs >= timing.stableAfterMs ? 1 : failures + 1;
    const wait = retryDelay(failures, timing.retryMinMs, timing.retryMaxMs);
    log.warn(`hookbot: ${options.endpoint.redacted}: ${reason}; reconnecting in ${(wait / 1000).toFixed(1)}s`);
    await sleep(wait, undefined, { signal }).catch(() => {});
  }
}
