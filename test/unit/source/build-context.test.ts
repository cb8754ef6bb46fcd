import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import tarStream from 'tar-stream';
import { packBuildContext } from '../../../dist/source/build-context.js';

const FILES = [
  'Dockerfile', 'app.js', 'debug.log', 'keep.log', 'c.tmp',
  'src/main.js', 'src/deep/b.tmp', 'src/nested.log',
  'node_modules/left-pad/index.js', 'secret/key.pem', 'secret/public.txt',
];

/** A build context holding FILES (each containing its own name) and the given .dockerignore. */
function makeContext(t: TestContext, dockerignore: string | undefined): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-context-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const file of FILES) {
    fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), file);
  }
  if (dockerignore !== undefined) fs.writeFileSync(path.join(dir, '.dockerignore'), dockerignore);
  return dir;
}

/** The files and directories in the packed context, sorted, with each file's content checked. */
async function packed(dir: string): Promise<{ files: string[]; dirs: string[] }> {
  const extract = tarStream.extract();
  packBuildContext(dir).pipe(extract);
  const files: string[] = [];
  const dirs: string[] = [];
  for await (const entry of extract) {
    const { name, type } = entry.header;
    if (type === 'directory') {
      dirs.push(name);
      entry.resume();
    } else {
      files.push(name);
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      if (name !== '.dockerignore') assert.equal(Buffer.concat(chunks).toString(), name);
    }
  }
  return { files: files.sort(), dirs: dirs.sort() };
}

test('sends everything without a .dockerignore', async (t) => {
  const { files, dirs } = await packed(makeContext(t, undefined));
  assert.deepEqual(files, [...FILES].sort());
  assert.deepEqual(dirs, ['.', 'node_modules', 'node_modules/left-pad', 'secret', 'src', 'src/deep']);
});

test('leaves out what .dockerignore excludes, pruning whole folders', async (t) => {
  const dir = makeContext(t, '# build junk\n*.log\nnode_modules\nsecret/\n**/*.tmp\n');
  const { files, dirs } = await packed(dir);
  // "*.log" only matches at the top, as in Docker; "**/*.tmp" matches at any depth.
  assert.deepEqual(files, ['.dockerignore', 'Dockerfile', 'app.js', 'src/main.js', 'src/nested.log']);
  assert.deepEqual(dirs, ['.', 'src', 'src/deep']);
});

test('brings back files named by an exception', async (t) => {
  const dir = makeContext(t, '*.log\nnode_modules\nsecret/\n!keep.log\n!secret/public.txt\n**/*.tmp\n');
  const { files } = await packed(dir);
  assert.deepEqual(files, ['.dockerignore', 'Dockerfile', 'app.js', 'keep.log', 'secret/public.txt', 'src/main.js', 'src/nested.log']);
});

test('always sends Dockerfile and .dockerignore', async (t) => {
  const dir = makeContext(t, '*\nDockerfile\n.dockerignore\n');
  assert.deepEqual((await packed(dir)).files, ['.dockerignore', 'Dockerfile']);
});

// BUG (src/source/build-context.ts:27): once any "!" exception exists, every excluded
// directory is kept (only its files are dropped), so the context carries empty
// node_modules/, node_modules/left-pad/ and secret/ entries that `COPY . .` recreates in
// the image, and all of node_modules is walked. Docker skips an excluded directory unless
// an exception pattern lies inside it. Fix: return true for a directory unless some
// exception pattern starts with `${relative}/`.
test('leaves out excluded folders that no exception reaches into', async (t) => {
  const dir = makeContext(t, '*.log\nnode_modules\nsecret/\n!keep.log\n');
  assert.deepEqual((await packed(dir)).dirs, ['.', 'src', 'src/deep']);
});

// BUG (src/source/build-context.ts:27): with an exception present, the ignore callback calls
// fs.statSync on every excluded entry. statSync follows symlinks, so an excluded dangling
// symlink (or a file deleted while packing) throws ENOENT inside tar-fs's readdir
// callback: an uncaught exception that kills the whole process. (A symlink to a folder is
// also taken for a folder and sent.) Fix: use fs.lstatSync(name, { throwIfNoEntry: false })
// ?.isDirectory() ?? false, matching tar-fs's own lstat. Skipped, not todo: running it
// crashes the test process.
test('packs a context with an excluded dangling symlink', async (t) => {
  const dir = makeContext(t, '*.log\n!keep.log\n');
  fs.symlinkSync('does-not-exist', path.join(dir, 'dangling.log'));
  assert.ok(!(await packed(dir)).files.includes('dangling.log'));
});
