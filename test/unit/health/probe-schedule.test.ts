import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DefaultProbeSchedule, probeIntervalMs } from '../../../dist/health/probe-schedule.js';

test('probes every 5 ms for the first 2 s', () => {
  assert.deepEqual(DefaultProbeSchedule, { minMs: 5, fastForMs: 2000, maxMs: 200 });
  for (const elapsed of [0, 1, 4, 5, 100, 999, 1500, 1999]) assert.equal(probeIntervalMs(elapsed), 5, `at ${elapsed} ms`);
});

test('then backs off smoothly to 200 ms, and stays there', () => {
  assert.equal(probeIntervalMs(2000), 5);
  assert.equal(probeIntervalMs(2500), 55);
  assert.equal(probeIntervalMs(3000), 105);
  assert.equal(probeIntervalMs(3950), 200);
  for (const elapsed of [4000, 10_000, 300_000]) assert.equal(probeIntervalMs(elapsed), 200);
  let previous = 0;
  for (let elapsed = 0; elapsed < 10_000; elapsed += 7) {
    const interval = probeIntervalMs(elapsed);
    assert.ok(interval >= previous, `the interval never shrinks (at ${elapsed} ms)`);
    previous = interval;
  }
});

test('a slow starter is not flooded: about 430 probes in the first 3 s, 5 a second after that', () => {
  const probesUntil = (endMs: number) => {
    let count = 0;
    for (let at = 0; at < endMs; at += probeIntervalMs(at)) count += 1;
    return count;
  };
  const threeSeconds = probesUntil(3000);
  assert.ok(threeSeconds > 400 && threeSeconds < 450, `${threeSeconds} probes in 3 s`);
  const minute = probesUntil(63_000) - probesUntil(3000);
  assert.ok(minute >= 295 && minute <= 310, `${minute} probes in the next minute`);
});

test('a schedule of its own', () => {
  const schedule = { minMs: 10, fastForMs: 100, maxMs: 50 };
  assert.equal(probeIntervalMs(50, schedule), 10);
  assert.equal(probeIntervalMs(300, schedule), 30);
  assert.equal(probeIntervalMs(5000, schedule), 50);
});
