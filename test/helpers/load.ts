import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';

export interface LoadResult {
  ok: number;
  failed: number;
  errors: string[];
  /** Response bodies (trimmed) and how often each was seen, in the order of the first request each answered. */
  bodies: Map<string, number>;
  /**
   * The bodies each time they changed, in the order the requests were sent: [v1, v2, v1] for
   * a deploy and a rollback. A request sent before a switch may be answered after one sent
   * later; ordering by answer would show a change back that did not happen.
   */
  changes: string[];
}

export interface Load {
  /** Stops the load and returns what it saw. */
  stop(): Promise<LoadResult>;
  result: LoadResult;
}

/**
 * Continuous HTTP requests to `url` from `concurrency` workers, each on a new connection
 * (`Connection: close`) unless `keepAlive`. Bounded: stops by itself after `maxMs` or
 * `maxRequests`, whichever comes first.
 */
export function startLoad(url: string, options: { concurrency?: number; maxMs?: number; maxRequests?: number; keepAlive?: boolean } = {}): Load {
  const { concurrency = 4, maxMs = 120_000, maxRequests = 200_000, keepAlive = false } = options;
  const result: LoadResult = { ok: 0, failed: 0, errors: [], bodies: new Map(), changes: [] };
  const dispatcher = new Agent({ keepAliveTimeout: 10_000, connections: keepAlive ? concurrency : null });
  const deadline = Date.now() + maxMs;
  let stopped = false;
  // Each worker's runs of one body: the first and the last request of each, with when it was sent.
  const runs: Array<{ sent: number; body: string }> = [];
  const worker = async () => {
    let last: { sent: number; body: string } | undefined;
    while (!stopped && Date.now() < deadline && result.ok + result.failed < maxRequests) {
      const sent = performance.now();
      try {
        const response = await request(url, { dispatcher, reset: !keepAlive, headersTimeout: 10_000, bodyTimeout: 10_000 });
        const body = (await response.body.text()).trim();
        if (response.statusCode === 200) {
          result.ok++;
          result.bodies.set(body, (result.bodies.get(body) ?? 0) + 1);
          if (body !== last?.body) {
            if (last) runs.push(last);
            runs.push({ sent, body });
          }
          last = { sent, body };
        } else {
          result.failed++;
          result.errors.push(`HTTP ${response.statusCode}: ${body.slice(0, 80)}`);
        }
      } catch (error) {
        result.failed++;
        result.errors.push(String((error as Error).cause ?? error));
        await sleep(5);
      }
    }
    if (last) runs.push(last);
  };
  const workers = Promise.all(Array.from({ length: concurrency }, worker)).then(() => {
    runs.sort((a, b) => a.sent - b.sent);
    for (const { body } of runs) if (result.changes.at(-1) !== body) result.changes.push(body);
    const firstSent = [...new Set(runs.map((run) => run.body))];
    result.bodies = new Map(firstSent.map((body) => [body, result.bodies.get(body) ?? 0]));
  });
  let closed: Promise<LoadResult> | undefined;
  return {
    result,
    stop() {
      stopped = true;
      closed ??= workers.then(() => dispatcher.close()).then(() => result);
      return closed;
    },
  };
}

/** One GET, returning status and trimmed body. */
export async function get(url: string): Promise<{ status: number; body: string }> {
  const response = await request(url, { reset: true, headersTimeout: 10_000 });
  return { status: response.statusCode, body: (await response.body.text()).trim() };
}
