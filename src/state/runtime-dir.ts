import os from 'node:os';
import path from 'node:path';

/**
 * Host-wide runtime files shared by every hanoverd on this machine (kept in tmpfs, so
 * they go at reboot together with the kernel settings they describe): /run/hanoverd for
 * root, $XDG_RUNTIME_DIR/hanoverd otherwise.
 */
export function runtimeDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HANOVERD_RUNTIME_DIR) return env.HANOVERD_RUNTIME_DIR;
  if (process.getuid?.() === 0) return '/run/hanoverd';
  return path.join(env.XDG_RUNTIME_DIR || os.tmpdir(), 'hanoverd');
}
