import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { checkoutRevision, cloneUrl, fetchRevision, gitRepo, mirrorBranchHead, remoteBranchHead, type GitRepo } from '../../../dist/source/git-mirror.js';
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
    await assert.rejects(fetchRevision(repo, 'main', 'f'.repeat(40), quiet, signal()), /commit f{40} is not in github\.com\/acme\/shop/);
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

test('names that reach git are validated', () => {
  assert.ok(isCommitSha('a'.repeat(40)) && isCommitSha('b'.repeat(64)));
  assert.ok(!isCommitSha('HEAD') && !isCommitSha('a'.repeat(39)) && !isCommitSha('A'.repeat(40)));
  for (const good of ['main', 'feature/x', 'release-1.2', 'a_b']) assert.ok(isBranchName(good), good);
  for (const bad of ['', '-x', '--upload-pack=x', 'a..b', 'a b', 'a~1', 'x.lock', '/a', 'a/', '.hidden', 'a@{1}', 'a:b']) assert.ok(!isBranchName(bad), bad);
  for (const good of ['', 'app', 'app/web']) assert.ok(isSubdir(good), good);
  for (const bad of ['/etc', '../x', 'a/../../b', '-x', '.git']) assert.ok(!isSubdir(bad), bad);
});
