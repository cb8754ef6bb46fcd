import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Dockerfiles } from '../helpers/apps.ts';
import { startDaemon } from '../helpers/daemon.ts';
import { appContainers, appRules, routeLocalnet } from '../helpers/leftovers.ts';
import { get } from '../helpers/load.ts';
import { serveApp } from '../helpers/served-app.ts';

// SIGKILL of the daemon at each phase, then a restart in the same place: traffic never
// stops, the restarted daemon adopts the live container and clears the orphans.
const served = serveApp('crash', {
  args: ['--overlap-grace-duration', '100ms'],
  load: { path: '/cgi-bin/host', concurrency: 2, maxMs: 240_000 },
});

async function killAndRestart(): Promise<void> {
  served.daemon.signal('SIGKILL');
  await served.daemon.exited;
  // Killed, nothing cleaned up: the rules still point at the live container.
  assert.equal((await get(`${served.base}/`)).status, 200);
  served.daemon = startDaemon(served.app.dir, served.args);
}

test('killed while serving: the restarted daemon adopts the live container', async () => {
  const { app } = served;
  await killAndRestart();
  const { daemon } = served;
  await daemon.waitForLog(new RegExp(`adopted ${app.name}-1`));
  await daemon.waitForLog(new RegExp(`${app.name}-1 already runs ${app.name}; keeping it`));
  assert.deepEqual(await appContainers(app.name), [`${app.name}-1`]);
});

test('killed during a build: the restarted daemon adopts, then deploys', async () => {
  const { app } = served;
  app.setDockerfile(Dockerfiles.hostname.replace('EXPOSE 80', 'RUN ["sleep", "3"]\nEXPOSE 80'));
  served.daemon.signal('SIGHUP');
  await served.daemon.waitForLog(/RUN \["sleep", "3"\]/);
  await killAndRestart();
  const { daemon } = served;
  await daemon.waitForLog(new RegExp(`adopted ${app.name}-1`));
  await daemon.waitForLog(new RegExp(`traffic switched to ${app.name}-2`), 60_000);
  await daemon.waitForLog(new RegExp(`${app.name}-1 stopped and removed`));
  assert.deepEqual(await appContainers(app.name), [`${app.name}-2`]);
});

test('killed during readiness polling: the half-started container is cleared', async () => {
  const { app } = served;
  app.setDockerfile(Dockerfiles.slowStart(4));
  served.daemon.signal('SIGHUP');
  await served.daemon.waitForLog(new RegExp(`started ${app.name}-3 .*polling`));
  await killAndRestart();
  const { daemon } = served;
  await daemon.waitForLog(new RegExp(`adopted ${app.name}-2`));
  // The restart builds the same slow starter again; once it is live, both the adopted
  // container and the orphan from the killed attempt are retired.
  await daemon.waitForLog(new RegExp(`traffic switched to ${app.name}-4`), 60_000);
  await daemon.waitForLog(new RegExp(`${app.name}-3 stopped and removed`));
  await daemon.waitForLog(new RegExp(`${app.name}-2 stopped and removed`));
  assert.deepEqual(await appContainers(app.name), [`${app.name}-4`]);
});

test('no request failed across the kills and restarts; a clean stop leaves nothing', async () => {
  const { app, daemon } = served;
  const result = await served.load.stop();
  assert.deepEqual(result.errors.slice(0, 5), []);
  assert.equal(result.failed, 0);
  assert.ok(result.ok > 100);
  assert.equal(await daemon.stop(), 0);
  assert.deepEqual(await appContainers(app.name), []);
  assert.deepEqual(await appRules(app.name), []);
  assert.equal(await routeLocalnet(), '0');
});
