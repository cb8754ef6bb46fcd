import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { makeApp, type TestApp } from '../helpers/apps.ts';
import { startDaemon, type DaemonProcess } from '../helpers/daemon.ts';
import { removeLeftovers } from '../helpers/leftovers.ts';
import { get } from '../helpers/load.ts';
import { testPort } from '../helpers/ports.ts';

// A request in flight when traffic switches completes on the old container, which is
// stopped only once it has drained.
let app: TestApp;
let daemon: DaemonProcess;
const port = testPort();
const base = `http://127.0.0.1:${port}`;

before(async () => {
  app = makeApp('drain');
  daemon = startDaemon(app.dir, ['-p', `${port}:80`, '--overlap-grace-duration', '100ms', '--drain-timeout', '30s']);
  await daemon.waitForLog(/traffic switched to/);
});

after(async () => {
  try {
    await daemon?.stop();
  } finally {
    await removeLeftovers(app.name);
    app?.remove();
  }
});

test('a 4-second request that started before the switch completes; then the old container stops', async () => {
  const started = Date.now();
  const slow = get(`${base}/cgi-bin/slow?4`);
  await new Promise((resolve) => setTimeout(resolve, 300));
  daemon.signal('SIGHUP');
  await daemon.waitForLog(new RegExp(`traffic switched to ${app.name}-2`));
  assert.equal((await get(`${base}/cgi-bin/host`)).body, `${app.name}-2`, 'new connections go to the new version');
  assert.deepEqual(await slow, { status: 200, body: `${app.name}-1` });
  const [line] = await daemon.waitForLog(new RegExp(`${app.name}-1 drained in ([\\d.]+)s`));
  assert.ok(Date.now() - started >= 4000);
  assert.ok(Number(line.match(/drained in ([\d.]+)s/)![1]) >= 3, line);
  await daemon.waitForLog(new RegExp(`${app.name}-1 stopped and removed`));
});
