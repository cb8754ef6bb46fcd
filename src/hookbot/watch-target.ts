import { UsageError } from '../errors.js';
import { parseImageRef, type ImageRef } from '../options/image-ref.js';
import { isBranchName, isGitHost, isRepoPart, isSubdir } from '../source/git-names.js';

/** What a hookbot topic says to deploy. */
export type WatchTarget =
  | { kind: 'git'; host: string; owner: string; repo: string; branch: string; subdir: string }
  | { kind: 'docker-pull'; ref: ImageRef }
  | { kind: 'cwd' };

const GIT_TOPIC = /^([^/]+)\/repo\/([^/]+)\/([^/]+)\/branch\/(.+)$/;
const DOCKER_PULL_TOPIC = /^docker-pull\/(.+)\/tag\/([^/]+)$/;
const FORMS = 'use /sub/github.com/repo/OWNER/REPO/branch/BRANCH[#SUBDIR], /sub/docker-pull/REGISTRY/REPO/tag/TAG or /sub/hanoverd/cwd';

/** Classifies a subscription topic (and its #fragment), validating every part. */
export function parseWatchTarget(topic: string, fragment: string, flag: string): WatchTarget {
  const git = GIT_TOPIC.exec(topic);
  if (git) {
    const [host, owner, repo, branch] = [git[1]!, git[2]!, git[3]!, git[4]!];
    if (!isGitHost(host)) throw new UsageError(`${flag}: "${host}" is not a git host name`);
    if (!isRepoPart(owner) || !isRepoPart(repo)) throw new UsageError(`${flag}: "${owner}/${repo}" is not a repository name (letters, digits, ".", "-", "_")`);
    if (!isBranchName(branch)) throw new UsageError(`${flag}: "${branch}" is not a valid branch name`);
    if (!isSubdir(fragment)) throw new UsageError(`${flag}: "#${fragment}" must be a relative directory inside the repository`);
    return { kind: 'git', host, owner, repo, branch, subdir: fragment.replace(/\/+$/, '') };
  }
  const pull = DOCKER_PULL_TOPIC.exec(topic);
  if (pull) {
    const name = `${pull[1]}:${pull[2]}`;
    try {
      return { kind: 'docker-pull', ref: parseImageRef(name) };
    } catch {
      throw new UsageError(`${flag}: "${name}" is not an image reference; use /sub/docker-pull/REGISTRY/REPO/tag/TAG`);
    }
  }
  if (topic === 'hanoverd/cwd') return { kind: 'cwd' };
  throw new UsageError(`${flag}: unrecognised hookbot topic "${topic}"; ${FORMS}`);
}

/** The app name a target implies: the repository's name. */
export function watchTargetName(target: WatchTarget): string | undefined {
  switch (target.kind) {
    case 'git':
      return target.repo;
    case 'docker-pull':
      return target.ref.repo;
    case 'cwd':
      return undefined;
  }
}
