import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { GitFetchTimeoutMs, GitQuickTimeoutMs } from '../defaults.js';
import { HanoverdError } from '../errors.js';
import { redactUrls } from '../redact.js';
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

/**
 * Before every git command: nothing a repository's own files name is ever run. Git runs
 * with --git-dir, which skips its ownership check, so a hook or a config planted in a
 * mirror by another user would otherwise run as hanoverd's user (root, often).
 */
const SAFE_GIT = [
  // No hook at all: post-checkout, reference-transaction, and the rest.
  '-c', 'core.hooksPath=/dev/null',
  // fsmonitor may name a program to run.
  '-c', 'core.fsmonitor=false',
  // An ext:: URL (from a url.*.insteadOf, say) is a command line.
  '-c', 'protocol.ext.allow=never',
];

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

async function git(args: string[], signal: AbortSignal, options: { cwd?: string; timeoutMs?: number } = {}): Promise<string> {
  const timeoutMs = options.timeoutMs ?? GitQuickTimeoutMs;
  const what = `git ${args[0] === '--git-dir' ? args[2] : args[0]}`;
  try {
    const result = await execa('git', [...SAFE_GIT, ...args], {
      cwd: options.cwd, env: GIT_ENV, cancelSignal: signal, timeout: timeoutMs, forceKillAfterDelay: 2000, stdin: 'ignore',
    });
    return result.stdout;
  } catch (error) {
    signal.throwIfAborted();
    if ((error as { timedOut?: unknown }).timedOut === true) {
      throw new HanoverdError(`${what} did not finish within ${Math.round(timeoutMs / 1000)}s; check the network and the git host`);
    }
    const stderr = (error as { stderr?: unknown }).stderr;
    // git's and execa's text may hold the URL, and so a password from --git-url-base.
    const detail = typeof stderr === 'string' && stderr.trim() !== '' ? stderr.trim().split('\n').slice(-2).join(' ') : String(error);
    throw new HanoverdError(`${what} failed: ${redactUrls(detail)}`);
  }
}

/**
 * Refuses a mirror that is not the daemon's user's own: its config and hooks would be
 * another user's choice (see SAFE_GIT for what is disabled anyway).
 */
export function checkMirrorOwner(mirrorDir: string, uid = process.getuid?.()): void {
  if (uid === undefined) return;
  for (const file of [mirrorDir, path.join(mirrorDir, 'config')]) {
    let owner: number;
    try {
      owner = fs.statSync(file).uid;
    } catch {
      continue;
    }
    if (owner !== uid) {
      throw new HanoverdError(`git mirror ${mirrorDir} belongs to uid ${owner}, not to hanoverd's user (uid ${uid}); remove it (hanoverd fetches it again) or chown -R ${uid} it`);
    }
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
  const out = await git(['ls-remote', '--', repo.url, `refs/heads/${branch}`], signal, { timeoutMs: GitQuickTimeoutMs });
  const sha = out.split('\n').map((line) => line.split('\t')).find((parts) => parts[1] === `refs/heads/${branch}`)?.[0];
  return sha !== undefined && isCommitSha(sha) ? sha : undefined;
}

/** The commit the mirror last fetched for `branch`, or undefined before the first fetch. */
export async function mirrorBranchHead(repo: GitRepo, branch: string, signal: AbortSignal): Promise<string | undefined> {
  if (!fs.existsSync(repo.mirrorDir)) return undefined;
  checkMirrorOwner(repo.mirrorDir);
  const out = await git(['--git-dir', repo.mirrorDir, 'rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`], signal).catch(() => '');
  return isCommitSha(out.trim()) ? out.trim() : undefined;
}

/**
 * Fetches `branch` into the mirror (creating it the first time) and returns the commit to
 * build: `sha` when given, else the branch head. `sha` must be on the branch (reachable
 * from its head): hookbot may name any commit, and a git host serves by id commits that
 * no branch holds (a fork's, a pull request's).
 */
export async function fetchRevision(repo: GitRepo, branch: string, sha: string | undefined, log: Logger, signal: AbortSignal): Promise<string> {
  return withMirrorLock(repo.mirrorDir, async () => {
    const gitDir = ['--git-dir', repo.mirrorDir];
    if (!fs.existsSync(path.join(repo.mirrorDir, 'HEAD'))) {
      fs.mkdirSync(repo.mirrorDir, { recursive: true });
      checkMirrorOwner(repo.mirrorDir);
      await git(['init', '--quiet', '--bare', repo.mirrorDir], signal);
    }
    checkMirrorOwner(repo.mirrorDir);
    log.info(`fetching ${repo.label} ${branch}${sha ? ` for ${sha.slice(0, 12)}` : ''}`);
    await git([...gitDir, 'fetch', '--quiet', '--prune', '--no-tags', '--', repo.url, `+refs/heads/${branch}:refs/heads/${branch}`], signal, { timeoutMs: GitFetchTimeoutMs });
    if (sha === undefined) {
      const head = await mirrorBranchHead(repo, branch, signal);
      if (head === undefined) throw new HanoverdError(`branch ${branch} of ${repo.label} has no commit`);
      return head;
    }
    const onBranch = await git([...gitDir, 'merge-base', '--is-ancestor', sha, `refs/heads/${branch}`], signal).then(() => true, () => false);
    signal.throwIfAborted();
    if (!onBranch) {
      throw new HanoverdError(`commit ${sha} is not on branch ${branch} of ${repo.label}; refusing to deploy it (force-pushed away, or a commit from a fork)`);
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
    await withMirrorLock(repo.mirrorDir, () => {
      checkMirrorOwner(repo.mirrorDir);
      return git(['clone', '--quiet', '--shared', '--no-checkout', '--', repo.mirrorDir, dir], signal, { timeoutMs: GitFetchTimeoutMs });
    });
    await git(['-c', 'advice.detachedHead=false', 'checkout', '--quiet', '--detach', sha], signal, { cwd: dir, timeoutMs: GitFetchTimeoutMs });
  } catch (error) {
    remove();
    throw error;
  }
  return { dir, remove };
}
