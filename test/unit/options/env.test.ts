import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveEnv } from '../../../dist/options/env.js';
import { throwsUsage } from '../expect-usage-error.ts';

const daemonEnv = { HOME: '/root', EMPTY: '', PATH: '/usr/bin' };

test('NAME=value is passed as given, including empty values and further "="', () => {
  assert.deepEqual(resolveEnv(['A=1', 'B=', 'C=x=y', 'D= spaced '], daemonEnv), ['A=1', 'B=', 'C=x=y', 'D= spaced ']);
});

test('a bare NAME takes the daemon\'s value, even an empty one', () => {
  assert.deepEqual(resolveEnv(['HOME', 'EMPTY'], daemonEnv), ['HOME=/root', 'EMPTY=']);
});

test('a bare NAME the daemon does not have is left out', () => {
  assert.deepEqual(resolveEnv(['MISSING', 'A=1'], daemonEnv), ['A=1']);
});

test('keeps the order of the specs', () => {
  assert.deepEqual(resolveEnv(['PATH', 'Z=26', 'HOME'], daemonEnv), ['PATH=/usr/bin', 'Z=26', 'HOME=/root']);
});

for (const spec of ['', '=value', 'MY VAR=1', 'TAB\tX']) {
  test(`rejects ${JSON.stringify(spec)}`, () => throwsUsage(() => resolveEnv([spec], daemonEnv), `--env "${spec}"`, 'variable name'));
}
