import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { Dockerfiles, makeApp } from '../helpers/apps.ts';
import { runCli } from '../helpers/cli.ts';
import { startDaemon } from '../helpers/daemon.ts';
import { appContainers, removeLeftovers } from '../helpers/leftovers.ts';

const run = (args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string) => runCli(args, { env, ...(cwd ? { cwd } : {}) });

const app = makeApp('cli', Dockerfiles.noPorts);
after(async () => {
  await removeLeftovers(app.name);
  app.remove();
  fs.rmSync(`${app.dir}-state`, { recursive: true, force: true });
});

test('hanoverd version', async () => {
  const { code, stdout } = await run(['version']);
  assert.equal(code, 0);
  assert.match(stdout, /^hanoverd \d+\.\d+\.\d+\n$/);
});

test('--help lists the docker-like and hanoverd flags', async () => {
  const { code, stdout } = await run(['--help']);
  assert.equal(code, 0);
  for (const flag of ['--publish', '--env', '--volume', '--mount', '--status-uri', '--disable-overlap', '--overlap-grace-duration', '--hookbot']) {
    assert.ok(stdout.includes(flag), flag);
  }
});

// A bad flag fails before Docker is touched: DOCKER_HOST points nowhere, yet the error
// is about the flag.
for (const [args, message] of [
  [['-p', '99999:80'], /--publish 99999:80: port 99999 is outside 1-65535/],
  [['-p', 'http'], /--publish http: "http" is not a port/],
  [['--bogus'], /Unknown argument: bogus/],
  [['--overlap-grace-duration', 'soon'], /--overlap-grace-duration: "soon" is not a duration/],
  [['-v', 'data'], /--volume data: the container path must be absolute/],
  [['--mount', 'type=nfs,target=/x'], /--mount type=nfs,target=\/x: type "nfs"/],
  [['--status-uri', 'healthz'], /--status-uri "healthz": a path starting with "\/"/],
  [['Bad Image!'], /image "Bad Image!" is not a valid reference/],
] as const) {
  test(`rejects ${args.join(' ')} with one line and exit 2`, async () => {
    const { code, stderr } = await run([...args], { DOCKER_HOST: 'unix:///nonexistent.sock' });
    assert.equal(code, 2);
    assert.match(stderr, message);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
    assert.match(stderr, /^hanoverd: /);
  });
}

test('an unreachable Docker engine is one clear line and exit 1', async () => {
  const { code, stderr } = await run(['-p', '18999:80'], { DOCKER_HOST: 'unix:///nonexistent.sock' }, app.dir);
  assert.equal(code, 1);
  assert.match(stderr, /cannot reach the Docker engine at unix:\/\/\/nonexistent.sock; start dockerd or set DOCKER_HOST/);
});

test('iptables missing is one clear line and exit 1, before anything starts', async () => {
  const { code, stderr } = await run(['-p', '18999:80', '--state-dir', `${app.dir}-state`], { PATH: '/nonexistent' }, app.dir);
  assert.equal(code, 1);
  assert.match(stderr, /^hanoverd: cannot run iptables \(needed to switch traffic\): iptables-save and iptables-restore are not on PATH; install iptables/);
  assert.deepEqual(await appContainers(app.name), []);
});

test('no exposed port is a clear error; the daemon keeps running and stops cleanly', async () => {
  const daemon = startDaemon(app.dir, []);
  const [line] = await daemon.waitForLog(/deploy failed: .*/);
  assert.match(line, /exposes no TCP port; add EXPOSE to the Dockerfile or publish one with -p/);
  assert.equal(daemon.child.exitCode, null);
  assert.equal(await daemon.stop(), 0);
  assert.deepEqual(await appContainers(app.name), []);
});

test('under systemd (Type=notify) it reports ready once a version is live', async () => {
  app.setDockerfile(Dockerfiles.hostname);
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-notify-'));
  const calls = path.join(bin, 'calls');
  // A stand-in for systemd-notify that records how it was called.
  fs.writeFileSync(path.join(bin, 'systemd-notify'), `#!/bin/sh\necho "$@" >> ${calls}\n`, { mode: 0o755 });
  try {
    const daemon = startDaemon(app.dir, ['--state-dir', `${app.dir}-state`], { env: { NOTIFY_SOCKET: '/run/notify-test', PATH: `${bin}:${process.env.PATH}` } });
    await daemon.waitForLog(/is ready on port/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(await daemon.stop(), 0);
    const lines = fs.readFileSync(calls, 'utf8').trim().split('\n');
    assert.match(lines[0]!, new RegExp(`^--ready --pid=\\d+ --status=serving ${app.name}-1 \\(${app.name}\\)$`));
    assert.match(lines.at(-1)!, /^--pid=\d+ --status=stopped$/);
  } finally {
    fs.rmSync(bin, { recursive: true, force: true });
  }
});

test('stdin closing stops the daemon when stdin is a pipe', async () => {
  app.setDockerfile(Dockerfiles.hostname);
  const daemon = startDaemon(app.dir, [], { stdin: 'pipe' });
  await daemon.waitForLog(/traffic switched to|is ready on port/);
  daemon.child.stdin!.end();
  assert.equal(await daemon.exited, 0);
  assert.match(daemon.log(), /stdin closed: stopping/);
  assert.deepEqual(await appContainers(app.name), []);
});
