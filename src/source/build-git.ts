import type Docker from 'dockerode';
import fs from 'node:fs';
import path from 'node:path';
import { HanoverdError } from '../errors.js';
import type { Logger } from '../log.js';
import type { BuiltImage } from './build-image.js';
import { checkoutRevision, fetchRevision, type GitRepo } from './git-mirror.js';
import { buildWithRuntime } from './runtime-image.js';

export interface GitBuild {
  repo: GitRepo;
  branch: string;
  /** The commit to build; the branch head when undefined (the first deploy, SIGHUP). */
  sha?: string;
  /** Directory inside the repository holding the Dockerfile, "" for its root. */
  subdir: string;
  /** Image repository; the tag is the commit's first 12 characters. */
  tag: string;
}

/** Fetches, checks out the exact commit into a clean directory, builds it there, removes it. */
export async function buildFromGit(docker: Docker, source: GitBuild, log: Logger, signal: AbortSignal): Promise<BuiltImage & { sha: string }> {
  const sha = await fetchRevision(source.repo, source.branch, source.sha, log, signal);
  const checkout = await checkoutRevision(source.repo, sha, signal);
  try {
    const dir = path.join(checkout.dir, source.subdir);
    if (!fs.existsSync(path.join(dir, 'Dockerfile'))) {
      throw new HanoverdError(`no Dockerfile in ${source.subdir || 'the root'} of ${source.repo.label} at ${sha.slice(0, 12)}`);
    }
    log.info(`building ${source.repo.label}${source.subdir ? `#${source.subdir}` : ''} at ${sha.slice(0, 12)}`);
    const image = await buildWithRuntime(docker, dir, `${source.tag}:${sha.slice(0, 12)}`, log, signal);
    return { ...image, sha };
  } finally {
    checkout.remove();
  }
}
