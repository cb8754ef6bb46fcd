import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Dockerfiles, makeApp, type TestApp } from '../helpers/apps.ts';
import { startDaemon, type DaemonProcess } from '../helpers/daemon.ts';
import { removeLeftovers } from '../helpers/leftovers.ts';
import { get, startLoad } from '../helpers/load.ts';
import { testPort } from '../helpers/ports.ts';
import { buildAndPush, startRegistry, type Registry } from '../helpers/registry.ts';

// --poll: a new image pushed to the tag goes live without any signal or webhook.
let registry: Registry;
let app: TestApp;
let daemon: DaemonProcess;
let emptyDir: string;
const name = `poll${randomBytes(3).toString('hex')}`;
const port = testPort();
const base = `http://127.0.0.1:${port}`;
let image: string;

async function pushVersion(version: string): Promise<void> {
  fs.writeFileSync(path.join(app.dir, 'www', 'version'), `${version}\n`);
  await buildAndPush(app.dir, image, name);
}

before(async () => {
  registry = await startRegistry();
  image = `${registry.host}/hte2e/${name}:prod`;
  app = makeApp('poll', Dockerfiles.hostname);
  emptyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-poll-'));
  await pushVersion('v1');
});

after(async () => {
  try {
    await daemon?.stop();
  } finally {
    await removeLeftovers(name, [image]);
    await registry?.stop();
    app?.remove();
    fs.rmSync(emptyDir, { recursive: true, force: true });
  }
});

test('--poll 1s: a new digest on the tag goes live unsignalled, with no failed request', async () => {
  daemon = startDaemon(emptyDir, ['-p', `${port}:80`, '--poll', '1s', '--name', name, image]);
  await daemon.waitForLog(/traffic switched to/);
  assert.equal((await get(`${base}/version`)).body, 'v1');
  const load = startLoad(`${base}/version`, { concurrency: 2, maxMs: 60_000 });
  const from = daemon.log().length;
  await pushVersion('v2');
  await daemon.waitForLog(/deploying \(poll: sha256:/, 30_000, from);
  await daemon.waitForLog(new RegExp(`${name}-1 stopped and removed`), 60_000, from);
  const result = await load.stop();
  assert.equal(result.failed, 0, result.errors.slice(0, 5).join('\n'));
  assert.deepEqual([...result.bodies.keys()], ['v1', 'v2']);
  // Once live, the same digest is not deployed again.
  const after = daemon.log().length;
  await new Promise((resolve) => setTimeout(resolve, 3000));
  assert.doesNotMatch(daemon.log().slice(after), /deploying/);
});
