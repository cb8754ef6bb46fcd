import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { createLogger } from '../../dist/log.js';
import { parseImageRef } from '../../dist/options/image-ref.js';
import { pollRegistry } from '../../dist/source/poll-registry.js';
import { registryDigest } from '../../dist/source/registry-digest.js';
import { Dockerfiles, makeApp, type TestApp } from '../helpers/apps.ts';
import { removeLeftovers } from '../helpers/leftovers.ts';

// --poll against Debian's real docker-registry: a new image pushed to the tag is noticed.
const HOST = '127.0.0.1:18330';
let dir: string;
let registry: ReturnType<typeof spawn> | undefined;
let app: TestApp;
let image: string;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-c-registry-'));
  fs.writeFileSync(path.join(dir, 'config.yml'), `version: 0.1\nlog: {level: warn}\nstorage: {filesystem: {rootdirectory: ${dir}/data}}\nhttp: {addr: "${HOST}"}\n`);
  registry = spawn('docker-registry', ['serve', path.join(dir, 'config.yml')], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !(await fetch(`http://${HOST}/v2/`).then((r) => r.ok, () => false)); i++) await sleep(100);
  app = makeApp('c-poll', Dockerfiles.hostname);
  image = `${HOST}/hte2e/${app.name}:prod`;
});

after(async () => {
  await removeLeftovers(app.name, [image]);
  registry?.kill('SIGTERM');
  app?.remove();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function buildAndPush(version: string): Promise<void> {
  fs.writeFileSync(path.join(app.dir, 'www', 'index.html'), `${version}\n`);
  await execa('docker', ['build', '-q', '--label', `hanoverd.built-as=${app.name}`, '-t', image, app.dir]);
  await execa('docker', ['push', '-q', image]);
}

test('a new image pushed to the tag is seen once, as the digest the registry now serves', async () => {
  const ref = parseImageRef(image);
  await buildAndPush('v1');
  const first = await registryDigest(ref, AbortSignal.timeout(10_000));
  assert.match(first ?? '', /^sha256:[0-9a-f]{64}$/);
  const lines: string[] = [];
  const log = createLogger('text', { write: (line: string) => lines.push(line) } as unknown as NodeJS.WritableStream);
  const changes: string[] = [];
  const stop = new AbortController();
  const poll = pollRegistry({ ref, intervalMs: 300, initialDigest: first, onChange: (digest) => { changes.push(digest); }, log, signal: stop.signal });
  try {
    await sleep(1000);
    assert.deepEqual(changes, [], 'nothing changes while the tag stays');
    await buildAndPush('v2');
    const second = await registryDigest(ref, AbortSignal.timeout(10_000));
    assert.notEqual(second, first);
    for (let i = 0; i < 100 && changes.length === 0; i++) await sleep(100);
    await sleep(700);
    assert.deepEqual(changes, [second]);
    assert.equal(lines.filter((line) => line.includes('is now')).length, 1);
    assert.ok(!lines.some((line) => line.includes('warn')), lines.join(''));
  } finally {
    stop.abort();
    await poll.stopped;
  }
});
