import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeError, HanoverdError, isAbortError, UsageError } from '../../dist/errors.js';

describe('error classes', () => {
  test('UsageError is a HanoverdError with its own name', () => {
    const error = new UsageError('bad flag');
    assert.ok(error instanceof HanoverdError && error instanceof Error);
    assert.equal(error.name, 'UsageError');
    assert.equal(new HanoverdError('x').name, 'HanoverdError');
  });
});

describe('describeError', () => {
  const cases: Array<[string, unknown, string]> = [
    ['a plain error', new Error('boom'), 'boom'],
    ['a non-error', 'just text', 'just text'],
    ['undefined', undefined, 'undefined'],
    ['a cause chain, outermost first', new HanoverdError('pulling app:1 failed; check the name', {
      cause: new Error('HTTP 404', { cause: new Error('connect ECONNREFUSED /var/run/docker.sock') }),
    }), 'pulling app:1 failed; check the name: HTTP 404: connect ECONNREFUSED /var/run/docker.sock'],
    ['causes that repeat an earlier message', new Error('building failed: no space left', {
      cause: new Error('no space left', { cause: new Error('building failed: no space left') }),
    }), 'building failed: no space left'],
    ['causes with an empty message', new Error('outer', { cause: new Error('', { cause: new Error('inner') }) }), 'outer: inner'],
    ['a cause that is not an Error', new Error('outer', { cause: 'a string cause' }), 'outer'],
    ['newlines in messages', new Error('line one\nline two', { cause: new Error('a\nb') }), 'line one line two: a b'],
  ];
  for (const [name, error, text] of cases) {
    test(name, () => assert.equal(describeError(error), text));
  }

  // BUG (src/errors.ts:20): a cause cycle (a.cause = b, b.cause = a) loops forever, since a
  // repeated message is skipped but the walk never stops. Fix: keep a Set of visited
  // errors and stop at the first one seen twice. Skipped, not todo: it would hang.
  test('stops at a cause cycle', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    a.cause = b;
    assert.equal(describeError(a), 'a: b');
  });
});

describe('isAbortError', () => {
  const abort = () => Object.assign(new Error('aborted'), { name: 'AbortError' });
  const cases: Array<[string, unknown, boolean]> = [
    ['an AbortError', abort(), true],
    ['an error caused by one', new Error('pull failed', { cause: abort() }), true],
    ['what AbortSignal throws', new DOMException('This operation was aborted', 'AbortError'), true],
    ['another error', new Error('boom'), false],
    ['a non-error', 'AbortError', false],
  ];
  for (const [name, error, expected] of cases) {
    test(name, () => assert.equal(isAbortError(error), expected));
  }
});
