import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { dockerfile, httpd, makeApp, type TestApp } from '../helpers/apps.ts';
import { startDaemon, type DaemonProcess } from '../helpers/daemon.ts';
import { appContainers, removeLeftovers } from '../helpers/leftovers.ts';
import { get, startLoad } from '../helpers/load.ts';
import { testPort } from '../helpers/ports.ts';

// Watching what was deployed and telling others: --watch rolls back by itself, /metrics
// counts deploys, --notify posts events, --pre-switch can veto a version, --post-deploy
// runs after one goes live.
let app: TestApp;
let daemon: DaemonProcess;
let stateDir: string;
let receiver: http.Server;
const events: Array<{ event: string; text: string; container?: string; error?: string }> = [];
const port = testPort();
const metricsPort = testPort();
const receiverPort = testPort();
const base = `http://127.0.0.1:${port}`;
const envFile = path.join(os.tmpdir(), `hanoverd-post-deploy-${port}.env`);
const hookScript = path.join(os.tmpdir(), `hanoverd-post-deploy-${port}.sh`);
const healthy = dockerfile(`EXPOSE 80\n${httpd()}`);
// Serves, then dies 5 s after it started: a version that breaks after it went live.
const diesLater = dockerfile('EXPOSE 80\nCMD ["sh", "-c", "httpd -p 80 -h /www; sleep 5; exit 3"]');

const setVersion = (text: string) => fs.writeFileSync(path.join(app.dir, 'www', 'index.html'), `${text}\n`);
const metric = async (name: string) => {
  const text = (await get(`http://127.0.0.1:${metricsPort}/metrics`)).body;
  return Number(text.split('\n').find((line) => line.startsWith(name))?.split(' ').at(-1) ?? 0);
};

before(async () => {
  receiver = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => { body += chunk.toString(); });
    request.on('end', () => {
      events.push(JSON.parse(body) as (typeof events)[number]);
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(receiverPort, '127.0.0.1', resolve));
  fs.writeFileSync(hookScript, `#!/bin/sh\nenv | grep ^HANOVERD_ > ${envFile}\n`, { mode: 0o755 });
  app = makeApp('observe', healthy);
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-state-'));
  setVersion('v1');
  daemon = startDaemon(app.dir, [
    '-p', `${port}:80`, '--state-dir', stateDir, '--overlap-grace-duration', '100ms',
    '--watch', '30s', '--watch-failures', '2',
    '--metrics-listen', `127.0.0.1:${metricsPort}`,
    '--notify', `http://user:s3cret@127.0.0.1:${receiverPort}/hook`,
    '--post-deploy', hookScript,
  ]);
  await daemon.waitForLog(/traffic switched to/);
});

after(async () => {
  try {
    await daemon?.stop();
  } finally {
    receiver?.close();
    await removeLeftovers(app.name);
    app.remove();
    fs.rmSync(stateDir, { recursive: true, force: true });
    fs.rmSync(envFile, { force: true });
    fs.rmSync(hookScript, { force: true });
  }
});

test('/metrics counts a live deploy; --notify gets the event; --post-deploy sees the variables', async () => {
  const before = await metric('hanoverd_deploys_total{outcome="live"}');
  setVersion('v2');
  const from = daemon.log().length;
  daemon.signal('SIGHUP');
  const [, name] = await daemon.waitForLog(/traffic switched to (\S+)/, 60_000, from);
  // The outcome is counted when the deploy ends, just after the switch's log line.
  let live = 0;
  for (let i = 0; i < 50 && (live = await metric('hanoverd_deploys_total{outcome="live"}')) < before + 1; i++) await sleep(100);
  assert.equal(live, before + 1);
  for (let i = 0; i < 50 && !events.some((e) => e.event === 'live' && e.container === name); i++) await sleep(100);
  const event = events.find((e) => e.event === 'live' && e.container === name);
  assert.ok(event, JSON.stringify(events));
  assert.match(event.text, new RegExp(`${name} .* is live after SIGHUP`));
  for (let i = 0; i < 50 && !fs.existsSync(envFile); i++) await sleep(100);
  const env = fs.readFileSync(envFile, 'utf8');
  assert.match(env, new RegExp(`^HANOVERD_APP=${app.name}$`, 'm'));
  assert.match(env, new RegExp(`^HANOVERD_CONTAINER=${name}$`, 'm'));
  assert.match(env, /^HANOVERD_IMAGE=/m);
  assert.match(env, /^HANOVERD_DIGEST=/m);
  assert.doesNotMatch(daemon.log(), /s3cret/);
  const status = await get(`http://127.0.0.1:${metricsPort}/metrics`);
  assert.match(status.body, /hanoverd_live_info\{container="[^"]+",image="[^"]+"/);
});

test('--watch: a version that dies 5 s after going live is replaced by the previous one, unsignalled', async () => {
  app.setDockerfile(diesLater);
  setVersion('v3');
  const from = daemon.log().length;
  daemon.signal('SIGHUP');
  const [, dying] = await daemon.waitForLog(/traffic switched to (\S+)/, 60_000, from);
  assert.equal((await get(`${base}/`)).body, 'v3');
  const load = startLoad(`${base}/`, { concurrency: 2, maxMs: 30_000 });
  const [, back] = await daemon.waitForLog(/failed while watched: .*; sending traffic back to (\S+)/, 20_000, from);
  const crashedAt = Date.now();
  for (let i = 0; i < 40 && (await get(`${base}/`).catch(() => ({ body: '' }))).body !== 'v2'; i++) await sleep(50);
  assert.ok(Date.now() - crashedAt < 2000, 'the previous version answers again within a second or two');
  assert.deepEqual(await get(`${base}/`), { status: 200, body: 'v2' });
  await sleep(500);
  const result = await load.stop();
  assert.ok(result.bodies.has('v2'));
  assert.notEqual(back, dying);
  for (let i = 0; i < 50 && !events.some((e) => e.event === 'rolled-back'); i++) await sleep(100);
  assert.ok(events.some((e) => e.event === 'rolled-back' && /exited with code 3/.test(e.error ?? '')), JSON.stringify(events));
  app.setDockerfile(healthy);
});

test('--notify gets a failed build', async () => {
  app.setDockerfile(dockerfile('RUN ["/bin/busybox", "false"]\nEXPOSE 80'));
  const from = daemon.log().length;
  daemon.signal('SIGHUP');
  await daemon.waitForLog(/deploy failed/, 60_000, from);
  for (let i = 0; i < 50 && !events.some((e) => e.event === 'failed'); i++) await sleep(100);
  assert.ok(events.some((e) => e.event === 'failed' && /building .* failed/.test(e.error ?? '')), JSON.stringify(events));
  app.setDockerfile(healthy);
});

test('--pre-switch that fails keeps the old version; one that succeeds lets the new one go live', async () => {
  // Killed, as by the OOM killer: the live version keeps serving and is adopted by the next start.
  const serving = (await get(`${base}/`)).body;
  daemon.signal('SIGKILL');
  await daemon.exited;
  setVersion('v5');
  daemon = startDaemon(app.dir, ['-p', `${port}:80`, '--state-dir', stateDir, '--pre-switch', '/bin/false']);
  await daemon.waitForLog(/deploy failed: pre-switch command exited 1 in \S+; the old version keeps serving/);
  assert.deepEqual(await get(`${base}/`), { status: 200, body: serving });
  daemon.signal('SIGKILL');
  await daemon.exited;
  daemon = startDaemon(app.dir, ['-p', `${port}:80`, '--state-dir', stateDir, '--pre-switch', '/bin/true']);
  // The first switch puts back the adopted version's rules; the second is the new version.
  await daemon.waitForLog(/is ready on port[^]*traffic switched to/);
  assert.deepEqual(await get(`${base}/`), { status: 200, body: 'v5' });
});
