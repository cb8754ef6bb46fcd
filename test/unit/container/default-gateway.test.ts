import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDefaultGateway } from '../../../dist/container/default-gateway.js';

const TABLE = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth1\t00000000\t010015AC\t0003\t0\t0\t0\t00000000\t0\t0\t0
eth0\t000014AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0
`;

test('reads the default route\'s gateway (little-endian hex)', () => assert.equal(parseDefaultGateway(TABLE), '172.21.0.1'));
test('no default route, no gateway', () => assert.equal(parseDefaultGateway(TABLE.split('\n').filter((l) => !l.startsWith('eth1')).join('\n')), undefined));
