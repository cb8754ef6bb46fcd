import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseNetworks } from '../../../dist/options/network.js';
import { throwsUsage } from '../expect-usage-error.ts';

test('networks in order, aliases on them', () => {
  assert.deepEqual(parseNetworks(['front', 'back_1'], ['api', 'api.internal']), { networks: ['front', 'back_1'], networkAliases: ['api', 'api.internal'] });
  assert.deepEqual(parseNetworks([], []), { networks: [], networkAliases: [] });
  assert.deepEqual(parseNetworks(['bridge'], []), { networks: ['bridge'], networkAliases: [] });
});

test('networks that give the container no address of its own are refused', () => {
  for (const name of ['host', 'none', 'container:web']) throwsUsage(() => parseNetworks([name], []), `--network ${name}: hanoverd switches traffic to the container's own address`);
});

test('bad names, repeats and aliases', () => {
  throwsUsage(() => parseNetworks(['my net'], []), '--network "my net": not a network name');
  throwsUsage(() => parseNetworks(['a', 'a'], []), '--network a: given twice');
  throwsUsage(() => parseNetworks(['a'], ['no_way']), '--network-alias "no_way": not a host name');
  throwsUsage(() => parseNetworks([], ['db']), '--network-alias needs a user-defined --network');
  throwsUsage(() => parseNetworks(['bridge'], ['db']), '--network-alias needs a user-defined --network');
});
