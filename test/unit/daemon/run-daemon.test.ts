import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { createDaemon, type Daemon } from '../../../dist/daemon/run-daemon.js';
import { createLogger } from '../../../dist/log.js';
import { until as waitUntil } from '../../helpers/capture-log.ts';
import { FakeEngine, FakeStore, FakeTraffic, testConfig } from '../../helpers/fake-engine.ts';

function start(options: { engine?: FakeEngine; traffic?: FakeTraffic; store?: FakeStore; overlap?: boolean; watchMs?: number } = {}) {
  const engine = options.engine ?? new FakeEngine();
  const traffic = options.traffic ?? new FakeTraffic();
  const store = options.store ?? new FakeStore();
  const shutdown = new AbortController();
  let logged = '';
  const log = createLogger('text', new Writable({ write(chunk, _e, done) { logged += String(chunk); done(); } }));
  const daemon = createDaemon(testConfig({ overlap: options.overlap ?? true, ...(options.watchMs ? { watchMs: options.watchMs, watchFailures: 2 } : {}) }), log, shutdown.signal, { engine, traffic, store });
  return { engine, traffic, store, daemon, shutdown, log: () => logged };
}

const until = (check: () => boolean, what: string, timeoutMs = 3000) => waitUntil(check, timeoutMs, what);

const lastOutcome = (daemon: Daemon) => daemon.history().filter((e) => e.kind === 'deploy').at(-1)?.outcome;
const deploys = (daemon: Daemon) => daemon.history().filter((e) => e.kind === 'deploy').length;

async function deployAndWait(daemon: Daemon, reason = 'SIGHUP') {
  const before = deploys(daemon);
  daemon.deploy({ reason });
  await until(() => deploys(daemon) > before, `deploy ${reason}`);
  return lastOutcome(daemon);
}

describe('the daemon, with its surroundings failing', () => {
  test('a full disk during a deploy: the deploy still goes live, the daemon keeps running, and writes resume', async () => {
    const t = start();
    await until(() => t.traffic.target === 'app-1', 'first version');
    t.store.full = true;
    t.daemon.deploy({ reason: 'SIGHUP' });
    await until(() => t.traffic.target === 'app-2', 'second version despite the full disk');
    await until(() => t.engine.running().join() === 'app-2', 'old version retired');
    assert.match(t.log(), /writing the state failed: ENOSPC.*live version is not affected/);
    assert.equal(t.log().match(/writing the state failed/g)?.length, 1, 'logged once per streak');
    t.store.full = false;
    assert.equal(await deployAndWait(t.daemon), 'live');
    assert.equal(t.traffic.target, 'app-3');
    assert.match(t.log(), /writing the state works again/);
    t.shutdown.abort();
    await t.daemon.done;
    assert.deepEqual(t.engine.running(), []);
  });

  test('a failed switch removes the new container and leaves the live one serving', async () => {
    const t = start();
    await until(() => t.traffic.target === 'app-1', 'first version');
    t.traffic.failSwitch = 1;
    assert.equal(await deployAndWait(t.daemon), 'failed');
    assert.equal(t.traffic.target, 'app-1');
    assert.deepEqual(t.engine.running(), ['app-1']);
    assert.match(t.log(), /deploy failed: iptables-restore: injected failure \(app-1 keeps serving/);
    assert.equal(await deployAndWait(t.daemon), 'live');
    assert.equal(t.traffic.target, 'app-3');
    t.shutdown.abort();
    await t.daemon.done;
  });

  for (const step of ['obtain', 'start', 'list'] as const) {
    test(`a failure in ${step} fails that attempt only`, async () => {
      const t = start();
      await until(() => t.traffic.target === 'app-1', 'first version');
      t.engine.fail[step] = () => new Error(`${step} broke`);
      assert.equal(await deployAndWait(t.daemon), 'failed');
      assert.equal(t.traffic.target, 'app-1');
      assert.deepEqual(t.engine.running(), ['app-1']);
      delete t.engine.fail[step];
      assert.equal(await deployAndWait(t.daemon), 'live');
      t.shutdown.abort();
      await t.daemon.done;
      assert.equal(t.traffic.removed, true);
    });
  }

  test('recovery that fails (the engine cannot list) does not stop the daemon', async () => {
    const engine = new FakeEngine();
    let calls = 0;
    engine.fail.list = () => (calls++ === 0 ? new Error('engine hiccup') : undefined);
    const t = start({ engine });
    await until(() => t.traffic.target !== undefined, 'a version despite the failed recovery');
    assert.match(t.log(), /recovering what an earlier run left failed: engine hiccup; carrying on/);
    t.shutdown.abort();
    await t.daemon.done;
  });

  test('after a rollback, a crash of the live container brings the rolled-back image back', async () => {
    const t = start();
    await until(() => t.traffic.target === 'app-1', 'v1');
    assert.equal(await deployAndWait(t.daemon), 'live');
    const v1 = t.daemon.status().previous!.imageId;
    assert.match(t.daemon.rollback(), /rolling back to app/);
    await until(() => t.traffic.target === 'app-3', 'rolled back');
    assert.equal(t.daemon.status().live?.imageId, v1);
    t.engine.kill('app-3');
    await until(() => t.traffic.target === 'app-4', 'brought back');
    assert.equal(t.daemon.status().live?.imageId, v1, 'the rolled-back image, not the configured source');
    assert.deepEqual(t.engine.obtained.at(-1), { kind: 'image', id: v1, name: 'app' });
    t.shutdown.abort();
    await t.daemon.done;
  });

  test('a dead live container gets no traffic until the next version is live', async () => {
    const t = start();
    await until(() => t.traffic.target === 'app-1', 'v1');
    t.engine.fail.start = () => new Error('does not start');
    t.engine.kill('app-1');
    await until(() => t.traffic.backends.length === 0, 'rules removed');
    await until(() => /restart after app-1 exited/.test(JSON.stringify(t.daemon.history())), 'a restart attempt');
    assert.equal(t.daemon.status().live?.exited?.code, 137);
    delete t.engine.fail.start;
    await until(() => t.traffic.target !== undefined, 'a failed restart is tried again, with backoff', 5000);
    assert.match(t.log(), /bringing app back in 1(\.0+)?s/);
    t.shutdown.abort();
    await t.daemon.done;
  });

  test('a crash-looping image is restarted with growing delays', async () => {
    const t = start();
    await until(() => t.traffic.target === 'app-1', 'v1');
    t.engine.kill('app-1');
    await until(() => t.traffic.target === 'app-2', 'first restart is immediate');
    t.engine.kill('app-2');
    await until(() => /bringing app back in 1(\.0+)?s/.test(t.log()), 'second waits 1s');
    await until(() => t.traffic.target === 'app-3', 'second restart', 3000);
    t.engine.kill('app-3');
    await until(() => /bringing app back in 2(\.0+)?s/.test(t.log()), 'third waits 2s');
    t.shutdown.abort();
    await t.daemon.done;
    assert.deepEqual(t.engine.running(), []);
  });

  test('SIGTERM while a new version warms up removes it and the live one, and ends', async () => {
    const engine = new FakeEngine();
    const t = start({ engine });
    await until(() => t.traffic.target === 'app-1', 'v1');
    let release = () => {};
    engine.startGate = new Promise((resolve) => { release = resolve; });
    t.daemon.deploy({ reason: 'SIGHUP' });
    await until(() => engine.running().includes('app-2'), 'v2 starting');
    t.shutdown.abort();
    release();
    await t.daemon.done;
    assert.deepEqual(engine.running(), []);
    assert.equal(t.traffic.removed, true);
    assert.equal(lastOutcome(t.daemon), 'cancelled');
  });

  test('a newer deploy supersedes one still warming up', async () => {
    const engine = new FakeEngine();
    const t = start({ engine });
    await until(() => t.traffic.target === 'app-1', 'v1');
    let release = () => {};
    engine.startGate = new Promise((resolve) => { release = resolve; });
    t.daemon.deploy({ reason: 'first' });
    await until(() => engine.running().includes('app-2'), 'v2 starting');
    engine.startGate = undefined;
    t.daemon.deploy({ reason: 'second' });
    release();
    await until(() => t.traffic.target === 'app-3', 'the newer one live');
    assert.deepEqual(t.daemon.history().filter((e) => e.kind === 'deploy').map((e) => `${e.trigger}:${e.outcome}`).slice(-2), ['first:cancelled', 'second:live']);
    t.shutdown.abort();
    await t.daemon.done;
  });

  test('--disable-overlap stops the old version (and its traffic) before starting the new one', async () => {
    const t = start({ overlap: false });
    await until(() => t.traffic.target === 'app-1', 'v1');
    assert.equal(await deployAndWait(t.daemon), 'live');
    assert.deepEqual(t.engine.running(), ['app-2']);
    t.shutdown.abort();
    await t.daemon.done;
  });

  test('many handovers add no listeners to the shutdown signal', async () => {
    const t = start();
    await until(() => t.traffic.target === 'app-1', 'v1');
    const before = getEventListeners(t.shutdown.signal, 'abort').length;
    for (let i = 0; i < 20; i++) assert.equal(await deployAndWait(t.daemon), 'live');
    await until(() => t.engine.running().length === 1, 'old versions retired');
    assert.ok(getEventListeners(t.shutdown.signal, 'abort').length <= before + 1, `${getEventListeners(t.shutdown.signal, 'abort').length} listeners, ${before} before`);
    t.shutdown.abort();
    await t.daemon.done;
  });
});

describe('canary', () => {
  test('deploy --canary shares new connections; promote moves them all and retires the old version', async () => {
    const t = start();
    await until(() => t.traffic.target === 'app-1', 'v1');
    t.daemon.deploy({ reason: 'api', canary: 30 });
    await until(() => t.traffic.shares === 'app-2:30,app-1', 'canary beside live');
    assert.equal(t.daemon.status().canary?.percent, 30);
    assert.equal(lastOutcome(t.daemon), 'canary');
    assert.match(t.daemon.promote(), /promoting canary app-2/);
    await until(() => t.traffic.shares === 'app-2', 'promoted');
    await until(() => t.engine.running().join() === 'app-2', 'old retired');
    assert.equal(t.daemon.status().canary, undefined);
    assert.equal(t.daemon.status().live?.container, 'app-2');
    assert.throws(() => t.daemon.promote(), /nothing to promote/);
    t.shutdown.abort();
    await t.daemon.done;
  });

  test('rollback during a canary ends it and keeps the live version', async () => {
    const t = start();
    await until(() => t.traffic.target === 'app-1', 'v1');
    t.daemon.deploy({ reason: 'api', canary: 50 });
    await until(() => t.traffic.shares === 'app-2:50,app-1', 'canary');
    assert.match(t.daemon.rollback(), /ending canary app-2/);
    await until(() => t.traffic.shares === 'app-1', 'canary ended');
    await until(() => t.engine.running().join() === 'app-1', 'canary retired');
    assert.equal(lastOutcome(t.daemon), 'rolled-back');
    t.shutdown.abort();
    await t.daemon.done;
  });

  test('a new deploy during a canary supersedes it', async () => {
    const t = start();
    await until(() => t.traffic.target === 'app-1', 'v1');
    t.daemon.deploy({ reason: 'api', canary: 50 });
    await until(() => t.traffic.shares === 'app-2:50,app-1', 'canary');
    assert.equal(await deployAndWait(t.daemon), 'live');
    assert.equal(t.traffic.shares, 'app-3');
    await until(() => t.engine.running().join() === 'app-3', 'canary and old live retired');
    t.shutdown.abort();
    await t.daemon.done;
  });

  test('a canary that dies leaves all traffic to the live version', async () => {
    const t = start();
    await until(() => t.traffic.target === 'app-1', 'v1');
    t.daemon.deploy({ reason: 'api', canary: 50 });
    await until(() => t.traffic.shares === 'app-2:50,app-1', 'canary');
    t.engine.kill('app-2');
    await until(() => t.traffic.shares === 'app-1', 'canary gone');
    assert.equal(t.daemon.status().canary, undefined);
    t.shutdown.abort();
    await t.daemon.done;
  });

  test('a canary is adopted after a restart with its share', async () => {
    const engine = new FakeEngine();
    const traffic = new FakeTraffic();
    const first = start({ engine, traffic });
    await until(() => traffic.target === 'app-1', 'v1');
    first.daemon.deploy({ reason: 'api', canary: 25 });
    await until(() => traffic.shares === 'app-2:25,app-1', 'canary');
    // As after SIGKILL: the containers and rules stay.
    traffic.adopted = traffic.backends.map((b) => ({ name: b.name, ...(b.percent !== undefined ? { percent: b.percent } : {}) }));
    engine.fixedImage = engine.containers.get('app-1')!.version.image.id;
    const second = start({ engine, traffic });
    await until(() => /adopted app-1 and canary app-2 \(25%\)/.test(second.log()), 'adopted both');
    await until(() => lastOutcome(second.daemon) === 'unchanged', 'the start deploy keeps the unchanged image');
    assert.equal(second.daemon.status().canary?.percent, 25);
    assert.equal(traffic.shares, 'app-2:25,app-1');
    second.shutdown.abort();
    await second.daemon.done;
    first.shutdown.abort();
    await first.daemon.done;
  });
});

describe('--watch', () => {
  test('a version that fails its checks within the window sends traffic back to the previous one, unsignalled', async () => {
    const t = start({ watchMs: 30_000 });
    await until(() => t.traffic.target === 'app-1', 'v1');
    assert.equal(await deployAndWait(t.daemon), 'live');
    assert.equal(t.traffic.target, 'app-2');
    assert.deepEqual(t.engine.running(), ['app-1', 'app-2'], 'the previous version is kept during the window');
    t.engine.checks.set('app-2', { ok: false, reason: '/ answered HTTP 500' });
    await until(() => t.traffic.target === 'app-1', 'back to app-1', 5000);
    await until(() => t.engine.running().join() === 'app-1', 'failed version retired');
    assert.equal(lastOutcome(t.daemon), 'rolled-back');
    assert.match(t.daemon.status().watch?.result ?? '', /rolled back: \/ answered HTTP 500 \(2 checks in a row\)/);
    t.shutdown.abort();
    await t.daemon.done;
  });

  test('a version that exits within the window sends traffic back at once', async () => {
    const t = start({ watchMs: 30_000 });
    await until(() => t.traffic.target === 'app-1', 'v1');
    await deployAndWait(t.daemon);
    t.engine.kill('app-2', 3);
    await until(() => t.traffic.target === 'app-1', 'back to app-1', 1000);
    assert.match(t.daemon.status().watch?.result ?? '', /exited with code 3/);
    assert.equal(t.daemon.status().live?.container, 'app-1');
    t.shutdown.abort();
    await t.daemon.done;
  });

  test('after a quiet window the previous version is retired', async () => {
    const t = start({ watchMs: 1500 });
    await until(() => t.traffic.target === 'app-1', 'v1');
    await deployAndWait(t.daemon);
    await until(() => t.engine.running().join() === 'app-2', 'previous retired after the window', 4000);
    assert.match(t.daemon.status().watch?.result ?? '', /stayed well/);
    t.shutdown.abort();
    await t.daemon.done;
  });

  test('rollback during the window switches straight back to the kept version', async () => {
    const t = start({ watchMs: 30_000 });
    await until(() => t.traffic.target === 'app-1', 'v1');
    await deployAndWait(t.daemon);
    assert.match(t.daemon.rollback(), /sending traffic back to app-1/);
    await until(() => t.traffic.target === 'app-1', 'back');
    assert.equal(t.engine.obtained.length, 2, 'nothing rebuilt or restarted');
    t.shutdown.abort();
    await t.daemon.done;
  });
});

test('the command line kept for hanoverd export holds no URL credentials, in any spelling', () => {
  const store = new FakeStore();
  const log = createLogger('text', new Writable({ write(_c, _e, done) { done(); } }));
  const shutdown = new AbortController();
  const args = ['--hookbot=wss://s3cret@hookbot.example/sub/x', '--notify', 'https://u:s3cret@hooks.example/a', '-p', '8080:80'];
  const daemon = createDaemon({ ...testConfig(), args }, log, shutdown.signal, { engine: new FakeEngine(), traffic: new FakeTraffic(), store });
  const kept = daemon.status().args ?? [];
  assert.equal(kept.length, args.length);
  assert.ok(!kept.join(' ').includes('s3cret'), kept.join(' '));
  assert.deepEqual(kept.slice(2), ['https://***@hooks.example/a', '-p', '8080:80']);
  shutdown.abort();
});
