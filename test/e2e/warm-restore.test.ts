import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { execa } from 'execa';
import { iptablesBackend } from '../../dist/firewall/iptables.js';

// The switch writes its script to an iptables-restore started ahead of time. Its view of
// the table must be the kernel's at the switch, not at its start, and its commit one
// transaction.
const chain = `HOTEST-${process.pid}`;
const rules = async () => (await execa('iptables-save', ['-t', 'nat'])).stdout.split('\n').filter((line) => line.startsWith(`-A ${chain} `));

after(async () => {
  await execa('iptables', ['-t', 'nat', '-F', chain], { reject: false });
  await execa('iptables', ['-t', 'nat', '-X', chain], { reject: false });
});

test('a restore started ahead sees a chain made after it started', async () => {
  iptablesBackend.prewarm?.();
  await new Promise((resolve) => setTimeout(resolve, 300));
  await execa('iptables', ['-t', 'nat', '-N', chain]);
  // Appends to the chain without declaring it: fails unless the table is read at the switch.
  await iptablesBackend.restore(`*nat\n-A ${chain} -d 127.0.0.1/32 -p tcp --dport 9 -j RETURN\nCOMMIT\n`);
  assert.equal((await rules()).length, 1);
});

test('a failing script changes nothing, even from a restore started ahead', async () => {
  iptablesBackend.prewarm?.();
  await new Promise((resolve) => setTimeout(resolve, 300));
  await assert.rejects(iptablesBackend.restore(`*nat\n:${chain} - [0:0]\n-A ${chain} -p tcp --dport 10 -j RETURN\n-A NO-SUCH-CHAIN -j RETURN\nCOMMIT\n`));
  assert.equal((await rules()).length, 1, 'the flush and the append were not committed');
});

test('a restore started ahead keeps nothing alive', async () => {
  const { stdout } = await execa(process.execPath, ['--input-type=module', '-e', `
    import { iptablesBackend } from ${JSON.stringify(new URL('../../dist/firewall/iptables.js', import.meta.url).href)};
    iptablesBackend.prewarm();
    setTimeout(() => console.log('done'), 300);
  `], { timeout: 10_000 });
  assert.equal(stdout, 'done');
});

test('the restore started ahead waits at a higher priority (nice -10), so that a busy machine does not delay the switch', async () => {
  iptablesBackend.prewarm?.();
  await new Promise((resolve) => setTimeout(resolve, 300));
  const { stdout } = await execa('ps', ['-o', 'ni=,comm=', '--ppid', String(process.pid)]);
  const waiting = stdout.split('\n').map((line) => line.trim().split(/\s+/)).find(([, comm]) => comm === 'iptables-restor' || comm === 'iptables-restore' || comm?.startsWith('xtables'));
  assert.ok(waiting, `no iptables-restore waiting among this process's children:\n${stdout}`);
  assert.equal(waiting[0], '-10');
  // Used, so that it does not outlive the test.
  await iptablesBackend.restore(`*nat\n-A ${chain} -d 127.0.0.1/32 -p tcp --dport 11 -j RETURN\nCOMMIT\n`);
});
