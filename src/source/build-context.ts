import fs from 'node:fs';
import path from 'node:path';
import dockerignore from '@balena/dockerignore';
import tar from 'tar-fs';

// Docker sends these even when .dockerignore names them: the engine needs them.
const ALWAYS_SENT = new Set(['Dockerfile', '.dockerignore']);

/**
 * The build context of `dir` as a tar stream, leaving out what `.dockerignore` excludes,
 * with Docker's matching rules (the same matcher dockerode and docker-compose use).
 */
export function packBuildContext(dir: string): NodeJS.ReadableStream {
  const ignoreFile = path.join(dir, '.dockerignore');
  const patterns = fs.existsSync(ignoreFile) ? fs.readFileSync(ignoreFile, 'utf8') : '';
  const matcher = dockerignore.default().add(patterns);
  // An exception (`!pattern`) may bring back a file inside an excluded folder, so
  // folders are only pruned when there is none.
  const hasExceptions = patterns.split(/\r?\n/).some((line) => line.trim().startsWith('!'));
  const pack = tar.pack(dir, {
    ignore(name) {
      const relative = path.relative(dir, name).split(path.sep).join('/');
      if (relative === '' || ALWAYS_SENT.has(relative)) return false;
      if (!matcher.ignores(relative)) return false;
      return !hasExceptions || !fs.statSync(name).isDirectory();
    },
  });
  // tar-fs streams are streamx streams; they pipe like Node's, which is all dockerode needs.
  return pack as unknown as NodeJS.ReadableStream;
}
