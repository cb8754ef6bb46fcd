import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCapabilities } from '../../../dist/options/capability.js';
import { throwsUsage } from '../expect-usage-error.ts';

test('names in any case, with or without CAP_, or ALL', () => {
  assert.deepEqual(parseCapabilities(['net_admin', 'CAP_SYS_TIME', 'all'], '--cap-add'), ['CAP_NET_ADMIN', 'CAP_SYS_TIME', 'ALL']);
});

test('an unknown capability names the flag', () => {
  throwsUsage(() => parseCapabilities(['NET_ADMN'], '--cap-drop'), '--cap-drop NET_ADMN: not a Linux capability');
});
