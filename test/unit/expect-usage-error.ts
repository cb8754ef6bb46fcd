import assert from 'node:assert/strict';
import { UsageError } from '../../dist/errors.js';

/** Asserts that `fn` throws a UsageError whose message is one line containing every `parts`. */
export function throwsUsage(fn: () => unknown, ...parts: string[]): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
    assert.doesNotMatch(error.message, /\n/);
    for (const part of parts) assert.ok(error.message.includes(part), `"${error.message}" should contain "${part}"`);
    return true;
  });
}
