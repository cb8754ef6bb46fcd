import assert from 'node:assert/strict';
import fs from 'node:fs';
import type http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { callDaemon, DaemonUnreachableError } from '../../../dist/control/control-client.js';
import { answerRequest, parseHistoryLimit, type Controller } from '../../../dist/control/control-routes.js';
import { startControlServer } from '../../../dist/control/control-server.js';
import { HanoverdError } from '../../../dist/errors.js';
import type { HistoryEntry } from '../../../dist/state/history.js';
import type { LiveState } from '../../../dist/state/live-state.js';

const state = { app: 'ctl', cwd: '/srv/ctl', pid: 1, startedAt: '2026-01-01T00:00:00.000Z', bindings: [], built: [], localnet: {} } as LiveState;
const journal: HistoryEntry[] = Array.from({ length: 500 }, (_, i) => ({ at: `t${i}`, kind: 'event', trigger: 'start', outcome: 'info' }));

function fakeController(): Controller & { deploys: number } {
  return {
    deploys: 0,
    status: () => state,
    history: (limit) => journal.slice(-limit),
    deploy(canary) { this.deploys++; return canary === undefined ? 'deploy started' : `canary ${canary}%`; },
    rollback: () => { throw new HanoverdError('nothing to roll back to'); },
    promote: () => { throw new HanoverdError('nothing to promote'); },
    metrics: async () => ({ contentType: 'text/plain; version=0.0.4', body: 'hanoverd_deploys_total{outcome="live"} 1\n' }),
  };
}

/** Sends raw bytes, resolves with everything the server sent until it closed (or `waitMs` passed: then "(open)"). */
function raw(socket: string, bytes: string | Buffer, waitMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    const connection = net.connect(socket);
    let received = '';
    const timer = setTimeout(() => { connection.destroy(); resolve(`${received}(open)`); }, waitMs);
    connection.on('data', (chunk) => { received += chunk.toString(); });
    connection.on('error', () => {});
    connection.on('close', () => { clearTimeout(timer); resolve(received); });
    connection.write(bytes);
  });
}

describe('control server', () => {
  let dir: string;
  let socket: string;
  let server: http.Server;
  const controller = fakeController();
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-control-'));
    socket = path.join(dir, 'control.sock');
    server = await startControlServer(socket, controller, {
      app: 'ctl', limits: { headersTimeoutMs: 400, requestTimeoutMs: 800, maxConnections: 16 },
    });
  });
  after(() => {
    server.closeAllConnections();
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the socket is for its owner only', () => {
    assert.equal(fs.statSync(socket).mode & 0o777, 0o600);
  });

  test('answers the API', async () => {
    assert.deepEqual(await callDaemon<LiveState>(socket, 'GET', '/status'), state);
    assert.equal((await callDaemon<HistoryEntry[]>(socket, 'GET', '/history')).length, 200);
    assert.deepEqual((await callDaemon<HistoryEntry[]>(socket, 'GET', '/history?limit=3')).map((e) => e.at), ['t497', 't498', 't499']);
    await callDaemon(socket, 'POST', '/deploy');
    assert.equal(controller.deploys, 1);
    await assert.rejects(callDaemon(socket, 'POST', '/rollback'), (error: Error) => error instanceof HanoverdError && /nothing to roll back/.test(error.message));
    await assert.rejects(callDaemon(socket, 'GET', '/history?limit=-1'), /limit must be a whole number/);
    assert.match(await raw(socket, 'DELETE /status HTTP/1.1\r\nHost: x\r\n\r\n'), /^HTTP\/1\.1 404 .*no such endpoint: DELETE \/status/s);
  });

  test('a malformed request target is answered 400, not thrown', async () => {
    assert.match(await raw(socket, 'GET //[ HTTP/1.1\r\nHost: x\r\n\r\n'), /^HTTP\/1\.1 400 .*malformed request target/s);
    assert.match(await raw(socket, 'GET * HTTP/1.1\r\nHost: x\r\n\r\n'), /^HTTP\/1\.1 400/);
    assert.match(await raw(socket, 'GET http://evil/%zz HTTP/1.1\r\nHost: x\r\n\r\n'), /^HTTP\/1\.1 400/);
  });

  test('garbage bytes are refused', async () => {
    assert.match(await raw(socket, Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0d, 0x0a, 0x0d, 0x0a])), /^HTTP\/1\.1 400|^$/);
    assert.match(await raw(socket, 'NOT HTTP AT ALL\r\n\r\n'), /^HTTP\/1\.1 400|^$/);
  });

  test('an oversized header is refused', async () => {
    assert.match(await raw(socket, `GET /status HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`), /^HTTP\/1\.1 431|^$/);
  });

  test('a slowloris is cut off, and a silent connection too', async () => {
    const started = Date.now();
    const result = await new Promise<string>((resolve) => {
      const connection = net.connect(socket);
      let received = '';
      connection.on('data', (chunk) => { received += chunk.toString(); });
      connection.on('error', () => {});
      connection.write('GET /status HTTP/1.1\r\nHost: x\r\n');
      // One header byte every 50ms, never the blank line that ends the headers.
      const drip = setInterval(() => connection.write('X'), 50);
      const giveUp = setTimeout(() => connection.destroy(), 5000);
      connection.on('close', () => { clearInterval(drip); clearTimeout(giveUp); resolve(received); });
    });
    assert.ok(Date.now() - started < 4000, `cut off after ${Date.now() - started}ms`);
    assert.doesNotMatch(result, /200 OK/);
    assert.doesNotMatch(await raw(socket, '', 4000), /\(open\)$/);
  });

  test('1000 connections at once, then /status still answers', async () => {
    const connections = await Promise.all(Array.from({ length: 1000 }, () => new Promise<net.Socket>((resolve) => {
      const connection = net.connect(socket);
      connection.on('error', () => {});
      connection.once('connect', () => resolve(connection));
      connection.once('close', () => resolve(connection));
    })));
    for (const connection of connections) connection.write('GET /sta');
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const connection of connections) connection.destroy();
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(await callDaemon<LiveState>(socket, 'GET', '/status'), state);
  });

  test('a second server on an answering socket is refused; a stale one is replaced', async () => {
    await assert.rejects(startControlServer(socket, fakeController(), { app: 'ctl' }), /another hanoverd is already using .*control\.sock/);
    const stale = path.join(dir, 'stale.sock');
    const old = net.createServer().listen(stale);
    await new Promise((resolve) => old.once('listening', resolve));
    // Closing a listening unix socket removes it; a killed daemon leaves it behind: copy that.
    old.close();
    fs.writeFileSync(stale, '');
    const again = await startControlServer(stale, fakeController(), { app: 'ctl' });
    assert.deepEqual(await callDaemon<LiveState>(stale, 'GET', '/status'), state);
    again.close();
  });
});

test('a socket nobody answers on is unreachable, not an API error', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-control-'));
  try {
    const socket = path.join(dir, 'control.sock');
    fs.writeFileSync(socket, '');
    await assert.rejects(callDaemon(socket, 'GET', '/status'), (error: Error) => error instanceof DaemonUnreachableError && /no hanoverd answers on/.test(error.message));
    // Accepts but never answers: a hung daemon.
    const hung = net.createServer(() => {}).listen(path.join(dir, 'hung.sock'));
    await new Promise((resolve) => hung.once('listening', resolve));
    await assert.rejects(callDaemon(path.join(dir, 'hung.sock'), 'GET', '/status', 300), DaemonUnreachableError);
    hung.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('routing never throws', async () => {
  const controller = fakeController();
  controller.status = () => { throw new TypeError('boom'); };
  assert.equal((await answerRequest('GET', '/status', controller)).status, 500);
  assert.equal((await answerRequest(undefined, undefined, controller)).status, 400);
  assert.equal((await answerRequest('GET', '//[', controller)).status, 400);
  assert.equal((await answerRequest('GET', '/nope\u0000', controller)).status, 404);
  controller.metrics = async () => { throw new Error('registry broke'); };
  assert.equal((await answerRequest('GET', '/metrics', controller)).status, 500);
});

test('deploy takes a canary share; promote and metrics are routed', async () => {
  const controller = fakeController();
  assert.deepEqual(JSON.parse((await answerRequest('POST', '/deploy?canary=20', controller)).json), { message: 'canary 20%' });
  for (const bad of ['0', '100', '2.5', 'x']) assert.equal((await answerRequest('POST', `/deploy?canary=${bad}`, controller)).status, 400, bad);
  assert.equal((await answerRequest('POST', '/promote', controller)).status, 409);
  const metrics = await answerRequest('GET', '/metrics', controller);
  assert.equal(metrics.contentType, 'text/plain; version=0.0.4');
  assert.match(metrics.json, /hanoverd_deploys_total/);
  assert.equal(parseHistoryLimit(null), 200);
  assert.equal(parseHistoryLimit('50000'), 10_000);
  for (const bad of ['0', '-3', '1.5', 'x', '', '1e3']) assert.equal(parseHistoryLimit(bad), undefined, bad);
});
