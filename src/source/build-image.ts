import type Docker from 'dockerode';
import fs from 'node:fs';
import path from 'node:path';
import { BuiltAsLabel, ContextHashLabel } from '../labels.js';
import { readJsonLines, progressError, shortId } from '../docker.js';
import { HanoverdError } from '../errors.js';
import type { Logger } from '../log.js';
import { packBuildContext } from './build-context.js';
import { hashBuildContext, type ContextHash, type ContextHashCache } from './context-hash.js';

export interface BuiltImage {
  id: string;
  name: string;
  /** Images made only to produce this one (a runtime image's builder): pruned with it. */
  helpers?: string[];
}

/** The repository of `repo[:tag]`. */
const repositoryOf = (tag: string) => splitTag(tag).repo;

/**
 * Builds `dir` into an image tagged `tag`, showing the build's output as it happens. When
 * an image of the same repository built from the same context (see `hashBuildContext`)
 * is still in the engine, it is tagged `tag` and used instead: nothing is sent.
 */
export async function buildImage(docker: Docker, dir: string, tag: string, log: Logger, signal: AbortSignal, cache?: ContextHashCache): Promise<BuiltImage> {
  if (!fs.existsSync(path.join(dir, 'Dockerfile'))) {
    throw new HanoverdError(`no Dockerfile in ${dir}; run hanoverd in a directory with a Dockerfile, or name an image to pull`);
  }
  // Everything besides the context that decides what the build makes; hashed with it.
  const settings = { dockerfile: 'Dockerfile', labels: { [BuiltAsLabel]: repositoryOf(tag) } };
  const failure = `building ${dir} failed; fix the Dockerfile and send SIGHUP to try again`;
  const started = performance.now();
  let context: ContextHash;
  let reused: { id: string; tags: string[] } | undefined;
  try {
    context = await hashBuildContext(dir, settings, { ...(cache ? { cache } : {}), signal });
    reused = await findBuiltImage(docker, repositoryOf(tag), context.hash);
  } catch (error) {
    signal.throwIfAborted();
    throw new HanoverdError(failure, { cause: error });
  }
  if (reused !== undefined) {
    const { repo, version } = splitTag(tag);
    if (!reused.tags.includes(`${repo}:${version}`)) await docker.getImage(reused.id).tag({ repo, tag: version });
    const ms = Math.round(performance.now() - started);
    log.info(`context unchanged (${context.hash.slice(0, 19)}…, ${context.files} files, ${formatBytes(context.bytes)}, ${formatBytes(context.read)} read, ${ms}ms); reusing image ${tag} (${shortId(reused.id)}), no build`);
    return { id: reused.id, name: tag };
  }
  log.info(`building ${dir} as ${tag}`);
  return buildFromContext(docker, packBuildContext(dir), tag, failure, log, signal, { ...settings, labels: { ...settings.labels, [ContextHashLabel]: context.hash } });
}

const formatBytes = (bytes: number) => (bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MiB` : bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${bytes} B`);

/** The newest image of `repo` labelled with context hash `hash`, if the engine still has one. */
async function findBuiltImage(docker: Docker, repo: string, hash: string): Promise<{ id: string; tags: string[] } | undefined> {
  const images = await docker.listImages({ filters: { label: [`${BuiltAsLabel}=${repo}`, `${ContextHashLabel}=${hash}`] } });
  const newest = images.sort((a, b) => b.Created - a.Created)[0];
  return newest && { id: newest.Id, tags: newest.RepoTags ?? [] };
}

/** `repo[:tag]` as its repository and tag (`latest` when none). */
function splitTag(tag: string): { repo: string; version: string } {
  const colon = tag.lastIndexOf(':');
  return colon > tag.lastIndexOf('/') ? { repo: tag.slice(0, colon), version: tag.slice(colon + 1) } : { repo: tag, version: 'latest' };
}

/** Builds a tar build context into an image tagged `tag`; `failure` heads the error. */
export async function buildFromContext(
  docker: Docker, context: NodeJS.ReadableStream, tag: string, failure: string, log: Logger, signal: AbortSignal,
  settings: { dockerfile?: string; labels?: Record<string, string> } = {},
): Promise<BuiltImage> {
  let id: string | undefined;
  try {
    // Labelled with the repository it was built as, so hanoverd's images can be found.
    const labels = { [BuiltAsLabel]: repositoryOf(tag), ...settings.labels };
    const stream = await docker.buildImage(context, { ...settings, t: tag, rm: true, forcerm: true, labels, abortSignal: signal });
    for await (const message of readJsonLines(stream)) {
      const error = progressError(message);
      if (error !== undefined) throw new HanoverdError(error);
      if (typeof message.stream === 'string') {
        for (const line of message.stream.split('\n')) if (line.trim() !== '') log.output('build', line);
      }
      const aux = message.aux as { ID?: unknown } | undefined;
      if (typeof aux?.ID === 'string') id = aux.ID;
    }
  } catch (error) {
    signal.throwIfAborted();
    throw new HanoverdError(failure, { cause: error });
  }
  signal.throwIfAborted();
  id ??= (await docker.getImage(tag).inspect()).Id;
  return { id, name: tag };
}
