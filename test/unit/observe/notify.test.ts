import assert from 'node:assert/strict';
import http from 'node:http';
import { after, test } from 'node:test';
import type { DeployEvent } from '../../../dist/observe/deploy-event.js';
import { createNotifier, parseNotifyUrl, redactUrl } from '../../../dist/observe/notify.js';
import { throwsUsage } from '../expect-usage-error.ts';
import { captureLog, until } from '../../helpers/capture-log.ts';

const PORT = 18310;
const at = '2026-11-23T10:00:00.000Z';
const event = (n: number, kind: DeployEvent['event'] = 'live'): DeployEvent => ({
  event: kind, app: 'shop', container: `shop-${n}`, image: 'shop:prod', digest: 'sha256:abc', trigger: 'SIGHUP', who: 'alice', durations: { obtain: 10 }, at,
});

interface Received { body: Record<string, unknown>; authorization: string | undefined; url: string }
/** A webhook receiver on 127.0.0.1; `reply` decides per request (undefined: never answer). */
type Reply = (n: number) => number | undefined | Promise<number>;
async function receiver(reply: Reply) {
  const received: Received[] = [];
  let requests = 0;
  const server = http.createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => { text += chunk; });
    request.on('end', async () => {
      const status = await reply(++requests);
      if (status === undefined) return;
      if (status < 300) received.push({ body: JSON.parse(text) as Record<string, unknown>, authorization: request.headers.authorization, url: request.url ?? '' });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(PORT, '127.0.0.1', resolve));
  return {
    received,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}



let open: Array<{ close(): Promise<void> }> = [];
after(async () => { await Promise.all(open.map((server) => server.close())); });
async function withReceiver(reply: Reply) {
  const server = await receiver(reply);
  open.push(server);
  return server;
}
async function closeAll() {
  await Promise.all(open.map((server) => server.close()));
  open = [];
}

test('parseNotifyUrl takes http(s) only and keeps the credentials out of the URL and the label', () => {
  const target = parseNotifyUrl('https://hook:p%40ss@hooks.example.com/services/T0/B0/XXXX?token=qq#frag');
  assert.equal(target.url, 'https://hooks.example.com/services/T0/B0/XXXX?token=qq');
  assert.equal(target.authorization, `Basic ${Buffer.from('hook:p@ss').toString('base64')}`);
  assert.equal(target.label, 'https://***@hooks.example.com/services/…?…');
  assert.equal(parseNotifyUrl('http://127.0.0.1:9/').label, 'http://127.0.0.1:9');
  assert.equal(redactUrl(new URL('http://h/one')), 'http://h/one');
  throwsUsage(() => parseNotifyUrl('ftp://u:secret@h/x'), '--notify ftp://***@h/x', 'only http:// and https://');
  throwsUsage(() => parseNotifyUrl('not a url secret'), '--notify: not a URL');
  assert.throws(() => parseNotifyUrl('not a url secret'), (error: Error) => !error.message.includes('secret'));
});

test('a receiver gets every event, in order, with its text', async () => {
  const server = await withReceiver(() => 200);
  const { log, lines } = captureLog();
  const notifier = createNotifier([parseNotifyUrl(`http://127.0.0.1:${PORT}/hook`)], log);
  for (let n = 1; n <= 5; n++) notifier.notify(event(n, n === 1 ? 'started' : 'live'));
  await notifier.close(5000);
  assert.deepEqual(server.received.map((r) => r.body.container), ['shop-1', 'shop-2', 'shop-3', 'shop-4', 'shop-5']);
  assert.deepEqual(server.received[4]!.body, { ...event(5), text: 'shop: shop-5 (shop:prod) is live after SIGHUP by alice in 10ms' });
  assert.deepEqual(lines, []);
  await closeAll();
});

test('a receiver that answers 500 twice gets the event on the third try', async () => {
  const server = await withReceiver((n) => (n <= 2 ? 500 : 200));
  const { log, lines } = captureLog();
  const notifier = createNotifier([parseNotifyUrl(`http://127.0.0.1:${PORT}/hook`)], log, { backoffMs: 20 });
  notifier.notify(event(1));
  await until(() => server.received.length === 1);
  assert.equal(server.requests(), 3);
  await notifier.close();
  assert.deepEqual(lines, []);
  await closeAll();
});

test('a receiver that never answers does not block notify, which gives up after the retries', async () => {
  const server = await withReceiver(() => undefined);
  const { log, lines } = captureLog();
  const notifier = createNotifier([parseNotifyUrl(`http://127.0.0.1:${PORT}/hook`)], log, { timeoutMs: 150, attempts: 3, backoffMs: 20 });
  const started = performance.now();
  notifier.notify(event(1));
  assert.ok(performance.now() - started < 20, 'notify returns at once');
  await until(() => lines.some((line) => line.includes('gave up')));
  assert.equal(server.requests(), 3);
  assert.match(lines.join(''), /warn  notify http:\/\/127\.0\.0\.1:18310\/hook: gave up on the "live" event after 3 tries \(no answer within 150ms\)/);
  await notifier.close();
  await closeAll();
});

test('a dead receiver (connection refused) gives up, a 404 is not retried', async () => {
  const { log, lines } = captureLog();
  const dead = createNotifier([parseNotifyUrl(`http://127.0.0.1:${PORT + 1}/hook`)], log, { attempts: 2, backoffMs: 10 });
  dead.notify(event(1));
  await until(() => lines.length === 1);
  assert.match(lines[0]!, /gave up on the "live" event after 2 tries \(.*ECONNREFUSED/);
  await dead.close();
  const server = await withReceiver(() => 404);
  const refused = createNotifier([parseNotifyUrl(`http://127.0.0.1:${PORT}/hook`)], log, { backoffMs: 10 });
  refused.notify(event(2));
  await until(() => lines.length === 2);
  assert.match(lines[1]!, /the receiver refused the "live" event \(HTTP 404\); check the --notify URL/);
  assert.equal(server.requests(), 1);
  await refused.close();
  await closeAll();
});

test('the password and the query token never reach the log; the receiver gets Basic auth', async () => {
  const server = await withReceiver((n) => (n <= 2 ? 503 : 200));
  const { log, lines } = captureLog();
  const notifier = createNotifier([
    parseNotifyUrl(`http://deployer:hunter2secret@127.0.0.1:${PORT}/services/T0/querytokenpath?token=querytoken123`),
    parseNotifyUrl(`http://deployer:hunter2secret@127.0.0.1:${PORT + 2}/x?token=querytoken123`),
  ], log, { attempts: 2, backoffMs: 10 });
  notifier.notify(event(1));
  notifier.notify(event(2));
  await notifier.close(5000);
  assert.equal(server.received.length, 1);
  assert.equal(server.received[0]!.authorization, `Basic ${Buffer.from('deployer:hunter2secret').toString('base64')}`);
  assert.equal(server.received[0]!.url, '/services/T0/querytokenpath?token=querytoken123');
  const text = lines.join('');
  assert.match(text, /gave up/);
  for (const secret of ['hunter2secret', 'querytoken', 'deployer']) assert.ok(!text.includes(secret), `${secret} in ${text}`);
  await closeAll();
});

test('a slow receiver drops the oldest events beyond the limit, with one warning', async () => {
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => { release = resolve; });
  const server = await withReceiver(async (n) => {
    if (n === 1) await gate;
    return 200;
  });
  const { log, lines } = captureLog();
  const notifier = createNotifier([parseNotifyUrl(`http://127.0.0.1:${PORT}/hook`)], log, { queueLimit: 3 });
  notifier.notify(event(1)); // in flight at once, answered only once released
  await until(() => server.requests() === 1);
  for (let n = 2; n <= 10; n++) notifier.notify(event(n));
  release();
  await notifier.close(5000);
  assert.deepEqual(server.received.map((r) => r.body.container), ['shop-1', 'shop-8', 'shop-9', 'shop-10']);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /the receiver is behind; dropping the oldest events beyond 3/);
  await closeAll();
});
