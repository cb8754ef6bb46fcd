import { createHash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ContextCacheDirs, ContextRacyMs, ContextReadChunkBytes } from '../defaults.js';
import { contextExcludes } from './build-context.js';

/** A file's content digest and the lstat it was read under: while lstat says the same, it is not read again. */
interface CachedDigest {
  dev: bigint;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  /** When the content was read; a file changed shortly before may change again unseen within the same timestamp tick. */
  readAtNs: bigint;
  digest: string;
}

/** Content digests by context folder, then by path inside it; only the newest few folders are kept. */
export type ContextHashCache = Map<string, Map<string, CachedDigest>>;

export interface ContextHash {
  /** `sha256:<hex>` over every path, type, mode, symlink target and content the context sends, and `settings`. */
  hash: string;
  files: number;
  bytes: number;
  /** Bytes actually read: the rest came from the cache. */
  read: number;
}

const sameFile = (cached: CachedDigest | undefined, stat: BigIntStats): cached is CachedDigest =>
  cached !== undefined && cached.dev === stat.dev && cached.ino === stat.ino && cached.size === stat.size
  && cached.mtimeNs === stat.mtimeNs && cached.ctimeNs === stat.ctimeNs
  && stat.mtimeNs + BigInt(ContextRacyMs) * 1_000_000n < cached.readAtNs;

async function digestFile(file: string, buffer: Buffer, signal: AbortSignal): Promise<{ digest: string; bytes: number }> {
  const handle = await fs.open(file, 'r');
  try {
    const hash = createHash('sha256');
    let bytes = 0;
    for (;;) {
      signal.throwIfAborted();
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) return { digest: hash.digest('hex'), bytes };
      hash.update(buffer.subarray(0, bytesRead));
      bytes += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

/**
 * Hashes the build context of `dir` exactly as `packBuildContext` would send it (same
 * `.dockerignore` rules), streaming each file in chunks, together with `settings` (what
 * else decides the build: Dockerfile name, build args, labels). Two contexts that would
 * build the same image hash the same; any change to a sent path, mode or byte does not.
 * With a `cache`, a file whose lstat (size, mtime, ctime, inode) is unchanged since it
 * was last read is not read again.
 */
export async function hashBuildContext(
  dir: string, settings: Readonly<Record<string, unknown>>, options: { cache?: ContextHashCache; signal: AbortSignal },
): Promise<ContextHash> {
  const { cache, signal } = options;
  const excludes = contextExcludes(dir);
  const before = cache?.get(dir);
  const after = new Map<string, CachedDigest>();
  const total = createHash('sha256').update(`hanoverd build context 1\n${JSON.stringify(settings)}\n`);
  const buffer = Buffer.allocUnsafe(ContextReadChunkBytes);
  const counts = { files: 0, bytes: 0, read: 0 };

  const walk = async (folder: string): Promise<void> => {
    const names = (await fs.readdir(path.join(dir, folder))).sort();
    const children = names.map((name) => (folder === '' ? name : `${folder}/${name}`)).filter((child) => !excludes(path.join(dir, child)));
    const stats = await Promise.all(children.map((child) => fs.lstat(path.join(dir, child), { bigint: true })));
    for (const [index, child] of children.entries()) await visit(child, stats[index]!);
  };

  const visit = async (relative: string, stat: BigIntStats): Promise<void> => {
    signal.throwIfAborted();
    const name = JSON.stringify(relative);
    const mode = (stat.mode & 0o7777n).toString(8);
    const file = path.join(dir, relative);
    if (stat.isDirectory()) {
      total.update(`d ${name} ${mode}\n`);
      return walk(relative === '.' ? '' : relative);
    }
    if (stat.isSymbolicLink()) {
      total.update(`l ${name} ${mode} ${JSON.stringify(await fs.readlink(file))}\n`);
      return;
    }
    // tar-fs leaves sockets out; anything else that is not a file fails the build anyway.
    if (stat.isSocket()) return;
    if (!stat.isFile()) {
      total.update(`o ${name} ${stat.mode.toString(8)}\n`);
      return;
    }
    let cached = before?.get(relative);
    if (!sameFile(cached, stat)) {
      const readAtNs = BigInt(Date.now()) * 1_000_000n;
      const { digest, bytes } = await digestFile(file, buffer, signal);
      counts.read += bytes;
      cached = { dev: stat.dev, ino: stat.ino, size: BigInt(bytes), mtimeNs: stat.mtimeNs, ctimeNs: stat.ctimeNs, readAtNs, digest };
    }
    // A file that grew or shrank while it was read is read again next time.
    if (cached.size === stat.size) after.set(relative, cached);
    counts.files += 1;
    counts.bytes += Number(cached.size);
    total.update(`f ${name} ${mode} ${cached.size} ${cached.digest}\n`);
  };

  await visit('.', await fs.stat(dir, { bigint: true }));
  if (cache) {
    cache.delete(dir);
    cache.set(dir, after);
    for (const old of cache.keys()) if (cache.size > ContextCacheDirs) cache.delete(old);
  }
  return { hash: `sha256:${total.digest('hex')}`, ...counts };
}
