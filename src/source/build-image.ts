import type Docker from 'dockerode';
import fs from 'node:fs';
import path from 'node:path';
import { BuiltAsLabel } from '../labels.js';
import { readJsonLines, progressError } from '../docker.js';
import { HanoverdError } from '../errors.js';
import type { Logger } from '../log.js';
import { packBuildContext } from './build-context.js';

export interface BuiltImage {
  id: string;
  name: string;
  /** Images made only to produce this one (a runtime image's builder): pruned with it. */
  helpers?: string[];
}

/** Builds `dir` into an image tagged `tag`, showing the build's output as it happens. */
export async function buildImage(docker: Docker, dir: string, tag: string, log: Logger, signal: AbortSignal): Promise<BuiltImage> {
  if (!fs.existsSync(path.join(dir, 'Dockerfile'))) {
    throw new HanoverdError(`no Dockerfile in ${dir}; run hanoverd in a directory with a Dockerfile, or name an image to pull`);
  }
  log.info(`building ${dir} as ${tag}`);
  return buildFromContext(docker, packBuildContext(dir), tag, `building ${dir} failed; fix the Dockerfile and send SIGHUP to try again`, log, signal);
}

/** Builds a tar build context into an image tagged `tag`; `failure` heads the error. */
export async function buildFromContext(
  docker: Docker, context: NodeJS.ReadableStream, tag: string, failure: string, log: Logger, signal: AbortSignal,
): Promise<BuiltImage> {
  let id: string | undefined;
  try {
    // Labelled with the repository it was built as, so hanoverd's images can be found.
    const repo = tag.replace(/:[^:/]*$/, '');
    const stream = await docker.buildImage(context, { t: tag, rm: true, forcerm: true, labels: { [BuiltAsLabel]: repo }, abortSignal: signal });
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
