import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { EventBus, type DeployEvent } from '../../../dist/observe/deploy-event.js';
import { attachMetrics, createMetrics, renderMetrics } from '../../../dist/observe/metrics.js';
import { parseListenAddress, startMetricsServer } from '../../../dist/observe/metrics-server.js';
import { createLogger } from '../../../dist/log.js';
import { throwsUsage } from '../expect-usage-error.ts';

const PORT = 18301;
const at = '2026-11-23T10:00:00.000Z';
const live: DeployEvent = {
  event: 'live', app: 'shop', container: 'shop-7', image: 'shop:prod', digest: 'sha256:abc', trigger: 'SIGHUP',
  durations: { obtain: 1200, start: 300, ready: 40, switch: 20 }, at,
};

/** The value of one series in Prometheus text, e.g. value(text, 'hanoverd_deploys_total{outcome="live"}'). */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('parseListenAddress takes IPv4, [IPv6], localhost and :PORT', () => {
  assert.deepEqual(parseListenAddress('127.0.0.1:9100', '--metrics-listen'), { host: '127.0.0.1', port: 9100 });
  assert.deepEqual(parseListenAddress('[::1]:9100', '--metrics-listen'), { host: '::1', port: 9100 });
  assert.deepEqual(parseListenAddress('localhost:9100', '--metrics-listen'), { host: 'localhost', port: 9100 });
  assert.deepEqual(parseListenAddress(':9100', '--metrics-listen'), { port: 9100 });
  for (const bad of ['9100', '127.0.0.1', '127.0.0.1:0', '127.0.0.1:65536', '::1:9100', '[127.0.0.1]:9100', '999.0.0.1:9100', 'example.com:9100', ':', '127.0.0.1:9100x', '']) {
    throwsUsage(() => parseListenAddress(bad, '--metrics-listen'), '--metrics-listen', 'IP:PORT');
  }
});

test('the rendered text holds every metric, process metrics too', async () => {
  const metrics = createMetrics();
  const { contentType, body } = await renderMetrics(metrics);
  assert.match(contentType, /^text\/plain; version=0\.0\.4/);
  for (const name of [
    'hanoverd_deploys_total', 'hanoverd_phase_seconds_bucket', 'hanoverd_ready_to_switch_seconds_bucket', 'hanoverd_last_deploy_timestamp_seconds',
    'hanoverd_live_info', 'hanoverd_new_connections_total', 'hanoverd_canary_share', 'hanoverd_hookbot_connected', 'hanoverd_hookbot_reconnects_total',
    'process_resident_memory_bytes', 'process_open_fds',
  ]) {
    assert.match(body, new RegExp(`^# TYPE ${name.replace(/_bucket$/, '')} `, 'm'), name);
  }
  assert.equal(value(body, 'hanoverd_deploys_total{outcome="rolled-back"}'), 0, 'every outcome exists from the start');
});

test('events from the bus count deploys, phases, the live version and the canary share', async () => {
  const metrics = createMetrics();
  const bus = new EventBus();
  attachMetrics(bus, metrics);
  bus.emit({ event: 'started', app: 'shop', trigger: 'SIGHUP', at });
  bus.emit(live);
  let text = (await renderMetrics(metrics)).body;
  assert.equal(value(text, 'hanoverd_deploys_total{outcome="live"}'), 1);
  assert.equal(value(text, 'hanoverd_deploys_total{outcome="failed"}'), 0);
  assert.equal(value(text, 'hanoverd_last_deploy_timestamp_seconds{outcome="live"}'), Date.parse(at) / 1000);
  assert.equal(value(text, 'hanoverd_phase_seconds_count{phase="obtain"}'), 1);
  assert.equal(value(text, 'hanoverd_phase_seconds_sum{phase="obtain"}'), 1.2);
  assert.equal(value(text, 'hanoverd_live_info{container="shop-7",image="shop:prod",digest="sha256:abc"}'), 1);

  bus.emit({ event: 'failed', app: 'shop', trigger: 'SIGHUP', error: 'nope', durations: { obtain: 10 }, at });
  bus.emit({ event: 'canary', app: 'shop', container: 'shop-8', image: 'shop:next', trigger: 'api', share: 25, at });
  text = (await renderMetrics(metrics)).body;
  assert.equal(value(text, 'hanoverd_deploys_total{outcome="failed"}'), 1);
  assert.equal(value(text, 'hanoverd_canary_share'), 0.25);

  bus.emit({ event: 'promoted', app: 'shop', container: 'shop-8', image: 'shop:next', trigger: 'api', at });
  text = (await renderMetrics(metrics)).body;
  assert.equal(value(text, 'hanoverd_deploys_total{outcome="live"}'), 2);
  assert.equal(value(text, 'hanoverd_canary_share'), 0);
  assert.equal(value(text, 'hanoverd_live_info{container="shop-8",image="shop:next",digest=""}'), 1);
  assert.ok(!text.includes('container="shop-7"'), 'only the current live version has a live_info series');
});

test('connection counts come from the callback on each scrape; hookbot state is set directly', async () => {
  const metrics = createMetrics();
  metrics.setConnectionCounts(new Map([['shop-1', 5]]));
  assert.equal(value((await renderMetrics(metrics)).body, 'hanoverd_new_connections_total{container="shop-1"}'), 5);
  let reads = 0;
  metrics.onCollectConnections(async () => {
    reads++;
    return new Map([['shop-1', 40], ['shop-2', 12 * reads]]);
  });
  let text = (await renderMetrics(metrics)).body;
  assert.equal(value(text, 'hanoverd_new_connections_total{container="shop-2"}'), 12);
  text = (await renderMetrics(metrics)).body;
  assert.equal(value(text, 'hanoverd_new_connections_total{container="shop-2"}'), 24);
  metrics.onCollectConnections(() => { throw new Error('iptables went away'); });
  text = (await renderMetrics(metrics)).body;
  assert.equal(value(text, 'hanoverd_new_connections_total{container="shop-2"}'), 24, 'a failed read keeps the last counts');
  metrics.setHookbotConnected(true);
  metrics.countHookbotReconnect();
  metrics.observeReadyToSwitch(23);
  text = (await renderMetrics(metrics)).body;
  assert.equal(value(text, 'hanoverd_hookbot_connected'), 1);
  assert.equal(value(text, 'hanoverd_hookbot_reconnects_total'), 1);
  assert.equal(value(text, 'hanoverd_ready_to_switch_seconds_bucket{le="0.03"}'), 1);
  assert.equal(value(text, 'hanoverd_ready_to_switch_seconds_bucket{le="0.02"}'), 0);
});

/** Sends raw bytes and returns whatever comes back before the server closes (or 2 s pass). */
function raw(bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(PORT, '127.0.0.1');
    let received = '';
    socket.setTimeout(2000, () => socket.destroy());
    socket.on('data', (chunk) => { received += chunk.toString(); });
    socket.on('close', () => resolve(received));
    socket.on('error', () => resolve(received));
    socket.on('connect', () => socket.end(bytes));
  });
}

test('the metrics server answers GET /metrics on 127.0.0.1, 404s the rest, survives garbage and closes on abort', async () => {
  const metrics = createMetrics();
  const bus = new EventBus();
  attachMetrics(bus, metrics);
  const lines: string[] = [];
  const log = createLogger('text', { write: (line: string) => lines.push(line) } as unknown as NodeJS.WritableStream);
  const stop = new AbortController();
  try {
    const address = await startMetricsServer({ host: '127.0.0.1', port: PORT }, metrics, log, stop.signal);
    assert.equal(address.port, PORT);
    const before = await fetch(`http://127.0.0.1:${PORT}/metrics`);
    assert.equal(before.status, 200);
    assert.match(before.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    assert.equal(value(await before.text(), 'hanoverd_deploys_total{outcome="live"}'), 0);
    bus.emit(live);
    assert.equal(value(await (await fetch(`http://127.0.0.1:${PORT}/metrics`)).text(), 'hanoverd_deploys_total{outcome="live"}'), 1);

    assert.equal((await fetch(`http://127.0.0.1:${PORT}/`)).status, 404);
    assert.equal((await fetch(`http://127.0.0.1:${PORT}/metrics/x?y`)).status, 404);
    assert.equal((await fetch(`http://127.0.0.1:${PORT}/metrics`, { method: 'POST', body: 'x' })).status, 405);
    assert.match(await raw('\x00\x01\x02 garbage\r\n\r\n'), /^HTTP\/1\.1 400/);
    assert.match(await raw('GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n'), /^HTTP\/1\.1 400/);
    assert.match(await raw(`GET ${'/%'.repeat(5000)} HTTP/1.1\r\nHost: x\r\n\r\n`), /^HTTP\/1\.1 404/);
    assert.match(await raw('GET /metr'), /^(HTTP\/1\.1 400 |$)/, 'a half request is closed, nothing thrown');
    assert.equal((await fetch(`http://127.0.0.1:${PORT}/metrics`)).status, 200, 'still serving after the garbage');
  } finally {
    stop.abort();
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  await assert.rejects(fetch(`http://127.0.0.1:${PORT}/metrics`), 'closed after the abort');
  assert.ok(lines.some((line) => line.includes('metrics at http://127.0.0.1:18301/metrics')));
});

test('a port in use is one clear error', async () => {
  const stop = new AbortController();
  const log = createLogger('text', { write: () => true } as unknown as NodeJS.WritableStream);
  try {
    await startMetricsServer({ host: '127.0.0.1', port: PORT + 1 }, createMetrics(), log, stop.signal);
    await assert.rejects(startMetricsServer({ host: '127.0.0.1', port: PORT + 1 }, createMetrics(), log, stop.signal), /cannot serve metrics on 127\.0\.0\.1:18302; pick a free port/);
  } finally {
    stop.abort();
  }
});
