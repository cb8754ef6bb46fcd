import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { createBridgeAttacker, type BridgeAttacker } from '../helpers/bridge-attacker.ts';
import { routeLocalnet } from '../helpers/leftovers.ts';
import { get } from '../helpers/load.ts';
import { createNamespace, type Namespace } from '../helpers/netns.ts';
import { serveApp } from '../helpers/served-app.ts';

// route_localnet on the bridge lets the kernel route 127.0.0.1 to a container, and with it
// lets anything on the bridge send packets to 127.0.0.1 (CVE-2020-8558). hanoverd's guard
// drops those it did not DNAT itself. Shown for real: an attacker namespace on docker0
// reaches a host service bound to 127.0.0.1 once the guard is deleted by hand, and not
// after the daemon has put the guard back unsignalled, while the app keeps serving.
const APP_PORT = 18410;
const SERVICE_PORT = 18411;
const GUARD = 'hanoverd:localnet-guard';
const secret = `host-only-${randomBytes(4).toString('hex')}`;
// Read before any hook runs: what SIGTERM must put back.
const localnetBefore = await routeLocalnet('docker0');

let service: http.Server;
let accepted = 0;
let attacker: BridgeAttacker;
let client: Namespace;
before(async () => {
  service = http.createServer((_req, res) => res.end(secret));
  service.on('connection', () => { accepted++; });
  await new Promise<void>((resolve) => service.listen(SERVICE_PORT, '127.0.0.1', resolve));
  attacker = await createBridgeAttacker();
  client = await createNamespace({ prefix: 'hte2e-d' });
});
after(async () => {
  await attacker?.remove();
  await client?.remove();
  await new Promise((resolve) => (service ? service.close(resolve) : resolve(undefined)));
});
const served = serveApp('d-guard', { port: APP_PORT, args: ['--overlap-grace-duration', '200ms'] });

/** The guard rules on the filter table, as iptables-save prints them (with counters). */
async function guardRules(): Promise<string[]> {
  const { stdout } = await execa('iptables-save', ['-c', '-t', 'filter']);
  return stdout.split('\n').filter((line) => line.includes(GUARD));
}

const packets = (line: string) => Number(/^\[(\d+):/.exec(line)?.[1] ?? Number.NaN);

async function deleteGuard(): Promise<void> {
  const rules = (await guardRules()).filter((line) => line.includes('-i docker0 '));
  assert.equal(rules.length, 1, `one guard rule for docker0 expected:\n${rules.join('\n')}`);
  const rule = rules[0]!.replace(/^\[\d+:\d+\] -A /, '-D ');
  await execa('iptables-restore', ['--noflush'], { input: `*filter\n${rule}\nCOMMIT\n` });
}

async function servesEverywhere(): Promise<void> {
  const { app, base } = served;
  assert.deepEqual(await get(`${base}/cgi-bin/host`), { status: 200, body: `${app.name}-1` });
  const remote = await execa('ip', ['netns', 'exec', client.name, 'curl', '-sS', '--max-time', '5', `http://${client.hostAddress}:${APP_PORT}/cgi-bin/host`]);
  assert.equal(remote.stdout.trim(), `${app.name}-1`);
}

test('with the app live, route_localnet is on and the guard is in place', async () => {
  assert.equal(await routeLocalnet('docker0'), '1');
  const rules = await guardRules();
  assert.equal(rules.length, 1, rules.join('\n'));
  assert.match(rules[0]!, /-A INPUT -d 127\.0\.0\.0\/8 -i docker0 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT .*-j DROP/);
  await servesEverywhere();
});

test('without the guard, a neighbour on the bridge reaches a host service on 127.0.0.1 (the test is real)', async () => {
  // The daemon puts the guard back within its reconcile interval: try again if it did so
  // before the attempt was over, so that the attempt surely ran unguarded.
  for (let attempt = 1; ; attempt++) {
    await deleteGuard();
    const before = accepted;
    const body = await attacker.get('127.0.0.1', SERVICE_PORT);
    const unguarded = (await guardRules()).length === 0;
    if (unguarded || body !== undefined) {
      assert.equal(body, secret, 'the attack did not get through with no guard: the test proves nothing');
      assert.ok(accepted > before);
      return;
    }
    assert.ok(attempt < 3, 'the daemon put the guard back before every attempt could finish');
  }
});

test('the daemon puts the guard back unsignalled, and then the neighbour is dropped', async () => {
  const { daemon } = served;
  await daemon.waitForLog(/localnet guard missing\); restored/, 15_000);
  const deadline = Date.now() + 15_000;
  while ((await guardRules()).length === 0 && Date.now() < deadline) await sleep(200);
  const [guard] = await guardRules();
  assert.ok(guard, 'the guard did not come back');
  const before = accepted;
  assert.equal(await attacker.get('127.0.0.1', SERVICE_PORT), undefined, 'the neighbour reached 127.0.0.1 through the guard');
  assert.equal(accepted, before, 'the host service saw a connection from the bridge');
  const [after] = await guardRules();
  assert.ok(packets(after!) > packets(guard), `the guard dropped nothing:\n${guard}\n${after}`);
  // The guard lets through what hanoverd's own DNAT produced: answers to 127.0.0.1 clients.
  await servesEverywhere();
});

test('SIGTERM removes the guard and restores route_localnet', async () => {
  const { daemon } = served;
  assert.equal(await daemon.stop(), 0);
  assert.deepEqual(await guardRules(), []);
  assert.equal(await routeLocalnet('docker0'), localnetBefore);
});
