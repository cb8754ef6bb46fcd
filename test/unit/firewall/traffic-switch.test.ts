import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { appChains, parseSave, ruledBackends } from '../../../dist/firewall/rules.js';
import { TrafficSwitch } from '../../../dist/firewall/traffic-switch.js';
import { createLogger } from '../../../dist/log.js';
import type { PortBinding } from '../../../dist/options/publish.js';
import { FakeLocalnet, FakeNat } from '../../helpers/fake-nat.ts';
import { Writable } from 'node:stream';

const bindings: PortBinding[] = [{ hostIp: undefined, hostPort: 18080, containerPort: 80, protocol: 'tcp' }];
const v1 = { name: 'app-1', ip: '172.17.0.2', bridge: 'docker0' };
const v2 = { name: 'app-2', ip: '172.17.0.3', bridge: 'docker0' };
const chains = appChains('app');

function setup(udp: string[] = [], binds = bindings) {
  const nat = new FakeNat();
  const localnet = new FakeLocalnet();
  let logged = '';
  const log = createLogger('text', new Writable({ write(chunk, _e, done) { logged += String(chunk); done(); } }));
  const traffic = new TrafficSwitch('app', binds, log, { nat, localnet, forgetUdp: async (ip) => { udp.push(ip); } });
  return { nat, localnet, traffic, logged: () => logged };
}

const targets = (nat: FakeNat) => nat.rules('nat', chains.dnat).map((rule) => rule.at(-1));
const jumps = (nat: FakeNat) => ['PREROUTING', 'OUTPUT', 'POSTROUTING'].map((chain) => nat.rules('nat', chain).filter((rule) => rule.includes('hanoverd:app')).length);

describe('TrafficSwitch', () => {
  test('the first switch installs the chains and the jumps; a later switch only adds, then tidies', async () => {
    const { nat, traffic, localnet } = setup();
    await traffic.switchTo([v1]);
    assert.deepEqual(targets(nat), ['172.17.0.2:80']);
    assert.deepEqual(jumps(nat), [1, 1, 1]);
    assert.deepEqual(localnet.enabled, ['docker0']);
    assert.equal(nat.rules('filter', 'INPUT').length, 1, 'the localnet guard');
    const before = nat.restores.length;
    await traffic.switchTo([v2]);
    const [switched, tidied] = nat.restores.slice(before);
    assert.equal(nat.restores.length, before + 2);
    // The commit that moves traffic deletes nothing (deleting is what nf_tables is slow at).
    assert.doesNotMatch(switched!, /^(-D|:)/m);
    assert.match(switched!, /^-I \S+ 1 .*172\.17\.0\.3:80$/m);
    assert.match(tidied!, new RegExp(`^:${chains.dnat} `, 'm'));
    assert.deepEqual(targets(nat), ['172.17.0.3:80']);
    assert.deepEqual(jumps(nat), [1, 1, 1]);
  });

  test('when removing the old rules fails, the new ones already take everything and reconcile removes the old', async () => {
    const { nat, traffic, logged } = setup();
    await traffic.switchTo([v1]);
    const restore = nat.restore.bind(nat);
    let calls = 0;
    nat.restore = async (script) => (++calls === 2 ? Promise.reject(new Error('iptables-restore: injected failure')) : restore(script));
    await traffic.switchTo([v2]);
    assert.deepEqual(targets(nat), ['172.17.0.3:80', '172.17.0.2:80'], 'the new rule first: the old one is unreachable');
    assert.deepEqual(ruledBackends(await nat.save('nat').then(parseSave), 'app'), [{ name: 'app-2' }]);
    assert.match(logged(), /removing the old version's unreachable nat rules failed/);
    assert.match((await traffic.reconcile()) ?? '', /DNAT rules changed/);
    assert.deepEqual(targets(nat), ['172.17.0.3:80']);
  });

  test('a switch does not wait for the reads of a check, and a check that read before a switch is dropped', async () => {
    const { nat, traffic } = setup();
    await traffic.switchTo([v1]);
    const save = nat.save.bind(nat);
    let release = () => {};
    const gate = new Promise<void>((resolve) => { release = resolve; });
    nat.save = async (table) => { await gate; return save(table); };
    const checking = traffic.reconcile();
    const restores = nat.restores.length;
    await traffic.switchTo([v2]);
    assert.deepEqual(targets(nat), ['172.17.0.3:80'], 'switched while the check was still reading');
    release();
    assert.equal(await checking, undefined, 'what it read was from before the switch: dropped');
    assert.equal(nat.restores.length, restores + 2, 'the switch and its tidying, nothing from the check');
    assert.equal(await traffic.reconcile(), undefined);
  });

  test('a check is due without a ruleset event during a canary, and when route_localnet was turned off', async () => {
    const { localnet, traffic } = setup();
    await traffic.switchTo([v1]);
    assert.equal(await traffic.checkDue(), false);
    await traffic.switchTo([{ ...v2, percent: 10 }, v1]);
    assert.equal(await traffic.checkDue(), true, 'a canary: status shows its split');
    await traffic.switchTo([v2]);
    assert.equal(await traffic.checkDue(), false);
    await localnet.restore('docker0');
    assert.equal(await traffic.checkDue(), true, 'route_localnet off');
  });

  test('a chain deleted by someone else: the switch makes everything again', async () => {
    const { nat, traffic } = setup();
    await traffic.switchTo([v1]);
    nat.deleteRule('nat', (chain, rule) => chain === chains.dnat || rule.includes(chains.dnat));
    nat.tables.nat!.chains.delete(chains.dnat);
    await traffic.switchTo([v2]);
    assert.deepEqual(targets(nat), ['172.17.0.3:80']);
    assert.deepEqual(jumps(nat), [1, 1, 1]);
  });

  test('a canary split is added the same way: its shares first, the old rules behind them', async () => {
    const { nat, traffic } = setup();
    await traffic.switchTo([v1]);
    await traffic.switchTo([{ ...v2, percent: 10 }, v1]);
    assert.deepEqual(targets(nat), ['172.17.0.3:80', '172.17.0.2:80']);
    assert.deepEqual(ruledBackends(await nat.save('nat').then(parseSave), 'app'), [{ name: 'app-2', percent: 10 }, { name: 'app-1' }]);
  });

  test('a rule deleted by someone else does not break the next switch', async () => {
    const { nat, traffic } = setup();
    await traffic.switchTo([v1]);
    assert.equal(nat.deleteRule('nat', (chain) => chain === chains.dnat), 1);
    await traffic.switchTo([v2]);
    assert.deepEqual(targets(nat), ['172.17.0.3:80']);
  });

  test('a failed restore changes nothing, and the next switch works', async () => {
    const { nat, traffic } = setup();
    await traffic.switchTo([v1]);
    nat.failNext = 2; // the switch by adding, then the whole rewrite it falls back to
    await assert.rejects(traffic.switchTo([v2]));
    assert.deepEqual(targets(nat), ['172.17.0.2:80']);
    assert.deepEqual(traffic.backends.map((b) => b.name), ['app-1']);
    await traffic.switchTo([v2]);
    assert.deepEqual(targets(nat), ['172.17.0.3:80']);
  });

  test('reconcile puts back deleted rules, jumps and the guard, and reports nothing when all is in place', async () => {
    const { nat, traffic } = setup();
    assert.equal(await traffic.reconcile(), undefined, 'nothing installed yet: nothing to do');
    await traffic.switchTo([v1]);
    assert.equal(await traffic.reconcile(), undefined);
    nat.deleteRule('nat', (chain, rule) => chain === 'OUTPUT' && rule.includes(chains.dnat));
    nat.deleteRule('nat', (chain) => chain === chains.dnat);
    nat.deleteRule('filter', () => true);
    const repaired = await traffic.reconcile();
    assert.match(repaired ?? '', /missing jump from OUTPUT.*DNAT rules changed.*guard/);
    assert.deepEqual(targets(nat), ['172.17.0.2:80']);
    assert.deepEqual(jumps(nat), [1, 1, 1]);
    assert.equal(nat.rules('filter', 'INPUT').length, 1);
    assert.equal(await traffic.reconcile(), undefined);
  });

  test('reconcile recreates everything after the whole table was flushed', async () => {
    const { nat, traffic } = setup();
    await traffic.switchTo([v1]);
    nat.deleteRule('nat', () => true);
    for (const chain of Object.values(chains)) nat.tables.nat!.chains.delete(chain);
    assert.ok(await traffic.reconcile());
    assert.deepEqual(targets(nat), ['172.17.0.2:80']);
    assert.deepEqual(jumps(nat), [1, 1, 1]);
  });

  test('stopTraffic leaves the chain empty: nothing is sent to a gone address', async () => {
    const { nat, traffic } = setup();
    await traffic.switchTo([v1]);
    await traffic.stopTraffic();
    assert.deepEqual(targets(nat), []);
    assert.deepEqual(jumps(nat), [1, 1, 1]);
    assert.equal(await traffic.reconcile(), undefined);
  });

  test('removeAll removes chains, jumps and the guard, and restores route_localnet', async () => {
    const { nat, traffic, localnet } = setup();
    await traffic.switchTo([v1]);
    await traffic.removeAll();
    assert.equal(await nat.save('nat').then((text) => text.includes('hanoverd') || text.includes(chains.dnat)), false);
    assert.equal(nat.rules('filter', 'INPUT').length, 0);
    assert.equal(localnet.values.get('docker0'), '0');
  });

  test('removeAll keeps the guard and route_localnet while another app uses the bridge', async () => {
    const { nat, traffic, localnet } = setup();
    const other = new TrafficSwitch('other', [{ ...bindings[0]!, hostPort: 18081 }], createLogger('text', new Writable({ write(_c, _e, done) { done(); } })), { nat, localnet, forgetUdp: async () => {} });
    await other.switchTo([{ name: 'other-1', ip: '172.17.0.9', bridge: 'docker0' }]);
    await traffic.switchTo([v1]);
    await traffic.removeAll();
    assert.equal(nat.rules('filter', 'INPUT').length, 1);
    assert.equal(localnet.values.get('docker0'), '1');
    await other.removeAll();
    assert.equal(nat.rules('filter', 'INPUT').length, 0);
    assert.equal(localnet.values.get('docker0'), '0');
  });

  test('adopt names the ruled containers, also from an older hanoverd\'s rules, which the next switch replaces', async () => {
    const { nat, traffic } = setup();
    await nat.restore('*nat\n-A PREROUTING -p tcp -m addrtype --dst-type LOCAL -m tcp --dport 18080 -m comment --comment hanoverd:app:app-7 -j DNAT --to-destination 172.17.0.7:80\n-A OUTPUT -p tcp -m addrtype --dst-type LOCAL -m tcp --dport 18080 -m comment --comment hanoverd:app:app-7 -j DNAT --to-destination 172.17.0.7:80\nCOMMIT\n');
    assert.deepEqual(await traffic.adopt(), [{ name: 'app-7' }]);
    await traffic.switchTo([{ name: 'app-7', ip: '172.17.0.7', bridge: 'docker0' }]);
    assert.deepEqual(nat.rules('nat', 'PREROUTING').map((rule) => rule.at(-1)), [chains.dnat]);
    assert.deepEqual(await traffic.adopt(), [{ name: 'app-7' }]);
  });

  test('adopt refuses a host port another app holds', async () => {
    const { nat, traffic } = setup();
    const other = new TrafficSwitch('other', bindings, createLogger('text', new Writable({ write(_c, _e, done) { done(); } })), { nat, localnet: new FakeLocalnet(), forgetUdp: async () => {} });
    await other.switchTo([{ name: 'other-1', ip: '172.17.0.9', bridge: 'docker0' }]);
    await assert.rejects(traffic.adopt(), /host port 18080 is already handed over by hanoverd for other/);
  });

  test('UDP flows to the old backend are cleared at the switch', async () => {
    const udp: string[] = [];
    const { traffic } = setup(udp, [{ hostIp: undefined, hostPort: 5353, containerPort: 53, protocol: 'udp' }]);
    await traffic.switchTo([v1]);
    await traffic.switchTo([v2]);
    assert.deepEqual(udp, ['172.17.0.2']);
  });

  test('canary shares: both backends in one chain, the switch to one backend removes the other', async () => {
    const { nat, traffic } = setup();
    await traffic.switchTo([{ ...v2, percent: 50 }, v1]);
    assert.deepEqual(targets(nat), ['172.17.0.3:80', '172.17.0.2:80']);
    assert.equal(await traffic.reconcile(), undefined);
    await traffic.switchTo([v2]);
    assert.deepEqual(targets(nat), ['172.17.0.3:80']);
  });
});

describe('closing timeouts', () => {
  function withClosing(ensures: boolean[] = []) {
    const calls: string[] = [];
    let present = false;
    const nat = new FakeNat();
    const log = createLogger('text', new Writable({ write(chunk, _e, done) { calls.push(`log ${String(chunk).trim()}`); done(); } }));
    const traffic = new TrafficSwitch('app', bindings, log, {
      nat, localnet: new FakeLocalnet(), forgetUdp: async () => {},
      closing: () => ({
        async ensure() { calls.push('ensure'); present = ensures.shift() ?? true; return present; },
        async present() { return present; },
        async remove() { calls.push('remove'); present = false; },
      }),
    });
    return { traffic, calls, drop: () => { present = false; } };
  }

  test('made once before the first switch, put back by reconcile when gone, removed with the rules', async () => {
    const { traffic, calls, drop } = withClosing();
    await traffic.prepare('docker0');
    await traffic.switchTo([v1]);
    await traffic.switchTo([v2]);
    assert.deepEqual(calls.filter((c) => !c.startsWith('log')), ['ensure']);
    assert.equal(await traffic.reconcile(), undefined);
    drop();
    assert.equal(await traffic.reconcile(), 'conntrack timeouts table missing');
    await traffic.removeAll();
    assert.deepEqual(calls.filter((c) => !c.startsWith('log')), ['ensure', 'ensure', 'remove']);
  });

  test('without nft the switch still works, with one warning', async () => {
    const { traffic, calls } = withClosing([false]);
    await traffic.switchTo([v1]);
    await traffic.switchTo([v2]);
    assert.equal(calls.filter((c) => c.includes('cannot set short conntrack timeouts')).length, 1);
    assert.equal(await traffic.reconcile(), undefined);
  });
});

test('each new version gets an iptables-restore ready while it warms up, whatever the bridge', async () => {
  const nat = new FakeNat();
  let prewarmed = 0;
  const warmNat = Object.assign(nat, { prewarm: () => { prewarmed++; } });
  const log = createLogger('text', new Writable({ write(_c, _e, done) { done(); } }));
  const traffic = new TrafficSwitch('app', bindings, log, { nat: warmNat, localnet: new FakeLocalnet(), forgetUdp: async () => {} });
  await traffic.prepare('docker0');
  await traffic.switchTo([v1]);
  await traffic.prepare('docker0');
  await traffic.switchTo([v2]);
  assert.equal(prewarmed, 2);
});
