import type Docker from 'dockerode';
import { progressError, readJsonLines } from '../docker.js';
import { HanoverdError } from '../errors.js';
import type { Logger } from '../log.js';
import { pullReference, type ImageRef } from '../options/image-ref.js';
import type { BuiltImage } from './build-image.js';
import { findRegistryAuth } from './registry-auth.js';

/** Tags `image` as `target` and pushes it to its registry, logging the push's progress. */
export async function pushImage(docker: Docker, image: BuiltImage, target: ImageRef, log: Logger, signal: AbortSignal): Promise<void> {
  const reference = pullReference(target);
  const tag = reference.slice(target.repo.length + 1);
  await docker.getImage(image.id).tag({ repo: target.repo, tag });
  const auth = await findRegistryAuth(target.registry);
  log.info(`pushing ${reference}${auth ? ` (as ${auth.username ?? 'token'})` : ''}`);
  try {
    // The engine wants an X-Registry-Auth header even when the registry needs none.
    const authconfig = auth ?? { username: '', password: '', serveraddress: target.registry ?? 'https://index.docker.io/v1/' };
    const stream = await docker.getImage(target.repo).push({ tag, authconfig, abortSignal: signal });
    for await (const message of readJsonLines(stream)) {
      const error = progressError(message);
      if (error !== undefined) throw new HanoverdError(error);
      if (typeof message.status === 'string' && message.progressDetail === undefined) {
        log.output('push', `${typeof message.id === 'string' ? `${message.id}: ` : ''}${message.status}`);
      }
    }
  } catch (error) {
    signal.throwIfAborted();
    throw new HanoverdError(`pushing ${reference} failed; check the registry and your credentials for it`, { cause: error });
  }
}
