import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { HanoverdError } from '../errors.js';
import type { Logger } from '../log.js';
import { isCommitSha } from './git-names.js';

/** A repository hanoverd builds, and where its local mirror lives. */
export interface GitRepo {
  /** For logs, e.g. `github.com/acme/shop`. */
  label: string;
  /** What git fetches from: ssh://, https://, file:// or a path. */
  url: string;
  /** The bare mirror, kept between deploys. */
  mirrorDir: string;
  /** Where clean build directories are made (and removed). */
  buildRoot: string;
}

const SSH_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa', 'id_dsa'];

/** Git never asks a question on a terminal hanoverd does not have. */
const GIT_ENV = { GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true', LC_ALL: 'C' };

export function haveSshKey(home = os.homedir()): boolean {
  return SSH_KEYS.some((key) => fs.existsSync(path.join(home, '.ssh', key)));
}

/**
 * Where `host/owner/repo` is fetched from: `<base>/owner/repo.git` when a base is given
 * (another git host, or a local directory in tests), else SSH when a key is present
 * and HTTPS otherwise, as the original did.
 */
export function cloneUrl(host: string, owner: string, repo: string, base: string | undefined, sshKey: boolean): string {
  if (base !== undefined && base !== '') return `${base.replace(/\/+$/, '')}/${owner}/${repo}.git`;
  return sshKey ? `ssh://git@${host}/${owner}/${repo}.git` : `https://${host}/${owner}/${repo}.git`;
}

export function gitRepo(workDir: string, mirrorsDir: string, host: string, owner: string, repo: string, url: string): GitRepo {
  const root = path.resolve(workDir, mirrorsDir);
  return {
    label: `${host}/${owner}/${repo}`,
    url,
    mirrorDir: path.join(root, host.replace(/:/g, '_'), owner, `${repo}.git`),
    buildRoot: path.join(root, 'build'),
  };
}

async function git(args: string[], signal: AbortSignal, cwd?: string): Promise<string> {
  try {
    const result = await execa('git', args, { cwd, env: GIT_ENV, cancelSignal: signal, forceKillAfterDelay: 2000, stdin: 'ignore' });
    return result.stdout;
  } catch (error) {
    signal.throwIfAborted();
    const stderr = (error as { stderr?: unknown }).stderr;
    const detail = typeof stderr === 'string' && stderr.trim() !== '' ? stderr.trim().split('\n').slice(-2).join(' ') : String(error);
    throw new HanoverdError(`git ${args[0] === '--git-dir' ? args[2] : args[0]} failed: ${detail}`);
  }
}

// One git operation at a time per mirror: a superseded deploy may still be fetching.
const mirrorLocks = new Map<string, Promise<unknown>>();

async function withMirrorLock<T>(mirrorDir: string, work: () => Promise<T>): Promise<T> {
  const previous = mirrorLocks.get(mirrorDir) ?? Promise.resolve();
  const current = previous.catch(() => {}).then(work);
  mirrorLocks.set(mirrorDir, current);
  try {
    return await current;
  } finally {
    if (mirrorLocks.get(mirrorDir) === current) mirrorLocks.delete(mirrorDir);
  }
}

/** The commit `branch` points at on the remote, without fetching (git ls-remote). */
export async function remoteBranchHead(repo: GitRepo, branch: string, signal: AbortSignal): Promise<string | undefined> {
  const out = await git(['ls-remote', '--', repo.url, `refs/heads/${branch}`], signal);
  const sha = out.split('\n').map((line) => line.split('\t')).find((parts) => parts[1] === `refs/heads/${branch}`)?.[0];
  return sha !== undefined && isCommitSha(sha) ? sha : undefined;
}

/** The commit the mirror last fetched for `branch`, or undefined before the first fetch. */
export async function mirrorBranchHead(repo: GitRepo, branch: string, signal: AbortSignal): Promise<string | undefined> {
  if (!fs.existsSync(repo.mirrorDir)) return undefined;
  const out = await git(['--git-dir', repo.mirrorDir, 'rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`], signal).catch(() => '');
  return isCommitSha(out.trim()) ? out.trim() : undefined;
}

/**
 * Fetches `branch` into the mirror (creating it the first time) and returns the commit to
 * build: `sha` when given (fetched by id when no branch holds it any more), else the
 * branch head.
 */
export async function fetchRevision(repo: GitRepo, branch: string, sha: string | undefined, log: Logger, signal: AbortSignal): Promise<string> {
  return withMirrorLock(repo.mirrorDir, async () => {
    const gitDir = ['--git-dir', repo.mirrorDir];
    if (!fs.existsSync(path.join(repo.mirrorDir, 'HEAD'))) {
      fs.mkdirSync(repo.mirrorDir, { recursive: true });
      await git(['init', '--quiet', '--bare', repo.mirrorDir], signal);
    }
    log.info(`fetching ${repo.label} ${branch}${sha ? ` for ${sha.slice(0, 12)}` : ''}`);
    await git([...gitDir, 'fetch', '--quiet', '--prune', '--no-tags', '--', repo.url, `+refs/heads/${branch}:refs/heads/${branch}`], signal);
    if (sha === undefined) {
      const head = await mirrorBranchHead(repo, branch, signal);
      if (head === undefined) throw new HanoverdError(`branch ${branch} of ${repo.label} has no commit`);
      return head;
    }
    const have = async () => (await git([...gitDir, 'cat-file', '-t', sha], signal).catch(() => '')).trim() === 'commit';
    if (!(await have())) {
      // A commit no longer on the branch (force-pushed away) may still be fetched by id.
      await git([...gitDir, 'fetch', '--quiet', '--no-tags', '--', repo.url, sha], signal).catch(() => {});
      if (!(await have())) throw new HanoverdError(`commit ${sha} is not in ${repo.label}; was it force-pushed away?`);
    }
    return sha;
  });
}

/** A clean checkout of one commit, to build from and then remove. */
export interface Checkout {
  dir: string;
  remove(): void;
}

export async function checkoutRevision(repo: GitRepo, sha: string, signal: AbortSignal): Promise<Checkout> {
  fs.mkdirSync(repo.buildRoot, { recursive: true });
  const dir = path.join(repo.buildRoot, `${path.basename(repo.mirrorDir, '.git')}-${sha.slice(0, 12)}-${randomBytes(3).toString('hex')}`);
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  try {
    await withMirrorLock(repo.mirrorDir, () => git(['clone', '--quiet', '--shared', '--no-checkout', '--', repo.mirrorDir, dir], signal));
    await git(['-c', 'advice.detachedHead=false', 'checkout', '--quiet', '--detach', sha], signal, dir);
  } catch (error) {
    remove();
    throw error;
  }
  return { dir, remove };
}
