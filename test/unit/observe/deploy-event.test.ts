import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventBus, eventText, type DeployEvent } from '../../../dist/observe/deploy-event.js';

const at = '2026-11-23T10:00:00.000Z';
const live: DeployEvent = {
  event: 'live', app: 'myapp', container: 'myapp-7', image: 'registry/app:prod', trigger: 'SIGHUP',
  durations: { obtain: 1200, start: 1500, ready: 450, switch: 50 }, at,
};

test('eventText says what happened in one line', () => {
  assert.equal(eventText(live), 'myapp: myapp-7 (registry/app:prod) is live after SIGHUP in 3.2s');
  assert.equal(eventText({ event: 'started', app: 'a', image: 'a:1', trigger: 'poll', at }), 'a: deploying a:1 after poll');
  assert.equal(
    eventText({ event: 'failed', app: 'a', trigger: 'hookbot: alice pushed 1a2b3c4', who: 'alice', durations: { obtain: 900 }, error: 'building failed\nsee above', at }),
    'a: deploy after hookbot: alice pushed 1a2b3c4 failed in 900ms: building failed see above',
  );
  assert.equal(eventText({ event: 'live', app: 'a', container: 'a-2', trigger: 'api', who: 'bob', at }), 'a: a-2 is live after api by bob');
  assert.equal(eventText({ event: 'superseded', app: 'a', container: 'a-3', trigger: 'SIGHUP', at }), 'a: a-3 was superseded by a newer deploy');
  assert.equal(eventText({ event: 'rolled-back', app: 'a', container: 'a-2', image: 'a:1', trigger: 'watch', error: 'a-3 exited with code 1', at }),
    'a: rolled back to a-2 (a:1) after watch: a-3 exited with code 1');
  assert.equal(eventText({ event: 'canary', app: 'a', container: 'a-4', trigger: 'api', share: 10, at }), 'a: a-4 takes 10% of new connections as a canary after api');
  assert.equal(eventText({ event: 'promoted', app: 'a', container: 'a-4', trigger: 'api', at }), 'a: a-4 was promoted and takes all traffic after api');
});

test('EventBus delivers to every listener and never throws to the emitter', async () => {
  const errors: string[] = [];
  const bus = new EventBus((error, event) => errors.push(`${event.event}: ${(error as Error).message}`));
  const seen: string[] = [];
  bus.on(() => { throw new Error('sync boom'); });
  bus.on(async () => { throw new Error('async boom'); });
  const off = bus.on((event) => { seen.push(`second ${event.event}`); });
  bus.on((event) => { seen.push(`third ${event.event}`); });
  bus.emit(live);
  off();
  bus.emit({ ...live, event: 'failed' });
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(seen, ['second live', 'third live', 'third failed']);
  assert.deepEqual(errors.sort(), ['failed: async boom', 'failed: sync boom', 'live: async boom', 'live: sync boom']);
});

test('EventBus survives an error reporter that throws', () => {
  const bus = new EventBus(() => { throw new Error('reporter broke'); });
  bus.on(() => { throw new Error('listener broke'); });
  assert.doesNotThrow(() => bus.emit(live));
});
