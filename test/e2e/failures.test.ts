import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Dockerfiles, makeApp, type TestApp } from '../helpers/apps.ts';
import { startDaemon, type DaemonProcess } from '../helpers/daemon.ts';
import { appContainers, removeLeftovers } from '../helpers/leftovers.ts';
import { get, startLoad, type Load } from '../helpers/load.ts';
import { testPort } from '../helpers/ports.ts';

// A live version keeps serving, with no failed request, while bad new versions come and
// go; the daemon says what failed and keeps running.
let app: TestApp;
let daemon: DaemonProcess;
let load: Load;
const port = testPort();
const base = `http://127.0.0.1:${port}`;

before(async () => {
  app = makeApp('failures');
  daemon = startDaemon(app.dir, ['-p', `${port}:80`, '--status-uri', '/cgi-bin/host', '--ready-timeout', '4s', '--overlap-grace-duration', '100ms']);
  await daemon.waitForLog(/traffic switched to/);
  load = startLoad(`${base}/cgi-bin/host`, { concurrency: 2, maxMs: 150_000 });
});

after(async () => {
  try {
    await load?.stop();
    await daemon?.stop();
  } finally {
    await removeLeftovers(app.name);
    app.remove();
  }
});

async function deployExpectingFailure(dockerfile: string, reason: RegExp): Promise<string> {
  app.setDockerfile(dockerfile);
  const from = daemon.log().length;
  daemon.signal('SIGHUP');
  const [line] = await daemon.waitForLog(/deploy failed: .*/, 60_000, from);
  assert.match(line, reason);
  assert.match(line, new RegExp(`${app.name}-1 keeps serving`));
  assert.equal((await get(`${base}/cgi-bin/host`)).body, `${app.name}-1`);
  assert.deepEqual(await appContainers(app.name), [`${app.name}-1`]);
  return line;
}

test('a Dockerfile that fails to build', async () => {
  await deployExpectingFailure(Dockerfiles.buildFails, /building .* failed.*returned a non-zero code/);
});

test('a container that exits', async () => {
  await deployExpectingFailure(Dockerfiles.exits, /exited with code 3 before it was ready/);
  assert.match(daemon.log(), /\| giving up/, 'the container output is in the daemon log');
});

test('a status URI that answers 500 until the readiness timeout', async () => {
  app.setDockerfile(Dockerfiles.hostname);
  const from = daemon.log().length;
  const started = Date.now();
  const line = await deployExpectingFailure(Dockerfiles.hostname.replace('COPY www /www', 'COPY www /www\nCOPY www/cgi-bin/fail /www/cgi-bin/host'), /not ready within 4s \(last answer port 80: HTTP 500\)/);
  assert.ok(Date.now() - started >= 4000, line);
  assert.match(daemon.log().slice(from), /port 80 answered HTTP 500; still waiting/);
});

test('a missing Dockerfile', async () => {
  app.setDockerfile('');
  const fs = await import('node:fs');
  fs.rmSync(`${app.dir}/Dockerfile`);
  const from = daemon.log().length;
  daemon.signal('SIGHUP');
  const [line] = await daemon.waitForLog(/deploy failed: .*/, 60_000, from);
  assert.match(line, /no Dockerfile in/);
});

test('a newer SIGHUP supersedes a slow start, and a slow starter still goes live', async () => {
  app.setDockerfile(Dockerfiles.slowStart(30));
  const from = daemon.log().length;
  daemon.signal('SIGHUP');
  await daemon.waitForLog(new RegExp(`started ${app.name}-\\d+`), 60_000, from);
  app.setDockerfile(Dockerfiles.slowStart(2));
  daemon.signal('SIGHUP');
  await daemon.waitForLog(/deploy cancelled: superseded/, 30_000, from);
  const [, name] = await daemon.waitForLog(/traffic switched to (\S+)/, 60_000, from);
  assert.equal((await get(`${base}/cgi-bin/host`)).body, name);
  await daemon.waitForLog(new RegExp(`${app.name}-1 stopped and removed`), 30_000, from);
  assert.deepEqual(await appContainers(app.name), [name]);
});

test('a newer SIGHUP aborts a build in progress', async () => {
  app.setDockerfile(Dockerfiles.hostname.replace('EXPOSE 80', `RUN ["sleep", "60"]\nEXPOSE 80`));
  const from = daemon.log().length;
  daemon.signal('SIGHUP');
  await daemon.waitForLog(/Step 5\/7 : RUN \["sleep", "60"\]/, 30_000, from);
  app.setDockerfile(Dockerfiles.hostname);
  const aborted = Date.now();
  daemon.signal('SIGHUP');
  await daemon.waitForLog(/deploy cancelled: superseded/, 30_000, from);
  assert.ok(Date.now() - aborted < 5000, 'the build was aborted, not waited for');
  const [, name] = await daemon.waitForLog(/traffic switched to (\S+)/, 60_000, from);
  assert.equal((await get(`${base}/cgi-bin/host`)).body, name);
});

test('no request failed throughout', async () => {
  const result = await load.stop();
  assert.deepEqual(result.errors.slice(0, 5), []);
  assert.equal(result.failed, 0);
  assert.ok(result.ok > 50);
});
