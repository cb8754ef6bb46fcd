import assert from 'node:assert/strict';
import { test } from 'node:test';
import { retryDelay } from '../../../dist/hookbot/backoff.js';
import { singleFlight } from '../../../dist/hookbot/single-flight.js';

test('the reconnect wait doubles from 1s to 60s, spread between half and all of it', () => {
  const ceilings = [1, 2, 3, 4, 5, 6, 7, 8, 20, 1000].map((failures) => retryDelay(failures, 1000, 60_000, () => 1));
  assert.deepEqual(ceilings, [1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000, 60_000]);
  assert.equal(retryDelay(1, 1000, 60_000, () => 0), 500);
  assert.equal(retryDelay(7, 1000, 60_000, () => 0), 30_000);
  assert.equal(retryDelay(0, 1000, 60_000, () => 1), 1000);
  for (let i = 0; i < 1000; i++) {
    const wait = retryDelay(3, 1000, 60_000);
    assert.ok(wait >= 2000 && wait <= 4000, String(wait));
  }
});

test('single flight: one run at a time, calls during a run ask for exactly one more', async () => {
  let running = 0;
  let most = 0;
  let runs = 0;
  const gates: Array<() => void> = [];
  const check = singleFlight(async () => {
    running++;
    runs++;
    most = Math.max(most, running);
    await new Promise<void>((resolve) => gates.push(resolve));
    running--;
  });
  const first = check();
  for (let i = 0; i < 50; i++) void check();
  assert.equal(runs, 1);
  gates.shift()!();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(runs, 2, 'the calls made meanwhile are answered by one more run');
  void check();
  gates.shift()!();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(runs, 3);
  gates.shift()!();
  await first;
  assert.equal(runs, 3);
  assert.equal(most, 1);
  // Idle again: the next call runs at once; a failing run does not wedge it.
  const failing = singleFlight(async () => { runs++; throw new Error('registry down'); });
  await failing();
  await failing();
  assert.equal(runs, 5);
});
