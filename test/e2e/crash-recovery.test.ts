import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Dockerfiles, makeApp, type TestApp } from '../helpers/apps.ts';
import { startDaemon, type DaemonProcess } from '../helpers/daemon.ts';
import { appContainers, appRules, removeLeftovers, routeLocalnet } from '../helpers/leftovers.ts';
import { get, startLoad, type Load } from '../helpers/load.ts';
import { testPort } from '../helpers/ports.ts';

// SIGKILL of the daemon at each phase, then a restart in the same place: traffic never
// stops, the restarted daemon adopts the live container and clears the orphans.
let app: TestApp;
let stateDir: string;
let daemon: DaemonProcess;
let load: Load;
const port = testPort();
const base = `http://127.0.0.1:${port}`;
const args = () => ['-p', `${port}:80`, '--state-dir', stateDir, '--overlap-grace-duration', '100ms'];

async function killAndRestart(): Promise<void> {
  daemon.signal('SIGKILL');
  await daemon.exited;
  // Killed, nothing cleaned up: the rules still point at the live container.
  assert.equal((await get(`${base}/`)).status, 200);
  daemon = startDaemon(app.dir, args());
}

before(async () => {
  app = makeApp('crash');
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-state-'));
  daemon = startDaemon(app.dir, args());
  await daemon.waitForLog(/traffic switched to/);
  load = startLoad(`${base}/cgi-bin/host`, { concurrency: 2, maxMs: 240_000 });
});

after(async () => {
  try {
    await load?.stop();
    await daemon?.stop();
  } finally {
    await removeLeftovers(app.name);
    app.remove();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
});

test('killed while serving: the restarted daemon adopts the live container', async () => {
  await killAndRestart();
  await daemon.waitForLog(new RegExp(`adopted ${app.name}-1`));
  await daemon.waitForLog(new RegExp(`${app.name}-1 already runs ${app.name}; keeping it`));
  assert.deepEqual(await appContainers(app.name), [`${app.name}-1`]);
});

test('killed during a build: the restarted daemon adopts, then deploys', async () => {
  app.setDockerfile(Dockerfiles.hostname.replace('EXPOSE 80', 'RUN ["sleep", "3"]\nEXPOSE 80'));
  daemon.signal('SIGHUP');
  await daemon.waitForLog(/RUN \["sleep", "3"\]/);
  await killAndRestart();
  await daemon.waitForLog(new RegExp(`adopted ${app.name}-1`));
  await daemon.waitForLog(new RegExp(`traffic switched to ${app.name}-2`), 60_000);
  await daemon.waitForLog(new RegExp(`${app.name}-1 stopped and removed`));
  assert.deepEqual(await appContainers(app.name), [`${app.name}-2`]);
});

test('killed during readiness polling: the half-started container is cleared', async () => {
  app.setDockerfile(Dockerfiles.slowStart(4));
  daemon.signal('SIGHUP');
  await daemon.waitForLog(new RegExp(`started ${app.name}-3 .*polling`));
  await killAndRestart();
  await daemon.waitForLog(new RegExp(`adopted ${app.name}-2`));
  // The restart builds the same slow starter again; once it is live, both the adopted
  // container and the orphan from the killed attempt are retired.
  await daemon.waitForLog(new RegExp(`traffic switched to ${app.name}-4`), 60_000);
  await daemon.waitForLog(new RegExp(`${app.name}-3 stopped and removed`));
  await daemon.waitForLog(new RegExp(`${app.name}-2 stopped and removed`));
  assert.deepEqual(await appContainers(app.name), [`${app.name}-4`]);
});

test('no request failed across the kills and restarts; a clean stop leaves nothing', async () => {
  const result = await load.stop();
  assert.deepEqual(result.errors.slice(0, 5), []);
  assert.equal(result.failed, 0);
  assert.ok(result.ok > 100);
  assert.equal(await daemon.stop(), 0);
  assert.deepEqual(await appContainers(app.name), []);
  assert.deepEqual(await appRules(app.name), []);
  assert.equal(await routeLocalnet(), '0');
});
