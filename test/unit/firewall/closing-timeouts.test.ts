import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closingScript, closingTable } from '../../../dist/firewall/closing-timeouts.js';
import { countEnded } from '../../../dist/firewall/conntrack.js';

test('the nft script replaces the table atomically and matches only the published TCP ports', () => {
  const script = closingScript('shop', [
    { hostIp: undefined, hostPort: 8080, containerPort: 80, protocol: 'tcp' },
    { hostIp: '127.0.0.1', hostPort: 9090, containerPort: 90, protocol: 'tcp' },
    { hostIp: undefined, hostPort: 5353, containerPort: 53, protocol: 'udp' },
  ]) ?? '';
  const table = closingTable('shop');
  assert.match(table, /^hanoverd-[0-9a-f]{10}$/);
  assert.ok(script.startsWith(`table ip ${table}\ndelete table ip ${table}\ntable ip ${table} {\n`));
  assert.match(script, /policy = \{ time_wait: \d+, close: \d+ \}/);
  for (const hook of ['prerouting', 'output']) assert.match(script, new RegExp(`type filter hook ${hook} priority -150;`));
  assert.equal(script.match(/tcp dport 8080 fib daddr type local ct timeout set "closing"/g)?.length, 2);
  assert.equal(script.match(/ip daddr 127\.0\.0\.1 tcp dport 9090 /g)?.length, 2);
  assert.doesNotMatch(script, /5353/);
});

test('no TCP port, no table', () => {
  assert.equal(closingScript('dns', [{ hostIp: undefined, hostPort: 53, containerPort: 53, protocol: 'udp' }]), undefined);
});

test('countEnded counts TIME_WAIT and CLOSE entries only', () => {
  const listing = [
    'tcp      6 1 TIME_WAIT src=127.0.0.1 dst=127.0.0.1 sport=57278 dport=8080 src=172.17.0.2 dst=172.17.0.1 sport=80 dport=57278 [ASSURED] mark=0 use=1',
    'tcp      6 9 CLOSE src=127.0.0.1 dst=127.0.0.1 sport=57279 dport=8080 src=172.17.0.2 dst=172.17.0.1 sport=80 dport=57279 mark=0 use=1',
    'tcp      6 431999 ESTABLISHED src=127.0.0.1 dst=127.0.0.1 sport=57280 dport=8080 src=172.17.0.2 dst=172.17.0.1 sport=80 dport=57280 [ASSURED] mark=0 use=1',
    '',
  ].join('\n');
  assert.equal(countEnded(listing), 2);
  assert.equal(countEnded(''), 0);
});
