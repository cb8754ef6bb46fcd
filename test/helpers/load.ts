import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';

export interface LoadResult {
  ok: number;
  failed: number;
  errors: string[];
  /** Response bodies (trimmed) and how often each was seen, in order of first sight. */
  bodies: Map<string, number>;
  /** The bodies each time they changed: [v1, v2, v1] for a deploy and a rollback. */
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
  const worker = async () => {
    while (!stopped && Date.now() < deadline && result.ok + result.failed < maxRequests) {
      try {
        const response = await request(url, { dispatcher, reset: !keepAlive, headersTimeout: 10_000, bodyTimeout: 10_000 });
        const body = (await response.body.text()).trim();
        if (response.statusCode === 200) {
          result.ok++;
          result.bodies.set(body, (result.bodies.get(body) ?? 0) + 1);
          if (result.changes.at(-1) !== body) result.changes.push(body);
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
  };
  const workers = Promise.all(Array.from({ length: concurrency }, worker));
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
