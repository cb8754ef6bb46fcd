import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseLabels } from '../../../dist/options/label.js';
import { throwsUsage } from '../expect-usage-error.ts';

test('key=value and bare keys', () => {
  assert.deepEqual(parseLabels(['team=web', 'tier', 'url=http://x/?a=b'], []), { team: 'web', tier: '', url: 'http://x/?a=b' });
});

test('a missing key or a key hanoverd sets is refused', () => {
  throwsUsage(() => parseLabels(['=x'], []), '--label "=x": a key is needed');
  throwsUsage(() => parseLabels(['hanoverd.app=x'], ['hanoverd.app']), '--label hanoverd.app=x: hanoverd.app is set by hanoverd itself');
});
