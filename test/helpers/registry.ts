import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { testPort } from './ports.ts';

/** Debian's docker-registry on 127.0.0.1 (the engine trusts loopback registries over HTTP). */
export interface Registry {
  host: string;
  stop(): Promise<void>;
}

/** With `user`, the registry asks for that user and password (htpasswd, bcrypt). */
export async function startRegistry(user?: { name: string; password: string }): Promise<Registry> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-registry-'));
  const host = `127.0.0.1:${testPort()}`;
  if (user) await execa('htpasswd', ['-Bbc', path.join(dir, 'htpasswd'), user.name, user.password]);
  fs.writeFileSync(path.join(dir, 'config.yml'), [
    'version: 0.1',
    'log: {level: warn}',
    `storage: {filesystem: {rootdirectory: ${dir}/data}, delete: {enabled: true}}`,
    `http: {addr: "${host}"}`,
    ...(user ? [`auth: {htpasswd: {realm: hanoverd-test, path: ${dir}/htpasswd}}`] : []),
    '',
  ].join('\n'));
  const child = spawn('docker-registry', ['serve', path.join(dir, 'config.yml')], { stdio: 'ignore' });
  process.once('exit', () => child.kill('SIGKILL'));
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`http://${host}/v2/`).then((r) => r.status === 200 || r.status === 401, () => false);
    if (ok) break;
    await sleep(100);
  }
  return {
    host,
    async stop() {
      child.kill('SIGTERM');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Builds `dir` as `image`, labelled as hanoverd labels what it builds for `app` (so
 * removeLeftovers finds it), and pushes it. With `pullOnly`, the local copy goes: only the
 * registry has it, and hanoverd must pull.
 */
export async function buildAndPush(dir: string, image: string, app: string, options: { pullOnly?: boolean } = {}): Promise<void> {
  await execa('docker', ['build', '-q', '--label', `hanoverd.built-as=${app}`, '-t', image, dir]);
  await execa('docker', ['push', '-q', image]);
  if (options.pullOnly) await execa('docker', ['rmi', image]);
}
