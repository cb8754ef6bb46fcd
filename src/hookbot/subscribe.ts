import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket, { type RawData } from 'ws';
import {
  DefaultHookbotDeadAfterMs, DefaultHookbotPingIntervalMs, DefaultHookbotPingJitterMs, DefaultHookbotRetryJitterMs, DefaultHookbotRetryMs,
  HookbotMaxMessageBytes,
} from '../defaults.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
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
  retryMs: number;
  retryJitterMs: number;
}

export const DefaultHookbotTiming: HookbotTiming = {
  pingIntervalMs: DefaultHookbotPingIntervalMs,
  pingJitterMs: DefaultHookbotPingJitterMs,
  deadAfterMs: DefaultHookbotDeadAfterMs,
  retryMs: DefaultHookbotRetryMs,
  retryJitterMs: DefaultHookbotRetryJitterMs,
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

/**
 * One connection: resolves with why it ended (never rejects). Pings every interval
 * (with jitter) and declares the connection dead when nothing, not even a pong, has
 * been heard for `deadAfterMs`.
 */
function connectOnce(options: SubscribeOptions, timing: HookbotTiming, reconnected: boolean): Promise<string> {
  const { endpoint, log, signal } = options;
  return new Promise<string>((resolve) => {
    const ws = new WebSocket(endpoint.url, {
      headers: endpoint.authorization ? { Authorization: endpoint.authorization } : {},
      handshakeTimeout: timing.deadAfterMs,
      maxPayload: HookbotMaxMessageBytes,
      perMessageDeflate: false,
    });
    let opened = false;
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
      resolve(reason);
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
 * Listens on a hookbot topic until `signal` aborts: reconnects after every failure (about
 * 5s later, with jitter), forever, logging each failure once. Never rejects.
 */
export async function subscribe(options: SubscribeOptions): Promise<void> {
  const timing = { ...DefaultHookbotTiming, ...options.timing };
  const { log, signal } = options;
  let connections = 0;
  while (!signal.aborted) {
    const reason = await connectOnce(options, timing, connections > 0);
    if (signal.aborted) break;
    connections++;
    const wait = jittered(timing.retryMs, timing.retryJitterMs);
    log.warn(`hookbot: ${options.endpoint.redacted}: ${reason}; reconnecting in ${(wait / 1000).toFixed(1)}s`);
    await sleep(wait, undefined, { signal }).catch(() => {});
  }
}
