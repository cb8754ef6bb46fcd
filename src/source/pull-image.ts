import type Docker from 'dockerode';
import { progressError, readJsonLines } from '../docker.js';
import { HanoverdError } from '../errors.js';
import type { Logger } from '../log.js';
import { pullReference, type ImageRef } from '../options/image-ref.js';
import type { BuiltImage } from './build-image.js';
import { findRegistryAuth } from './registry-auth.js';

const PROGRESS_EVERY_MS = 1000;

/** Pulls `ref`, logging each layer's progress at most once a second. */
export async function pullImage(docker: Docker, ref: ImageRef, log: Logger, signal: AbortSignal): Promise<BuiltImage> {
  const reference = pullReference(ref);
  const authconfig = await findRegistryAuth(ref.registry);
  log.info(`pulling ${reference}${authconfig ? ` (as ${authconfig.username ?? 'token'})` : ''}`);
  const lastShown = new Map<string, { status: string; at: number }>();
  try {
    const stream = await docker.pull(reference, { authconfig, abortSignal: signal });
    for await (const message of readJsonLines(stream)) {
      const error = progressError(message);
      if (error !== undefined) throw new HanoverdError(error);
      const status = typeof message.status === 'string' ? message.status : '';
      const layer = typeof message.id === 'string' ? message.id : '';
      const previous = lastShown.get(layer);
      const now = Date.now();
      if (previous?.status === status && now - previous.at < PROGRESS_EVERY_MS) continue;
      lastShown.set(layer, { status, at: now });
      const progress = typeof message.progress === 'string' ? ` ${message.progress}` : '';
      log.output('pull', `${layer ? `${layer}: ` : ''}${status}${progress}`);
    }
  } catch (error) {
    signal.throwIfAborted();
    throw new HanoverdError(`pulling ${reference} failed; check the name, the tag and your registry credentials`, { cause: error });
  }
  signal.throwIfAborted();
  const image = await docker.getImage(reference).inspect();
  return { id: image.Id, name: reference };
}
