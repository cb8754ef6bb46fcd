import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Dockerfiles } from '../helpers/apps.ts';
import { appContainers } from '../helpers/leftovers.ts';
import { get } from '../helpers/load.ts';
import { serveApp } from '../helpers/served-app.ts';

// A live version keeps serving, with no failed request, while bad new versions come and
// go; the daemon says what failed and keeps running.
const served = serveApp('failures', {
  args: ['--status-uri', '/cgi-bin/host', '--ready-timeout', '4s', '--overlap-grace-duration', '100ms'],
  load: { path: '/cgi-bin/host', concurrency: 2, maxMs: 150_000 },
});

async function deployExpectingFailure(dockerfile: string, reason: RegExp): Promise<string> {
  const { app, daemon, base } = served;
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
  const { daemon } = served;
  await deployExpectingFailure(Dockerfiles.exits, /exited with code 3 before it was ready/);
  assert.match(daemon.log(), /\| giving up/, 'the container output is in the daemon log');
});

test('a status URI that answers 500 until the readiness timeout', async () => {
  const { app, daemon } = served;
  app.setDockerfile(Dockerfiles.hostname);
  const from = daemon.log().length;
  const started = Date.now();
  const line = await deployExpectingFailure(Dockerfiles.hostname.replace('COPY www /www', 'COPY www /www\nCOPY www/cgi-bin/fail /www/cgi-bin/host'), /not ready within 4s \(last answer port 80: HTTP 500\)/);
  assert.ok(Date.now() - started >= 4000, line);
  assert.match(daemon.log().slice(from), /port 80 answered HTTP 500; still waiting/);
});

test('a missing Dockerfile', async () => {
  const { app, daemon } = served;
  app.setDockerfile('');
  const fs = await import('node:fs');
  fs.rmSync(`${app.dir}/Dockerfile`);
  const from = daemon.log().length;
  daemon.signal('SIGHUP');
  const [line] = await daemon.waitForLog(/deploy failed: .*/, 60_000, from);
  assert.match(line, /no Dockerfile in/);
});

test('a newer SIGHUP supersedes a slow start, and a slow starter still goes live', async () => {
  const { app, daemon, base } = served;
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
  const { app, daemon, base } = served;
  app.setDockerfile(Dockerfiles.hostname.replace('EXPOSE 80', `RUN ["sleep", "60"]\nEXPOSE 80`));
  const from = daemon.log().length;
  daemon.signal('SIGHUP');
  await daemon.waitForLog(/Step 5\/\d+ : RUN \["sleep", "60"\]/, 30_000, from);
  app.setDockerfile(Dockerfiles.hostname);
  const aborted = Date.now();
  daemon.signal('SIGHUP');
  await daemon.waitForLog(/deploy cancelled: superseded/, 30_000, from);
  assert.ok(Date.now() - aborted < 5000, 'the build was aborted, not waited for');
  const [, name] = await daemon.waitForLog(/traffic switched to (\S+)/, 60_000, from);
  assert.equal((await get(`${base}/cgi-bin/host`)).body, name);
});

test('no request failed throughout', async () => {
  const result = await served.load.stop();
  assert.deepEqual(result.errors.slice(0, 5), []);
  assert.equal(result.failed, 0);
  assert.ok(result.ok > 50);
});
