import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCpus, parseMemory } from '../../../dist/options/resources.js';
import { throwsUsage } from '../expect-usage-error.ts';

test('--memory takes docker sizes', () => {
  assert.equal(parseMemory('64m'), 64 * 1024 ** 2);
  assert.equal(parseMemory('2g'), 2 * 1024 ** 3);
  assert.equal(parseMemory(String(8 * 1024 ** 2)), 8 * 1024 ** 2);
  throwsUsage(() => parseMemory('lots'), '--memory "lots": not a size');
  throwsUsage(() => parseMemory('4m'), '--memory "4m": below the engine\'s minimum of 6m');
});

test('--cpus becomes NanoCpus', () => {
  assert.equal(parseCpus('1.5'), 1_500_000_000);
  assert.equal(parseCpus('.25'), 250_000_000);
  assert.equal(parseCpus('2'), 2_000_000_000);
  for (const bad of ['0', '-1', 'two', '1e3', '']) throwsUsage(() => parseCpus(bad), `--cpus "${bad}": a positive number of CPUs`);
});
