// Paced HTTP clients that record every request they make, and the "first new connection
// answered by X" measurement. undici's `request` never retries: every error is counted.
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { now } from '../harness/say.ts';
import type { Sample } from '../types.ts';

/** One GET on a new connection: its status and trimmed body, or undefined on any error. */
export async function getBody(url: string, timeoutMs = 2000): Promise<{ status: number; body: string } | undefined> {
  try {
    const response = await request(url, { reset: true, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    return { status: response.statusCode, body: (await response.body.text()).trim() };
  } catch {
    return undefined;
  }
}

/** `check` every `intervalMs` until it returns a value. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000, intervalMs = 20): Promise<T> {
  const deadline = now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/**
 * A new connection every `intervalMs` until one is answered 200 by `name` (a container's
 * hostname, what the app answers): when that version serves new clients, or undefined.
 */
export async function firstNewConnection(url: string, name: string, options: { timeoutMs?: number; intervalMs?: number } = {}): Promise<number | undefined> {
  const { timeoutMs = 60_000, intervalMs = 10 } = options;
  const deadline = now() + timeoutMs;
  while (now() < deadline) {
    const started = now();
    const answer = await getBody(url, 1000);
    if (answer?.status === 200 && answer.body === name) return now();
    const wait = intervalMs - (now() - started);
    if (wait > 0) await sleep(wait);
  }
  return undefined;
}

export function summarizeErrors(samples: readonly Sample[]): Record<string, number> {
  const errors: Record<string, number> = {};
  for (const s of samples) {
    if (s.ok) continue;
    const kind = s.err ?? `HTTP ${s.status}`;
    errors[kind] = (errors[kind] ?? 0) + 1;
  }
  return errors;
}

export interface Probe {
  samples: Sample[];
  /** Resolves with the time the first 2xx from `body` (a container name) was received. */
  firstBody(body: string, timeoutMs: number): Promise<number | undefined>;
  stop(): Promise<Sample[]>;
}

/**
 * Paced requests from `workers` loops (one every `intervalMs` each, or back to back when 0),
 * each recorded. Close mode opens a connection per request; keep-alive reuses `workers`
 * connections.
 */
export function startProbe(url: string, t0: number, options: { keepAlive: boolean; workers: number; intervalMs: number; timeoutMs: number; staggerMs?: number }): Probe {
  const samples: Sample[] = [];
  const dispatcher = new Agent({ connections: options.keepAlive ? options.workers : null, pipelining: 1 });
  const bodyWaiters: Array<{ body: string; resolve: (at: number) => void }> = [];
  const seen = new Map<string, number>();
  let stopped = false;
  const worker = async (index: number) => {
    await sleep((options.staggerMs ?? 0) * index);
    while (!stopped) {
      const start = now();
      const sample: Sample = { t: start - t0, ms: 0, ok: false };
      try {
        const response = await request(url, { dispatcher, reset: !options.keepAlive, headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs });
        const body = (await response.body.text()).trim();
        sample.status = response.statusCode;
        sample.ok = response.statusCode >= 200 && response.statusCode < 300;
        if (sample.ok) {
          sample.body = body;
          const end = now();
          if (!seen.has(body)) seen.set(body, end);
          for (const waiter of bodyWaiters.filter((w) => w.body === body)) waiter.resolve(end);
        }
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause;
        sample.err = (error as { code?: string }).code ?? cause?.code ?? String(error).slice(0, 80);
      }
      sample.ms = now() - start;
      samples.push(sample);
      const wait = options.intervalMs - (now() - start);
      if (wait > 0) await sleep(wait);
      else if (!sample.ok) await sleep(1);
    }
  };
  const workers = Promise.all(Array.from({ length: options.workers }, (_, i) => worker(i)));
  return {
    samples,
    firstBody(body, timeoutMs) {
      const known = seen.get(body);
      if (known !== undefined) return Promise.resolve(known);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(undefined), timeoutMs);
        bodyWaiters.push({ body, resolve: (at) => { clearTimeout(timer); resolve(at); } });
      });
    },
    async stop() {
      stopped = true;
      await workers;
      await dispatcher.close();
      return samples;
    },
  };
}
