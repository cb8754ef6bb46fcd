import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { Dockerfiles } from '../helpers/apps.ts';
import { startDaemon, type DaemonProcess } from '../helpers/daemon.ts';
import { createGitRepo, type TestGitRepo } from '../helpers/git-repo.ts';
import { startHookbotServer, type HookbotServer } from '../helpers/hookbot-server.ts';
import { appContainers, appRules, removeLeftovers } from '../helpers/leftovers.ts';
import { get, startLoad } from '../helpers/load.ts';
import { testPort } from '../helpers/ports.ts';
import { startRegistry, type Registry } from '../helpers/registry.ts';

// Builder mode and the docker-pull form end to end: `hanoverd builder` builds the GitHub
// branch, pushes to the local registry and notifies the docker-pull topic; a daemon on that
// topic pulls and hands over under continuous requests. A push announced while the daemon
// is away is found in the registry after it reconnects.
const name = `hte2e-bld-${randomBytes(3).toString('hex')}`;
const listenTopic = `github.com/repo/hte2e/${name}/branch/main`;
const port = testPort();
const base = `http://127.0.0.1:${port}`;
let server: HookbotServer;
let registry: Registry;
let remote: TestGitRepo;
let builder: DaemonProcess;
let daemon: DaemonProcess;
let builderDir: string;
let daemonDir: string;
let notifyTopic: string;
let image: string;
const shas: string[] = [];

const push = (sha: string) => JSON.stringify({ Type: 'push', Repo: `hte2e/${name}`, Branch: 'main', SHA: sha, Who: 'bob' });

async function imageTags(): Promise<string[]> {
  const tags: string[] = [];
  for (const repo of [name, `${registry.host}/hte2e/${name}`]) {
    // By ID: the versions the moving tag left behind are untagged but still there.
    const { stdout } = await execa('docker', ['images', '--format', '{{.ID}}', repo], { reject: false });
    tags.push(...stdout.split('\n').filter(Boolean));
  }
  return [...new Set(tags)];
}

before(async () => {
  server = await startHookbotServer();
  registry = await startRegistry();
  image = `${registry.host}/hte2e/${name}:main`;
  notifyTopic = `docker-pull/${registry.host}/hte2e/${name}/tag/main`;
  remote = await createGitRepo('hte2e', name);
  for (const version of ['v1', 'v2', 'v3']) {
    shas.push(await remote.commit({
      'busybox': fs.readFileSync('/bin/busybox'),
      'Dockerfile': Dockerfiles.hostname,
      'www/index.html': 'ok\n',
      'www/version': `${version}\n`,
    }, version));
  }
  await remote.setBranch('main', shas[0]!);
  builderDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-builder-'));
  daemonDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-hookbot-pull-'));
});

after(async () => {
  try {
    await Promise.allSettled([builder?.stop(), daemon?.stop()]);
  } finally {
    await removeLeftovers(name, await imageTags());
    await server?.close();
    await registry?.stop();
    remote?.remove();
    for (const dir of [builderDir, daemonDir]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the builder builds the branch head at start, pushes it and notifies the docker-pull topic', async () => {
  builder = startDaemon(builderDir, ['builder', '--listen', server.subUrl(listenTopic), '--docker-notify', server.pubUrl(notifyTopic), '--git-url-base', remote.base]);
  await builder.waitForLog(new RegExp(`pushed ${image.replaceAll('.', '\\.')} \\(\\w+\\) and notified http://\\*\\*\\*@`), 120_000);
  assert.equal(server.published.filter((m) => m.topic === notifyTopic).length, 1);
  await server.waitForSubscribers(listenTopic);
  assert.ok(!builder.log().includes(server.token), 'the token reached the log');
});

test('a daemon on the docker-pull topic pulls it', async () => {
  daemon = startDaemon(daemonDir, ['--hookbot', server.subUrl(notifyTopic), '-p', `${port}:80`, '--state-dir', path.join(daemonDir, 'state'), '--overlap-grace-duration', '200ms']);
  await daemon.waitForLog(new RegExp(`traffic switched to ${name}-1\\b`), 120_000);
  assert.equal((await get(`${base}/version`)).body, 'v1');
  await server.waitForSubscribers(notifyTopic);
});

test('a GitHub push: the builder pushes, the daemon hands over with zero failed requests', async () => {
  await remote.setBranch('main', shas[1]!);
  const load = startLoad(`${base}/version`, { concurrency: 4, maxMs: 120_000 });
  const from = daemon.log().length;
  server.publish(listenTopic, push(shas[1]!));
  await daemon.waitForLog(new RegExp(`${name}-1 stopped and removed`), 120_000, from);
  const result = await load.stop();
  assert.deepEqual(result.errors.slice(0, 5), []);
  assert.equal(result.failed, 0);
  assert.deepEqual([...result.bodies.keys()], ['v1', 'v2']);
  assert.match(builder.log(), new RegExp(`building \\(hookbot: bob pushed ${shas[1]!.slice(0, 12)} to main\\)`));
});

test('a notification missed while the daemon is away is found in the registry after it reconnects', async () => {
  const from = daemon.log().length;
  const builderFrom = builder.log().length;
  server.refuse(true, notifyTopic);
  server.drop(notifyTopic);
  await daemon.waitForLog(/connection closed by hookbot.*reconnecting in/, 10_000, from);
  await remote.setBranch('main', shas[2]!);
  server.publish(listenTopic, push(shas[2]!));
  await builder.waitForLog(/pushed .* and notified/, 120_000, builderFrom);
  server.refuse(false, notifyTopic);
  await daemon.waitForLog(/hookbot: update missed while disconnected/, 30_000, from);
  await daemon.waitForLog(new RegExp(`traffic switched to ${name}-3\\b`), 120_000, from);
  assert.equal((await get(`${base}/version`)).body, 'v3');
});

test('both stop cleanly and leave nothing behind', async () => {
  assert.equal(await builder.stop(), 0);
  assert.equal(await daemon.stop(), 0);
  assert.deepEqual(await appContainers(name), []);
  assert.deepEqual(await appRules(name), []);
  assert.ok(!daemon.log().includes(server.token) && !builder.log().includes(server.token));
});
