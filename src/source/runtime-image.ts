import type Docker from 'dockerode';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { HanoverdError } from '../errors.js';
import { lineSplitter, type Logger } from '../log.js';
import { buildFromContext, buildImage, type BuiltImage } from './build-image.js';
import type { ContextHashCache } from './context-hash.js';

/** The tag of the image that produces a runtime image's context: `repo:tag-build`. */
export function builderTag(tag: string): string {
  const slash = tag.lastIndexOf('/');
  const colon = tag.lastIndexOf(':');
  return colon > slash ? `${tag}-build` : `${tag}:build`;
}

export function hasRuntimeDockerfile(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'runtime', 'Dockerfile'));
}

/**
 * Builds `dir` as `tag`. When `dir` holds runtime/Dockerfile, as the original did, the
 * image built from `dir` is a builder: it is run, its standard output (a tar) is the
 * build context of the runtime image, and that runtime image is what `tag` names.
 */
export async function buildWithRuntime(docker: Docker, dir: string, tag: string, log: Logger, signal: AbortSignal, cache?: ContextHashCache): Promise<BuiltImage> {
  if (!hasRuntimeDockerfile(dir)) return buildImage(docker, dir, tag, log, signal, cache);
  const builder = await buildImage(docker, dir, builderTag(tag), log, signal, cache);
  return { ...(await buildRuntimeImage(docker, builder, tag, log, signal)), helpers: [builder.id] };
}

/** Runs `builder` and builds its standard output, a tar, as `tag`. */
export async function buildRuntimeImage(docker: Docker, builder: BuiltImage, tag: string, log: Logger, signal: AbortSignal): Promise<BuiltImage> {
  log.info(`running ${builder.name} to make the build context of the runtime image ${tag}`);
  const container = await docker.createContainer({
    Image: builder.id,
    AttachStdout: true,
    AttachStderr: true,
    Labels: { 'hanoverd.runtime-builder': tag },
    HostConfig: { NetworkMode: 'none' },
  });
  const removeContainer = () => container.remove({ force: true, v: true }).catch(() => {});
  const onAbort = () => void removeContainer();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const stream = await container.attach({ stream: true, stdout: true, stderr: true });
    const context = new PassThrough();
    const stderr = new PassThrough();
    const lines = lineSplitter((line) => log.output('runtime', line));
    stderr.on('data', (chunk: Buffer) => lines.push(chunk));
    container.modem.demuxStream(stream, context, stderr);
    stream.on('end', () => {
      lines.flush();
      context.end();
    });
    stream.on('error', (error: Error) => context.destroy(error));
    const exited = container.wait({ condition: 'next-exit' }) as Promise<{ StatusCode: number }>;
    await container.start();
    const failure = `building the runtime image ${tag} from the output of ${builder.name} failed; check that it writes a tar holding a Dockerfile to stdout`;
    const built = await buildFromContext(docker, context, tag, failure, log, signal);
    const { StatusCode: code } = await exited;
    signal.throwIfAborted();
    if (code !== 0) throw new HanoverdError(`${builder.name} exited with code ${code} while writing the runtime build context; see its output above`);
    return built;
  } finally {
    signal.removeEventListener('abort', onAbort);
    await removeContainer();
  }
}
