import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseUlimits } from '../../../dist/options/ulimit.js';
import { throwsUsage } from '../expect-usage-error.ts';

test('name=soft[:hard]; hard defaults to soft; -1 is unlimited', () => {
  assert.deepEqual(parseUlimits(['nofile=1024:4096', 'nproc=512', 'core=-1', 'memlock=64:-1']), [
    { Name: 'nofile', Soft: 1024, Hard: 4096 },
    { Name: 'nproc', Soft: 512, Hard: 512 },
    { Name: 'core', Soft: -1, Hard: -1 },
    { Name: 'memlock', Soft: 64, Hard: -1 },
  ]);
});

const invalid: Array<[string[], string]> = [
  [['nofile'], 'not name=soft[:hard]'],
  [['nofile=a'], 'not name=soft[:hard]'],
  [['files=1'], '"files" is not a ulimit'],
  [['nofile=10:5'], 'the soft limit is above the hard one'],
  [['nofile=-1:5'], 'the soft limit is above the hard one'],
  [['nofile=1', 'nofile=2'], 'nofile is given twice'],
];
for (const [specs, why] of invalid) test(`rejects ${specs.join(' ')}`, () => throwsUsage(() => parseUlimits(specs), `--ulimit ${specs.at(-1)}:`, why));
