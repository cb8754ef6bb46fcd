import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { testPort } from '../helpers/ports.ts';

// `npm run demo` runs scripts/demo.ts after the machine set-up: the script itself, here.
test('the demo hands over three times under load with no failed request, and cleans up', async () => {
  const root = path.resolve(fileURLToPath(import.meta.url), '../../..');
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(root, 'scripts', 'demo.ts')], {
    env: { ...process.env, DEMO_PORT: String(testPort()) }, timeout: 240_000,
  });
  assert.match(stdout, /SIGHUP 3: hanoverd-demo-4 is live/);
  assert.match(stdout, /^requests: \d+, failed: 0,/m);
  assert.match(stdout, /hanoverd exited 0; its rules and containers are gone/);
});
