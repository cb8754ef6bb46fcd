import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { appChains } from '../../dist/firewall/rules.js';
import { makeApp, type TestApp } from '../helpers/apps.ts';
import { runCli } from '../helpers/cli.ts';
import { startDaemon, type DaemonProcess } from '../helpers/daemon.ts';
import { appContainers, appRules, removeLeftovers } from '../helpers/leftovers.ts';
import { get, startLoad } from '../helpers/load.ts';
import { testPort } from '../helpers/ports.ts';

// Others break what the daemon relies on: its rules deleted by hand or by a firewall
// reload, its live container killed after a rollback, its state disk full. The live
// version keeps serving, or comes back by itself.
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
const setVersion = (text: string) => fs.writeFileSync(path.join(app.dir, 'www', 'index.html'), `${text}\n`);
const nat = (...args: string[]) => execa('iptables', ['-t', 'nat', ...args]);

async function deploy(version: string): Promise<string> {
  setVersion(version);
  const from = daemon.log().length;
  daemon.signal('SIGHUP');
  const [, name] = await daemon.waitForLog(/traffic switched to (\S+)/, 60_000, from);
  images.push((await status()).live!.imageId);
  return name!;
}

before(async () => {
  app = makeApp('surround');
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-state-'));
  setVersion('v1');
  daemon = startDaemon(app.dir, ['-p', `${port}:80`, '--state-dir', stateDir, '--overlap-grace-duration', '100ms']);
  await daemon.waitForLog(/traffic switched to/);
  images.push((await status()).live!.imageId);
});

after(async () => {
  try {
    await daemon?.stop();
  } finally {
    await execa('umount', ['-l', stateDir], { reject: false });
    await removeLeftovers(app.name, [app.name, ...images]);
    app.remove();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
});

test('a DNAT rule deleted by hand: the next deploy still switches', async () => {
  const { dnat } = appChains(app.name);
  await nat('-D', dnat, '1');
  const from = daemon.log().length;
  await deploy('v2');
  assert.deepEqual(await get(`${base}/`), { status: 200, body: 'v2' });
  assert.doesNotMatch(daemon.log().slice(from), /deploy failed/);
});

test('every rule deleted (a firewall reload): service comes back within 10 s, unsignalled, with one log line', async () => {
  const { dnat, masquerade } = appChains(app.name);
  const from = daemon.log().length;
  // As a firewall reload does: the nat table is replaced whole by one without our rules.
  const { stdout } = await execa('iptables-save', ['-t', 'nat']);
  const kept = stdout.split('\n').filter((line) => !line.includes(dnat) && !line.includes(masquerade) && !line.includes(`hanoverd:${app.name}`));
  await execa('iptables-restore', ['-T', 'nat'], { input: `${kept.join('\n')}\n` });
  assert.deepEqual(await appRules(app.name), []);
  const started = Date.now();
  await daemon.waitForLog(/nat rules were changed by someone else \(.*\); restored/, 10_000, from);
  assert.deepEqual(await get(`${base}/`), { status: 200, body: 'v2' });
  assert.ok(Date.now() - started < 10_000);
  assert.equal(daemon.log().slice(from).match(/restored/g)?.length, 1);
});

test('after a rollback, docker kill of the live container brings the rolled-back version back', async () => {
  await cli('rollback');
  await daemon.waitForLog(/traffic switched to/, 60_000, daemon.log().length - 200);
  for (let i = 0; i < 50 && (await get(`${base}/`).catch(() => ({ body: '' }))).body !== 'v1'; i++) await sleep(100);
  assert.deepEqual(await get(`${base}/`), { status: 200, body: 'v1' });
  const live = (await status()).live!.container;
  const from = daemon.log().length;
  await execa('docker', ['kill', live]);
  const [, back] = await daemon.waitForLog(/traffic switched to (\S+)/, 30_000, from);
  assert.notEqual(back, live);
  assert.deepEqual(await get(`${base}/`), { status: 200, body: 'v1' }, 'the rolled-back version, not a rebuild of the directory');
  // Older versions still retiring go once drained.
  for (let i = 0; i < 100 && (await appContainers(app.name)).length > 1; i++) await sleep(200);
  assert.deepEqual(await appContainers(app.name), [back]);
});

test('the state directory full during a deploy: the deploy goes live, the daemon keeps running', async () => {
  // A small tmpfs over the state directory, then filled: every write there fails with ENOSPC.
  await daemon.stop();
  await execa('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', stateDir]);
  daemon = startDaemon(app.dir, ['-p', `${port}:80`, '--state-dir', stateDir, '--overlap-grace-duration', '100ms']);
  await daemon.waitForLog(/traffic switched to/);
  await execa('dd', ['if=/dev/zero', `of=${path.join(stateDir, 'filler')}`, 'bs=4k', 'count=1000'], { reject: false });
  const load = startLoad(`${base}/`, { concurrency: 2, maxMs: 60_000 });
  const name = await deploy('v3');
  await sleep(300);
  const result = await load.stop();
  assert.equal(result.failed, 0, result.errors.join('\n'));
  assert.match(daemon.log(), /writing the (state|history) failed: .*ENOSPC.*the live version is not affected/);
  assert.deepEqual(await get(`${base}/`), { status: 200, body: 'v3' });
  assert.equal(daemon.child.exitCode, null);
  fs.rmSync(path.join(stateDir, 'filler'));
  await deploy('v4');
  assert.match(daemon.log(), /writing the (state|history) works again/);
  assert.notEqual(name, '');
  assert.equal(await daemon.stop(), 0);
  assert.deepEqual(await appContainers(app.name), []);
  assert.deepEqual(await appRules(app.name), []);
});
