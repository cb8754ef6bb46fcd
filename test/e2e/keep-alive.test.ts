import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { startDaemon, type DaemonProcess } from '../helpers/daemon.ts';
import { appContainers, removeLeftovers } from '../helpers/leftovers.ts';
import { get, startLoad } from '../helpers/load.ts';
import { makeNodeApp, NODE_APP_PORT, type NodeApp } from '../helpers/node-app.ts';
import { testPort } from '../helpers/ports.ts';

// Keep-alive clients never let the old container drain by itself. At the drain timeout it
// gets SIGTERM while every new connection already goes to the new one; an app that shuts
// down gracefully (Connection: close on the next response, idle connections closed) moves
// its keep-alive clients over without a single failed request.
let app: NodeApp;
let daemon: DaemonProcess;
const port = testPort();
const base = `http://127.0.0.1:${port}`;

before(async () => {
  app = makeNodeApp('keepalive');
  daemon = startDaemon(app.dir, ['-p', `${port}:${NODE_APP_PORT}`, '--overlap-grace-duration', '200ms', '--drain-timeout', '2s']);
  await daemon.waitForLog(/traffic switched to/, 120_000);
});

after(async () => {
  try {
    await daemon?.stop();
  } finally {
    await removeLeftovers(app.name);
    app?.remove();
  }
});

test('the load counts a connection reset as a failed request: no hidden retries', async () => {
  // A keep-alive server that resets the connection instead of answering every 5th request.
  // undici's request() does not retry (only RetryAgent would): the reset must be counted.
  let served = 0;
  const server = http.createServer((request, response) => {
    if (++served % 5 === 0) request.socket.resetAndDestroy();
    else response.end('fine\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port: local } = server.address() as AddressInfo;
    const load = startLoad(`http://127.0.0.1:${local}/`, { concurrency: 1, keepAlive: true, maxRequests: 20 });
    for (let i = 0; i < 500 && load.result.ok + load.result.failed < 20; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    const result = await load.stop();
    assert.equal(result.ok + result.failed, 20);
    assert.equal(result.failed, 4, `errors: ${result.errors.join('; ')}`);
    assert.equal(served, 20, 'every request reached the server once: nothing was retried');
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test('keep-alive clients are served through two handovers with no failed request', async () => {
  const load = startLoad(`${base}/`, { concurrency: 8, keepAlive: true, maxMs: 90_000 });
  await new Promise((resolve) => setTimeout(resolve, 500));
  for (const generation of [2, 3]) {
    const from = daemon.log().length;
    daemon.signal('SIGHUP');
    await daemon.waitForLog(new RegExp(`traffic switched to ${app.name}-${generation}\\b`), 60_000, from);
    assert.equal((await get(`${base}/`)).body, `${app.name}-${generation}`, 'a new connection reaches the new version at once');
    // The keep-alive clients held the old container's connections open until the drain timeout...
    await daemon.waitForLog(new RegExp(`${app.name}-${generation - 1} still has \\d+ open connection`), 30_000, from);
    // ...and on SIGTERM it closed them gracefully and exited by itself, well before SIGKILL.
    await daemon.waitForLog(new RegExp(`${app.name}-${generation - 1} \\| .*all connections closed, exiting`), 15_000, from);
    await daemon.waitForLog(new RegExp(`${app.name}-${generation - 1} stopped and removed`), 30_000, from);
  }
  // Requests after the last handover, on the clients' existing connections.
  const before3 = load.result.bodies.get(`${app.name}-3`) ?? 0;
  await new Promise((resolve) => setTimeout(resolve, 500));
  const result = await load.stop();
  assert.deepEqual(result.errors.slice(0, 5), []);
  assert.equal(result.failed, 0);
  assert.ok(result.ok > 500, `only ${result.ok} requests got through`);
  assert.deepEqual([...result.bodies.keys()], [1, 2, 3].map((n) => `${app.name}-${n}`));
  assert.ok((result.bodies.get(`${app.name}-3`) ?? 0) > before3, 'the keep-alive clients now talk to the new version');
  assert.deepEqual(await appContainers(app.name), [`${app.name}-3`]);
});
