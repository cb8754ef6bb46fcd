import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePort } from '../../../dist/options/port.js';
import { throwsUsage } from '../expect-usage-error.ts';

test('a port number', () => {
  assert.equal(parsePort('8000', '--status-port'), 8000);
  for (const bad of ['0', '65536', 'http', '80/tcp', '']) throwsUsage(() => parsePort(bad, '--status-port'), `--status-port "${bad}": not a port`);
});
