import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isHostname, parseHostname } from '../../../dist/options/hostname.js';
import { throwsUsage } from '../expect-usage-error.ts';

test('host names', () => {
  for (const name of ['web', 'web-1', 'db.internal', 'A1']) assert.ok(isHostname(name), name);
  for (const name of ['', '-web', 'web-', 'a_b', 'a..b', 'x'.repeat(64)]) assert.ok(!isHostname(name), name);
  assert.equal(parseHostname('web-1'), 'web-1');
  throwsUsage(() => parseHostname('a_b'), '--hostname "a_b": not a host name');
});
