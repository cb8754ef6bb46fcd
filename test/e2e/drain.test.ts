import assert from 'node:assert/strict';
import { test } from 'node:test';
import { get } from '../helpers/load.ts';
import { serveApp } from '../helpers/served-app.ts';

// A request in flight when traffic switches completes on the old container, which is
// stopped only once it has drained.
const served = serveApp('drain', { args: ['--overlap-grace-duration', '100ms', '--drain-timeout', '30s'] });

test('a 4-second request that started before the switch completes; then the old container stops', async () => {
  const { app, daemon, base } = served;
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
