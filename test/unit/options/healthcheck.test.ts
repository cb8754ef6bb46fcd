import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseHealthcheck } from '../../../dist/options/healthcheck.js';
import { throwsUsage } from '../expect-usage-error.ts';

test('no flag keeps the image\'s HEALTHCHECK', () => assert.equal(parseHealthcheck({ enabled: true }), undefined));

test('--no-healthcheck switches it off', () => assert.deepEqual(parseHealthcheck({ enabled: false }), { Test: ['NONE'] }));

test('the --health-* flags, durations in nanoseconds', () => {
  assert.deepEqual(parseHealthcheck({ enabled: true, cmd: 'wget -q -O- http://127.0.0.1/', interval: '500ms', timeout: '2s', startPeriod: '1m', retries: '3' }), {
    Test: ['CMD-SHELL', 'wget -q -O- http://127.0.0.1/'],
    Interval: 500_000_000,
    Timeout: 2_000_000_000,
    StartPeriod: 60_000_000_000,
    Retries: 3,
  });
  // Without --health-cmd the engine keeps the image's test and takes the new timing.
  assert.deepEqual(parseHealthcheck({ enabled: true, interval: '1s' }), { Interval: 1_000_000_000 });
});

test('bad values', () => {
  throwsUsage(() => parseHealthcheck({ enabled: false, cmd: 'true' }), '--no-healthcheck conflicts with the --health-* flags');
  throwsUsage(() => parseHealthcheck({ enabled: true, cmd: ' ' }), '--health-cmd: a command is needed');
  throwsUsage(() => parseHealthcheck({ enabled: true, interval: 'often' }), '--health-interval: "often" is not a duration');
  throwsUsage(() => parseHealthcheck({ enabled: true, timeout: '0' }), '--health-timeout "0": at least 1ms');
  throwsUsage(() => parseHealthcheck({ enabled: true, retries: '-1' }), '--health-retries "-1": a whole number');
});
