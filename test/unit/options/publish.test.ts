import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatBinding, parsePublish, parsePublishList, type PortBinding } from '../../../dist/options/publish.js';
import { throwsUsage } from '../expect-usage-error.ts';

const tcp = (hostPort: number, containerPort: number, hostIp?: string): PortBinding =>
  ({ hostIp, hostPort, containerPort, protocol: 'tcp' });

describe('parsePublish', () => {
  const valid: Array<[string, PortBinding[]]> = [
    ['8080:80', [tcp(8080, 80)]],
    ['80', [tcp(80, 80)]],
    ['127.0.0.1:8080:80', [tcp(8080, 80, '127.0.0.1')]],
    ['0.0.0.0:8080:80', [tcp(8080, 80)]],
    ['8080:80/tcp', [tcp(8080, 80)]],
    ['8080:80/TCP', [tcp(8080, 80)]],
    ['5353:53/udp', [{ hostIp: undefined, hostPort: 5353, containerPort: 53, protocol: 'udp' }]],
    ['8000-8002:9000-9002', [tcp(8000, 9000), tcp(8001, 9001), tcp(8002, 9002)]],
    ['7000-7001', [tcp(7000, 7000), tcp(7001, 7001)]],
    ['1:65535', [tcp(1, 65535)]],
  ];
  for (const [spec, expected] of valid) {
    test(`accepts ${spec}`, () => assert.deepEqual(parsePublish(spec), expected));
  }

  const invalid: Array<[string, string]> = [
    ['abc', '"abc" is not a port'],
    ['0', 'port 0 is outside 1-65535'],
    ['70000', 'port 70000 is outside 1-65535'],
    ['8080:0', 'port 0 is outside'],
    ['8080:80/sctp', 'protocol "sctp"'],
    ['8080:80/', 'protocol ""'],
    ['[::1]:8080:80', 'IPv6'],
    ['::1:8080:80', 'too many ":"'],
    ['127.0.0.1::80', 'fixed host port'],
    [':80', 'fixed host port'],
    ['localhost:8080:80', '"localhost" is not an IPv4 address'],
    ['300.0.0.1:8080:80', 'not an IPv4 address'],
    ['127.0.0.1:80', '"127.0.0.1" is not a port'],
    ['8002-8000:9002-9000', 'runs backwards'],
    ['8000-8001:80', 'differ in length'],
    ['8080:80:90:100', 'too many ":"'],
  ];
  for (const [spec, why] of invalid) {
    test(`rejects ${spec}`, () => throwsUsage(() => parsePublish(spec), `--publish ${spec}:`, why));
  }
});

describe('parsePublishList', () => {
  test('concatenates the bindings of every spec', () => {
    assert.deepEqual(parsePublishList(['8080:80', '127.0.0.1:9090:90', '53/udp']), [
      tcp(8080, 80),
      tcp(9090, 90, '127.0.0.1'),
      { hostIp: undefined, hostPort: 53, containerPort: 53, protocol: 'udp' },
    ]);
  });

  test('accepts no specs', () => assert.deepEqual(parsePublishList([]), []));

  const allowed: string[][] = [
    ['80:80', '80:80/udp'],
    ['127.0.0.1:80:80', '127.0.0.2:80:81'],
  ];
  for (const specs of allowed) {
    test(`allows ${specs.join(' and ')}`, () => assert.equal(parsePublishList(specs).length, 2));
  }

  const clashes: Array<[string[], string]> = [
    [['8080:80', '8080:81'], '8080/tcp'],
    [['8080:80', '127.0.0.1:8080:81'], '8080/tcp'],
    [['127.0.0.1:8080:80', '8080:81'], '8080/tcp'],
    [['127.0.0.1:8080:80', '127.0.0.1:8080:81'], '8080/tcp'],
    [['0.0.0.0:8080:80', '8080:81'], '8080/tcp'],
    [['8000-8002:9000-9002', '8001:80'], '8001/tcp'],
    [['53:53/udp', '53/udp'], '53/udp'],
  ];
  for (const [specs, port] of clashes) {
    test(`rejects ${specs.join(' and ')}`, () => throwsUsage(() => parsePublishList(specs), `host port ${port}`, 'given twice'));
  }

  test('still reports a malformed spec with its text', () => {
    throwsUsage(() => parsePublishList(['8080:80', '99999']), '--publish 99999:');
  });
});

describe('formatBinding', () => {
  test('shows the host address only when there is one', () => {
    assert.equal(formatBinding(tcp(8080, 80)), '8080->80/tcp');
    assert.equal(formatBinding({ hostIp: '127.0.0.1', hostPort: 53, containerPort: 5353, protocol: 'udp' }), '127.0.0.1:53->5353/udp');
  });
});
