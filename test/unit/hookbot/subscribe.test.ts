import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseHookbotEndpoint } from '../../../dist/hookbot/hookbot-url.js';
import { publish } from '../../../dist/hookbot/publish.js';
import { splitMessage, subscribe, type HookbotMessage } from '../../../dist/hookbot/subscribe.js';
import type { Logger } from '../../../dist/log.js';
import { startHookbotServer, type HookbotServer } from '../../helpers/hookbot-server.ts';
import { until as waitUntil } from '../../helpers/capture-log.ts';

// The websocket client against a hookbot-compatible server: auth, framing, recursive
// topics, reconnecting after a drop, and noticing a connection that went silent.
const FAST = { pingIntervalMs: 100, pingJitterMs: 20, deadAfterMs: 600, retryMinMs: 150, retryMaxMs: 300, stableAfterMs: 60_000 };

function memoryLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
    output: (p, l) => lines.push(`${p} | ${l}`),
  };
}

/** The hookbot subscriber reconnects on its own timers: give it longer than the default. */
const until = (condition: () => boolean, timeoutMs = 10_000) => waitUntil(condition, timeoutMs);

function listen(server: HookbotServer, topic: string, url = server.subUrl(topic)) {
  const log = memoryLog();
  const messages: HookbotMessage[] = [];
  const connects: boolean[] = [];
  const controller = new AbortController();
  const done = subscribe({
    endpoint: parseHookbotEndpoint(url, 'sub', '--hookbot'),
    log,
    signal: controller.signal,
    onMessage: (message) => messages.push(message),
    onConnect: (reconnected) => connects.push(reconnected),
    timing: FAST,
  });
  return { log, messages, connects, done, stop: () => { controller.abort(); return done; } };
}

describe('subscribe', () => {
  let server: HookbotServer;
  before(async () => { server = await startHookbotServer(); });
  after(async () => { await server.close(); });

  test('sends the token as Basic auth, never in the URL, and delivers binary payloads', async () => {
    const topic = 'github.com/repo/acme/shop/branch/main';
    const client = listen(server, topic);
    await server.waitForSubscribers(topic);
    const attempt = server.attempts.at(-1)!;
    assert.equal(attempt.authorized, true);
    assert.equal(attempt.url, `/sub/${topic}`);
    assert.ok(!client.log.lines.join('\n').includes(server.token), 'the token reached the log');
    server.publish(topic, Buffer.from([0x7b, 0x00, 0xff, 0x7d]));
    server.publish('github.com/repo/acme/other/branch/main', 'not for us');
    await until(() => client.messages.length === 1);
    assert.deepEqual(client.messages[0], { topic, payload: Buffer.from([0x7b, 0x00, 0xff, 0x7d]) });
    assert.deepEqual(client.connects, [false]);
    await client.stop();
    await until(() => server.subscribers(topic) === 0);
  });

  test('a recursive topic gets topic + NUL + payload, split apart', async () => {
    const client = listen(server, 'github.com/repo/acme/');
    await server.waitForSubscribers('github.com/repo/acme/');
    server.publish('github.com/repo/acme/shop/branch/main', 'payload\0with nul');
    await until(() => client.messages.length === 1);
    assert.equal(client.messages[0]!.topic, 'github.com/repo/acme/shop/branch/main');
    assert.equal(client.messages[0]!.payload.toString(), 'payload\0with nul');
    await client.stop();
  });

  test('a wrong token is refused; the client logs each failure once and keeps retrying', async () => {
    const url = server.subUrl('hanoverd/cwd').replace(server.token, 'wrong-token');
    const client = listen(server, 'hanoverd/cwd', url);
    await until(() => client.log.lines.length >= 3);
    await client.stop();
    assert.ok(client.log.lines.every((line) => /^warn hookbot: ws:\/\/\*\*\*@127\.0\.0\.1:\d+\/sub\/hanoverd\/cwd: hookbot answered HTTP 401: check the token; reconnecting in/.test(line)), client.log.lines.join('\n'));
    assert.ok(!client.log.lines.join('\n').includes('wrong-token'));
    assert.deepEqual(client.connects, []);
  });

  test('reconnects after the server drops the connection, and says it reconnected', async () => {
    const topic = 'docker-pull/127.0.0.1:5000/acme/shop/tag/prod';
    const client = listen(server, topic);
    await server.waitForSubscribers(topic);
    server.dropAll();
    await until(() => client.connects.length === 2);
    assert.deepEqual(client.connects, [false, true]);
    await server.waitForSubscribers(topic);
    server.publish(topic, 'UPDATE\n');
    await until(() => client.messages.length === 1);
    assert.equal(client.log.lines.filter((line) => line.startsWith('warn')).length, 1, client.log.lines.join('\n'));
    assert.match(client.log.lines.join('\n'), /connection closed by hookbot/);
    await client.stop();
  });

  test('pings, and a server that stops answering is declared dead and reconnected to', async () => {
    const topic = 'hanoverd/cwd';
    const client = listen(server, topic);
    await server.waitForSubscribers(topic);
    const pings = server.pings;
    await until(() => server.pings >= pings + 3);
    assert.deepEqual(client.connects, [false], 'answered pings keep the connection');
    server.silence(true);
    try {
      await until(() => client.log.lines.some((line) => line.includes('the connection is dead')));
    } finally {
      server.silence(false);
    }
    await until(() => client.connects.length === 2);
    await client.stop();
  });

  test('failures in a row wait longer each time; a connection that stayed up starts again from the first wait', async () => {
    const waits = (lines: string[]) => lines.map((line) => /reconnecting in ([\d.]+)s/.exec(line)?.[1]).filter(Boolean).map(Number);
    const log = memoryLog();
    const controller = new AbortController();
    const done = subscribe({
      endpoint: parseHookbotEndpoint('ws://t@127.0.0.1:1/sub/hanoverd/cwd', 'sub', '--hookbot'),
      log, signal: controller.signal, onMessage() {},
      timing: { ...FAST, retryMinMs: 40, retryMaxMs: 320 },
    });
    await until(() => waits(log.lines).length >= 6);
    controller.abort();
    await done;
    // Each wait is between half and all of 40ms doubled per failure, capped at 320ms (logged to 0.1s).
    const ceilings = [40, 80, 160, 320, 320, 320];
    waits(log.lines).slice(0, 6).forEach((wait, i) => assert.ok(wait >= ceilings[i]! / 2000 - 0.05 && wait <= ceilings[i]! / 1000 + 0.05, `${i}: ${wait}s`));

    // Refused four times (the waits grow), then up longer than stableAfterMs, then dropped:
    // the wait after it is the first one again.
    const topic = 'hanoverd/cwd/backoff';
    server.refuse(true, topic);
    const stableLog = memoryLog();
    const connects: boolean[] = [];
    const stop = new AbortController();
    const stableDone = subscribe({
      endpoint: parseHookbotEndpoint(server.subUrl(topic), 'sub', '--hookbot'),
      log: stableLog, signal: stop.signal, onMessage() {}, onConnect: (again) => connects.push(again),
      timing: { ...FAST, retryMinMs: 100, retryMaxMs: 800, stableAfterMs: 300 },
    });
    try {
      await until(() => waits(stableLog.lines).length >= 4);
      server.refuse(false, topic);
      await server.waitForSubscribers(topic);
      assert.ok(waits(stableLog.lines).at(-1)! >= 0.4, stableLog.lines.join('\n'));
      await new Promise((resolve) => setTimeout(resolve, 400));
      server.dropAll();
      await until(() => connects.length === 2);
      assert.ok(waits(stableLog.lines).at(-1)! <= 0.15, stableLog.lines.join('\n'));
    } finally {
      server.refuse(false, topic);
      stop.abort();
      await stableDone;
    }
  });

  test('never rejects, and stops when aborted even while the server is unreachable', async () => {
    const client = listen(server, 'hanoverd/cwd', 'ws://t@127.0.0.1:1/sub/hanoverd/cwd');
    await until(() => client.log.lines.length >= 2);
    await client.stop();
    assert.match(client.log.lines[0]!, /connection failed: .*ECONNREFUSED/);
  });

  test('publish posts to /pub/<topic> with the token and reaches subscribers', async () => {
    const topic = 'docker-pull/127.0.0.1:5000/acme/shop/tag/main';
    const client = listen(server, topic);
    await server.waitForSubscribers(topic);
    await publish(parseHookbotEndpoint(server.pubUrl(topic), 'pub', '--docker-notify'), 'UPDATE\n', AbortSignal.timeout(5000));
    await until(() => client.messages.length === 1);
    assert.equal(client.messages[0]!.payload.toString(), 'UPDATE\n');
    await assert.rejects(
      publish(parseHookbotEndpoint(server.pubUrl(topic).replace(server.token, 'bad'), 'pub', 'x'), 'x', AbortSignal.timeout(5000)),
      (error: Error) => /HTTP 401; check the token/.test(error.message) && !error.message.includes('bad@'),
    );
    await client.stop();
  });
});

test('splitMessage leaves plain topics alone and rejects a recursive message without NUL', () => {
  assert.deepEqual(splitMessage('a/b', Buffer.from('x\0y')), { topic: 'a/b', payload: Buffer.from('x\0y') });
  assert.equal(splitMessage('a/', Buffer.from('no nul')), undefined);
});
