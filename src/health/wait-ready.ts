import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { DefaultProbeTimeoutMs } from '../defaults.js';
import { HanoverdError } from '../errors.js';
import type { Logger } from '../log.js';
import { probeIntervalMs } from './probe-schedule.js';

export interface ReadinessOptions {
  ip: string;
  ports: readonly number[];
  statusUri: string;
  isReady: (status: number) => boolean;
  timeoutMs: number;
  /** Settles when the container exits: the version fails at once. */
  exited: Promise<number>;
  name: string;
}

type ProbeResult = { kind: 'status'; status: number } | { kind: 'not-http'; reason: string } | { kind: 'no-answer'; reason: string };


async function probe(dispatcher: Agent, url: string, signal: AbortSignal): Promise<ProbeResult> {
  try {
    const response = await request(url, {
      dispatcher,
      signal: AbortSignal.any([signal, AbortSignal.timeout(DefaultProbeTimeoutMs)]),
      headers: { 'user-agent': 'hanoverd', connection: 'close' },
    });
    await response.body.dump();
    return { kind: 'status', status: response.statusCode };
  } catch (error) {
    signal.throwIfAborted();
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const code = (cause as { code?: string }).code;
    const reason = cause instanceof Error ? cause.message : String(cause);
    // A listener whose first bytes are not an HTTP status line never becomes ready.
    if (error instanceof Error && error.name === 'HTTPParserError' && reason.includes('Expected HTTP/')) return { kind: 'not-http', reason };
    return { kind: 'no-answer', reason: code ?? reason };
  }
}

/**
 * Polls the status URI on every port until one answers a ready status, on the schedule
 * of `probeIntervalMs`: fast at first (a ready app switches within milliseconds), then
 * backing off so a slow starter is not hammered. Resolves with the port that answered.
 */
export async function waitReady(options: ReadinessOptions, log: Logger, signal: AbortSignal): Promise<number> {
  const dispatcher = new Agent({ pipelining: 0, connections: options.ports.length });
  const deadline = Date.now() + options.timeoutMs;
  const ports = new Set(options.ports);
  const last = new Map<number, string>();
  let exitCode: number | undefined;
  // A probe of a container that died can hang until its timeout; its exit ends the round.
  const exited = options.exited.then((code) => {
    exitCode = code;
    return [] as Array<readonly [number, ProbeResult]>;
  });
  const first = performance.now();
  try {
    for (;;) {
      signal.throwIfAborted();
      const roundStarted = performance.now();
      if (exitCode !== undefined) {
        throw new HanoverdError(`${options.name} exited with code ${exitCode} before it was ready; see its output above`);
      }
      const round = Promise.all([...ports].map(async (port) => [port, await probe(dispatcher, `http://${options.ip}:${port}${options.statusUri}`, signal)] as const));
      const results = await Promise.race([round, exited]);
      if (exitCode !== undefined) continue;
      for (const [port, result] of results) {
        if (result.kind === 'status' && options.isReady(result.status)) return port;
        if (result.kind === 'not-http') {
          log.warn(`${options.name}: port ${port} does not speak HTTP (${result.reason}); no longer polling it`);
          ports.delete(port);
          continue;
        }
        const summary = result.kind === 'status' ? `HTTP ${result.status}` : result.reason;
        if (result.kind === 'status' && last.get(port) !== summary) log.info(`${options.name}: port ${port} answered ${summary}; still waiting`);
        last.set(port, summary);
      }
      if (ports.size === 0) {
        throw new HanoverdError(`${options.name}: no exposed port speaks HTTP; check EXPOSE and --status-uri`);
      }
      if (Date.now() >= deadline) {
        const answers = [...last].map(([port, summary]) => `port ${port}: ${summary}`).join(', ');
        throw new HanoverdError(`${options.name} was not ready within ${Math.round(options.timeoutMs / 1000)}s (last answer ${answers || 'none'}); check --status-uri ${options.statusUri} or raise --ready-timeout`);
      }
      const interval = probeIntervalMs(roundStarted - first);
      await sleep(Math.max(0, interval - (performance.now() - roundStarted)), undefined, { signal });
    }
  } finally {
    await dispatcher.destroy().catch(() => {});
  }
}
