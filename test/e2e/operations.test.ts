import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { makeApp, type TestApp } from '../helpers/apps.ts';
import { runCli } from '../helpers/cli.ts';
import { startDaemon, type DaemonProcess } from '../helpers/daemon.ts';
import { appContainers, appRules, removeLeftovers } from '../helpers/leftovers.ts';
import { startLoad } from '../helpers/load.ts';
import { testPort } from '../helpers/ports.ts';

// Operating a daemon through its control socket: status, deploy, rollback and history,
// with requests flowing; and what refuses to start next to it.
let app: TestApp;
let daemon: DaemonProcess;
let stateDir: string;
const port = testPort();
const base = `http://127.0.0.1:${port}`;
const images: string[] = [];

const cli = async (...args: string[]) => {
  const result = await runCli([...args, '--state-dir', stateDir]);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout;
};
const status = async () => JSON.parse(await cli('status', '--json')) as { live?: { container: string; imageId: string }; previous?: { imageId: string } };

function setVersion(text: string): void {
  fs.writeFileSync(path.join(app.dir, 'www', 'index.html'), `${text}\n`);
}

before(async () => {
  app = makeApp('ops');
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-state-'));
  setVersion('v1');
  daemon = startDaemon(app.dir, ['-p', `${port}:80`, '--state-dir', stateDir, '--overlap-grace-duration', '100ms']);
  await daemon.waitForLog(/traffic switched to/);
});

after(async () => {
  try {
    await daemon?.stop();
  } finally {
    await removeLeftovers(app.name, [app.name, ...images]);
    app.remove();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
});

test('status says what is live, from which image, since when', async () => {
  const text = await cli('status');
  assert.match(text, new RegExp(`^app +${app.name} `, 'm'));
  assert.match(text, new RegExp(`^live +${app.name}-1 +${app.name} \\([0-9a-f]{12}\\) +since 20\\d\\d-`, 'm'));
  assert.match(text, /^last deploy .* start: live$/m);
  images.push((await status()).live!.imageId);
});

test('rollback with no earlier version is a clear error', async () => {
  const result = await runCli(['rollback', '--state-dir', stateDir]);
  assert.equal(result.code, 1);
  assert.equal(result.stderr, 'hanoverd: nothing to roll back to: no earlier version was live\n');
});

test('the control socket and state are for the owner only', () => {
  assert.equal(fs.statSync(stateDir).mode & 0o777, 0o700);
  const socket = fs.statSync(path.join(stateDir, 'control.sock'));
  assert.ok(socket.isSocket());
  assert.equal(socket.mode & 0o777, 0o600);
  assert.equal(fs.statSync(path.join(stateDir, 'history.jsonl')).mode & 0o777, 0o600);
});

test('deploy and rollback hand over with no failed request, rollback by image ID', async () => {
  const load = startLoad(`${base}/`, { concurrency: 4, maxMs: 60_000 });
  setVersion('v2');
  let from = daemon.log().length;
  assert.match(await cli('deploy'), /deploy started/);
  await daemon.waitForLog(new RegExp(`${app.name}-1 stopped and removed`), 60_000, from);
  const deployed = await status();
  images.push(deployed.live!.imageId);
  assert.equal(deployed.previous?.imageId, images[0]);

  // The tag now names v2 (and is moved again below): rollback must not care.
  setVersion('v3');
  from = daemon.log().length;
  assert.match(await cli('rollback'), new RegExp(`rolling back to ${app.name} \\(${images[0]!.slice(7, 19)}\\)`));
  await daemon.waitForLog(new RegExp(`${app.name}-2 stopped and removed`), 60_000, from);
  const result = await load.stop();
  assert.deepEqual(result.errors.slice(0, 5), []);
  assert.equal(result.failed, 0);
  assert.deepEqual(result.changes, ['v1', 'v2', 'v1']);
  const rolledBack = await status();
  assert.equal(rolledBack.live?.imageId, images[0]);
  assert.equal(rolledBack.previous?.imageId, images[1]);
});

test('history lists every deploy with its trigger, image, phases and outcome', async () => {
  const entries = JSON.parse(await cli('history', '--json')) as Array<{ kind: string; trigger: string; outcome: string; imageId?: string; phases?: Array<{ name: string; ms: number }> }>;
  const deploys = entries.filter((entry) => entry.kind === 'deploy');
  assert.deepEqual(deploys.map((entry) => [entry.trigger, entry.outcome]), [['start', 'live'], ['api', 'live'], ['rollback', 'live']]);
  assert.deepEqual(deploys.map((entry) => entry.imageId), [images[0], images[1], images[0]]);
  for (const entry of deploys) assert.deepEqual(entry.phases!.map((phase) => phase.name), ['obtain', 'start', 'ready', 'switch']);
  const text = await cli('history');
  assert.match(text, /rollback +live +\S+-3 /);
});

test('a second daemon for the same app refuses to start and disturbs nothing', async () => {
  const second = await runCli(['-p', `${testPort()}:80`, '--state-dir', stateDir], { cwd: app.dir });
  assert.equal(second.code, 1);
  assert.match(second.stderr, new RegExp(`^hanoverd: another hanoverd is already running ${app.name} .*stop it first`));
  assert.equal((await status()).live?.container, `${app.name}-3`);
});

test('a daemon for another app on the same host port refuses to start', async () => {
  const other = makeApp('ops-other');
  try {
    const second = await runCli(['-p', `${port}:80`, '--state-dir', path.join(stateDir, 'other')], { cwd: other.dir });
    assert.equal(second.code, 1);
    assert.match(second.stderr, new RegExp(`host port ${port} is already handed over by hanoverd for ${app.name}`));
    assert.deepEqual(await appContainers(other.name), []);
  } finally {
    other.remove();
  }
});

test('after SIGTERM nothing is left, and status and history still read from the state', async () => {
  assert.equal(await daemon.stop(), 0);
  assert.deepEqual(await appContainers(app.name), []);
  assert.deepEqual(await appRules(app.name), []);
  assert.match(await cli('status'), /^not running/);
  assert.match(await cli('history'), /stopped: rules and containers removed/);
});
