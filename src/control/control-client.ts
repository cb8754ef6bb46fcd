import { Agent, request } from 'undici';
import { ControlClientTimeoutMs } from '../defaults.js';
import { HanoverdError } from '../errors.js';

/** Nothing answered on the socket: no daemon runs there (a stale socket), or it hangs. */
export class DaemonUnreachableError extends HanoverdError {
  override name = 'DaemonUnreachableError';
}

/** Calls the control API of the daemon whose socket is `socket`. */
export async function callDaemon<T>(socket: string, method: 'GET' | 'POST', path: string, timeoutMs = ControlClientTimeoutMs): Promise<T> {
  const dispatcher = new Agent({ connect: { socketPath: socket, timeout: timeoutMs }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  try {
    let response: Awaited<ReturnType<typeof request>>;
    let body: T & { error?: string };
    try {
      response = await request(`http://hanoverd${path}`, { method, dispatcher, signal: AbortSignal.timeout(timeoutMs) });
      body = (await response.body.json()) as T & { error?: string };
    } catch (error) {
      throw new DaemonUnreachableError(`no hanoverd answers on ${socket}; is it running here? (or point at it with --state-dir)`, { cause: error });
    }
    if (response.statusCode >= 400) throw new HanoverdError(body.error ?? `the daemon answered HTTP ${response.statusCode}`);
    return body;
  } finally {
    await dispatcher.destroy().catch(() => {});
  }
}
