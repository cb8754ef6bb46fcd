import { HanoverdError } from '../errors.js';
import type { HookbotEndpoint } from './hookbot-url.js';

const PUBLISH_TIMEOUT_MS = 30_000;

/** Publishes `body` on a hookbot topic: an HTTP POST to /pub/<topic>, the token as Basic auth. */
export async function publish(endpoint: HookbotEndpoint, body: string | Buffer, signal: AbortSignal): Promise<void> {
  let response: Response;
  try {
    response = await fetch(endpoint.url, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain', ...(endpoint.authorization ? { Authorization: endpoint.authorization } : {}) },
      body: typeof body === 'string' ? body : new Uint8Array(body),
      signal: AbortSignal.any([signal, AbortSignal.timeout(PUBLISH_TIMEOUT_MS)]),
    });
  } catch (error) {
    signal.throwIfAborted();
    throw new HanoverdError(`publishing to ${endpoint.redacted} failed`, { cause: error });
  }
  await response.body?.cancel();
  if (!response.ok) {
    throw new HanoverdError(`publishing to ${endpoint.redacted} failed: HTTP ${response.status}${response.status === 401 || response.status === 403 ? '; check the token' : ''}`);
  }
}
