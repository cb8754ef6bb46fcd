import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type Docker from 'dockerode';
import { HanoverdError } from '../../../dist/errors.js';
import { waitHealthy } from '../../../dist/health/wait-healthy.js';
import { waitVersionReady } from '../../../dist/health/wait-version-ready.js';
import type { Logger } from '../../../dist/log.js';

function memoryLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m), output() {} };
}

type Health = { Status: string; FailingStreak?: number; Log?: Array<{ ExitCode: number; Output: string }> } | undefined;

/** A container whose inspect walks through `states` (the last one repeats). */
function fakeContainer(states: Health[], running = true): Docker.Container & { inspections: number } {
  const fake = {
    inspections: 0,
    async inspect() {
      const health = states[Math.min(fake.inspections++, states.length - 1)];
      return { State: { Running: running, ExitCode: running ? 0 : 3, ...(health ? { Health: health } : {}) } };
    },
  };
  return fake as unknown as Docker.Container & { inspections: number };
}

// A status URI that always answers 200, on 127.0.0.1.
let server: http.Server;
let port: number;
before(async () => {
  server = http.createServer((_request, response) => response.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const readiness = (container: Docker.Container, timeoutMs = 5000) => ({
  container, ip: '127.0.0.1', ports: [port], statusUri: '/', isReady: (status: number) => status === 200, timeoutMs, exited: new Promise<number>(() => {}), name: 'app-2',
});

test('without a health check, the status URI alone makes a version ready', async () => {
  const container = fakeContainer([undefined]);
  assert.equal(await waitVersionReady(readiness(container), memoryLog(), AbortSignal.timeout(5000)), port);
});

test('with a health check, ready once the engine says healthy', async () => {
  const log = memoryLog();
  const container = fakeContainer([{ Status: 'starting' }, { Status: 'starting' }, { Status: 'healthy', Log: [{ ExitCode: 0, Output: 'ok' }] }]);
  assert.equal(await waitVersionReady(readiness(container), log, AbortSignal.timeout(5000)), port);
  assert.ok(container.inspections >= 3);
  assert.ok(log.lines.includes('app-2: health starting'));
  assert.ok(log.lines.some((line) => /app-2 is healthy and answers on port/.test(line)), log.lines.join('\n'));
});

test('unhealthy fails the version although its status URI answers 200', async () => {
  const container = fakeContainer([{ Status: 'starting' }, { Status: 'unhealthy', FailingStreak: 3, Log: [{ ExitCode: 1, Output: 'wget: server returned\nerror' }] }]);
  await assert.rejects(waitVersionReady(readiness(container), memoryLog(), AbortSignal.timeout(5000)), (error: Error) =>
    error instanceof HanoverdError && error.message === 'app-2 turned unhealthy after 3 failed health checks (last check exit 1: wget: server returned error); fix the HEALTHCHECK or --health-cmd');
});

test('a health check still starting at the timeout fails the version', async () => {
  const container = fakeContainer([{ Status: 'starting' }]);
  await assert.rejects(waitHealthy({ container, name: 'app-2', timeoutMs: 300 }, memoryLog(), AbortSignal.timeout(5000)), /app-2 was not healthy within 0s \(health starting, last check no check has run yet\)/);
});

test('a container that exits while its health check starts fails the version', async () => {
  const container = fakeContainer([{ Status: 'starting' }], false);
  await assert.rejects(waitHealthy({ container, name: 'app-2', timeoutMs: 5000 }, memoryLog(), AbortSignal.timeout(5000)), /app-2 exited with code 3 before it was ready/);
});

test('an abort stops the wait', async () => {
  const container = fakeContainer([{ Status: 'starting' }]);
  const controller = new AbortController();
  const waiting = waitVersionReady(readiness(container), memoryLog(), controller.signal);
  setTimeout(() => controller.abort(), 200);
  await assert.rejects(waiting, { name: 'AbortError' });
});
