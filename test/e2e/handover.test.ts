import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { appContainers, appNftTable, appRules, routeLocalnet } from '../helpers/leftovers.ts';
import { get, startLoad } from '../helpers/load.ts';
import { serveApp } from '../helpers/served-app.ts';

// One daemon through its whole life: start, three SIGHUP handovers under continuous
// requests, then SIGTERM with nothing left behind.
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-data-'));
fs.writeFileSync(path.join(dataDir, 'file'), 'from the host\n');
after(() => fs.rmSync(dataDir, { recursive: true, force: true }));
const served = serveApp('handover', {
  args: ['-e', 'GREETING=hello world', '-e', 'PASSED_THROUGH', '-e', 'NOT_SET_ANYWHERE', '-v', `${dataDir}:/data:ro`, '--overlap-grace-duration', '200ms'],
  env: { PASSED_THROUGH: 'from-daemon' },
});

test('the first version serves through the published port on 127.0.0.1', async () => {
  const { app, base } = served;
  assert.deepEqual(await get(`${base}/cgi-bin/host`), { status: 200, body: `${app.name}-1` });
});

test('the container gets -e, pass-through env, the HANOVERD_IMAGE variables and -v mounts', async () => {
  const { app, base } = served;
  const env = (await get(`${base}/cgi-bin/env`)).body.split('\n');
  assert.ok(env.includes('GREETING=hello world'));
  assert.ok(env.includes('PASSED_THROUGH=from-daemon'));
  assert.ok(!env.some((line) => line.startsWith('NOT_SET_ANYWHERE')));
  assert.ok(env.includes(`HANOVERD_IMAGE=${app.name}`));
  assert.ok(env.includes(`HANOVERD_IMAGE_REPO=${app.name}`));
  assert.ok(env.includes('HANOVERD_IMAGE_TAGDIGEST=latest'));
  assert.ok(env.includes(`HOSTNAME=${app.name}-1`));
  assert.equal((await get(`${base}/cgi-bin/data`)).body, 'from the host');
});

test('each SIGHUP hands over to a new container with no failed request', async () => {
  const { app, daemon, base } = served;
  const load = startLoad(`${base}/cgi-bin/host`, { concurrency: 4, maxMs: 90_000 });
  for (const generation of [2, 3, 4]) {
    const from = daemon.log().length;
    daemon.signal('SIGHUP');
    await daemon.waitForLog(new RegExp(`traffic switched to ${app.name}-${generation}\\b`), 60_000, from);
    await daemon.waitForLog(new RegExp(`${app.name}-${generation - 1} stopped and removed`), 60_000, from);
  }
  const result = await load.stop();
  assert.deepEqual(result.errors.slice(0, 5), []);
  assert.equal(result.failed, 0);
  assert.ok(result.ok > 100, `only ${result.ok} requests got through`);
  assert.deepEqual([...result.bodies.keys()], [1, 2, 3, 4].map((n) => `${app.name}-${n}`));
  assert.deepEqual(await appContainers(app.name), [`${app.name}-4`]);
});

test('SIGTERM removes every rule and container and exits 0', async () => {
  const { app, daemon, base } = served;
  assert.equal(await routeLocalnet(), '1');
  assert.equal(await appNftTable(app.name), true, 'short conntrack timeouts while it runs');
  assert.equal(await daemon.stop(), 0);
  assert.deepEqual(await appContainers(app.name), []);
  assert.deepEqual(await appRules(app.name), []);
  assert.equal(await appNftTable(app.name), false);
  assert.equal(await routeLocalnet(), '0');
  await assert.rejects(get(`${base}/`));
});
