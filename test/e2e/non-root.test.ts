import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { makeApp, type TestApp } from '../helpers/apps.ts';
import { CLI } from '../helpers/daemon.ts';
import { appContainers, appRules, removeLeftovers, routeLocalnet } from '../helpers/leftovers.ts';
import { get } from '../helpers/load.ts';
import { testPort } from '../helpers/ports.ts';

// As the original README describes: hanoverd as an ordinary user, in the docker group, with
// a capable iptables first on PATH. Each missing piece is one line at start; with all of
// them it serves and hands over.
const user = `hte2e-nr${process.pid % 10000}`;
let uid = 0;
let app: TestApp;
let home: string;
let bin: string;
let savedLocalnet = '0';
const port = testPort();

function runAs(args: string[], options: { groups: boolean; capable: boolean }) {
  const env = {
    HOME: home,
    PATH: `${options.capable ? `${bin}:` : ''}${path.dirname(process.execPath)}:/usr/sbin:/usr/bin:/sbin:/bin`,
  };
  const ids = ['--reuid', String(uid), '--regid', String(uid), options.groups ? '--init-groups' : '--clear-groups'];
  return execa('setpriv', [...ids, '--', process.execPath, CLI, ...args], { cwd: app.dir, env, extendEnv: false, reject: false, stdin: 'ignore', all: true });
}

before(async () => {
  await execa('useradd', ['-M', '-s', '/usr/sbin/nologin', '-G', 'docker', user]);
  uid = Number((await execa('id', ['-u', user])).stdout);
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-nonroot-'));
  app = makeApp('nonroot');
  bin = path.join(home, 'bin');
  fs.mkdirSync(bin);
  // The original README's recipe: a copy of iptables with the capability, first on PATH.
  const multi = fs.realpathSync((await execa('sh', ['-c', 'command -v iptables-restore'])).stdout);
  fs.copyFileSync(multi, path.join(bin, 'xtables'));
  for (const name of ['iptables', 'iptables-save', 'iptables-restore']) fs.symlinkSync('xtables', path.join(bin, name));
  await execa('chown', ['-R', `${uid}`, home, path.dirname(app.dir)]);
  // After chown, which clears file capabilities.
  await execa('setcap', ['cap_net_admin,cap_net_raw+ep', path.join(bin, 'xtables')]);
  fs.chmodSync(path.dirname(app.dir), 0o755);
  savedLocalnet = await routeLocalnet();
});

after(async () => {
  await execa('sysctl', ['-q', '-w', `net.ipv4.conf.docker0.route_localnet=${savedLocalnet}`], { reject: false });
  await removeLeftovers(app.name);
  await execa('userdel', [user], { reject: false });
  app.remove();
  fs.rmSync(home, { recursive: true, force: true });
});

test('outside the docker group: one line, exit 1', async () => {
  const result = await runAs(['-p', `${port}:80`], { groups: false, capable: true });
  assert.equal(result.exitCode, 1);
  assert.match(result.all ?? '', /^hanoverd: no permission to use the Docker engine at unix:\/\/\/var\/run\/docker.sock; run hanoverd as root or as a user in the docker group(: connect EACCES \/var\/run\/docker.sock)?$/m);
});

test('without a capable iptables: one line, exit 1', async () => {
  const result = await runAs(['-p', `${port}:80`], { groups: true, capable: false });
  assert.equal(result.exitCode, 1);
  assert.match(result.all ?? '', /^hanoverd: cannot run iptables as this user .*cap_net_admin,cap_net_raw\+ep/m);
});

test('with route_localnet off and not writable: one line naming the sysctl, exit 1', async () => {
  await execa('sysctl', ['-q', '-w', 'net.ipv4.conf.docker0.route_localnet=0']);
  const result = await runAs(['-p', `${port}:80`], { groups: true, capable: true });
  assert.equal(result.exitCode, 1);
  assert.match(result.all ?? '', /^hanoverd: cannot turn on route_localnet for docker0 .*sysctl -w net.ipv4.conf.docker0.route_localnet=1$/m);
  assert.deepEqual(await appContainers(app.name), []);
});

test('with all three it serves, hands over on SIGHUP, and SIGTERM cleans up', async () => {
  await execa('sysctl', ['-q', '-w', 'net.ipv4.conf.docker0.route_localnet=1']);
  const daemon = runAs(['-p', `${port}:80`], { groups: true, capable: true });
  let output = '';
  daemon.all?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const waitFor = async (pattern: RegExp) => {
    for (let i = 0; i < 600 && !pattern.test(output); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.match(output, pattern);
  };
  try {
    await waitFor(/traffic switched to/);
    assert.equal((await get(`http://127.0.0.1:${port}/cgi-bin/host`)).body, `${app.name}-1`);
    daemon.kill('SIGHUP');
    await waitFor(new RegExp(`${app.name}-1 stopped and removed`));
    assert.equal((await get(`http://127.0.0.1:${port}/cgi-bin/host`)).body, `${app.name}-2`);
  } finally {
    daemon.kill('SIGTERM');
    const result = await daemon;
    assert.equal(result.exitCode, 0, output);
  }
  assert.deepEqual(await appContainers(app.name), []);
  assert.deepEqual(await appRules(app.name), []);
});
