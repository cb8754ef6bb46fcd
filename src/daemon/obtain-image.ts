import type Docker from 'dockerode';
import { shortId } from '../docker.js';
import { HanoverdError } from '../errors.js';
import type { Logger } from '../log.js';
import type { BuiltImage } from '../source/build-image.js';
import { buildFromGit } from '../source/build-git.js';
import type { ContextHashCache } from '../source/context-hash.js';
import { buildWithRuntime } from '../source/runtime-image.js';
import { pullImage } from '../source/pull-image.js';
import type { ImageSource } from '../trigger.js';

/** `cache` keeps the digests of the files of a built folder, so an unchanged one is not read again. */
export async function obtainImage(docker: Docker, source: ImageSource, log: Logger, signal: AbortSignal, cache?: ContextHashCache): Promise<BuiltImage> {
  switch (source.kind) {
    case 'build':
      return buildWithRuntime(docker, source.dir, source.tag, log, signal, cache);
    case 'pull':
      return pullImage(docker, source.ref, log, signal);
    case 'image':
      try {
        await docker.getImage(source.id).inspect();
      } catch (error) {
        throw new HanoverdError(`image ${source.name} (${shortId(source.id)}) is no longer in the engine; it cannot be redeployed`, { cause: error });
      }
      return { id: source.id, name: source.name };
    case 'git':
      return buildFromGit(docker, source, log, signal);
  }
}

/** What a source does, for the log: "building /srv/app", "pulling repo:tag"… */
export function describeSource(source: ImageSource): string {
  switch (source.kind) {
    case 'build':
      return `building ${source.dir}`;
    case 'pull':
      return `pulling ${source.ref.name}`;
    case 'image':
      return `running image ${source.name}`;
    case 'git':
      return `building ${source.repo.label} ${source.sha ?? source.branch}${source.subdir ? `#${source.subdir}` : ''}`;
  }
}
