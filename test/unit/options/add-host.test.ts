import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAddHost } from '../../../dist/options/add-host.js';
import { throwsUsage } from '../expect-usage-error.ts';

const valid: Array<[string, string]> = [
  ['db:10.0.0.5', 'db:10.0.0.5'],
  ['db=10.0.0.5', 'db:10.0.0.5'],
  ['v6:::1', 'v6:::1'],
  ['v6:[fe80::1]', 'v6:fe80::1'],
  ['host.docker.internal:host-gateway', 'host.docker.internal:host-gateway'],
];
for (const [spec, entry] of valid) test(`--add-host ${spec}`, () => assert.equal(parseAddHost(spec), entry));
for (const spec of ['db', 'db:', ':10.0.0.1', 'db:10.0.0', 'a_b:10.0.0.1']) {
  test(`rejects --add-host ${spec}`, () => throwsUsage(() => parseAddHost(spec), `--add-host "${spec}": use host:ip`));
}
