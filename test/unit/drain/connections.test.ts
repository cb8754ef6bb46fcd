import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countServing, drainView, openConnections } from '../../../dist/drain/connections.js';

const header = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
const tail = '00000000:00000000 00:00000000 00000000     0        0 12345 1 0000000000000000 20 4 30 10 -1';
const row = (sl: number, local: string, remote: string, state: string, queues = '00000000:00000000') => `  ${String(sl).padStart(2)}: ${local} ${remote} ${state} ${queues} ${tail.slice(18)}`;

// Port 80 is 0050, 8080 is 1F90; the remote port D2F4 is a client's ephemeral port.
const tcp = [
  header,
  row(0, '00000000:0050', '00000000:0000', '0A'), // LISTEN on :80
  row(1, '0100007F:0050', '0100007F:D2F4', '01'), // ESTABLISHED to :80
  row(2, '020011AC:0050', '010011AC:D2F5', '01'), // ESTABLISHED to :80
  row(3, '020011AC:0050', '010011AC:D2F6', '03'), // SYN_RECV to :80
  row(4, '020011AC:0050', '010011AC:D2F7', '06'), // TIME_WAIT on :80
  row(5, '020011AC:1F90', '010011AC:D2F8', '01'), // ESTABLISHED to :8080
  row(6, '020011AC:D2F9', '5DB8D822:0050', '01'), // outgoing to someone else's :80
  '',
].join('\n');

const tcp6 = [
  header,
  row(0, '00000000000000000000000000000000:0050', '00000000000000000000000000000000:0000', '0A'),
  row(1, '0000000000000000FFFF0000020011AC:0050', '0000000000000000FFFF0000010011AC:E000', '01'),
  '',
].join('\n');

const cases: Array<[string, string, number[], number]> = [
  ['counts ESTABLISHED and SYN_RECV on the port, not LISTEN, TIME_WAIT or outgoing', tcp, [80], 3],
  ['counts every port asked for', tcp, [80, 8080], 4],
  ['counts nothing on other ports', tcp, [443], 0],
  ['reads tcp6 tables', tcp6, [80], 1],
  ['counts nothing in a table with only its header', header, [80], 0],
  ['counts nothing in an empty table', '', [80], 0],
];
for (const [name, table, ports, expected] of cases) {
  test(name, () => assert.equal(countServing(table, new Set(ports)), expected));
}

test('skips the header even when it looks like a row', () => {
  assert.equal(countServing(row(0, '0100007F:0050', '0100007F:D2F4', '01'), new Set([80])), 0);
});

// Lines as a listener with three connections not yet accepted, one of them half-closed by
// its client, prints them (read from a real namespace): the queued ones are ESTABLISHED.
const queued = [
  header,
  row(0, '0100007F:496E', '00000000:0000', '0A', '00000000:00000003'), // LISTEN on 18798, 3 waiting for accept
  row(1, '0100007F:496E', '0100007F:BCBA', '01'),
  row(2, '0100007F:496E', '0100007F:BCB6', '01'),
  row(3, '0100007F:496E', '0100007F:BCB2', '01'),
  '',
].join('\n');

test('reads the accept queue from the rx_queue of the LISTEN line', () => {
  assert.deepEqual(drainView(queued, new Set([18798])), { serving: 3, acceptQueue: 3 });
});

test('a listener with connections queued is not drained, even when no connection line shows them', () => {
  const listenOnly = [header, row(0, '0100007F:496E', '00000000:0000', '0A', '00000000:00000002'), ''].join('\n');
  const view = drainView(listenOnly, new Set([18798]));
  assert.deepEqual(view, { serving: 0, acceptQueue: 2 });
  assert.equal(openConnections(view), 2);
});

test('an empty accept queue on a drained port counts nothing', () => {
  const idle = [header, row(0, '0100007F:496E', '00000000:0000', '0A', '00000000:00000000'), row(1, '0100007F:496E', '0100007F:BCB2', '06'), ''].join('\n');
  assert.equal(openConnections(drainView(idle, new Set([18798]))), 0);
});

test('counts a connection its client half-closed (CLOSE_WAIT): the app may still be answering', () => {
  const table = [header, row(0, '020011AC:0050', '010011AC:D2F4', '08', '00000000:00000001'), ''].join('\n');
  assert.equal(countServing(table, new Set([80])), 1);
});

test('counts a connection the app closed only while data for the client is still queued', () => {
  const table = [
    header,
    row(0, '020011AC:0050', '010011AC:D2F4', '04', '0000A000:00000000'), // FIN_WAIT1, 40 KiB unsent
    row(1, '020011AC:0050', '010011AC:D2F5', '04'), // FIN_WAIT1, nothing left to send
    row(2, '020011AC:0050', '010011AC:D2F6', '09', '00000010:00000000'), // LAST_ACK, 16 bytes unacknowledged
    row(3, '020011AC:0050', '010011AC:D2F7', '05'), // FIN_WAIT2
    row(4, '020011AC:0050', '010011AC:D2F8', '0B'), // CLOSING, nothing queued
    '',
  ].join('\n');
  assert.equal(countServing(table, new Set([80])), 2);
});
