import { DefaultHistoryApiLimit, MaxHistoryApiLimit } from '../defaults.js';
import { HanoverdError } from '../errors.js';
import type { HistoryEntry } from '../state/history.js';
import type { LiveState } from '../state/live-state.js';

/** What the control API can ask of the daemon. */
export interface Controller {
  status(): LiveState;
  /** The newest `limit` entries, oldest first. */
  history(limit: number): HistoryEntry[];
  /** Starts a deploy, as a canary taking `canary` % when given; says what it started. */
  deploy(canary?: number): string;
  /** Throws a HanoverdError saying why when there is nothing to roll back to. */
  rollback(): string;
  /** Throws a HanoverdError saying why when there is no canary. */
  promote(): string;
  /** Prometheus text, as --metrics-listen serves it. */
  metrics(): Promise<{ contentType: string; body: string }>;
}

/** An answer ready to send: its status and JSON body. */
export interface Answer {
  status: number;
  /** The body: JSON unless `contentType` says otherwise. */
  json: string;
  contentType?: string;
}

function reply(status: number, body: unknown): Answer {
  return { status, json: `${JSON.stringify(body)}\n` };
}

/** `?limit=N` of GET /history: a whole number from 1 on, at most MaxHistoryApiLimit. */
export function parseHistoryLimit(value: string | null): number | undefined {
  if (value === null) return DefaultHistoryApiLimit;
  if (!/^[0-9]{1,9}$/.test(value) || Number(value) < 1) return undefined;
  return Math.min(Number(value), MaxHistoryApiLimit);
}

/**
 * Answers one request of the control API. Never throws: whatever the request or the
 * controller does, the caller gets something to send.
 */
export async function answerRequest(method: string | undefined, target: string | undefined, controller: Controller): Promise<Answer> {
  let url: URL;
  try {
    if (!target?.startsWith('/')) throw new TypeError('not an absolute path');
    url = new URL(target, 'http://hanoverd');
  } catch {
    return reply(400, { error: 'malformed request target' });
  }
  try {
    const endpoint = `${method} ${url.pathname}`;
    switch (endpoint) {
      case 'GET /status':
        return reply(200, controller.status());
      case 'GET /history': {
        const limit = parseHistoryLimit(url.searchParams.get('limit'));
        if (limit === undefined) return reply(400, { error: `limit must be a whole number from 1 to ${MaxHistoryApiLimit}` });
        return reply(200, controller.history(limit));
      }
      case 'POST /deploy': {
        const canary = url.searchParams.get('canary');
        const percent = canary === null ? undefined : Number(canary);
        if (percent !== undefined && !(Number.isInteger(percent) && percent >= 1 && percent <= 99)) {
          return reply(400, { error: 'canary must be a whole percentage from 1 to 99' });
        }
        return reply(202, { message: controller.deploy(percent) });
      }
      case 'POST /rollback':
        return reply(202, { message: controller.rollback() });
      case 'POST /promote':
        return reply(202, { message: controller.promote() });
      case 'GET /metrics': {
        const { contentType, body } = await controller.metrics();
        return { status: 200, json: body, contentType };
      }
      default:
        // Printable and short: the request's own words go back to the caller.
        return reply(404, { error: `no such endpoint: ${endpoint.replace(/[^\x20-\x7e]/g, '?').slice(0, 80)}` });
    }
  } catch (error) {
    return reply(error instanceof HanoverdError ? 409 : 500, { error: error instanceof Error ? error.message : String(error) });
  }
}
