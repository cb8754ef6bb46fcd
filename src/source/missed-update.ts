import type Docker from 'dockerode';
import type { ImageRef } from '../options/image-ref.js';
import { mirrorBranchHead, remoteBranchHead, type GitRepo } from './git-mirror.js';
import { liveDigests, registryDigest } from './registry-digest.js';

/** What a check after a reconnect found: an update to deploy, or nothing missed. */
export type MissedUpdate =
  | { missed: false; why: string }
  | { missed: true; why: string; sha?: string };

/**
 * Whether `branch` moved past what hanoverd last asked for (`last`), or past what its
 * mirror last fetched when it has asked for nothing yet.
 */
export async function missedGitUpdate(repo: GitRepo, branch: string, last: string | undefined, signal: AbortSignal): Promise<MissedUpdate> {
  const head = await remoteBranchHead(repo, branch, signal);
  if (head === undefined) return { missed: false, why: `branch ${branch} no longer exists in ${repo.label}` };
  const known = last ?? await mirrorBranchHead(repo, branch, signal);
  if (head === known) return { missed: false, why: `${branch} is still at ${head.slice(0, 12)}` };
  return { missed: true, why: `${branch} is at ${head.slice(0, 12)}`, sha: head };
}

/**
 * Whether the tag names a digest in the registry other than the one the live version runs
 * (not the local tag: a builder on the same engine moves that one).
 */
export async function missedPullUpdate(docker: Docker, app: string, ref: ImageRef, signal: AbortSignal): Promise<MissedUpdate> {
  const digest = await registryDigest(ref, signal);
  if (digest === undefined) return { missed: false, why: `${ref.name} is not in the registry` };
  const local = await liveDigests(docker, app, ref);
  if (local.includes(digest)) return { missed: false, why: `${ref.name} is still ${digest.slice(0, 19)}` };
  return { missed: true, why: `${ref.name} is now ${digest.slice(0, 19)}` };
}
