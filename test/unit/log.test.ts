import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lineSplitter } from '../../dist/log.js';

function collect(maxChars?: number) {
  const lines: string[] = [];
  const splitter = maxChars === undefined ? lineSplitter((line) => lines.push(line)) : lineSplitter((line) => lines.push(line), maxChars);
  return { lines, splitter };
}

test('lines are split across chunks, CRLF too, and the rest comes out on flush', () => {
  const { lines, splitter } = collect();
  splitter.push('one\ntw');
  splitter.push(Buffer.from('o\r\nthree'));
  assert.deepEqual(lines, ['one', 'two']);
  splitter.flush();
  assert.deepEqual(lines, ['one', 'two', 'three']);
});

test('output that never ends a line is emitted at the cap, marked as continued', () => {
  const { lines, splitter } = collect(10);
  for (let i = 0; i < 25; i++) splitter.push('x');
  assert.deepEqual(lines, ['xxxxxxxxxx…', 'xxxxxxxxxx…']);
  splitter.push('yy\n');
  assert.deepEqual(lines.at(-1), 'xxxxxyy');
  splitter.push(`${'z'.repeat(23)}\n`);
  assert.deepEqual(lines.slice(3), ['zzzzzzzzzz…', 'zzzzzzzzzz…', 'zzz']);
});

test('the default cap is 16 KiB, so a stream without newlines holds at most that', () => {
  const { lines, splitter } = collect();
  const megabyte = 'a'.repeat(1 << 20);
  splitter.push(megabyte);
  assert.equal(lines.length, 63);
  assert.ok(lines.every((line) => line.length === 16 * 1024 + 1 && line.endsWith('…')));
  splitter.flush();
  assert.equal(lines.at(-1), 'a'.repeat(16 * 1024));
});

test('a character split across two chunks stays whole', () => {
  const { lines, splitter } = collect();
  const bytes = Buffer.from('é€\n');
  splitter.push(bytes.subarray(0, 1));
  splitter.push(bytes.subarray(1, 4));
  splitter.push(bytes.subarray(4));
  assert.deepEqual(lines, ['é€']);
});
