import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSize, sizeInBytes } from '../../../dist/options/size.js';
import { throwsUsage } from '../expect-usage-error.ts';

const valid: Array<[string, number]> = [
  ['1024', 1024],
  ['10b', 10],
  ['512k', 512 * 1024],
  ['64m', 64 * 1024 ** 2],
  ['64M', 64 * 1024 ** 2],
  ['64mb', 64 * 1024 ** 2],
  ['2GiB', 2 * 1024 ** 3],
  ['1.5g', 1.5 * 1024 ** 3],
  ['1 t', 1024 ** 4],
  ['1p', 1024 ** 5],
];
for (const [text, bytes] of valid) {
  test(`${text} is ${bytes} bytes`, () => assert.equal(sizeInBytes(text), bytes));
}

for (const text of ['', 'm', '-1m', '64q', '1e3', '1.2.3m', 'lots']) {
  test(`"${text}" is not a size`, () => assert.equal(sizeInBytes(text), undefined));
}

test('parseSize names the flag in a one-line usage error', () => {
  throwsUsage(() => parseSize('lots', '--memory'), '--memory "lots": not a size', 'e.g. 512m');
  throwsUsage(() => parseSize('0', '--memory'), '--memory "0": not a size');
});
