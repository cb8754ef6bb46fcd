import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTmpfs } from '../../../dist/options/tmpfs.js';
import { throwsUsage } from '../expect-usage-error.ts';

test('--tmpfs /path[:options]', () => {
  assert.deepEqual(parseTmpfs(['/run', '/tmp:size=64m,mode=1777,noexec']), { '/run': '', '/tmp': 'size=64m,mode=1777,noexec' });
});

test('bad --tmpfs specs', () => {
  throwsUsage(() => parseTmpfs(['tmp']), '--tmpfs tmp: "tmp" is not an absolute path');
  throwsUsage(() => parseTmpfs(['/t', '/t:ro']), '/t is given twice');
  throwsUsage(() => parseTmpfs(['/t:size=1m,,']), '"" is not a mount option');
  throwsUsage(() => parseTmpfs(['/t:size 1m']), 'is not a mount option');
});
