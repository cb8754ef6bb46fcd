import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseLogConfig } from '../../../dist/options/log-config.js';
import { throwsUsage } from '../expect-usage-error.ts';

test('nothing given keeps the engine default', () => assert.equal(parseLogConfig(undefined, []), undefined));

test('driver and options', () => {
  assert.deepEqual(parseLogConfig('json-file', ['max-size=10m', 'max-file=3']), { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } });
  assert.deepEqual(parseLogConfig(undefined, ['max-size=1m']), { Type: '', Config: { 'max-size': '1m' } });
  assert.deepEqual(parseLogConfig('none', []), { Type: 'none', Config: {} });
});

test('bad values', () => {
  throwsUsage(() => parseLogConfig('json file', []), '--log-driver "json file"');
  throwsUsage(() => parseLogConfig('local', ['max-size']), '--log-opt "max-size": use key=value');
  throwsUsage(() => parseLogConfig('none', ['max-size=1m']), 'the none log driver takes no options');
});
