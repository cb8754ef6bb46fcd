import type Docker from 'dockerode';
import type { Logger } from '../log.js';
import { buildImage, type BuiltImage } from '../source/build-image.js';
import { pullImage } from '../source/pull-image.js';
import type { ImageSource } from './config.js';

export async function obtainImage(docker: Docker, source: ImageSource, log: Logger, signal: AbortSignal): Promise<BuiltImage> {
  switch (source.kind) {
    case 'build':
      return buildImage(docker, source.dir, source.tag, log, signal);
    case 'pull':
      return pullImage(docker, source.ref, log, signal);
  }
}
