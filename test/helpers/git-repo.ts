import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';

/** A bare repository at `<base>/<owner>/<name>.git`, as --git-url-base expects, with a work tree to commit from. */
export interface TestGitRepo {
  base: string;
  bare: string;
  work: string;
  /** Writes files, commits them (on the work tree's branch) and returns the commit id; `push` also updates the bare repo. */
  commit(files: Record<string, string | Buffer>, message: string): Promise<string>;
  /** Points `branch` of the bare repository at `sha` (force). */
  setBranch(branch: string, sha: string): Promise<void>;
  remove(): void;
}

const GIT_IDENTITY = ['-c', 'user.name=hanoverd tests', '-c', 'user.email=tests@hanoverd.invalid', '-c', 'commit.gpgsign=false'];

export async function createGitRepo(owner: string, name: string, branch = 'main'): Promise<TestGitRepo> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-git-'));
  const base = path.join(root, 'remote');
  const bare = path.join(base, owner, `${name}.git`);
  const work = path.join(root, 'work');
  fs.mkdirSync(bare, { recursive: true });
  await execa('git', ['init', '--quiet', '--bare', '--initial-branch', branch, bare]);
  await execa('git', ['init', '--quiet', '--initial-branch', branch, work]);
  return {
    base,
    bare,
    work,
    async commit(files, message) {
      for (const [file, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
        fs.writeFileSync(path.join(work, file), content, { mode: /cgi-bin|busybox/.test(file) ? 0o755 : 0o644 });
      }
      await execa('git', ['-C', work, 'add', '--all']);
      await execa('git', ['-C', work, ...GIT_IDENTITY, 'commit', '--quiet', '-m', message]);
      const { stdout } = await execa('git', ['-C', work, 'rev-parse', 'HEAD']);
      return stdout.trim();
    },
    async setBranch(target, sha) {
      await execa('git', ['-C', work, 'push', '--quiet', '--force', bare, `${sha}:refs/heads/${target}`]);
    },
    remove: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}
