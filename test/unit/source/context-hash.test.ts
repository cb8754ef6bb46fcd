import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { hashBuildContext, type ContextHashCache } from '../../../dist/source/context-hash.js';

const SETTINGS = { dockerfile: 'Dockerfile', labels: { 'hanoverd.built-as': 'app' } };

/** A small app: a Dockerfile, a script, a nested file, a symlink, an empty folder. */
function makeTree(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-hash-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.mkdirSync(path.join(dir, 'www', 'cgi-bin'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'empty'));
  fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\nCOPY www /www\n');
  fs.writeFileSync(path.join(dir, 'www', 'index.html'), 'ok\n');
  fs.writeFileSync(path.join(dir, 'www', 'cgi-bin', 'host'), '#!/bin/sh\nhostname\n', { mode: 0o755 });
  fs.chmodSync(path.join(dir, 'www', 'cgi-bin', 'host'), 0o755);
  fs.symlinkSync('index.html', path.join(dir, 'www', 'home.html'));
  return dir;
}

const hashOf = async (dir: string, settings: Record<string, unknown> = SETTINGS, cache?: ContextHashCache) =>
  (await hashBuildContext(dir, settings, { ...(cache ? { cache } : {}), signal: AbortSignal.timeout(10_000) })).hash;

/** Each change, made to a fresh tree, must change the hash. */
const CHANGES: Record<string, (dir: string) => void> = {
  'a byte of content': (dir) => fs.writeFileSync(path.join(dir, 'www', 'index.html'), 'OK\n'),
  'content of the same size and mtime': (dir) => {
    const file = path.join(dir, 'www', 'index.html');
    const { atime, mtime } = fs.statSync(file);
    fs.writeFileSync(file, 'no\n');
    fs.utimesSync(file, atime, mtime);
  },
  'a mode': (dir) => fs.chmodSync(path.join(dir, 'www', 'cgi-bin', 'host'), 0o644),
  'a folder mode': (dir) => fs.chmodSync(path.join(dir, 'empty'), 0o700),
  'a file name': (dir) => fs.renameSync(path.join(dir, 'www', 'index.html'), path.join(dir, 'www', 'index.htm')),
  'a file moved to another folder': (dir) => fs.renameSync(path.join(dir, 'www', 'cgi-bin', 'host'), path.join(dir, 'www', 'host')),
  'a new empty file': (dir) => fs.writeFileSync(path.join(dir, 'www', 'new'), ''),
  'a new empty folder': (dir) => fs.mkdirSync(path.join(dir, 'www', 'new')),
  'a removed file': (dir) => fs.rmSync(path.join(dir, 'www', 'cgi-bin', 'host')),
  'a symlink target': (dir) => {
    fs.rmSync(path.join(dir, 'www', 'home.html'));
    fs.symlinkSync('cgi-bin', path.join(dir, 'www', 'home.html'));
  },
  'the Dockerfile': (dir) => fs.appendFileSync(path.join(dir, 'Dockerfile'), 'EXPOSE 80\n'),
  'a new .dockerignore': (dir) => fs.writeFileSync(path.join(dir, '.dockerignore'), '# nothing left out\n'),
  'a .dockerignore that leaves out a sent file': (dir) => fs.writeFileSync(path.join(dir, '.dockerignore'), 'www/index.html\n'),
};

test('the same tree hashes the same, in another folder too', async (t) => {
  const one = makeTree(t);
  const two = makeTree(t);
  const hash = await hashOf(one);
  assert.match(hash, /^sha256:[0-9a-f]{64}$/);
  assert.equal(await hashOf(one), hash);
  assert.equal(await hashOf(two), hash, 'the folder\'s own path and the files\' times do not count');
});

for (const [change, make] of Object.entries(CHANGES)) {
  test(`changing ${change} changes the hash`, async (t) => {
    const dir = makeTree(t);
    const cache: ContextHashCache = new Map();
    const before = await hashOf(dir, SETTINGS, cache);
    make(dir);
    assert.notEqual(await hashOf(dir, SETTINGS, cache), before, 'with the cache');
    assert.notEqual(await hashOf(dir), before, 'without');
  });
}

test('the build settings count: another Dockerfile name, build argument or label', async (t) => {
  const dir = makeTree(t);
  const hash = await hashOf(dir);
  assert.notEqual(await hashOf(dir, { ...SETTINGS, dockerfile: 'Dockerfile.prod' }), hash);
  assert.notEqual(await hashOf(dir, { ...SETTINGS, buildargs: { VERSION: '2' } }), hash);
  assert.notEqual(await hashOf(dir, { ...SETTINGS, labels: { 'hanoverd.built-as': 'other' } }), hash);
});

test('what .dockerignore leaves out does not count', async (t) => {
  const dir = makeTree(t);
  fs.writeFileSync(path.join(dir, '.dockerignore'), '*.log\nnode_modules\n');
  const hash = await hashOf(dir);
  fs.writeFileSync(path.join(dir, 'debug.log'), 'noise');
  fs.mkdirSync(path.join(dir, 'node_modules', 'left-pad'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'node_modules', 'left-pad', 'index.js'), 'module.exports = 1;');
  fs.mkdirSync(path.join(dir, '.hanoverd', 'git'), { recursive: true });
  assert.equal(await hashOf(dir), hash);
  // ...but a file .dockerignore matches only at the top is sent from deeper folders.
  fs.writeFileSync(path.join(dir, 'www', 'deep.log'), 'sent');
  assert.notEqual(await hashOf(dir), hash);
});

test('an exception in .dockerignore brings a file back into the hash', async (t) => {
  const dir = makeTree(t);
  fs.mkdirSync(path.join(dir, 'secret'));
  fs.writeFileSync(path.join(dir, 'secret', 'key.pem'), 'private');
  fs.writeFileSync(path.join(dir, 'secret', 'public.txt'), 'public');
  fs.writeFileSync(path.join(dir, '.dockerignore'), 'secret\n!secret/public.txt\n');
  const hash = await hashOf(dir);
  fs.writeFileSync(path.join(dir, 'secret', 'key.pem'), 'rotated');
  assert.equal(await hashOf(dir), hash);
  fs.writeFileSync(path.join(dir, 'secret', 'public.txt'), 'changed');
  assert.notEqual(await hashOf(dir), hash);
});

test('a file unchanged since well before it was read is not read again', async (t) => {
  const dir = makeTree(t);
  const big = path.join(dir, 'big.bin');
  fs.writeFileSync(big, Buffer.alloc(3 << 20, 7));
  // Written a minute ago: not within the racy window of the first read.
  const past = new Date(Date.now() - 60_000);
  for (const file of ['Dockerfile', 'big.bin', 'www/index.html', 'www/cgi-bin/host']) fs.utimesSync(path.join(dir, file), past, past);
  const cache: ContextHashCache = new Map();
  const hash = (signal = AbortSignal.timeout(10_000)) => hashBuildContext(dir, SETTINGS, { cache, signal });
  const first = await hash();
  assert.equal(first.files, 4);
  assert.equal(first.read, first.bytes);
  const second = await hash();
  assert.equal(second.hash, first.hash);
  assert.equal(second.read, 0);
  // A rewrite that keeps the size and the mtime still changes the ctime: read again.
  fs.writeFileSync(big, Buffer.alloc(3 << 20, 8));
  fs.utimesSync(big, past, past);
  const third = await hash();
  assert.notEqual(third.hash, first.hash);
  assert.equal(third.read, 3 << 20);
});

test('a file changed just before it was read is read again next time', async (t) => {
  const dir = makeTree(t);
  const cache: ContextHashCache = new Map();
  const first = await hashBuildContext(dir, SETTINGS, { cache, signal: AbortSignal.timeout(10_000) });
  const second = await hashBuildContext(dir, SETTINGS, { cache, signal: AbortSignal.timeout(10_000) });
  assert.equal(second.hash, first.hash);
  assert.equal(second.read, first.bytes, 'everything was written within the racy window');
});

test('an aborted hash stops and leaves the cache as it was', async (t) => {
  const dir = makeTree(t);
  const cache: ContextHashCache = new Map();
  const controller = new AbortController();
  controller.abort(new Error('stop'));
  await assert.rejects(hashBuildContext(dir, SETTINGS, { cache, signal: controller.signal }), /stop/);
  assert.equal(cache.size, 0);
});

test('the cache remembers a few folders only', async (t) => {
  const cache: ContextHashCache = new Map();
  const dirs = Array.from({ length: 6 }, () => makeTree(t));
  for (const dir of dirs) await hashOf(dir, SETTINGS, cache);
  assert.deepEqual([...cache.keys()], dirs.slice(2));
});
