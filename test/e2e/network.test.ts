import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { makeApp, type TestApp } from '../helpers/apps.ts';
import { startDaemon, type DaemonProcess } from '../helpers/daemon.ts';
import { appContainers, appRules, removeLeftovers, routeLocalnet } from '../helpers/leftovers.ts';
import { get, startLoad } from '../helpers/load.ts';
import { createNamespace, type Namespace } from '../helpers/netns.ts';
import { testPort } from '../helpers/ports.ts';

const LOAD_MAIN = path.resolve(fileURLToPath(import.meta.url), '../../helpers/load-main.ts');

// --network: the app joins user-defined networks (the first where traffic goes, the second
// connected before start, its alias on each), reaches another container there by its
// alias, and hands over on SIGHUP with no failed request, from 127.0.0.1 and from another
// network namespace.
const id = randomBytes(3).toString('hex');
// Docker routes a container through the network that sorts first by name and publishes its
// ports there: the first --network must be that one for clients on other hosts.
const [front, back] = [`hte2e-a-1front-${id}`, `hte2e-a-2back-${id}`];
const db = `hte2e-a-db-${id}`;
const port = testPort();
const base = `http://127.0.0.1:${port}`;
let app: TestApp;
let daemon: DaemonProcess;
let stateDir: string;
let ns: Namespace;

// CGI: this container's name, then what the "db" alias serves, one request each time.
const DB_CGI = "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'; echo \"$(hostname) $(wget -q -O- http://db/value)\"\n";

before(async () => {
  app = makeApp('a-net');
  fs.writeFileSync(path.join(app.dir, 'www', 'cgi-bin', 'db'), DB_CGI, { mode: 0o755 });
  fs.writeFileSync(path.join(app.dir, 'www', 'value'), 'from-db\n');
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-state-'));
  for (const network of [front, back]) await execa('docker', ['network', 'create', network]);
  // The same image serves as the database: it is labelled as built for the app, so its clean-up removes it.
  await execa('docker', ['build', '-q', '--label', `hanoverd.built-as=${app.name}`, '-t', db, app.dir]);
  await execa('docker', ['run', '-d', '--name', db, '--network', front, '--network-alias', 'db', db]);
  ns = await createNamespace();
  daemon = startDaemon(app.dir, ['-p', `${port}:80`, '--state-dir', stateDir, '--network', front, '--network', back, '--network-alias', 'web', '--overlap-grace-duration', '200ms']);
  await daemon.waitForLog(/traffic switched to/);
});

after(async () => {
  try {
    await daemon?.stop();
  } finally {
    await execa('docker', ['rm', '-f', db], { reject: false });
    if (app) await removeLeftovers(app.name, [db]);
    await execa('docker', ['network', 'rm', front, back], { reject: false });
    await ns?.remove();
    app?.remove();
    if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
  }
});

async function inspect(container: string) {
  const { stdout } = await execa('docker', ['inspect', container]);
  return (JSON.parse(stdout) as Array<{ Config: { Labels: Record<string, string> }; NetworkSettings: { Networks: Record<string, { IPAddress: string; Aliases: string[] | null; NetworkID: string }> } }>)[0]!;
}

test('the container is on both networks with its alias, and traffic goes to its address on the first', async () => {
  const info = await inspect(`${app.name}-1`);
  assert.deepEqual(Object.keys(info.NetworkSettings.Networks).sort(), [back, front].sort());
  for (const network of [front, back]) assert.ok(info.NetworkSettings.Networks[network]!.Aliases?.includes('web'), network);
  assert.equal(info.Config.Labels['hanoverd.network'], front);
  const frontIp = info.NetworkSettings.Networks[front]!.IPAddress;
  const dnat = (await appRules(app.name)).filter((rule) => rule.includes('DNAT'));
  assert.ok(dnat.length > 0 && dnat.every((rule) => rule.includes(`--to-destination ${frontIp}:80`)), dnat.join('\n'));
  const bridge = `br-${info.NetworkSettings.Networks[front]!.NetworkID.slice(0, 12)}`;
  assert.equal(await routeLocalnet(bridge), '1');
  assert.ok((await appRules(app.name)).some((rule) => rule.includes(`-o ${bridge}`) && rule.includes('MASQUERADE')));
  assert.equal((await get(`${base}/cgi-bin/db`)).body, `${app.name}-1 from-db`);
  assert.doesNotMatch(daemon.log(), /routes through network/);
});

test('SIGHUP hands over with no failed request from 127.0.0.1 or another namespace; the new version reaches db too', async () => {
  const url = `http://${ns.hostAddress}:${port}/cgi-bin/db`;
  const remote = execa('ip', ['netns', 'exec', ns.name, process.execPath, LOAD_MAIN, url, '5000']);
  const local = startLoad(`${base}/cgi-bin/db`, { concurrency: 3, maxMs: 60_000 });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const from = daemon.log().length;
  daemon.signal('SIGHUP');
  await daemon.waitForLog(new RegExp(`traffic switched to ${app.name}-2`), 60_000, from);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const result = await local.stop();
  const remoteResult = JSON.parse((await remote).stdout) as { ok: number; failed: number; errors: string[]; bodies: string[] };
  assert.deepEqual(result.errors.slice(0, 5), []);
  assert.equal(result.failed, 0);
  assert.deepEqual([...result.bodies.keys()], [`${app.name}-1 from-db`, `${app.name}-2 from-db`]);
  assert.deepEqual(remoteResult.errors, []);
  assert.equal(remoteResult.failed, 0);
  assert.ok(remoteResult.ok > 20, `only ${remoteResult.ok} remote requests`);
  assert.deepEqual(remoteResult.bodies, [`${app.name}-1 from-db`, `${app.name}-2 from-db`]);
});

test('stopping removes the containers and rules; the networks stay for their owner', async () => {
  assert.equal(await daemon.stop(), 0);
  assert.deepEqual(await appContainers(app.name), []);
  assert.deepEqual(await appRules(app.name), []);
  await execa('docker', ['network', 'inspect', front]);
});

test('a network that does not exist fails the deploy with one clear line', async () => {
  const missing = startDaemon(app.dir, ['-p', `${port}:80`, '--state-dir', `${stateDir}/missing`, '--network', `hte2e-a-nonet-${id}`]);
  try {
    const [line] = await missing.waitForLog(/deploy failed: .*/);
    assert.match(line, new RegExp(`network hte2e-a-nonet-${id} does not exist; create it with docker network create`));
  } finally {
    assert.equal(await missing.stop(), 0);
  }
  assert.deepEqual(await appContainers(app.name), []);
});
