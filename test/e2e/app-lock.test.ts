import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { makeApp, type TestApp } from '../helpers/apps.ts';
import { runCli } from '../helpers/cli.ts';
import { startDaemon, type DaemonProcess } from '../helpers/daemon.ts';
import { appContainers, appRules, removeLeftovers } from '../helpers/leftovers.ts';
import { get } from '../helpers/load.ts';

// One daemon per app, whatever its --state-dir: two started at once, one started next to
// a running one, and one started after a SIGKILL, which must not be blocked.
let app: TestApp;
let states: string[] = [];
const running: DaemonProcess[] = [];
const stateOf = new Map<DaemonProcess, string>();
const port = 18_211;
const base = `http://127.0.0.1:${port}`;

before(() => {
  app = makeApp('b-lock');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-lock-'));
  states = ['one', 'two', 'three'].map((name) => path.join(root, name));
});

after(async () => {
  try {
    for (const daemon of running) await daemon.stop();
  } finally {
    await removeLeftovers(app.name);
    app.remove();
    fs.rmSync(path.dirname(states[0]!), { recursive: true, force: true });
  }
});

const start = (stateDir: string) => {
  const daemon = startDaemon(app.dir, ['--name', app.name, '-p', `${port}:80`, '--state-dir', stateDir, '--overlap-grace-duration', '100ms']);
  running.push(daemon);
  stateOf.set(daemon, stateDir);
  return daemon;
};

test('two daemons started at once for one app: exactly one runs', async () => {
  const [first, second] = [start(states[0]!), start(states[1]!)];
  const loser = await Promise.race([first.exited.then(() => first), second.exited.then(() => second)]);
  const winner = loser === first ? second : first;
  assert.equal(await loser.exited, 1);
  const refusal = loser.log().trim();
  assert.match(refusal, new RegExp(`^hanoverd: another hanoverd is already running ${app.name} \\(pid ${winner.child.pid}, state ${loser === first ? states[1] : states[0]}\\); stop it first or use another --name$`));
  await winner.waitForLog(/traffic switched to/);
  assert.equal((await get(`${base}/`)).status, 200);
  // The loser touched nothing: no state directory, no container of its own.
  assert.equal(fs.existsSync(loser === first ? states[0]! : states[1]!), false);
  assert.deepEqual(await appContainers(app.name), [`${app.name}-1`]);
});

test('the same --name with another --state-dir is refused, and disturbs nothing', async () => {
  const third = await runCli(['--name', app.name, '-p', `${port}:80`, '--state-dir', states[2]!], { cwd: app.dir });
  assert.equal(third.code, 1);
  assert.match(third.stderr, new RegExp(`^hanoverd: another hanoverd is already running ${app.name} \\(pid \\d+, state `));
  assert.equal(third.stderr.trim().split('\n').length, 1);
  assert.equal(fs.existsSync(states[2]!), false);
  assert.deepEqual(await appContainers(app.name), [`${app.name}-1`]);
});

test('a SIGKILLed daemon does not block the next start, which adopts its container', async () => {
  const live = running.find((daemon) => daemon.child.exitCode === null)!;
  const stateDir = stateOf.get(live)!;
  live.signal('SIGKILL');
  await live.exited;
  assert.equal((await get(`${base}/`)).status, 200);
  // Straight away, with the stale control socket still in place.
  assert.ok(fs.existsSync(path.join(stateDir, 'control.sock')));
  const status = await runCli(['status', '--state-dir', stateDir]);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /^not running \(last state below\)/);
  const next = start(stateDir);
  await next.waitForLog(/already runs .*; keeping it|traffic switched to/);
  assert.equal((await get(`${base}/`)).status, 200);
  assert.equal(await next.stop(), 0);
  assert.deepEqual(await appContainers(app.name), []);
  assert.deepEqual(await appRules(app.name), []);
});
