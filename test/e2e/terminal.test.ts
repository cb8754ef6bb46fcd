import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { makeApp, type TestApp } from '../helpers/apps.ts';
import { CLI } from '../helpers/daemon.ts';
import { appContainers, appRules, removeLeftovers } from '../helpers/leftovers.ts';
import { get } from '../helpers/load.ts';

// hanoverd started from an interactive bash on a real terminal (tmux): as a background
// job (`&`) it must never read the terminal (that stops it with SIGTTIN, deaf to HUP and
// TERM); in the foreground ^D still stops it, and a job moved with ^Z and bg keeps running.
const port = 18_221;
const base = `http://127.0.0.1:${port}`;
const tmuxSocket = `hanoverd-b-tty-${randomBytes(3).toString('hex')}`;
let app: TestApp;
let work: string;

const tmux = (...args: string[]) => execa('tmux', ['-L', tmuxSocket, ...args]);
/** Types a line into the interactive shell. */
const type = (line: string) => tmux('send-keys', '-t', 'main', '-l', line).then(() => tmux('send-keys', '-t', 'main', 'Enter'));
const key = (name: string) => tmux('send-keys', '-t', 'main', name);
const log = () => fs.readFileSync(path.join(work, 'log'), 'utf8');

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let value: T | undefined;
    try {
      value = probe();
    } catch {
      // Not there yet.
    }
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) {
      const screen = await tmux('capture-pane', '-p', '-t', 'main').then((result) => result.stdout, () => '');
      throw new Error(`timed out waiting for ${what}\n--- log ---\n${fs.existsSync(path.join(work, 'log')) ? log() : ''}\n--- screen ---\n${screen}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const logMatches = (pattern: RegExp, from = 0) => waitFor(`${pattern}`, () => pattern.test(log().slice(from)) || undefined);
/** The process state letter from /proc: T when stopped (by SIGTTIN, say). */
const processState = (pid: number) => fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[0];
const readPid = () => waitFor('the pid file', () => Number(fs.readFileSync(path.join(work, 'pid'), 'utf8').trim()) || undefined, 10_000);
const serving = async () => (await get(`${base}/cgi-bin/host`)).body;

before(async () => {
  app = makeApp('b-tty');
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-tty-'));
  await tmux('new-session', '-d', '-s', 'main', '-x', '200', '-y', '50', '-c', app.dir, 'env', 'PS1=$ ', 'bash', '--norc', '--noprofile', '-i');
});

after(async () => {
  try {
    await tmux('kill-server').catch(() => {});
  } finally {
    await removeLeftovers(app.name);
    app.remove();
    fs.rmSync(work, { recursive: true, force: true });
  }
});

const daemonLine = () => `${process.execPath} ${CLI} --name ${app.name} -p ${port}:80 --state-dir ${work}/state --overlap-grace-duration 100ms >${work}/log 2>&1`;

test('a background job (&): HUP hands over, TERM cleans up and exits 0', async () => {
  await type(`${daemonLine()} & echo $! >${work}/pid`);
  const pid = await readPid();
  await logMatches(/traffic switched to/);
  assert.notEqual(processState(pid), 'T');
  assert.equal(await serving(), `${app.name}-1`);

  let from = log().length;
  await type('kill -HUP %1');
  await logMatches(new RegExp(`traffic switched to ${app.name}-2`), from);
  assert.equal(await serving(), `${app.name}-2`);
  await logMatches(new RegExp(`${app.name}-1 stopped and removed`), from);

  from = log().length;
  await type('kill -TERM %1');
  await waitFor('the daemon to exit', () => !fs.existsSync(`/proc/${pid}`) || undefined);
  // Only then `wait` (bash keeps the status): Node restores the terminal mode it saw at
  // start when it exits, and a background job saw readline's, which would leak into a
  // foreground `wait` and into the next test.
  await type(`wait ${pid}; echo $? >${work}/exit`);
  assert.equal(await waitFor('the exit code', () => fs.readFileSync(path.join(work, 'exit'), 'utf8').trim() || undefined), '0');
  assert.match(log().slice(from), /SIGTERM: stopping/);
  assert.deepEqual(await appContainers(app.name), []);
  assert.deepEqual(await appRules(app.name), []);
});

test('in the foreground ^D stops it; moved to the background with ^Z and bg it keeps running', async () => {
  for (const file of ['pid', 'exit', 'log']) fs.rmSync(path.join(work, file), { force: true });
  await type(daemonLine());
  await logMatches(/traffic switched to/);
  await key('C-z');
  await type(`bg; jobs -p >${work}/pid`);
  const pid = await readPid();
  // Resumed in the background: it must not stop again reading the terminal.
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.notEqual(processState(pid), 'T');
  const from = log().length;
  await type('kill -HUP %1');
  await logMatches(new RegExp(`traffic switched to ${app.name}-\\d+`), from);
  assert.notEqual(processState(pid), 'T');

  // Back in the foreground, it reads the terminal again: ^D is end-of-file.
  // fg of a running job sends no signal: hanoverd notices within TerminalForegroundCheckMs.
  await type('fg');
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await key('C-d');
  await logMatches(/stdin closed: stopping/);
  await type(`echo $? >${work}/exit`);
  assert.equal(await waitFor('the exit code', () => fs.readFileSync(path.join(work, 'exit'), 'utf8').trim() || undefined), '0');
  assert.deepEqual(await appContainers(app.name), []);
  assert.deepEqual(await appRules(app.name), []);
});
