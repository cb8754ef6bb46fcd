import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { Dockerfiles, makeApp, type TestApp } from '../helpers/apps.ts';
import { CLI, startDaemon, type DaemonProcess } from '../helpers/daemon.ts';
import { ensureDockerCompose } from '../helpers/docker-compose.ts';
import { appContainers, appRules, removeLeftovers } from '../helpers/leftovers.ts';
import { get, startLoad } from '../helpers/load.ts';
import { testPort } from '../helpers/ports.ts';
import { buildAndPush, startRegistry, type Registry } from '../helpers/registry.ts';

// `hanoverd IMAGE`: pulls from a real registry (Debian's docker-registry on 127.0.0.1),
// passes the arguments after the image to the container, and on SIGHUP pulls the tag
// again, handing over to whatever it now names.
let registry: Registry;
let app: TestApp;
let daemon: DaemonProcess;
let emptyDir: string;
const name = `pull${randomBytes(3).toString('hex')}`;
const port = testPort();
const base = `http://127.0.0.1:${port}`;
let image: string;

async function pushVersion(version: string): Promise<void> {
  fs.writeFileSync(path.join(app.dir, 'www', 'version'), `${version}\n`);
  await buildAndPush(app.dir, image, name, { pullOnly: true });
}

before(async () => {
  registry = await startRegistry();
  image = `${registry.host}/hte2e/${name}:prod`;
  // No CMD in the image: the command comes after `--` on hanoverd's command line.
  app = makeApp('pull', Dockerfiles.hostname.replace(/^CMD .*$/m, ''));
  emptyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-pull-'));
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

test('pulls the image with progress and serves it, with the arguments after the image', async () => {
  // As docker run: flags before the image, and everything after it (-p too) is the container's.
  daemon = startDaemon(emptyDir, ['-p', `${port}:8080`, image, 'httpd', '-f', '-p', '8080', '-h', '/www']);
  await daemon.waitForLog(/traffic switched to/);
  assert.match(daemon.log(), new RegExp(`pulling ${image.replaceAll('.', '\\.')}`));
  assert.match(daemon.log(), /pull \| .*(Pull complete|Downloaded newer image)/);
  assert.equal((await get(`${base}/version`)).body, 'v1');
  assert.equal((await get(`${base}/cgi-bin/host`)).body, `${name}-1`);
  const env = (await get(`${base}/cgi-bin/env`)).body.split('\n');
  assert.ok(env.includes(`HANOVERD_IMAGE=${image}`));
  assert.ok(env.includes(`HANOVERD_IMAGE_REPO=${registry.host}/hte2e/${name}`));
  assert.ok(env.includes('HANOVERD_IMAGE_TAGDIGEST=prod'));
});

test('SIGHUP pulls the moved tag and hands over with no failed request', async () => {
  await pushVersion('v2');
  const load = startLoad(`${base}/version`, { concurrency: 4, maxMs: 60_000 });
  const from = daemon.log().length;
  daemon.signal('SIGHUP');
  await daemon.waitForLog(new RegExp(`${name}-1 stopped and removed`), 60_000, from);
  const result = await load.stop();
  assert.deepEqual(result.errors.slice(0, 5), []);
  assert.equal(result.failed, 0);
  assert.deepEqual([...result.bodies.keys()], ['v1', 'v2']);
});

test('hanoverd export in the app directory: the running app, its image pinned by digest, valid for docker-compose', async (t) => {
  const why = ensureDockerCompose();
  if (why) return t.skip(why);
  const { stdout } = await execa(process.execPath, [CLI, 'export'], { cwd: emptyDir });
  const { stdout: imageId } = await execa('docker', ['inspect', '-f', '{{.Image}}', `${name}-2`]);
  const { stdout: digest } = await execa('docker', ['image', 'inspect', '-f', '{{index .RepoDigests 0}}', imageId]);
  assert.match(stdout, new RegExp(`image: ${digest.replaceAll('.', '\\.')}`));
  const file = path.join(emptyDir, 'compose.yaml');
  fs.writeFileSync(file, stdout);
  const { stdout: config } = await execa('docker-compose', ['-f', file, 'config']);
  assert.match(config, new RegExp(`image: ${digest.replaceAll('.', '\\.')}`));
  assert.ok(config.includes(String(port)), config);
  assert.match(config, /order: start-first/);
  fs.rmSync(file);
});

test('a clean stop leaves nothing', async () => {
  assert.equal(await daemon.stop(), 0);
  assert.deepEqual(await appContainers(name), []);
  assert.deepEqual(await appRules(name), []);
});

test('an unknown tag fails with a clear line and nothing is left', async () => {
  const missing = startDaemon(emptyDir, ['-p', `${port}:8080`, `${registry.host}/hte2e/${name}:nope`]);
  try {
    const [line] = await missing.waitForLog(/deploy failed: .*/);
    assert.match(line, /pulling .*:nope failed; check the name, the tag and your registry credentials/);
  } finally {
    assert.equal(await missing.stop(), 0);
  }
});
