import fs from 'node:fs';
import path from 'node:path';
import dockerignore from '@balena/dockerignore';
import tar from 'tar-fs';

// Docker sends these even when .dockerignore names them: the engine needs them.
const ALWAYS_SENT = new Set(['Dockerfile', '.dockerignore']);

/**
 * Whether a path (absolute, under `dir`) stays out of the build context of `dir`: what
 * `.dockerignore` excludes, with Docker's matching rules (the same matcher dockerode and
 * docker-compose use), and hanoverd's own working files. An excluded folder is not walked.
 */
export function contextExcludes(dir: string): (name: string) => boolean {
  const ignoreFile = path.join(dir, '.dockerignore');
  const patterns = fs.existsSync(ignoreFile) ? fs.readFileSync(ignoreFile, 'utf8') : '';
  const matcher = dockerignore.default().add(patterns);
  const exceptions = patterns.split(/\r?\n/).map((line) => line.trim()).filter((line) => line.startsWith('!')).map((line) => line.slice(1).replace(/^\/+/, ''));
  // As Docker does, an excluded folder is still walked when an exception may bring
  // back something inside it.
  const mayHoldException = (folder: string) => exceptions.some((exception) => exception.startsWith(`${folder}/`) || /^\*/.test(exception));
  return (name) => {
    const relative = path.relative(dir, name).split(path.sep).join('/');
    if (relative === '' || ALWAYS_SENT.has(relative)) return false;
    // hanoverd's own working files (git mirrors) are never part of the app.
    if (relative === '.hanoverd' || relative.startsWith('.hanoverd/')) return true;
    if (!matcher.ignores(relative)) return false;
    const isFolder = fs.lstatSync(name, { throwIfNoEntry: false })?.isDirectory() ?? false;
    return !isFolder || !mayHoldException(relative);
  };
}

/** The build context of `dir` as a tar stream, leaving out what `contextExcludes` excludes. */
export function packBuildContext(dir: string): NodeJS.ReadableStream {
  const pack = tar.pack(dir, { ignore: contextExcludes(dir) });
  // tar-fs streams are streamx streams; they pipe like Node's, which is all dockerode needs.
  return pack as unknown as NodeJS.ReadableStream;
}
