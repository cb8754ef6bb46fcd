import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { DefaultProbeIntervalMaxMs, DefaultProbeIntervalMinMs, DefaultProbeTimeoutMs } from '../defaults.js';
import { HanoverdError } from '../errors.js';
import type { Logger } from '../log.js';

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

const NOT_HTTP_CODES = new Set(['HPE_INVALID_CONSTANT', 'HPE_INVALID_VERSION', 'HPE_INVALID_STATUS', 'HPE_INVALID_HEADER_TOKEN', 'UND_ERR_SOCKET']);

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
    const code = (error as { code?: string }).code ?? '';
    const reason = error instanceof Error ? error.message : String(error);
    // A listener that answers with something other than HTTP will never become ready.
    if (NOT_HTTP_CODES.has(code) && !/other side closed|ECONNRESET/.test(reason)) return { kind: 'not-http', reason };
    return { kind: 'no-answer', reason: code || reason };
  }
}

/**
 * Polls the status URI on every port until one answers a ready status. Starts fast
 * (a ready app switches within milliseconds) and backs off so a slow starter is not
 * hammered. Resolves with the port that answered.
 */
export async function waitReady(options: ReadinessOptions, log: Logger, signal: AbortSignal): Promise<number> {
  const dispatcher = new Agent({ pipelining: 0, connections: options.ports.length });
  const deadline = Date.now() + options.timeoutMs;
  const ports = new Set(options.ports);
  const last = new Map<number, string>();
  let exitCode: number | undefined;
  void options.exited.then((code) => { exitCode = code; });
  let interval = DefaultProbeIntervalMinMs;
  try {
    for (;;) {
      signal.throwIfAborted();
      if (exitCode !== undefined) {
        throw new HanoverdError(`${options.name} exited with code ${exitCode} before it was ready; see its output above`);
      }
      const results = await Promise.all([...ports].map(async (port) => [port, await probe(dispatcher, `http://${options.ip}:${port}${options.statusUri}`, signal)] as const));
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
      await sleep(interval, undefined, { signal });
      interval = Math.min(DefaultProbeIntervalMaxMs, interval * 1.5);
    }
  } finally {
    await dispatcher.destroy().catch(() => {});
  }
}
