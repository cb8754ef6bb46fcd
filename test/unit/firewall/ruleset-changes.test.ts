import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { execa } from 'execa';
import { watchRuleset } from '../../../dist/firewall/ruleset-changes.js';
import { captureLog, until } from '../../helpers/capture-log.ts';

const nfTables = async () => 'iptables-restore v1.8.9 (nf_tables)';
/** A monitor that prints nothing and stays up, or prints a line after `afterMs`. */
const fakeMonitor = (afterMs?: number) => ({
  command: process.execPath,
  args: ['-e', `${afterMs === undefined ? '' : `setTimeout(() => console.log('add table ip x'), ${afterMs});`} setInterval(() => {}, 60_000);`],
  iptablesVersion: nfTables,
});

/** Fallen back: every take is a change. */
const pollingForGood = (watch: ReturnType<typeof watchRuleset>) => !watch.watching() && watch.take() && watch.take() && watch.changed();

const nft = await execa('nft', ['list', 'tables'], { reject: false }).catch(() => undefined);

describe('watching the ruleset', () => {
  test('starts "changed", then is quiet until the monitor prints something', async () => {
    const watch = watchRuleset(fakeMonitor(200));
    try {
      assert.equal(watch.take(), true, 'what happened before the monitor started is unseen');
      assert.equal(watch.take(), false);
      await until(() => watch.changed(), 3000, 'the monitor\'s line');
      assert.equal(watch.take(), true);
      assert.equal(watch.take(), false);
      assert.equal(watch.watching(), true);
    } finally {
      watch.stop();
    }
  });

  test('a monitor that cannot start means "changed" on every take, silently (nft missing is said elsewhere)', async () => {
    const { log, text } = captureLog();
    const watch = watchRuleset({ command: 'hanoverd-no-such-nft', iptablesVersion: nfTables, log });
    watch.take();
    await until(() => !watch.watching(), 3000, 'the fallback');
    assert.ok(pollingForGood(watch));
    assert.equal(text(), '');
  });

  test('a monitor that exits means "changed" on every take, said in one line', async () => {
    const { log, lines } = captureLog();
    const watch = watchRuleset({ command: process.execPath, args: ['-e', 'process.exit(3)'], iptablesVersion: nfTables, log });
    watch.take();
    await until(() => !watch.watching(), 3000, 'the fallback');
    assert.ok(pollingForGood(watch));
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /warn .*watching the ruleset .* ended: .*exit code 3.*; comparing the rules every few seconds instead/);
  });

  test('legacy iptables (invisible to nft monitor) means "changed" on every take', async () => {
    const watch = watchRuleset({ ...fakeMonitor(), iptablesVersion: async () => 'iptables-restore v1.8.7 (legacy)' });
    watch.take();
    await until(() => !watch.watching(), 3000, 'the fallback');
    assert.ok(pollingForGood(watch));
  });

  test('stopped, it ends the monitor and says "changed" from then on', async () => {
    const { log, text } = captureLog();
    const watch = watchRuleset({ ...fakeMonitor(), log });
    watch.take();
    watch.stop();
    assert.ok(pollingForGood(watch));
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(text(), '', 'an asked-for stop is no news');
  });

  test('the real nft monitor sees a table of our own come and go', { skip: nft?.exitCode !== 0 && 'needs nft and root' }, async () => {
    const watch = watchRuleset({ iptablesVersion: nfTables });
    const table = `hvtest-${randomBytes(4).toString('hex')}`;
    try {
      watch.take();
      // The monitor subscribes a few ms after it starts: change the table until it is seen.
      const deadline = Date.now() + 900;
      while (!watch.changed() && Date.now() < deadline) {
        await execa('nft', ['add', 'table', 'ip', table]);
        await execa('nft', ['delete', 'table', 'ip', table]);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.equal(watch.take(), true);
      assert.equal(watch.watching(), true);
    } finally {
      watch.stop();
      await execa('nft', ['delete', 'table', 'ip', table], { reject: false });
    }
  });
});
