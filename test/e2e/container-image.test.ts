import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { makeApp, type TestApp } from '../helpers/apps.ts';
import { appContainers, appRules, removeLeftovers } from '../helpers/leftovers.ts';
import { get } from '../helpers/load.ts';
import { testPort } from '../helpers/ports.ts';

// The top-level Dockerfile packages hanoverd; its base image is made from this
// machine's binaries (scripts/base-image.sh) since none can be pulled. The packaged
// daemon then runs an app for real, with host networking, NET_ADMIN and the socket.
const ROOT = path.resolve(fileURLToPath(import.meta.url), '../../..');
const tag = `hanoverd:e2e-${process.pid}`;
const base = `hanoverd-base:e2e-${process.pid}`;
const runner = `hte2e-self-${process.pid}`;
let app: TestApp;
let stateDir: string;
const port = testPort();

before(async () => {
  await execa(path.join(ROOT, 'scripts/base-image.sh'), [base]);
  await execa('docker', ['build', '-q', '--build-arg', `BASE=${base}`, '-t', tag, ROOT]);
  app = makeApp('self');
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-state-'));
});

after(async () => {
  await execa('docker', ['rm', '-f', runner], { reject: false });
  await removeLeftovers(app.name);
  await execa('docker', ['rmi', '-f', tag, base], { reject: false });
  app.remove();
  fs.rmSync(stateDir, { recursive: true, force: true });
});

test('hanoverd version runs in the image', async () => {
  const { stdout } = await execa('docker', ['run', '--rm', tag, 'version']);
  assert.match(stdout, /^hanoverd \d+\.\d+\.\d+$/);
});

test('the packaged daemon serves an app and cleans up on docker stop', async () => {
  await execa('docker', [
    'run', '-d', '--name', runner, '--network', 'host', '--cap-add', 'NET_ADMIN', '--security-opt', 'systempaths=unconfined',
    '-v', '/var/run/docker.sock:/var/run/docker.sock', '-v', `${app.dir}:${app.dir}`, '-w', app.dir, '-v', `${stateDir}:${stateDir}`,
    tag, '-p', `${port}:80`, '--state-dir', stateDir,
  ]);
  let served = false;
  for (let i = 0; i < 100 && !served; i++) {
    served = await get(`http://127.0.0.1:${port}/cgi-bin/host`).then((r) => r.body === `${app.name}-1`, () => false);
    if (!served) await sleep(200);
  }
  const logs = async () => (await execa('docker', ['logs', runner], { all: true })).all;
  assert.ok(served, await logs());
  await execa('docker', ['stop', '-t', '20', runner]);
  const { stdout: exitCode } = await execa('docker', ['inspect', '-f', '{{.State.ExitCode}}', runner]);
  assert.equal(exitCode, '0', await logs());
  assert.match(await logs(), /stopped$/m);
  assert.deepEqual(await appContainers(app.name), []);
  assert.deepEqual(await appRules(app.name), []);
});
