import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatDuration, parseDuration } from '../../dist/duration.js';
import { throwsUsage } from './expect-usage-error.ts';

describe('parseDuration', () => {
  const valid: Array<[string, number]> = [
    ['500ms', 500],
    ['1s', 1000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['1h2m3s4ms', 3_723_004],
    ['1.5s', 1500],
    ['0.5h', 1_800_000],
    ['0s', 0],
    ['30', 30_000],
    ['0.25', 250],
    [' 2s ', 2000],
  ];
  for (const [text, ms] of valid) {
    test(`${JSON.stringify(text)} is ${ms}ms`, () => assert.equal(parseDuration(text, '--t'), ms));
  }

  for (const text of ['', '   ', 's', '1x', '1s1', '-1s', '1m 30s', '1d', '1S', '.5s', '1e3', 'ten']) {
    test(`rejects ${JSON.stringify(text)}`, () => throwsUsage(() => parseDuration(text, '--drain-timeout'), `--drain-timeout: "${text}" is not a duration`));
  }
});

describe('formatDuration', () => {
  const cases: Array<[number, string]> = [
    [0, '0ms'],
    [12.4, '12ms'],
    [999, '999ms'],
    [1000, '1.00s'],
    [1234, '1.23s'],
    [10_000, '10.0s'],
    [90_000, '90.0s'],
  ];
  for (const [ms, text] of cases) {
    test(`${ms}ms is shown as ${text}`, () => assert.equal(formatDuration(ms), text));
  }
});
