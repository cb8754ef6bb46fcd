import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { createNamespace, type Namespace } from '../helpers/netns.ts';
import { serveApp } from '../helpers/served-app.ts';

const LOAD_MAIN = path.resolve(fileURLToPath(import.meta.url), '../../helpers/load-main.ts');

// Remote traffic: a client in its own network namespace reaches the published port on
// this host's address (PREROUTING DNAT), through a handover, with no failed request.
let ns: Namespace;
before(async () => { ns = await createNamespace(); });
after(async () => { await ns?.remove(); });
const served = serveApp('remote', { args: ['--overlap-grace-duration', '200ms'] });

test('a client in another network namespace is served through two handovers', async () => {
  const { app, daemon, port } = served;
  const url = `http://${ns.hostAddress}:${port}/cgi-bin/host`;
  const client = execa('ip', ['netns', 'exec', ns.name, process.execPath, LOAD_MAIN, url, '6000']);
  for (const generation of [2, 3]) {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const from = daemon.log().length;
    daemon.signal('SIGHUP');
    await daemon.waitForLog(new RegExp(`traffic switched to ${app.name}-${generation}`), 30_000, from);
  }
  const result = JSON.parse((await client).stdout) as { ok: number; failed: number; errors: string[]; bodies: string[] };
  assert.deepEqual(result.errors, []);
  assert.equal(result.failed, 0);
  assert.ok(result.ok > 50, `only ${result.ok} requests`);
  assert.deepEqual(result.bodies, [1, 2, 3].map((n) => `${app.name}-${n}`));
});
