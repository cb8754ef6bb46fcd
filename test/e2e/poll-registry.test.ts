import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseImageRef } from '../../dist/options/image-ref.js';
import { pollRegistry } from '../../dist/source/poll-registry.js';
import { registryDigest } from '../../dist/source/registry-digest.js';
import { Dockerfiles, makeApp, type TestApp } from '../helpers/apps.ts';
import { captureLog } from '../helpers/capture-log.ts';
import { removeLeftovers } from '../helpers/leftovers.ts';
import { buildAndPush, startRegistry, type Registry } from '../helpers/registry.ts';

// --poll against Debian's real docker-registry: a new image pushed to the tag is noticed.
let registry: Registry;
let app: TestApp;
let image: string;

before(async () => {
  registry = await startRegistry();
  app = makeApp('c-poll', Dockerfiles.hostname);
  image = `${registry.host}/hte2e/${app.name}:prod`;
});

after(async () => {
  await removeLeftovers(app.name, [image]);
  await registry?.stop();
  app?.remove();
});

async function pushVersion(version: string): Promise<void> {
  fs.writeFileSync(path.join(app.dir, 'www', 'index.html'), `${version}\n`);
  await buildAndPush(app.dir, image, app.name);
}

test('a new image pushed to the tag is seen once, as the digest the registry now serves', async () => {
  const ref = parseImageRef(image);
  await pushVersion('v1');
  const first = await registryDigest(ref, AbortSignal.timeout(10_000));
  assert.match(first ?? '', /^sha256:[0-9a-f]{64}$/);
  const { log, lines } = captureLog();
  const changes: string[] = [];
  const stop = new AbortController();
  const poll = pollRegistry({ ref, intervalMs: 300, initialDigest: first, onChange: (digest) => { changes.push(digest); }, log, signal: stop.signal });
  try {
    await sleep(1000);
    assert.deepEqual(changes, [], 'nothing changes while the tag stays');
    await pushVersion('v2');
    const second = await registryDigest(ref, AbortSignal.timeout(10_000));
    assert.notEqual(second, first);
    for (let i = 0; i < 100 && changes.length === 0; i++) await sleep(100);
    await sleep(700);
    assert.deepEqual(changes, [second]);
    assert.equal(lines.filter((line) => line.includes('is now')).length, 1);
    assert.ok(!lines.some((line) => line.includes('warn')), lines.join(''));
  } finally {
    stop.abort();
    await poll.stopped;
  }
});
