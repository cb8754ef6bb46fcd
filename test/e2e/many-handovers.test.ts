import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { connectInspector, type Inspector } from '../helpers/inspector.ts';
import { formatStats, processStats, type ProcessStats } from '../helpers/process-stats.ts';
import { serveApp } from '../helpers/served-app.ts';

// Forty SIGHUP handovers in a row, each of a new image (the context changes every time),
// under continuous requests: nothing fails, and the daemon holds no more fds, listening
// sockets or memory after the fortieth than after the tenth, and keeps few images.
//
// Memory is compared after a full GC, forced through the inspector (test only, on
// loopback): the plain RSS follows V8's garbage-collection schedule (each build passes
// its context through buffers), swinging by tens of MiB from one look to the next, while
// a leak shows as retained memory. Measured (bench/RESULTS.md, "Soak"): after 10, 50, 100
// and 200 handovers, RSS after GC 102, 113, 125, 127 MiB (malloc's main heap settling,
// then flat) and the JS heap in use 21.4, 21.6, 21.7, 21.9 MiB; this test saw 105 -> 114
// MiB and 21.4 -> 22.3 MiB from 10 to 40. The daemon once grew by 110 MiB from 10 to 40.
const HANDOVERS = 40;
const FD_SLACK = 5;
const RSS_GROWTH_MIB = 30;
const HEAP_GROWTH_MIB = 3;
// live + previous + KeepBuiltImages (3)
const MAX_IMAGES = 5;
const INSPECT_PORT = 18429;

const served = serveApp('d-many', {
  port: 18420,
  args: ['--overlap-grace-duration', '200ms', '--drain-timeout', '2s', '--stop-timeout', '2s'],
  env: { NODE_OPTIONS: `--inspect=127.0.0.1:${INSPECT_PORT}` },
  load: { path: '/cgi-bin/host', concurrency: 2, maxMs: 170_000 },
});
let inspector: Inspector | undefined;
after(() => inspector?.close());

async function builtImages(app: string): Promise<string[]> {
  const { stdout } = await execa('docker', ['images', '-q', '--no-trunc', '--filter', `label=hanoverd.built-as=${app}`]);
  return [...new Set(stdout.split('\n').filter(Boolean))];
}

test(`${HANDOVERS} handovers in a row: no failed request, no growth in fds, listeners or memory, old images pruned`, async (t) => {
  const { app, daemon, load } = served;
  const pid = daemon.child.pid!;
  const measured = new Map<number, ProcessStats & { rssBeforeGcMiB: number; heapUsedMiB: number }>();
  inspector = await connectInspector(INSPECT_PORT);
  const started = performance.now();
  for (let n = 1; n <= HANDOVERS; n++) {
    const generation = n + 1;
    // A new build context each time: a new image, so pruning has work to do.
    fs.writeFileSync(path.join(app.dir, 'www', 'version'), `${n}\n`);
    const from = daemon.log().length;
    daemon.signal('SIGHUP');
    await daemon.waitForLog(new RegExp(`traffic switched to ${app.name}-${generation}\\b`), 60_000, from);
    if (n === 10 || n === HANDOVERS) {
      // Once the old version is gone and the images pruned, the daemon is at rest.
      await daemon.waitForLog(new RegExp(`${app.name}-${generation - 1} stopped and removed`), 30_000, from);
      await sleep(1000);
      const rssBeforeGcMiB = (await processStats(pid)).rssMiB;
      const heapUsedMiB = (await inspector.memoryAfterGc()).heapUsed!;
      const stats = await processStats(pid);
      measured.set(n, { ...stats, rssBeforeGcMiB, heapUsedMiB });
      t.diagnostic(`after ${n} handovers (${Math.round((performance.now() - started) / 1000)} s): ${formatStats(stats)} after a full GC ` +
        `(${rssBeforeGcMiB} MiB before it), JS heap in use ${heapUsedMiB} MiB`);
    }
  }
  const result = await load.stop();
  t.diagnostic(`load: ${result.ok} requests, ${result.failed} failed`);
  assert.deepEqual(result.errors.slice(0, 5), []);
  assert.equal(result.failed, 0);
  assert.equal([...result.bodies.keys()].at(-1), `${app.name}-${HANDOVERS + 1}`);
  assert.ok(result.bodies.size >= HANDOVERS / 2, `the load saw only ${result.bodies.size} versions`);

  const [early, late] = [measured.get(10)!, measured.get(HANDOVERS)!];
  assert.ok(late.fds <= early.fds + FD_SLACK, `open fds grew: ${early.fds} -> ${late.fds}`);
  assert.ok(late.listeners <= early.listeners, `listening sockets grew: ${early.listeners} -> ${late.listeners}`);
  assert.ok(late.rssMiB - early.rssMiB < RSS_GROWTH_MIB, `RSS after GC grew from ${early.rssMiB} to ${late.rssMiB} MiB`);
  assert.ok(late.heapUsedMiB - early.heapUsedMiB < HEAP_GROWTH_MIB, `the JS heap in use grew from ${early.heapUsedMiB} to ${late.heapUsedMiB} MiB`);
  // An EventTarget holding more than 10 listeners makes node warn: none may pile up.
  assert.doesNotMatch(daemon.log(), /MaxListenersExceededWarning/);
  const images = await builtImages(app.name);
  t.diagnostic(`images labelled for the app: ${images.length}`);
  assert.ok(images.length <= MAX_IMAGES, `${images.length} images kept`);
});
