import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { Dockerfiles, makeApp, type TestApp } from '../helpers/apps.ts';
import { startDaemon } from '../helpers/daemon.ts';
import { removeLeftovers } from '../helpers/leftovers.ts';
import { get } from '../helpers/load.ts';
import { testPort } from '../helpers/ports.ts';
import { startRegistry, type Registry } from '../helpers/registry.ts';

// A registry that wants a password: hanoverd pulls with the credentials the docker CLI
// stored (DOCKER_CONFIG), and says clearly when it has none that work.
const user = { name: 'deployer', password: randomBytes(8).toString('hex') };
const name = `auth${randomBytes(3).toString('hex')}`;
let registry: Registry;
let app: TestApp;
let image: string;
let dockerConfig: string;
const port = testPort();

before(async () => {
  registry = await startRegistry(user);
  image = `${registry.host}/hte2e/${name}:v1`;
  dockerConfig = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-dockercfg-'));
  app = makeApp('auth', Dockerfiles.hostname);
  await execa('docker', ['--config', dockerConfig, 'login', '-u', user.name, '--password-stdin', registry.host], { input: user.password });
  await execa('docker', ['build', '-q', '--label', `hanoverd.built-as=${name}`, '-t', image, app.dir]);
  await execa('docker', ['--config', dockerConfig, 'push', '-q', image]);
  await execa('docker', ['rmi', image]);
});

after(async () => {
  await removeLeftovers(name, [image]);
  await registry?.stop();
  app?.remove();
  fs.rmSync(dockerConfig, { recursive: true, force: true });
});

test('without credentials the pull fails with a clear line, and the daemon keeps running', async () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-dockercfg-'));
  const daemon = startDaemon(app.dir, ['-p', `${port}:80`, '--state-dir', `${app.dir}-state`, image], { env: { DOCKER_CONFIG: empty } });
  try {
    const [line] = await daemon.waitForLog(/deploy failed: .*/);
    assert.match(line, /pulling .* failed; check the name, the tag and your registry credentials: .*(unauthorized|authentication required|no basic auth)/i);
    assert.equal(daemon.child.exitCode, null);
  } finally {
    assert.equal(await daemon.stop(), 0);
    fs.rmSync(empty, { recursive: true, force: true });
  }
});

test('with the docker CLI\'s stored credentials it pulls and serves, never logging the password', async () => {
  const daemon = startDaemon(app.dir, ['-p', `${port}:80`, '--state-dir', `${app.dir}-state`, image], { env: { DOCKER_CONFIG: dockerConfig } });
  try {
    await daemon.waitForLog(/traffic switched to/);
    assert.match(daemon.log(), new RegExp(`pulling ${image.replaceAll('.', '\\.')} \\(as ${user.name}\\)`));
    assert.equal((await get(`http://127.0.0.1:${port}/cgi-bin/host`)).body, `${name}-1`);
    assert.ok(!daemon.log().includes(user.password));
  } finally {
    assert.equal(await daemon.stop(), 0);
  }
});

test('with a credential helper on PATH (credHelpers) it pulls, never logging the secret', async () => {
  const helperDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-credhelper-'));
  const config = path.join(helperDir, 'docker');
  fs.mkdirSync(config);
  // As ECR/GCR/ACR users have it: no inline auths, a helper that knows the password.
  fs.writeFileSync(path.join(config, 'config.json'), JSON.stringify({ credHelpers: { [registry.host]: 'hanoverdtest' } }));
  fs.writeFileSync(path.join(helperDir, 'docker-credential-hanoverdtest'),
    `#!/bin/sh\nread server\necho '{"ServerURL":"'"$server"'","Username":"${user.name}","Secret":"${user.password}"}'\n`, { mode: 0o755 });
  const daemon = startDaemon(app.dir, ['-p', `${port}:80`, '--state-dir', `${app.dir}-state`, image], {
    env: { DOCKER_CONFIG: config, PATH: `${helperDir}:${process.env.PATH}` },
  });
  try {
    await daemon.waitForLog(/traffic switched to/);
    assert.match(daemon.log(), new RegExp(`\\(as ${user.name}\\)`));
    assert.ok(!daemon.log().includes(user.password));
    const state = fs.readFileSync(path.join(`${app.dir}-state`, 'state.json'), 'utf8') + fs.readFileSync(path.join(`${app.dir}-state`, 'history.jsonl'), 'utf8');
    assert.ok(!state.includes(user.password));
  } finally {
    assert.equal(await daemon.stop(), 0);
    fs.rmSync(helperDir, { recursive: true, force: true });
  }
});
