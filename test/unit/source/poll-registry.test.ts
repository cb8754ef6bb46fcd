import assert from 'node:assert/strict';
import http from 'node:http';
import { afterEach, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseImageRef } from '../../../dist/options/image-ref.js';
import { backoffMs, pollRegistry } from '../../../dist/source/poll-registry.js';
import { captureLog, until } from '../../helpers/capture-log.ts';

const PORT = 18320;
const ref = parseImageRef(`127.0.0.1:${PORT}/team/shop:prod`);
const digest = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;

/** A registry that answers HEAD /v2/team/shop/manifests/prod with `answer()`: a digest, or a status. */
async function fakeRegistry(answer: () => string | number) {
  const seen: Array<{ method: string; url: string; accept: string }> = [];
  const server = http.createServer((request, response) => {
    seen.push({ method: request.method ?? '', url: request.url ?? '', accept: request.headers.accept ?? '' });
    const result = request.url === '/v2/team/shop/manifests/prod' ? answer() : 404;
    if (typeof result === 'number') return void response.writeHead(result).end();
    response.writeHead(200, { 'docker-content-digest': result, 'content-type': 'application/vnd.oci.image.index.v1+json' }).end();
  });
  await new Promise<void>((resolve) => server.listen(PORT, '127.0.0.1', resolve));
  const close = () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  closers.push(close);
  return { seen, close };
}
let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.map((close) => close()));
  closers = [];
});



test('backoff doubles from the interval up to the cap, within the jitter', () => {
  assert.equal(backoffMs(1000, 1, 60_000, 0), 2000);
  assert.equal(backoffMs(1000, 3, 60_000, 0), 8000);
  assert.equal(backoffMs(1000, 20, 60_000, 0), 60_000);
  assert.equal(backoffMs(120_000, 2, 60_000, 0), 120_000, 'never below the interval');
  assert.equal(backoffMs(1000, 1, 60_000, 0.2, () => 0), 1600);
  assert.equal(backoffMs(1000, 1, 60_000, 0.2, () => 1), 2400);
});

test('a new digest calls onChange once, with one log line', async () => {
  let current = digest(1);
  const registry = await fakeRegistry(() => current);
  const { log, lines } = captureLog();
  const changes: string[] = [];
  const stop = new AbortController();
  const poll = pollRegistry({ ref, intervalMs: 20, initialDigest: digest(1), onChange: (d) => { changes.push(d); }, log, signal: stop.signal });
  await until(() => registry.seen.length >= 3);
  assert.deepEqual(changes, []);
  current = digest(2);
  await until(() => changes.length === 1);
  const checks = registry.seen.length;
  await until(() => registry.seen.length >= checks + 5);
  stop.abort();
  await poll.stopped;
  assert.deepEqual(changes, [digest(2)]);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, new RegExp(`info  poll: 127\\.0\\.0\\.1:${PORT}/team/shop:prod is now sha256:222222222222 \\(was sha256:111111111111\\); deploying it`));
  assert.ok(registry.seen.every((r) => r.method === 'HEAD' && r.accept.includes('application/vnd.oci.image.index.v1+json')));
});

test('setKnown: a digest deployed by another trigger is not deployed again', async () => {
  let current = digest(1);
  const registry = await fakeRegistry(() => current);
  const { log } = captureLog();
  const changes: string[] = [];
  const stop = new AbortController();
  const poll = pollRegistry({ ref, intervalMs: 20, initialDigest: digest(1), onChange: (d) => { changes.push(d); }, log, signal: stop.signal });
  poll.setKnown(digest(3));
  current = digest(3);
  const checks = registry.seen.length;
  await until(() => registry.seen.length >= checks + 4);
  stop.abort();
  await poll.stopped;
  assert.deepEqual(changes, []);
});

test('without an initial digest the first answer is the baseline', async () => {
  const registry = await fakeRegistry(() => digest(4));
  const { log, lines } = captureLog();
  const changes: string[] = [];
  const stop = new AbortController();
  const poll = pollRegistry({ ref, intervalMs: 20, initialDigest: undefined, onChange: (d) => { changes.push(d); }, log, signal: stop.signal });
  await until(() => registry.seen.length >= 4);
  stop.abort();
  await poll.stopped;
  assert.deepEqual(changes, []);
  assert.deepEqual(lines, []);
});

test('registry errors back off, log once per streak and never call onChange', async () => {
  let status: number | undefined = 500;
  const registry = await fakeRegistry(() => status ?? digest(1));
  const { log, lines } = captureLog();
  const changes: string[] = [];
  const stop = new AbortController();
  const poll = pollRegistry({ ref, intervalMs: 20, initialDigest: digest(1), maxBackoffMs: 160, jitter: 0, onChange: (d) => { changes.push(d); }, log, signal: stop.signal });
  await sleep(1000);
  // 20ms steady would be ~50 checks; backing off 40, 80, 160, 160… is about 8.
  assert.ok(registry.seen.length >= 4 && registry.seen.length <= 10, `${registry.seen.length} checks in 1s`);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /warn  poll: cannot check .*shop:prod in its registry \(the registry answered HTTP 500 for .*\); backing off, up to 160ms between tries/);
  status = undefined;
  await until(() => lines.length === 2);
  assert.match(lines[1]!, /info  poll: the registry answers again for .*shop:prod after \d+ failed checks/);
  status = 503;
  await until(() => lines.length === 3);
  assert.match(lines[2]!, /warn  poll: cannot check/);
  stop.abort();
  await poll.stopped;
  assert.deepEqual(changes, []);
});

test('a registry that is down and a tag that is gone are one line each', async () => {
  const { log, lines } = captureLog();
  const stop = new AbortController();
  const poll = pollRegistry({ ref, intervalMs: 20, initialDigest: digest(1), maxBackoffMs: 40, onChange: () => {}, log, signal: stop.signal });
  await sleep(300);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /cannot check .* in its registry \(fetch failed: .*ECONNREFUSED/);
  stop.abort();
  await poll.stopped;
  await fakeRegistry(() => 404);
  const { log: log2, lines: lines2 } = captureLog();
  const stop2 = new AbortController();
  const poll2 = pollRegistry({ ref, intervalMs: 20, initialDigest: digest(1), onChange: () => {}, log: log2, signal: stop2.signal });
  await sleep(200);
  stop2.abort();
  await poll2.stopped;
  assert.equal(lines2.length, 1);
  assert.match(lines2[0]!, /warn  poll: .*shop:prod is not in its registry; checking again every 20ms/);
});

test('an abort stops it at once, even mid-wait and mid-request', async () => {
  const registry = await fakeRegistry(() => digest(1));
  const { log } = captureLog();
  const stop = new AbortController();
  const poll = pollRegistry({ ref, intervalMs: 60_000, initialDigest: digest(1), onChange: () => {}, log, signal: stop.signal });
  const started = performance.now();
  stop.abort();
  await poll.stopped;
  assert.ok(performance.now() - started < 100);
  assert.equal(registry.seen.length, 0);
  // A registry that never answers: the abort ends the request in flight.
  await registry.close();
  closers = [];
  const hanging = http.createServer(() => {});
  await new Promise<void>((resolve) => hanging.listen(PORT, '127.0.0.1', resolve));
  try {
    const stop2 = new AbortController();
    const poll2 = pollRegistry({ ref, intervalMs: 10, initialDigest: digest(1), onChange: () => {}, log, signal: stop2.signal });
    await sleep(100);
    const aborted = performance.now();
    stop2.abort();
    await poll2.stopped;
    assert.ok(performance.now() - aborted < 200);
  } finally {
    hanging.closeAllConnections();
    hanging.close();
  }
});

test('an onChange that throws is logged and polling goes on', async () => {
  let current = digest(1);
  await fakeRegistry(() => current);
  const { log, lines } = captureLog();
  const changes: string[] = [];
  const stop = new AbortController();
  const poll = pollRegistry({
    ref, intervalMs: 20, initialDigest: digest(1), log, signal: stop.signal,
    onChange: (d) => { changes.push(d); if (changes.length === 1) throw new Error('queue closed'); },
  });
  current = digest(2);
  await until(() => changes.length === 1);
  current = digest(3);
  await until(() => changes.length === 2);
  stop.abort();
  await poll.stopped;
  assert.ok(lines.some((line) => /warn  poll: deploying .*sha256:222222222222 failed to start: queue closed/.test(line)));
});
