import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { Agent, request } from 'undici';
import { makeApp, type TestApp } from '../helpers/apps.ts';
import { runCli } from '../helpers/cli.ts';
import { startDaemon, type DaemonProcess } from '../helpers/daemon.ts';
import { appContainers, removeLeftovers } from '../helpers/leftovers.ts';
import { startLoad, type Load } from '../helpers/load.ts';
import { testPort } from '../helpers/ports.ts';

// Canary by share of new connections, in the kernel: `hanoverd deploy --canary 50`, then
// promote, then a canary ended by rollback; requests flow the whole time and none fails.
let app: TestApp;
let daemon: DaemonProcess;
let stateDir: string;
let load: Load;
const port = testPort();
const base = `http://127.0.0.1:${port}`;

const cli = async (...args: string[]) => {
  const result = await runCli([...args, '--state-dir', stateDir]);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout.trim();
};
const setVersion = (text: string) => fs.writeFileSync(path.join(app.dir, 'www', 'index.html'), `${text}\n`);

/** The bodies of `count` requests, each on a new connection. */
async function sample(count: number): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  const dispatcher = new Agent({ pipelining: 0 });
  for (let i = 0; i < count; i++) {
    const response = await request(`${base}/`, { dispatcher, reset: true });
    const body = (await response.body.text()).trim();
    seen.set(body, (seen.get(body) ?? 0) + 1);
  }
  await dispatcher.close();
  return seen;
}

before(async () => {
  app = makeApp('canary');
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-state-'));
  setVersion('v1');
  daemon = startDaemon(app.dir, ['-p', `${port}:80`, '--state-dir', stateDir, '--overlap-grace-duration', '100ms']);
  await daemon.waitForLog(/traffic switched to/);
  load = startLoad(`${base}/`, { concurrency: 2, maxMs: 120_000 });
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

test('a 50 % canary is answered by both versions in about that share of new connections', async () => {
  setVersion('v2');
  const from = daemon.log().length;
  assert.match(await cli('deploy', '--canary', '50'), /canary taking 50%/);
  await daemon.waitForLog(/is a canary: 50% of new connections/, 60_000, from);
  const seen = await sample(80);
  const v2 = seen.get('v2') ?? 0;
  assert.deepEqual([...seen.keys()].sort(), ['v1', 'v2']);
  // Binomial(80, 0.5): 99.9 % of samples fall within 40 ± 15.
  assert.ok(v2 >= 25 && v2 <= 55, `v2 answered ${v2} of 80`);
  const status = await cli('status');
  assert.match(status, /^canary +\S+-2 .* takes 50% of new connections$/m);
  const json = JSON.parse(await cli('status', '--json')) as { canary?: { percent: number } };
  assert.equal(json.canary?.percent, 50);
});

test('promote moves all new connections to the canary and retires the old version', async () => {
  const from = daemon.log().length;
  assert.match(await cli('promote'), /promoting canary/);
  await daemon.waitForLog(new RegExp(`${app.name}-1 stopped and removed`), 60_000, from);
  assert.deepEqual([...(await sample(20)).keys()], ['v2']);
  assert.deepEqual(await appContainers(app.name), [`${app.name}-2`]);
});

test('rollback during a canary ends it; the live version keeps all traffic', async () => {
  setVersion('v3');
  let from = daemon.log().length;
  await cli('deploy', '--canary', '30');
  await daemon.waitForLog(/is a canary: 30% of new connections/, 60_000, from);
  from = daemon.log().length;
  assert.match(await cli('rollback'), /ending canary/);
  await daemon.waitForLog(new RegExp(`${app.name}-3 stopped and removed`), 60_000, from);
  assert.deepEqual([...(await sample(20)).keys()], ['v2']);
});

test('no request failed through every step; /metrics on the control socket counts them', async () => {
  await sleep(200);
  const result = await load.stop();
  assert.equal(result.failed, 0, result.errors.slice(0, 5).join('\n'));
  assert.ok(result.ok > 100);
  const metrics = await new Promise<string>((resolve, reject) => {
    const dispatcher = new Agent({ connect: { socketPath: path.join(stateDir, 'control.sock') } });
    request('http://hanoverd/metrics', { dispatcher }).then((response) => response.body.text()).then(resolve, reject);
  });
  assert.match(metrics, /^hanoverd_deploys_total\{outcome="live"\} [1-9]/m);
  assert.match(metrics, /^hanoverd_deploys_total\{outcome="rolled-back"\} 1$/m);
});
