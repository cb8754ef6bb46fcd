import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import { Journal } from '../../../dist/daemon/journal.js';
import { startReconcileLoop } from '../../../dist/daemon/reconcile-loop.js';
import type { Traffic } from '../../../dist/daemon/traffic.js';
import type { RulesetChanges } from '../../../dist/firewall/ruleset-changes.js';
import { captureLog } from '../../helpers/capture-log.ts';
import { FakeStore } from '../../helpers/fake-engine.ts';

const everyMs = 5000;
const backstopMs = 60_000;

/** A ruleset watch driven by the test; `calls` shows the order of takes and checks. */
class FakeRuleset implements RulesetChanges {
  pending = false;
  readonly calls: string[];
  constructor(calls: string[]) {
    this.calls = calls;
  }
  changed() { return this.pending; }
  take() {
    this.calls.push('take');
    const was = this.pending;
    this.pending = false;
    return was;
  }
  watching() { return true; }
  stop() {}
}

function setup() {
  const calls: string[] = [];
  const ruleset = new FakeRuleset(calls);
  const connections = new Map<string, number>([['app-1', 0]]);
  const traffic: Traffic & { repair?: string; fail?: Error; during?: () => void; due?: boolean } = {
    checkDue: async () => traffic.due === true,
    adopt: async () => [],
    prepare: async () => {},
    switchTo: async () => {},
    stopTraffic: async () => {},
    removeAll: async () => {},
    async reconcile() {
      calls.push('reconcile');
      traffic.during?.();
      if (traffic.fail) throw traffic.fail;
      return traffic.repair;
    },
    connections,
  };
  const store = new FakeStore();
  const { log, text } = captureLog();
  const journal = new Journal({ app: 'app', cwd: '/', pid: 1, startedAt: '', bindings: [], built: [] }, store, log);
  const stop = startReconcileLoop(traffic, journal, log, ruleset, { everyMs, backstopMs });
  const checks = () => calls.filter((call) => call === 'reconcile').length;
  return { calls, ruleset, traffic, connections, journal, store, text, stop, checks };
}

/** Moves the clock on by whole ticks and lets the checks they started finish. */
async function ticks(count: number) {
  for (let i = 0; i < count; i++) {
    mock.timers.tick(everyMs);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('the reconcile loop', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setInterval'] }));
  afterEach(() => mock.timers.reset());

  test('skips the check while the ruleset is unchanged', async () => {
    const t = setup();
    await ticks(5);
    assert.equal(t.checks(), 0);
    assert.equal(t.calls.length, 5, 'still looks every tick');
    t.stop();
  });

  test('checks on the tick after a change, once', async () => {
    const t = setup();
    await ticks(2);
    t.ruleset.pending = true;
    t.traffic.repair = 'missing jump from PREROUTING';
    await ticks(1);
    assert.equal(t.checks(), 1);
    assert.match(t.text(), /the nat rules were changed by someone else \(missing jump from PREROUTING\); restored/);
    assert.equal(t.store.entries.at(-1)?.message, 'rules restored: missing jump from PREROUTING');
    delete t.traffic.repair;
    await ticks(3);
    assert.equal(t.checks(), 1);
    t.stop();
  });

  test('a check due without a ruleset event (a canary, route_localnet turned off) runs on the next tick and every tick while it lasts', async () => {
    const t = setup();
    await ticks(2);
    assert.equal(t.checks(), 0);
    t.traffic.due = true;
    await ticks(1);
    assert.equal(t.checks(), 1);
    await ticks(2);
    assert.equal(t.checks(), 3);
    t.stop();
  });

  test('checks at least once per backstop, changed or not, and copies the counters then', async () => {
    const t = setup();
    t.connections.set('app-1', 7);
    await ticks(backstopMs / everyMs - 1);
    assert.equal(t.checks(), 0);
    await ticks(1);
    assert.equal(t.checks(), 1);
    assert.deepEqual(t.journal.state.connections, { 'app-1': 7 });
    await ticks(backstopMs / everyMs);
    assert.equal(t.checks(), 2);
    t.stop();
  });

  test('a change counts as a check for the backstop', async () => {
    const t = setup();
    await ticks(backstopMs / everyMs - 2);
    t.ruleset.pending = true;
    await ticks(1);
    assert.equal(t.checks(), 1);
    await ticks(backstopMs / everyMs - 1);
    assert.equal(t.checks(), 1);
    await ticks(1);
    assert.equal(t.checks(), 2);
    t.stop();
  });

  test('takes the change before checking: one made during the check is checked next tick', async () => {
    const t = setup();
    t.ruleset.pending = true;
    t.traffic.during = () => {
      t.ruleset.pending = true;
      delete t.traffic.during;
    };
    await ticks(1);
    assert.deepEqual(t.calls, ['take', 'reconcile']);
    await ticks(1);
    assert.deepEqual(t.calls, ['take', 'reconcile', 'take', 'reconcile']);
    await ticks(1);
    assert.equal(t.checks(), 2);
    t.stop();
  });

  test('a failed check is logged once per streak and tried again each tick until it works', async () => {
    const t = setup();
    t.ruleset.pending = true;
    t.traffic.fail = new Error('iptables-save: broken');
    await ticks(3);
    assert.equal(t.checks(), 3);
    assert.equal(t.text().match(/checking the nat rules failed: iptables-save: broken/g)?.length, 1);
    delete t.traffic.fail;
    await ticks(2);
    assert.equal(t.checks(), 4, 'checked again after the failure, then quiet');
    t.stop();
  });

  test('stops', async () => {
    const t = setup();
    t.stop();
    t.ruleset.pending = true;
    await ticks(backstopMs / everyMs);
    assert.deepEqual(t.calls, []);
  });
});
