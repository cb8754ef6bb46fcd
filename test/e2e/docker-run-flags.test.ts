import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { Dockerfiles, makeApp, type TestApp } from '../helpers/apps.ts';
import { startDaemon, type DaemonProcess } from '../helpers/daemon.ts';
import { removeLeftovers } from '../helpers/leftovers.ts';
import { get } from '../helpers/load.ts';
import { testPort } from '../helpers/ports.ts';
import { buildAndPush, startRegistry, type Registry } from '../helpers/registry.ts';

// `hanoverd [docker run flags] IMAGE [COMMAND...]`: flags before a pulled image, the command
// after it, and docker run's options visible on the live container, in docker inspect and
// from inside it.
const name = `hte2e-a-parity-${randomBytes(3).toString('hex')}`;
const port = testPort();
const base = `http://127.0.0.1:${port}`;
let registry: Registry;
let app: TestApp;
let daemon: DaemonProcess;
let image: string;

// CGI: the uid it runs as, and whether the root filesystem takes a write.
const PROBE_CGI = "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'; echo \"uid=$(id -u) root=$(touch /probe 2>/dev/null && echo rw || echo ro) pwd=$(pwd)\"\n";

before(async () => {
  registry = await startRegistry();
  image = `${registry.host}/hte2e/${name}:v1`;
  // No CMD: the command comes after the image on hanoverd's command line.
  app = makeApp('a-parity', Dockerfiles.hostname.replace(/^CMD .*$/m, ''));
  fs.writeFileSync(path.join(app.dir, 'www', 'cgi-bin', 'probe'), PROBE_CGI, { mode: 0o755 });
  fs.writeFileSync(path.join(app.dir, 'app.env'), '# docker env-file\nFROM_FILE=yes\nGREETING=from-file\n');
  await buildAndPush(app.dir, image, name, { pullOnly: true });
  daemon = startDaemon(app.dir, [
    '-p', `${port}:8080`, '-e', 'GREETING=hello', '--env-file', 'app.env', '--name', name, '--state-dir', `${app.dir}-state`,
    '--user', '1000:1000', '--memory', '64m', '--cpus', '0.5', '--read-only', '--tmpfs', '/tmp:size=1m', '-l', 'team=web',
    '-w', '/www', '--add-host', 'db.test:10.9.9.9', '--cap-drop', 'ALL', '--ulimit', 'nofile=1024:2048', '--stop-signal', 'SIGQUIT',
    '--log-driver', 'local', '--log-opt', 'max-size=1m',
    image, 'httpd', '-f', '-p', '8080', '-h', '/www',
  ]);
  await daemon.waitForLog(/traffic switched to/);
});

after(async () => {
  try {
    await daemon?.stop();
  } finally {
    await removeLeftovers(name, image ? [image] : []);
    await registry?.stop();
    app?.remove();
  }
});

test('flags before a pulled image, its command after it', async () => {
  assert.match(daemon.log(), new RegExp(`pulling ${image.replaceAll('.', '\\.')}`));
  assert.equal((await get(`${base}/cgi-bin/host`)).body, `${name}-1`);
  const env = (await get(`${base}/cgi-bin/env`)).body.split('\n');
  assert.ok(env.includes('GREETING=hello'), '-e wins over --env-file');
  assert.ok(env.includes('FROM_FILE=yes'));
  assert.ok(env.includes('HANOVERD_IMAGE_TAGDIGEST=v1'));
  assert.equal((await get(`${base}/cgi-bin/probe`)).body, 'uid=1000 root=ro pwd=/www/cgi-bin');
});

test('docker inspect of the live container shows the docker run options', async () => {
  const { stdout } = await execa('docker', ['inspect', `${name}-1`]);
  const [info] = JSON.parse(stdout) as Array<{
    Config: { User: string; WorkingDir: string; StopSignal: string; Env: string[]; Labels: Record<string, string>; Cmd: string[] };
    HostConfig: Record<string, unknown>;
  }>;
  assert.ok(info);
  assert.equal(info.Config.User, '1000:1000');
  assert.equal(info.Config.WorkingDir, '/www');
  assert.equal(info.Config.StopSignal, 'SIGQUIT');
  assert.deepEqual(info.Config.Cmd, ['httpd', '-f', '-p', '8080', '-h', '/www']);
  assert.ok(info.Config.Env.includes('FROM_FILE=yes'));
  assert.equal(info.Config.Labels.team, 'web');
  assert.equal(info.Config.Labels.orchestrator, 'hanoverd');
  assert.equal(info.Config.Labels['hanoverd-name'], `${name}-1`);
  assert.equal(info.Config.Labels['hanoverd.app'], name);
  const host = info.HostConfig;
  assert.equal(host.Memory, 64 * 1024 * 1024);
  assert.equal(host.NanoCpus, 500_000_000);
  assert.equal(host.ReadonlyRootfs, true);
  assert.deepEqual(host.Tmpfs, { '/tmp': 'size=1m' });
  assert.deepEqual(host.ExtraHosts, ['db.test:10.9.9.9']);
  assert.deepEqual(host.CapDrop, ['ALL']);
  assert.deepEqual(host.Ulimits, [{ Name: 'nofile', Soft: 1024, Hard: 2048 }]);
  assert.deepEqual(host.LogConfig, { Type: 'local', Config: { 'max-size': '1m' } });
});
