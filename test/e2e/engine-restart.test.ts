import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { makeApp, type TestApp } from '../helpers/apps.ts';
import { runCli } from '../helpers/cli.ts';
import { startDaemon, type DaemonProcess } from '../helpers/daemon.ts';
import { restartEngine } from '../helpers/engine.ts';
import { removeLeftovers } from '../helpers/leftovers.ts';
import { get } from '../helpers/load.ts';
import { testPort } from '../helpers/ports.ts';

// dockerd restarted under a running daemon: it notices, waits, and restores service
// without being restarted itself; the history tells what happened.
let app: TestApp;
let daemon: DaemonProcess;
let stateDir: string;
const port = testPort();

before(async () => {
  app = makeApp('engine');
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-state-'));
  daemon = startDaemon(app.dir, ['-p', `${port}:80`, '--state-dir', stateDir]);
  await daemon.waitForLog(/traffic switched to/);
});

after(async () => {
  try {
    await daemon?.stop();
  } finally {
    await removeLeftovers(app.name);
    app.remove();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
});

test('after a Docker engine restart the daemon redeploys and serves again', async () => {
  const from = daemon.log().length;
  await restartEngine();
  await daemon.waitForLog(/the Docker engine is back/, 60_000, from);
  const [, name] = await daemon.waitForLog(/traffic switched to (\S+)/, 60_000, from);
  assert.notEqual(name, `${app.name}-1`);
  assert.deepEqual(await get(`http://127.0.0.1:${port}/cgi-bin/host`), { status: 200, body: name });
  assert.equal(daemon.child.exitCode, null);
  const history = JSON.parse((await runCli(['history', '--json', '--state-dir', stateDir])).stdout) as Array<{ trigger: string; outcome: string; message?: string }>;
  const messages = history.map((entry) => entry.message ?? `${entry.trigger}: ${entry.outcome}`);
  assert.ok(messages.includes('Docker engine unreachable'), messages.join('; '));
  assert.ok(messages.includes('Docker engine back'));
  assert.equal(messages.at(-1), `live container ${app.name}-1 gone: live`);
});
