import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { checkMirrorOwner, checkoutRevision, cloneUrl, fetchRevision, gitRepo, mirrorBranchHead, remoteBranchHead, type GitRepo } from '../../../dist/source/git-mirror.js';
import { isBranchName, isCommitSha, isSubdir } from '../../../dist/source/git-names.js';
import { missedGitUpdate } from '../../../dist/source/missed-update.js';
import type { Logger } from '../../../dist/log.js';
import { createGitRepo, type TestGitRepo } from '../../helpers/git-repo.ts';

const quiet: Logger = { info() {}, warn() {}, error() {}, output() {} };
const signal = () => AbortSignal.timeout(20_000);

describe('git mirror', () => {
  let remote: TestGitRepo;
  let workDir: string;
  let repo: GitRepo;
  let first: string;
  let second: string;
  before(async () => {
    remote = await createGitRepo('acme', 'shop');
    first = await remote.commit({ 'version': 'v1\n' }, 'one');
    second = await remote.commit({ 'version': 'v2\n' }, 'two');
    await remote.setBranch('main', first);
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-mirror-'));
    repo = gitRepo(workDir, '.hanoverd/git', 'github.com', 'acme', 'shop', cloneUrl('github.com', 'acme', 'shop', remote.base, false));
  });
  after(() => {
    remote.remove();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  test('clone URLs: a base, else SSH with a key, else HTTPS', () => {
    assert.equal(cloneUrl('github.com', 'a', 'b', 'file:///srv/git/', true), 'file:///srv/git/a/b.git');
    assert.equal(cloneUrl('github.com', 'a', 'b', undefined, true), 'ssh://git@github.com/a/b.git');
    assert.equal(cloneUrl('github.com', 'a', 'b', undefined, false), 'https://github.com/a/b.git');
    assert.equal(repo.mirrorDir, path.join(workDir, '.hanoverd/git/github.com/acme/shop.git'));
  });

  test('the first fetch creates the mirror and resolves the branch head', async () => {
    assert.equal(await mirrorBranchHead(repo, 'main', signal()), undefined);
    assert.equal(await fetchRevision(repo, 'main', undefined, quiet, signal()), first);
    assert.equal(await mirrorBranchHead(repo, 'main', signal()), first);
  });

  test('an exact commit is fetched and checked out into a clean directory, then removed', async () => {
    await remote.setBranch('main', second);
    assert.equal(await fetchRevision(repo, 'main', first, quiet, signal()), first);
    const checkout = await checkoutRevision(repo, first, signal());
    assert.equal(fs.readFileSync(path.join(checkout.dir, 'version'), 'utf8'), 'v1\n');
    checkout.remove();
    assert.equal(fs.existsSync(checkout.dir), false);
    const next = await checkoutRevision(repo, second, signal());
    assert.equal(fs.readFileSync(path.join(next.dir, 'version'), 'utf8'), 'v2\n');
    next.remove();
  });

  test('an unknown commit fails clearly', async () => {
    await assert.rejects(fetchRevision(repo, 'main', 'f'.repeat(40), quiet, signal()), /^HanoverdError: commit f{40} is not on branch main of github\.com\/acme\/shop; refusing/);
  });

  test('ls-remote tells what a branch points at, and whether an update was missed', async () => {
    assert.equal(await remoteBranchHead(repo, 'main', signal()), second);
    assert.equal(await remoteBranchHead(repo, 'gone', signal()), undefined);
    assert.deepEqual(await missedGitUpdate(repo, 'main', second, signal()), { missed: false, why: `main is still at ${second.slice(0, 12)}` });
    await remote.setBranch('main', first);
    assert.deepEqual(await missedGitUpdate(repo, 'main', second, signal()), { missed: true, why: `main is at ${first.slice(0, 12)}`, sha: first });
  });

  test('an aborted fetch rejects with the abort reason', async () => {
    const controller = new AbortController();
    controller.abort(new Error('superseded'));
    await assert.rejects(fetchRevision(repo, 'main', undefined, quiet, controller.signal), /superseded/);
  });
});

describe('git never runs what a repository names, and deploys only commits on the branch', () => {
  let remote: TestGitRepo;
  let workDir: string;
  let repo: GitRepo;
  let base: string;
  let side: string;
  const marker = () => path.join(workDir, 'hook-ran');
  const hook = () => `#!/bin/sh\necho "$0" >> ${marker()}\n`;
  before(async () => {
    remote = await createGitRepo('acme', 'shop');
    base = await remote.commit({ 'Dockerfile': 'FROM scratch\n' }, 'base');
    side = await remote.commit({ 'evil': 'x\n' }, 'from a fork');
    await remote.setBranch('main', base);
    await remote.setBranch('pr', side);
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-mirror-'));
    repo = gitRepo(workDir, '.hanoverd/git', 'github.com', 'acme', 'shop', cloneUrl('github.com', 'acme', 'shop', remote.base, false));
  });
  after(() => {
    delete process.env.GIT_TEMPLATE_DIR;
    remote.remove();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  test('hooks planted in the mirror, or named by its config, do not run', async () => {
    assert.equal(await fetchRevision(repo, 'main', undefined, quiet, signal()), base);
    const hooks = path.join(repo.mirrorDir, 'hooks');
    const elsewhere = path.join(workDir, 'elsewhere');
    fs.mkdirSync(elsewhere);
    for (const dir of [hooks, elsewhere]) {
      for (const name of ['reference-transaction', 'post-checkout', 'post-merge', 'pre-auto-gc', 'post-index-change']) {
        fs.writeFileSync(path.join(dir, name), hook(), { mode: 0o755 });
      }
    }
    fs.appendFileSync(path.join(repo.mirrorDir, 'config'), `[core]\n\thooksPath = ${elsewhere}\n\tfsmonitor = ${path.join(elsewhere, 'post-checkout')}\n`);
    // Fresh clones copy the template's hooks: one that has a post-checkout.
    const template = path.join(workDir, 'template');
    fs.mkdirSync(path.join(template, 'hooks'), { recursive: true });
    fs.writeFileSync(path.join(template, 'hooks', 'post-checkout'), hook(), { mode: 0o755 });
    process.env.GIT_TEMPLATE_DIR = template;
    await remote.setBranch('main', side);
    assert.equal(await fetchRevision(repo, 'main', undefined, quiet, signal()), side);
    const checkout = await checkoutRevision(repo, side, signal());
    checkout.remove();
    await remote.setBranch('main', base);
    assert.equal(await fetchRevision(repo, 'main', undefined, quiet, signal()), base);
    assert.equal(fs.existsSync(marker()), false, fs.existsSync(marker()) ? fs.readFileSync(marker(), 'utf8') : '');
  });

  test('a commit that is not on the branch is refused, even one the mirror holds', async () => {
    // The pr branch's commit is fetched into the mirror (as a fetch by id would), yet main does not hold it.
    assert.equal(await fetchRevision(repo, 'pr', undefined, quiet, signal()), side);
    await assert.rejects(fetchRevision(repo, 'main', side, quiet, signal()),
      new RegExp(`^HanoverdError: commit ${side} is not on branch main of github\\.com/acme/shop; refusing to deploy it`));
    assert.equal(await fetchRevision(repo, 'main', base, quiet, signal()), base);
  });

  test('a mirror owned by another user is refused', { skip: process.getuid?.() !== 0 && 'needs root to chown' }, async () => {
    fs.chownSync(repo.mirrorDir, 12345, 12345);
    try {
      assert.throws(() => checkMirrorOwner(repo.mirrorDir), new RegExp(`git mirror ${repo.mirrorDir} belongs to uid 12345, not to hanoverd's user \\(uid 0\\); remove it`));
      await assert.rejects(fetchRevision(repo, 'main', undefined, quiet, signal()), /belongs to uid 12345/);
      await assert.rejects(checkoutRevision(repo, base, signal()), /belongs to uid 12345/);
    } finally {
      fs.chownSync(repo.mirrorDir, 0, 0);
    }
    fs.chownSync(path.join(repo.mirrorDir, 'config'), 12345, 12345);
    try {
      await assert.rejects(fetchRevision(repo, 'main', undefined, quiet, signal()), /belongs to uid 12345/);
    } finally {
      fs.chownSync(path.join(repo.mirrorDir, 'config'), 0, 0);
    }
  });

  test('a password in the URL never reaches an error', async () => {
    const secret = gitRepo(workDir, '.hanoverd/secret', 'github.com', 'acme', 'nope', 'http://bot:s3cr3t-T0ken@127.0.0.1:9/acme/nope.git');
    await assert.rejects(remoteBranchHead(secret, 'main', signal()), (error: Error) => {
      assert.match(error.message, /^git ls-remote failed: /);
      assert.ok(!error.message.includes('s3cr3t'), error.message);
      return true;
    });
  });
});

test('names that reach git are validated', () => {
  assert.ok(isCommitSha('a'.repeat(40)) && isCommitSha('b'.repeat(64)));
  assert.ok(!isCommitSha('HEAD') && !isCommitSha('a'.repeat(39)) && !isCommitSha('A'.repeat(40)));
  for (const good of ['main', 'feature/x', 'release-1.2', 'a_b']) assert.ok(isBranchName(good), good);
  for (const bad of ['', '-x', '--upload-pack=x', 'a..b', 'a b', 'a~1', 'x.lock', '/a', 'a/', '.hidden', 'a@{1}', 'a:b']) assert.ok(!isBranchName(bad), bad);
  for (const good of ['', 'app', 'app/web']) assert.ok(isSubdir(good), good);
  for (const bad of ['/etc', '../x', 'a/../../b', '-x', '.git']) assert.ok(!isSubdir(bad), bad);
});
