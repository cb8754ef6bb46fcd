import { Agent, request } from 'undici';
import { HanoverdError } from '../errors.js';

/** Calls the control API of the daemon whose socket is `socket`. */
export async function callDaemon<T>(socket: string, method: 'GET' | 'POST', path: string): Promise<T> {
  const dispatcher = new Agent({ connect: { socketPath: socket } });
  try {
    const response = await request(`http://hanoverd${path}`, { method, dispatcher });
    const body = (await response.body.json()) as T & { error?: string };
    if (response.statusCode >= 400) throw new HanoverdError(body.error ?? `the daemon answered HTTP ${response.statusCode}`);
    return body;
  } catch (error) {
    if (error instanceof HanoverdError) throw error;
    throw new HanoverdError(`no hanoverd answers on ${socket}; is it running here? (or point at it with --state-dir)`, { cause: error });
  } finally {
    await dispatcher.close();
  }
}
