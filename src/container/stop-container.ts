import type Docker from 'dockerode';

function isGone(error: unknown): boolean {
  const status = (error as { statusCode?: unknown }).statusCode;
  return status === 404 || status === 304 || status === 409;
}

/**
 * SIGTERM, then SIGKILL after `stopTimeoutMs`, then removal with its anonymous volumes.
 * A container that is already gone counts as removed.
 */
export async function stopAndRemove(container: Docker.Container, stopTimeoutMs: number): Promise<void> {
  try {
    await container.stop({ t: Math.ceil(stopTimeoutMs / 1000) });
  } catch (error) {
    if (!isGone(error)) throw error;
  }
  try {
    await container.remove({ force: true, v: true });
  } catch (error) {
    if (!isGone(error)) throw error;
  }
}
