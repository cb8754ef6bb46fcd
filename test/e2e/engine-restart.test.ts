import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { restartEngine } from '../helpers/engine.ts';
import { get } from '../helpers/load.ts';
import { serveApp } from '../helpers/served-app.ts';

// dockerd restarted under a running daemon: it notices, waits, and restores service
// without being restarted itself; the history tells what happened.
const served = serveApp('engine');

test('after a Docker engine restart the daemon redeploys and serves again', async () => {
  const { app, daemon, base, stateDir } = served;
  const from = daemon.log().length;
  await restartEngine();
  await daemon.waitForLog(/the Docker engine is back/, 60_000, from);
  const [, name] = await daemon.waitForLog(/traffic switched to (\S+)/, 60_000, from);
  assert.notEqual(name, `${app.name}-1`);
  assert.deepEqual(await get(`${base}/cgi-bin/host`), { status: 200, body: name });
  assert.equal(daemon.child.exitCode, null);
  const history = JSON.parse((await runCli(['history', '--json', '--state-dir', stateDir])).stdout) as Array<{ trigger: string; outcome: string; message?: string }>;
  const messages = history.map((entry) => entry.message ?? `${entry.trigger}: ${entry.outcome}`);
  assert.ok(messages.includes('Docker engine unreachable'), messages.join('; '));
  assert.ok(messages.includes('Docker engine back'));
  assert.equal(messages.at(-1), `restart after ${app.name}-1 exited: live`);
});
