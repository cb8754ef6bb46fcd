import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { waitReady } from '../../../dist/health/wait-ready.js';
import type { Logger } from '../../../dist/log.js';

const quiet: Logger = { info() {}, warn() {}, error() {}, output() {} };

/** A free port on 127.0.0.1 with nothing listening on it (yet). */
async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const options = (port: number) => ({
  ip: '127.0.0.1', ports: [port], statusUri: '/', isReady: (status: number) => status === 200, timeoutMs: 10_000, exited: new Promise<number>(() => {}), name: 'app-2',
});

test('an app that starts listening after a second is seen within a few ms', async () => {
  const port = await freePort();
  const server = http.createServer((_request, response) => response.end('ok'));
  let listening = 0;
  const ready = waitReady(options(port), quiet, AbortSignal.timeout(10_000)).then(() => performance.now());
  await sleep(1000);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => {
    listening = performance.now();
    resolve();
  }));
  try {
    const seen = await ready;
    assert.ok(seen - listening < 40, `first ready answer seen ${Math.round(seen - listening)} ms after it could be`);
  } finally {
    server.close();
  }
});

test('an app answering 503 is probed fast for 2 s, then less and less often', async () => {
  let probes = 0;
  let readyAfter = Infinity;
  const started = performance.now();
  const server = http.createServer((_request, response) => {
    probes += 1;
    response.statusCode = performance.now() - started >= readyAfter ? 200 : 503;
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  readyAfter = 3000;
  try {
    await waitReady(options((server.address() as AddressInfo).port), quiet, AbortSignal.timeout(10_000));
    // About 430 on the schedule; far fewer when the machine is busy (each probe is a
    // connection and a response), never a flood. A fixed 100 ms poll would make 30.
    assert.ok(probes > 40 && probes < 460, `${probes} probes in 3 s`);
  } finally {
    server.close();
  }
});
