import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Dockerfiles, makeApp } from '../helpers/apps.ts';
import { startDaemon } from '../helpers/daemon.ts';
import { appRules, removeLeftovers } from '../helpers/leftovers.ts';
import { get } from '../helpers/load.ts';
import { testPort } from '../helpers/ports.ts';

const app = makeApp('twoports', Dockerfiles.twoPorts);
after(async () => {
  await removeLeftovers(app.name);
  app.remove();
});

test('readiness drops a port that is not HTTP and finds the one that is; -p ip:host:container binds one address', async () => {
  const port = testPort();
  const daemon = startDaemon(app.dir, ['-p', `127.0.0.1:${port}:81`]);
  try {
    await daemon.waitForLog(/traffic switched to/);
    assert.match(daemon.log(), /port 80 does not speak HTTP .*no longer polling it/);
    assert.match(daemon.log(), /is ready on port 81/);
    assert.equal((await get(`http://127.0.0.1:${port}/cgi-bin/host`)).body, `${app.name}-1`);
    const rules = (await appRules(app.name)).filter((rule) => rule.includes('DNAT'));
    assert.equal(rules.length, 1, "one rule in the app chain, jumped to from PREROUTING and OUTPUT");
    for (const rule of rules) assert.match(rule, new RegExp(`-d 127.0.0.1/32 -p tcp -m tcp --dport ${port} .*--to-destination [\\d.]+:81`));
  } finally {
    assert.equal(await daemon.stop(), 0);
  }
});
